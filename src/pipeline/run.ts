/**
 * The order of the steps, stated once: load -> check geometry -> segment -> labelling -> structure set.
 * `runPipeline` runs them without a person (the batch page, src/batch/page.ts); the app walks the same steps
 * one click at a time (App.tsx loads, Sidebar/SegmentPanel check the geometry, SegmentPanel segments,
 * overlay/panels.tsx records the labelling, ExportControls builds the structure set), calling the same
 * functions. DOM-free: it needs an engine (SegmentEngine) and a loader.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { EngineState } from '../engine/controller';
import type { SegmentReport } from '../engine/engine';
import type { ProtocolId } from '../organs';
import { PipelineError, type PipelineStep } from './errors';
import { assertSegmentable } from './geometry';
import { exportLabelling, outcomeProvenance, type ExportLabelling } from './labelling';
import { engineSegment, segment, type EngineSegment, type SegmentEngine } from './segment';
import { buildStructureSet, type Exporter, type StructureSetStep } from './structureSet';

export interface PipelineOptions {
  engine: SegmentEngine;
  protocol: ProtocolId;
  /** Connected-component clean-up after the run (default on). */
  cleanup?: boolean;
  /** Write an RTSTRUCT (a DICOM input) with or without the BODY contour; null: none (a NIfTI input). */
  structureSet: { body: boolean } | null;
  /** The call into the engine (default: the controller's run, segment.ts). */
  call?: EngineSegment;
  /** The RTSTRUCT writer (default: exportRtStruct). */
  exporter?: Exporter;
  /** Each step as it starts. */
  onStep?: (step: PipelineStep) => void;
}

export interface PipelineRun {
  ct: CtVolume;
  labels: LabelVolume;
  report: SegmentReport;
  manifest: NonNullable<EngineState['manifest']>;
  notice: NonNullable<EngineState['notice']>;
  labelling: ExportLabelling;
  /** null when no RTSTRUCT was asked for. */
  structureSet: StructureSetStep | null;
  timesMs: { load: number; inference: number; rtstruct: number };
}

const now = () => performance.now();

/** Runs every step in order; a failing step throws (PipelineError, or the lower layer's typed error). */
export async function runPipeline(load: () => Promise<CtVolume>, o: PipelineOptions): Promise<PipelineRun> {
  let t = now();
  o.onStep?.('load');
  const ct = await load();
  o.onStep?.('geometry');
  assertSegmentable(ct);
  const loadMs = now() - t;

  t = now();
  o.onStep?.('segment');
  const outcome = await segment(o.engine, ct, { protocol: o.protocol, cleanup: o.cleanup !== false }, o.call ?? engineSegment);
  const state = o.engine.getState();
  if (outcome.kind !== 'complete' || !state.notice || !state.manifest) {
    throw new PipelineError(
      'segment',
      outcome.kind === 'complete' ? undefined : outcome.error?.code,
      (outcome.kind === 'complete' ? null : outcome.error?.message) ?? 'the segmentation did not complete',
    );
  }
  const inferenceMs = now() - t;

  t = now();
  o.onStep?.('labelling');
  const labelling = exportLabelling(outcomeProvenance(state.manifest.name, outcome));
  o.onStep?.('structure-set');
  const structureSet = o.structureSet
    ? buildStructureSet(ct, outcome.labels, { body: o.structureSet.body, labelling }, o.exporter)
    : null;
  const rtstructMs = now() - t;

  return {
    ct,
    labels: outcome.labels,
    report: outcome.report,
    manifest: state.manifest,
    notice: state.notice,
    labelling,
    structureSet,
    timesMs: { load: loadMs, inference: inferenceMs, rtstruct: rtstructMs },
  };
}
