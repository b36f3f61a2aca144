/**
 * Axial and appendicular skeleton of the trunk and neck: vertebrae (body, arch, spinous and transverse
 * processes) around the spinal canal with the cord (15), ribs with costal cartilages, sternum,
 * clavicles, scapulae, pelvis and femoral heads. Painted after the soft organs, so bone (label 0)
 * carves whatever an organ's envelope left in its place, as a contouring physician would.
 */
import { HalfSpace, type ProfileKey, type Shape, type Vec3, ZProfile } from '../shapes';
import { Intersect, Offset, Subtract, Union } from '../csg';
import { zOf } from '../subject';
import { LEFT, RIGHT, side, type Builder } from './builder';
import { cavityAt, spineY } from './body';

interface Level {
  name: string;
  z: number; // body centre (canonical)
  h: number; // body half height
  a: number;
  b: number; // body half width, half depth
  ca: number;
  cb: number; // canal half width, half depth
  sp: number;
  drop: number; // spinous process length, downward slope
  tp: number; // transverse process reach from the midline
}

const LEVELS: Level[] = [
  ['C2', -178, 7, 9, 8, 12, 8, 22, 4, 26],
  ['C3', -197, 6.5, 9, 8, 12, 7.5, 20, 5, 27],
  ['C4', -215, 6.5, 9.5, 8, 12, 7.5, 22, 6, 28],
  ['C5', -233, 6.5, 10, 8, 12.5, 7.5, 24, 7, 29],
  ['C6', -251, 6.5, 10.5, 8.5, 12.5, 7.5, 28, 8, 30],
  ['C7', -269, 7, 11.5, 9, 12, 7.5, 38, 10, 34],
  ['T1', -289, 8, 12.5, 10, 10.5, 8, 40, 14, 38],
  ['T2', -310, 8.5, 13, 10.5, 9, 8, 40, 18, 38],
  ['T3', -332, 9, 13.5, 11, 8.5, 8, 40, 22, 38],
  ['T4', -355, 9.5, 14, 12, 8.5, 8, 40, 24, 37],
  ['T5', -379, 10, 14.5, 12.5, 8.5, 8, 40, 25, 37],
  ['T6', -403, 10.5, 15, 13, 8.5, 8, 40, 26, 36],
  ['T7', -428, 10.5, 15.5, 13.5, 8.5, 8, 40, 26, 36],
  ['T8', -453, 11, 16, 14, 8.5, 8, 40, 25, 36],
  ['T9', -479, 11.5, 16.5, 14, 8.5, 8, 38, 22, 35],
  ['T10', -505, 12, 17, 14.5, 9, 8, 36, 18, 34],
  ['T11', -532, 12.5, 18, 15, 9, 8.5, 34, 12, 30],
  ['T12', -560, 13, 19, 15.5, 9.5, 8.5, 34, 8, 28],
  ['L1', -590, 13.5, 21, 16, 10.5, 9, 32, 4, 40],
  ['L2', -621, 14, 22, 16.5, 11, 9, 32, 3, 46],
  ['L3', -653, 14, 23, 17, 11.5, 9, 32, 3, 50],
  ['L4', -686, 14, 24, 17, 12, 9, 30, 3, 48],
  ['L5', -718, 13.5, 25, 16.5, 13, 9, 26, 3, 52],
].map(([name, z, h, a, b, ca, cb, sp, drop, tp]) => ({ name, z, h, a, b, ca, cb, sp, drop, tp }) as Level);

function canalY(l: Level): number {
  return spineY(l.z) + l.b + l.cb + 1;
}

