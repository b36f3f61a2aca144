/** The ring bookkeeping of the GPU pre-processing (which slices to upload), pure. */
import { describe, expect, test } from 'vitest';
import { ringCapacity, ringPlan } from '../../../src/engine/preprocess';
import { gridGeometry, slabRange } from '../../../src/engine/grid';
import { planBatches } from '../../../src/engine/batch';
import { syntheticCt } from '../../../src/engine/synthetic';

describe('ring of CT slices', () => {
  test('consecutive slabs upload only the new slices, each once', () => {
    let s = { lo: 0, hi: -1 };
    const up: number[] = [];
    for (const [first, last] of [
      [0, 6],
      [2, 9],
      [5, 12],
      [9, 12],
    ]) {
      const p = ringPlan(s.lo, s.hi, first, last, 8);
      if (p.upload) for (let k = p.upload[0]; k <= p.upload[1]; k++) up.push(k);
      s = p;
      expect(s.hi).toBe(last);
      expect(s.hi - s.lo + 1).toBeLessThanOrEqual(8);
      expect(s.lo).toBeLessThanOrEqual(first);
    }
    expect(up).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('a jump back or forward restarts the window; a slab larger than the ring is an error', () => {
    expect(ringPlan(5, 12, 1, 4, 8)).toEqual({ upload: [1, 4], lo: 1, hi: 4 });
    expect(ringPlan(0, 4, 9, 11, 8)).toEqual({ upload: [9, 11], lo: 9, hi: 11 });
    expect(ringPlan(3, 10, 4, 8, 8)).toEqual({ upload: null, lo: 3, hi: 10 });
    expect(() => ringPlan(0, -1, 0, 8, 8)).toThrow(/exceeds the ring/);
  });

  test('ringCapacity holds the slab of every batch of the plan', () => {
    const ct = syntheticCt({ cols: 8, rows: 8, slices: 40, spacing: [1, 1, 1.25] });
    const g = gridGeometry(ct, { size: 8, pixelSpacingMm: 1, sliceSpacingMm: 2.5 });
    for (const B of [1, 3, 7]) {
      const cap = ringCapacity(g, B);
      const lens = planBatches(40, B)
        .map((b) => slabRange(g, b.start, b.count))
        .map(([f, l]) => l - f + 1);
      expect(Math.max(...lens)).toBeLessThanOrEqual(cap);
      expect(cap).toBeLessThan(40);
    }
  });
});
