/** The per-voxel redraw of a stroke (MaskedLabels.refreshVoxels, OrganStats.updateVoxels) equals a whole-slice redraw. */
import { describe, expect, it } from 'vitest';
import { paintSegmentInPlane, type VolumeGrid } from '../../../src/edit/brush';
import { EditHistory } from '../../../src/edit/history';
import { MaskedLabels } from '../../../src/labels/maskedLabels';
import { OrganStats } from '../../../src/labels/organStats';

describe('incremental redraw of an edit stroke', () => {
  it('coronal brush + eraser moves: display and stats equal those recomputed slice by slice', () => {
    const dims: [number, number, number] = [12, 10, 8];
    const g: VolumeGrid = { dims, spacing: [1, 1, 1.5] };
    const size = 120;
    const labels = new Uint8Array(size * 8);
    for (let n = 0; n < labels.length; n += 7) labels[n] = 3; // another organ scattered around
    const inc = new MaskedLabels(labels, size, 8);
    inc.setShown([3, 5]);
    const stats = new OrganStats(dims, [1, 1, 1.5]);
    stats.setVolume(labels);
    const h = new EditHistory(labels, size);
    const s = h.begin();
    const moves: [number, number, number][] = [
      [2, 4, 1],
      [6, 4, 3],
      [9, 4, 6],
    ];
    for (let m = 1; m < moves.length; m++) {
      paintSegmentInPlane(s, labels, g, 1, moves[m - 1], moves[m], 2.5, 5, 'brush');
      const { flat, before } = s.drain();
      expect(flat.length).toBeGreaterThan(0);
      inc.refreshVoxels(flat);
      stats.updateVoxels(flat, before, labels);
    }
    paintSegmentInPlane(s, labels, g, 1, [6, 4, 3], [7, 4, 3], 1.5, 5, 'erase');
    const { flat, before } = s.drain();
    inc.refreshVoxels(flat);
    stats.updateVoxels(flat, before, labels);
    h.commit(s, 'brush');

    const full = new MaskedLabels(labels, size, 8);
    full.setShown([3, 5]);
    expect([...inc.display]).toEqual([...full.display]);
    const fresh = new OrganStats(dims, [1, 1, 1.5]);
    fresh.setVolume(labels);
    for (const c of [3, 5]) expect(stats.get(c)).toEqual(fresh.get(c));
    expect(fresh.get(5).voxels).toBeGreaterThan(10);
    // hiding organ 5 later still clears it from the slices it was painted on
    inc.setShown([3]);
    expect(inc.display.includes(5)).toBe(false);
  });
});
