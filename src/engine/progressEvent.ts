/**
 * Every engine progress report (once per delivered batch) is also dispatched synchronously as a DOM event on
 * `window`, `aa-segment-progress` with the SegmentProgress (and whether the run keeps every core busy) as detail: a listener that cancels from it stops the
 * run before the next batch, with no timing luck (tests/e2e/engine.spec.ts "cancel stops the run"). No-op
 * where there is no window (Node).
 */
import type { SegmentProgress } from './engine';

export const PROGRESS_EVENT = 'aa-segment-progress';

/** The event's detail: the engine's progress, and whether the run keeps every core busy (wasmThreads.ts). */
export interface ProgressDetail extends SegmentProgress {
  usesEveryCore: boolean;
}

export function dispatchProgress(detail: ProgressDetail): void {
  const w = globalThis as { dispatchEvent?: (e: Event) => boolean; CustomEvent?: typeof CustomEvent; document?: unknown };
  if (!w.document || typeof w.dispatchEvent !== 'function' || typeof w.CustomEvent !== 'function') return;
  w.dispatchEvent(new w.CustomEvent(PROGRESS_EVENT, { detail }));
}

/** Dispatched on `window` when a run ends (done, cancelled or failed), after its last delivery. */
export const RUN_END_EVENT = 'aa-segment-end';

export function dispatchRunEnd(): void {
  const w = globalThis as { dispatchEvent?: (e: Event) => boolean; document?: unknown };
  if (!w.document || typeof w.dispatchEvent !== 'function' || typeof Event !== 'function') return;
  w.dispatchEvent(new Event(RUN_END_EVENT));
}
