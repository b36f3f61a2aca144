import { describe, expect, it } from 'vitest';
import { clearInPlane, type VolumeGrid } from '../../../src/edit/brush';
import { fillPolygonInPlane, polygonMask, toPlane } from '../../../src/edit/freehand';
import { EditHistory } from '../../../src/edit/history';

const g: VolumeGrid = { dims: [6, 5, 4], spacing: [1, 1, 2] };
const idx = (i: number, j: number, k: number) => i + j * 6 + k * 30;

describe('freehand region', () => {
  it('polygonMask: a square from (0.5, 0.5) to (3.5, 2.5) covers the voxel centres 1..3 x 1..2', () => {
    const m = polygonMask(
      [
        [0.5, 0.5],
        [3.5, 0.5],
        [3.5, 2.5],
        [0.5, 2.5],
      ],
      5,
      4,
    );
    const inside: string[] = [];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 5; x++) if (m[y * 5 + x]) inside.push(`${x},${y}`);
    expect(inside).toEqual(['1,1', '2,1', '3,1', '1,2', '2,2', '3,2']);
    expect(
      polygonMask(
        [
          [0, 0],
          [3, 3],
        ],
        5,
        4,
      ).every((v) => v === 0),
    ).toBe(true);
  });

  it('toPlane picks the plane axes (axial: i, j; coronal: i, k; sagittal: j, k)', () => {
    expect(toPlane(2, [1, 2, 3])).toEqual([1, 2]);
    expect(toPlane(1, [1, 2, 3])).toEqual([1, 3]);
    expect(toPlane(0, [1, 2, 3])).toEqual([2, 3]);
  });

  it('fills a triangle on a coronal plane (j = 2) across slices, then cuts part of it out; one undo step each', () => {
    const labels = new Uint8Array(6 * 5 * 4);
    labels[idx(0, 2, 0)] = 4; // another organ inside the region: overwritten by the fill, kept by the cut
    const h = new EditHistory(labels, 30);
    const s = h.begin();
    // rectangle over i in [0, 2], k in [0, 3] on the plane j = 2
    const ks = fillPolygonInPlane(
      s,
      labels,
      g,
      1,
      2,
      [
        [-0.5, -0.5],
        [2.5, -0.5],
        [2.5, 3.5],
        [-0.5, 3.5],
      ],
      7,
      'brush',
    );
    h.commit(s, 'fill');
    expect(ks).toEqual([0, 1, 2, 3]);
    for (let k = 0; k < 4; k++) for (let i = 0; i < 6; i++) expect(labels[idx(i, 2, k)]).toBe(i <= 2 ? 7 : 0);
    expect(labels.filter((v) => v === 7)).toHaveLength(12);
    labels[idx(5, 2, 0)] = 4;
    const c = h.begin();
    fillPolygonInPlane(
      c,
      labels,
      g,
      1,
      2,
      [
        [-0.5, 1.5],
        [5.5, 1.5],
        [5.5, 3.5],
        [-0.5, 3.5],
      ],
      7,
      'erase',
    );
    h.commit(c, 'cut');
    expect(labels.filter((v) => v === 7)).toHaveLength(6);
    expect(labels[idx(5, 2, 0)]).toBe(4);
    h.undo();
    expect(labels.filter((v) => v === 7)).toHaveLength(12);
    h.undo();
    expect(labels[idx(0, 2, 0)]).toBe(4);
    expect(labels.filter((v) => v === 7)).toHaveLength(0);
  });

  it('the fill honours the voxel filter (threshold) and ignores a plane outside the volume', () => {
    const labels = new Uint8Array(6 * 5 * 4);
    const h = new EditHistory(labels, 30);
    const s = h.begin();
    fillPolygonInPlane(
      s,
      labels,
      g,
      2,
      1,
      [
        [-1, -1],
        [7, -1],
        [7, 6],
        [-1, 6],
      ],
      2,
      'brush',
      (at) => at % 2 === 0,
    );
    expect(labels.filter((v) => v === 2)).toHaveLength(15);
    expect(
      fillPolygonInPlane(
        s,
        labels,
        g,
        2,
        4,
        [
          [0, 0],
          [3, 0],
          [3, 3],
        ],
        2,
        'brush',
      ),
    ).toEqual([]);
  });

  it('clearInPlane clears the organ on a sagittal (i = 3) and a coronal plane only', () => {
    const labels = new Uint8Array(6 * 5 * 4).fill(5);
    labels[idx(3, 0, 0)] = 6;
    const h = new EditHistory(labels, 30);
    const s = h.begin();
    expect(clearInPlane(s, labels, g, 0, 3, 5)).toEqual([0, 1, 2, 3]);
    expect(labels.filter((v) => v === 0)).toHaveLength(5 * 4 - 1);
    expect(labels[idx(3, 0, 0)]).toBe(6);
    expect(clearInPlane(s, labels, g, 1, 4, 5)).toEqual([0, 1, 2, 3]);
    expect(labels.filter((v) => v === 0)).toHaveLength(19 + 6 * 4 - 4);
    expect(clearInPlane(s, labels, g, 1, 5, 5)).toEqual([]);
  });
});
