/**
 * Slice-stack geometry of a CT series, as pure functions (no DOM, no Cornerstone): parse DICOM decimal
 * strings, sort slices along the slice normal (DESIGN 3.5: never by InstanceNumber or file name), measure
 * spacing, and name every geometry problem the user must know about before segmentation.
 *
 * Severity policy (shown in the UI, enforced by the engine: any 'error' blocks segmentation):
 *  - error: gantry tilt, oblique (tilted normal), non-axial, duplicate positions, fewer than 5 slices, not a CT.
 *  - warning: missing slices (gap), non-uniform spacing, in-plane rotation, images left out because their
 *    matrix or orientation differs from the main stack (typically a localizer).
 */
import type { GeometryWarning, Vec3 } from '../volume/volume';
import { angleDeg, cross, dot, norm, normalize, scale, sub } from './vec';

/** A DICOM DS/IS value as found in a header: "a\\b\\c" string, a number, or already-parsed numbers. */
export type DsInput = string | number | readonly number[] | null | undefined;

export interface SliceGeometryInput {
  imagePositionPatient?: DsInput;
  imageOrientationPatient?: DsInput;
  rows: number;
  columns: number;
  /** DICOM PixelSpacing order: [spacing between rows, spacing between columns] (mm). */
  pixelSpacing?: DsInput;
  /** Fallback when PixelSpacing is missing (named by plausibility.ts). */
  imagerPixelSpacing?: DsInput;
  sliceThickness?: DsInput;
  spacingBetweenSlices?: DsInput;
  /** For messages (named when a slice is skipped). */
  fileName?: string;
  /** Two files with one SOP Instance UID are one image copied twice: the copy is skipped. */
  sopInstanceUID?: string;
}

export interface ExcludedSlice {
  index: number;
  reason: string;
}

export interface StackGeometry {
  /** Input indices of the kept slices, ascending along `normal`. */
  order: number[];
  excluded: ExcludedSlice[];
  rowCosines: Vec3;
  colCosines: Vec3;
  normal: Vec3;
  /** ImagePositionPatient of each kept slice, in `order`. */
  positions: Vec3[];
  /** Signed distance along `normal` of each kept slice, ascending. */
  offsets: number[];
  rows: number;
  columns: number;
  /** [column spacing (along rowCosines), row spacing (along colCosines)] in mm, as in CtVolume.spacing. */
  pixelSpacing: [number, number];
  /** Mean slice spacing (mm); for one slice: SpacingBetweenSlices, else SliceThickness, else 1. */
  sliceSpacing: number;
  warnings: GeometryWarning[];
}

export type GeometryErrorCode = 'no-slices' | 'no-position' | 'no-orientation' | 'bad-orientation';

/** The stack has no usable geometry at all (cannot even be displayed). */
export class GeometryError extends Error {
  readonly code: GeometryErrorCode;
  constructor(code: GeometryErrorCode, message: string) {
    super(message);
    this.name = 'GeometryError';
    this.code = code;
  }
}

export interface GeometryTolerances {
  /** Below this many slices segmentation is blocked (the model reads a 5-slice window). */
  minSlices: number;
  /** Direction cosines within this angle of an axis count as aligned (degrees). */
  axisAngleDeg: number;
  /** Spacing deviation allowed before 'non-uniform': max(absMm, rel * typical spacing). */
  spacingAbsMm: number;
  spacingRel: number;
  /** A step larger than this multiple of the typical spacing is a gap (missing slices). */
  gapFactor: number;
  /** Slices closer than this along the normal are duplicates (mm). */
  duplicateMm: number;
  /** Gantry tilt is reported above this angle AND this total in-plane shear. */
  tiltDeg: number;
  tiltShearMm: number;
}

export const DEFAULT_TOLERANCES: GeometryTolerances = {
  minSlices: 5,
  axisAngleDeg: 1,
  spacingAbsMm: 0.02,
  spacingRel: 0.01,
  gapFactor: 1.5,
  duplicateMm: 0.01,
  tiltDeg: 0.2,
  tiltShearMm: 0.5,
};

