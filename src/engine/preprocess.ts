/**
 * Pre-processing entry points: on WebGPU the raw CT slices are uploaded once each into a GPU ring and
 * resampled there by PreprocessProgram; on other backends the CPU reference builds the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { submitRecordedWork, tensorFromInfo, webgpuBackend } from './tfjsInternals';
import type { CtVolume } from '../volume/volume';
import { slabRange, type GridGeometry } from './grid';
import { PlaneCache, preprocessReference, type HuIntensity } from './programs/preprocess.ref';
import { PreprocessProgram } from './programs/preprocess.webgpu';

/** Words to upload for CT slices [first, last]: int16 pairs as int32 (zero-copy view when aligned). */
export function slabWords(
  hu: Int16Array | Float32Array,
  sliceVoxels: number,
  first: number,
  last: number,
): Int32Array | Float32Array {
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

/** 'ring': every CT slice uploaded once into a GPU ring of slices; 'slab': the whole slab of every batch uploaded (the former path, kept as the benchmark baseline). */
export type GpuPreprocessMode = 'ring' | 'slab';

/**
 * Ring capacity (slices) for batches of `batch` predictions: the longest slab any batch touches, so that
 * the slices of one batch are resident together.
 */
export function ringCapacity(g: GridGeometry, batch: number): number {
  const b = Math.max(1, Math.min(batch, g.slices));
  let most = 1;
  for (let start = 0; start + b <= g.slices; start++) {
    const [first, last] = slabRange(g, start, b);
    most = Math.max(most, last - first + 1);
  }
  return Math.min(g.slices, most);
}

/**
 * Which slices to upload for a slab [first, last], given the resident window [lo, hi] of a ring of
 * `capacity` slices: those not yet resident, and the new window. Pure, for the tests. When the slab is
 * not contiguous with the window (a jump forward or backward) the window restarts at `first`.
 */
export function ringPlan(
  lo: number,
  hi: number,
  first: number,
  last: number,
  capacity: number,
): { upload: [number, number] | null; lo: number; hi: number } {
  if (last - first + 1 > capacity) throw new Error(`slab of ${last - first + 1} slices exceeds the ring of ${capacity}`);
  if (first < lo || first > hi + 1 || hi < lo) {
    lo = first;
    hi = first - 1;
  }
  const upload: [number, number] | null = last > hi ? [hi + 1, last] : null;
  hi = Math.max(hi, last);
  lo = Math.max(lo, hi - capacity + 1);
  return { upload, lo, hi };
}

/**
 * Holds the per-run GPU state of the pre-processing: the slice offsets table and, in 'ring' mode, the
 * CT slices on the GPU (int16 packed two per i32 word, or float32) in a ring: slice k lives in slot
 * k mod capacity and crosses the bus once per run; the five-plane windows are built there.
 */
export class GpuPreprocessor {
  private readonly offsets: tf.Tensor1D;
  /** Bytes uploaded by the last call (for the benchmark). */
  lastUploadBytes = 0;
  /** Bytes uploaded since construction. */
  totalUploadBytes = 0;
  readonly mode: GpuPreprocessMode;
  readonly capacity: number;
  private readonly isFloat: boolean;
  /** ring slot stride in CT values (int16 slices padded to whole words) */
  private readonly stride: number;
  private ring: { buffer: GPUBuffer; tensor: tf.Tensor1D } | null = null;
  private lo = 0;
  private hi = -1;

  constructor(
    private readonly ct: CtVolume,
    private readonly g: GridGeometry,
    private readonly spec: HuIntensity,
    opts: { mode?: GpuPreprocessMode; batch?: number; capacity?: number } = {},
  ) {
    this.offsets = tf.tensor1d(Float32Array.from(g.offsets), 'float32');
    this.mode = opts.mode ?? 'ring';
    this.isFloat = ct.hu instanceof Float32Array;
    const npx = g.cols * g.rows;
    this.stride = this.isFloat ? npx : npx + (npx % 2);
    this.capacity = Math.min(g.slices, opts.capacity ?? (opts.batch ? ringCapacity(g, opts.batch) : g.slices));
  }

  private ensureRing(): { buffer: GPUBuffer; tensor: tf.Tensor1D } {
    if (this.ring) return this.ring;
    const backend = webgpuBackend();
    const words = (this.capacity * this.stride) / (this.isFloat ? 1 : 2);
    const buffer = backend.device.createBuffer({
      size: words * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    // zeroCopy: tfjs reads the buffer in place and leaves it to us (destroyed in dispose)
    const tensor = tf.tensor({ buffer, zeroCopy: true }, [words], this.isFloat ? 'float32' : 'int32') as tf.Tensor1D;
    this.ring = { buffer, tensor };
    return this.ring;
  }

  /** Uploads CT slices [from, to] into their ring slots. */
  private upload(from: number, to: number): number {
    const ring = this.ensureRing();
    const backend = webgpuBackend();
    // Queue writes run before command buffers submitted after them: submit the programs recorded so
    // far (earlier batches that read the slots about to be overwritten) first.
    submitRecordedWork(backend);
    const npx = this.g.cols * this.g.rows;
    const bytesPer = this.isFloat ? 4 : 2;
    let bytes = 0;
    for (let k = from; k <= to; k++) {
      let data = this.ct.hu.subarray(k * npx, (k + 1) * npx);
      if (data.length !== this.stride) {
        const padded = new Int16Array(this.stride);
        padded.set(data);
        data = padded;
      }
      backend.device.queue.writeBuffer(
        ring.buffer,
        (k % this.capacity) * this.stride * bytesPer,
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
      bytes += data.byteLength;
    }
    return bytes;
  }

  /** Model input [count, S, S, 5] for the predictions of slices start..start+count-1. */
  run(start: number, count: number): tf.Tensor4D {
    const [first, last] = slabRange(this.g, start, count);
    const program = new PreprocessProgram(count, this.g.size, this.isFloat);
    const backend = webgpuBackend();
    if (this.mode === 'ring') {
      const plan = ringPlan(this.lo, this.hi, first, last, this.capacity);
      this.lastUploadBytes = plan.upload ? this.upload(plan.upload[0], plan.upload[1]) : 0;
      this.totalUploadBytes += this.lastUploadBytes;
      this.lo = plan.lo;
      this.hi = plan.hi;
      const uniforms = PreprocessProgram.uniformData(this.g, this.spec, count, start, 0, {
        slots: this.capacity,
        stride: this.stride,
      });
      const info = backend.runWebGPUProgram(program, [this.ensureRing().tensor, this.offsets], 'float32', uniforms);
      return tensorFromInfo<tf.Tensor4D>(info);
    }
    const words = slabWords(this.ct.hu, this.g.cols * this.g.rows, first, last);
    this.lastUploadBytes = words.byteLength;
    this.totalUploadBytes += words.byteLength;
    const slab = this.isFloat ? tf.tensor1d(words, 'float32') : tf.tensor1d(words, 'int32');
    try {
      const uniforms = PreprocessProgram.uniformData(this.g, this.spec, count, start, first, {
        slots: 1 << 30,
        stride: this.g.cols * this.g.rows,
      });
      const info = backend.runWebGPUProgram(program, [slab, this.offsets], 'float32', uniforms);
      return tensorFromInfo<tf.Tensor4D>(info);
    } finally {
      slab.dispose();
    }
  }

  dispose() {
    this.offsets.dispose();
    if (this.ring) {
      this.ring.tensor.dispose();
      // destroyed after the work already recorded that reads it has been submitted
      const backend = webgpuBackend();
      if (backend.device) {
        submitRecordedWork(backend);
      }
      this.ring.buffer.destroy();
      this.ring = null;
    }
  }
}

/**
 * CPU path (WebGL, wasm, cpu backends): the reference builds the input, which is then uploaded. `planes`: one
 * PlaneCache per run, so that planes shared by neighbouring predictions are resampled once.
 */
export function preprocessCpu(
  ct: CtVolume,
  g: GridGeometry,
  spec: HuIntensity,
  start: number,
  count: number,
  planes?: PlaneCache,
): tf.Tensor4D {
  const x = preprocessReference(ct.hu, g, spec, start, count, undefined, planes);
  return tf.tensor4d(x, [count, g.size, g.size, 5]);
}
