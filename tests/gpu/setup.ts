/**
 * Shared set-up of the GPU tests: a real WebGPU implementation in Node (Dawn from the `webgpu`
 * package: Vulkan when a driver is present, else Mesa llvmpipe over OpenGL ES) and the engine's
 * WebGPU backend on it. Tests skip with the reason only when no adapter exists; an adapter on which the
 * engine's WebGPU backend fails is a real error and fails the GPU files (issue 22).
 */
import * as tf from '@tensorflow/tfjs-core';
import { installDawn } from '../../src/engine/node/dawn';
import { selectBackend, type BackendNotice } from '../../src/engine/backend';

export interface GpuEnv {
  notice: BackendNotice;
}

let env: Promise<GpuEnv | { skip: string }> | null = null;

export function gpuEnv(): Promise<GpuEnv | { skip: string }> {
  env ??= (async () => {
    const dawn = await installDawn();
    if (!dawn) return { skip: 'no WebGPU adapter from Dawn (neither Vulkan nor OpenGL ES)' };
    let notice: BackendNotice;
    try {
      notice = await selectBackend({ order: ['webgpu'], gpu: dawn.gpu, adapterOptions: dawn.adapterOptions });
    } catch (e) {
      throw new Error(
        `the WebGPU backend failed on an adapter that exists (${dawn.adapterDescription}): ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    console.info(`GPU tests on Dawn/${dawn.kind}: ${notice.device}`);
    return { notice };
  })();
  return env;
}

/** Deterministic pseudo-random numbers (mulberry32) so that failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { tf };
