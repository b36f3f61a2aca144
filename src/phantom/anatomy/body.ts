/**
 * Body envelope: couch, skin, subcutaneous fat, muscle wall, the trunk cavity (filled with mediastinal /
 * visceral fat before the organs go in) and the diaphragm that divides it.
 */
import { HalfSpace, HeightSolid, type ProfileKey, ZProfile, type Shape } from '../shapes';
import { Intersect, Offset, Shell, SmoothUnion, Subtract } from '../csg';
import { zOf, type Subject } from '../subject';
import { LEFT, RIGHT, type Builder } from './builder';

/** Muscle-wall (frame) cross-sections, canonical: z, half width a, half depth b, centre y. */
const FRAME: [number, number, number, number][] = [
  [-195, 52, 60, 14],
  [-240, 50, 60, 20],
  [-275, 53, 60, 20],
  [-300, 72, 64, 16],
  [-322, 138, 84, 15],
  [-345, 160, 98, 12],
  [-380, 153, 106, 8],
  [-430, 150, 110, 5],
  [-480, 148, 110, 3],
  [-540, 145, 108, 1],
  [-600, 140, 105, 0],
  [-660, 137, 100, 0],
  [-720, 146, 100, 2],
  [-780, 158, 102, 5],
  [-840, 164, 104, 6],
  [-900, 163, 100, 6],
  [-940, 160, 98, 6],
];

/** Trunk cavity (inside ribs / abdominal wall / pelvis), canonical: z, a, b, cy. */
const CAVITY: [number, number, number, number][] = [
  [-297, 12, 10, 18],
  [-305, 62, 38, 14],
  [-320, 88, 56, 10],
  [-350, 110, 76, 5],
  [-400, 127, 89, 4],
  [-450, 133, 93, 4],
  [-500, 133, 93, 5],
  [-550, 129, 90, 6],
  [-600, 124, 86, 5],
  [-660, 120, 82, 2],
  [-720, 124, 78, 0],
  [-780, 110, 72, -2],
  [-840, 76, 60, -4],
  [-880, 56, 48, 0],
  [-905, 40, 35, 2],
];

/** Subcutaneous fat (mm at fat factor 1): [front, side, back] by height. */
function fatAt(z: number): [number, number, number] {
  if (z > -300) return [5, 6, 7];
  if (z > -480) return [9, 12, 10];
  if (z > -620) return [16, 16, 12];
  return [20, 20, 16];
}

export interface BodyParts {
  skin: Shape;
  frame: Shape;
  cavity: Shape;
  /** solid above the diaphragm's upper surface (lungs, heart) */
  aboveDia: Shape;
  /** solid below the diaphragm's lower surface (abdominal organs) */
  belowDia: Shape;
  /** posterior-most skin y (couch surface) */
  backY: number;
}

/** Cavity cross-section (canonical a, b, cy) at canonical height z, linear between keys. */
export function cavityAt(z: number): [number, number, number] {
  const k = CAVITY;
  if (z >= k[0][0]) return [k[0][1], k[0][2], k[0][3]];
  for (let i = 0; i + 1 < k.length; i++) {
    if (z <= k[i][0] && z >= k[i + 1][0]) {
      const t = (z - k[i][0]) / (k[i + 1][0] - k[i][0]);
      return [0, 1, 2].map((m) => k[i][m + 1] + t * (k[i + 1][m + 1] - k[i][m + 1])) as [number, number, number];
    }
  }
  const l = k[k.length - 1];
  return [l[1], l[2], l[3]];
}

