/**
 * Abdomen and pelvis: liver (30) with hepatic vessels, gallbladder (26), stomach (33) with gas and
 * contents, spleen (32), kidneys (27 left, 28 right) with cortex, medulla and sinus fat, pancreas (31),
 * duodenum, portal and splenic veins, IVC, psoas, adrenals, the bowel bag (29: small bowel loops, colon
 * and mesenteric fat), bladder and rectum.
 *
 * Neighbours are built to touch rather than overlap: each organ's envelope subtracts its neighbours
 * (liver minus gallbladder, right kidney and stomach; spleen minus stomach and left kidney; ...), so
 * the contact surfaces are shared and the painter's blend gives them partial volume from both sides.
 */
import type { Rng } from '../rng';
import { Capsule, Ellipsoid, HalfSpace, rotFromAxis, type Shape, type Vec3, ZProfile, norm3, type Mat3 } from '../shapes';
import { Intersect, Offset, Shell, SmoothUnion, Subtract, Union } from '../csg';
import { zOf } from '../subject';
import { LEFT, RIGHT, side, type Builder } from './builder';

function toLocal(R: Mat3, v: Vec3): Vec3 {
  return [
    R[0] * v[0] + R[3] * v[1] + R[6] * v[2],
    R[1] * v[0] + R[4] * v[1] + R[7] * v[2],
    R[2] * v[0] + R[5] * v[1] + R[8] * v[2],
  ];
}

