/**
 * Neck and thorax: larynx (8), thyroid gland, carotid sheaths, trachea (21) and bronchi, oesophagus (25),
 * heart (22) with chambers and pericardial fat, great vessels, lungs (23 left, 24 right) with a
 * branching vessel tree and lobar bronchi.
 *
 * Canonical trunk coordinates. Levels: cricoid -265 (C6), sternal notch -322, carina -405 (T5-T6),
 * central tendon of the diaphragm about -495.
 */
import type { Rng } from '../rng';
import { Ellipsoid, HalfSpace, rotFromAxis, type Shape, type Vec3, ZProfile, norm3, cross3 } from '../shapes';
import { Intersect, Offset, Shell, Subtract, Union } from '../csg';
import { zOf } from '../subject';
import { LEFT, RIGHT, side, type Builder } from './builder';

export function buildThorax(b: Builder): void {
  const s = b.s,
    h = s.hu;
  const thorax = b.get('thorax');
  const aboveDia = b.get('aboveDia');
  const cavity = b.get('cavity');

  // ---- neck: carotid sheaths, thyroid, larynx -------------------------------------------------
  for (const sg of [LEFT, RIGHT]) {
    const jug: Vec3[] = [side([38, 4, -185], sg), side([36, 2, -230], sg), side([33, -4, -270], sg), side([29, -12, -310], sg)];
    b.add(
      'carotid sheath fat',
      b.tube(
        jug.map((p) => [p[0] - sg * 5, p[1], p[2]] as Vec3),
        9,
        8,
      ),
      h.fat,
      0,
      { tex: 6 },
    );
    b.add(
      'sternocleidomastoid',
      b.tube(
        [side([50, 26, -165], sg), side([47, 4, -235], sg), side([38, -30, -290], sg), side([20, -62, -322], sg)],
        [9, 11, 9, 7],
        [7, 8, 7, 6],
      ),
      h.muscle,
      0,
      { tex: 4 },
    );
    b.add('jugular vein', b.tube(jug, [5.5, 6.5, 7, 7.5], [5, 6, 6.5, 6.5]), h.bloodVen, 0);
  }
  const tj = b.jit('thyroid', 1.5, 0.12, 0.05);
  const thyroid = new Union([
    b.organ(tj, [17, -18, -290], [8, 10, 20], [0.15, 0, 0], {}, 0.06),
    b.organ(tj, [-17, -18, -290], [8, 10, 20], [-0.15, 0, 0], {}, 0.06),
    b.ell([0, -31, -282], [11, 4, 5.5], [0, 0, 0], {}, [tj.dx, tj.dy, tj.dz]),
  ]);
  b.add('thyroid', thyroid, h.thyroid, 0, { tex: 8 });
  const lj = b.jit('larynx', 1.5, 0.07, 0.04);
  const larynx = b.organ(lj, [0, -22, -250], [18, 16, 22], [0, 0.1, 0], { poly: [0, 0.06, 0, 0, 0, 0, 0, 0, 0, 0] }, 0.04);
  b.add('Larynx', larynx, h.larynx, 8, { tex: 4 });
  b.add(
    'thyroid cartilage',
    new Intersect([
      new Shell(larynx, 2.2),
      new HalfSpace([0, 1, 0], b.P([0, -22 + lj.dy, -250])),
      new HalfSpace([0, 0, -1], b.P([0, 0, -262])),
    ]),
    h.cartilage,
    -1,
    { onlyIn: [8] },
  );
  b.add('cricoid', new Intersect([new Shell(larynx, 2.5), new HalfSpace([0, 0, 1], b.P([0, 0, -262]))]), h.cartilage, -1, {
    onlyIn: [8],
  });
  b.add(
    'laryngeal airway',
    b.tube(
      [
        [0, -18, -232],
        [0, -22, -250],
        [0, -21, -273],
      ],
      [3.5, 2.5, 7],
      [7, 6, 6],
      [0, 1, 0],
      [lj.dx, lj.dy, lj.dz],
    ),
    h.airway,
    -1,
    { onlyIn: [8] },
  );
  b.add(
    'hyoid',
    b.tube(
      [
        side([20, -10, -223], RIGHT),
        side([12, -33, -224], RIGHT),
        [0, -37, -224],
        side([12, -33, -224], LEFT),
        side([20, -10, -223], LEFT),
      ],
      3,
      3,
    ),
    h.cortical * 0.8,
    0,
  );

  // ---- airways ----------------------------------------------------------------------------------
  const trj = b.jit('trachea', 1.2, 0.07, 0.03);
  const trPts: Vec3[] = [
    [0, -21, -271],
    [0, -22, -290],
    [0, -20, -320],
    [0, -15, -350],
    [0, -9, -380],
    [0, -4, -404],
  ];
  const trachea = b.tube(trPts, 9.5, 8.5, [0, 1, 0], [trj.dx, trj.dy, 0], trj.sx);
  b.add('Trachea', trachea, h.larynx, 21, { carves: [8] });
  b.add('tracheal lumen', new Offset(trachea, -1.8), h.airway, -1, { onlyIn: [21] });
  const bronchi = new Union(
    [
      b.tube(
        [
          [0, -4, -402],
          [-22, -2, -418],
          [-45, 2, -440],
        ],
        [7.5, 7, 6],
        [7.5, 7, 6],
      ),
      b.tube(
        [
          [0, -4, -402],
          [25, -2, -412],
          [48, 3, -432],
        ],
        [7, 6.5, 5.5],
        [7, 6.5, 5.5],
      ),
    ].map((t) => t),
  );
  b.keep('bronchi', bronchi);

  // ---- oesophagus (25) ------------------------------------------------------------------------
  const ej = b.jit('esophagus', 1.5, 0.08, 0);
  const esPts: Vec3[] = [
    [0, 1, -262],
    [1, 2, -282],
    [3, 3, -310],
    [4, 5, -340],
    [4, 9, -370],
    [3, 12, -400],
    [4, 10, -430],
    [6, 9, -460],
    [10, 6, -490],
    [17, 1, -520],
    [27, -7, -543],
  ];
  const esR2 = [7, 7.5, 8, 8.5, 8.5, 8.5, 9, 9, 9, 9.5, 9.5];
  const esR3 = [5, 5.5, 6, 6, 6, 6, 6.5, 6.5, 6.5, 7, 7.5];
  const eso = b.tube(esPts, esR2, esR3, [0, 1, 0], [ej.dx, ej.dy, 0], ej.sx);
  b.keep('esophagus', eso);

  // ---- heart (22) -------------------------------------------------------------------------------
  const hj = b.jit('heart', 4, 0.06, 0.08);
  const fr = b.L(1, -450);
  // the heart rests on the central tendon: find the diaphragm's top under it (this subject's dome)
  const hc = b.P([18, -46, -462]);
  const zDome = hc[2] + aboveDia.sd(hc[0], hc[1], hc[2]);
  const centre: Vec3 = [hc[0] + hj.dx, hc[1] + hj.dy, zDome + 42 * fr + hj.dz * 0.5];
  const axis = norm3([0.55 + hj.yaw, -0.5 + hj.pitch, -0.67]);
  const R = rotFromAxis(axis, [0, 0, 1]);
  const hr: Vec3 = [67 * hj.sx * fr, 57 * hj.sy * fr, 50 * hj.sz * fr];
  const heartEll = new Ellipsoid(centre, hr, R, { poly: [0, 0, 0.03, 0, 0, 0, 0, 0.04, 0, 0] });
  const heart = new Intersect([heartEll, aboveDia, new Offset(cavity, -3), new HalfSpace([0, 1, 0], [0, b.P([0, 4, 0])[1], 0])]);
  b.add('pericardial fat', new Intersect([new Offset(heart, 3.5), thorax]), h.fat, 0, { tex: 6 });
  b.add('Heart', heart, h.myocardium, 22, { tex: 3 });
  const ch = (off: Vec3, radii: Vec3, rot = true): Ellipsoid =>
    new Ellipsoid(
      [centre[0] + off[0] * fr, centre[1] + off[1] * fr, centre[2] + off[2] * s.sH],
      [radii[0] * fr, radii[1] * fr, radii[2] * fr],
      rot ? R : null,
    );
  b.add('left ventricle', ch([12, -2, -10], [34, 19, 18]), h.bloodArt, -1, { onlyIn: [22] });
  b.add('right ventricle', ch([-12, -20, -4], [32, 13, 19]), h.bloodRight, -1, { onlyIn: [22] });
  b.add('left atrium', ch([-2, 26, 20], [21, 12, 15], false), h.bloodArt, -1, { onlyIn: [22] });
  b.add('right atrium', ch([-34, 6, 6], [18, 18, 22], false), h.bloodRight, -1, { onlyIn: [22] });
  b.add('coronary fat', new Intersect([ch([-20, -8, 8], [8, 40, 6]), heart]), h.fat, -1, { onlyIn: [22] });

  // ---- great vessels ---------------------------------------------------------------------------
  const aorta = b.tube(
    [
      [6, -32, -416],
      [4, -40, -398],
      [2, -38, -372],
      [8, -22, -350],
      [18, 0, -354],
      [22, 16, -372],
      [22, 23, -400],
      [21, 25, -450],
      [17, 24, -500],
      [10, 16, -550],
      [4, 5, -600],
      [4, 0, -650],
      [4, -2, -690],
    ],
    [13, 15, 14, 13, 12.5, 12, 12, 11.5, 11, 11, 10.5, 10, 9],
  );
  b.keep('aorta', aorta);
  const pulm = new Union([
    b.tube(
      [
        [10, -58, -425],
        [14, -48, -408],
        [8, -32, -396],
      ],
      13,
    ),
    b.tube(
      [
        [8, -32, -396],
        [-20, -20, -402],
        [-50, -8, -414],
      ],
      [11, 10, 8],
    ),
    b.tube(
      [
        [8, -32, -396],
        [30, -16, -396],
        [50, -3, -408],
      ],
      [11, 10, 8],
    ),
  ]);
  const svc = b.tube(
    [
      [-24, -30, -318],
      [-25, -33, -360],
      [-23, -31, -420],
    ],
    9,
  );
  const arch = new Union([
    b.tube(
      [
        [2, -36, -360],
        [-10, -28, -330],
        [-15, -22, -310],
      ],
      7,
    ),
    b.tube(
      [
        [-15, -22, -310],
        [-45, -15, -300],
        [-90, -5, -304],
      ],
      5,
    ),
    b.tube(
      [
        [-15, -22, -310],
        [-24, -10, -280],
        [-26, -6, -240],
        [-30, -4, -190],
      ],
      4.5,
    ),
    b.tube(
      [
        [8, -30, -356],
        [20, -15, -300],
        [25, -8, -250],
        [30, -4, -190],
      ],
      4.5,
    ),
    b.tube(
      [
        [14, -14, -356],
        [35, -8, -322],
        [90, -5, -306],
      ],
      5,
    ),
  ]);
  const brachioVeins = new Union([
    b.tube(
      [
        [29, -14, -310],
        [0, -46, -328],
        [-22, -32, -336],
      ],
      6.5,
    ),
    b.tube(
      [
        [-29, -14, -310],
        [-24, -30, -325],
      ],
      7,
    ),
  ]);
  b.keep('svc', svc);

  // ---- lungs (23 left, 24 right) ------------------------------------------------------------------
  const med = new ZProfile(
    (
      [
        [-288, 0, -10, 15, 24],
        [-320, 0, -28, 22, 52],
        [-350, 3, -27, 30, 56],
        [-380, 5, -24, 38, 60],
        [-410, 3, -20, 40, 62],
        [-440, 9, -6, 32, 48],
        [-480, 9, 2, 28, 40],
        [-520, 10, 4, 24, 30],
        [-600, 10, 4, 24, 30],
      ] as const
    ).map(([z, cx, cy, a, bb]) => ({ z: zOf(s, z), cx: cx * s.fx, cy: cy * s.fy, a: a * s.fx, b: bb * s.fy })),
  );
  const mediastinum = new Union([med, new Offset(heart, 5), new Offset(aorta, 3), new Offset(pulm, 2)]);
  const lungRng = s.rng.fork('lungs');
  const shift = lungRng.gauss(0, 3);
  for (const sg of [LEFT, RIGHT]) {
    const split = new HalfSpace([-sg, 0, 0], [b.P([3, 0, 0])[0] + shift, 0, 0]);
    const lung = new Subtract(new Intersect([thorax, split]), [mediastinum, bronchi, eso], 1.5);
    b.add(sg > 0 ? 'Lung_L' : 'Lung_R', lung, h.lung, sg > 0 ? 23 : 24, { tex: 14, tex2: 12, gradY: 0.3 });
    addLungTree(b, lungRng.fork(`tree-${sg}`), sg, sg > 0 ? 23 : 24);
  }

  // vessels and oesophagus after the lungs: they sit in the mediastinum; small overlaps carve lung
  b.add('Esophagus', eso, h.muscle - 8, 25, { tex: 4 });
  b.add('esophageal air', b.tube(esPts.slice(3, 8), 1.8, 1.2, [0, 1, 0], [ej.dx + 1, ej.dy - 1, 0]), h.airway, -1, {
    onlyIn: [25],
  });
  b.add('aorta', aorta, h.bloodArt, 0);
  if (s.ageYears > 55) {
    const cr = s.rng.fork('calcification');
    for (let i = 0; i < 6; i++) {
      const z = cr.uniform(-690, -380),
        a = cr.uniform(0, 2 * Math.PI);
      const c = b.P([20 - (z + 380) * 0.05 + 10 * Math.cos(a), 20 - (z + 380) * 0.07 + 10 * Math.sin(a), z]);
      b.add('aortic calcification', new Ellipsoid(c, [2, 2, 3]), 700, 0);
    }
  }
  b.add('pulmonary arteries', pulm, h.bloodRight, 0);
  b.add('svc', svc, h.bloodRight, 0);
  b.add('arch branches', arch, h.bloodArt, 0);
  b.add('brachiocephalic veins', brachioVeins, h.bloodVen, 0);
  b.add('bronchi', bronchi, h.larynx, 0);
  b.add('bronchial lumen', new Offset(bronchi, -1.5), h.airway, 0);
}

