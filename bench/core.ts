/**
 * The benchmark itself, DOM-free: runs in a Chromium page (bench/page.ts) and in Node through Dawn
 * (bench/node.ts, and on the lent NVIDIA GPU via bench/gpu-entry.mjs). On the active backend:
 *  1. warm-up (compiles every pipeline once, for both post-processing variants);
 *  2. end to end: the whole series as the app runs it (pipelined, no syncs): slices/s;
 *  3. stages: a profiled run (sync after each stage): upload + pre-processing, graph, post-processing,
 *     readback, per slice, with the engine's own post-processing (fused WGSL on WebGPU);
 *  4. baseline: the same profiled run with the plain tfjs-ops post-processing and its full readback
 *     (int32 labels + float32 confidence): on WebGPU against the fused WGSL program, on wasm / cpu
 *     against the typed-array kernel (before / after of issue 13, in the same run); ratio baseline / own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activeGpuDevice, type BackendNotice } from '../src/engine/backend';
import { chooseBatchSize } from '../src/engine/batch';
import { segmentVolume, type SegmentReport } from '../src/engine/engine';
import type { LoadedModel } from '../src/engine/model';
import { syntheticCt } from '../src/engine/synthetic';

export interface BenchConfig {
  slices: number;
  size: number;
  /** slices of the profiled stage run (0 = all) */
  profileSlices: number;
  /** slices of the baseline run */
  baselineSlices: number;
  batchSize?: number;
  /** skip the end-to-end run over all slices (only stages + baseline) */
  skipE2e?: boolean;
  /** extra end-to-end runs with these batch sizes */
  sweep?: number[];
  /** Chromium: watches main-thread long tasks during the end-to-end run */
  watchLongTasks?: () => { stop: () => { longestMs: number } };
  log?: (line: string) => void;
}

export interface StageRow {
  slices: number;
  preprocessMs: number;
  graphMs: number;
  postprocessMs: number;
  readbackMs: number;
  bytesPerSlice: number;
  bytesPerVoxel: number;
  /** CT bytes uploaded per slice (2 with each int16 slice uploaded once) */
  uploadBytesPerSlice: number;
  postprocess: SegmentReport['postprocess'];
  preprocess: SegmentReport['preprocess'];
}

export interface BenchResult {
  where: string;
  backend: string;
  device: string;
  model: { id: string; size: number };
  ct: { cols: number; rows: number; slices: number };
  batchSize: number;
  /** first run (compiles every pipeline): seconds for one batch */
  warmupSeconds: number;
  e2e: { slices: number; seconds: number; slicesPerS: number } | null;
  /** per-slice ms of the engine's own path */
  stages: StageRow;
  /** per-slice ms of the tfjs-ops post-processing + full readback (where the engine's own path is another) */
  baseline: StageRow | null;
  /** WebGPU: the same profiled stage run with the former per-batch slab upload (issue 13 before / after) */
  preBaseline: StageRow | null;
  /** baseline / own path: post-processing alone, and post-processing + readback */
  ratio: { post: number; postAndReadback: number } | null;
  memory: { numTensorsBefore: number; numTensorsAfter: number };
  sweep: { batch: number; seconds: number; slicesPerS: number }[];
  /** Chromium only: longest main-thread task during the end-to-end run (ms) */
  longestTaskMs?: number;
}

function row(r: SegmentReport): StageRow {
  const s = r.stages!;
  const n = r.slicesDone;
  return {
    slices: n,
    preprocessMs: s.preprocessMs / n,
    graphMs: s.graphMs / n,
    postprocessMs: s.postprocessMs / n,
    readbackMs: s.readbackMs / n,
    bytesPerSlice: r.bytesReadBack / n,
    bytesPerVoxel: r.bytesReadBackPerVoxel,
    uploadBytesPerSlice: r.bytesUploaded / n,
    postprocess: r.postprocess,
    preprocess: r.preprocess,
  };
}

