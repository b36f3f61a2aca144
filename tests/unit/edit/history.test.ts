import { describe, expect, it } from 'vitest';
import {
  clearOnSlice,
  paintDisk,
  paintDiskInPlane,
  paintSegment,
  paintSegmentInPlane,
  planeAxes,
  type SliceGrid,
} from '../../../src/edit/brush';
import { EditHistory } from '../../../src/edit/history';

// 4 x 3 slices, 2 slices
const grid: SliceGrid = { cols: 4, rows: 3, slices: 2, spacing: [1, 1] };
const size = 12;

describe('EditHistory', () => {
  it('records sparse per-slice diffs, undoes and redoes them', () => {
    const labels = new Uint8Array(24);
    labels[5] = 3;
    const h = new EditHistory(labels, size);
    const s = h.begin();
    s.set(1, 7);
    s.set(5, 7); // overwrites organ 3
    s.set(13, 7); // slice 1
    s.set(2, 7);
    s.set(2, 0); // painted and taken back: not a change
    const step = h.commit(s, 'brush')!;
    expect(step.diffs.map((d) => d.k)).toEqual([0, 1]);
    expect([...step.diffs[0].index]).toEqual([1, 5]);
    expect([...step.diffs[0].before]).toEqual([0, 3]);
    expect([...step.diffs[1].index]).toEqual([1]);
    expect(step.channels).toEqual([3, 7]);
    const after = labels.slice();
    expect(h.undo()).toEqual([0, 1]);
    const expected = new Uint8Array(24);
    expected[5] = 3;
    expect(labels).toEqual(expected);
    expect(h.editedChannels().size).toBe(0);
    expect(h.redo()).toEqual([0, 1]);
    expect(labels).toEqual(after);
    expect([...h.editedChannels()].sort()).toEqual([3, 7]);
    expect(h.redo()).toBeNull();
  });

  it('an empty stroke is no step; a new edit clears the redo stack', () => {
    const labels = new Uint8Array(24);
    const h = new EditHistory(labels, size);
    expect(h.commit(h.begin(), 'nothing')).toBeNull();
    const a = h.begin();
    a.set(0, 1);
    h.commit(a, 'a');
    h.undo();
    expect(h.canRedo).toBe(true);
    const b = h.begin();
    b.set(3, 2);
    h.commit(b, 'b');
    expect(h.canRedo).toBe(false);
    expect(labels[0]).toBe(0);
    expect(labels[3]).toBe(2);
  });

  it('undoes 60 steps in order back to the start', () => {
    const labels = new Uint8Array(24);
    const h = new EditHistory(labels, size);
    for (let n = 0; n < 60; n++) {
      const s = h.begin();
      s.set(n % 24, (n % 5) + 1);
      h.commit(s, `step ${n}`);
    }
    expect(h.undoCount).toBe(60);
    for (let n = 0; n < 60; n++) expect(h.undo()).not.toBeNull();
    expect(h.undo()).toBeNull();
    expect(labels.every((v) => v === 0)).toBe(true);
  });

  it('past the limit the oldest steps drop off but their organs stay edited', () => {
    const labels = new Uint8Array(24);
    const h = new EditHistory(labels, size, 2);
    for (const c of [4, 5, 6]) {
      const s = h.begin();
      s.set(c, c);
      h.commit(s, 'x');
    }
    expect(h.undoCount).toBe(2);
    h.undo();
    h.undo();
    expect(labels[4]).toBe(4);
    expect([...h.editedChannels()]).toEqual([4]);
  });
});

