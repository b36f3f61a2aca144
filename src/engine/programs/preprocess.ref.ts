/**
 * CPU reference of the pre-processing (CONTRACTS 3): the 5-plane model input for a run of CT slices.
 * For model pixel (u, v) on plane d of the prediction for slice k: find the CT position with the grid
 * maps, interpolate linearly between the two nearest CT slices along the normal (edge slices repeat),
 * bilinearly within each slice (model pixels outside the CT image get huMin), then
 * x = (clamp(HU, huMin, huMax) - huOffset) / huScale.
 * Also the pre-processing path of the non-WebGPU backends. Output [count, S, S, 5] (NHWC).
 */
import { evalAffine, sliceAt, type GridGeometry } from '../grid';
import type { ModelInputSpec } from '../manifest';

export type HuIntensity = Pick<ModelInputSpec, 'huMin' | 'huMax' | 'huOffset' | 'huScale'>;

/** Bilinear HU at continuous pixel (i, j) of slice k; huMin outside the image area [-0.5, n - 0.5]. */
export function sampleSlice(hu: ArrayLike<number>, g: GridGeometry, k: number, i: number, j: number, huMin: number): number {
  const { cols, rows } = g;
  if (i < -0.5 || i > cols - 0.5 || j < -0.5 || j > rows - 0.5) return huMin;
  const ic = Math.min(Math.max(i, 0), cols - 1);
  const jc = Math.min(Math.max(j, 0), rows - 1);
  const i0 = Math.floor(ic);
  const j0 = Math.floor(jc);
  const i1 = Math.min(i0 + 1, cols - 1);
  const j1 = Math.min(j0 + 1, rows - 1);
  const wi = ic - i0;
  const wj = jc - j0;
  const base = k * cols * rows;
  const a = hu[base + j0 * cols + i0];
  const b = hu[base + j0 * cols + i1];
  const c = hu[base + j1 * cols + i0];
  const d = hu[base + j1 * cols + i1];
  return (1 - wi) * (1 - wj) * a + wi * (1 - wj) * b + (1 - wi) * wj * c + wi * wj * d;
}

/** Model input value at (u, v) on plane d sampling CT slices k0, k1 with weight w: bilinear, clamped, normalised. */
function sampleNormalised(
  hu: ArrayLike<number>,
  g: GridGeometry,
  spec: HuIntensity,
  k0: number,
  k1: number,
  w: number,
  u: number,
  v: number,
  d: number,
): number {
  const { huMin, huMax, huOffset, huScale } = spec;
  const i = evalAffine(g.i, u, v, d);
  const j = evalAffine(g.j, u, v, d);
  let hv = sampleSlice(hu, g, k0, i, j, huMin);
  if (w > 0) hv = (1 - w) * hv + w * sampleSlice(hu, g, k1, i, j, huMin);
  return (Math.min(Math.max(hv, huMin), huMax) - huOffset) / huScale;
}

/** A plane parallel to the CT slices (one CT position [k0, k1, w] for every pixel) into `out` [S * S]. */
function resamplePlane(
  hu: ArrayLike<number>,
  g: GridGeometry,
  spec: HuIntensity,
  [k0, k1, w]: readonly [number, number, number],
  d: number,
  out: Float32Array,
): Float32Array {
  const S = g.size;
  for (let v = 0; v < S; v++) for (let u = 0; u < S; u++) out[v * S + u] = sampleNormalised(hu, g, spec, k0, k1, w, u, v, d);
  return out;
}

export function preprocessReference(
  hu: ArrayLike<number>,
  g: GridGeometry,
  spec: HuIntensity,
  start: number,
  count: number,
  out?: Float32Array,
  planes?: PlaneCache,
): Float32Array {
  const S = g.size;
  const x = out ?? new Float32Array(count * S * S * 5);
  if (x.length < count * S * S * 5) throw new Error('output buffer too small');
  const cache = planes && PlaneCache.applies(g) ? planes : null;
  const scratch = g.planar && !cache ? new Float32Array(S * S) : null;
  for (let b = 0; b < count; b++) {
    const k = start + b;
    for (let p = 0; p < 5; p++) {
      const d = p - 2; // plane 0 is the most inferior (CONTRACTS 3)
      if (g.planar) {
        // one CT position for the whole plane: resample it as a plane (shared by neighbours when cached; with
        // the cache, i and j do not depend on d, so d = 0 gives the same values)
        const at = sliceAt(g.offsets, g.offsets[k] + evalAffine(g.o, 0, 0, d));
        const plane = cache
          ? cache.get(at, () => resamplePlane(hu, g, spec, at, 0, new Float32Array(S * S)))
          : resamplePlane(hu, g, spec, at, d, scratch!);
        const base = b * S * S * 5 + p;
        for (let q = 0; q < S * S; q++) x[base + q * 5] = plane[q];
        continue;
      }
      for (let v = 0; v < S; v++) {
        for (let u = 0; u < S; u++) {
          const [k0, k1, w] = sliceAt(g.offsets, g.offsets[k] + evalAffine(g.o, u, v, d));
          x[((b * S + v) * S + u) * 5 + p] = sampleNormalised(hu, g, spec, k0, k1, w, u, v, d);
        }
      }
    }
  }
  return x;
}

/**
 * Resampled model planes of one run, by the CT position they sample ([k0, k1, w] of sliceAt). Neighbouring
 * predictions share planes (slice k's plane d = +1 is slice k+1's plane d = 0 when the CT spacing is a multiple
 * of half the model's slice spacing, in exact floating point), so each is resampled once instead of up to five
 * times. Used only where the planes are parallel to the CT slices and the in-plane maps do not depend on d (an
 * axial series without tilt), where a plane's values depend on nothing but [k0, k1, w]: the output is the
 * reference's bit for bit. Keeps the `capacity` most recent planes.
 */
export class PlaneCache {
  private readonly planes = new Map<string, Float32Array>();
  /** Planes resampled (misses), for tests and the benchmark. */
  computed = 0;
  reused = 0;

  constructor(private readonly capacity = 16) {}

  static applies(g: GridGeometry): boolean {
    return g.planar && g.i.cd === 0 && g.j.cd === 0;
  }

  get([k0, k1, w]: readonly [number, number, number], make: () => Float32Array): Float32Array {
    // with w = 0 the value is slice k0 alone, whatever k1 is
    const key = w > 0 ? `${k0}:${k1}:${w}` : `${k0}`;
    const hit = this.planes.get(key);
    if (hit) {
      this.reused++;
      return hit;
    }
    const plane = make();
    this.computed++;
    this.planes.set(key, plane);
    if (this.planes.size > this.capacity) this.planes.delete(this.planes.keys().next().value!);
    return plane;
  }
}
