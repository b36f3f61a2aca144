/**
 * Per-seed variation of the phantom's patient: habitus, organ jitter, HU calibration and contrast
 * phase. The anatomy is written in canonical millimetres (x towards the patient's left, y posterior,
 * z superior, vertex at z = 0, an average adult); the helpers here map canonical values to this
 * subject, so that anatomy code reads like an atlas.
 */
import { Rng } from './rng';
import type { Vec3 } from './shapes';

export type ContrastPhase = 'native' | 'arterial' | 'venous';

export interface Subject {
  seed: number;
  sex: 'M' | 'F';
  ageYears: number;
  /** head size scale */
  hs: number;
  /** body length scale (vertical, below the chin) */
  sH: number;
  /** skeletal frame scales of the trunk (x, y) */
  fx: number;
  fy: number;
  /** subcutaneous fat factor (0.4 lean .. 2.5 obese) and visceral fat factor */
  fat: number;
  visceral: number;
  phase: ContrastPhase;
  oralContrast: boolean;
  /** scanner calibration offset added to every tissue (HU) */
  huShift: number;
  /** image noise sd (HU) at 0.8 mm pixels and 2.5 mm slices */
  noise: number;
  hu: HuTable;
  rng: Rng;
}

/** Tissue values, HU, after the phase and the per-seed shifts. */
export interface HuTable {
  fat: number;
  visceralFat: number;
  skin: number;
  muscle: number;
  lung: number;
  airway: number;
  blood: number;
  bloodArt: number;
  bloodVen: number;
  bloodRight: number;
  portal: number;
  myocardium: number;
  liver: number;
  spleen: number;
  spleenTex: number;
  kidneyCortex: number;
  kidneyMedulla: number;
  pancreas: number;
  stomachWall: number;
  gastricContent: number;
  bile: number;
  bowelWall: number;
  bowelContent: number;
  stool: number;
  urine: number;
  brain: number;
  whiteMatter: number;
  csf: number;
  vitreous: number;
  lens: number;
  parotid: number;
  smg: number;
  sublingual: number;
  thyroid: number;
  tongue: number;
  larynx: number;
  cartilage: number;
  cord: number;
  cortical: number;
  cancellous: number;
  skull: number;
  diploe: number;
  petrous: number;
  teeth: number;
  mandibleCortex: number;
  mandibleMarrow: number;
  vertebraCortex: number;
  vertebraBody: number;
  disc: number;
  rib: number;
  ribMarrow: number;
  costalCartilage: number;
}

export function makeSubject(seed: number): Subject {
  const rng = new Rng(seed, 'subject');
  const r = rng.fork('habitus');
  const sex: 'M' | 'F' = r.chance(0.5) ? 'M' : 'F';
  const male = sex === 'M';
  const hs = r.gauss(male ? 1.0 : 0.96, 0.03);
  const sH = r.gauss(male ? 1.0 : 0.94, 0.04);
  const fx = r.gauss(male ? 1.0 : 0.93, 0.05);
  const fy = fx * r.gauss(1, 0.04);
  const fat = Math.max(0.35, Math.min(2.6, Math.exp(r.gauss(0, 0.45)) * (male ? 0.9 : 1.2)));
  const visceral = Math.max(0.4, Math.min(2.2, fat * r.gauss(male ? 1.1 : 0.8, 0.2)));
  const c = rng.fork('contrast');
  const phase: ContrastPhase = c.pick(['native', 'native', 'arterial', 'venous', 'venous'] as const);
  const oralContrast = c.chance(0.3);
  const huShift = rng.fork('calibration').gauss(0, 4);
  const noise = rng.fork('noise').uniform(9, 22) * Math.sqrt((fx * fy * (1 + 0.15 * fat)) / 1.1);
  const hu = huTable(rng.fork('hu'), phase, oralContrast, huShift);
  return { seed, sex, ageYears: r.int(25, 80), hs, sH, fx, fy, fat, visceral, phase, oralContrast, huShift, noise, hu, rng };
}

