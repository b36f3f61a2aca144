/**
 * The run loop: for every CT slice one prediction (5-plane window, CONTRACTS 3), batched on the active
 * backend; on WebGPU pre-processing and the fused post-processing run as WGSL programs and only packed
 * uint8 labels (+ optional uint8 confidence) are read back. Batches are pipelined: batch n+1 is
 * submitted before batch n is read back. One run at a time; cancel stops within one batch; tensors and
 * pooled GPU buffers are released at the end of every run. DOM-free (runs under Node/Dawn too).
 */
import * as tf from '@tensorflow/tfjs-core';
import { submitRecordedWork } from './tfjsInternals';
import { blockedMessage, blockingFindings, type CtVolume, type LabelVolume } from '../volume/volume';
import { protocolMask, type ProtocolId } from '../organs';
import { activeGpuDevice, releasePooledGpuMemory, takeGpuFault, type BackendName } from './backend';
import { chooseBatchSize, planBatches, runRange } from './batch';
import { CleanupScan, type CleanupReport, type OrganCleanup } from './cleanup';
import { EngineError, isEngineError } from './errors';
import { gridGeometry } from './grid';
import type { LoadedModel } from './model';
import { createPostStep, postStepKind, type PostStep, type PostStepKind, type SliceSink } from './postStep';
import { GpuPreprocessor, preprocessCpu } from './preprocess';
import { PlaneCache } from './programs/preprocess.ref';
import type { PostprocessParams } from './programs/postprocess.ref';

export interface SegmentProgress {
  done: number;
  total: number;
  elapsedS: number;
  slicesPerS: number;
  /** NaN until the first batch is done */
  secondsLeft: number;
}

export interface SegmentOptions {
  protocol: ProtocolId;
  /** Also read back uint8 confidence round(255 max q) (1 more byte per voxel). */
  confidence?: boolean;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: SegmentProgress) => void;
  /** Labels of CT slice k (a view into the result volume, valid after the run). */
  onSlice?: (k: number, labels: Uint8Array, confidence?: Uint8Array) => void;
  /** Synchronise after every stage to time it (benchmark); disables pipelining. */
  profile?: boolean;
  /**
   * 'auto': fused WGSL on WebGPU, the typed-array kernel on wasm / cpu, tfjs ops on WebGL. 'tfops'
   * forces the plain-tfjs post-processing (the benchmark baseline, on any backend); 'cpu' forces the
   * typed-array kernel (logits read back).
   */
  postprocess?: 'auto' | 'tfops' | 'cpu';
  /**
   * 'cpu' forces the CPU pre-processing on WebGPU; 'slab' the former WGSL path that uploads each
   * batch's whole slab (the benchmark baseline of the default ring, which uploads every slice once).
   */
  preprocess?: 'auto' | 'cpu' | 'slab';
  /**
   * Per-organ connected-component clean-up of a completed run (cleanup.ts; default on). Each slice is
   * scanned as soon as it is delivered (while the next batch computes); after the last one the rule is
   * applied and the slices it changes are delivered again through onSlice, so the overlay shows the
   * cleaned labels.
   */
  cleanup?: boolean;
  /**
   * Predict only CT slices [start, end) (default: all of them): one engine worker's share when several split a
   * series (worker/shards.ts). Slices outside stay 0 and are not delivered; `done` / `total` count the range. The
   * clean-up needs the whole volume, so it is off for a partial range (the caller runs it on the assembled one).
   * Only the CT slices these predictions read (grid.ts slabRange) need voxels.
   */
  slices?: { start: number; end: number };
}

/** What the clean-up did (organs with removals only); null when off or the run did not complete. */
export interface CleanupSummary {
  /** CPU time in all (slice scans during the run + the rule after it) */
  ms: number;
  /** of which after the last slice (what the run's end waits for) */
  finalMs: number;
  voxelsRemoved: number;
  slicesChanged: number;
  organs: OrganCleanup[];
}

