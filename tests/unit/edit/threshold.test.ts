import { describe, expect, it } from 'vitest';
import { paintDiskInPlane, type VolumeGrid } from '../../../src/edit/brush';
import { EditHistory } from '../../../src/edit/history';
import { HU_PRESETS, huFilter, maskByRange, presetRange, validRange } from '../../../src/edit/threshold';

describe('HU threshold', () => {
  it('maskByRange keeps only the voxels whose HU is inside the inclusive window', () => {
    const mask = Uint8Array.from([1, 1, 1, 1, 0, 1]);
    const hu = Int16Array.from([-1000, 199, 200, 3000, 500, 3001]);
    expect(maskByRange(mask, hu, { min: 200, max: 3000 })).toBe(2);
    expect([...mask]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('refuses an inverted or NaN window and misaligned arrays', () => {
    expect(validRange({ min: 5, max: 4 })).toBe(false);
    expect(validRange({ min: NaN, max: 4 })).toBe(false);
    expect(() => maskByRange(new Uint8Array(2), new Int16Array(2), { min: 1, max: 0 })).toThrow(RangeError);
    expect(() => maskByRange(new Uint8Array(2), new Int16Array(3), { min: 0, max: 1 })).toThrow(/2 voxels/);
    expect(() => huFilter(new Int16Array(1), { min: 3, max: -3 })).toThrow(RangeError);
    expect(huFilter(new Int16Array(1), null)).toBeUndefined();
  });

  it('presets: bone 200..3000, soft tissue -100..200, the no-air window excludes lung (-700) and keeps fat (-100)', () => {
    expect(presetRange('bone', { min: 0, max: 0 })).toEqual({ min: 200, max: 3000 });
    expect(presetRange('soft', { min: 0, max: 0 })).toEqual({ min: -100, max: 200 });
    expect(presetRange('custom', { min: 7, max: 9 })).toEqual({ min: 7, max: 9 });
    const noAir = HU_PRESETS.find((p) => p.id === 'no-air')!.range;
    const inside = (v: number) => v >= noAir.min && v <= noAir.max;
    expect([inside(-1000), inside(-700), inside(-100), inside(1000)]).toEqual([false, false, true, true]);
  });

  it('a threshold brush on a 5 x 5 slice paints only the in-range voxels of the disk', () => {
    const g: VolumeGrid = { dims: [5, 5, 1], spacing: [1, 1, 1] };
    const labels = new Uint8Array(25);
    labels[12] = 3; // another organ at the centre, HU out of range: kept
    // HU: left two columns bone (400), the rest soft tissue (40)
    const hu = Int16Array.from({ length: 25 }, (_, n) => (n % 5 < 2 ? 400 : 40));
    const h = new EditHistory(labels, 25);
    const s = h.begin();
    paintDiskInPlane(s, labels, g, 2, [2, 2, 0], 10, 9, 'brush', huFilter(hu, { min: 200, max: 3000 }));
    h.commit(s, 'threshold brush');
    for (let n = 0; n < 25; n++) expect(labels[n], `voxel ${n}`).toBe(n % 5 < 2 ? 9 : n === 12 ? 3 : 0);
    h.undo();
    expect([...labels].filter((v) => v === 9)).toHaveLength(0);
  });
});
