import { describe, expect, it } from 'vitest';
import { bodyMask, fillHolesSlice, keepLargestComponent3d, openSlice } from '../../../src/contours/body';
import { makeVolume } from './fixtures';

describe('openSlice', () => {
  it('equals the definition (union of the disks that fit inside) on a random slice, anisotropic spacing', () => {
    const [cols, rows, sx, sy, r] = [23, 19, 0.8, 1.1, 2.5];
    const m = new Uint8Array(cols * rows);
    let s = 7;
    for (let i = 0; i < m.length; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      m[i] = s % 7 < 5 ? 1 : 0;
    }
    for (let y = 5; y < 15; y++) for (let x = 4; x < 18; x++) m[x + y * cols] = 1; // something survives
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < cols && y < rows && m[x + y * cols] === 1;
    const inDisk = (dx: number, dy: number) => (dx * sx) ** 2 + (dy * sy) ** 2 <= r * r + 1e-9;
    const fits = (cx: number, cy: number) => {
      for (let dy = -5; dy <= 5; dy++)
        for (let dx = -5; dx <= 5; dx++) if (inDisk(dx, dy) && !inside(cx + dx, cy + dy)) return false;
      return true;
    };
    const expected = new Uint8Array(m.length);
    for (let cy = 0; cy < rows; cy++) {
      for (let cx = 0; cx < cols; cx++) {
        if (!fits(cx, cy)) continue;
        for (let dy = -5; dy <= 5; dy++)
          for (let dx = -5; dx <= 5; dx++)
            if (inDisk(dx, dy) && inside(cx + dx, cy + dy)) expected[cx + dx + (cy + dy) * cols] = 1;
      }
    }
    const got = m.slice();
    openSlice(got, cols, rows, sx, sy, r);
    expect([...got]).toEqual([...expected]);
    expect(expected.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  });
});

describe('fillHolesSlice / keepLargestComponent3d', () => {
  it('fills an enclosed hole but not a notch open to the border', () => {
    // 5x5 ring with a hole at the centre, and a notch at the top edge
    const m = Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    fillHolesSlice(m, 5, 5);
    expect(m[2 + 3 * 5]).toBe(1);
    expect(m[2]).toBe(0);
    expect(m[2 + 5]).toBe(0);
  });
  it('keeps the biggest 6-connected piece (diagonal neighbours are separate)', () => {
    const m = new Uint8Array(4 * 4 * 2);
    m[0] = 1;
    m[5] = 1; // diagonal: two pieces of 1
    m[10] = 1;
    m[11] = 1;
    m[10 + 16] = 1; // 3 voxels across slices
    expect(keepLargestComponent3d(m, 4, 4, 2)).toBe(3);
    expect([...m].reduce((a, b) => a + b, 0)).toBe(3);
    expect(m[0]).toBe(0);
  });
});

describe('bodyMask', () => {
  // 80 x 80 pixels of 1 mm, 6 slices: an elliptic body (0 HU) with a lung (-800 HU) inside, and a couch
  // top 2 mm thick below it, joined to the body by a 2 mm bridge on two slices.
  const [cols, rows, nk] = [80, 80, 6];
  const v = makeVolume({ dims: [cols, rows, nk], spacing: [1, 1] });
  const hu = new Int16Array(cols * rows * nk).fill(-1000);
  const inBody = (x: number, y: number) => ((x - 40) / 30) ** 2 + ((y - 35) / 22) ** 2 <= 1;
  const inLung = (x: number, y: number) => ((x - 30) / 8) ** 2 + ((y - 35) / 10) ** 2 <= 1;
  for (let k = 0; k < nk; k++) {
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const i = x + y * cols + k * cols * rows;
        if (inBody(x, y)) hu[i] = inLung(x, y) ? -800 : 0;
        if (y >= 62 && y < 64 && x >= 4 && x < 76) hu[i] = 200; // couch top
        if (k < 2 && x >= 39 && x < 41 && y >= 57 && y < 62) hu[i] = 200; // thin bridge to the couch
      }
    }
  }
  v.hu = hu;

  it('is the body with its lung filled, without the couch top or the bridge', () => {
    const r = bodyMask(v);
    const size = cols * rows;
    let wrong = 0;
    let couch = 0;
    for (let k = 0; k < nk; k++) {
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const m = r.mask[x + y * cols + k * size];
          if (y >= 60) couch += m;
          else if (m !== (inBody(x, y) ? 1 : 0)) wrong++;
        }
      }
    }
    expect(couch, 'couch or bridge voxels in BODY').toBe(0);
    // the opening rounds nothing on a smooth ellipse except a few boundary pixels
    expect(wrong / r.voxels).toBeLessThan(0.01);
    expect(r.mask[30 + 35 * cols]).toBe(1); // lung centre filled
    expect(r.removedVoxels).toBeGreaterThan(nk * 2 * 72 - 10);
  });

  it('keeps a thick separate part (an arm) but not a thin one', () => {
    const w = makeVolume({ dims: [cols, rows, nk], spacing: [1, 1] });
    const h2 = hu.slice();
    for (let k = 0; k < nk; k++) for (let y = 25; y < 45; y++) for (let x = 0; x < 9; x++) h2[x + y * cols + k * cols * rows] = 0; // 9 x 20 mm "arm"
    w.hu = h2;
    const thick = bodyMask(w, { minPartThicknessMm: 15 });
    expect(thick.mask[3 + 35 * cols]).toBe(1);
    expect(thick.mask[10 + 62 * cols]).toBe(0);
    const strict = bodyMask(w, { minPartThicknessMm: 25 });
    expect(strict.mask[3 + 35 * cols]).toBe(0);
  });

  it('without the opening, the bridge joins the couch to the body (why the opening is there)', () => {
    const r = bodyMask(v, { openingMm: 0 });
    expect(r.mask[10 + 62 * cols]).toBe(1);
  });
});
