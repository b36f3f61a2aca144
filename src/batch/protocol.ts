/**
 * What the batch page (src/batch/page.ts, in headless Chromium) and the Node side of `npm run segment`
 * (src/batch/server.ts, run.ts) say to each other over the local HTTP server. Small things are JSON;
 * the label volume and the RTSTRUCT travel as raw bytes in POST bodies, never inside JSON.
 *
 * The page pulls work: GET config once, then GET next until it answers { done: true }. For each job it
 * reads the input files from /batch/files/, segments with the app's engine, and POSTs labels (uint8, CT
 * grid, CtVolume order), the RTSTRUCT (DICOM input) and finally the result (or a failure).
 */
import type { CtVolume } from '../volume/volume';
import type { BackendName, BackendNotice } from '../engine/backend';
import type { SegmentReport } from '../engine/engine';
import type { ModelMetrics, ModelVariant } from '../engine/manifest';
import type { ProtocolId } from '../organs';

export const API = {
  config: '/batch/api/config',
  next: '/batch/api/next',
  fatal: '/batch/api/fatal',
  progress: (id: number) => `/batch/api/jobs/${id}/progress`,
  labels: (id: number) => `/batch/api/jobs/${id}/labels`,
  rtstruct: (id: number) => `/batch/api/jobs/${id}/rtstruct`,
  result: (id: number) => `/batch/api/jobs/${id}/result`,
  failure: (id: number) => `/batch/api/jobs/${id}/failure`,
  /** Input file n of job id (supports Range requests, so the DICOM scan reads headers only). */
  file: (id: number, n: number) => `/batch/files/${id}/${n}`,
} as const;

export interface PageConfig {
  /** null: the app's own order (WebGPU, WebGL, wasm). */
  backend: BackendName | null;
  /** WebAssembly threads; absent = one per core (BackendOptions.wasmThreads). */
  threads?: number;
  /** Engine workers on WebAssembly; absent = one per core (BackendOptions.wasmWorkers). */
  workers?: number;
  /** Marked default in the served models/index.json, so the controller loads it first and only. */
  modelId: string;
  protocol: ProtocolId;
  /** false: no connected-component clean-up (--no-cleanup); absent = on. */
  cleanup?: boolean;
  /** Add the BODY / External contour to RS.dcm (default true; `--no-body` turns it off). */
  body?: boolean;
}

export interface InputFile {
  url: string;
  name: string;
  size: number;
}

export type JobInput =
  /** Files of one DICOM series (as grouped by the Node-side scan); the page scans and loads them as the app does. */
  | { kind: 'dicom'; files: InputFile[]; seriesKey: string }
  /** A NIfTI CT volume (HU). */
  | { kind: 'nifti'; file: InputFile };

export interface Job {
  id: number;
  /** Output folder name (OUTDIR/<name>/). */
  name: string;
  /** 1-based position and count, for messages. */
  index: number;
  total: number;
  input: JobInput;
}

export type NextAnswer = Job | { done: true };

/** A CtVolume without its voxels: what Node needs for the NIfTI affine, organ volumes and references. */
export type CtGeometry = Omit<CtVolume, 'hu'>;

export interface ModelSummary {
  id: string;
  name: string;
  version: string;
  variant: ModelVariant;
  inputSize: number;
  pixelSpacingMm: number;
  metrics: ModelMetrics[];
}

export interface StageTimesMs {
  /** Scan + read + decode (DICOM) or fetch + parse (NIfTI) into one HU volume. */
  load: number;
  /** The engine run (pre-processing, network, post-processing, read-back). */
  inference: number;
  /** Contour extraction + RTSTRUCT writer (DICOM only). */
  rtstruct: number;
  /** POSTing labels and RTSTRUCT to Node. */
  upload: number;
}

export interface JobResult {
  ct: CtGeometry;
  /** NIfTI input: its grid, and CtVolume slice k = NIfTI slice sliceOrder[k] (results go back onto that grid). */
  nifti?: { sliceOrder: number[]; dims: [number, number, number]; affine: number[][] };
  engine: SegmentReport;
  backend: BackendNotice;
  model: ModelSummary;
  /** Model weights load time, reported with the first job only (ms). */
  modelLoadMs?: number;
  timesMs: StageTimesMs;
  rtstruct?: {
    bytes: number;
    roiCount: number;
    contourCount: number;
    sopInstanceUID: string;
    fileName: string;
    uidNote?: string;
    characterSet?: string;
    notices?: string[];
  };
  /** DICOM input without an RS.dcm: no organ found, or the writer failed (labels and report are still written). */
  rtstructMissing?: { reason: 'no-organ' | 'error'; message: string };
  labelBytes: number;
}

export type JobStage = 'load' | 'inference' | 'rtstruct' | 'upload';

export interface JobFailure {
  stage: JobStage;
  /** EngineError / VolumeLoadError code when there is one. */
  code?: string;
  message: string;
}

export interface ProgressMessage {
  stage: JobStage;
  done: number;
  total: number;
  slicesPerS?: number;
}

export interface FatalMessage {
  message: string;
}
