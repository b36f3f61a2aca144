/**
 * Pre-processing entry points: on WebGPU the raw CT slab is uploaded and resampled by
 * PreprocessProgram; on other backends the CPU reference builds the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { CtVolume } from '../dicom/volume';
import { slabRange, type GridGeometry } from './grid';
import { preprocessReference, type HuIntensity } from './programs/preprocess.ref';
import { PreprocessProgram } from './programs/preprocess.webgpu';

/** Words to upload for CT slices [first, last]: int16 pairs as int32 (zero-copy view when aligned). */
export function slabWords(hu: Int16Array | Float32Array, sliceVoxels: number, first: number, last: number): Int32Array | Float32Array {
  const start = first * sliceVoxels;
  const end = (last + 1) * sliceVoxels;
  if (hu instanceof Float32Array) return hu.subarray(start, end);
  const byteOffset = hu.byteOffset + start * 2;
  const n = end - start;
  if (byteOffset % 4 === 0 && n % 2 === 0) return new Int32Array(hu.buffer, byteOffset, n / 2);
  const copy = new Int16Array(n + (n % 2));
  copy.set(hu.subarray(start, end));
  return new Int32Array(copy.buffer);
}

/** Holds the per-run GPU state of the pre-processing (the slice offsets table). */
export class GpuPreprocessor {
  private readonly offsets: tf.Tensor1D;
  /** Bytes uploaded by the last call (for the benchmark). */
  lastUploadBytes = 0;

  constructor(
    private readonly ct: CtVolume,
    private readonly g: GridGeometry,
    private readonly spec: HuIntensity,
  ) {
    this.offsets = tf.tensor1d(Float32Array.from(g.offsets), 'float32');
  }

  /** Model input [count, S, S, 5] for the predictions of slices start..start+count-1. */
  run(start: number, count: number): tf.Tensor4D {
    const [first, last] = slabRange(this.g, start, count);
    const words = slabWords(this.ct.hu, this.g.cols * this.g.rows, first, last);
    this.lastUploadBytes = words.byteLength;
    const isFloat = words instanceof Float32Array;
    const slab = isFloat ? tf.tensor1d(words, 'float32') : tf.tensor1d(words, 'int32');
    try {
      const program = new PreprocessProgram(count, this.g.size, isFloat);
      const backend = tf.backend() as WebGPUBackend;
      const info = backend.runWebGPUProgram(program, [slab, this.offsets], 'float32', PreprocessProgram.uniformData(this.g, this.spec, count, start, first));
      return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor4D;
    } finally {
      slab.dispose();
    }
  }

  dispose() {
    this.offsets.dispose();
  }
}

/** CPU path (WebGL, wasm, cpu backends): the reference builds the input, which is then uploaded. */
export function preprocessCpu(ct: CtVolume, g: GridGeometry, spec: HuIntensity, start: number, count: number): tf.Tensor4D {
  const x = preprocessReference(ct.hu, g, spec, start, count);
  return tf.tensor4d(x, [count, g.size, g.size, 5]);
}