export function buildBody(b: Builder): BodyParts {
  const s = b.s;
  const r = s.rng.fork('body');
  const shoulders = s.sex === 'M' ? r.gauss(1.04, 0.04) : r.gauss(0.94, 0.04);
  const hips = s.sex === 'M' ? r.gauss(0.97, 0.04) : r.gauss(1.06, 0.04);
  const belly = 1 + 0.12 * (s.visceral - 1);
  const shapeSq = r.gauss(0, 0.025),
    shapeFlat = r.gauss(0, 0.04);
  const widthAt = (z: number): number => (z > -400 && z < -300 ? shoulders : z < -700 ? hips : 1);
  const frameKeys: ProfileKey[] = FRAME.map(([z, a, bb, cy]) => ({
    z: zOf(s, z),
    cx: 0,
    cy: cy * s.fy,
    a: a * s.fx * widthAt(z) * (z < -560 && z > -760 ? belly : 1),
    b: bb * s.fy * (z < -560 && z > -760 ? belly : 1),
    // per-subject shape: squarer or rounder trunks, flatter or rounder backs
    square: z < -320 ? 0.06 + shapeSq : 0,
    flatBack: z < -320 ? 0.12 + shapeFlat : 0,
  }));
  const skinKeys: ProfileKey[] = frameKeys.map((k, i) => {
    const [f, l, bk] = fatAt(FRAME[i][0]).map((v) => v * s.fat);
    return { ...k, a: k.a + l, b: k.b + 0.5 * (f + bk), cy: k.cy + 0.5 * (bk - f), egg: FRAME[i][0] < -560 ? -0.04 * s.fat : 0 };
  });
  const frameTrunk = new ZProfile(frameKeys);
  const skinTrunk = new ZProfile(skinKeys);

  // head: cranium, face, nose (head-scaled canonical)
  const cranium = b.ell([0, 8, -92], [76, 98, 92], [0, 0, 0], { poly: [0, 0.02, 0, 0, 0, 0, 0, 0, -0.03, 0] });
  const face = b.ell([0, -25, -162], [63, 72, 80], [0, 0, 0], { poly: [0, 0, 0, 0.0, 0, 0, 0, 0, -0.04, 0] });
  const nose = b.ell([0, -86, -142], [10, 14, 25], [0, -0.35, 0]);
  const scalp = 3 + 2 * s.fat;
  // breasts (female, and some male adipose tissue) in front of the pectoral muscles
  const breastSize = s.sex === 'F' ? r.uniform(0.7, 1.25) * (0.7 + 0.3 * s.fat) : 0;
  const breasts =
    breastSize > 0
      ? [LEFT, RIGHT].map((sg) =>
          b.ell(
            [sg * 78, -98 - 8 * s.fat, -428],
            [58 * breastSize, 34 * breastSize * (0.7 + 0.3 * s.fat), 52 * breastSize],
            [sg * 0.3, 0, 0],
            { poly: [0, 0, -0.06, 0, 0, 0, 0, 0, 0, 0] },
          ),
        )
      : [];
  const skin = new SmoothUnion([cranium, face, nose, skinTrunk, ...breasts], 22);
  const frame = new SmoothUnion([new Offset(cranium, -scalp), new Offset(face, -4 - 2 * s.fat), frameTrunk], 18);

  const backY = Math.max(...skinKeys.map((k) => k.cy + k.b * (1 + Math.abs(k.egg ?? 0)))) + 1;
  buildCouch(b, backY);

  const h = s.hu;
  buildHeadrest(b, cranium, backY);
  b.add('body fat', skin, h.fat, 0, { tex: 6, tex2: 5 });
  b.add('skin', new Shell(skin, 2), h.skin, 0);
  for (const br of breasts) b.add('breast', new Intersect([new Offset(br, -3), skin]), h.fat + 70, 0, { tex: 45, tex2: 30 });
  b.add('muscle wall', frameTrunk, h.muscle, 0, { tex: 5 });
  addMuscles(b, frameKeys);
  b.add(
    'head soft tissue',
    new SmoothUnion([new Offset(cranium, -scalp), new Offset(face, -4 - 2 * s.fat)], 10),
    h.muscle - 12,
    0,
    { tex: 12, tex2: 10 },
  );
  b.add('nose', nose, h.muscle - 10, 0);

  // trunk cavity, indented posteriorly by the spine and paraspinal muscles
  const cavKeys: ProfileKey[] = CAVITY.map(([z, a, bb, cy]) => ({
    z: zOf(s, z),
    cx: 0,
    cy: cy * s.fy,
    a: a * s.fx * (z < -700 ? hips : 1),
    b: bb * s.fy,
    flatBack: 0.1,
    square: 0.04,
  }));
  const paraspinal = new ZProfile(
    CAVITY.map(([z]) => {
      const y = spineY(z) * s.fy;
      return { z: zOf(s, z), cx: 0, cy: y + 22 * s.fy, a: (z < -560 ? 34 : 30) * s.fx, b: 34 * s.fy };
    }),
  );
  const cavity = new Subtract(new ZProfile(cavKeys), [paraspinal]);
  b.add('trunk cavity fat', cavity, h.visceralFat, 0, { tex: 7, tex2: 6 });

  const dia = diaphragm(s);
  const aboveDia = new HeightSolid(
    (x, y, o) => {
      dia(x, y, o);
      o[0] += 3;
    },
    false,
    [-1e4, 1e4, -1e4, 1e4, -1e4, 1e4],
  );
  const belowDia = new HeightSolid(
    (x, y, o) => {
      dia(x, y, o);
      o[0] -= 2;
    },
    true,
    [-1e4, 1e4, -1e4, 1e4, -1e4, 1e4],
  );
  b.keep('cavity', cavity);
  b.keep('skin', skin);
  b.keep('frame', frame);
  b.keep('aboveDia', aboveDia);
  b.keep('belowDia', belowDia);
  b.keep('cranium', cranium);
  b.keep('face', face);
  // thoracic and abdominal parts of the cavity
  b.keep('thorax', new Intersect([cavity, aboveDia]));
  b.keep('abdomen', new Intersect([cavity, belowDia]));
  return { skin, frame, cavity, aboveDia, belowDia, backY };
}

