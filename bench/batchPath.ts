/**
 * The batch / CLI path in the bench page (`/bench/index.html?mode=batch-path`): what src/batch/page.ts does for
 * one series, without its HTTP protocol: the series at /example/ (the same files the app path opens) scanned
 * and loaded as the app loads a folder, then `EngineController.segment` without onSlice (no overlay), the
 * engine in its worker (or on the main thread with `engine=main`). scripts/bench.ts compares it with the app
 * path on the same series (bench/appPath.ts).
 */
import { loadCtVolume } from '../src/dicom/build';
import { scanDicomSources, type FileSource } from '../src/dicom/series';
import type { BackendName } from '../src/engine/backend';
import { EngineController } from '../src/engine/controller';
import { watchLongTasks } from '../src/engine/ui/longTasks';
import { WASM_PATHS } from '../src/engine/assets/wasmPaths';
import type { CpuBreakdown } from './procCpu';

export interface PathFigure {
  path: 'app' | 'batch';
  engine: 'worker' | 'main-thread';
  /** WebAssembly threads the engine ran on, per engine worker (1 when not wasm) */
  threads: number;
  /** Engine workers splitting the slices (src/engine/worker/shards.ts; 1 when not wasm) */
  workers: number;
  slices: number;
  /** engine report: the run loop alone */
  seconds: number;
  slicesPerS: number;
  /** Segment pressed -> result (incl. the CT sent to the worker and the clean-up) */
  wallSeconds: number;
  longestTaskMs: number;
  /** several engine workers: when each one's share was done, s from the run's start (SegmentReport.shareSeconds) */
  shareSeconds?: number[];
  /** app path on Linux: the CPU of Chromium's threads from Segment to the result (bench/procCpu.ts) */
  cpu?: CpuBreakdown;
}

async function exampleFiles(): Promise<FileSource[]> {
  const index = (await (await fetch('/example/index.json')).json()) as { files: string[] };
  return Promise.all(
    index.files.map(async (f) => {
      const bytes = new Uint8Array(await (await fetch(`/example/${f}`)).arrayBuffer());
      return { name: f, size: bytes.length, read: async (end?: number) => (end === undefined ? bytes : bytes.subarray(0, end)) };
    }),
  );
}

export async function batchPath(
  backend: BackendName,
  engine: 'worker' | 'main-thread',
  log: (l: string) => void,
  threads?: number,
  workers?: number,
): Promise<PathFigure> {
  const sources = await exampleFiles();
  const scan = await scanDicomSources(sources);
  const series = scan.series[0];
  if (!series) throw new Error('bench batch path: no series at /example/');
  const ct = await loadCtVolume(series, { readFile: (h) => sources[h.fileIndex].read(), concurrency: 4 });
  const c = new EngineController({
    baseUrl: '/',
    backend: {
      order: [backend],
      wasmPaths: WASM_PATHS,
      ...(threads !== undefined ? { wasmThreads: threads } : {}),
      ...(workers !== undefined ? { wasmWorkers: workers } : {}),
    },
    cache: false,
    host: engine,
  });
  await c.start();
  if (c.getState().status !== 'ready') throw new Error(`engine did not start: ${c.getState().error?.message}`);
  log(`[batch path] ${c.getState().notice?.message}; engine on the ${engine}`);
  const watch = watchLongTasks();
  const t0 = performance.now();
  const r = await c.segment(ct, { protocol: 'whole' });
  const used = c.getState().notice?.threads?.threads ?? 1;
  const usedWorkers = c.getState().notice?.workers?.count ?? 1;
  const wallSeconds = (performance.now() - t0) / 1000;
  const lt = watch.stop();
  if (!r) throw new Error(`batch path run failed: ${c.getState().error?.message}`);
  c.dispose();
  return {
    path: 'batch',
    engine,
    threads: used,
    workers: usedWorkers,
    slices: r.report.slices,
    seconds: r.report.seconds,
    slicesPerS: r.report.slicesPerS,
    wallSeconds,
    longestTaskMs: lt.longestMs,
    ...(r.report.shareSeconds ? { shareSeconds: r.report.shareSeconds } : {}),
  };
}