/** Parse a DICOM decimal/integer string ("1\\0\\0", " -249.5 ") or pass numbers through. */
export function parseDS(value: DsInput): number[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'number') return Number.isFinite(value) ? [value] : [];
  if (typeof value !== 'string') return value.filter((v) => Number.isFinite(v)).map(Number);
  const trimmed = value.replace(/\0/g, '').trim();
  if (!trimmed) return [];
  return trimmed.split('\\').map((s) => Number.parseFloat(s.trim()));
}

function vec3(value: DsInput): Vec3 | undefined {
  const v = parseDS(value);
  return v.length >= 3 && v.slice(0, 3).every(Number.isFinite) ? [v[0], v[1], v[2]] : undefined;
}

function firstFinite(...values: DsInput[]): number | undefined {
  for (const v of values) {
    const x = parseDS(v)[0];
    if (x !== undefined && Number.isFinite(x) && x > 0) return x;
  }
  return undefined;
}

/** Row and column direction cosines (normalised) and the slice normal row x col. */
export function orientationOf(iop: DsInput): { row: Vec3; col: Vec3; normal: Vec3 } {
  const v = parseDS(iop);
  if (v.length < 6 || !v.slice(0, 6).every(Number.isFinite)) {
    throw new GeometryError('no-orientation', 'ImageOrientationPatient is missing or unreadable.');
  }
  const row = normalize([v[0], v[1], v[2]]);
  const col = normalize([v[3], v[4], v[5]]);
  const n = cross(row, col);
  if (norm(n) < 0.5) {
    throw new GeometryError('bad-orientation', 'ImageOrientationPatient rows and columns are not perpendicular.');
  }
  const unit = normalize(n);
  return { row, col, normal: [unit[0] + 0, unit[1] + 0, unit[2] + 0] }; // no -0 components
}

/** Patient-axis letters of a direction in LPS (+x L, +y P, +z S), most dominant first. */
export function directionLetters(d: Vec3, minFraction = 0.25): string {
  const letters: [number, string][] = [
    [d[0], d[0] >= 0 ? 'L' : 'R'],
    [d[1], d[1] >= 0 ? 'P' : 'A'],
    [d[2], d[2] >= 0 ? 'S' : 'I'],
  ];
  const n = norm(d) || 1;
  return letters
    .filter(([c]) => Math.abs(c) / n >= minFraction)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([, l]) => l)
    .join('');
}

const AXES: Vec3[] = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** Smallest angle (degrees) between a direction and any patient axis, sign ignored. */
function angleToNearestAxis(d: Vec3): { axis: number; angle: number } {
  let best = { axis: 0, angle: 180 };
  AXES.forEach((a, axis) => {
    const ang = Math.min(angleDeg(d, a), 180 - angleDeg(d, a));
    if (ang < best.angle) best = { axis, angle: ang };
  });
  return best;
}

