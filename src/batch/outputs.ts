/**
 * Node side of one finished series: OUTDIR/<series>/RS.dcm (as the page exported it), labels.nii.gz (uint8,
 * DESIGN 3.1 values, on the CT grid: the DICOM geometry's affine, or for NIfTI input the input's own grid
 * and affine) and report.json (run facts, organ volumes, and with a reference DSC / HD95 per organ).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CtVolume } from '../volume/volume';
import { affineFromLps, writeNifti, type Mat4 } from '../nifti/nifti';
import { OrganStats } from '../labels/organStats';
import { organByChannel, type ProtocolId } from '../organs';
import { protocolChannels, protocolExclusions } from '../pipeline/protocol';
import { implausibleVolume } from '../organVolumes';
import type { SeriesJob } from './discover';
import { labelsToNiftiOrder } from '../nifti/ct';
import type { JobResult } from './protocol';
import { loadReference } from './reference';
import { scoreLabels, seriesMeanDsc, type OrganScore } from '../compare/score';
import type { Provenance } from '../labels/provenance';
import { exportOrgans } from '../pipeline/organExport';

export const REPORT_FORMAT = 'attention-anatomy-batch-report/1';

/** What the summary needs of one series. */
export interface SeriesOutcome {
  name: string;
  input: string;
  label: string;
  status: 'done' | 'failed';
  failure?: { stage: string; message: string };
  slices?: number;
  seconds?: number;
  slicesPerS?: number;
  backend?: string;
  adapter?: string;
  /** null: no reference for this series. */
  scores?: OrganScore[] | null;
  referenceError?: string;
  meanDsc?: number | null;
  /** Done, but no RS.dcm: no organ found (exit code 3) or the writer failed (exit code 1). */
  rtstructMissing?: { reason: 'no-organ' | 'error'; message: string };
}

