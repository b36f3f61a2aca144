/**
 * The post-processing step of the run loop, one per backend (issue 23): the network's outputs of one batch
 * (seg logits [B,S,S,C] and attention [B,C] on the model grid) -> labels (and optional uint8 confidence) of
 * CT slices, written into the run's label volume. engine.ts picks one with `choosePostStep` and calls it the
 * same way on every backend:
 *
 *   fused-wgsl  WebGPU: one WGSL program reads the outputs in place and returns packed uint8 labels and
 *               confidence (postprocess.ts, programs/postprocess.webgpu.ts); only those bytes are read back.
 *   cpu-kernel  wasm / cpu (or forced): the logits are read back and the typed-array kernel
 *               (programs/postprocess.fast.ts) computes labels bit-identical to the CPU reference.
 *   tfjs-ops    WebGL (or forced, the benchmark baseline): plain tfjs ops (postprocess.tfops.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { postprocessWebGpu, unpackSlice } from './postprocess';
import { TfOpsPostprocessor } from './postprocess.tfops';
import { FastPostprocessor } from './programs/postprocess.fast';
import type { PostprocessParams } from './programs/postprocess.ref';

export type PostStepKind = 'fused-wgsl' | 'tfjs-ops' | 'cpu-kernel';

/** Where a batch's slices go: the run's label (and confidence) volume, CtVolume flat index. */
export interface SliceSink {
  labels: Uint8Array;
  confidence?: Uint8Array;
  /** Set by the run loop when it stops: a batch read back after that is dropped, not written. */
  closed: boolean;
}

/** One batch on its way: the network outputs and the slices of it to deliver. */
export interface PostBatchInput {
  seg: tf.Tensor4D;
  attention: tf.Tensor2D;
  /** Model slices of the batch already delivered by the batch before (an overlapping last batch). */
  skip: number;
  /** Slices in the batch. */
  count: number;
  /** The CT slice of batch slice `skip`. */
  emitFrom: number;
}

export interface PostBatch {
  /** Tensors that must live until `read` has settled; the run loop may dispose every other tensor of the batch now. */
  live: tf.Tensor[];
  /** The tensor to wait on to time the GPU part of the step (profile), or null when the step runs in `read`. */
  last: tf.Tensor | null;
  /**
   * Reads back and writes slices emitFrom..emitFrom+count-skip-1 into the sink. Resolves with the bytes read
   * back, the ms until they arrived and the ms of CPU post-processing after that (0 for the GPU steps), or
   * null when the sink was closed before the data arrived.
   */
  read(): Promise<{ bytes: number; readMs: number; cpuMs: number } | null>;
}

export interface PostStep {
  readonly kind: PostStepKind;
  run(batch: PostBatchInput): PostBatch;
  dispose(): void;
}

const now = () => performance.now();
const toByte = (q: number) => Math.floor(q * 255 + 0.5);

/** WebGPU: the fused WGSL program; only packed uint8 labels (+ confidence) come back. */
function fusedStep(params: PostprocessParams, sink: SliceSink): PostStep {
  const npx = params.cols * params.rows;
  return {
    kind: 'fused-wgsl',
    run({ seg, attention, skip, count, emitFrom }) {
      const { packed, layout } = postprocessWebGpu(seg, attention, params, { confidence: !!sink.confidence, firstSlice: skip });
      return {
        live: [packed],
        last: packed,
        read: async () => {
          const t = now();
          const words = (await packed.data()) as Int32Array;
          if (sink.closed) return null;
          const readMs = now() - t;
          for (let b = 0; b < count - skip; b++) {
            const k = emitFrom + b;
            const s = unpackSlice(words, layout, b);
            sink.labels.set(s.labels, k * npx);
            if (sink.confidence && s.confidence) sink.confidence.set(s.confidence, k * npx);
          }
          return { bytes: words.byteLength, readMs, cpuMs: 0 };
        },
      };
    },
    dispose() {},
  };
}

/** wasm / cpu: the logits of the model grid are read back; the typed-array kernel makes the labels. */
function cpuKernelStep(params: PostprocessParams, sink: SliceSink): PostStep {
  const npx = params.cols * params.rows;
  const kernel = new FastPostprocessor(params);
  const confFloat = sink.confidence ? new Float32Array(npx) : undefined;
  return {
    kind: 'cpu-kernel',
    run({ seg, attention, skip, count, emitFrom }) {
      return {
        live: [seg, attention],
        last: null,
        read: async () => {
          const t = now();
          const [s, a] = (await Promise.all([seg.data(), attention.data()])) as [Float32Array, Float32Array];
          if (sink.closed) return null;
          const t1 = now();
          for (let b = skip; b < count; b++) {
            const k = emitFrom + b - skip;
            kernel.run(s, a, b, sink.labels.subarray(k * npx, (k + 1) * npx), confFloat);
            if (sink.confidence && confFloat) for (let n = 0; n < npx; n++) sink.confidence[k * npx + n] = toByte(confFloat[n]);
          }
          return { bytes: s.byteLength + a.byteLength, readMs: t1 - t, cpuMs: now() - t1 };
        },
      };
    },
    dispose() {},
  };
}

/** WebGL (or forced): plain tfjs ops; labels and float confidence are read back. */
function tfOpsStep(params: PostprocessParams, sink: SliceSink): PostStep {
  const npx = params.cols * params.rows;
  const ops = new TfOpsPostprocessor(params);
  return {
    kind: 'tfjs-ops',
    run({ seg, attention, skip, count, emitFrom }) {
      const r = ops.run(seg, attention, skip);
      return {
        live: [r.labels, r.confidence],
        last: r.confidence,
        read: async () => {
          const t = now();
          const [l, c] = await Promise.all([r.labels.data(), r.confidence.data()]);
          if (sink.closed) return null;
          const readMs = now() - t;
          for (let b = 0; b < count - skip; b++) {
            const k = emitFrom + b;
            for (let n = 0; n < npx; n++) sink.labels[k * npx + n] = l[b * npx + n];
            if (sink.confidence) for (let n = 0; n < npx; n++) sink.confidence[k * npx + n] = toByte(c[b * npx + n]);
          }
          return { bytes: (l as Int32Array).byteLength + (c as Float32Array).byteLength, readMs, cpuMs: 0 };
        },
      };
    },
    dispose: () => ops.dispose(),
  };
}

/**
 * 'auto': fused WGSL on WebGPU (with a device), the typed-array kernel on wasm / cpu, tfjs ops otherwise
 * (WebGL). 'tfops' and 'cpu' force a step on any backend (benchmarks, tests).
 */
export function postStepKind(backend: string, hasGpuDevice: boolean, mode: 'auto' | 'tfops' | 'cpu'): PostStepKind {
  if (mode === 'auto' && backend === 'webgpu' && hasGpuDevice) return 'fused-wgsl';
  if (mode === 'cpu' || (mode === 'auto' && (backend === 'wasm' || backend === 'cpu'))) return 'cpu-kernel';
  return 'tfjs-ops';
}

export function createPostStep(kind: PostStepKind, params: PostprocessParams, sink: SliceSink): PostStep {
  if (kind === 'fused-wgsl') return fusedStep(params, sink);
  if (kind === 'cpu-kernel') return cpuKernelStep(params, sink);
  return tfOpsStep(params, sink);
}
