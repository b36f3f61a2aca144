import { describe, expect, it } from 'vitest';
import { resampleLabelsToCt } from '../../../src/labels/resample';
import { makeVolume } from '../contours/fixtures';

describe('resampleLabelsToCt', () => {
  // CT: 5 x 4 x 3, rows towards patient right (FFS-like), 2 mm slices
  const ct = makeVolume({
    dims: [5, 4, 3],
    spacing: [1.5, 2],
    origin: [10, -20, 100],
    rowCosines: [-1, 0, 0],
    colCosines: [0, 1, 0],
  });
  const truth = new Uint8Array(60).map((_, n) => (n * 7) % 5);

  it('is the identity for a NIfTI written on the CT grid (LPS -> RAS affine)', () => {
    // voxel (i, j, k) -> LPS = origin + i*1.5*(-1,0,0) + j*2*(0,1,0) + k*2*normal; normal = (0,0,-1)
    // RAS = (-L, -P, S)
    const affineRas = [1.5, 0, 0, -10, 0, -2, 0, 20, 0, 0, -2, 100, 0, 0, 0, 1];
    expect(resampleLabelsToCt({ dims: [5, 4, 3], affineRas, data: truth }, ct)).toEqual(truth);
  });

  it('handles a file whose slice and column order are reversed', () => {
    // file axis a = CT i reversed, axis c = CT k reversed
    const flipped = new Uint8Array(60);
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) flipped[4 - i + j * 5 + (2 - k) * 20] = truth[i + j * 5 + k * 20];
    // a -> i = 4 - a: LPS x = 10 - 1.5 * (4 - a) = 4 + 1.5 a  -> R = -4 - 1.5 a
    // c -> k = 2 - c: z = 100 - 2 * (2 - c) = 96 + 2 c
    const affineRas = [-1.5, 0, 0, -4, 0, -2, 0, 20, 0, 0, 2, 96, 0, 0, 0, 1];
    expect(resampleLabelsToCt({ dims: [5, 4, 3], affineRas, data: flipped }, ct)).toEqual(truth);
  });

  it('maps label values and leaves voxels outside the source grid empty', () => {
    const affineRas = [1.5, 0, 0, -10, 0, -2, 0, 20, 0, 0, -2, 100, 0, 0, 0, 1];
    const small = new Uint8Array(5 * 4 * 1).fill(7); // only the first CT slice
    const out = resampleLabelsToCt({ dims: [5, 4, 1], affineRas, data: small }, ct, new Map([[7, 30]]));
    expect([...out.subarray(0, 20)].every((v) => v === 30)).toBe(true);
    expect([...out.subarray(20)].every((v) => v === 0)).toBe(true);
  });
});
