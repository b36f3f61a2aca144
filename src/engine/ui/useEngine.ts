/** React binding of the page's EngineController (backend, models and runs survive panel remounts). */
import { useEffect, useSyncExternalStore } from 'react';
import { backendOrderFromQuery, wasmThreadsFromQuery, wasmWorkersFromQuery } from '../backend';
import { getEngineController, type EngineController, type EngineState } from '../controller';
import { WASM_PATHS } from '../assets/wasmPaths';
import { progressDisplayMsFromQuery } from '../progressThrottle';

export function pageEngine(): EngineController {
  return getEngineController({
    baseUrl: import.meta.env.BASE_URL,
    backend: {
      wasmPaths: WASM_PATHS,
      order: backendOrderFromQuery(window.location.search),
      // `?workers=N`: N engine workers splitting the slices, `?threads=N`: threads per worker (alone: one
      // worker with N threads, the benchmark's comparison); default one worker per core, as the CLI: since the
      // panel stopped repainting for every batch, two workers run the app 1.84x faster than one on a 2-core
      // machine (bench/README.md, "Where the app's CPU goes"); the overlay then redraws every 5 s
      wasmWorkers: wasmWorkersFromQuery(window.location.search),
      wasmThreads: wasmThreadsFromQuery(window.location.search),
    },
    cache: true,
    // `?progress=MS`: the panel's progress figures at most every MS ms (default 250; the benchmark's A/B)
    progressDisplayMs: progressDisplayMsFromQuery(window.location.search),
    // `?engine=main`: the engine on the page's main thread, as before the worker (the benchmark's "before")
    ...(new URLSearchParams(window.location.search).get('engine') === 'main' ? { host: 'main-thread' as const } : {}),
  });
}

export function useEngine(): [EngineState, EngineController] {
  const c = pageEngine();
  const state = useSyncExternalStore(c.subscribe, c.getState);
  useEffect(() => {
    void c.start();
  }, [c]);
  return [state, c];
}
