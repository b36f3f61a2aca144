/**
 * Shape-based interpolation of an organ between axial slices (Raya & Udupa 1990): each of two drawn slices
 * becomes a signed distance map (mm, positive inside), the slices between get the linear blend of the two
 * maps, thresholded at 0. Pure; the label map writes go through a Stroke (one undo step).
 */
import type { VolumeGrid } from './brush';
import type { Stroke } from './history';

const INF = 1e20;

/**
 * Squared Euclidean distance transform along one line (Felzenszwalb & Huttenlocher): out[p] = min over q of
 * (step * (p - q))^2 + f[q]. f, out: `n` values at `offset + m * stride`.
 */
function edt1d(f: Float64Array, n: number, step: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  const s2 = step * step;
  let k = -1;
  for (let q = 0; q < n; q++) {
    if (f[q] >= INF) continue;
    let s = -INF;
    while (k >= 0) {
      const r = v[k];
      s = (f[q] + s2 * q * q - (f[r] + s2 * r * r)) / (2 * s2 * (q - r));
      if (s > z[k]) break;
      k--;
    }
    k++;
    v[k] = q;
    z[k] = k === 0 ? -INF : s;
    z[k + 1] = INF;
  }
  if (k < 0) {
    d.fill(INF, 0, n);
    return;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const r = v[k];
    d[q] = s2 * (q - r) * (q - r) + f[r];
  }
}

/**
 * Distance (mm) from each pixel to the nearest pixel where `mask` equals `target` (0 on those pixels, INF
 * when there is none). w x h, row-major; spacing along x and y in mm.
 */
export function distanceTo(
  mask: Uint8Array,
  w: number,
  h: number,
  spacing: readonly [number, number],
  target: 0 | 1,
): Float64Array {
  const g = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) g[i] = (mask[i] ? 1 : 0) === target ? 0 : INF;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = g[y * w + x];
    edt1d(f, w, spacing[0], d, v, z);
    for (let x = 0; x < w; x++) g[y * w + x] = d[x];
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = g[y * w + x];
    edt1d(f, h, spacing[1], d, v, z);
    for (let y = 0; y < h; y++) g[y * w + x] = d[y];
  }
  for (let i = 0; i < w * h; i++) g[i] = g[i] >= INF ? INF : Math.sqrt(g[i]);
  return g;
}

/**
 * Signed distance map (mm): inside pixels get the distance to the nearest outside pixel, outside pixels
 * minus the distance to the nearest inside pixel, so the zero level lies halfway between the two.
 */
export function signedDistance(mask: Uint8Array, w: number, h: number, spacing: readonly [number, number]): Float64Array {
  const toOut = distanceTo(mask, w, h, spacing, 0);
  const toIn = distanceTo(mask, w, h, spacing, 1);
  const out = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) out[i] = mask[i] ? Math.min(toOut[i], 1e6) : -Math.min(toIn[i], 1e6);
  return out;
}

/** The blend (1 - t) * a + t * b of two signed distance maps, thresholded at 0 (inside where > 0). */
export function blendMasks(a: Float64Array, b: Float64Array, t: number): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i] > 0 ? 1 : 0;
  return out;
}

/** The shape at fraction t (0: a, 1: b) between two binary masks of the same w x h grid. */
export function interpolateMasks(
  a: Uint8Array,
  b: Uint8Array,
  w: number,
  h: number,
  spacing: readonly [number, number],
  t: number,
): Uint8Array {
  return blendMasks(signedDistance(a, w, h, spacing), signedDistance(b, w, h, spacing), t);
}

/** Axial slices (k, ascending) where `channel` has at least one voxel. */
export function slicesWith(labels: Uint8Array, dims: readonly [number, number, number], channel: number): number[] {
  const size = dims[0] * dims[1];
  const out: number[] = [];
  // indexOf: the engine's native byte search, far faster than a JS loop over 150 M voxels
  for (let k = 0; k < dims[2]; k++) if (labels.subarray(k * size, (k + 1) * size).indexOf(channel) >= 0) out.push(k);
  return out;
}

export interface InterpolationResult {
  /** Slices that received voxels. */
  filled: number[];
  /** The pairs of drawn slices interpolated between. */
  pairs: [number, number][];
}

/**
 * Fills every gap of `channel` between consecutive non-empty axial slices (in [from, to] when given) by
 * shape-based interpolation. Only background voxels (label 0) are written: other organs keep theirs.
 */
export function interpolateGaps(
  stroke: Stroke,
  labels: Uint8Array,
  g: VolumeGrid,
  channel: number,
  from = 0,
  to = g.dims[2] - 1,
): InterpolationResult {
  const [w, h] = g.dims;
  const size = w * h;
  const drawn = slicesWith(labels, g.dims, channel).filter((k) => k >= from && k <= to);
  const result: InterpolationResult = { filled: [], pairs: [] };
  for (let p = 0; p + 1 < drawn.length; p++) {
    const k0 = drawn[p];
    const k1 = drawn[p + 1];
    if (k1 - k0 < 2) continue;
    // the window: bounding box of both shapes, padded (the result lies inside it)
    let x0 = w,
      x1 = -1,
      y0 = h,
      y1 = -1;
    for (const k of [k0, k1]) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (labels[k * size + y * w + x] !== channel) continue;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    }
    const pad = 2;
    x0 = Math.max(0, x0 - pad);
    y0 = Math.max(0, y0 - pad);
    x1 = Math.min(w - 1, x1 + pad);
    y1 = Math.min(h - 1, y1 + pad);
    const ww = x1 - x0 + 1;
    const hh = y1 - y0 + 1;
    const crop = (k: number) => {
      const m = new Uint8Array(ww * hh);
      for (let y = 0; y < hh; y++)
        for (let x = 0; x < ww; x++) m[y * ww + x] = labels[k * size + (y + y0) * w + x + x0] === channel ? 1 : 0;
      return m;
    };
    const sp: [number, number] = [g.spacing[0], g.spacing[1]];
    const a = signedDistance(crop(k0), ww, hh, sp);
    const b = signedDistance(crop(k1), ww, hh, sp);
    result.pairs.push([k0, k1]);
    for (let k = k0 + 1; k < k1; k++) {
      const m = blendMasks(a, b, (k - k0) / (k1 - k0));
      let any = false;
      for (let y = 0; y < hh; y++) {
        for (let x = 0; x < ww; x++) {
          if (!m[y * ww + x]) continue;
          const at = k * size + (y + y0) * w + x + x0;
          if (labels[at] !== 0) continue;
          stroke.set(at, channel);
          any = true;
        }
      }
      if (any) result.filled.push(k);
    }
  }
  return result;
}