function huTable(r: Rng, phase: ContrastPhase, oral: boolean, shift: number): HuTable {
  const j = (m: number, s: number): number => r.gauss(m, s) + shift;
  const art = phase === 'arterial',
    ven = phase === 'venous',
    con = art || ven;
  // enhancement amounts vary with injection and patient: one factor per case
  const e = con ? r.uniform(0.75, 1.25) : 0;
  const t: HuTable = {
    fat: j(-100, 8),
    visceralFat: j(-95, 8),
    skin: j(30, 6),
    muscle: j(50, 4) + e * 8,
    lung: j(-850, 30),
    airway: -995,
    blood: j(40, 4),
    bloodArt: j(40, 4) + e * (art ? 280 : 120),
    bloodVen: j(40, 4) + e * (art ? 40 : 130),
    bloodRight: j(40, 4) + e * (art ? 150 : 120),
    portal: j(40, 4) + e * (art ? 60 : 140),
    myocardium: j(45, 4) + e * 40,
    liver: j(60, 6) + e * (art ? 12 : 50),
    spleen: j(48, 4) + e * (art ? 70 : 65),
    spleenTex: art ? 28 * e : 3,
    kidneyCortex: j(33, 4) + e * (art ? 140 : 130),
    kidneyMedulla: j(30, 4) + e * (art ? 40 : 125),
    pancreas: j(42, 5) + e * (art ? 70 : 50),
    stomachWall: j(42, 4) + e * 45,
    gastricContent: j(15, 8),
    bile: j(8, 5),
    bowelWall: j(40, 4) + e * 35,
    bowelContent: oral ? j(220, 50) : j(18, 8),
    stool: j(-60, 30),
    urine: j(8, 4),
    brain: j(38, 2),
    whiteMatter: j(29, 2),
    csf: j(7, 3),
    vitreous: j(12, 4),
    lens: j(105, 10),
    parotid: j(12, 14) + e * 25,
    smg: j(45, 5) + e * 40,
    sublingual: j(42, 5) + e * 35,
    thyroid: j(100, 15) + e * 60,
    tongue: j(55, 8) + e * 25,
    larynx: j(45, 5) + e * 25,
    cartilage: j(170, 60),
    cord: j(38, 3),
    cortical: j(1050, 90),
    cancellous: j(230, 40),
    skull: j(1250, 100),
    diploe: j(550, 80),
    petrous: j(1650, 120),
    teeth: j(2300, 250),
    mandibleCortex: j(1300, 120),
    mandibleMarrow: j(420, 60),
    vertebraCortex: j(650, 80),
    vertebraBody: j(210, 40),
    disc: j(85, 10),
    rib: j(520, 80),
    ribMarrow: j(170, 40),
    costalCartilage: j(120, 30),
  };
  return t;
}

// ---------------------------------------------------------------------------------------------
// canonical -> subject coordinates

/** Chin height (canonical): above it things scale with the head, below with the body length. */
export const CHIN_Z = -225;

export function zOf(s: Subject, z: number): number {
  return z >= CHIN_Z ? z * s.hs : CHIN_Z * s.hs + (z - CHIN_Z) * s.sH;
}

/** A head point (skull-relative: scales uniformly with the head). */
export function headPt(s: Subject, p: Vec3): Vec3 {
  return [p[0] * s.hs, p[1] * s.hs, zOf(s, p[2])];
}

/** A trunk point (scales with the skeletal frame in x, y and the body length in z). */
export function trunkPt(s: Subject, p: Vec3): Vec3 {
  return [p[0] * s.fx, p[1] * s.fy, zOf(s, p[2])];
}

/** Organ jitter: a random offset (mm) and per-axis scale from a named stream. */
export interface Jitter {
  dx: number;
  dy: number;
  dz: number;
  sx: number;
  sy: number;
  sz: number;
  /** small rotation angles (radians) */
  yaw: number;
  pitch: number;
  roll: number;
  rng: Rng;
}

export function jitter(s: Subject, name: string, pos: number, size: number, rot = 0.08): Jitter {
  const r = s.rng.fork(name);
  const g = r.gauss(1, size);
  return {
    dx: r.gauss(0, pos),
    dy: r.gauss(0, pos),
    dz: r.gauss(0, pos),
    sx: g * r.gauss(1, size * 0.5),
    sy: g * r.gauss(1, size * 0.5),
    sz: g * r.gauss(1, size * 0.5),
    yaw: r.gauss(0, rot),
    pitch: r.gauss(0, rot),
    roll: r.gauss(0, rot),
    rng: r,
  };
}

/** Small random polynomial deformation (lumpy, asymmetric organ surfaces). */
export function lumpy(r: Rng, amount: number): number[] {
  return Array.from({ length: 10 }, (_, i) => r.gauss(0, amount * (i < 3 ? 0.6 : i < 9 ? 1 : 0.8)));
}
