/**
 * CPU reference of the fused post-processing (DESIGN 3.4, CONTRACTS 3): for every CT pixel of a batch
 * of slices, sample the logits bilinearly at the pixel's model coordinates, apply attention
 * p = softmax(f + log a), recalibrate with the protocol mask, take the argmax.
 * Written for clarity in float64; the WGSL program (postprocess.webgpu.ts) must agree with it.
 */
import type { GridGeometry } from '../grid';
import { bilinearTap, newTap, type BilinearTap } from './bilinear';

// The bilinear sampling lives in bilinear.ts (shared with the pre-processing); re-exported for existing callers.
export { bilinearTap, newTap, type BilinearTap };

export interface PostprocessParams {
  cols: number;
  rows: number;
  /** Model grid size S. */
  size: number;
  /** CT pixel (i, j) -> model (u, v), from gridGeometry(). */
  u: GridGeometry['u'];
  v: GridGeometry['v'];
  /** Protocol mask m (length = channels, m_0 = 1). */
  mask: Uint8Array;
}

export interface PostprocessResult {
  /** [B, rows, cols] labels (channel numbers). */
  labels: Uint8Array;
  /** [B, rows, cols] max_c q; 0 where the pixel lies outside the model grid. */
  confidence: Float32Array;
}

/** Smallest attention weight used in log a; sigmoid only underflows to 0 for fc4 < -103. */
export const ATTENTION_FLOOR = 1e-30;

/** Model coordinates of CT pixel (i, j), or null when the pixel centre lies outside the model grid. */
export function ctPixelToModel(p: Pick<PostprocessParams, 'size' | 'u' | 'v'>, i: number, j: number): [number, number] | null {
  const u = p.u.c0 + p.u.ci * i + p.u.cj * j;
  const v = p.v.c0 + p.v.ci * i + p.v.cj * j;
  const S = p.size;
  // The grid covers its pixels' areas, [-0.5, S - 0.5]; inside it, sampling clamps at the edge pixels.
  if (u < -0.5 || u > S - 0.5 || v < -0.5 || v > S - 0.5) return null;
  return [u, v];
}

/** log a_c as the reference uses it: log(max(a_c, ATTENTION_FLOOR)), for slice b. */
export function logAttention(
  attention: ArrayLike<number>,
  b: number,
  C: number,
  out: Float64Array = new Float64Array(C),
): Float64Array {
  for (let c = 0; c < C; c++) out[c] = Math.log(Math.max(attention[b * C + c], ATTENTION_FLOOR));
  return out;
}

/** Scratch space of classifyPixel (float64, one per caller). */
export interface PixelScratch {
  f: Float64Array;
  prob: Float64Array;
  q: Float64Array;
  /** q of the winning label, set by classifyPixel */
  confidence: number;
}

export function pixelScratch(C: number): PixelScratch {
  return { f: new Float64Array(C), prob: new Float64Array(C), q: new Float64Array(C), confidence: 0 };
}

/**
 * The label of one CT pixel inside the grid, whose tap into model slice `sliceBase` (= b S S C) of
 * `seg` is `t`; logA from logAttention(). Sets s.confidence. Every CPU path that must match the
 * reference bit for bit calls this function.
 */
export function classifyPixel(
  seg: ArrayLike<number>,
  sliceBase: number,
  S: number,
  t: BilinearTap,
  logA: Float64Array,
  mask: Uint8Array,
  s: PixelScratch,
): number {
  const C = mask.length;
  const { f, prob, q } = s;
  const b00 = sliceBase + (t.y0 * S + t.x0) * C;
  const b10 = sliceBase + (t.y0 * S + t.x1) * C;
  const b01 = sliceBase + (t.y1 * S + t.x0) * C;
  const b11 = sliceBase + (t.y1 * S + t.x1) * C;
  for (let c = 0; c < C; c++) {
    f[c] = t.w00 * seg[b00 + c] + t.w10 * seg[b10 + c] + t.w01 * seg[b01 + c] + t.w11 * seg[b11 + c];
  }
  // attention: p_c = a_c exp(f_c) / sum_k a_k exp(f_k), evaluated as softmax(f + log a)
  let zmax = -Infinity;
  for (let c = 0; c < C; c++) {
    prob[c] = f[c] + logA[c];
    zmax = Math.max(zmax, prob[c]);
  }
  let total = 0;
  for (let c = 0; c < C; c++) {
    prob[c] = Math.exp(prob[c] - zmax);
    total += prob[c];
  }
  for (let c = 0; c < C; c++) prob[c] /= total;
  // recalibration: organs outside the protocol move their probability into background
  q[0] = prob[0];
  for (let c = 1; c < C; c++) {
    q[c] = mask[c] ? prob[c] : 0;
    if (!mask[c]) q[0] += prob[c];
  }
  let best = 0;
  for (let c = 1; c < C; c++) if (q[c] > q[best]) best = c; // first maximum wins ties
  s.confidence = q[best];
  return best;
}

/**
 * seg: [B, S, S, C] logits (NHWC, row = v, column = u); attention: [B, C].
 */
export function postprocessReference(
  seg: Float32Array,
  attention: Float32Array,
  batch: number,
  p: PostprocessParams,
): PostprocessResult {
  const C = p.mask.length;
  const S = p.size;
  const npx = p.cols * p.rows;
  if (seg.length !== batch * S * S * C) throw new Error(`seg has ${seg.length} values, expected ${batch}x${S}x${S}x${C}`);
  if (attention.length !== batch * C) throw new Error(`attention has ${attention.length} values, expected ${batch}x${C}`);
  const labels = new Uint8Array(batch * npx);
  const confidence = new Float32Array(batch * npx);
  const scratch = pixelScratch(C);
  const tap = newTap();
  for (let b = 0; b < batch; b++) {
    const logA = logAttention(attention, b, C);
    for (let j = 0; j < p.rows; j++) {
      for (let i = 0; i < p.cols; i++) {
        const n = b * npx + j * p.cols + i;
        const uv = ctPixelToModel(p, i, j);
        if (!uv) continue; // label 0, confidence 0
        labels[n] = classifyPixel(seg, b * S * S * C, S, bilinearTap(S, uv[0], uv[1], tap), logA, p.mask, scratch);
        confidence[n] = scratch.confidence;
      }
    }
  }
  return { labels, confidence };
}

/** Quantised confidence as read back from the GPU: round(255 * q_max). */
export function quantiseConfidence(q: number): number {
  return Math.floor(q * 255 + 0.5);
}
