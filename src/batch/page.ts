/**
 * The headless page of `npm run segment` (batch.html): the app's own pipeline with no clicks.
 *
 * The steps and their order are src/pipeline/run.ts (runPipeline), the functions the app's panels call one
 * click at a time. DICOM: the job's files are scanned and loaded exactly as the app opens a folder
 * (scanDicomSources -> pipeline loadSeries with the browser's codecs), segmented by the page's EngineController
 * (the object behind the Segment button: same backend selection, model loading and run loop), and exported with
 * the same structure-set step as the Export button. NIfTI: the file becomes a CtVolume (niftiCt.ts) and takes
 * the same engine path. Results go back to Node as binary POSTs; see protocol.ts.
 *
 * It can also be opened by hand in any browser at the server's /batch.html while `npm run segment` runs.
 */
import { VolumeLoadError, type CompressedDecoder } from '../dicom/build';
import { withSegmentabilityChecks } from '../dicom/plausibility';
import { scanDicomSources, type FileSource } from '../dicom/series';
import type { CtVolume } from '../volume/volume';
import { EngineController } from '../engine/controller';
import { isEngineError } from '../engine/errors';
import { WASM_PATHS } from '../engine/assets/wasmPaths';
import { isPipelineError, PipelineError, type PipelineStep } from '../pipeline/errors';
import { findSeries, loadSeries } from '../pipeline/load';
import { runPipeline } from '../pipeline/run';
import { uidNote } from '../rtstruct/uids';
import { ctFromNifti } from '../nifti/ct';
import {
  API,
  type CtGeometry,
  type FatalMessage,
  type InputFile,
  type Job,
  type JobFailure,
  type JobResult,
  type JobStage,
  type ModelSummary,
  type NextAnswer,
  type PageConfig,
  type ProgressMessage,
} from './protocol';

