/**
 * Pre-processing on the GPU (same math as preprocess.ref.ts): reads raw CT slices (int16 packed two per
 * i32 word, or float32) from a ring of slices or a contiguous slab, and the slice offsets, writes the
 * model input [B, S, S, 5].
 * Uploading the raw int16 slab moves 2 bytes per CT voxel instead of 4 bytes per model input value,
 * and keeps the resampling off the main thread. One invocation per model pixel (all 5 planes).
 */
import type { WebGPUProgram } from '../tfjsInternals';
import type { GridGeometry } from '../grid';
import type { HuIntensity } from './preprocess.ref';
import type { ProgramUniform } from './postprocess.webgpu';

export class PreprocessProgram implements WebGPUProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames = ['ct', 'offs'];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms =
    'cols : i32, rows : i32, gridSize : i32, pixels : i32, kStart : i32, slabFirst : i32, nSlices : i32, slots : i32, stride : i32, ' +
    'i0 : f32, iu : f32, iv : f32, id : f32, j0 : f32, ju : f32, jv : f32, jd : f32, o0 : f32, ou : f32, ov : f32, od : f32, ' +
    'huMin : f32, huMax : f32, huOffset : f32, huScale : f32, ';
  private readonly ctFloat: boolean;

  constructor(batch: number, size: number, ctFloat: boolean) {
    this.ctFloat = ctFloat;
    this.outputShape = [batch, size, size, 5];
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = [Math.ceil((batch * size * size) / this.workgroupSize[0]), 1, 1];
    this.shaderKey = `aaPreprocess_${ctFloat ? 'f32' : 'i16'}`;
  }

  /**
   * CT slice k is read from slot (k - slabFirst) mod slots, `stride` values apart: a ring of slices
   * (slabFirst 0, slots = ring capacity) or one contiguous slab (slabFirst = its first slice, slots huge).
   */
  static uniformData(
    g: GridGeometry,
    spec: HuIntensity,
    batch: number,
    kStart: number,
    slabFirst: number,
    ring: { slots: number; stride: number },
  ): ProgramUniform[] {
    const f = (v: number): ProgramUniform => ({ type: 'float32', data: [v] });
    const i = (v: number): ProgramUniform => ({ type: 'int32', data: [v] });
    return [
      i(g.cols),
      i(g.rows),
      i(g.size),
      i(batch * g.size * g.size),
      i(kStart),
      i(slabFirst),
      i(g.slices),
      i(ring.slots),
      i(ring.stride),
      f(g.i.c0),
      f(g.i.cu),
      f(g.i.cv),
      f(g.i.cd),
      f(g.j.c0),
      f(g.j.cu),
      f(g.j.cv),
      f(g.j.cd),
      f(g.o.c0),
      f(g.o.cu),
      f(g.o.cv),
      f(g.o.cd),
      f(spec.huMin),
      f(spec.huMax),
      f(spec.huOffset),
      f(spec.huScale),
    ];
  }

  getUserCode(): string {
    const read = this.ctFloat
      ? 'return ct[idx];'
      : `let w = ct[idx >> 1u];
         if ((idx & 1) == 0) { return f32((w << 16u) >> 16u); }
         return f32(w >> 16u);`;
    return `
      struct Sl { k0 : i32, k1 : i32, w : f32 };

      fn voxel(k : i32, i : i32, j : i32) -> f32 {
        let idx = ((k - uniforms.slabFirst) % uniforms.slots) * uniforms.stride + j * uniforms.cols + i;
        ${read}
      }

      fn sampleSlice(k : i32, i : f32, j : f32) -> f32 {
        let cols = uniforms.cols;
        let rows = uniforms.rows;
        if (i < -0.5 || i > f32(cols) - 0.5 || j < -0.5 || j > f32(rows) - 0.5) { return uniforms.huMin; }
        let ic = clamp(i, 0.0, f32(cols - 1));
        let jc = clamp(j, 0.0, f32(rows - 1));
        let i0 = i32(floor(ic));
        let j0 = i32(floor(jc));
        let i1 = min(i0 + 1, cols - 1);
        let j1 = min(j0 + 1, rows - 1);
        let wi = ic - f32(i0);
        let wj = jc - f32(j0);
        return (1.0 - wi) * (1.0 - wj) * voxel(k, i0, j0) + wi * (1.0 - wj) * voxel(k, i1, j0)
             + (1.0 - wi) * wj * voxel(k, i0, j1) + wi * wj * voxel(k, i1, j1);
      }

      fn sliceAt(o : f32) -> Sl {
        let n = uniforms.nSlices;
        if (n == 1 || o <= offs[0]) { return Sl(0, 0, 0.0); }
        if (o >= offs[n - 1]) { return Sl(n - 1, n - 1, 0.0); }
        var lo = 0;
        var hi = n - 1;
        loop {
          if (hi - lo <= 1) { break; }
          let mid = (lo + hi) / 2;
          if (offs[mid] <= o) { lo = mid; } else { hi = mid; }
        }
        return Sl(lo, hi, (o - offs[lo]) / (offs[hi] - offs[lo]));
      }

      fn main(index : i32) {
        if (index >= uniforms.pixels) { return; }
        let S = uniforms.gridSize;
        let b = index / (S * S);
        let rem = index - b * S * S;
        let v = f32(rem / S);
        let u = f32(rem - (rem / S) * S);
        let ok = offs[uniforms.kStart + b];
        for (var p = 0; p < 5; p++) {
          let d = f32(p - 2);
          let i = uniforms.i0 + uniforms.iu * u + uniforms.iv * v + uniforms.id * d;
          let j = uniforms.j0 + uniforms.ju * u + uniforms.jv * v + uniforms.jd * d;
          let o = ok + uniforms.o0 + uniforms.ou * u + uniforms.ov * v + uniforms.od * d;
          let s = sliceAt(o);
          var hv = sampleSlice(s.k0, i, j);
          if (s.w > 0.0) { hv = (1.0 - s.w) * hv + s.w * sampleSlice(s.k1, i, j); }
          result[index * 5 + p] = (clamp(hv, uniforms.huMin, uniforms.huMax) - uniforms.huOffset) / uniforms.huScale;
        }
      }
    `;
  }
}