export function buildAbdomen(b: Builder): void {
  const s = b.s,
    h = s.hu;
  const abdomen = b.get('abdomen');
  const fr = b.L(1, -600);
  const axisEll = (
    name: string,
    c: Vec3,
    axis: Vec3,
    up: Vec3,
    radii: Vec3,
    pos: number,
    size: number,
    dents: { dir: Vec3; cos0: number; depth: number }[] = [],
    lump = 0.04,
  ): Ellipsoid => {
    const j = b.jit(name, pos, size, 0);
    const p = b.P(c);
    const ax = norm3([axis[0] + j.yaw, axis[1] + j.pitch, axis[2]]);
    const R = rotFromAxis(ax, up);
    const poly = Array.from({ length: 10 }, () => j.rng.gauss(0, lump));
    return new Ellipsoid(
      [p[0] + j.dx, p[1] + j.dy, p[2] + j.dz],
      [radii[0] * j.sx * s.sH, radii[1] * j.sy * fr, radii[2] * j.sz * fr],
      R,
      { poly, dents: dents.map((d) => ({ ...d, dir: toLocal(R, norm3(d.dir)) })) },
    );
  };

  // ---- retroperitoneum: psoas, kidneys, adrenals ---------------------------------------------
  const psoas: Shape[] = [];
  for (const sg of [LEFT, RIGHT]) {
    const p = b.tube(
      [
        side([24, 40, -585], sg),
        side([35, 33, -640], sg),
        side([46, 23, -690], sg),
        side([57, 10, -740], sg),
        side([70, -10, -790], sg),
        side([82, -24, -832], sg),
      ],
      [5, 12, 18, 21, 19, 15],
      [5, 12, 17, 19, 17, 14],
      [0, 1, 0],
    );
    psoas.push(p);
    b.add('psoas', p, h.muscle, 0, { tex: 4 });
    b.add('adrenal', b.tube([side([38, 32, -548], sg), side([50, 46, -572], sg)], 2.2, 8), h.muscle - 5, 0);
  }
  const kidneys: Shape[] = [];
  const kidneyDesign: [number, Vec3][] = [
    [LEFT, [70, 48, -612]],
    [RIGHT, [-70, 52, -630]],
  ];
  for (const [sg, c] of kidneyDesign) {
    const k = axisEll(
      `kidney-${sg}`,
      c,
      [-sg * 0.28, 0.22, 1],
      [sg, -0.6, 0],
      [58, 31, 22],
      5,
      0.06,
      [{ dir: [-sg * 0.75, -0.65, 0], cos0: 0.55, depth: 0.35 }],
      0.03,
    );
    kidneys.push(k);
  }
  const [kidneyL, kidneyR] = kidneys;

  // ---- stomach (33) ------------------------------------------------------------------------------
  const sj = b.jit('stomach', 4, 0.12, 0);
  const dist = sj.sx;
  const stPts: Vec3[] = [
    [50, 18, -522],
    [60, -10, -555],
    [60, -34, -590],
    [47, -58, -615],
    [18, -72, -628],
    [-5, -68, -624],
    [-22, -57, -614],
  ];
  const stR = [37, 37, 33, 28, 23, 18, 11].map((v) => v * dist);
  const stomachRaw = b.tube(
    stPts,
    stR,
    stR.map((v) => v * 0.92),
    [0, 0, 1],
    [sj.dx, sj.dy, sj.dz],
  );
  const stomach = new Intersect([stomachRaw, abdomen]);
  b.keep('stomach', stomach);

  // ---- gallbladder (26) ----------------------------------------------------------------------------
  const gb = axisEll('gallbladder', [-40, -58, -602], [0.2, -0.45, -0.87], [1, 0, 0], [38, 16, 17], 5, 0.15, [], 0.05);

  // ---- liver (30) ---------------------------------------------------------------------------------
  const lj = b.jit('liver', 5, 0.06, 0.05);
  const right = b.organ(lj, [-62, -4, -552], [75, 90, 77], [0.1, 0, 0.05], { poly: [0.05, 0, -0.05, 0, 0, 0, 0, 0, 0, 0] }, 0.05);
  const leftLobe = b.organ(b.jit('liver-left', 5, 0.12, 0.08), [5, -52, -528], [62, 30, 28], [0.25, 0, 0.1], {}, 0.06);
  const caudate = b.ell([-16, 14, -540], [20, 18, 32], [0, 0, 0], {}, [lj.dx, lj.dy, lj.dz]);
  const ivcPts: Vec3[] = [
    [-22, 4, -760],
    [-20, 2, -690],
    [-19, 3, -620],
    [-21, -2, -570],
    [-22, -10, -530],
    [-24, -20, -498],
  ];
  const ivc = b.tube(ivcPts, 11, 10);
  const liver = new Subtract(
    new Intersect([new SmoothUnion([right, leftLobe, caudate], 28), abdomen]),
    [gb, kidneyR, stomachRaw, b.get('esophagus')],
    1.5,
  );
  b.add('Liver', liver, h.liver, 30, { tex: 4, tex2: 3 });
  b.add(
    'hepatic veins',
    new Union([
      b.tube(
        [
          [-22, -14, -510],
          [-55, -30, -540],
          [-85, -40, -570],
        ],
        [6, 4, 2.5],
      ),
      b.tube(
        [
          [-22, -14, -510],
          [-20, -45, -530],
          [-5, -60, -545],
        ],
        [5, 3.5, 2],
      ),
      b.tube(
        [
          [-22, -14, -510],
          [-60, 5, -525],
          [-95, 20, -545],
        ],
        [5.5, 4, 2.5],
      ),
      b.tube(
        [
          [-35, -20, -585],
          [-70, -15, -600],
          [-95, -5, -615],
        ],
        [5, 3.5, 2],
      ),
      b.tube(
        [
          [-35, -20, -585],
          [-10, -45, -560],
          [15, -55, -540],
        ],
        [4.5, 3.5, 2],
      ),
    ]),
    s.phase === 'native' ? h.liver - 18 : h.portal,
    -1,
    { onlyIn: [30] },
  );
  b.add('Gallbladder', gb, h.bile, 26, { tex: 2 });
  b.add('gallbladder wall', new Shell(gb, 1.8), h.bowelWall, -1, { onlyIn: [26] });

  // stomach: wall, contents, gas (supine: gas rises anteriorly)
  b.add('Stomach', stomach, h.stomachWall, 33, { carves: [25] });
  const food = sj.rng.chance(0.35);
  const lumen = new Offset(stomach, -3.5);
  b.add('gastric contents', lumen, food ? h.gastricContent + 25 : h.gastricContent, -1, {
    onlyIn: [33],
    tex: food ? 25 : 4,
    tex2: food ? 20 : 0,
  });
  const front = Math.min(...stPts.map((p, i) => p[1] - stR[i])) + sj.dy;
  const gasLevel = front + sj.rng.uniform(8, 30);
  b.add('gastric gas', new Intersect([lumen, new HalfSpace([0, 1, 0], [0, gasLevel * s.fy, 0])]), h.airway, -1, { onlyIn: [33] });

  // ---- spleen (32) ----------------------------------------------------------------------------------
  const spleenEll = axisEll(
    'spleen',
    [88, 46, -560],
    [0.3, -0.7, -0.8],
    [1, 0.7, 0],
    [65, 46, 26],
    6,
    0.14,
    [{ dir: [-0.8, -0.4, 0], cos0: 0.4, depth: 0.3 }],
    0.05,
  );
  const spleen = new Subtract(new Intersect([spleenEll, abdomen]), [stomachRaw, kidneyL], 1.5);
  b.add('Spleen', spleen, h.spleen, 32, { tex: h.spleenTex, tex2: h.spleenTex * 0.6 });

  // ---- kidneys (27 left, 28 right) ------------------------------------------------------------------
  kidneys.forEach((k, i) => {
    const label = i === 0 ? 27 : 28;
    const sg = i === 0 ? LEFT : RIGHT;
    const body = new Subtract(new Intersect([k, abdomen]), [liver], 1.0);
    b.add(i === 0 ? 'Kidney_L' : 'Kidney_R', body, h.kidneyCortex, label, { tex: 3 });
    b.add('renal medulla', new Offset(k, -6), h.kidneyMedulla, -1, { onlyIn: [label], tex: 5 });
    const c = b.P(kidneyDesign[i][1]);
    const hil: Vec3 = [c[0] - sg * 14, c[1] - 10, c[2]];
    b.add('renal sinus fat', new Ellipsoid(hil, [8, 8, 22]), h.fat, -1, { onlyIn: [label] });
    b.add('renal pelvis', new Ellipsoid([hil[0] - sg * 3, hil[1] - 3, hil[2] - 6], [5, 4, 8]), h.urine, -1, { onlyIn: [label] });
    b.add('renal vein', b.tube([side([48, 35, -618 - (i ? 12 : 0)], sg), side([10, 10, -625], sg)], 5), h.bloodVen, 0);
  });

  // ---- pancreas (31), duodenum, portal system -------------------------------------------------------
  const pj = b.jit('pancreas', 3, 0.1, 0);
  const panc = b.tube(
    [
      [-24, -18, -646],
      [-5, -24, -628],
      [25, -14, -614],
      [50, 0, -602],
      [72, 16, -590],
    ],
    [18, 12, 12, 11, 10],
    [26, 18, 18, 15, 13],
    [0, 0, 1],
    [pj.dx, pj.dy, pj.dz],
    pj.sx,
  );
  const pancreas = new Subtract(new Intersect([panc, abdomen]), [stomachRaw, kidneyL, spleenEll, liver], 1.5);
  b.add('Pancreas', pancreas, h.pancreas, 31, { tex: 8 });
  const duod = b.tube(
    [
      [-22, -54, -614],
      [-44, -38, -612],
      [-54, -22, -646],
      [-50, -14, -678],
      [-15, -22, -692],
      [15, -22, -688],
      [28, -24, -665],
      [40, -30, -658],
    ],
    11,
  );
  const portal = new Union([
    b.tube(
      [
        [72, 30, -594],
        [25, 4, -617],
        [-3, -6, -626],
      ],
      [4.5, 5, 5.5],
    ),
    b.tube(
      [
        [-3, -10, -690],
        [-3, -8, -650],
        [-3, -6, -626],
      ],
      [5, 5.5, 6],
    ),
    b.tube(
      [
        [-3, -6, -626],
        [-28, -14, -600],
        [-45, -12, -574],
      ],
      [7, 7, 6],
    ),
  ]);
  const sma = b.tube(
    [
      [4, -8, -600],
      [4, -16, -625],
      [6, -20, -690],
    ],
    3.5,
  );

  // ---- bowel bag (29) ------------------------------------------------------------------------------
  const cj = b.jit('colon', 5, 0.06, 0);
  const colonPts: Vec3[] = [
    [-90, 0, -762],
    [-95, -4, -705],
    [-84, -28, -648],
    [-40, -62, -662],
    [0, -70, -684],
    [40, -62, -660],
    [84, -26, -630],
    [100, 8, -670],
    [98, 10, -752],
    [72, -18, -800],
    [32, -30, -826],
    [4, -8, -840],
    [0, 40, -850],
  ];
  const colonR = [28, 24, 22, 20, 20, 20, 22, 18, 18, 17, 16, 16, 16];
  const colon = b.tube(colonPts, colonR, colonR, [0, 0, 1], [cj.dx, cj.dy, 0]);
  const rectum = b.tube(
    [
      [0, 40, -850],
      [0, 58, -868],
      [0, 64, -900],
    ],
    [18, 18, 15],
  );
  const bj = b.jit('bladder', 3, 0.18, 0);
  const bladder = b.organ(bj, [0, -45, -850], [42, 32, 30], [0, 0, 0], {}, 0.05);
  const bagProfile = new ZProfile(
    (
      [
        [-622, 0, -48, 50, 26],
        [-645, 0, -42, 92, 44],
        [-680, 0, -34, 106, 52],
        [-720, 0, -30, 110, 54],
        [-760, 0, -26, 102, 54],
        [-800, 0, -22, 88, 50],
        [-835, 0, -14, 66, 44],
        [-862, 0, -6, 44, 34],
        [-876, 0, 0, 28, 24],
      ] as const
    ).map(([z, cx, cy, a, bb]) => ({ z: zOf(s, z), cx: cx * s.fx, cy: cy * s.fy, a: a * s.fx, b: bb * s.fy, square: 0.1 })),
  );
  const bag = new Subtract(
    new Intersect([new Union([bagProfile, new Offset(colon, 2)]), abdomen]),
    [liver, gb, stomachRaw, spleenEll, ...kidneys, panc, duod, ...psoas, bladder, rectum, b.get('aorta'), ivc, portal],
    2,
  );
  b.add('Bag_Bowel', bag, h.visceralFat + 10, 29, { tex: 12, tex2: 8 });
  b.add('colon wall', colon, h.bowelWall, -1, { onlyIn: [29] });
  b.add('colon contents', new Offset(colon, -2.5), h.stool, -1, { onlyIn: [29], tex: 110, tex2: 40 });
  b.add(
    'colon gas',
    new Intersect([new Offset(colon, -2.5), new HalfSpace([0, 1, 0], [0, b.P([0, -40 + cj.rng.uniform(-15, 15), 0])[1], 0])]),
    h.airway,
    -1,
    { onlyIn: [29] },
  );
  addSmallBowel(b, s.rng.fork('small-bowel'), bagProfile);

  // ---- unlabelled neighbours painted last in this region ------------------------------------------
  b.add('duodenum', duod, h.bowelWall, 0);
  b.add('duodenal lumen', new Offset(duod, -2.5), h.bowelContent, 0, { tex: 6 });
  b.add('portal and splenic veins', portal, h.portal, 0);
  b.add('sma', sma, h.bloodArt, 0);
  b.add('ivc', ivc, s.phase === 'arterial' ? h.blood + 15 : h.bloodVen, 0);
  b.add(
    'iliac vessels',
    new Union(
      [LEFT, RIGHT].flatMap((sg) => [
        b.tube([[4, -2, -690], side([28, 4, -740], sg), side([52, 6, -790], sg), side([78, -14, -830], sg)], [9, 7, 6.5, 6]),
      ]),
    ),
    h.bloodArt,
    0,
  );
  b.add('bladder', bladder, h.muscle, 0);
  b.add('urine', new Offset(bladder, -2.5), h.urine, 0);
  b.add('rectum', rectum, h.bowelWall, 0);
  b.add('rectal contents', new Offset(rectum, -3), h.stool, 0, { tex: 90 });
}

