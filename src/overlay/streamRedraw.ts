/**
 * How often the overlay redraws while an engine run streams label slices (issue 16, issue 24). Pure.
 *
 * Each redraw of the label map costs the page a long task and the renderer CPU (hundreds of ms with a software
 * WebGL renderer, on its own threads). Streamed slices are therefore drawn at most every `minMs` and at most
 * 1/`duty` of the time (the measured cost of the last redraw); the run's last slice, edits and style changes
 * are drawn at the next frame whatever the policy.
 *
 * When the run keeps every core busy (WebAssembly with as many engine workers x threads as the machine has
 * cores) every redraw is taken from the run, so the redraws are rarer: the progress bar and its estimate say
 * how far the run is, the contours follow every few seconds.
 */

export interface StreamRedrawPolicy {
  /** at least this long between two redraws of streamed slices */
  minMs: number;
  /** redraw at most 1/duty of the time */
  duty: number;
}

/** The engine leaves a core to the page (a GPU backend, or wasm with a spare core). */
export const STREAM_REDRAW: StreamRedrawPolicy = { minMs: 1000, duty: 5 };
/** The engine uses every core (see `runUsesEveryCore`). */
export const STREAM_REDRAW_CPU_BOUND: StreamRedrawPolicy = { minMs: 5000, duty: 20 };

/**
 * The page's choice, `?overlay=` in its URL: `end` draws streamed slices only when the run ends (very slow
 * renderers); `stream` keeps the 1 s policy even when the run uses every core; anything else: automatic.
 */
export type OverlayStreamMode = 'auto' | 'stream' | 'end';

export function overlayStreamMode(search: string): OverlayStreamMode {
  const v = new URLSearchParams(search).get('overlay');
  return v === 'end' || v === 'stream' ? v : 'auto';
}

/** The policy for a run (null: streamed slices wait for the run's end). */
export function streamRedrawPolicy(mode: OverlayStreamMode, runUsesEveryCore: boolean): StreamRedrawPolicy | null {
  if (mode === 'end') return null;
  return mode === 'auto' && runUsesEveryCore ? STREAM_REDRAW_CPU_BOUND : STREAM_REDRAW;
}

/** Milliseconds until streamed slices may be drawn (<= 0: now), after a redraw at `lastFlush` that cost `lastCost`. */
export function streamRedrawWait(policy: StreamRedrawPolicy, lastFlush: number, lastCost: number, now: number): number {
  return lastFlush + Math.max(policy.minMs, policy.duty * lastCost) - now;
}
