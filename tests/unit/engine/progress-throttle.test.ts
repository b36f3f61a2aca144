import { describe, expect, it } from 'vitest';
import type { SegmentProgress } from '../../../src/engine/engine';
import { progressDisplayMsFromQuery, throttleProgress, type ThrottleClock } from '../../../src/engine/progressThrottle';

/** A hand-driven clock: `advance` runs the timers that fall due, in order. */
function fakeClock() {
  let t = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; f: () => void }>();
  const clock: ThrottleClock = {
    now: () => t,
    setTimeout: (f, ms) => (timers.set(nextId, { at: t + ms, f }), nextId++),
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      t = due[1].at;
      due[1].f();
    }
    t = end;
  };
  return { clock, advance, pendingTimers: () => timers.size };
}

const at = (done: number, total = 100): SegmentProgress => ({ done, total, elapsedS: 0, slicesPerS: 0, secondsLeft: NaN });

describe('throttleProgress', () => {
  it('shows the start, the first slice and the end at once, and at most one report per interval between', () => {
    const { clock, advance } = fakeClock();
    const shown: number[] = [];
    const show = throttleProgress((p) => shown.push(p.done), 250, clock);
    show(at(0)); // run started
    advance(10);
    show(at(2)); // first slices done: shown even though 10 ms passed
    for (let d = 4; d <= 20; d += 2) {
      advance(50); // a batch every 50 ms
      show(at(d));
    }
    // 0 and 2 at once; then the timer due 250 ms after the report of 2 (t=260) shows the latest report
    // it holds, 10 (the report of 12 arrives at the same instant, after it, and waits); the next timer
    // (t=510) brings the latest one, 20, with no new report arriving then
    advance(300);
    expect(shown).toEqual([0, 2, 10, 20]);
    show(at(100)); // the last slice: at once, whatever the time since the last report
    expect(shown).toEqual([0, 2, 10, 20, 100]);
  });

  it('a report waiting for its time is delivered later, or dropped by cancel', () => {
    const { clock, advance, pendingTimers } = fakeClock();
    const shown: number[] = [];
    const show = throttleProgress((p) => shown.push(p.done), 250, clock);
    show(at(0));
    show(at(1));
    advance(100);
    show(at(3));
    expect(shown).toEqual([0, 1]);
    advance(150); // 250 ms after the report of slice 1
    expect(shown).toEqual([0, 1, 3]);
    show(at(4));
    show.cancel();
    advance(1000);
    expect(shown).toEqual([0, 1, 3]);
    expect(pendingTimers()).toBe(0);
  });
});

describe('?progress=MS (progressDisplayMsFromQuery)', () => {
  it('reads a whole number of milliseconds and ignores anything else', () => {
    expect(progressDisplayMsFromQuery('?progress=1000')).toBe(1000);
    expect(progressDisplayMsFromQuery('?backend=wasm&progress=40')).toBe(40);
    expect(progressDisplayMsFromQuery('')).toBeUndefined();
    expect(progressDisplayMsFromQuery('?progress=0')).toBeUndefined();
    expect(progressDisplayMsFromQuery('?progress=-5')).toBeUndefined();
    expect(progressDisplayMsFromQuery('?progress=1.5')).toBeUndefined();
    expect(progressDisplayMsFromQuery('?progress=fast')).toBeUndefined();
  });
});
