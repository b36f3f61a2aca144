/**
 * Voxel <-> patient (LPS mm) mapping of a CtVolume that honours each slice's true position, so series
 * with non-uniform spacing or gaps map correctly (the uniform `spacing[2]` is only a mean).
 */
import { add, dot, scale, sub } from './vec';
import type { CtVolume, Vec3 } from '../volume/volume';

/** Continuous slice index for a distance along the normal (linear between slices, extrapolated outside). */
export function sliceIndexAt(ct: Pick<CtVolume, 'slices' | 'spacing'>, normalOffset: number): number {
  const s = ct.slices;
  const n = s.length;
  if (n === 1) return (normalOffset - s[0].normalOffset) / (ct.spacing[2] || 1);
  if (normalOffset <= s[0].normalOffset) return (normalOffset - s[0].normalOffset) / (s[1].normalOffset - s[0].normalOffset);
  if (normalOffset >= s[n - 1].normalOffset) {
    return n - 1 + (normalOffset - s[n - 1].normalOffset) / (s[n - 1].normalOffset - s[n - 2].normalOffset);
  }
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s[mid].normalOffset <= normalOffset) lo = mid;
    else hi = mid;
  }
  return lo + (normalOffset - s[lo].normalOffset) / (s[hi].normalOffset - s[lo].normalOffset);
}

/** LPS position of voxel (i, j, k); k may be fractional (interpolated between slice positions). */
export function voxelToLps(
  ct: Pick<CtVolume, 'slices' | 'spacing' | 'rowCosines' | 'colCosines' | 'normal'>,
  i: number,
  j: number,
  k: number,
): Vec3 {
  const n = ct.slices.length;
  const k0 = Math.max(0, Math.min(n - 1, Math.floor(k)));
  const k1 = Math.min(n - 1, k0 + 1);
  let base: Vec3;
  if (k >= 0 && k <= n - 1) {
    const t = k - k0;
    base = add(scale(ct.slices[k0].position, 1 - t), scale(ct.slices[k1].position, t));
  } else {
    // Outside the stack: step along the normal by the nearest slice step (or the mean spacing).
    const edge = k < 0 ? 0 : n - 1;
    const step =
      n > 1 ? Math.abs(ct.slices[k < 0 ? 1 : n - 1].normalOffset - ct.slices[k < 0 ? 0 : n - 2].normalOffset) : ct.spacing[2];
    base = add(ct.slices[edge].position, scale(ct.normal, (k - edge) * step));
  }
  return add(base, add(scale(ct.rowCosines, i * ct.spacing[0]), scale(ct.colCosines, j * ct.spacing[1])));
}

/** Continuous voxel coordinates (i, j, k) of an LPS point. */
export function lpsToVoxel(ct: Pick<CtVolume, 'slices' | 'spacing' | 'rowCosines' | 'colCosines' | 'normal'>, p: Vec3): Vec3 {
  const k = sliceIndexAt(ct, dot(p, ct.normal));
  // In-plane coordinates relative to the slice's own origin (handles a sheared stack correctly).
  const kk = Math.max(0, Math.min(ct.slices.length - 1, Math.round(k)));
  const d = sub(p, ct.slices[kk].position);
  return [dot(d, ct.rowCosines) / ct.spacing[0], dot(d, ct.colCosines) / ct.spacing[1], k];
}