describe('brush', () => {
  it('paints a disk in mm on the right slice, erases only the selected organ, clears a slice', () => {
    const labels = new Uint8Array(24);
    labels[12 + 0] = 9; // another organ on slice 1, corner
    const h = new EditHistory(labels, size);
    const s = h.begin();
    // radius 1 mm at (1,1) on slice 1: the centre and its 4 neighbours
    expect(paintDisk(s, labels, grid, 1, 1, 1, 1, 2, 'brush')).toBe(5);
    h.commit(s, 'brush');
    const on1 = [...labels.subarray(12)];
    expect(on1).toEqual([9, 2, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0]);
    expect(labels.subarray(0, 12).every((v) => v === 0)).toBe(true);
    const e = h.begin();
    paintDisk(e, labels, grid, 1, 0, 0, 1.5, 2, 'erase');
    h.commit(e, 'erase');
    expect([...labels.subarray(12)]).toEqual([9, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 0]);
    const c = h.begin();
    expect(clearOnSlice(c, labels, grid, 1, 2)).toBe(2);
    h.commit(c, 'clear');
    expect([...labels.subarray(12)]).toEqual([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    h.undo();
    h.undo();
    expect([...labels.subarray(12)]).toEqual(on1);
  });

  it('uses the pixel spacing: 2 mm columns give a narrower disk in voxels', () => {
    const labels = new Uint8Array(24);
    const h = new EditHistory(labels, size);
    const s = h.begin();
    paintDisk(s, labels, { ...grid, spacing: [2, 1] }, 0, 1, 1, 1.9, 1, 'brush');
    // columns 0 and 2 are 2 mm away (> 1.9): only column 1, rows 0..2
    expect([...labels.subarray(0, 12)]).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });

  it('a segment leaves no gaps between disks', () => {
    const labels = new Uint8Array(24);
    const h = new EditHistory(labels, size);
    const s = h.begin();
    paintSegment(s, labels, grid, 0, [0, 1], [3, 1], 0.5, 4, 'brush');
    expect([...labels.subarray(4, 8)]).toEqual([4, 4, 4, 4]);
    expect(labels[0] + labels[8]).toBe(0);
  });
});

describe('brush in any plane', () => {
  it('a coronal disk (normal j) spans slices k and agrees with the axial disk when the normal is k', () => {
    const g = { dims: [5, 4, 5] as const, spacing: [1, 1, 2] as const };
    const labels = new Uint8Array(5 * 4 * 5);
    const h = new EditHistory(labels, 20);
    const s = h.begin();
    // radius 2 mm around (2, j=1, k=2): along i +-2 voxels, along k (2 mm) +-1 slice
    const ks = paintDiskInPlane(s, labels, g, 1, [2, 1, 2], 2, 3, 'brush');
    expect(ks.sort()).toEqual([1, 2, 3]);
    const at = (i: number, j: number, k: number) => labels[i + j * 5 + k * 20];
    expect([0, 1, 2, 3, 4].map((i) => at(i, 1, 2))).toEqual([3, 3, 3, 3, 3]);
    expect([0, 1, 2, 3, 4].map((i) => at(i, 1, 1))).toEqual([0, 0, 3, 0, 0]);
    expect(at(2, 0, 2) + at(2, 2, 2)).toBe(0); // the plane only
    // normal k: the same voxels as the axial paintDisk
    const a = new Uint8Array(40 * 2);
    const b = new Uint8Array(40 * 2);
    const ga = { dims: [8, 5, 2] as const, spacing: [0.7, 1.1, 3] as const };
    paintDiskInPlane(new EditHistory(a, 40).begin(), a, ga, 2, [3.2, 2.4, 1], 2.5, 6, 'brush');
    paintDisk(
      new EditHistory(b, 40).begin(),
      b,
      { cols: 8, rows: 5, slices: 2, spacing: [0.7, 1.1] },
      1,
      3.2,
      2.4,
      2.5,
      6,
      'brush',
    );
    expect(a).toEqual(b);
    expect(planeAxes(0)).toEqual([1, 2]);
  });
  it('a sagittal move paints a band and the eraser keeps other organs', () => {
    const g = { dims: [3, 6, 6] as const, spacing: [1, 1, 1] as const };
    const labels = new Uint8Array(3 * 6 * 6);
    labels[1 + 3 * 3 + 18 * 5] = 9;
    const h = new EditHistory(labels, 18);
    const s = h.begin();
    paintSegmentInPlane(s, labels, g, 0, [1, 0, 2], [1, 5, 2], 0.5, 4, 'brush');
    const row = [0, 1, 2, 3, 4, 5].map((j) => labels[1 + j * 3 + 2 * 18]);
    expect(row).toEqual([4, 4, 4, 4, 4, 4]);
    paintSegmentInPlane(s, labels, g, 0, [1, 3, 5], [1, 3, 2], 1, 4, 'erase');
    expect(labels[1 + 3 * 3 + 18 * 5]).toBe(9);
    expect(labels[1 + 3 * 3 + 18 * 2]).toBe(0);
  });
});
