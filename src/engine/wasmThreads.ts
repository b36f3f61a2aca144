/**
 * How many threads the WebAssembly backend gets, and why (pure; backend.ts reads the environment).
 *
 * tfjs-backend-wasm's threaded SIMD build runs XNNPACK's thread pool on Web Workers that share the module's
 * memory. The browser allows shared memory only on a cross-origin isolated page (COOP/COEP headers,
 * src/node/isolation.mjs) and only where SharedArrayBuffer and WebAssembly SIMD exist. The thread count is one per
 * logical core, at most WASM_MAX_THREADS: Emscripten starts that many thread workers up front (tfjs' build has a
 * pool of 8); more would have to be started while the engine waits for them.
 *
 * `spareCores`: cores left to the page. No page leaves one now: the app did until 2026-12-07 (2 threads in one
 * worker ran its path at 0.90x of 1 thread), but with the panel no longer repainting for every batch two engine
 * workers run the app 1.84x faster than one on a 2-core machine (bench/README.md, "Where the app's CPU goes").
 */
export const WASM_MAX_THREADS = 8;

export interface WasmThreadEnvironment {
  /** self.crossOriginIsolated */
  crossOriginIsolated: boolean;
  /** typeof SharedArrayBuffer !== 'undefined' */
  sharedArrayBuffer: boolean;
  /** tfjs' WASM_HAS_SIMD_SUPPORT: the threaded build is a SIMD build */
  simd: boolean;
  /** navigator.hardwareConcurrency (0 or missing: unknown) */
  logicalCores: number;
}

export interface WasmThreadPlan {
  /** 1: the single-threaded build */
  threads: number;
  /** Why, in words for the backend notice: "2 threads, one per core" / "1 thread: ..." */
  reason: string;
  /** Fewer threads than cores because of the page or the browser (not the user's choice): the panel warns. */
  limited?: true;
}

/** `requested`: a count the user asked for (CLI --threads, ?threads=); undefined: one per core but `spareCores`. */
export function planWasmThreads(env: WasmThreadEnvironment, requested?: number, spareCores = 0): WasmThreadPlan {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1))
    throw new RangeError(`thread count must be a whole number >= 1, got ${requested}`);
  if (requested === 1) return { threads: 1, reason: '1 thread (as requested)' };
  const cores = Math.max(1, Math.floor(env.logicalCores || 1));
  const off = (why: string): WasmThreadPlan => ({
    threads: 1,
    reason: `1 thread: ${why}`,
    ...(cores > 1 ? { limited: true as const } : {}),
  });
  if (!env.crossOriginIsolated)
    return off(
      'this page is not cross-origin isolated, so the browser allows no shared memory ' +
        '(the server must send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp; README, Deployment)',
    );
  if (!env.sharedArrayBuffer) return off('this browser has no SharedArrayBuffer');
  if (!env.simd) return off('this browser has no WebAssembly SIMD (the threaded build needs it)');
  if (requested === undefined) {
    if (cores === 1) return off('this machine reports one CPU core');
    const spare = Math.max(0, Math.floor(spareCores));
    const usable = cores - spare;
    if (usable <= 1)
      return {
        threads: 1,
        reason: `1 thread: ${spare === 1 ? 'one' : spare} of this machine's ${cores} cores left to the viewer (?threads=${Math.min(cores, WASM_MAX_THREADS)} uses ${cores === 2 ? 'both' : 'all'})`,
      };
    const n = Math.min(usable, WASM_MAX_THREADS);
    const per = spare ? `one per core, ${spare} left to the viewer` : 'one per core';
    return { threads: n, reason: `${n} threads, ${per}${usable > n ? ` (of ${cores}; at most ${WASM_MAX_THREADS})` : ''}` };
  }
  const n = Math.min(requested, WASM_MAX_THREADS);
  return { threads: n, reason: `${n} threads (as requested${n < requested ? `; at most ${WASM_MAX_THREADS}` : ''})` };
}

