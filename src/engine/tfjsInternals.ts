/**
 * Every use of tfjs internals, in one file (issue 13): the WebGPU backend object and its command queue, custom
 * WGSL programs, tensors made from a program's output, the WebGL context of the webgl backend, and the WebGPU
 * buffer pool. These are not tfjs's public API and may change with a tfjs upgrade: this file is what to check.
 * ESLint (eslint.config.js, no-restricted-imports) keeps `@tensorflow/tfjs-backend-webgpu` and tfjs `dist/`
 * paths out of every other file (the wasm asset URLs, a Vite-only import, live in assets/wasmPaths.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export { WebGPUBackend, type WebGPUProgram };

/** The active backend as the WebGPU backend (callers check tf.getBackend() === 'webgpu' first). */
export const webgpuBackend = (): WebGPUBackend => tf.backend() as WebGPUBackend;

/** A tensor owning the output of backend.runWebGPUProgram. */
export const tensorFromInfo = <T extends tf.Tensor>(info: tf.TensorInfo): T => tf.engine().makeTensorFromTensorInfo(info) as T;

/**
 * Submits what tfjs has recorded on the WebGPU backend: it keeps a compute pass open across programs and
 * submitQueue needs an encoder, even an empty one.
 */
export function submitRecordedWork(backend: WebGPUBackend = webgpuBackend()): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** The WebGL context of the active webgl backend, or undefined. */
export const webglContext = (): WebGLRenderingContext | undefined =>
  (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;

/**
 * Frees the GPU buffers that tfjs keeps in its reuse pool after tensors are disposed. tfjs has no public API
 * for this; we empty the pool arrays in place (keeping the map keys, which BufferManager.releaseBuffer relies
 * on). Returns the bytes freed.
 */
export function emptyWebGpuBufferPool(backend: WebGPUBackend = webgpuBackend()): number {
  const bm = backend.bufferManager as unknown as {
    freeBuffers?: Map<string, GPUBuffer[]>;
    numFreeBuffers?: number;
    numBytesAllocated: number;
  };
  if (!(bm.freeBuffers instanceof Map)) return 0;
  let freed = 0;
  for (const list of bm.freeBuffers.values()) {
    for (const b of list) {
      freed += b.size;
      b.destroy();
    }
    list.length = 0;
  }
  bm.numBytesAllocated -= freed;
  if (typeof bm.numFreeBuffers === 'number') bm.numFreeBuffers = 0;
  return freed;
}