export interface FinishedJob {
  job: SeriesJob;
  result: JobResult;
  labels: Uint8Array;
  rtstruct?: Uint8Array;
  /** Also write seg.dcm (only beside an RS.dcm: the SEG references the DICOM CT). */
  seg?: boolean;
  protocol: ProtocolId;
  /** Progress timestamps measured by Node (ms): the page's upload ended at `received`. */
  startedAt: number;
  receivedAt: number;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const r1 = (v: number) => Math.round(v * 10) / 10;

/** The result's geometry as a CtVolume for geometry-only helpers (no voxels). */
export function geometryVolume(result: JobResult): CtVolume {
  return { ...result.ct, hu: new Int16Array(0) };
}

/** labels.nii.gz bytes for a series (see the header comment). */
export function labelsNifti(result: JobResult, labels: Uint8Array, description: string): Uint8Array {
  const ct = geometryVolume(result);
  if (result.nifti) {
    const { sliceOrder, dims, affine } = result.nifti;
    return writeNifti({
      dims: [...dims],
      affine: affine as Mat4,
      data: labelsToNiftiOrder(labels, sliceOrder, dims),
      description,
    });
  }
  return writeNifti({ dims: [...ct.dims], affine: affineFromLps(ct), data: labels, description });
}

function organVolumes(ct: CtVolume, labels: Uint8Array) {
  const stats = OrganStats.forVolume(ct);
  stats.setVolume(labels);
  return stats.all().map((s) => {
    const warning = s.voxels > 0 ? implausibleVolume(s.channel, s.volumeMl) : null;
    return {
      channel: s.channel,
      organ: organByChannel(s.channel)?.tg263 ?? '',
      voxels: s.voxels,
      volumeMl: r3(s.volumeMl),
      sliceRange: s.sliceRange,
      ...(warning ? { warning } : {}),
    };
  });
}

/**
 * seg.dcm of the organs found (none found: no file, the report says why), labelled by the one export rule
 * (src/pipeline/organExport.ts) as the RS.dcm beside it: a complete run of this model.
 */
function writeSegFile(
  dir: string,
  ct: CtVolume,
  labels: Uint8Array,
  model: string,
): { file?: string; info: Record<string, unknown> } {
  try {
    const slices = ct.dims[2];
    const provenance: Provenance = { source: 'model', state: 'complete', model, slicesDone: slices, slices };
    const step = exportOrgans(ct, { labels, provenance }, { format: 'seg' });
    if (step.kind !== 'written' || !step.seg) {
      return {
        info: { error: step.kind === 'written' ? 'no segment written' : step.kind === 'confirm' ? step.question : step.message },
      };
    }
    const s = step.seg;
    writeFileSync(join(dir, 'seg.dcm'), s.bytes);
    return {
      file: 'seg.dcm',
      info: { segments: s.segmentCount, frames: s.frameCount, sopInstanceUID: s.sopInstanceUID, bytes: s.bytes.length },
    };
  } catch (e) {
    return { info: { error: e instanceof Error ? e.message : String(e) } };
  }
}

/** Writes the three files of a finished series and returns its outcome for the summary. */
export function writeSeriesOutputs(outDir: string, f: FinishedJob): SeriesOutcome {
  const { job, result, labels } = f;
  const dir = join(outDir, job.name);
  mkdirSync(dir, { recursive: true });
  const tWrite = performance.now();
  const ct = geometryVolume(result);
  const expected = ct.dims[0] * ct.dims[1] * ct.dims[2];
  if (labels.length !== expected) throw new Error(`the page sent ${labels.length} label voxels, the CT has ${expected}`);
  if (f.rtstruct && !result.rtstructMissing) writeFileSync(join(dir, 'RS.dcm'), f.rtstruct);
  const seg = f.seg && f.rtstruct && !result.rtstructMissing ? writeSegFile(dir, ct, labels, result.model.name) : null;
  writeFileSync(join(dir, 'labels.nii.gz'), labelsNifti(result, labels, `${result.model.id} ${f.protocol}`.slice(0, 79)));
  const writeMs = performance.now() - tWrite;

  const tMetrics = performance.now();
  let scores: OrganScore[] | null = null;
  let referenceError: string | undefined;
  let referenceInfo: {
    path: string;
    kind: string;
    description?: string;
    annotated?: string[];
    notes?: string[];
    error?: string;
    note?: string;
  } | null = null;
  if (job.reference) {
    try {
      const ref = loadReference(job.reference, ct);
      scores = scoreLabels(labels, ref, ct.dims, ct.spacing, protocolChannels(f.protocol));
      const { excluded } = protocolExclusions(f.protocol, ref.annotated);
      referenceInfo = {
        path: job.reference.path,
        kind: job.reference.kind,
        description: ref.description,
        annotated: ref.annotated.map((c) => organByChannel(c)?.tg263 ?? String(c)),
        notes: [
          ...ref.notes,
          ...(excluded.length
            ? [
                `not scored, excluded by the ${f.protocol} protocol: ${excluded.map((c) => organByChannel(c)?.tg263 ?? String(c)).join(', ')}`,
              ]
            : []),
        ],
      };
    } catch (e) {
      referenceError = e instanceof Error ? e.message : String(e);
      referenceInfo = { path: job.reference.path, kind: job.reference.kind, error: referenceError };
    }
  } else if (job.referenceNote) {
    referenceInfo = { path: '', kind: 'none', note: job.referenceNote };
  }
  const metricsMs = performance.now() - tMetrics;

  const e = result.engine;
  const meanDsc = scores ? seriesMeanDsc(scores) : null;
  const hds = scores?.map((s) => s.hd95Mm).filter((h): h is number => h !== null) ?? [];
  const report = {
    format: REPORT_FORMAT,
    series: {
      name: job.name,
      input: job.input,
      kind: job.kind,
      description: job.label,
      files: job.files.length,
      seriesInstanceUID: ct.meta.seriesInstanceUID,
      seriesDescription: ct.meta.seriesDescription,
      patientID: ct.meta.patientID,
    },
    ct: {
      dims: ct.dims,
      spacingMm: ct.spacing.map(r3),
      slices: ct.dims[2],
      patientPosition: ct.meta.patientPosition,
      rowCosines: ct.rowCosines,
      colCosines: ct.colCosines,
    },
    model: {
      id: result.model.id,
      name: result.model.name,
      version: result.model.version,
      variant: result.model.variant,
      inputSize: result.model.inputSize,
    },
    protocol: f.protocol,
    backend: {
      name: result.backend.backend,
      adapter: result.backend.device,
      message: result.backend.message,
      skipped: result.backend.skipped,
    },
    timingsS: {
      ...(result.modelLoadMs !== undefined ? { modelLoad: r3(result.modelLoadMs / 1000) } : {}),
      load: r3(result.timesMs.load / 1000),
      inference: r3(result.timesMs.inference / 1000),
      rtstruct: r3(result.timesMs.rtstruct / 1000),
      upload: r3(result.timesMs.upload / 1000),
      write: r3(writeMs / 1000),
      metrics: r3(metricsMs / 1000),
      total: r3((f.receivedAt - f.startedAt + writeMs + metricsMs) / 1000),
    },
    inference: {
      slices: e.slices,
      slicesPerS: r1(e.slicesPerS),
      seconds: r3(e.seconds),
      batchSize: e.batchSize,
      preprocess: e.preprocess,
      postprocess: e.postprocess,
      bytesReadBackPerVoxel: r3(e.bytesReadBackPerVoxel),
    },
    // the engine's connected-component clean-up (src/engine/cleanup.ts); null: off (--no-cleanup)
    cleanup: e.cleanup
      ? {
          ms: r1(e.cleanup.ms),
          finalMs: r1(e.cleanup.finalMs ?? e.cleanup.ms),
          voxelsRemoved: e.cleanup.voxelsRemoved,
          slicesChanged: e.cleanup.slicesChanged,
          organs: e.cleanup.organs.map((o) => ({
            organ: organByChannel(o.channel)?.tg263 ?? String(o.channel),
            components: o.components,
            kept: o.kept,
            voxelsRemoved: o.voxelsRemoved,
          })),
        }
      : null,
    slices: ct.dims[2],
    warnings: ct.warnings,
    organs: organVolumes(ct, labels),
    outputs: {
      ...(f.rtstruct && !result.rtstructMissing ? { rtstruct: 'RS.dcm' } : {}),
      ...(seg?.file ? { seg: seg.file } : {}),
      labels: 'labels.nii.gz',
    },
    ...(seg ? { seg: seg.info } : {}),
    ...(result.rtstruct
      ? {
          rtstruct: {
            rois: result.rtstruct.roiCount,
            contours: result.rtstruct.contourCount,
            sopInstanceUID: result.rtstruct.sopInstanceUID,
            bytes: result.rtstruct.bytes,
            ...(result.rtstruct.uidNote ? { uidNote: result.rtstruct.uidNote } : {}),
            ...(result.rtstruct.characterSet !== undefined ? { characterSet: result.rtstruct.characterSet } : {}),
            ...(result.rtstruct.notices?.length ? { notices: result.rtstruct.notices } : {}),
          },
        }
      : {}),
    ...(result.rtstructMissing
      ? { rtstruct: { written: false, reason: result.rtstructMissing.reason, message: result.rtstructMissing.message } }
      : {}),
    reference: referenceInfo,
    ...(scores
      ? {
          metrics: {
            meanDsc: meanDsc === null ? null : r3(meanDsc),
            meanHd95Mm: hds.length ? r1(hds.reduce((a, b) => a + b, 0) / hds.length) : null,
            emptyPredictions: scores.length - hds.length,
            perOrgan: Object.fromEntries(
              scores.map((s) => [
                s.organ,
                {
                  dsc: Math.round(s.dsc * 10000) / 10000,
                  hd95Mm: s.hd95Mm === null ? null : Math.round(s.hd95Mm * 100) / 100,
                  referenceMl: r3(s.referenceMl),
                  predictedMl: r3(s.predictedMl),
                },
              ]),
            ),
          },
        }
      : {}),
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  return {
    name: job.name,
    input: job.input,
    label: job.label,
    status: 'done',
    slices: e.slices,
    seconds: e.seconds,
    slicesPerS: e.slicesPerS,
    backend: result.backend.backend,
    adapter: result.backend.device,
    scores,
    ...(referenceError ? { referenceError } : {}),
    meanDsc,
    ...(result.rtstructMissing ? { rtstructMissing: result.rtstructMissing } : {}),
  };
}

/** A failed series still gets a report.json saying why. */
export function writeFailureReport(outDir: string, job: SeriesJob, stage: string, message: string): SeriesOutcome {
  const dir = join(outDir, job.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'report.json'),
    `${JSON.stringify({ format: REPORT_FORMAT, series: { name: job.name, input: job.input, kind: job.kind, description: job.label }, failed: { stage, message } }, null, 1)}\n`,
  );
  return { name: job.name, input: job.input, label: job.label, status: 'failed', failure: { stage, message } };
}