export async function runBench(model: LoadedModel, notice: BackendNotice, where: string, cfg: BenchConfig): Promise<BenchResult> {
  const log = cfg.log ?? (() => {});
  const mk = (slices: number) => syntheticCt({ cols: cfg.size, rows: cfg.size, slices });
  const numTensorsBefore = tf.memory().numTensors;
  const base: { protocol: 'whole'; batchSize?: number } = { protocol: 'whole', batchSize: cfg.batchSize };

  const S = model.manifest.input.size;
  const batchSize =
    cfg.batchSize ??
    chooseBatchSize(
      notice.backend,
      activeGpuDevice()?.limits ?? null,
      S,
      model.manifest.channels.length,
      cfg.size * cfg.size,
      cfg.slices,
    );
  base.batchSize = batchSize;
  log(`[${where}] warm-up, batch ${batchSize}`);
  const warm = await segmentVolume(model, mk(batchSize), { ...base, profile: true });
  // the baseline's tfjs-ops programs (and the CPU pre-processing on WebGPU) compile here, not in the timed run
  if (warm.report.postprocess !== 'tfjs-ops')
    await segmentVolume(model, mk(1), { ...base, batchSize: 1, profile: true, postprocess: 'tfops', preprocess: 'cpu' });

  let e2e: BenchResult['e2e'] = null;
  let longestTaskMs: number | undefined;
  if (!cfg.skipE2e) {
    log(`[${where}] end to end, ${cfg.slices} slices`);
    const ct = mk(cfg.slices); // generating the series is not part of the measurement
    const watch = cfg.watchLongTasks?.();
    const r = await segmentVolume(model, ct, { ...base, batchSize });
    if (watch) longestTaskMs = watch.stop().longestMs;
    e2e = { slices: cfg.slices, seconds: r.report.seconds, slicesPerS: r.report.slicesPerS };
  }

  const nStage = cfg.profileSlices > 0 ? Math.min(cfg.profileSlices, cfg.slices) : cfg.slices;
  log(`[${where}] stages, ${nStage} slices`);
  const stages = row((await segmentVolume(model, mk(nStage), { ...base, batchSize, profile: true })).report);

  let preBaseline: StageRow | null = null;
  if (stages.preprocess === 'wgsl') {
    log(`[${where}] pre-processing baseline (slab of every batch uploaded), ${nStage} slices`);
    preBaseline = row((await segmentVolume(model, mk(nStage), { ...base, batchSize, profile: true, preprocess: 'slab' })).report);
  }

  const sweep: BenchResult['sweep'] = [];
  for (const b of cfg.sweep ?? []) {
    log(`[${where}] sweep: batch ${b}`);
    await segmentVolume(model, mk(b), { ...base, batchSize: b });
    const r = await segmentVolume(model, mk(cfg.slices), { ...base, batchSize: b });
    sweep.push({ batch: b, seconds: r.report.seconds, slicesPerS: r.report.slicesPerS });
  }

  let baseline: StageRow | null = null;
  let ratio: BenchResult['ratio'] = null;
  if (stages.postprocess !== 'tfjs-ops') {
    const nBase = Math.min(cfg.baselineSlices, cfg.slices);
    log(`[${where}] baseline (tfjs ops + full readback), ${nBase} slices`);
    // Same pre-processing as the fused run; only the post-processing differs.
    baseline = row(
      (
        await segmentVolume(model, mk(nBase), {
          ...base,
          batchSize: Math.min(batchSize, nBase),
          profile: true,
          postprocess: 'tfops',
        })
      ).report,
    );
    ratio = {
      post: baseline.postprocessMs / stages.postprocessMs,
      postAndReadback: (baseline.postprocessMs + baseline.readbackMs) / (stages.postprocessMs + stages.readbackMs),
    };
  }
  return {
    where,
    backend: notice.backend,
    device: notice.device,
    model: { id: model.manifest.id, size: model.manifest.input.size },
    ct: { cols: cfg.size, rows: cfg.size, slices: cfg.slices },
    batchSize,
    warmupSeconds: warm.report.seconds,
    e2e,
    stages,
    preBaseline,
    baseline,
    ratio,
    memory: { numTensorsBefore, numTensorsAfter: tf.memory().numTensors },
    sweep,
    ...(longestTaskMs !== undefined ? { longestTaskMs } : {}),
  };
}

const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–');