export function buildSkeleton(b: Builder, junctionZ: number): void {
  const s = b.s,
    h = s.hu;
  const P = (x: number, y: number, z: number): Vec3 => b.P([x, y, z]);
  const cyl = (cx: number, cy: number, z0: number, z1: number, a: number, bb: number): ZProfile =>
    new ZProfile([
      { z: zOf(s, z0), cx: cx * s.fx, cy: cy * s.fy, a: a * s.fx, b: bb * s.fy },
      { z: zOf(s, z1), cx: cx * s.fx, cy: cy * s.fy, a: a * s.fx, b: bb * s.fy },
    ]);

  // ---- spine -----------------------------------------------------------------------------------
  const discKeys: ProfileKey[] = LEVELS.map((l) => ({
    z: zOf(s, l.z),
    cx: 0,
    cy: spineY(l.z) * s.fy,
    a: (l.a - 1) * s.fx,
    b: (l.b - 1) * s.fy,
  }));
  discKeys.unshift({ z: zOf(s, -160), cx: 0, cy: 14 * s.fy, a: 8 * s.fx, b: 7 * s.fy });
  b.add('discs', new ZProfile(discKeys), h.disc, 0);
  // atlas ring and dens
  b.add('atlas', new Subtract(cyl(0, 24, -163, -154, 27, 17), [cyl(0, 29, -170, -150, 14, 11)]), h.vertebraCortex, 0);
  b.add(
    'dens',
    b.tube(
      [
        [0, 15, -170],
        [0, 15, -155],
      ],
      5,
    ),
    h.vertebraCortex,
    0,
  );
  for (const l of LEVELS) {
    const y = spineY(l.z);
    const body = cyl(0, y, l.z - l.h, l.z + l.h, l.a, l.b);
    b.add(`${l.name} body`, body, h.vertebraCortex, 0);
    b.add(`${l.name} cancellous`, new Offset(body, -1.6), h.vertebraBody, 0, { tex: 25 });
    const cy = canalY(l);
    const ring = new Subtract(cyl(0, cy, l.z - l.h * 0.8, l.z + l.h * 0.8, l.ca + 4.5, l.cb + 4.5), [
      cyl(0, cy, l.z - 30, l.z + 30, l.ca, l.cb),
    ]);
    b.add(`${l.name} arch`, new Intersect([ring, new HalfSpace([0, -1, 0], P(0, y + l.b - 2, 0))]), h.vertebraCortex, 0);
    b.add(
      `${l.name} spinous`,
      b.tube(
        [
          [0, cy + l.cb + 2, l.z],
          [0, cy + l.cb + l.sp, l.z - l.drop],
        ],
        3,
        6,
      ),
      h.vertebraCortex * 0.9,
      0,
    );
    for (const sg of [LEFT, RIGHT]) {
      b.add(
        `${l.name} transverse`,
        b.tube([side([l.ca + 2, cy - 3, l.z], sg), side([l.tp, cy + (l.z < -570 ? -2 : 8), l.z - 2], sg)], 4, 5),
        h.vertebraCortex * 0.9,
        0,
      );
    }
  }
  // sacrum and coccyx
  const sacPts: Vec3[] = [
    [0, 42, -742],
    [0, 56, -780],
    [0, 72, -818],
    [0, 84, -850],
    [0, 88, -872],
  ];
  const sac = b.tube(sacPts, [46, 36, 22, 10, 5], [15, 12, 9, 6, 4], [0, 1, 0]);
  b.add('sacrum', sac, h.vertebraCortex, 0);
  b.add('sacrum cancellous', new Offset(sac, -2.5), h.vertebraBody, 0, { tex: 25 });

  // spinal canal (CSF) and cord (15): the cord runs from the brainstem junction to the conus (L1-L2)
  const canalKeys: ProfileKey[] = LEVELS.map((l) => ({
    z: zOf(s, l.z),
    cx: 0,
    cy: canalY(l) * s.fy,
    a: l.ca * s.fx,
    b: l.cb * s.fy,
  }));
  canalKeys.unshift({ z: junctionZ, cx: 0, cy: 28 * s.fy, a: 13 * s.fx, b: 11 * s.fy });
  canalKeys.push({ z: zOf(s, -770), cx: 0, cy: 62 * s.fy, a: 9 * s.fx, b: 5 * s.fy });
  const canal = new ZProfile(canalKeys.filter((k) => k.z <= junctionZ));
  b.add('spinal canal', canal, h.csf, 0);
  const cj = b.jit('cord', 0.6, 0.035, 0);
  const cordLevels = LEVELS.filter((l) => l.z > -625);
  const cordPts: Vec3[] = [[0, 28, -140], ...cordLevels.map((l) => [0, canalY(l) - 0.5, l.z] as Vec3), [0, 40, -640]];
  // cervical and lumbar enlargements, conus tapering
  const r2 = cordPts.map((p) =>
    p[2] > -150 ? 6.5 : p[2] > -230 ? 5.8 : p[2] > -290 ? 6.5 : p[2] > -520 ? 4.2 : p[2] > -600 ? 4.8 : p[2] > -630 ? 3 : 1.2,
  );
  const r3 = r2.map((v) => v * 0.78);
  const cord = b.tube(cordPts, r2, r3, [0, 1, 0], [cj.dx, cj.dy, 0], cj.sx);
  b.add('SpinalCord', new Intersect([cord, new HalfSpace([0, 0, 1], [0, 0, junctionZ])]), h.cord, 15);

  // ---- ribs, costal cartilages, sternum ---------------------------------------------------------
  const rj = s.rng.fork('ribs');
  const sternumZ = (k: number): number => -330 - k * 24;
  for (const sg of [LEFT, RIGHT]) {
    const bones: Shape[] = [],
      marrow: Shape[] = [],
      cart: Shape[] = [];
    for (let n = 1; n <= 12; n++) {
      const l = LEVELS[6 + n - 1];
      const z0 = l.z + 6;
      const cy = canalY(l);
      const thEnd = n === 1 ? 2.35 : n <= 7 ? 2.75 : n <= 10 ? 2.55 - 0.08 * (n - 8) : n === 11 ? 1.9 : 1.45;
      const drop = (n === 1 ? 25 : n <= 7 ? 55 + 4 * n : 75) * rj.gauss(1, 0.08);
      const pts: Vec3[] = [side([l.a + 2, spineY(l.z) + 4, z0], sg), side([l.ca + 22, cy + 4, z0 - 2], sg)];
      const th0 = Math.atan2(l.ca + 30, 60);
      const steps = 9;
      for (let i = 0; i <= steps; i++) {
        const th = th0 + ((thEnd - th0) * i) / steps;
        const t = (th - th0) / (thEnd - th0);
        const z = z0 - 4 - drop * (t * t * (3 - 2 * t));
        const [ca, cb, ccy] = cavityAt(z);
        const off = 6.5;
        pts.push(side([(ca + off) * Math.sin(th), ccy + (cb + off) * Math.cos(th), z], sg));
      }
      const r2 = pts.map(() => 3.3),
        r3 = pts.map((_, i) => (i < 2 ? 5 : 6.5));
      bones.push(b.tube(pts, r2, r3));
      marrow.push(
        b.tube(
          pts,
          r2.map((v) => v - 1.4),
          r3.map((v) => v - 1.6),
        ),
      );
      const end = pts[pts.length - 1];
      if (n <= 10) {
        const target: Vec3 = n <= 7 ? side([13, -90, sternumZ(n)], sg) : side([55 - 10 * (n - 8), -80, end[2] + 25], sg);
        cart.push(b.tube([end, target], 3.5, 5.5));
      }
    }
    b.add('costal cartilage', new Union(cart), h.costalCartilage, 0, { tex: 20 });
    b.add('ribs', new Union(bones), h.rib, 0);
    b.add('rib marrow', new Union(marrow), h.ribMarrow, 0, { tex: 20 });
  }
  const sternum = new Union([
    b.tube(
      [
        [0, -87, -322],
        [0, -89, -350],
      ],
      [24, 18],
      [7, 7],
      [0, 1, 0],
    ),
    b.tube(
      [
        [0, -89, -352],
        [0, -92, -420],
        [0, -95, -475],
      ],
      [14, 15, 12],
      [6, 6, 6],
      [0, 1, 0],
    ),
    b.tube(
      [
        [0, -95, -477],
        [0, -90, -505],
      ],
      [8, 4],
      [3, 2],
      [0, 1, 0],
    ),
  ]);
  b.add('sternum', sternum, h.vertebraCortex, 0);
  b.add('sternum marrow', new Offset(sternum, -1.8), h.vertebraBody, 0, { tex: 25 });

  // ---- shoulder girdle --------------------------------------------------------------------------
  for (const sg of [LEFT, RIGHT]) {
    const clav = b.tube(
      [side([18, -84, -318], sg), side([60, -84, -312], sg), side([100, -62, -306], sg), side([126, -28, -312], sg)],
      6,
      7.5,
    );
    b.add('clavicle', clav, h.rib, 0);
    b.add('clavicle marrow', new Offset(clav, -2), h.ribMarrow, 0);
    const blade = new Union([
      b.tube([side([62, 92, -330], sg), side([120, 62, -322], sg)], 4, 9),
      b.tube([side([66, 92, -345], sg), side([84, 90, -440], sg)], 3, 8),
      b.tube([side([112, 64, -340], sg), side([88, 88, -442], sg)], 4, 8),
      b.tube([side([80, 88, -350], sg), side([95, 82, -415], sg)], 3, 16),
      b.tube([side([118, 58, -325], sg), side([130, 40, -318], sg)], 6, 8),
    ]);
    b.add('scapula', blade, h.rib, 0);
  }

  // ---- pelvis and hips --------------------------------------------------------------------------
  const pj = s.rng.fork('pelvis');
  const wide = s.sex === 'F' ? 1.06 : 1;
  for (const sg of [LEFT, RIGHT]) {
    const yaw = sg > 0 ? -2.57 : 2.57;
    // the wings flare: crest lateral to the acetabulum, the plate tilted outwards
    const wing = b.ell(side([84 * wide, 12, -738], sg), [7, 64, 47], [yaw, 0, sg * 0.45], {
      poly: [0, 0, 0.05, 0, 0, 0, 0, 0, 0, 0],
    });
    const ilium = b.ell(side([86 * wide, 4, -800], sg), [17, 27, 34], [sg * 0.3, 0, 0]);
    const acetab = b.ell(side([86 * wide, -2, -838], sg), [22, 28, 22]);
    const pubis = b.tube(
      [side([78 * wide, -24, -838], sg), side([42, -58, -858], sg), side([7, -66, -862], sg)],
      [10, 9, 8],
      [11, 10, 12],
    );
    const ischium = b.tube(
      [side([78 * wide, 18, -828], sg), side([62, 30, -872], sg), side([52, 22, -896], sg)],
      [12, 11, 12],
      [12, 11, 12],
    );
    const inferior = b.tube([side([9, -62, -876], sg), side([44, -8, -892], sg), side([54, 18, -896], sg)], 7, 8);
    const parts: Shape[] = [wing, ilium, acetab, pubis, ischium, inferior];
    const bone = new Union(parts);
    b.add('hip bone', bone, h.cortical * 0.75, 0);
    b.add('hip marrow', new Union(parts.map((p) => new Offset(p, -2.2))), h.cancellous, 0, { tex: 30 });
    const fh = b.ell(side([88 * wide, -4, -846], sg), [23, 23, 23]);
    b.add('hip joint space', new Offset(fh, 2), h.muscle, 0);
    const femur = new Union([
      fh,
      b.tube([side([88 * wide, -4, -846], sg), side([122 * wide, 6, -872], sg)], 15),
      b.ell(side([128 * wide, 8, -882], sg), [19, 22, 26]),
    ]);
    b.add('femur', femur, h.cortical * 0.75, 0);
    b.add('femur marrow', new Offset(femur, -2.5), h.cancellous, 0, { tex: 30 });
  }
  void pj;
}
