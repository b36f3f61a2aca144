/**
 * The fused post-processing as ONE WGSL compute program, declared like tfjs-backend-webgpu's own
 * programs and run through `backend.runWebGPUProgram`, so it reads the model's `seg` and `attention`
 * output buffers in place (no copy, no readback of logits).
 *
 * One invocation handles 4 consecutive CT pixels of one slice and writes them as one u32 of 4 uint8
 * labels (little-endian: pixel 4w+0 in the low byte). The output tensor (int32) is laid out as
 *   [B * W] labels                          (W = ceil(cols*rows / 4) words per slice)
 *   [B * W] uint8 confidence round(255 q)   (when `confidence`)
 *   [B * cols*rows] float32 confidence      (when `debugFloat`; bit patterns, for tests only)
 * so that exactly the bytes the caller wants are read back. Same math as postprocess.ref.ts.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { PostprocessParams } from './postprocess.ref';

export interface PostprocessLayout {
  batch: number;
  pixelsPerSlice: number;
  wordsPerSlice: number;
  labelWords: number;
  confidenceWords: number;
  debugWords: number;
  totalWords: number;
}

export function postprocessLayout(batch: number, cols: number, rows: number, confidence: boolean, debugFloat: boolean): PostprocessLayout {
  const pixelsPerSlice = cols * rows;
  const wordsPerSlice = Math.ceil(pixelsPerSlice / 4);
  const labelWords = batch * wordsPerSlice;
  const confidenceWords = confidence ? labelWords : 0;
  const debugWords = debugFloat ? batch * pixelsPerSlice : 0;
  return { batch, pixelsPerSlice, wordsPerSlice, labelWords, confidenceWords, debugWords, totalWords: labelWords + confidenceWords + debugWords };
}

export type ProgramUniform = { type: 'int32' | 'float32' | 'uint32'; data: number[] };

export class PostprocessProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames = ['seg', 'att'];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms =
    'cols : i32, rows : i32, gridSize : i32, wordsPerSlice : i32, labelWords : i32, firstSlice : i32, maskLo : i32, maskHi : i32, ' +
    'u0 : f32, ui : f32, uj : f32, v0 : f32, vi : f32, vj : f32, ';
  readonly layout: PostprocessLayout;
  private readonly channels: number;
  private readonly confidence: boolean;
  private readonly debugFloat: boolean;

  constructor(batch: number, cols: number, rows: number, channels: number, opts: { confidence: boolean; debugFloat?: boolean }) {
    this.channels = channels;
    this.confidence = opts.confidence;
    this.debugFloat = opts.debugFloat ?? false;
    this.layout = postprocessLayout(batch, cols, rows, this.confidence, this.debugFloat);
    this.outputShape = [this.layout.totalWords];
    this.dispatchLayout = { x: [0] };
    // One invocation per label word; runWebGPUProgram folds this into 2-D when it exceeds the limit.
    this.dispatch = [Math.ceil(this.layout.labelWords / this.workgroupSize[0]), 1, 1];
    this.shaderKey = `aaPostprocess_${channels}_${this.confidence ? 'c' : ''}${this.debugFloat ? 'd' : ''}`;
  }

  /**
   * The program-defined uniforms, in the order of `uniforms`. Output slice b reads model slice
   * b + firstSlice, so that a batch overlapping the previous one reads back only its new slices.
   */
  static uniformData(p: PostprocessParams, layout: PostprocessLayout, firstSlice = 0): ProgramUniform[] {
    let lo = 0;
    let hi = 0;
    p.mask.forEach((m, c) => {
      if (!m) return;
      if (c < 32) lo |= 1 << c;
      else hi |= 1 << (c - 32);
    });
    return [
      { type: 'int32', data: [p.cols] },
      { type: 'int32', data: [p.rows] },
      { type: 'int32', data: [p.size] },
      { type: 'int32', data: [layout.wordsPerSlice] },
      { type: 'int32', data: [layout.labelWords] },
      { type: 'int32', data: [firstSlice] },
      { type: 'int32', data: [lo] },
      { type: 'int32', data: [hi] },
      { type: 'float32', data: [p.u.c0] },
      { type: 'float32', data: [p.u.ci] },
      { type: 'float32', data: [p.u.cj] },
      { type: 'float32', data: [p.v.c0] },
      { type: 'float32', data: [p.v.ci] },
      { type: 'float32', data: [p.v.cj] },
    ];
  }

  getUserCode(): string {
    const C = this.channels;
    return `
      const C : i32 = ${C};
      struct Px { label : u32, conf : f32 };

      fn inProtocol(c : i32) -> bool {
        if (c < 32) { return ((uniforms.maskLo >> u32(c)) & 1) != 0; }
        return ((uniforms.maskHi >> u32(c - 32)) & 1) != 0;
      }

      fn classify(b : i32, px : i32, la : ptr<function, array<f32, ${C}>>) -> Px {
        let i = f32(px % uniforms.cols);
        let j = f32(px / uniforms.cols);
        let u = uniforms.u0 + uniforms.ui * i + uniforms.uj * j;
        let v = uniforms.v0 + uniforms.vi * i + uniforms.vj * j;
        let S = uniforms.gridSize;
        let Sf = f32(S);
        if (u < -0.5 || u > Sf - 0.5 || v < -0.5 || v > Sf - 0.5) {
          return Px(0u, 0.0);
        }
        let uc = clamp(u, 0.0, Sf - 1.0);
        let vc = clamp(v, 0.0, Sf - 1.0);
        let x0 = i32(floor(uc));
        let y0 = i32(floor(vc));
        let x1 = min(x0 + 1, S - 1);
        let y1 = min(y0 + 1, S - 1);
        let wu = uc - f32(x0);
        let wv = vc - f32(y0);
        let w00 = (1.0 - wu) * (1.0 - wv);
        let w10 = wu * (1.0 - wv);
        let w01 = (1.0 - wu) * wv;
        let w11 = wu * wv;
        let p00 = ((b * S + y0) * S + x0) * C;
        let p10 = ((b * S + y0) * S + x1) * C;
        let p01 = ((b * S + y1) * S + x0) * C;
        let p11 = ((b * S + y1) * S + x1) * C;
        var z : array<f32, ${C}>;
        var zmax = -3.4e38;
        for (var c = 0; c < C; c++) {
          let f = w00 * seg[p00 + c] + w10 * seg[p10 + c] + w01 * seg[p01 + c] + w11 * seg[p11 + c];
          z[c] = f + (*la)[c];
          zmax = max(zmax, z[c]);
        }
        // Unnormalised q: background collects the channels outside the protocol.
        var total = 0.0;
        var bg = 0.0;
        var best = 0.0;
        var bestC = 0u;
        for (var c = 0; c < C; c++) {
          let e = exp(z[c] - zmax);
          total += e;
          if (c == 0 || !inProtocol(c)) {
            bg += e;
          } else if (e > best) {
            best = e;
            bestC = u32(c);
          }
        }
        if (bg >= best) {
          return Px(0u, bg / total);
        }
        return Px(bestC, best / total);
      }

      ${'fn main(index : i32)'} {
        if (index >= uniforms.labelWords) { return; }
        let b = index / uniforms.wordsPerSlice;
        let w = index - b * uniforms.wordsPerSlice;
        let bs = b + uniforms.firstSlice;
        let npx = uniforms.cols * uniforms.rows;
        var la : array<f32, ${C}>;
        for (var c = 0; c < C; c++) {
          la[c] = log(max(att[bs * C + c], 1e-30));
        }
        var labels = 0u;
        var confs = 0u;
        for (var k = 0; k < 4; k++) {
          let px = w * 4 + k;
          if (px >= npx) { break; }
          let r = classify(bs, px, &la);
          labels = labels | (r.label << u32(8 * k));
          ${this.confidence ? 'confs = confs | (u32(floor(r.conf * 255.0 + 0.5)) << u32(8 * k));' : ''}
          ${this.debugFloat ? `result[uniforms.labelWords${this.confidence ? ' * 2' : ''} + b * npx + px] = bitcast<i32>(r.conf);` : ''}
        }
        result[index] = bitcast<i32>(labels);
        ${this.confidence ? 'result[uniforms.labelWords + index] = bitcast<i32>(confs);' : ''}
      }
    `;
  }
}
