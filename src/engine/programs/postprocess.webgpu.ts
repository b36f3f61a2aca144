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
import type { WebGPUProgram } from '../tfjsInternals';
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

export function postprocessLayout(
  batch: number,
  cols: number,
  rows: number,
  confidence: boolean,
  debugFloat: boolean,
): PostprocessLayout {
  const pixelsPerSlice = cols * rows;
  const wordsPerSlice = Math.ceil(pixelsPerSlice / 4);
  const labelWords = batch * wordsPerSlice;
  const confidenceWords = confidence ? labelWords : 0;
  const debugWords = debugFloat ? batch * pixelsPerSlice : 0;
  return {
    batch,
    pixelsPerSlice,
    wordsPerSlice,
    labelWords,
    confidenceWords,
    debugWords,
    totalWords: labelWords + confidenceWords + debugWords,
  };
}

export type ProgramUniform = { type: 'int32' | 'float32' | 'uint32'; data: number[] };

/**
 * Splits x = c0 + ci*i + cj*j (0 <= i < cols, 0 <= j < rows) into hi + lo: the hi coefficients are
 * multiples of q = 2^-m with m chosen so that every hi product and partial sum is a multiple of q below
 * 2^23 q, hence exact in float32 in any evaluation order; lo (|lo| < q (cols + rows)) carries the rest.
 * Returned as vec4 (c0, ci, cj, 0) each.
 */
export function splitAffine(
  a: { c0: number; ci: number; cj: number },
  cols: number,
  rows: number,
): { hi: number[]; lo: number[] } {
  const M = Math.abs(a.c0) + Math.abs(a.ci) * cols + Math.abs(a.cj) * rows + 2;
  const m = 22 - Math.ceil(Math.log2(M));
  const q = 2 ** -m;
  const h = (x: number) => Math.round(x / q) * q;
  const hi = [h(a.c0), h(a.ci), h(a.cj)];
  return { hi: [...hi, 0], lo: [a.c0 - hi[0], a.ci - hi[1], a.cj - hi[2], 0] };
}

export class PostprocessProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames = ['seg', 'att'];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms =
    'cols : i32, rows : i32, gridSize : i32, wordsPerSlice : i32, labelWords : i32, firstSlice : i32, maskLo : i32, maskHi : i32, ' +
    'uH : vec4<f32>, uL : vec4<f32>, vH : vec4<f32>, vL : vec4<f32>, ';
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
    const u = splitAffine(p.u, p.cols, p.rows);
    const v = splitAffine(p.v, p.cols, p.rows);
    return [
      { type: 'int32', data: [p.cols] },
      { type: 'int32', data: [p.rows] },
      { type: 'int32', data: [p.size] },
      { type: 'int32', data: [layout.wordsPerSlice] },
      { type: 'int32', data: [layout.labelWords] },
      { type: 'int32', data: [firstSlice] },
      { type: 'int32', data: [lo] },
      { type: 'int32', data: [hi] },
      { type: 'float32', data: u.hi },
      { type: 'float32', data: u.lo },
      { type: 'float32', data: v.hi },
      { type: 'float32', data: v.lo },
    ];
  }

  getUserCode(): string {
    const C = this.channels;
    return `
      const C : i32 = ${C};
      struct Px { label : u32, conf : f32 };
      struct GridCoord { cell : i32, frac : f32, outside : bool };

      // Position c0 + ci*i + cj*j split into a part that float32 holds exactly (hi: multiples of a
      // power of two, see splitAffine) and a small remainder (lo), so that the bilinear weight is
      // accurate to ~1e-8 pixel whether or not the compiler fuses multiply-adds.
      fn gridCoord(h : vec4<f32>, l : vec4<f32>, i : i32, j : i32, S : i32) -> GridCoord {
        let hi = h.x + h.y * f32(i) + h.z * f32(j);
        let lo = l.x + l.y * f32(i) + l.z * f32(j);
        var cell = floor(hi);
        var frac = (hi - cell) + lo;
        let step = floor(frac);
        cell += step;
        frac -= step;
        let pos = cell + frac;
        if (pos < -0.5 || pos > f32(S) - 0.5) { return GridCoord(0, 0.0, true); }
        if (cell < 0.0) { return GridCoord(0, 0.0, false); }
        if (cell >= f32(S - 1)) { return GridCoord(S - 1, 0.0, false); }
        return GridCoord(i32(cell), frac, false);
      }

      fn inProtocol(c : i32) -> bool {
        if (c < 32) { return ((uniforms.maskLo >> u32(c)) & 1) != 0; }
        return ((uniforms.maskHi >> u32(c - 32)) & 1) != 0;
      }

      fn classify(b : i32, px : i32, la : ptr<function, array<f32, ${C}>>) -> Px {
        let i = px % uniforms.cols;
        let j = px / uniforms.cols;
        let S = uniforms.gridSize;
        let cu = gridCoord(uniforms.uH, uniforms.uL, i, j, S);
        let cv = gridCoord(uniforms.vH, uniforms.vL, i, j, S);
        if (cu.outside || cv.outside) {
          return Px(0u, 0.0);
        }
        let x0 = cu.cell;
        let y0 = cv.cell;
        let x1 = min(x0 + 1, S - 1);
        let y1 = min(y0 + 1, S - 1);
        let wu = cu.frac;
        let wv = cv.frac;
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
