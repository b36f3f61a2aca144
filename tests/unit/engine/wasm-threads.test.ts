import { describe, expect, it } from 'vitest';
import {
  planWasmThreads,
  planWasmWorkers,
  runUsesEveryCore,
  WASM_MAX_THREADS,
  WASM_MAX_WORKERS,
  type WasmThreadEnvironment,
} from '../../../src/engine/wasmThreads';

const isolated: WasmThreadEnvironment = { crossOriginIsolated: true, sharedArrayBuffer: true, simd: true, logicalCores: 2 };

describe('planWasmThreads', () => {
  it('one thread per core on an isolated page', () => {
    expect(planWasmThreads(isolated)).toEqual({ threads: 2, reason: '2 threads, one per core' });
    expect(planWasmThreads({ ...isolated, logicalCores: 6 }).threads).toBe(6);
  });
  it('caps at the thread pool Emscripten starts up front, and says so', () => {
    const p = planWasmThreads({ ...isolated, logicalCores: 32 });
    expect(p.threads).toBe(WASM_MAX_THREADS);
    expect(p.reason).toMatch(/of 32; at most 8/);
    expect(planWasmThreads(isolated, 64)).toEqual({ threads: 8, reason: '8 threads (as requested; at most 8)' });
  });
  it('one thread, with the reason, where shared memory is not allowed or not there', () => {
    const noIso = planWasmThreads({ ...isolated, crossOriginIsolated: false });
    expect(noIso.threads).toBe(1);
    expect(noIso.limited).toBe(true);
    expect(noIso.reason).toMatch(
      /not cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/,
    );
    expect(planWasmThreads({ ...isolated, sharedArrayBuffer: false }).reason).toMatch(/no SharedArrayBuffer/);
    expect(planWasmThreads({ ...isolated, simd: false }).reason).toMatch(/no WebAssembly SIMD/);
    expect(planWasmThreads({ ...isolated, logicalCores: 1 }).reason).toMatch(/one CPU core/);
    expect(planWasmThreads({ ...isolated, logicalCores: 0 }).threads).toBe(1);
    // one core: one thread is all there is, not a limitation to warn about
    expect(planWasmThreads({ ...isolated, logicalCores: 1 }).limited).toBeUndefined();
    expect(planWasmThreads({ ...isolated, crossOriginIsolated: false, logicalCores: 1 }).limited).toBeUndefined();
  });
  it('a requested count wins where threads are possible; 1 always means single-threaded', () => {
    expect(planWasmThreads(isolated, 1)).toEqual({ threads: 1, reason: '1 thread (as requested)' });
    expect(planWasmThreads({ ...isolated, crossOriginIsolated: false }, 4).limited).toBe(true);
    expect(planWasmThreads({ ...isolated, crossOriginIsolated: false }, 1).reason).toBe('1 thread (as requested)');
    expect(planWasmThreads(isolated, 4)).toEqual({ threads: 4, reason: '4 threads (as requested)' });
    expect(planWasmThreads({ ...isolated, crossOriginIsolated: false }, 4).threads).toBe(1);
  });
  it('rejects counts that are not whole numbers >= 1', () => {
    expect(() => planWasmThreads(isolated, 0)).toThrow(RangeError);
    expect(() => planWasmThreads(isolated, 1.5)).toThrow(RangeError);
  });
});

describe('planWasmThreads with cores left to the page (the app leaves one to the viewer)', () => {
  it('two cores: one thread, saying why and how to use both; not a limitation of the page', () => {
    const p = planWasmThreads(isolated, undefined, 1);
    expect(p.threads).toBe(1);
    expect(p.reason).toBe("1 thread: one of this machine's 2 cores left to the viewer (?threads=2 uses both)");
    expect(p.limited).toBeUndefined();
  });
  it('more cores: all but the spare one', () => {
    expect(planWasmThreads({ ...isolated, logicalCores: 4 }, undefined, 1)).toEqual({
      threads: 3,
      reason: '3 threads, one per core, 1 left to the viewer',
    });
    expect(planWasmThreads({ ...isolated, logicalCores: 16 }, undefined, 1).threads).toBe(WASM_MAX_THREADS);
  });
  it('a requested count is used as asked', () => {
    expect(planWasmThreads(isolated, 2, 1)).toEqual({ threads: 2, reason: '2 threads (as requested)' });
  });
});

