/**
 * The same post-processing (CONTRACTS 3, DESIGN 3.4) with plain tfjs ops. Two roles:
 * - the post-processing of the WebGL / wasm / cpu backends, where custom WGSL cannot run;
 * - the benchmark baseline for the fused WGSL program: several full-size intermediates
 *   ([B, cols*rows, 34] float32 each) and int32 labels + float32 confidence read back (8 bytes/voxel).
 * Resampling is a gather of the 4 bilinear neighbours per CT pixel, indices built once per series.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_FLOOR, ctPixelToModel, type PostprocessParams } from './programs/postprocess.ref';

export class TfOpsPostprocessor {
  private readonly idx: tf.Tensor1D[];
  private readonly w: tf.Tensor3D[];
  private readonly inside: tf.Tensor2D;
  private readonly recal: tf.Tensor2D;
  private readonly npx: number;
  private readonly S: number;
  private readonly C: number;

  constructor(p: PostprocessParams) {
    const npx = p.cols * p.rows;
    const S = p.size;
    const C = p.mask.length;
    const idx = [0, 1, 2, 3].map(() => new Int32Array(npx));
    const w = [0, 1, 2, 3].map(() => new Float32Array(npx));
    const inside = new Int32Array(npx);
    for (let j = 0; j < p.rows; j++) {
      for (let i = 0; i < p.cols; i++) {
        const n = j * p.cols + i;
        const uv = ctPixelToModel(p, i, j);
        if (!uv) continue;
        inside[n] = 1;
        const uc = Math.min(Math.max(uv[0], 0), S - 1);
        const vc = Math.min(Math.max(uv[1], 0), S - 1);
        const u0 = Math.floor(uc);
        const v0 = Math.floor(vc);
        const u1 = Math.min(u0 + 1, S - 1);
        const v1 = Math.min(v0 + 1, S - 1);
        const wu = uc - u0;
        const wv = vc - v0;
        [v0 * S + u0, v0 * S + u1, v1 * S + u0, v1 * S + u1].forEach((q, c) => (idx[c][n] = q));
        [(1 - wu) * (1 - wv), wu * (1 - wv), (1 - wu) * wv, wu * wv].forEach((q, c) => (w[c][n] = q));
      }
    }
    // q = p R with R[c][c] = m_c (c >= 1), R[0][0] = 1, R[c][0] = 1 - m_c
    const R = new Float32Array(C * C);
    R[0] = 1;
    for (let c = 1; c < C; c++) {
      R[c * C + c] = p.mask[c] ? 1 : 0;
      R[c * C] = p.mask[c] ? 0 : 1;
    }
    this.idx = idx.map((a) => tf.tensor1d(a, 'int32'));
    this.w = w.map((a) => tf.tensor3d(a, [1, npx, 1]));
    this.inside = tf.tensor2d(inside, [1, npx], 'int32');
    this.recal = tf.tensor2d(R, [C, C]);
    this.npx = npx;
    this.S = S;
    this.C = C;
  }

  /** labels int32 [B - first, npx] and confidence float32, for model slices first..B-1; one slice at a time to bound memory. */
  run(seg: tf.Tensor4D, attention: tf.Tensor2D, first = 0): { labels: tf.Tensor2D; confidence: tf.Tensor2D } {
    const B = seg.shape[0];
    const labels: tf.Tensor1D[] = [];
    const confidence: tf.Tensor1D[] = [];
    for (let b = first; b < B; b++) {
      const [l, c] = tf.tidy(() => {
        const flat = tf.reshape(tf.slice(seg, [b, 0, 0, 0], [1, this.S, this.S, this.C]), [1, this.S * this.S, this.C]);
        let f = tf.mul(tf.gather(flat, this.idx[0], 1), this.w[0]);
        for (let k = 1; k < 4; k++) f = tf.add(f, tf.mul(tf.gather(flat, this.idx[k], 1), this.w[k]));
        const logA = tf.reshape(tf.log(tf.maximum(tf.slice(attention, [b, 0], [1, this.C]), ATTENTION_FLOOR)), [1, 1, this.C]);
        const p = tf.softmax(tf.add(f, logA));
        const q = tf.matMul(tf.reshape(p, [this.npx, this.C]), this.recal);
        const inside = tf.reshape(this.inside, [this.npx]);
        const label = tf.mul(tf.argMax(q, 1), inside) as tf.Tensor1D;
        const conf = tf.mul(tf.max(q, 1), tf.cast(inside, 'float32')) as tf.Tensor1D;
        return [label, conf];
      });
      labels.push(l);
      confidence.push(c);
    }
    const out = { labels: tf.stack(labels) as tf.Tensor2D, confidence: tf.stack(confidence) as tf.Tensor2D };
    tf.dispose([...labels, ...confidence]);
    return out;
  }

  dispose() {
    tf.dispose([...this.idx, ...this.w, this.inside, this.recal]);
  }
}