/** Vertebral body centre y (canonical) by height: the spine's sagittal curve. */
export function spineY(z: number): number {
  const pts: [number, number][] = [
    [-150, 14],
    [-176, 14],
    [-196, 15],
    [-214, 16],
    [-232, 18],
    [-250, 20],
    [-268, 23],
    [-288, 27],
    [-310, 33],
    [-340, 40],
    [-380, 45],
    [-430, 47],
    [-480, 45],
    [-530, 41],
    [-580, 35],
    [-630, 28],
    [-680, 25],
    [-720, 29],
    [-750, 40],
    [-800, 62],
    [-850, 80],
    [-900, 88],
  ];
  if (z >= pts[0][0]) return pts[0][1];
  for (let i = 0; i + 1 < pts.length; i++) {
    const [z0, y0] = pts[i],
      [z1, y1] = pts[i + 1];
    if (z <= z0 && z >= z1) return y0 + ((z - z0) / (z1 - z0)) * (y1 - y0);
  }
  return pts[pts.length - 1][1];
}

function dome(xc: number, yc: number, ax: number, ay: number, z0: number): number {
  const dx = xc - ax,
    dy = yc - ay;
  return z0 - (dx * dx) / 180 - (dy * dy) / (dy > 0 ? 118 : 240);
}

/** Diaphragm height field in subject coordinates: two domes, lower posteriorly (costophrenic recesses). */
function diaphragm(s: Subject): (x: number, y: number, out: Float64Array) => void {
  const r = s.rng.fork('diaphragm');
  const zr = -482 + r.gauss(0, 9),
    zl = zr - 14 + r.gauss(0, 5);
  const hc = (xc: number, yc: number): number => {
    const a = dome(xc, yc, -55, -5, zr),
      b2 = dome(xc, yc, 55, 0, zl);
    const k = 20,
      hh = Math.max(k - Math.abs(a - b2), 0) / k;
    return Math.max(a, b2) + hh * hh * k * 0.25;
  };
  const f = (x: number, y: number): number => zOf(s, hc(x / s.fx, y / s.fy));
  return (x, y, out) => {
    const h0 = f(x, y);
    out[0] = h0;
    out[1] = (f(x + 0.5, y) - h0) / 0.5;
    out[2] = (f(x, y + 0.5) - h0) / 0.5;
  };
}

