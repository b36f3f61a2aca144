/**
 * Benchmark page for headless Chromium (driven by scripts/bench.ts through the Vite dev server):
 *   /bench/index.html?backend=webgpu|webgl|wasm&model=/models/dev-random/&slices=300&size=512
 *                    &profile=64&baseline=16[&batch=N][&skipE2e=1][&threads=N]
 *   /bench/index.html?mode=batch-path&backend=wasm[&engine=main][&threads=N][&workers=N]   (bench/batchPath.ts: the series at /example/)
 * `threads`: WebAssembly threads (1 = single-threaded; absent = one per core, as the app); `workers`: engine workers
 * splitting the slices on the batch path (absent: one per core).
 * Leaves `window.__bench` = { result } or { error } and mirrors progress into the page and the console.
 */
import { selectBackend, wasmThreadsFromQuery, wasmWorkersFromQuery, type BackendName } from '../src/engine/backend';
import { loadModel } from '../src/engine/model';
import { watchLongTasks } from '../src/engine/ui/longTasks';
import { WASM_PATHS } from '../src/engine/assets/wasmPaths';
import { batchPath, type PathFigure } from './batchPath';
import { runBench, type BenchResult } from './core';

declare global {
  interface Window {
    __bench?: { result?: BenchResult; path?: PathFigure; error?: string };
  }
}

const q = new URLSearchParams(location.search);
const num = (k: string, d: number) => (q.has(k) ? Number(q.get(k)) : d);
const pre = document.getElementById('log')!;
const log = (l: string) => {
  pre.textContent += `\n${l}`;
  console.log(l);
};

async function main() {
  const backend = (q.get('backend') ?? 'webgpu') as BackendName;
  const threads = wasmThreadsFromQuery(location.search);
  if (q.get('mode') === 'batch-path') {
    const workers = wasmWorkersFromQuery(location.search);
    window.__bench = {
      path: await batchPath(backend, q.get('engine') === 'main' ? 'main-thread' : 'worker', log, threads, workers),
    };
    return;
  }
  const notice = await selectBackend({ order: [backend], wasmPaths: WASM_PATHS, wasmThreads: threads });
  log(notice.message);
  const model = await loadModel(q.get('model') ?? '/models/dev-random/', { cache: false });
  const result = await runBench(model, notice, `chromium-${backend}`, {
    slices: num('slices', 300),
    size: num('size', 512),
    profileSlices: num('profile', 64),
    baselineSlices: num('baseline', 16),
    batchSize: q.has('batch') ? num('batch', 1) : undefined,
    skipE2e: q.get('skipE2e') === '1',
    watchLongTasks,
    log,
  });
  model.dispose();
  window.__bench = { result };
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  log(`error: ${msg}`);
  window.__bench = { error: msg };
});
