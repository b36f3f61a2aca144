/**
 * Hand-made label maps on a real CT grid, with the contour counts they must give (known by construction, not
 * computed by the code under test).
 */
import type { CtVolume } from '../../../src/volume/volume';

export interface HandmadeOrgan {
  channel: number;
  /** Contours per slice and the slices, by construction. */
  contoursPerSlice: number;
  slices: [number, number];
}

/**
 * On a grid of at least 64 x 64 x 60 (pixels scaled with `s` = cols / 64): a disk (1 contour/slice), a ring
 * (outer + hole), a disk plus a one-pixel island, a block touching the image corner, a diagonal line one pixel
 * wide, and a single voxel on two slices (< 1 ml on most grids).
 */
export function handmadeLabels(volume: CtVolume): { labels: Uint8Array; organs: HandmadeOrgan[] } {
  const [cols, rows, nk] = volume.dims;
  if (cols < 64 || rows < 64 || nk < 60) throw new Error(`grid too small for the hand-made organs: ${volume.dims}`);
  const s = Math.floor(Math.min(cols, rows) / 64);
  const labels = new Uint8Array(cols * rows * nk);
  const set = (i: number, j: number, k: number, v: number) => (labels[i + j * cols + k * cols * rows] = v);
  const k0 = Math.floor(nk / 2) - 30;
  const organs: HandmadeOrgan[] = [];
  const disk = (ci: number, cj: number, r2: number, k: number, v: number, inner2 = -1) => {
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < cols; i++) {
        const d = (i - ci) ** 2 + (j - cj) ** 2;
        if (d <= r2 && d > inner2) set(i, j, k, v);
      }
  };
  // SpinalCord: disk
  for (let k = k0; k < k0 + 60; k++) disk(32 * s, 44 * s, 10 * s * s, k, 15);
  organs.push({ channel: 15, contoursPerSlice: 1, slices: [k0, k0 + 59] });
  // Parotid_R: ring (outer contour + hole)
  for (let k = k0 + 10; k < k0 + 40; k++) disk(18 * s, 30 * s, 30 * s * s, k, 12, 4 * s * s);
  organs.push({ channel: 12, contoursPerSlice: 2, slices: [k0 + 10, k0 + 39] });
  // Parotid_L: disk + a one-pixel island
  for (let k = k0 + 10; k < k0 + 30; k++) {
    disk(46 * s, 30 * s, 12 * s * s, k, 11);
    set(56 * s, 18 * s, k, 11);
  }
  organs.push({ channel: 11, contoursPerSlice: 2, slices: [k0 + 10, k0 + 29] });
  // Bone_Mandible: block in the image corner (touches two borders)
  for (let k = k0 + 5; k < k0 + 25; k++) for (let j = 0; j < 6 * s; j++) for (let i = 0; i < 10 * s; i++) set(i, j, k, 9);
  organs.push({ channel: 9, contoursPerSlice: 1, slices: [k0 + 5, k0 + 24] });
  // Brainstem: diagonal line one pixel wide (8-connected: one contour)
  for (let k = k0 + 40; k < k0 + 56; k++) for (let t = 0; t < 12 * s; t++) set(24 * s + t, 8 * s + t, k, 1);
  organs.push({ channel: 1, contoursPerSlice: 1, slices: [k0 + 40, k0 + 55] });
  // Pituitary: one voxel on two slices
  for (let k = k0 + 57; k < k0 + 59; k++) set(40 * s, 10 * s, k, 7);
  organs.push({ channel: 7, contoursPerSlice: 1, slices: [k0 + 57, k0 + 58] });
  return { labels, organs };
}
