/**
 * Step 3, segment: the CT through the engine, refused first when its geometry blocks. The engine is reached
 * through ONE call, `engineSegment` (today: the page's EngineController.segment, on the main thread); a caller
 * or the merge swaps it (e.g. for a Web Worker engine) by passing another `EngineSegment`.
 *
 * The run ends in a SegmentOutcome: complete (labels and report) or incomplete (cancelled or failed, with the
 * slices done so far); `segmentOutcome` is the pure rule that tells which from the controller's state.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { EngineController, EngineState, RunRequest } from '../engine/controller';
import type { SegmentReport, SegmentResult } from '../engine/engine';
import { assertSegmentable } from './geometry';

/** What the pipeline needs of the engine: run one segmentation, read the state it leaves. */
export type SegmentEngine = Pick<EngineController, 'segment' | 'getState'>;

/** The one call into the engine: null when the run was cancelled or failed (the state says why). */
export type EngineSegment = (engine: SegmentEngine, ct: CtVolume, req: RunRequest) => Promise<SegmentResult | null>;

/** Default: the controller's own run (segmentVolume on the page's thread). */
export const engineSegment: EngineSegment = (engine, ct, req) => engine.segment(ct, req);

export type SegmentOutcome =
  | { kind: 'complete'; labels: LabelVolume; report: SegmentReport; slicesDone: number; slices: number }
  | {
      kind: 'incomplete';
      reason: 'cancelled' | 'error';
      /** The engine's error when the run failed. */
      error: EngineState['error'];
      /** This run's report (a cancelled run has one; a failed one usually not). */
      report: SegmentReport | null;
      slicesDone: number;
      slices: number;
    };

/**
 * The outcome of a run from its result and the controller's state before (`previous` report) and after it.
 * Complete only when a result came back with a report of this run.
 */
export function segmentOutcome(
  result: Pick<SegmentResult, 'labels'> | null,
  previous: SegmentReport | null,
  after: Pick<EngineState, 'lastReport' | 'error' | 'progress'>,
  slices: number,
): SegmentOutcome {
  const report = after.lastReport !== previous ? after.lastReport : null;
  if (result && report) return { kind: 'complete', labels: result.labels, report, slicesDone: report.slicesDone, slices };
  return {
    kind: 'incomplete',
    reason: after.error ? 'error' : 'cancelled',
    error: after.error,
    report,
    slicesDone: report?.slicesDone ?? after.progress?.done ?? 0,
    slices,
  };
}

/**
 * Segments `ct`: PipelineError('geometry') when a finding blocks; an engine that refuses to start (busy, no
 * model) throws its EngineError; otherwise the outcome of the run.
 */
export async function segment(
  engine: SegmentEngine,
  ct: CtVolume,
  req: RunRequest,
  call: EngineSegment = engineSegment,
): Promise<SegmentOutcome> {
  assertSegmentable(ct);
  const previous = engine.getState().lastReport;
  const result = await call(engine, ct, req);
  return segmentOutcome(result, previous, engine.getState(), ct.dims[2]);
}
