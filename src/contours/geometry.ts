/**
 * Pixel <-> patient (LPS, mm) mapping on the slices of a CtVolume (DESIGN 3.5). Each slice uses its own
 * ImagePositionPatient, so non-uniform spacing and any in-plane direction cosines (HFS, FFS, prone) map
 * correctly.
 */
import type { CtVolume, Vec3 } from '../volume/volume';

/** In-plane axes of a slice in mm per pixel. */
export interface SlicePlane {
  origin: Vec3;
  /** rowCosines * column spacing: LPS step of +1 in pixel x (column index). */
  dx: Vec3;
  /** colCosines * row spacing: LPS step of +1 in pixel y (row index). */
  dy: Vec3;
  /**
   * True when both in-plane axes have no z component (an axial plane z = const). The mapping then writes
   * the slice's z exactly instead of a sum that can be off in the last bit.
   */
  axial: boolean;
}

/** Below this a direction cosine's z component counts as zero (real headers write e.g. -1.22e-16). */
const AXIAL_EPS = 1e-6;

export function slicePlane(volume: CtVolume, k: number): SlicePlane {
  const s = volume.slices[k];
  if (!s) throw new RangeError(`slice ${k} out of range 0..${volume.slices.length - 1}`);
  const [sx, sy] = volume.spacing;
  const r = volume.rowCosines;
  const c = volume.colCosines;
  return {
    origin: [s.position[0], s.position[1], s.position[2]],
    dx: [r[0] * sx, r[1] * sx, r[2] * sx],
    dy: [c[0] * sy, c[1] * sy, c[2] * sy],
    axial: Math.abs(r[2]) < AXIAL_EPS && Math.abs(c[2]) < AXIAL_EPS,
  };
}

/** Pixel polygon (x0, y0, ...) -> LPS polygon (x0, y0, z0, ...) in mm on the slice plane. */
export function pixelToPatient(plane: SlicePlane, pixels: ArrayLike<number>): Float64Array {
  const n = pixels.length / 2;
  const out = new Float64Array(3 * n);
  const { origin: o, dx, dy, axial } = plane;
  for (let k = 0; k < n; k++) {
    const u = pixels[2 * k];
    const v = pixels[2 * k + 1];
    out[3 * k] = o[0] + u * dx[0] + v * dy[0];
    out[3 * k + 1] = o[1] + u * dx[1] + v * dy[1];
    out[3 * k + 2] = axial ? o[2] : o[2] + u * dx[2] + v * dy[2];
  }
  return out;
}

/**
 * LPS polygon (x, y, z triples) -> pixel coordinates on the slice plane (orthogonal projection onto it).
 * Inverse of pixelToPatient for points on the plane.
 */
export function patientToPixel(plane: SlicePlane, points: ArrayLike<number>): Float64Array {
  const n = Math.floor(points.length / 3);
  const out = new Float64Array(2 * n);
  const { origin: o, dx, dy } = plane;
  // dx and dy are orthogonal; project and divide by the squared step length.
  const ddx = dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2];
  const ddy = dy[0] * dy[0] + dy[1] * dy[1] + dy[2] * dy[2];
  for (let k = 0; k < n; k++) {
    const px = points[3 * k] - o[0];
    const py = points[3 * k + 1] - o[1];
    const pz = points[3 * k + 2] - o[2];
    out[2 * k] = (px * dx[0] + py * dx[1] + pz * dx[2]) / ddx;
    out[2 * k + 1] = (px * dy[0] + py * dy[1] + pz * dy[2]) / ddy;
  }
  return out;
}

/** Signed distance of an LPS point along the volume's slice normal (the same measure as SliceRef.normalOffset). */
export function normalDistance(volume: CtVolume, x: number, y: number, z: number): number {
  const nrm = volume.normal;
  return x * nrm[0] + y * nrm[1] + z * nrm[2];
}

/**
 * Index of the slice whose plane is nearest to the given normal distance, or -1 when the nearest plane is
 * farther than `maxDistanceMm` (default: half the local slice gap, at least 0.01 mm).
 */
export function nearestSlice(volume: CtVolume, d: number, maxDistanceMm?: number): number {
  const sl = volume.slices;
  if (sl.length === 0) return -1;
  const off = (k: number) => normalDistance(volume, sl[k].position[0], sl[k].position[1], sl[k].position[2]);
  // slices are sorted ascending along the normal: binary search
  let lo = 0;
  let hi = sl.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (off(mid) <= d) lo = mid;
    else hi = mid;
  }
  const k = Math.abs(off(lo) - d) <= Math.abs(off(hi) - d) ? lo : hi;
  let tol = maxDistanceMm;
  if (tol === undefined) {
    const gapBelow = k > 0 ? Math.abs(off(k) - off(k - 1)) : Infinity;
    const gapAbove = k + 1 < sl.length ? Math.abs(off(k + 1) - off(k)) : Infinity;
    const gap = Math.min(gapBelow, gapAbove);
    tol = Number.isFinite(gap) ? Math.max(gap / 2, 0.01) : Math.max(volume.spacing[2] / 2, 0.01);
  }
  return Math.abs(off(k) - d) <= tol ? k : -1;
}
