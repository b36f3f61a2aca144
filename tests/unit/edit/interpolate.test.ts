import { describe, expect, it } from 'vitest';
import { EditHistory } from '../../../src/edit/history';
import { distanceTo, interpolateGaps, interpolateMasks, signedDistance, slicesWith } from '../../../src/edit/interpolate';

function disc(w: number, h: number, cx: number, cy: number, r: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * w + x] = 1;
  return m;
}
function rect(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m[y * w + x] = 1;
  return m;
}
const count = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

describe('distance transform', () => {
  it('equals the brute-force Euclidean distance (anisotropic spacing)', () => {
    const w = 9,
      h = 7;
    const m = new Uint8Array(w * h);
    m[2 * w + 1] = m[5 * w + 7] = m[0 * w + 6] = 1;
    const sp: [number, number] = [0.7, 1.6];
    const d = distanceTo(m, w, h, sp, 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Infinity;
        for (let q = 0; q < w * h; q++)
          if (m[q]) best = Math.min(best, Math.hypot((x - (q % w)) * sp[0], (y - Math.floor(q / w)) * sp[1]));
        expect(d[y * w + x]).toBeCloseTo(best, 9);
      }
    }
  });

  it('signed distance: positive inside, negative outside', () => {
    const s = signedDistance(rect(7, 7, 2, 2, 4, 4), 7, 7, [1, 1]);
    expect(s[3 * 7 + 3]).toBe(2); // centre: two voxels from the nearest outside one
    expect(s[0]).toBeCloseTo(-Math.hypot(2, 2));
  });
});

describe('shape-based interpolation', () => {
  it('discs of radius 4 and 8 give a disc of radius about 6 midway (area within 15%)', () => {
    const w = 31,
      h = 31;
    const mid = interpolateMasks(disc(w, h, 15, 15, 4), disc(w, h, 15, 15, 8), w, h, [1, 1], 0.5);
    const want = count(disc(w, h, 15, 15, 6));
    expect(Math.abs(count(mid) - want) / want).toBeLessThan(0.15);
    // and it is a disc: every voxel within 5 of the centre is inside, none beyond 7
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const r = Math.hypot(x - 15, y - 15);
        if (r <= 5) expect(mid[y * w + x]).toBe(1);
        if (r >= 7) expect(mid[y * w + x]).toBe(0);
      }
  });

  it('two overlapping shifted squares: the square midway is shifted halfway and keeps its size', () => {
    // (shape-based interpolation needs the two shapes to overlap; disjoint ones give nothing in between)
    const w = 24,
      h = 12;
    const a = rect(w, h, 2, 2, 9, 9);
    const b = rect(w, h, 6, 2, 13, 9);
    const mid = interpolateMasks(a, b, w, h, [1, 1], 0.5);
    const xs: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mid[y * w + x]) xs.push(x);
    const cx = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(cx - 7.5)).toBeLessThan(0.3);
    expect(Math.abs(count(mid) - 64)).toBeLessThanOrEqual(12);
    // the ends are the inputs
    expect([...interpolateMasks(a, b, w, h, [1, 1], 0)]).toEqual([...a]);
    expect([...interpolateMasks(a, b, w, h, [1, 1], 1)]).toEqual([...b]);
  });

  it('interpolateGaps fills the empty slices between drawn ones, keeps other organs, and is one undo step', () => {
    const w = 21,
      h = 21,
      nz = 5,
      size = w * h;
    const labels = new Uint8Array(size * nz);
    labels.set(
      disc(w, h, 10, 10, 3).map((v) => v * 6),
      0,
    );
    labels.set(
      disc(w, h, 10, 10, 7).map((v) => v * 6),
      4 * size,
    );
    labels[2 * size + 10 * w + 10] = 9; // another organ at the centre of the middle slice
    const hist = new EditHistory(labels, size);
    const s = hist.begin();
    const r = interpolateGaps(s, labels, { dims: [w, h, nz], spacing: [1, 1, 2] }, 6);
    hist.commit(s, 'interpolate');
    expect(r.pairs).toEqual([[0, 4]]);
    expect(r.filled).toEqual([1, 2, 3]);
    expect(slicesWith(labels, [w, h, nz], 6)).toEqual([0, 1, 2, 3, 4]);
    const areas = [1, 2, 3].map((k) => labels.subarray(k * size, (k + 1) * size).filter((v) => v === 6).length);
    expect(areas[0]).toBeLessThan(areas[1]);
    expect(areas[1]).toBeLessThan(areas[2]);
    expect(labels[2 * size + 10 * w + 10]).toBe(9);
    hist.undo();
    expect(slicesWith(labels, [w, h, nz], 6)).toEqual([0, 4]);
    // no gap: nothing to do
    const none = interpolateGaps(hist.begin(), labels, { dims: [w, h, nz], spacing: [1, 1, 2] }, 9);
    expect(none.filled).toEqual([]);
  });
});
