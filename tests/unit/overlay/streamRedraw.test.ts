import { describe, expect, test } from 'vitest';
import {
  overlayStreamMode,
  STREAM_REDRAW,
  STREAM_REDRAW_CPU_BOUND,
  streamRedrawPolicy,
  streamRedrawWait,
} from '../../../src/overlay/streamRedraw';

describe('streamed-slice redraws (overlay/streamRedraw.ts)', () => {
  test('?overlay= picks end, stream or automatic', () => {
    expect(overlayStreamMode('?overlay=end')).toBe('end');
    expect(overlayStreamMode('?backend=wasm&overlay=stream')).toBe('stream');
    expect(overlayStreamMode('')).toBe('auto');
    expect(overlayStreamMode('?overlay=sometimes')).toBe('auto');
  });

  test('rarer redraws only when the run keeps every core busy and the page did not ask otherwise', () => {
    expect(streamRedrawPolicy('auto', false)).toBe(STREAM_REDRAW);
    expect(streamRedrawPolicy('auto', true)).toBe(STREAM_REDRAW_CPU_BOUND);
    expect(streamRedrawPolicy('stream', true)).toBe(STREAM_REDRAW);
    expect(streamRedrawPolicy('end', false)).toBeNull();
    expect(STREAM_REDRAW_CPU_BOUND.minMs).toBeGreaterThan(STREAM_REDRAW.minMs);
  });

  test('the wait is the longer of the interval and duty x the last redraw, from the last redraw', () => {
    const p = { minMs: 1000, duty: 5 };
    expect(streamRedrawWait(p, 10_000, 50, 10_400)).toBe(600); // interval: 1000 - 400
    expect(streamRedrawWait(p, 10_000, 400, 10_400)).toBe(1600); // duty: 5 x 400 - 400
    expect(streamRedrawWait(p, 10_000, 50, 12_000)).toBeLessThanOrEqual(0); // overdue: now
    expect(streamRedrawWait(p, -Infinity, 0, 0)).toBe(-Infinity); // no redraw yet
  });
});