export interface StageTimes {
  preprocessMs: number;
  graphMs: number;
  postprocessMs: number;
  readbackMs: number;
}

export interface SegmentReport {
  backend: BackendName;
  modelId: string;
  protocol: ProtocolId;
  slices: number;
  slicesDone: number;
  completed: boolean;
  /** Engine workers that split the slices between them (worker/shards.ts); absent: one. */
  workers?: number;
  /**
   * With several engine workers: when each one's share of the slices was done, in seconds from the run's start
   * (one clock, the page's), in share order; the spread is time a core waited at the end.
   */
  shareSeconds?: number[];
  batchSize: number;
  seconds: number;
  slicesPerS: number;
  postprocess: PostStepKind;
  preprocess: 'wgsl' | 'wgsl-slab' | 'cpu';
  bytesReadBack: number;
  bytesReadBackPerVoxel: number;
  bytesUploaded: number;
  /** Per-stage sums, only with `profile`. */
  stages?: StageTimes;
  memoryBefore: tf.MemoryInfo;
  memoryAfter: tf.MemoryInfo;
  gpuBytesReleased: number;
  /** Connected-component clean-up after the run (not counted in `seconds`). */
  cleanup: CleanupSummary | null;
}

export interface SegmentResult {
  labels: LabelVolume;
  confidence?: Uint8Array;
  report: SegmentReport;
}

/** Progress of a run: `done` of `total` slices after `elapsedS` seconds, with the rate and an estimate. */
export function progressAt(done: number, total: number, elapsedS: number): SegmentProgress {
  const rate = done / Math.max(elapsedS, 1e-9);
  return { done, total, elapsedS, slicesPerS: rate, secondsLeft: done ? (total - done) / rate : NaN };
}

/** The report's summary of a clean-up (organs with removals only). */
export function cleanupSummary(
  c: Pick<CleanupReport, 'voxelsRemoved' | 'changedSlices' | 'organs'>,
  ms: number,
  finalMs: number,
): CleanupSummary {
  return {
    ms,
    finalMs,
    voxelsRemoved: c.voxelsRemoved,
    slicesChanged: c.changedSlices.length,
    organs: c.organs.filter((o) => o.voxelsRemoved > 0),
  };
}

let running = false;
export function isSegmenting(): boolean {
  return running;
}

const now = () => performance.now();
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

/** Submits what tfjs has recorded (WebGPU only). */
function flushGpu(): void {
  if (activeGpuDevice()) submitRecordedWork();
}

async function sync(t: tf.Tensor): Promise<void> {
  const device = activeGpuDevice();
  if (device) {
    flushGpu();
    await device.queue.onSubmittedWorkDone();
    return;
  }
  const s = tf.sum(t);
  await s.data();
  s.dispose();
}