/**
 * Engine workers on WebAssembly: instead of (or besides) threads inside one worker, several workers each predict
 * their own contiguous share of the slices (worker/shards.ts). Measured on the 2-core development machine (Node,
 * single-threaded SIMD wasm, 32 slices of 512 x 512): two processes side by side 1.80x one, while two threads
 * in one worker gave 1.61x end to end in Chromium: the threads wait for each other at every layer, and the
 * pre- and post-processing between the graphs run on one of them while the other idles. Two workers also need
 * no cross-origin isolation. At most WASM_MAX_WORKERS (each holds a copy of the weights and its own wasm memory);
 * cores beyond that become threads inside the workers where the page allows threads.
 */
export const WASM_MAX_WORKERS = 4;

export interface WasmWorkerPlan {
  workers: number;
  /** The thread count to ask each worker for (BackendOptions.wasmThreads); undefined: the worker's own plan. */
  threadsPerWorker?: number;
  /** Why, for the backend notice */
  reason: string;
}

/**
 * `requested.workers` (?workers=, CLI --workers) wins; a thread count without a worker count keeps one worker with
 * that many threads (the earlier mode, for comparisons); neither: one worker per usable core, at most
 * WASM_MAX_WORKERS.
 */
export function planWasmWorkers(
  logicalCores: number,
  requested: { workers?: number; threads?: number } = {},
  spareCores = 0,
): WasmWorkerPlan {
  const w = requested.workers;
  if (w !== undefined && (!Number.isInteger(w) || w < 1))
    throw new RangeError(`worker count must be a whole number >= 1, got ${w}`);
  const cores = Math.max(1, Math.floor(logicalCores || 1));
  if (w !== undefined) {
    const n = Math.min(w, WASM_MAX_WORKERS);
    return {
      workers: n,
      threadsPerWorker: requested.threads ?? 1,
      reason: `${n} engine worker${n === 1 ? '' : 's'} (as requested${n < w ? `; at most ${WASM_MAX_WORKERS}` : ''})`,
    };
  }
  if (requested.threads !== undefined)
    return { workers: 1, threadsPerWorker: requested.threads, reason: '1 engine worker (a thread count was given)' };
  const spare = Math.max(0, Math.floor(spareCores));
  const usable = cores - spare;
  if (usable < 2)
    return {
      workers: 1,
      reason:
        cores === 1
          ? '1 engine worker: this machine reports one CPU core'
          : `1 engine worker: ${spare === 1 ? 'one' : spare} of this machine's ${cores} cores left to the viewer (?workers=${Math.min(cores, WASM_MAX_WORKERS)} uses ${cores === 2 ? 'both' : 'more'})`,
    };
  const n = Math.min(usable, WASM_MAX_WORKERS);
  const per = Math.floor(usable / n);
  const left = spare ? `, ${spare} left to the viewer` : '';
  return {
    workers: n,
    threadsPerWorker: per,
    reason:
      per > 1
        ? `${n} engine workers x ${per} threads${left}, each predicting its share of the slices`
        : `${n} engine workers, one per core${left}, each predicting its share of the slices`,
  };
}

/**
 * Whether a run on the backend of `notice` keeps every one of `logicalCores` busy: WebAssembly or plain
 * JavaScript (the CPU backends) with engine workers x threads per worker at least the cores. The overlay then
 * redraws streamed slices less often (overlay/streamRedraw.ts): each redraw is taken from the run.
 */
export function runUsesEveryCore(
  notice: { backend: string; threads?: { threads: number }; workers?: { count: number } } | null,
  logicalCores: number,
): boolean {
  if (!notice || (notice.backend !== 'wasm' && notice.backend !== 'cpu')) return false;
  const busy = (notice.workers?.count ?? 1) * (notice.threads?.threads ?? 1);
  return busy >= Math.max(1, logicalCores || 1);
}