const logEl = document.getElementById('log');
function log(line: string) {
  if (logEl) logEl.textContent += `\n${line}`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function post(url: string, body: BodyInit, type: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': type } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`);
}
const postJson = (url: string, value: unknown) => post(url, JSON.stringify(value), 'application/json');
const postBytes = (url: string, bytes: Uint8Array) =>
  post(url, new Blob([bytes as Uint8Array<ArrayBuffer>]), 'application/octet-stream');

/** A served input file read lazily; `read(end)` asks for a byte range so a scan reads headers only. */
function httpSource(f: InputFile): FileSource {
  return {
    name: f.name,
    size: f.size,
    read: async (end) => {
      if (end !== undefined && end <= 0) return new Uint8Array(0);
      const res = await fetch(f.url, end === undefined ? {} : { headers: { Range: `bytes=0-${end - 1}` } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** The viewer's codec workers (Cornerstone) are loaded only when a series is compressed. */
const lazyDecoder: CompressedDecoder = async (frame, h) => (await import('../viewer/decoder')).browserDecoder(frame, h);

function progressSender(job: Job) {
  let last = 0;
  return (p: ProgressMessage, force = false) => {
    const now = performance.now();
    if (!force && now - last < 500) return;
    last = now;
    void postJson(API.progress(job.id), p).catch(() => {});
  };
}

async function loadInput(
  job: Job,
  send: ReturnType<typeof progressSender>,
): Promise<{ ct: CtVolume; nifti?: JobResult['nifti'] }> {
  const input = job.input;
  if (input.kind === 'nifti') {
    const res = await fetch(input.file.url);
    if (!res.ok) throw new PipelineError('load', 'not-loadable', `${input.file.name}: HTTP ${res.status}`);
    const nifti = ctFromNifti(new Uint8Array(await res.arrayBuffer()), job.name);
    return { ct: nifti.volume, nifti: { sliceOrder: nifti.sliceOrder, dims: nifti.niftiDims, affine: nifti.niftiAffine } };
  }
  const sources = input.files.map(httpSource);
  const scan = await scanDicomSources(sources, { onProgress: (p) => send({ stage: 'load', done: 0, total: p.total }) });
  const series = findSeries(scan, input.seriesKey);
  const ct = await loadSeries(series, sources, {
    decoder: lazyDecoder,
    onProgress: (done, total) => send({ stage: 'load', done, total }),
  });
  return { ct };
}

function geometryOf(ct: CtVolume): CtGeometry {
  const { hu: _hu, ...rest } = ct;
  return rest;
}

/** The report's stage of a pipeline step (the geometry check belongs to loading, as the app shows it). */
const STAGE_OF: Record<PipelineStep, JobStage> = {
  load: 'load',
  geometry: 'load',
  segment: 'inference',
  labelling: 'rtstruct',
  'structure-set': 'rtstruct',
};

function failureOf(e: unknown, stage: JobStage): JobFailure {
  if (isPipelineError(e)) return { stage: STAGE_OF[e.step], code: e.code, message: e.message };
  if (e instanceof VolumeLoadError || isEngineError(e)) return { stage, code: e.code, message: e.message };
  return { stage, message: e instanceof Error ? e.message : String(e) };
}

async function runJob(engine: EngineController, cfg: PageConfig, job: Job, modelLoadMs: number | undefined): Promise<void> {
  const send = progressSender(job);
  let stage: JobStage = 'load';
  let nifti: JobResult['nifti'];
  const unsubscribe = engine.subscribe(() => {
    const p = engine.getState().progress;
    if (stage === 'inference' && p)
      send({ stage: 'inference', done: p.done, total: p.total, slicesPerS: p.slicesPerS }, p.done === p.total);
  });
  try {
    // The steps and their order: src/pipeline/run.ts (the same functions the app's panels call).
    const run = await runPipeline(
      async () => {
        const loaded = await loadInput(job, send);
        nifti = loaded.nifti;
        return withSegmentabilityChecks(loaded.ct); // the size rule (dicom/plausibility), as the app's loaders add it
      },
      {
        engine,
        protocol: cfg.protocol,
        cleanup: cfg.cleanup !== false,
        structureSet: job.input.kind === 'dicom' ? { body: cfg.body !== false } : null,
        onStep: (step) => {
          stage = STAGE_OF[step];
        },
      },
    ).finally(unsubscribe);
    const { ct, labels, structureSet: step } = run;
    const rs = step?.kind === 'written' ? step.result : null;

    stage = 'upload';
    const t = performance.now();
    send({ stage: 'upload', done: 0, total: 1 }, true);
    await postBytes(API.labels(job.id), labels);
    if (rs) await postBytes(API.rtstruct(job.id), rs.bytes);
    const uploadMs = performance.now() - t;

    const m = run.manifest;
    const model: ModelSummary = {
      id: m.id,
      name: m.name,
      version: m.version,
      variant: m.variant,
      inputSize: m.input.size,
      pixelSpacingMm: m.input.pixelSpacingMm,
      metrics: m.metrics,
    };
    const out: JobResult = {
      ct: geometryOf(ct),
      ...(nifti ? { nifti } : {}),
      engine: run.report,
      backend: run.notice,
      model,
      ...(modelLoadMs !== undefined ? { modelLoadMs } : {}),
      timesMs: { ...run.timesMs, upload: uploadMs },
      ...(rs
        ? {
            rtstruct: {
              bytes: rs.bytes.length,
              roiCount: rs.roiCount,
              contourCount: rs.contourCount,
              sopInstanceUID: rs.sopInstanceUID,
              fileName: rs.fileName,
              characterSet: rs.characterSet,
              notices: rs.notices,
              ...(uidNote(rs.referenced) ? { uidNote: uidNote(rs.referenced)! } : {}),
            },
          }
        : {}),
      ...(step && step.kind !== 'written' ? { rtstructMissing: { reason: step.kind, message: step.message } } : {}),
      labelBytes: labels.length,
    };
    await postJson(API.result(job.id), out);
    log(`${job.name}: done`);
  } catch (e) {
    // The controller stays in 'error' after a failed run until retried: recover it for the next series.
    if (engine.getState().status === 'error') await engine.retry();
    const f = failureOf(e, stage);
    log(`${job.name}: failed at ${f.stage}: ${f.message}`);
    await postJson(API.failure(job.id), f);
  }
}

async function main() {
  const cfg = await getJson<PageConfig>(API.config);
  const engine = new EngineController({
    baseUrl: import.meta.env.BASE_URL,
    backend: {
      ...(cfg.backend ? { order: [cfg.backend] } : {}),
      ...(cfg.threads !== undefined ? { wasmThreads: cfg.threads } : {}),
      ...(cfg.workers !== undefined ? { wasmWorkers: cfg.workers } : {}),
      wasmPaths: WASM_PATHS,
    },
    // A fresh browser profile every run: an IndexedDB copy of the weights would never be read again.
    cache: false,
  });
  const t0 = performance.now();
  await engine.start();
  const started = engine.getState();
  if (started.status !== 'ready') {
    const fatal: FatalMessage = { message: started.error?.message ?? `the engine did not start (${started.status})` };
    await postJson(API.fatal, fatal);
    return;
  }
  if (started.modelId !== cfg.modelId) {
    await postJson(API.fatal, {
      message: `model "${cfg.modelId}" was asked for, "${started.modelId}" loaded`,
    } satisfies FatalMessage);
    return;
  }
  let modelLoadMs: number | undefined = performance.now() - t0;
  log(started.notice?.message ?? '');
  for (;;) {
    const next = await getJson<NextAnswer>(API.next);
    if ('done' in next) break;
    await runJob(engine, cfg, next, modelLoadMs);
    modelLoadMs = undefined;
  }
  log('all series done');
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  log(`fatal: ${message}`);
  void postJson(API.fatal, { message } satisfies FatalMessage).catch(() => {});
});