function faultError(e?: unknown, f = takeGpuFault()): EngineError {
  if (f?.lost)
    return new EngineError(
      'device-lost',
      `The GPU stopped responding during segmentation (${f.message}). No partial result is kept; press Retry to start again on a fresh GPU device.`,
      { cause: e },
    );
  if (f)
    return new EngineError(
      'internal',
      `GPU error during segmentation: ${f.message}. Try a smaller batch size or another model.`,
      { cause: e },
    );
  if (isEngineError(e)) return e;
  return new EngineError('internal', `Segmentation failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Segments the whole CT with the loaded model on the active backend. */
export async function segmentVolume(model: LoadedModel, ct: CtVolume, opts: SegmentOptions): Promise<SegmentResult> {
  if (running) throw new EngineError('busy', 'A segmentation is already running; wait for it or cancel it first.');
  const blocking = blockingFindings(ct.warnings);
  if (blocking.length) throw new EngineError('geometry', blockedMessage(blocking));
  const memoryBefore = tf.memory();
  const backend = tf.getBackend() as BackendName;
  const spec = model.manifest.input;
  const g = gridGeometry(ct, spec);
  const [cols, rows, nSlices] = ct.dims;
  const range = runRange(opts.slices, nSlices);
  const total = range.end - range.start;
  const npx = cols * rows;
  const C = model.manifest.channels.length;
  const device = activeGpuDevice();
  const postKind = postStepKind(backend, device !== null, opts.postprocess ?? 'auto');
  const gpuPre = backend === 'webgpu' && device !== null && opts.preprocess !== 'cpu';
  const B = opts.batchSize ?? chooseBatchSize(backend, device?.limits ?? null, spec.size, C, npx, total);
  const params: PostprocessParams = { cols, rows, size: spec.size, u: g.u, v: g.v, mask: protocolMask(opts.protocol) };
  const labels = new Uint8Array(npx * nSlices);
  const scan = opts.cleanup === false || total < nSlices ? null : new CleanupScan(labels, ct.dims, ct.spacing);
  let scanMs = 0;
  const confidence = opts.confidence ? new Uint8Array(npx * nSlices) : undefined;
  const sink: SliceSink = { labels, confidence, closed: false };
  const stages: StageTimes = { preprocessMs: 0, graphMs: 0, postprocessMs: 0, readbackMs: 0 };
  let bytesReadBack = 0;
  let bytesUploaded = 0;
  let done = 0;
  const t0 = now();
  const owned = new Set<tf.Tensor>(); // tensors alive in this run, disposed on any exit
  const keep = <T extends tf.Tensor>(t: T): T => (owned.add(t), t);
  const drop = (...ts: tf.Tensor[]) => ts.forEach((t) => (owned.delete(t), t.dispose()));
  let pre: GpuPreprocessor | null = null;
  let post: PostStep | null = null;
  let completed = false;
  let gpuBytesReleased = 0;

  type Pending = { start: number; count: number; emitFrom: number; read: Promise<void>; tensors: tf.Tensor[] };
  const emit = (k: number) => {
    opts.onSlice?.(k, labels.subarray(k * npx, (k + 1) * npx), confidence?.subarray(k * npx, (k + 1) * npx));
  };
  const progress = () => opts.onProgress?.(progressAt(done, total, (now() - t0) / 1000));

  running = true; // everything that may throw before this point leaves no state behind
  try {
    if (gpuPre) pre = new GpuPreprocessor(ct, g, spec, { batch: B, mode: opts.preprocess === 'slab' ? 'slab' : 'ring' });
    // planes of the last predictions (CT spacing down to a quarter of the model's: 5 planes x 2 slices x 2)
    const planes = gpuPre ? undefined : new PlaneCache(Math.max(16, 2 * B + 12));
    post = createPostStep(postKind, params, sink);
    const step = post;
    const onGpu = postKind === 'fused-wgsl';
    opts.onProgress?.({ done: 0, total, elapsedS: 0, slicesPerS: 0, secondsLeft: NaN });

    /** Pre-processing, the graph and the post-processing step of one batch; the read-back is left pending. */
    const submit = async (start: number, count: number, emitFrom: number): Promise<Pending> => {
      const before = new Set(owned);
      let t = now();
      const x = keep(pre ? pre.run(start, count) : preprocessCpu(ct, g, spec, start, count, planes));
      bytesUploaded += pre ? pre.lastUploadBytes : x.size * 4;
      if (opts.profile) {
        await sync(x);
        stages.preprocessMs += now() - t;
        t = now();
      }
      // Off WebGPU the graph and the tfjs-ops post-processing compute on the calling thread: give the
      // page a turn between them so that no task spans a whole slice.
      if (!onGpu && !opts.profile) await nextTask();
      const out = model.execute(x);
      [out.seg, out.attention, out.region].forEach(keep);
      if (!onGpu && !opts.profile) await nextTask();
      if (opts.profile) {
        await sync(out.seg);
        stages.graphMs += now() - t;
        t = now();
      }
      const batch = step.run({ seg: out.seg, attention: out.attention, skip: emitFrom - start, count, emitFrom });
      batch.live.forEach(keep);
      // Only what the read-back needs lives on; tfjs defers freeing buffers still in use by queued work.
      drop(...[x, out.seg, out.attention, out.region].filter((t) => !batch.live.includes(t)));
      if (opts.profile && batch.last) {
        await sync(batch.last);
        stages.postprocessMs += now() - t;
      }
      const read = batch.read().then((r) => {
        if (!r) return; // a batch abandoned by a cancel
        bytesReadBack += r.bytes;
        if (opts.profile) {
          stages.readbackMs += r.readMs;
          stages.postprocessMs += r.cpuMs;
        }
      });
      read.catch(() => {}); // awaited in finish(); avoids an unhandled rejection while pipelined
      return { start, count, emitFrom, read, tensors: [...owned].filter((x) => !before.has(x)) };
    };

    const finish = async (p: Pending) => {
      await p.read;
      drop(...p.tensors.filter((t) => owned.has(t)));
      const fault = takeGpuFault();
      if (fault) throw faultError(undefined, fault);
      for (let k = p.emitFrom; k < p.start + p.count; k++) {
        emit(k);
        if (scan?.slicesDone === k) {
          const t = now();
          scan.addSlice();
          scanMs += now() - t;
        }
      }
      done += p.start + p.count - p.emitFrom;
      progress();
    };

    // Pipelined: batch n+1 is on the GPU while batch n is read back. A cancel takes effect at the next
    // batch boundary: the batch being read is delivered, the one already submitted is abandoned.
    let pending: Pending | null = null;
    for (const b of planBatches(total, B)) {
      const batch = { start: b.start + range.start, count: b.count, emitFrom: b.emitFrom + range.start };
      if (opts.signal?.aborted) break;
      const next: Pending = await submit(batch.start, batch.count, batch.emitFrom);
      if (pending) await finish(pending);
      pending = next;
      if (opts.profile || backend !== 'webgpu' || opts.signal?.aborted) {
        if (!opts.signal?.aborted) await finish(pending);
        pending = null;
      }
      await nextTask(); // let the page render and handle input between batches
    }
    if (pending && !opts.signal?.aborted) await finish(pending);
    completed = done === total;
  } catch (e) {
    throw faultError(e);
  } finally {
    sink.closed = true;
    drop(...owned);
    pre?.dispose();
    post?.dispose();
    flushGpu(); // tfjs frees buffers of disposed in-flight tensors at its next submit
    gpuBytesReleased = releasePooledGpuMemory();
    running = false;
  }
  const seconds = (now() - t0) / 1000;
  let cleanup: CleanupSummary | null = null;
  if (completed && scan?.slicesDone === nSlices) {
    const t = now();
    const c = scan.apply();
    const finalMs = now() - t;
    for (const k of c.changedSlices) emit(k); // the overlay and any other listener get the final labels
    cleanup = cleanupSummary(c, scanMs + finalMs, finalMs);
  }
  const report: SegmentReport = {
    backend,
    modelId: model.manifest.id,
    protocol: opts.protocol,
    slices: total,
    slicesDone: done,
    completed,
    batchSize: B,
    seconds,
    slicesPerS: done / seconds,
    postprocess: postKind,
    preprocess: pre ? (pre.mode === 'ring' ? 'wgsl' : 'wgsl-slab') : 'cpu',
    bytesReadBack,
    bytesReadBackPerVoxel: done ? bytesReadBack / (done * npx) : 0,
    bytesUploaded,
    ...(opts.profile ? { stages } : {}),
    memoryBefore,
    memoryAfter: tf.memory(),
    gpuBytesReleased,
    cleanup,
  };
  return { labels, ...(confidence ? { confidence } : {}), report };
}
