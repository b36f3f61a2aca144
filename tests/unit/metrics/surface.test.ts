/** Mean surface distance next to HD95 (src/metrics/overlap.ts), on masks whose distances are known by hand. */
import { describe, expect, it } from 'vitest';
import { hausdorff95, surfaceDistances } from '../../../src/metrics/overlap';

const grid = (n: number, on: number[]) => {
  const m = new Uint8Array(n);
  for (const i of on) m[i] = 1;
  return m;
};

describe('surfaceDistances', () => {
  it('two single voxels 3 columns apart at 2 mm: every distance is 6 mm', () => {
    const d = surfaceDistances(grid(8, [0]), grid(8, [3]), [8, 1, 1], [2, 1, 1]);
    expect(d).toEqual({ hd95: 6, msd: 6 });
  });
  it('a 2-voxel bar against one of its voxels: distances 2, 0 and 0 mm', () => {
    const d = surfaceDistances(grid(4, [0, 1]), grid(4, [1]), [4, 1, 1], [2, 1, 1])!;
    expect(d.msd).toBeCloseTo(2 / 3, 12);
    expect(d.hd95).toBeCloseTo(1.9, 12); // P95 of [0, 2] interpolated
    expect(hausdorff95(grid(4, [0, 1]), grid(4, [1]), [4, 1, 1], [2, 1, 1])).toBe(d.hd95);
  });
  it('identical masks: 0; an empty mask: null', () => {
    expect(surfaceDistances(grid(4, [1, 2]), grid(4, [1, 2]), [4, 1, 1], [1, 1, 1])).toEqual({ hd95: 0, msd: 0 });
    expect(surfaceDistances(grid(4, []), grid(4, [1]), [4, 1, 1], [1, 1, 1])).toBeNull();
  });
});
