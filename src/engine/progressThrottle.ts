/**
 * The panel's view of a run's progress, at most once per `minMs` (issue 24). The engine reports once per
 * delivered batch, which with two wasm workers and small batches is several times a second; each report
 * re-rendered the panel, and on a machine that composites in software (llvmpipe) every repaint costs the
 * GPU process CPU the network needs. The throttle keeps what a user reads: the first report (the run
 * started), the first slice done, the last report (all slices done) and, in between, the latest report
 * at most every `minMs` (a trailing timer delivers one that arrived during the quiet time, so the display
 * never stops on a stale figure).
 *
 * Only the display is throttled: the DOM progress event (progressEvent.ts) stays once per batch.
 */
import type { SegmentProgress } from './engine';

export interface ThrottleClock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ProgressThrottle {
  (p: SegmentProgress): void;
  /** Drops a report still waiting for its time (the run ended). */
  cancel(): void;
}

export function throttleProgress(
  deliver: (p: SegmentProgress) => void,
  minMs: number,
  clock: ThrottleClock = realClock,
): ProgressThrottle {
  let lastAt = -Infinity;
  let shownDone = 0;
  let pending: SegmentProgress | null = null;
  let timer: unknown = null;
  const drop = () => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    pending = null;
  };
  const show = (p: SegmentProgress) => {
    drop();
    lastAt = clock.now();
    shownDone = p.done;
    deliver(p);
  };
  const throttled = ((p: SegmentProgress) => {
    const now = clock.now();
    const milestone = p.done >= p.total || (shownDone === 0 && p.done > 0);
    if (milestone || now - lastAt >= minMs) return show(p);
    pending = p;
    timer ??= clock.setTimeout(
      () => {
        timer = null;
        if (pending) show(pending);
      },
      minMs - (now - lastAt),
    );
  }) as ProgressThrottle;
  throttled.cancel = drop;
  return throttled;
}

/**
 * `?progress=MS` in the page URL: the panel's progress display at most every MS milliseconds (the benchmark's
 * A/B of the display's cost, bench/appVariants.ts); absent or not a whole number of at least 1: undefined (the
 * controller's default).
 */
export function progressDisplayMsFromQuery(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('progress')?.trim();
  return raw && /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : undefined;
}
