/**
 * Typed errors of the inference engine. The UI shows `message` as is, so messages are written for the
 * user (what failed and what to do), and `code` lets callers branch without parsing text.
 */
export type EngineErrorCode =
  | 'manifest' // a model manifest or index.json does not follow CONTRACTS 4
  | 'model-load' // model.json / weights could not be fetched or parsed
  | 'backend' // no TF.js backend could be initialised
  | 'geometry' // the CT cannot be segmented (blocking geometry warning, non-axial series, ...)
  | 'busy' // another inference is running (one at a time)
  | 'cancelled' // the user cancelled the run
  | 'device-lost' // the WebGPU device was lost during the run; a retry re-creates it
  | 'internal';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** A manifest field that does not follow CONTRACTS 4. `field` is a JSON path such as `input.size`. */
export class ManifestError extends EngineError {
  readonly field: string;
  constructor(field: string, problem: string, source = 'manifest.json') {
    super('manifest', `${source}: field "${field}" ${problem}`);
    this.name = 'ManifestError';
    this.field = field;
  }
}

export function isEngineError(e: unknown, code?: EngineErrorCode): e is EngineError {
  return e instanceof EngineError && (code === undefined || e.code === code);
}