/** Orientation findings: non-axial (sagittal/coronal), tilted normal (oblique), in-plane rotation. */
export function checkOrientation(row: Vec3, col: Vec3, normal: Vec3, tol = DEFAULT_TOLERANCES): GeometryWarning[] {
  const n = angleToNearestAxis(normal);
  if (n.axis !== 2) {
    const plane = n.axis === 0 ? 'sagittal' : 'coronal';
    return [
      {
        code: 'non-axial',
        severity: 'error',
        message: `The series is ${n.angle > tol.axisAngleDeg ? `oblique, closest to ${plane}` : plane} (slice normal ${directionLetters(normal)}), not axial. It can be viewed, but segmentation needs axial slices.`,
      },
    ];
  }
  if (n.angle > tol.axisAngleDeg) {
    return [
      {
        code: 'oblique',
        severity: 'error',
        message: `Oblique series: the slice plane is tilted ${n.angle.toFixed(1)}° from axial. It can be viewed, but segmentation needs axial slices.`,
      },
    ];
  }
  const r = angleToNearestAxis(row);
  const c = angleToNearestAxis(col);
  const rot = Math.max(r.angle, c.angle);
  if (rot > tol.axisAngleDeg) {
    return [
      {
        code: 'oblique',
        severity: 'warning',
        message: `The image rows are rotated ${rot.toFixed(1)}° within the axial plane; display and segmentation follow the rotated grid.`,
      },
    ];
  }
  return [];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const mm = (v: number, digits = 2): string => `${Number(v.toFixed(digits))} mm`;

/** Gaps (missing slices) and non-uniform spacing along the sorted offsets. */
export function checkSpacing(offsets: readonly number[], tol = DEFAULT_TOLERANCES): GeometryWarning[] {
  if (offsets.length < 3) return [];
  const steps = offsets.slice(1).map((o, i) => o - offsets[i]);
  const typical = median(steps);
  const out: GeometryWarning[] = [];
  const gaps: string[] = [];
  let missing = 0;
  const regular: number[] = [];
  // Runs of consecutive equal steps: two long runs of different step are a change of slice spacing
  // (e.g. 2.5 mm, then 5 mm), not gaps; an isolated large step is a gap.
  const similar = (a: number, b: number) => Math.abs(a - b) <= Math.max(tol.spacingAbsMm, tol.spacingRel * Math.max(a, b));
  const runs: { start: number; end: number }[] = [];
  steps.forEach((st, i) => {
    const r = runs[runs.length - 1];
    if (r && similar(st, steps[i - 1])) r.end = i + 1;
    else runs.push({ start: i, end: i + 1 });
  });
  const long = runs.filter((r) => r.end - r.start >= 2);
  const changes: string[] = [];
  for (let r = 1; r < long.length; r++) {
    const a = steps[long[r - 1].start];
    const b = steps[long[r].start];
    if (!similar(a, b)) changes.push(`from ${mm(a)} to ${mm(b)} at ${mm(offsets[long[r].start], 1)}`);
  }
  const inRun = steps.map(() => false);
  if (changes.length) {
    for (const r of long) for (let i = r.start; i < r.end; i++) inRun[i] = true;
    out.push({
      code: 'non-uniform-spacing',
      severity: 'warning',
      message: `Slice spacing changes ${changes.slice(0, 3).join('; ')} (not missing slices). Sagittal and coronal views assume one mean spacing; segmentation uses each slice's true position.`,
    });
  }
  steps.forEach((s, i) => {
    if (inRun[i]) return;
    if (s > tol.gapFactor * typical) {
      const n = Math.max(1, Math.round(s / typical) - 1);
      missing += n;
      gaps.push(`${n} between ${mm(offsets[i], 1)} and ${mm(offsets[i + 1], 1)}`);
    } else {
      regular.push(s);
    }
  });
  if (gaps.length) {
    out.push({
      code: 'missing-slices',
      severity: 'warning',
      message: `About ${missing} slice${missing > 1 ? 's' : ''} missing (usual spacing ${mm(typical)}): ${gaps.slice(0, 3).join('; ')}${gaps.length > 3 ? `; and ${gaps.length - 3} more gaps` : ''}. No contours are drawn inside a gap.`,
    });
  }
  const lo = Math.min(...regular);
  const hi = Math.max(...regular);
  if (!changes.length && hi - lo > Math.max(tol.spacingAbsMm, tol.spacingRel * typical)) {
    const mean = (offsets[offsets.length - 1] - offsets[0]) / (offsets.length - 1);
    out.push({
      code: 'non-uniform-spacing',
      severity: 'warning',
      message: `Slice spacing is not uniform (${mm(lo)} to ${mm(hi)}). Sagittal and coronal views assume the mean spacing of ${mm(mean)}; segmentation uses each slice's true position.`,
    });
  }
  return out;
}

/**
 * Gantry tilt: the slice positions do not move along the slice normal. Measured from the first to the
 * last slice so rounding in individual positions does not trigger it.
 */
export function checkTilt(positions: readonly Vec3[], normal: Vec3, tol = DEFAULT_TOLERANCES): GeometryWarning[] {
  if (positions.length < 2) return [];
  const d = sub(positions[positions.length - 1], positions[0]);
  const along = dot(d, normal);
  const shear = norm(sub(d, scale(normal, along)));
  const angle = (Math.atan2(shear, Math.abs(along)) * 180) / Math.PI;
  if (angle > tol.tiltDeg && shear > tol.tiltShearMm) {
    return [
      {
        code: 'gantry-tilt',
        severity: 'error',
        message: `Gantry tilt of ${angle.toFixed(1)}°: the slices are sheared (${mm(shear, 1)} over the series). It can be viewed, but segmentation needs an untilted or resampled series.`,
      },
    ];
  }
  return [];
}

function keyOf(s: SliceGeometryInput, orientation: number[]): string {
  return `${s.rows}x${s.columns}|${orientation
    .slice(0, 6)
    .map((v) => v.toFixed(3))
    .join(',')}`;
}

/**
 * Analyse a stack of slices (one series). Keeps the largest subset with one matrix size and orientation,
 * sorts it along the normal, drops duplicate positions, and reports every finding as a GeometryWarning.
 * Throws GeometryError only when no geometry can be built at all.
 */
export function analyzeStack(slices: readonly SliceGeometryInput[], tol = DEFAULT_TOLERANCES): StackGeometry {
  if (slices.length === 0) throw new GeometryError('no-slices', 'The series has no image slices.');
  const warnings: GeometryWarning[] = [];
  const excluded: ExcludedSlice[] = [];

  // 0. A file copied twice (same SOP Instance UID) counts once; a slice without a position cannot be placed.
  const seenUid = new Map<string, number>();
  const copies: number[] = [];
  const noPosition: number[] = [];
  const usable: number[] = [];
  slices.forEach((s, i) => {
    // Same SOP Instance UID at the same position: one image copied twice (distinct slices with a reused UID stay).
    const uid = s.sopInstanceUID ? `${s.sopInstanceUID}|${parseDS(s.imagePositionPatient).join(',')}` : '';
    if (uid && seenUid.has(uid)) {
      copies.push(i);
      excluded.push({
        index: i,
        reason: `a copy of ${slices[seenUid.get(uid)!].fileName ?? `image ${seenUid.get(uid)! + 1}`} (same SOP Instance UID)`,
      });
      return;
    }
    if (uid) seenUid.set(uid, i);
    if (!vec3(s.imagePositionPatient)) {
      noPosition.push(i);
      excluded.push({ index: i, reason: 'no ImagePositionPatient' });
      return;
    }
    usable.push(i);
  });
  const named = (list: number[]) =>
    `${list
      .slice(0, 3)
      .map((i) => slices[i].fileName ?? `image ${i + 1}`)
      .join(', ')}${list.length > 3 ? ', ...' : ''}`;
  if (copies.length) {
    warnings.push({
      code: 'duplicate-instance',
      severity: 'warning',
      message: `${copies.length} file${copies.length > 1 ? 's are copies' : ' is a copy'} of another image (same SOP Instance UID), counted once: ${named(copies)}.`,
    });
  }
  if (noPosition.length) {
    if (!usable.length)
      throw new GeometryError('no-position', 'No slice has an ImagePositionPatient (0020,0032): the slices cannot be placed.');
    warnings.push({
      code: 'missing-position',
      severity: 'warning',
      message: `${noPosition.length} slice${noPosition.length > 1 ? 's have' : ' has'} no ImagePositionPatient (0020,0032) and ${noPosition.length > 1 ? 'were' : 'was'} left out: ${named(noPosition)}.`,
    });
  }

  // 1. Main stack: the most common (matrix, orientation); others are typically localizers.
  const iops = slices.map((s) => parseDS(s.imageOrientationPatient));
  const groups = new Map<string, number[]>();
  usable.forEach((i) => {
    const s = slices[i];
    const k = keyOf(s, iops[i]);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  let main: number[] = [];
  for (const g of groups.values()) if (g.length > main.length) main = g;
  const ref = slices[main[0]];
  const inMain = new Set(main);
  let otherMatrix = 0;
  let otherOrientation = 0;
  usable.forEach((i) => {
    const s = slices[i];
    if (inMain.has(i)) return;
    if (s.rows !== ref.rows || s.columns !== ref.columns) {
      otherMatrix++;
      excluded.push({ index: i, reason: `matrix ${s.columns}x${s.rows} differs from ${ref.columns}x${ref.rows}` });
    } else {
      otherOrientation++;
      excluded.push({ index: i, reason: 'orientation differs from the main stack' });
    }
  });
  if (otherMatrix) {
    warnings.push({
      code: 'mixed-matrix',
      severity: 'warning',
      message: `${otherMatrix} image${otherMatrix > 1 ? 's' : ''} with a matrix size other than ${ref.columns}x${ref.rows} (e.g. a localizer) ${otherMatrix > 1 ? 'were' : 'was'} left out.`,
    });
  }
  if (otherOrientation) {
    warnings.push({
      code: 'oblique',
      severity: 'warning',
      message: `${otherOrientation} image${otherOrientation > 1 ? 's' : ''} with a different orientation (e.g. a localizer) ${otherOrientation > 1 ? 'were' : 'was'} left out.`,
    });
  }

  // 2. Orientation of the main stack.
  const { row, col, normal } = orientationOf(ref.imageOrientationPatient);
  warnings.push(...checkOrientation(row, col, normal, tol));

  // 3. Sort along the normal and drop duplicates.
  const withPos = main.map((i) => {
    const p = vec3(slices[i].imagePositionPatient);
    if (!p) throw new GeometryError('no-position', 'ImagePositionPatient is missing or unreadable in at least one slice.');
    return { i, p, d: dot(p, normal) + 0 }; // + 0 turns -0 into 0
  });
  withPos.sort((a, b) => a.d - b.d || a.i - b.i);
  const kept: typeof withPos = [];
  let duplicates = 0;
  for (const s of withPos) {
    const last = kept[kept.length - 1];
    if (last && s.d - last.d < tol.duplicateMm) {
      duplicates++;
      excluded.push({ index: s.i, reason: `same position as another slice (${mm(s.d, 2)})` });
    } else {
      kept.push(s);
    }
  }
  if (duplicates) {
    warnings.push({
      code: 'duplicate-positions',
      severity: 'error',
      message: `${duplicates} slice${duplicates > 1 ? 's share' : ' shares'} a position with another slice (two acquisitions in one series?). The first of each was kept for display; choose files from a single acquisition to segment.`,
    });
  }

  const offsets = kept.map((s) => s.d);
  const positions = kept.map((s) => s.p);
  warnings.push(...checkTilt(positions, normal, tol));
  warnings.push(...checkSpacing(offsets, tol));

  const own = parseDS(ref.pixelSpacing);
  const ps = own.length ? own : parseDS(ref.imagerPixelSpacing);
  const rowSpacing = ps[0] > 0 ? ps[0] : 1;
  const colSpacing = ps[1] > 0 ? ps[1] : rowSpacing;
  const sliceSpacing =
    kept.length > 1
      ? (offsets[offsets.length - 1] - offsets[0]) / (offsets.length - 1)
      : (firstFinite(ref.spacingBetweenSlices, ref.sliceThickness) ?? 1);

  if (kept.length < tol.minSlices) {
    warnings.push({
      code: 'too-few-slices',
      severity: 'error',
      message: `Only ${kept.length} slice${kept.length > 1 ? 's' : ''}: segmentation needs at least ${tol.minSlices} (the model reads 5 neighbouring slices). The series can still be viewed.`,
    });
  }

  return {
    order: kept.map((s) => s.i),
    excluded,
    rowCosines: row,
    colCosines: col,
    normal,
    positions,
    offsets,
    rows: ref.rows,
    columns: ref.columns,
    // CtVolume.spacing order: along rows (= column spacing, DICOM's 2nd value) first.
    pixelSpacing: [colSpacing, rowSpacing],
    sliceSpacing,
    warnings,
  };
}
