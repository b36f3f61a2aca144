/**
 * Phantom case generation: subject -> anatomy -> scan geometry -> rendered slices -> labels, regions,
 * volumes and the case description (docs/CONTRACTS.md section 5). Pure TypeScript without Node APIs;
 * slices are independent, so callers may render slabs in parallel (renderSlab) and assemble them.
 */
import { CHANNEL_NAMES, NUM_CHANNELS, ORGANS, PROTOCOLS, REGIONS } from '../organs';
import { buildAnatomy, type Anatomy } from './anatomy';
import { addCtNoise, ValueNoise3 } from './noise';
import { newStats, SliceRenderer, type SliceStats } from './render';
import { hash32 } from './rng';
import { planScan, REGION_PROTOCOL, type Region, type ScanGeometry, type ScanOptions } from './scan';
import type { Shape } from './shapes';
import { makeSubject, type Subject } from './subject';

export const GENERATOR_VERSION = '1.0.0';

export interface CasePlan {
  options: ScanOptions & { region: Region };
  subject: Subject;
  anatomy: Anatomy;
  geometry: ScanGeometry;
}

export function planCase(options: ScanOptions): CasePlan {
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in 0..4294967295, got ${options.seed}`);
  }
  const opts = { ...options, region: options.region ?? 'whole' };
  const subject = makeSubject(opts.seed);
  const anatomy = buildAnatomy(subject);
  const geometry = planScan(subject, opts, anatomy.skin.box, anatomy.backY);
  return { options: opts, subject, anatomy, geometry };
}

/**
 * A short fingerprint of everything that shapes the voxels (layers, their HU, labels and bounds, the
 * scan geometry): cached outputs such as the bundled example are regenerated when it changes.
 */
export function planFingerprint(p: CasePlan): string {
  const r = (v: number): number => Math.round(v * 100) / 100;
  const parts = p.anatomy.layers.map(
    (l) => `${l.name}|${r(l.hu)}|${l.label}|${Array.from(l.shape.box, r).join(',')}|${l.tex ?? 0}|${l.tex2 ?? 0}`,
  );
  parts.push(JSON.stringify(p.geometry.positions.slice(0, 2)), String(p.geometry.positions.length), GENERATOR_VERSION);
  let h = 0;
  for (const s of parts) h = hash32(s, h);
  return h.toString(16).padStart(8, '0');
}

/** Image noise sd for this grid: quantum noise grows as voxels shrink. */
export function noiseSigma(p: CasePlan): number {
  const g = p.geometry;
  const s = p.subject.noise * Math.sqrt(2.5 / g.sliceThickness) * (0.8 / Math.sqrt(g.pixelSpacing[0] * g.pixelSpacing[1]));
  return Math.max(3, Math.min(60, s));
}

/**
 * Renders sorted slices k0..k1-1 into `hu` (int16 HU) and `lab` (all 33 organs), both indexed from
 * slice k0 (slab-local). Returns the overlap statistics of the slab.
 */
export function renderSlab(p: CasePlan, k0: number, k1: number, hu: Int16Array, lab: Uint8Array): SliceStats {
  const g = p.geometry,
    rg = g.render;
  const n = rg.cols * rg.rows;
  const renderer = new SliceRenderer(p.anatomy.layers, rg);
  const stats = newStats();
  const slice = new Float32Array(n),
    tex = new Float32Array(n),
    tex2 = new Float32Array(n),
    scratch = new Float32Array(3 * n);
  const fine = new ValueNoise3(hash32('tex-fine', p.options.seed), 4.2);
  const finer = new ValueNoise3(hash32('tex-finer', p.options.seed), 1.9);
  const coarse = new ValueNoise3(hash32('tex-coarse', p.options.seed), 15);
  const sigma = noiseSigma(p);
  // texture only where the body is
  const box = p.anatomy.skin.box;
  const span = (a: number, b: number, o: number, st: number, m: number): [number, number] => {
    let lo = (a - o) / st,
      hi = (b - o) / st;
    if (lo > hi) [lo, hi] = [hi, lo];
    return [Math.max(0, Math.floor(lo) - 1), Math.min(m, Math.ceil(hi) + 2)];
  };
  const [i0, i1] = span(box[0], box[1], rg.x0, rg.dxi, rg.cols);
  const [j0, j1] = span(box[2], box[3], rg.y0, rg.dyj, rg.rows);
  for (let k = k0; k < k1; k++) {
    const z = g.zCanon[k];
    slice.fill(-1000);
    const lk = lab.subarray((k - k0) * n, (k - k0 + 1) * n);
    lk.fill(0);
    fine.fillSlice(z, renderer.xs, renderer.ys, tex, rg.cols, i0, i1, j0, j1, 0.85, false);
    finer.fillSlice(z, renderer.xs, renderer.ys, tex, rg.cols, i0, i1, j0, j1, 0.5, true);
    coarse.fillSlice(z, renderer.xs, renderer.ys, tex2, rg.cols, i0, i1, j0, j1, 1, false);
    renderer.render(z, slice, lk, tex, tex2, stats);
    addCtNoise(slice, rg.cols, rg.rows, sigma, hash32(`noise-${k}`, p.options.seed), scratch);
    const hk = hu.subarray((k - k0) * n, (k - k0 + 1) * n);
    for (let i = 0; i < n; i++) {
      const v = Math.round(slice[i]);
      hk[i] = v < -1024 ? -1024 : v > 3071 ? 3071 : v;
    }
  }
  return stats;
}

export interface Landmarks {
  /** patient z (mm) of the region boundaries (CONTRACTS 1) */
  lungApex: number;
  carina: number;
  diaphragmDome: number;
  kidneyLowerPole: number;
}

export interface PhantomCase {
  plan: CasePlan;
  /** int16 HU, flat index i + j*cols + k*cols*rows (sorted slices) */
  hu: Int16Array;
  /** labels of all 33 organs (ground truth of the anatomy) */
  labelsAll: Uint8Array;
  /** labels of the source's annotated organs only (what labels.nii.gz holds) */
  labels: Uint8Array;
  annotated: number[];
  sliceRegions: number[];
  landmarks: Landmarks;
  /** voxel counts per channel in labelsAll */
  counts: Float64Array;
  stats: SliceStats;
}

/** Single-threaded generation of a whole case. */
export function generateCase(options: ScanOptions): PhantomCase {
  const plan = planCase(options);
  const g = plan.geometry;
  const n = g.cols * g.rows * g.positions.length;
  const hu = new Int16Array(n),
    lab = new Uint8Array(n);
  const stats = renderSlab(plan, 0, g.positions.length, hu, lab);
  return finishCase(plan, hu, lab, [stats]);
}

/** Labels, regions and statistics once all slices are rendered. */
export function finishCase(plan: CasePlan, hu: Int16Array, labelsAll: Uint8Array, slabStats: SliceStats[]): PhantomCase {
  const stats = newStats();
  for (const s of slabStats) for (let i = 0; i < stats.overlap.length; i++) stats.overlap[i] += s.overlap[i];
  const proto = PROTOCOLS.find((q) => q.id === REGION_PROTOCOL[plan.options.region]);
  if (!proto) throw new Error(`no protocol for region ${plan.options.region}`);
  const annotated = [...proto.channels];
  const keep = new Uint8Array(NUM_CHANNELS);
  annotated.forEach((c) => (keep[c] = 1));
  const labels = new Uint8Array(labelsAll.length);
  const counts = new Float64Array(NUM_CHANNELS);
  for (let i = 0; i < labelsAll.length; i++) {
    const v = labelsAll[i];
    counts[v]++;
    labels[i] = keep[v] ? v : 0;
  }
  const landmarks = findLandmarks(plan);
  const sliceRegions = plan.geometry.positions.map((p) => regionOf(p[2], landmarks));
  return { plan, hu, labelsAll, labels, annotated, sliceRegions, landmarks, counts, stats };
}

export function regionOf(z: number, l: Landmarks): number {
  if (z >= l.lungApex) return 0;
  if (z >= l.carina) return 1;
  if (z >= l.diaphragmDome) return 2;
  if (z >= l.kidneyLowerPole) return 3;
  return 4;
}

/** Region boundaries from the organ shapes themselves (valid even where the scan does not reach them). */
export function findLandmarks(plan: CasePlan): Landmarks {
  const sh = plan.anatomy.organShapes;
  const t = plan.geometry.translation[2];
  const top = (chs: number[]): number => Math.max(...chs.map((c) => zExtent(sh.get(c)!, 'top')));
  const bottom = (chs: number[]): number => Math.min(...chs.map((c) => zExtent(sh.get(c)!, 'bottom')));
  return {
    lungApex: top([23, 24]) + t,
    carina: bottom([21]) + t,
    diaphragmDome: top([30]) + t,
    kidneyLowerPole: bottom([27, 28]) + t,
  };
}

/** Highest / lowest z where the shape has an inside point, to about 0.25 mm (grid search in x, y). */
export function zExtent(shape: Shape, which: 'top' | 'bottom'): number {
  const b = shape.box;
  const inside = (z: number): boolean => {
    const nx = Math.max(2, Math.ceil((b[1] - b[0]) / 2.5)),
      ny = Math.max(2, Math.ceil((b[3] - b[2]) / 2.5));
    for (let j = 0; j <= ny; j++)
      for (let i = 0; i <= nx; i++) {
        if (shape.sd(b[0] + ((b[1] - b[0]) * i) / nx, b[2] + ((b[3] - b[2]) * j) / ny, z) < 0) return true;
      }
    return false;
  };
  const dir = which === 'top' ? -1 : 1;
  let z = which === 'top' ? b[5] : b[4];
  const end = which === 'top' ? b[4] : b[5];
  while ((end - z) * dir > 0 && !inside(z)) z += 2 * dir;
  let lo = z - 2 * dir,
    hi = z; // lo outside, hi inside
  for (let i = 0; i < 4; i++) {
    const m = 0.5 * (lo + hi);
    if (inside(m)) hi = m;
    else lo = m;
  }
  return hi;
}

/** The case description written as case.json (docs/CONTRACTS.md section 5). */
export function caseDescription(
  c: PhantomCase,
  files: { dicom?: string[]; ct?: string; labels: string; preview?: string },
): Record<string, unknown> {
  const p = c.plan,
    g = p.geometry,
    s = p.subject;
  const voxMl = (g.pixelSpacing[0] * g.pixelSpacing[1] * g.sliceSpacing) / 1000;
  const volumes: Record<string, number> = {};
  for (const o of ORGANS) volumes[o.tg263] = Math.round(c.counts[o.channel] * voxMl * 1000) / 1000;
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    format: 'attention-anatomy-phantom/1',
    generator: { name: 'attention-anatomy-web phantom', version: GENERATOR_VERSION },
    seed: p.options.seed,
    source: `phantom-${g.region}`,
    region: g.region,
    protocol: REGION_PROTOCOL[g.region],
    annotated: c.annotated.map((ch) => CHANNEL_NAMES[ch]),
    annotatedChannels: c.annotated,
    subject: {
      sex: s.sex,
      ageYears: s.ageYears,
      contrastPhase: s.phase,
      oralContrast: s.oralContrast,
      headScale: r3(s.hs),
      bodyLengthScale: r3(s.sH),
      frameScale: [r3(s.fx), r3(s.fy)],
      fatFactor: r3(s.fat),
      noiseSdHu: r3(s.noise),
    },
    geometry: {
      matrix: [g.cols, g.rows],
      pixelSpacingMm: g.pixelSpacing,
      sliceThicknessMm: g.sliceThickness,
      sliceSpacingMm: g.sliceSpacing,
      slices: g.positions.length,
      fieldOfViewMm: r3(g.fov),
      imageOrientationPatient: [...g.rowCosines, ...g.colCosines],
      normal: g.normal,
      patientPosition: g.patientPosition,
      sliceOrder: 'k ascending along the normal (rowCosines x colCosines); voxel index i + j*cols + k*cols*rows',
      imagePositionPatient: g.positions,
    },
    organVolumesMl: volumes,
    organVolumesNote:
      'ml of each organ inside the scanned volume (voxel count x voxel volume), for all 33 organs whether annotated or not',
    regions: REGIONS,
    sliceRegions: c.sliceRegions,
    landmarksZmm: {
      lungApex: r3(c.landmarks.lungApex),
      carina: r3(c.landmarks.carina),
      diaphragmDome: r3(c.landmarks.diaphragmDome),
      kidneyLowerPole: r3(c.landmarks.kidneyLowerPole),
    },
    files,
  };
}
