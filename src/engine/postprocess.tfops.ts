/**
 * The same post-processing (CONTRACTS 3, DESIGN 3.4) with plain tfjs ops. Two roles:
 * - the post-processing of the WebGL / wasm / cpu backends, where custom WGSL cannot run;
 * - the benchmark baseline for the fused WGSL program: several full-size intermediates
 *   ([B, cols*rows, 34] float32 each) and int32 labels + float32 confidence read back (8 bytes/voxel).
 * Resampling: when the CT rows and columns run along the model axes (every axial series without an
 * in-plane rotation, possibly flipped or transposed) it is tf.image.cropAndResize on the logits padded by
 * one edge pixel (which reproduces the edge clamping); otherwise a gather of the 4 bilinear neighbours
 * per CT pixel, with indices built once per series.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_FLOOR, bilinearTap, ctPixelToModel, newTap, type PostprocessParams } from './programs/postprocess.ref';

type Resize = { boxes: tf.Tensor2D; transpose: boolean };

/** cropAndResize boxes for the padded logits, or null when the CT axes are rotated in-plane. */
function resizePlan(p: PostprocessParams): { box: [number, number, number, number]; transpose: boolean } | null {
  if (p.cols < 2 || p.rows < 2) return null;
  const eps = 1e-9;
  const P = p.size + 1; // (S + 2) - 1: the padded image spans 0..S+1
  const u = (i: number, j: number) => p.u.c0 + p.u.ci * i + p.u.cj * j + 1;
  const v = (i: number, j: number) => p.v.c0 + p.v.ci * i + p.v.cj * j + 1;
  if (Math.abs(p.u.cj) < eps && Math.abs(p.v.ci) < eps) {
    // output row j samples image row v(j), column i samples image column u(i)
    return { box: [v(0, 0) / P, u(0, 0) / P, v(0, p.rows - 1) / P, u(p.cols - 1, 0) / P], transpose: false };
  }
  if (Math.abs(p.u.ci) < eps && Math.abs(p.v.cj) < eps) {
    // rows and columns swapped: sample the transposed image, row u(j), column v(i)
    return { box: [u(0, 0) / P, v(0, 0) / P, u(0, p.rows - 1) / P, v(p.cols - 1, 0) / P], transpose: true };
  }
  return null;
}

export class TfOpsPostprocessor {
  /** 'resize' (cropAndResize) or 'gather' */
  readonly mode: 'resize' | 'gather';
  private readonly resize: Resize | null = null;
  private readonly idx: tf.Tensor1D[] = [];
  private readonly w: tf.Tensor3D[] = [];
  private readonly rows: number;
  private readonly cols: number;
  private readonly inside: tf.Tensor2D;
  private readonly recal: tf.Tensor2D;
  private readonly npx: number;
  private readonly S: number;
  private readonly C: number;

  constructor(p: PostprocessParams) {
    const npx = p.cols * p.rows;
    const S = p.size;
    const C = p.mask.length;
    const plan = resizePlan(p);
    this.mode = plan ? 'resize' : 'gather';
    const idx = [0, 1, 2, 3].map(() => new Int32Array(plan ? 0 : npx));
    const w = [0, 1, 2, 3].map(() => new Float32Array(plan ? 0 : npx));
    const inside = new Int32Array(npx);
    const tap = newTap();
    for (let j = 0; j < p.rows; j++) {
      for (let i = 0; i < p.cols; i++) {
        const n = j * p.cols + i;
        const uv = ctPixelToModel(p, i, j);
        if (!uv) continue;
        inside[n] = 1;
        if (plan) continue;
        const t = bilinearTap(S, uv[0], uv[1], tap);
        [t.y0 * S + t.x0, t.y0 * S + t.x1, t.y1 * S + t.x0, t.y1 * S + t.x1].forEach((q, c) => (idx[c][n] = q));
        [t.w00, t.w10, t.w01, t.w11].forEach((q, c) => (w[c][n] = q));
      }
    }
    // q = p R with R[c][c] = m_c (c >= 1), R[0][0] = 1, R[c][0] = 1 - m_c
    const R = new Float32Array(C * C);
    R[0] = 1;
    for (let c = 1; c < C; c++) {
      R[c * C + c] = p.mask[c] ? 1 : 0;
      R[c * C] = p.mask[c] ? 0 : 1;
    }
    if (plan) {
      this.resize = { boxes: tf.tensor2d([plan.box], [1, 4]), transpose: plan.transpose };
    } else {
      this.idx = idx.map((a) => tf.tensor1d(a, 'int32'));
      this.w = w.map((a) => tf.tensor3d(a, [1, npx, 1]));
    }
    this.rows = p.rows;
    this.cols = p.cols;
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
        const one = tf.slice(seg, [b, 0, 0, 0], [1, this.S, this.S, this.C]);
        let f: tf.Tensor;
        if (this.resize) {
          // pad by one edge pixel on each side so that bilinear sampling clamps at the grid edge
          const S = this.S;
          let img: tf.Tensor4D = tf.concat(
            [tf.slice(one, [0, 0, 0, 0], [1, 1, S, this.C]), one, tf.slice(one, [0, S - 1, 0, 0], [1, 1, S, this.C])],
            1,
          );
          img = tf.concat(
            [tf.slice(img, [0, 0, 0, 0], [1, S + 2, 1, this.C]), img, tf.slice(img, [0, 0, S - 1, 0], [1, S + 2, 1, this.C])],
            2,
          );
          if (this.resize.transpose) img = tf.transpose(img, [0, 2, 1, 3]);
          f = tf.reshape(tf.image.cropAndResize(img, this.resize.boxes, [0], [this.rows, this.cols], 'bilinear', 0), [
            1,
            this.npx,
            this.C,
          ]);
        } else {
          const flat = tf.reshape(one, [1, this.S * this.S, this.C]);
          f = tf.mul(tf.gather(flat, this.idx[0], 1), this.w[0]);
          for (let k = 1; k < 4; k++) f = tf.add(f, tf.mul(tf.gather(flat, this.idx[k], 1), this.w[k]));
        }
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
    tf.dispose([...this.idx, ...this.w, this.inside, this.recal, ...(this.resize ? [this.resize.boxes] : [])]);
  }
}
