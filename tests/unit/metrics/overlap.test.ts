import { describe, expect, test } from 'vitest';
import { dice, hausdorff95, percentile, squaredDistanceTransform } from '../../../src/metrics/overlap';

function box(dims: [number, number, number], lo: number[], hi: number[]): Uint8Array {
  const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = lo[2]; k < hi[2]; k++)
    for (let j = lo[1]; j < hi[1]; j++) for (let i = lo[0]; i < hi[0]; i++) m[i + j * dims[0] + k * dims[0] * dims[1]] = 1;
  return m;
}

describe('dice', () => {
  test('hand-computed overlap', () => {
    // A = 4 voxels, B = 4 voxels, 2 shared: DSC = 2*2/8 = 0.5
    expect(dice([1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1])).toBe(0.5);
    expect(dice([1, 0], [1, 0])).toBe(1);
    expect(dice([1, 0], [0, 1])).toBe(0);
  });
});

describe('percentile', () => {
  test('matches numpy linear interpolation', () => {
    // numpy.percentile([1,2,3,4], 95) = 3.85
    expect(percentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    expect(percentile([5], 95)).toBe(5);
  });
});

describe('distance transform', () => {
  test('anisotropic spacing, brute force comparison', () => {
    const dims: [number, number, number] = [7, 5, 4];
    const feat = new Uint8Array(7 * 5 * 4);
    const pts = [
      [1, 1, 0],
      [5, 3, 2],
      [0, 4, 3],
    ];
    for (const [i, j, k] of pts) feat[i + j * 7 + k * 35] = 1;
    const sp: [number, number, number] = [0.7, 1.3, 2.5];
    const dt = squaredDistanceTransform(feat, dims, sp);
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 7; i++) {
          const brute = Math.min(
            ...pts.map(([a, b, c]) => ((i - a) * sp[0]) ** 2 + ((j - b) * sp[1]) ** 2 + ((k - c) * sp[2]) ** 2),
          );
          expect(dt[i + j * 7 + k * 35]).toBeCloseTo(brute, 9);
        }
  });
});

describe('hausdorff95', () => {
  test('identical masks give 0', () => {
    const d: [number, number, number] = [10, 10, 10];
    const a = box(d, [2, 2, 2], [6, 6, 6]);
    expect(hausdorff95(a, a, d, [1, 1, 1])).toBe(0);
  });
  test('a cube shifted by 3 voxels along x (spacing 2 mm): every surface distance is 0 or 6 mm', () => {
    const d: [number, number, number] = [20, 12, 12];
    const a = box(d, [2, 2, 2], [8, 8, 8]);
    const b = box(d, [5, 2, 2], [11, 8, 8]);
    // Surface voxels of A at x=2 are 6 mm from B's nearest surface voxel (x=5); most of A's surface
    // (faces y/z) lies on B's surface or 0..6 mm away; the 95th percentile is therefore 6 mm.
    const h = hausdorff95(a, b, d, [2, 1, 1]);
    expect(h).toBeCloseTo(6, 9);
  });
  test('empty mask gives null', () => {
    const d: [number, number, number] = [4, 4, 4];
    expect(hausdorff95(new Uint8Array(64), box(d, [0, 0, 0], [2, 2, 2]), d, [1, 1, 1])).toBeNull();
  });
});
