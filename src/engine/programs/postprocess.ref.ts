/**
 * CPU reference of the fused post-processing (DESIGN 3.4, CONTRACTS 3): for every CT pixel of a batch
 * of slices, sample the logits bilinearly at the pixel's model coordinates, apply attention
 * p = softmax(f + log a), recalibrate with the protocol mask, take the argmax.
 * Written for clarity in float64; the WGSL program (postprocess.webgpu.ts) must agree with it.
 */
import type { GridGeometry } from '../grid';

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

/**
 * seg: [B, S, S, C] logits (NHWC, row = v, column = u); attention: [B, C].
 */
export function postprocessReference(seg: Float32Array, attention: Float32Array, batch: number, p: PostprocessParams): PostprocessResult {
  const C = p.mask.length;
  const S = p.size;
  const npx = p.cols * p.rows;
  if (seg.length !== batch * S * S * C) throw new Error(`seg has ${seg.length} values, expected ${batch}x${S}x${S}x${C}`);
  if (attention.length !== batch * C) throw new Error(`attention has ${attention.length} values, expected ${batch}x${C}`);
  const labels = new Uint8Array(batch * npx);
  const confidence = new Float32Array(batch * npx);
  const f = new Float64Array(C);
  const prob = new Float64Array(C);
  const q = new Float64Array(C);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < p.rows; j++) {
      for (let i = 0; i < p.cols; i++) {
        const n = b * npx + j * p.cols + i;
        const uv = ctPixelToModel(p, i, j);
        if (!uv) continue; // label 0, confidence 0
        // bilinear sample of the logits, clamped at the grid edge
        const uc = Math.min(Math.max(uv[0], 0), S - 1);
        const vc = Math.min(Math.max(uv[1], 0), S - 1);
        const u0 = Math.floor(uc);
        const v0 = Math.floor(vc);
        const u1 = Math.min(u0 + 1, S - 1);
        const v1 = Math.min(v0 + 1, S - 1);
        const wu = uc - u0;
        const wv = vc - v0;
        const at = (uu: number, vv: number) => ((b * S + vv) * S + uu) * C;
        const b00 = at(u0, v0);
        const b10 = at(u1, v0);
        const b01 = at(u0, v1);
        const b11 = at(u1, v1);
        for (let c = 0; c < C; c++) {
          f[c] = (1 - wu) * (1 - wv) * seg[b00 + c] + wu * (1 - wv) * seg[b10 + c] + (1 - wu) * wv * seg[b01 + c] + wu * wv * seg[b11 + c];
        }
        // attention: p_c = a_c exp(f_c) / sum_k a_k exp(f_k), evaluated as softmax(f + log a)
        let zmax = -Infinity;
        for (let c = 0; c < C; c++) {
          prob[c] = f[c] + Math.log(Math.max(attention[b * C + c], ATTENTION_FLOOR));
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
          q[c] = p.mask[c] ? prob[c] : 0;
          if (!p.mask[c]) q[0] += prob[c];
        }
        let best = 0;
        for (let c = 1; c < C; c++) if (q[c] > q[best]) best = c; // first maximum wins ties
        labels[n] = best;
        confidence[n] = q[best];
      }
    }
  }
  return { labels, confidence };
}

/** Quantised confidence as read back from the GPU: round(255 * q_max). */
export function quantiseConfidence(q: number): number {
  return Math.floor(q * 255 + 0.5);
}
