import { describe, expect, it } from 'vitest';
import { EditSession } from '../../../src/edit/session';
import { LabelStore } from '../../../src/store/labelStore';

/** A real label store; `refreshed`: per change event, the axial slices it names (what the overlay redraws). */
function storeFixture(dims: [number, number, number]) {
  const store = new LabelStore({ dims, spacing: [1, 1, 1] });
  const size = dims[0] * dims[1];
  const refreshed: number[][] = [];
  store.subscribe((c) => {
    if (c.kind === 'slices') refreshed.push([...c.slices]);
    if (c.kind === 'voxels') refreshed.push([...new Set(Array.from(c.flat, (n) => Math.floor(n / size)))].sort((a, b) => a - b));
  });
  return { overlay: store, labels: store.labels, refreshed, replace: () => store.clear() };
}

describe('EditSession', () => {
  it('a stroke redraws its slice, counts as one undo step and marks the organ edited', () => {
    const f = storeFixture([5, 4, 3]);
    const s = new EditSession(f.overlay, [5, 4, 3], [1, 1, 2]);
    s.setTool('brush');
    s.setRadius(0.5);
    s.strokeStart(2, [0, 0, 2], 7);
    s.strokeMove([3, 0, 2]);
    s.strokeEnd();
    expect([...f.labels.subarray(40, 45)]).toEqual([7, 7, 7, 7, 0]);
    expect(f.refreshed.every((ks) => ks.length === 1 && ks[0] === 2)).toBe(true);
    expect(s.snapshot().canUndo).toBe(true);
    expect([...s.snapshot().edited]).toEqual([7]);
    expect(s.undo()).toBe(true);
    expect(f.labels.every((v) => v === 0)).toBe(true);
    expect(s.snapshot().edited.size).toBe(0);
    expect(s.undo()).toBe(false);
  });

  it('replacing the label map forgets the history (no undo into a new segmentation)', () => {
    const f = storeFixture([5, 4, 3]);
    const s = new EditSession(f.overlay, [5, 4, 3], [1, 1, 2]);
    expect(s.clearSlice(0, 1)).toBe(0);
    f.labels[3] = 1;
    expect(s.clearSlice(0, 1)).toBe(1);
    expect(s.snapshot().canUndo).toBe(true);
    f.replace();
    expect(s.snapshot().canUndo).toBe(false);
    expect(s.snapshot().edited.size).toBe(0);
  });
});

describe('EditSession in a coronal view', () => {
  it('a stroke with normal j redraws every axial slice it crosses', () => {
    const f = storeFixture([5, 4, 3]);
    const s = new EditSession(f.overlay, [5, 4, 3], [1, 1, 1]);
    s.setTool('brush');
    s.setRadius(0.5);
    s.strokeStart(1, [2, 1, 0], 4);
    s.strokeMove([2, 1, 2]);
    s.strokeEnd();
    expect([0, 1, 2].map((k) => f.labels[2 + 5 + k * 20])).toEqual([4, 4, 4]);
    expect(new Set(f.refreshed.flat())).toEqual(new Set([0, 1, 2]));
    expect(s.history.undoCount).toBe(1);
  });
});