/** A branching vessel tree and lobar bronchi from the hilum; painted only inside the lung. */
function addLungTree(b: Builder, r: Rng, sg: number, label: number): void {
  const h = b.s.hu;
  const hilum: Vec3 = side([52, 2, -424], sg);
  const starts: Vec3[] = [
    [0.3, -0.25, 0.9],
    [1, -0.3, 0.05],
    [0.5, 0.45, -0.75],
    [0.55, -0.55, -0.6],
    [0.4, 0.8, -0.2],
  ];
  const vessels: Shape[] = [];
  const grow = (p: Vec3, dir: Vec3, len: number, rad: number, gen: number): void => {
    const q: Vec3 = [p[0] + dir[0] * len, p[1] + dir[1] * len, p[2] + dir[2] * len];
    vessels.push(b.tube([p, q], [rad, rad * 0.85]));
    if (gen >= 3) return;
    const perp = norm3(cross3(dir, [r.gauss(0, 1), r.gauss(0, 1), r.gauss(0, 1)]));
    for (const k of [-1, 1]) {
      const ang = r.uniform(0.35, 0.7) * k;
      const nd = norm3([
        dir[0] * Math.cos(ang) + perp[0] * Math.sin(ang),
        dir[1] * Math.cos(ang) + perp[1] * Math.sin(ang),
        dir[2] * Math.cos(ang) + perp[2] * Math.sin(ang),
      ]);
      grow(q, nd, len * r.uniform(0.68, 0.85), rad * 0.68, gen + 1);
    }
  };
  for (const d of starts) grow(hilum, norm3([d[0] * sg, d[1], d[2]]), r.uniform(34, 44), r.uniform(4.5, 6), 0);
  b.add('lung vessels', new Union(vessels), h.blood + 0.4 * (h.bloodRight - h.blood), -1, { onlyIn: [label] });
  const lobar = new Union([
    b.tube([side([30, -1, -425], sg), side([56, -8, -400], sg), side([66, -14, -372], sg)], [4.2, 3.4, 2.6]),
    b.tube([side([46, 3, -436], sg), side([66, 16, -476], sg), side([76, 30, -510], sg)], [4.4, 3.6, 2.6]),
    b.tube([side([46, 3, -436], sg), side([72, -22, -460], sg)], [3.6, 2.6]),
  ]);
  b.add('lobar bronchi', lobar, h.larynx, -1, { onlyIn: [label] });
  b.add('lobar bronchi lumen', new Offset(lobar, -1.1), h.airway, -1, { onlyIn: [label] });
}