describe('planWasmWorkers (engine workers that split the slices)', () => {
  it('one single-threaded worker per usable core', () => {
    expect(planWasmWorkers(2)).toEqual({
      workers: 2,
      threadsPerWorker: 1,
      reason: '2 engine workers, one per core, each predicting its share of the slices',
    });
    expect(planWasmWorkers(4, {}, 1)).toEqual({
      workers: 3,
      threadsPerWorker: 1,
      reason: '3 engine workers, one per core, 1 left to the viewer, each predicting its share of the slices',
    });
  });
  it('at most WASM_MAX_WORKERS; the cores beyond become threads inside them', () => {
    const p = planWasmWorkers(16, {}, 1);
    expect(p.workers).toBe(WASM_MAX_WORKERS);
    expect(p.threadsPerWorker).toBe(Math.floor(15 / WASM_MAX_WORKERS));
    expect(p.reason).toBe(
      `${WASM_MAX_WORKERS} engine workers x 3 threads, 1 left to the viewer, each predicting its share of the slices`,
    );
  });
  it('one worker where one core is usable (the app on 2 cores), with the worker planning its own threads', () => {
    expect(planWasmWorkers(2, {}, 1)).toEqual({
      workers: 1,
      reason: "1 engine worker: one of this machine's 2 cores left to the viewer (?workers=2 uses both)",
    });
    expect(planWasmWorkers(1).workers).toBe(1);
    expect(planWasmWorkers(0).reason).toBe('1 engine worker: this machine reports one CPU core');
  });
  it('a requested worker count wins; a thread count alone keeps one worker with those threads', () => {
    expect(planWasmWorkers(2, { workers: 2 }, 1)).toEqual({
      workers: 2,
      threadsPerWorker: 1,
      reason: '2 engine workers (as requested)',
    });
    expect(planWasmWorkers(2, { workers: 9 }).workers).toBe(WASM_MAX_WORKERS);
    expect(planWasmWorkers(2, { workers: 9 }).reason).toContain(`at most ${WASM_MAX_WORKERS}`);
    expect(planWasmWorkers(2, { workers: 2, threads: 2 }).threadsPerWorker).toBe(2);
    expect(planWasmWorkers(8, { threads: 2 })).toEqual({
      workers: 1,
      threadsPerWorker: 2,
      reason: '1 engine worker (a thread count was given)',
    });
    expect(() => planWasmWorkers(2, { workers: 0 })).toThrow(RangeError);
  });
});

describe('runUsesEveryCore', () => {
  const wasm = (workers: number, threads: number) => ({
    backend: 'wasm',
    threads: { threads },
    workers: { count: workers },
  });
  it('wasm with workers x threads >= the cores', () => {
    expect(runUsesEveryCore(wasm(2, 1), 2)).toBe(true);
    expect(runUsesEveryCore(wasm(1, 2), 2)).toBe(true);
    expect(runUsesEveryCore(wasm(1, 1), 2)).toBe(false); // the app's default on 2 cores: one left to the page
    expect(runUsesEveryCore(wasm(4, 2), 8)).toBe(true);
    expect(runUsesEveryCore(wasm(4, 1), 8)).toBe(false);
    expect(runUsesEveryCore({ backend: 'wasm' }, 1)).toBe(true);
    expect(runUsesEveryCore({ backend: 'wasm' }, 0)).toBe(true); // unknown cores: taken as one
  });
  it('never for a GPU backend or before a backend is chosen', () => {
    expect(runUsesEveryCore({ backend: 'webgpu' }, 1)).toBe(false);
    expect(runUsesEveryCore({ backend: 'webgl', workers: { count: 2 } }, 2)).toBe(false);
    expect(runUsesEveryCore(null, 2)).toBe(false);
  });
});