describe('EditSession: threshold, region, clear in any view, interpolation', () => {
  it('each kind of edit is one undo step, marks the organ, and redraws the slices it changed', () => {
    const dims: [number, number, number] = [9, 9, 5];
    const f = storeFixture([9, 9, 5]);
    // HU: left half bone (500), right half soft tissue (40)
    const hu = Int16Array.from({ length: 9 * 9 * 5 }, (_, n) => (n % 9 < 4 ? 500 : 40));
    const s = new EditSession(f.overlay, dims, [1, 1, 1], hu);
    // threshold brush: only the bone half of the disk
    s.setTool('brush');
    s.setRadius(3);
    s.setThreshold({ min: 200, max: 3000 });
    s.strokeStart(2, [4, 4, 0], 2);
    s.strokeEnd();
    const onSlice0 = [...f.labels.subarray(0, 81).entries()].filter(([, v]) => v === 2).map(([n]) => n);
    expect(onSlice0.length).toBeGreaterThan(5);
    expect(onSlice0.every((n) => n % 9 < 4)).toBe(true);
    expect(() => s.setThreshold({ min: 10, max: -10 })).toThrow(RangeError);
    s.setThreshold(null);
    // a filled square on slice 4 (larger, overlapping), then interpolation between 0 and 4
    expect(
      s.fillRegion(
        2,
        4,
        [
          [0.5, 0.5],
          [7.5, 0.5],
          [7.5, 7.5],
          [0.5, 7.5],
        ],
        2,
        'brush',
      ),
    ).toBe(49);
    f.refreshed.length = 0;
    const r = s.interpolate(2);
    expect(r.filled).toEqual([1, 2, 3]);
    expect(f.refreshed).toEqual([[1, 2, 3]]);
    // clear on a sagittal plane (i = 5): removes the organ there on every slice
    f.refreshed.length = 0;
    const cleared = s.clearPlane(0, 5, 2);
    expect(cleared).toBeGreaterThan(0);
    for (let k = 0; k < 5; k++) for (let j = 0; j < 9; j++) expect(f.labels[5 + j * 9 + k * 81]).not.toBe(2);
    expect(s.history.undoCount).toBe(4);
    expect([...s.snapshot().edited]).toEqual([2]);
    // undo the clear, the interpolation, the fill, the stroke: nothing left
    for (let n = 0; n < 4; n++) expect(s.undo()).toBe(true);
    expect(f.labels.every((v) => v === 0)).toBe(true);
    expect(s.snapshot().edited.size).toBe(0);
  });

  it('without CT values a threshold is refused', () => {
    const s = new EditSession(storeFixture([2, 2, 2]).overlay, [2, 2, 2], [1, 1, 1]);
    expect(() => s.setThreshold({ min: 0, max: 1 })).toThrow(/no CT values/);
    expect(s.snapshot().threshold).toBeNull();
  });
});

describe('EditSession with a per-voxel redraw', () => {
  it('passes each written voxel with its value before the write (strokes, undo, redo)', () => {
    const size = 6 * 6 * 2;
    const store = new LabelStore({ dims: [6, 6, 2], spacing: [1, 1, 1] });
    expect(store.labels.length).toBe(size);
    const labels = store.labels;
    labels[7] = 3;
    const calls: { flat: number[]; before: number[]; now: number[] }[] = [];
    store.subscribe((c) => {
      if (c.kind === 'slices') throw new Error('whole-slice redraw used');
      if (c.kind === 'voxels')
        calls.push({
          flat: [...Array.from(c.flat)],
          before: [...Array.from(c.before)],
          now: Array.from(c.flat, (at) => labels[at]),
        });
    });
    const s = new EditSession(store, [6, 6, 2], [1, 1, 1]);
    s.setTool('brush');
    s.setRadius(1);
    s.strokeStart(2, [1, 1, 0], 5);
    s.strokeEnd();
    expect(calls).toHaveLength(1);
    const painted = calls[0];
    expect([...painted.flat].sort((a, b) => a - b)).toEqual([1, 6, 7, 8, 13]);
    expect(painted.now.every((v) => v === 5)).toBe(true);
    expect(painted.flat.map((at, n) => `${at}:${painted.before[n]}`).filter((x) => !x.endsWith(':0'))).toEqual(['7:3']);
    s.undo();
    const undone = calls[1];
    expect(undone.before.every((v) => v === 5)).toBe(true); // what the voxels held before the undo
    expect(labels[7]).toBe(3);
    s.redo();
    expect(calls[2].before.filter((v) => v === 3)).toHaveLength(1);
    expect(labels[7]).toBe(5);
  });
});