/**
 * Named muscles inside the muscle wall, each outlined by a thin intermuscular fat plane as on CT:
 * erector spinae, rectus abdominis, pectoralis major, glutei.
 */
function addMuscles(b: Builder, frameKeys: ProfileKey[]): void {
  const s = b.s,
    h = s.hu;
  const muscles: Shape[] = [];
  for (const sg of [LEFT, RIGHT]) {
    // erector spinae: beside the spinous processes, T1 to the sacrum
    const zs = [-292, -340, -400, -460, -520, -580, -640, -700, -750, -790];
    muscles.push(
      new ZProfile(
        zs.map((z) => {
          const lumbar = z < -560 ? 1 : 0;
          return {
            z: zOf(s, z),
            cx: sg * (27 + 6 * lumbar) * s.fx,
            cy: (spineY(z) + 50 + 4 * lumbar) * s.fy,
            a: (15 + 8 * lumbar) * s.fx,
            b: (17 + 8 * lumbar) * s.fy,
          };
        }),
      ),
    );
    // rectus abdominis: a strap in the anterior abdominal wall, xiphoid to pubis
    const front = frameKeys.filter((k) => k.z <= zOf(s, -500) && k.z >= zOf(s, -860));
    if (front.length >= 2) {
      muscles.push(
        new ZProfile(front.map((k) => ({ z: k.z, cx: sg * 33 * s.fx, cy: k.cy - k.b + 7.5, a: 28 * s.fx, b: 5.5 * s.fy }))),
      );
    }
    muscles.push(b.ell([sg * 74, -77, -372], [58, 9, 40], [sg * 0.38, 0, 0]));
    muscles.push(b.ell([sg * 78, 66, -805], [50, 36, 62], [sg * -0.3, 0, 0]));
  }
  const frame = new ZProfile(frameKeys);
  for (const m of muscles) {
    b.add('intermuscular fat', new Intersect([new Offset(m, 2.2), frame]), h.fat + 15, 0, { tex: 8 });
    b.add('muscle', new Intersect([m, new Offset(frame, -1)]), h.muscle + 3, 0, { tex: 4 });
  }
}

/** Foam head support filling the gap between the occiput and the couch. */
function buildHeadrest(b: Builder, cranium: Shape, backY: number): void {
  const s = b.s;
  const headBack = cranium.box[3];
  if (backY - headBack < 8) return;
  const z0 = zOf(s, 40),
    z1 = zOf(s, -215);
  const cy = 0.5 * (backY + headBack) + 12,
    half = 0.5 * (backY - headBack) + 16;
  const block = new ZProfile([
    { z: z1, cx: 0, cy, a: 80, b: half },
    { z: z0, cx: 0, cy, a: 80, b: half },
  ]);
  const rest = new Subtract(new Intersect([block, new HalfSpace([0, -1, 0], [0, headBack - 22, 0])]), [new Offset(cranium, 1.5)]);
  b.add('headrest', rest, -935, 0, { tex: 6 });
  b.add('headrest cover', new Shell(rest, 1.5), -150, 0);
}

function buildCouch(b: Builder, backY: number): void {
  const s = b.s;
  const z0 = zOf(s, 150),
    z1 = zOf(s, -1200);
  const top = backY + 1;
  const plate = new ZProfile([
    { z: z1, cx: 0, cy: top + 260, a: 235, b: 262 },
    { z: z0, cx: 0, cy: top + 260, a: 235, b: 262 },
  ]);
  // a shallow curved carbon-fibre shell with foam: the part of a large ellipse's top, 40 mm deep
  const slab = new ZProfile([
    { z: z1, cx: 0, cy: top + 20, a: 230, b: 20 },
    { z: z0, cx: 0, cy: top + 20, a: 230, b: 20 },
  ]);
  const couch = new Intersect([plate, slab]);
  b.add('couch foam', couch, -930, 0);
  b.add('couch shell', new Shell(couch, 2.5), 280, 0);
}
