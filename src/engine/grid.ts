/**
 * The model grid of CONTRACTS 3 as affine maps between CT voxel coordinates and model coordinates.
 * Pure math on numbers: used by the CPU references, by the WGSL programs (as uniforms) and by tests.
 *
 * Model pixel (u, v) on plane d (-2..2) of the prediction for CT slice k lies at
 *   X = C_k + ((u - (S-1)/2) s, (v - (S-1)/2) s, d t)            (LPS mm)
 * where C_k is the centre of slice k's image area. In CT terms, with r, c, n the row, column and normal
 * cosines: i = (cols-1)/2 + (X - C_k).r / sx, j = (rows-1)/2 + (X - C_k).c / sy, and the position along
 * the normal o = O_k + (X - C_k).n with O_k = pos_k.n. Both maps are independent of k apart from O_k,
 * so one set of coefficients serves the whole series.
 */
import type { CtVolume, Vec3 } from '../volume/volume';
import { EngineError } from './errors';
import type { ModelInputSpec } from './manifest';

/** x' = c0 + cu * u + cv * v + cd * d */
export interface Affine3 {
  c0: number;
  cu: number;
  cv: number;
  cd: number;
}

export interface GridGeometry {
  cols: number;
  rows: number;
  slices: number;
  /** Model grid size S. */
  size: number;
  /** Model (u, v, d) -> CT column i. */
  i: Affine3;
  /** Model (u, v, d) -> CT row j. */
  j: Affine3;
  /** Model (u, v, d) -> o - O_k (mm along the normal, relative to the prediction's own slice). */
  o: Affine3;
  /** CT pixel (i, j) -> model column u = u0 + ui i + uj j (the inverse of the in-plane part). */
  u: { c0: number; ci: number; cj: number };
  /** CT pixel (i, j) -> model row v = v0 + vi i + vj j. */
  v: { c0: number; ci: number; cj: number };
  /** O_k - O_0 (mm), strictly ascending; relative to slice 0 so that float32 keeps sub-micron precision. */
  offsets: Float64Array;
  /** True when the planes are parallel to the CT slices (o does not vary with u, v). */
  planar: boolean;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Builds the maps for a CT and a model input spec. Throws EngineError('geometry') for unusable series. */
export function gridGeometry(
  ct: CtVolume,
  input: Pick<ModelInputSpec, 'size' | 'pixelSpacingMm' | 'sliceSpacingMm'>,
): GridGeometry {
  const [cols, rows, nSlices] = ct.dims;
  const [sx, sy] = ct.spacing;
  const { rowCosines: r, colCosines: c, normal: n } = ct;
  if (nSlices < 1 || ct.slices.length !== nSlices)
    throw new EngineError('geometry', `The CT has ${ct.slices.length} slice entries for ${nSlices} slices.`);
  if (!(sx > 0 && sy > 0)) throw new EngineError('geometry', 'The CT pixel spacing is missing or not positive.');
  // The model sees axial planes (CONTRACTS 3); a sagittal or coronal series would be resampled across
  // its slices, which the window interpolation does not do.
  if (Math.abs(n[2]) < 0.7)
    throw new EngineError(
      'geometry',
      'Only axial CT series can be segmented (the slice normal is not close to the patient z axis).',
    );
  const S = input.size;
  const s = input.pixelSpacingMm;
  const t = input.sliceSpacingMm;
  const h = (S - 1) / 2;
  // (X - C_k) = ((u-h)s, (v-h)s, d t): expand the dot products.
  const lin = (axis: Vec3, scale: number, centre: number): Affine3 => ({
    cu: (axis[0] * s) / scale,
    cv: (axis[1] * s) / scale,
    cd: (axis[2] * t) / scale,
    c0: centre - ((axis[0] + axis[1]) * s * h) / scale,
  });
  const iMap = lin(r, sx, (cols - 1) / 2);
  const jMap = lin(c, sy, (rows - 1) / 2);
  const oMap = lin(n, 1, 0);
  // In-plane inverse: X - C_k = (i - (cols-1)/2) sx r + (j - (rows-1)/2) sy c; u = h + (X-C_k).x / s.
  const ci = (cols - 1) / 2;
  const cj = (rows - 1) / 2;
  const uMap = { ci: (sx * r[0]) / s, cj: (sy * c[0]) / s, c0: h - (ci * sx * r[0] + cj * sy * c[0]) / s };
  const vMap = { ci: (sx * r[1]) / s, cj: (sy * c[1]) / s, c0: h - (ci * sx * r[1] + cj * sy * c[1]) / s };
  const o0 = dot(ct.slices[0].position, n);
  const offsets = new Float64Array(nSlices);
  for (let k = 0; k < nSlices; k++) {
    offsets[k] = dot(ct.slices[k].position, n) - o0;
    if (k > 0 && !(offsets[k] > offsets[k - 1])) {
      throw new EngineError(
        'geometry',
        `CT slices ${k - 1} and ${k} are not in ascending order along the slice normal (duplicate or unsorted positions).`,
      );
    }
  }
  const planar = Math.abs(oMap.cu) < 1e-9 && Math.abs(oMap.cv) < 1e-9;
  return { cols, rows, slices: nSlices, size: S, i: iMap, j: jMap, o: oMap, u: uMap, v: vMap, offsets, planar };
}

export function evalAffine(a: Affine3, u: number, v: number, d: number): number {
  return a.c0 + a.cu * u + a.cv * v + a.cd * d;
}

/**
 * Continuous slice index of the position `o` (mm along the normal, relative to slice 0), by linear
 * interpolation between slices; positions beyond the first or last slice repeat the edge (DESIGN 3.5).
 * Returns [k0, k1, w]: value = (1 - w) * slice k0 + w * slice k1.
 */
export function sliceAt(offsets: ArrayLike<number>, o: number): [number, number, number] {
  const n = offsets.length;
  if (n === 1 || o <= offsets[0]) return [0, 0, 0];
  if (o >= offsets[n - 1]) return [n - 1, n - 1, 0];
  let lo = 0;
  let hi = n - 1; // offsets[lo] <= o < offsets[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid] <= o) lo = mid;
    else hi = mid;
  }
  return [lo, hi, (o - offsets[lo]) / (offsets[hi] - offsets[lo])];
}

/** CT slices [first, last] that the 5 planes of the predictions for slices start..start+count-1 touch. */
export function slabRange(g: GridGeometry, start: number, count: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const S1 = g.size - 1;
  for (const k of [start, start + count - 1]) {
    for (const u of [0, S1]) {
      for (const v of [0, S1]) {
        for (const d of [-2, 2]) {
          const o = g.offsets[k] + evalAffine(g.o, u, v, d);
          const [k0, k1] = sliceAt(g.offsets, o);
          lo = Math.min(lo, k0);
          hi = Math.max(hi, k1);
        }
      }
    }
  }
  // float32 rounding on the GPU can move a sample across a slice boundary: one slice of margin.
  return [Math.max(0, lo - 1), Math.min(g.slices - 1, hi + 1)];
}
