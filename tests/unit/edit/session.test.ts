import { describe, expect, it } from 'vitest';
import { EditSession } from '../../../src/edit/session';
import type { OrganOverlay } from '../../../src/overlay/segmentation';

function fakeOverlay(size: number) {
  const labels = new Uint8Array(size);
  const refreshed: number[][] = [];
  const replaced = new Set<() => void>();
  const o = {
    labels,
    refreshSlices: (ks: Iterable<number>) => refreshed.push([...ks]),
    onReplaced: (l: () => void) => (replaced.add(l), () => replaced.delete(l)),
    replace: () => replaced.forEach((l) => l()),
  };
  return { overlay: o as unknown as OrganOverlay, labels, refreshed, replace: o.replace };
}

describe('EditSession', () => {
  it('a stroke redraws its slice, counts as one undo step and marks the organ edited', () => {
    const f = fakeOverlay(5 * 4 * 3);
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
    const f = fakeOverlay(5 * 4 * 3);
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
    const f = fakeOverlay(5 * 4 * 3);
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
