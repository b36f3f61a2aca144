/**
 * Several engine workers on WebAssembly, each predicting its own contiguous share of the slices (data
 * parallelism), as one EngineHost for the EngineController. On a 2-core machine two single-threaded workers
 * beat one worker with two threads (wasmThreads.ts planWasmWorkers: threads wait for each other at every
 * layer, and the pre- and post-processing between graphs leave the second core idle); they also need no
 * cross-origin isolation.
 *
 * The first worker is the page's usual one (sharedWorkerHost); the others start when wasm is selected and
 * are closed when another backend is. Every worker gets the weights (the first one loads and caches them, the
 * others then read IndexedDB) and only the CT slices its share reads (client.ts). Label slices go straight
 * into one result volume on the page; they arrive in ascending order within each share, the shares side by
 * side. The connected-component clean-up needs the whole volume, so it runs here: its scan follows the slices
 * in order as they arrive, the rest of it and the rule after the last share (cleanup.ts, yielding to the page),
 * and the slices it changes are delivered again, as segmentVolume does.
 * A failing share cancels the others; a cancel reaches all.
 */
import type { CtVolume } from '../../volume/volume';
import { noticeMessage, type BackendNotice, type BackendOptions } from '../backend';
import { splitSlices } from '../batch';
import { CLEANUP_RULES, CleanupScan, finishScanAsync } from '../cleanup';
import { cleanupSummary, progressAt } from '../engine';
import type { CleanupSummary, SegmentOptions, SegmentReport, SegmentResult, StageTimes } from '../engine';
import { EngineError } from '../errors';
import { planWasmWorkers, type WasmWorkerPlan } from '../wasmThreads';
import type { WorkerHost } from './client';
import type { EngineHost, EngineModel, LoadOptions } from './host';

const now = () => performance.now();

/** A model loaded in every worker of a ShardedHost (parts[i] in worker i). */
class ShardModel implements EngineModel {
  constructor(
    readonly parts: EngineModel[],
    readonly generation: number,
  ) {}
  get manifest() {
    return this.parts[0].manifest;
  }
  get source() {
    return this.parts[0].source;
  }
  get cacheNote() {
    return this.parts[0].cacheNote;
  }
  dispose(): void {
    for (const p of this.parts) p.dispose();
  }
}

/** The notice of the first worker, saying that `count` workers run (pure; for the panel and the chooser). */
export function withWorkers(notice: BackendNotice, count: number, reason: string): BackendNotice {
  const device = notice.device.replace(/, (\d+ threads?)$/, `, ${count} workers x $1`);
  const n = { ...notice, device, workers: { count, reason } };
  return { ...n, message: noticeMessage(n) };
}

export interface ShardedHostOptions {
  /** Logical cores of this machine (navigator.hardwareConcurrency). */
  logicalCores?: number;
}

export class ShardedHost implements EngineHost {
  readonly kind = 'worker';
  private helpers: WorkerHost[] = [];
  /** bumped whenever the set of workers changes: models of an earlier set cannot run */
  private generation = 0;

  constructor(
    private readonly primary: WorkerHost,
    private readonly makeHelper: () => WorkerHost,
    private readonly opts: ShardedHostOptions = {},
  ) {}

  /** Engine workers running now (1 unless wasm runs sharded). */
  get workers(): number {
    return 1 + this.helpers.length;
  }

  private closeHelpers() {
    for (const h of this.helpers) h.dispose();
    this.helpers = [];
    this.generation++;
  }

  private plan(opts: BackendOptions): WasmWorkerPlan {
    const cores = this.opts.logicalCores ?? (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
    return planWasmWorkers(cores, { workers: opts.wasmWorkers, threads: opts.wasmThreads }, opts.wasmSpareCores ?? 0);
  }

  async selectBackend(opts: BackendOptions): Promise<BackendNotice> {
    this.closeHelpers();
    const plan = this.plan(opts);
    const each: BackendOptions = plan.workers > 1 ? { ...opts, wasmThreads: plan.threadsPerWorker } : opts;
    const notice = await this.primary.selectBackend(each);
    if (notice.backend !== 'wasm') return notice;
    if (plan.workers === 1) return { ...notice, workers: { count: 1, reason: plan.reason } };
    const started = await Promise.allSettled(
      Array.from({ length: plan.workers - 1 }, async () => {
        const h = this.makeHelper();
        try {
          await h.selectBackend({ ...each, order: ['wasm'] });
          return h;
        } catch (e) {
          h.dispose();
          throw e;
        }
      }),
    );
    this.helpers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const count = this.workers;
    const reason = failed
      ? `${count} engine worker${count === 1 ? '' : 's'} of ${plan.workers} planned: ${plan.workers - count} could not start (${(failed.reason as Error)?.message ?? failed.reason})`
      : plan.reason;
    return withWorkers(notice, count, reason);
  }

  async resetWebGpu(opts: BackendOptions): Promise<BackendNotice> {
    this.closeHelpers();
    return this.primary.resetWebGpu(opts);
  }

  async loadModel(packageUrl: string, opts: LoadOptions): Promise<EngineModel> {
    const first = await this.primary.loadModel(packageUrl, opts);
    if (!this.helpers.length) return first;
    const generation = this.generation;
    // after the first worker: its copy is in IndexedDB now (when caching), the others read it from there
    const rest = await Promise.allSettled(
      this.helpers.map((h) => h.loadModel(packageUrl, { cache: opts.cache, label: opts.label })),
    );
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      first.dispose();
      for (const r of rest) if (r.status === 'fulfilled') r.value.dispose();
      throw failed.reason;
    }
    return new ShardModel([first, ...rest.map((r) => (r as PromiseFulfilledResult<EngineModel>).value)], generation);
  }