/** The table `npm run bench` prints. */
export function formatTable(results: BenchResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`\n${r.where}: ${r.backend} on ${r.device}`);
    lines.push(
      `  model ${r.model.id} (S = ${r.model.size}), CT ${r.ct.cols} x ${r.ct.rows} x ${r.ct.slices}, batch ${r.batchSize}; first batch incl. pipeline compilation ${f(r.warmupSeconds, 2)} s`,
    );
    if (r.e2e)
      lines.push(`  end to end: ${r.e2e.slices} slices in ${f(r.e2e.seconds, 2)} s = ${f(r.e2e.slicesPerS, 2)} slices/s`);
    const s = r.stages;
    lines.push(
      `  per slice (${s.slices} slices profiled, ms): upload+pre ${f(s.preprocessMs, 2)} | graph ${f(s.graphMs, 2)} | post ${f(s.postprocessMs, 2)} (${s.postprocess}) | readback ${f(s.readbackMs, 2)} | ${f(s.bytesPerSlice / 1024, 0)} KiB read back (${f(s.bytesPerVoxel, 2)} B/voxel)`,
    );
    const pb = r.preBaseline;
    if (pb) {
      const mb = (x: number) => f(x / 2 ** 20, 2);
      lines.push(
        `  upload+pre: ring (each CT slice uploaded once) ${f(s.preprocessMs, 2)} ms, ${mb(s.uploadBytesPerSlice)} MiB/slice | former slab per batch ${f(pb.preprocessMs, 2)} ms, ${mb(pb.uploadBytesPerSlice)} MiB/slice: ${f(pb.preprocessMs / s.preprocessMs, 2)}x time, ${f(pb.uploadBytesPerSlice / s.uploadBytesPerSlice, 2)}x bytes`,
      );
    }
    if (r.longestTaskMs !== undefined)
      lines.push(`  longest main-thread task during the end-to-end run: ${f(r.longestTaskMs, 0)} ms`);
    lines.push(`  profiled throughput: ${f(1000 / (s.preprocessMs + s.graphMs + s.postprocessMs + s.readbackMs), 2)} slices/s`);
    for (const w of r.sweep)
      lines.push(`  batch ${w.batch}: ${r.ct.slices} slices in ${f(w.seconds, 2)} s = ${f(w.slicesPerS, 1)} slices/s`);
    if (r.baseline && r.ratio) {
      const b = r.baseline;
      lines.push(
        `  baseline tfjs ops (${b.slices} slices, ms/slice): post ${f(b.postprocessMs, 2)} | readback ${f(b.readbackMs, 2)} | ${f(b.bytesPerSlice / 1024, 0)} KiB read back (${f(b.bytesPerVoxel, 2)} B/voxel)`,
      );
      lines.push(
        `  ${s.postprocess} vs baseline: post ${f(r.ratio.post, 1)}x faster, post+readback ${f(r.ratio.postAndReadback, 1)}x faster, ${f(b.bytesPerSlice / s.bytesPerSlice, 1)}x fewer bytes read back`,
      );
    } else {
      lines.push('  (no fused WGSL or typed-array path on this backend: its post-processing is the tfjs-ops one)');
    }
  }
  return lines.join('\n');
}

/**
 * WebAssembly single- vs multi-threaded, from the two chromium-wasm runs of one `npm run bench` (issue 24):
 * end-to-end slices/s side by side, their ratio and the time a 600-slice whole-body CT would take at that rate.
 * '' when the run has not both.
 */
export function formatWasmThreads(results: BenchResult[], wholeBody = 600): string {
  const wasm = results.filter((r) => r.backend === 'wasm' && r.e2e);
  const threads = (r: BenchResult) => Number(/(\d+) threads?/.exec(r.device)?.[1] ?? 1);
  const one = wasm.find((r) => threads(r) === 1);
  const many = wasm.find((r) => threads(r) > 1);
  if (!one?.e2e || !many?.e2e) return '';
  const row = (r: BenchResult) =>
    `${threads(r)} thread${threads(r) === 1 ? ' ' : 's'}: ${f(r.e2e!.slicesPerS, 2)} slices/s, graph ${f(r.stages.graphMs, 1)} ms/slice, whole body (${wholeBody} slices) ${f(wholeBody / r.e2e!.slicesPerS, 0)} s`;
  return [
    `\nWebAssembly threads (${one.ct.cols} x ${one.ct.rows} x ${one.ct.slices}, ${one.model.id}, one run):`,
    `  ${row(one)}`,
    `  ${row(many)}`,
    `  ${threads(many)} threads / 1: ${f(many.e2e.slicesPerS / one.e2e.slicesPerS, 2)}x slices/s (graph ${f(one.stages.graphMs / many.stages.graphMs, 2)}x)`,
  ].join('\n');
}