/** Small bowel: loops as persistent random walks inside the bowel bag, with wall, fluid and gas levels. */
function addSmallBowel(b: Builder, r: Rng, bag: ZProfile): void {
  const h = b.s.hu;
  const n = 16;
  for (let l = 0; l < n; l++) {
    let p: Vec3 = [0, 0, 0];
    for (let t = 0; t < 200; t++) {
      const q: Vec3 = [r.uniform(-110, 110) * b.s.fx, r.uniform(-90, 20) * b.s.fy, zOf(b.s, r.uniform(-640, -850))];
      if (bag.sd(q[0], q[1], q[2]) < -18) {
        p = q;
        break;
      }
    }
    const rad = r.uniform(9, 13.5);
    let dir = norm3([r.gauss(0, 1), r.gauss(0, 1), r.gauss(0, 0.6)]);
    const pts: Vec3[] = [p];
    for (let k = 0; k < 12; k++) {
      for (let t = 0; t < 12; t++) {
        const nd = norm3([dir[0] + r.gauss(0, 0.8), dir[1] + r.gauss(0, 0.8), dir[2] + r.gauss(0, 0.5)]);
        const q: Vec3 = [p[0] + nd[0] * 18, p[1] + nd[1] * 18, p[2] + nd[2] * 18];
        if (bag.sd(q[0], q[1], q[2]) < -rad * 0.8) {
          dir = nd;
          p = q;
          pts.push(q);
          break;
        }
      }
    }
    if (pts.length < 3) continue;
    // subject coordinates already (sampled inside the bag), so capsules rather than b.tube()
    const caps = new Union(pts.slice(1).map((q, i) => new Capsule(pts[i], q, [rad, rad], [rad, rad])));
    const kind = r.next();
    b.add('small bowel wall', caps, h.bowelWall, -1, { onlyIn: [29] });
    if (kind < 0.2) continue; // collapsed loop: wall only
    const lumen = new Offset(caps, -2.2);
    b.add('small bowel contents', lumen, h.bowelContent, -1, { onlyIn: [29], tex: 5 });
    if (kind > 0.8) {
      const ymin = Math.min(...pts.map((q) => q[1])) - rad;
      b.add('small bowel gas', new Intersect([lumen, new HalfSpace([0, 1, 0], [0, ymin + r.uniform(5, 12), 0])]), h.airway, -1, {
        onlyIn: [29],
      });
    }
  }
}