  async segment(model: EngineModel, ct: CtVolume, opts: SegmentOptions): Promise<SegmentResult> {
    if (!(model instanceof ShardModel)) return this.primary.segment(model, ct, opts);
    if (model.generation !== this.generation)
      throw new EngineError(
        'model-load',
        'The engine workers were restarted since this model was loaded; load it again (Retry).',
      );
    const hosts = [this.primary, ...this.helpers];
    const [cols, rows, nSlices] = ct.dims;
    const npx = cols * rows;
    const ranges = splitSlices(nSlices, hosts.length);
    const into = {
      labels: new Uint8Array(npx * nSlices),
      ...(opts.confidence ? { confidence: new Uint8Array(npx * nSlices) } : {}),
    };
    // The clean-up's component scan follows the slices as they arrive (slice k once 0..k are in: the first
    // share's during the run, the others' after it), as segmentVolume does; the rule is applied after the last.
    const scan = opts.cleanup === false ? null : new CleanupScan(into.labels, ct.dims, ct.spacing, CLEANUP_RULES);
    const delivered = new Uint8Array(nSlices);
    let scanMs = 0;
    const onSlice: SegmentOptions['onSlice'] = (k, labels, confidence) => {
      opts.onSlice?.(k, labels, confidence);
      delivered[k] = 1;
      if (scan?.slicesDone !== k) return;
      const t = now();
      while (scan.slicesDone < nSlices && delivered[scan.slicesDone]) scan.addSlice();
      scanMs += now() - t;
    };
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) stop.abort();
    const t0 = now();
    const dones = ranges.map(() => 0);
    const finished = ranges.map(() => NaN);
    const progress = () =>
      opts.onProgress?.(
        progressAt(
          dones.reduce((a, b) => a + b, 0),
          nSlices,
          (now() - t0) / 1000,
        ),
      );
    progress();
    let reports: SegmentReport[];
    try {
      const runs = ranges.map((slices, i) => {
        const run = hosts[i].segment(
          model.parts[i],
          ct,
          {
            ...opts,
            slices,
            cleanup: false,
            signal: stop.signal,
            onSlice,
            onProgress: (p) => {
              dones[i] = p.done;
              progress();
            },
          },
          into,
        );
        run.then(
          () => (finished[i] = (now() - t0) / 1000),
          () => stop.abort(), // one share failing stops the others
        );
        return run;
      });
      const settled = await Promise.allSettled(runs);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      reports = settled.map((s) => (s as PromiseFulfilledResult<SegmentResult>).value.report);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const seconds = (now() - t0) / 1000;
    const slicesDone = reports.reduce((a, r) => a + r.slicesDone, 0);
    const completed = !stop.signal.aborted && reports.every((r) => r.completed) && slicesDone === nSlices;
    let cleanup: CleanupSummary | null = null;
    if (completed && scan) {
      const t = now();
      const c = await finishScanAsync(scan, nSlices);
      const finalMs = now() - t;
      for (const k of c.changedSlices)
        opts.onSlice?.(k, into.labels.subarray(k * npx, (k + 1) * npx), into.confidence?.subarray(k * npx, (k + 1) * npx));
      cleanup = cleanupSummary(c, scanMs + finalMs, finalMs);
    }
    const bytesReadBack = reports.reduce((a, r) => a + r.bytesReadBack, 0);
    const report: SegmentReport = {
      ...reports[0],
      slices: nSlices,
      slicesDone,
      completed,
      workers: hosts.length,
      shareSeconds: finished,
      seconds,
      slicesPerS: slicesDone / seconds,
      bytesReadBack,
      bytesReadBackPerVoxel: slicesDone ? bytesReadBack / (slicesDone * npx) : 0,
      bytesUploaded: reports.reduce((a, r) => a + r.bytesUploaded, 0),
      ...(reports[0].stages ? { stages: sumStages(reports.map((r) => r.stages!)) } : {}),
      cleanup,
    };
    return { labels: into.labels, ...(into.confidence ? { confidence: into.confidence } : {}), report };
  }

  dispose(): void {
    this.closeHelpers();
    this.primary.dispose();
  }
}

/** Per-stage times of the shares, summed (CPU time across workers, not wall time). */
function sumStages(all: StageTimes[]): StageTimes {
  const s: StageTimes = { preprocessMs: 0, graphMs: 0, postprocessMs: 0, readbackMs: 0 };
  for (const t of all) {
    s.preprocessMs += t.preprocessMs;
    s.graphMs += t.graphMs;
    s.postprocessMs += t.postprocessMs;
    s.readbackMs += t.readbackMs;
  }
  return s;
}
