/**
 * Typed errors of the pipeline steps. A step that refuses or fails throws a PipelineError naming the step and,
 * where there is one, the code of the lower layer (VolumeLoadError / EngineError code, or 'geometry').
 */

/** The steps in their order (run.ts): load -> geometry -> segment -> labelling -> structure set. */
export const PIPELINE_STEPS = ['load', 'geometry', 'segment', 'labelling', 'structure-set'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

export class PipelineError extends Error {
  constructor(
    readonly step: PipelineStep,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

export const isPipelineError = (e: unknown): e is PipelineError => e instanceof PipelineError;
