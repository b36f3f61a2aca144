/** Typed DICOMweb failures, each with a message a user can act on (shown as is in the app and the node's log). */

export type PacsErrorKind =
  /** Network error: wrong host or port, server down, or (in a browser) the server does not allow this origin (CORS). */
  | 'unreachable'
  /** HTTP 401 / 403: wrong user, password or token. */
  | 'auth'
  /** HTTP 404 (or not DICOM JSON) at the DICOMweb root: wrong path or no DICOMweb plugin. */
  | 'no-dicomweb'
  /** The chosen study has no CT series. */
  | 'no-ct'
  /** STOW-RS answered but did not store every instance. */
  | 'store-failed'
  /** Anything else the server answered (5xx, malformed answers). */
  | 'server';

export class PacsError extends Error {
  constructor(
    readonly kind: PacsErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PacsError';
  }
}

/**
 * Failures that may go away by themselves (outage, overload: no connection or HTTP 5xx): the node retries
 * these. A malformed answer (no status: a series without instances, an unreadable multipart) is not: retrying
 * it would block the node on one bad series, so it counts as a failed attempt at that series.
 */
export const isTransient = (e: unknown): boolean =>
  e instanceof PacsError && (e.kind === 'unreachable' || (e.kind === 'server' && e.status !== undefined && e.status >= 500));

/** The PACS (or the claim server) cannot be reached at all: an outage, not a problem of one series. */
export const isOutage = (e: unknown): boolean => e instanceof PacsError && e.kind === 'unreachable';
