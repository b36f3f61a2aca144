import { describe, expect, it } from 'vitest';
import { MaskedLabels } from '../../../src/labels/maskedLabels';

describe('MaskedLabels', () => {
  // 3 slices of 4 voxels
  const make = () => new MaskedLabels(Uint8Array.from([1, 1, 0, 2, 0, 0, 0, 0, 2, 2, 15, 0]), 4, 3);

  it('shows everything at first', () => {
    expect([...make().display]).toEqual([1, 1, 0, 2, 0, 0, 0, 0, 2, 2, 15, 0]);
  });

  it('zeroes hidden labels and reports only the slices that changed', () => {
    const m = make();
    expect(m.setShown([1, 15])).toEqual([0, 2]); // label 2 is on slices 0 and 2
    expect([...m.display]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0]);
    expect(m.setShown([1, 15])).toEqual([]); // no change
    expect(m.setShown([1, 2])).toEqual([0, 2]);
    expect([...m.display]).toEqual([1, 1, 0, 2, 0, 0, 0, 0, 2, 2, 0, 0]);
    expect(m.isShown(15)).toBe(false);
  });

  it('applies the current visibility to slices written later', () => {
    const m = make();
    m.setShown([2]);
    m.source.set([15, 2, 1, 0], 4);
    m.refreshSlice(1);
    expect([...m.display.subarray(4, 8)]).toEqual([0, 2, 0, 0]);
    expect(m.setShown([2, 15])).toEqual([1, 2]); // slice 1 has 15 now
  });
});
