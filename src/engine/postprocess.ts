/**
 * Post-processing entry points: the fused WGSL program on WebGPU (reads the model's output buffers in
 * place, returns only packed uint8 labels / confidence), and unpacking of what was read back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tensorFromInfo, webgpuBackend } from './tfjsInternals';
import type { PostprocessParams } from './programs/postprocess.ref';
import { PostprocessProgram, type PostprocessLayout } from './programs/postprocess.webgpu';

export interface PostprocessGpuOutput {
  /** int32 tensor holding the packed bytes (layout in postprocess.webgpu.ts). */
  packed: tf.Tensor1D;
  layout: PostprocessLayout;
}

/**
 * Runs the fused program on the active WebGPU backend. `seg` [B,S,S,C] and `attention` [B,C] stay on
 * the GPU. Output covers model slices firstSlice..B-1.
 */
export function postprocessWebGpu(
  seg: tf.Tensor,
  attention: tf.Tensor,
  params: PostprocessParams,
  opts: { confidence: boolean; debugFloat?: boolean; firstSlice?: number },
): PostprocessGpuOutput {
  if (tf.getBackend() !== 'webgpu') throw new Error('postprocessWebGpu needs the webgpu backend');
  const [B, S, S2, C] = seg.shape;
  if (S !== params.size || S2 !== params.size || C !== params.mask.length) {
    throw new Error(`seg shape ${seg.shape} does not match grid ${params.size} x ${params.mask.length} channels`);
  }
  const backend = webgpuBackend();
  const first = opts.firstSlice ?? 0;
  if (first < 0 || first >= B) throw new Error(`firstSlice ${first} outside the batch of ${B}`);
  const program = new PostprocessProgram(B - first, params.cols, params.rows, C, opts);
  const info = backend.runWebGPUProgram(
    program,
    [seg, attention],
    'int32',
    PostprocessProgram.uniformData(params, program.layout, first),
  );
  return { packed: tensorFromInfo<tf.Tensor1D>(info), layout: program.layout };
}

/** Views of one slice inside the read-back words (no copy). */
export function unpackSlice(
  words: Int32Array,
  layout: PostprocessLayout,
  b: number,
): { labels: Uint8Array; confidence?: Uint8Array; debugFloat?: Float32Array } {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const sliceBytes = layout.wordsPerSlice * 4;
  const labels = bytes.subarray(b * sliceBytes, b * sliceBytes + layout.pixelsPerSlice);
  const out: { labels: Uint8Array; confidence?: Uint8Array; debugFloat?: Float32Array } = { labels };
  if (layout.confidenceWords) {
    const o = layout.labelWords * 4 + b * sliceBytes;
    out.confidence = bytes.subarray(o, o + layout.pixelsPerSlice);
  }
  if (layout.debugWords) {
    const o = (layout.labelWords + layout.confidenceWords + b * layout.pixelsPerSlice) * 4;
    out.debugFloat = new Float32Array(words.buffer, words.byteOffset + o, layout.pixelsPerSlice);
  }
  return out;
}
