/**
 * Brush speed on a 512 x 512 x 600 series (issue 14: editing stays fluid): one pointer move of a 10 mm brush
 * = the disks along the move, the overlay's per-slice redraw buffer and stats (MaskedLabels, OrganStats, as
 * OrganOverlay.refreshSlices does), and at the end of a 20-move stroke the history commit. Prints the times;
 * fails only when a move takes longer than a frame budget far above what a loaded 2-core machine needs.
 */
import { describe, expect, it } from 'vitest';
import { paintSegment, type SliceGrid } from '../../../src/edit/brush';
import { EditHistory } from '../../../src/edit/history';
import { MaskedLabels } from '../../../src/labels/maskedLabels';
import { OrganStats } from '../../../src/labels/organStats';

describe('brush stroke benchmark, 512 x 512 x 600', () => {
  it('a pointer move (paint + redraw buffers of one slice) and the stroke commit stay well under 100 ms', () => {
    const g: SliceGrid = { cols: 512, rows: 512, slices: 600, spacing: [0.98, 0.98] };
    const size = 512 * 512;
    const labels = new Uint8Array(size * 600);
    const masked = new MaskedLabels(labels, size, 600);
    const stats = new OrganStats([512, 512, 600], [0.98, 0.98, 1]);
    const h = new EditHistory(labels, size);
    const k = 300;
    const moves: number[] = [];
    const s = h.begin();
    let last: [number, number] = [200, 256];
    for (let m = 1; m <= 20; m++) {
      const next: [number, number] = [200 + m * 5, 256];
      const t0 = performance.now();
      paintSegment(s, labels, g, k, last, next, 10, 22, 'brush');
      masked.refreshSlice(k);
      stats.setSlice(k, labels, k * size);
      moves.push(performance.now() - t0);
      last = next;
    }
    const t0 = performance.now();
    const step = h.commit(s, 'brush')!;
    const commit = performance.now() - t0;
    const t1 = performance.now();
    h.undo();
    const undo = performance.now() - t1;
    moves.sort((a, b) => a - b);
    const median = moves[moves.length >> 1];
    console.log(
      `brush 10 mm, 512x512x600: move median ${median.toFixed(2)} ms, max ${moves[moves.length - 1].toFixed(2)} ms; commit ${commit.toFixed(2)} ms (${step.diffs[0].index.length} voxels); undo ${undo.toFixed(2)} ms`,
    );
    expect(step.diffs).toHaveLength(1);
    expect(labels.subarray(k * size, (k + 1) * size).every((v) => v === 0)).toBe(true);
    expect(median).toBeLessThan(100);
    expect(commit).toBeLessThan(100);
  });
});
