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

export function preprocessReference(
  hu: ArrayLike<number>,
  g: GridGeometry,
  spec: HuIntensity,
  start: number,
  count: number,
  out?: Float32Array,
): Float32Array {
  const S = g.size;
  const x = out ?? new Float32Array(count * S * S * 5);
  if (x.length < count * S * S * 5) throw new Error('output buffer too small');
  const { huMin, huMax, huOffset, huScale } = spec;
  for (let b = 0; b < count; b++) {
    const k = start + b;
    for (let p = 0; p < 5; p++) {
      const d = p - 2; // plane 0 is the most inferior (CONTRACTS 3)
      let planeSlice = g.planar ? sliceAt(g.offsets, g.offsets[k] + evalAffine(g.o, 0, 0, d)) : null;
      for (let v = 0; v < S; v++) {
        for (let u = 0; u < S; u++) {
          const [k0, k1, w] = planeSlice ?? sliceAt(g.offsets, g.offsets[k] + evalAffine(g.o, u, v, d));
          const i = evalAffine(g.i, u, v, d);
          const j = evalAffine(g.j, u, v, d);
          let hv = sampleSlice(hu, g, k0, i, j, huMin);
          if (w > 0) hv = (1 - w) * hv + w * sampleSlice(hu, g, k1, i, j, huMin);
          x[((b * S + v) * S + u) * 5 + p] = (Math.min(Math.max(hv, huMin), huMax) - huOffset) / huScale;
        }
      }
      planeSlice = null;
    }
  }
  return x;
}
