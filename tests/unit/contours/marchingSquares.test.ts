import { describe, expect, it } from 'vitest';
import { rasterizePolygons, segmentDistance2, signedArea, simplifyClosed, traceMask } from '../../../src/contours';
import { maskFromArt, rng } from './fixtures';

/** Rasterise loops at pixel centres (even-odd) and return the mask. */
function fill(loops: Float64Array[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  rasterizePolygons(loops, width, height, out);
  return out;
}

/** Largest distance from any vertex of `a` to the outline `b` (pixels). */
function maxVertexDistance(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  const n = b.length / 2;
  for (let i = 0; i < a.length; i += 2) {
    let best = Infinity;
    for (let k = 0; k < n; k++) {
      const m = (k + 1) % n;
      best = Math.min(best, segmentDistance2(a[i], a[i + 1], b[2 * k], b[2 * k + 1], b[2 * m], b[2 * m + 1]));
    }
    worst = Math.max(worst, Math.sqrt(best));
  }
  return worst;
}

function points(p: Float64Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < p.length; i += 2) out.push([p[i], p[i + 1]]);
  return out;
}

/** Same ring of points regardless of the starting vertex. */
function sameRing(actual: Float64Array, expected: Array<[number, number]>): boolean {
  const a = points(actual);
  if (a.length !== expected.length) return false;
  const s = a.findIndex(([x, y]) => x === expected[0][0] && y === expected[0][1]);
  if (s < 0) return false;
  return expected.every(([x, y], i) => a[(s + i) % a.length][0] === x && a[(s + i) % a.length][1] === y);
}

describe('traceMask', () => {
  it('outlines a single pixel as a diamond through the edge midpoints', () => {
    const { mask, width, height } = maskFromArt(`
      ...
      .#.
      ...`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(1);
    // clockwise on screen (x right, y down): top, right, bottom, left midpoints around centre (1, 1)
    expect(
      sameRing(loops[0], [
        [1.5, 1],
        [1, 1.5],
        [0.5, 1],
        [1, 0.5],
      ]),
    ).toBe(true);
    expect(signedArea(loops[0])).toBeCloseTo(0.5, 12);
  });

  it('outlines a square: area 9 minus the four cut corners, simplified to 8 vertices', () => {
    const { mask, width, height } = maskFromArt(`
      .......
      .......
      ..###..
      ..###..
      ..###..
      .......
      .......`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(1);
    expect(signedArea(loops[0])).toBeCloseTo(9 - 4 * 0.125, 12);
    const s = simplifyClosed(loops[0]);
    expect(
      sameRing(s, [
        [2, 1.5],
        [4, 1.5],
        [4.5, 2],
        [4.5, 4],
        [4, 4.5],
        [2, 4.5],
        [1.5, 4],
        [1.5, 2],
      ]),
    ).toBe(true);
    expect(fill([s], width, height)).toEqual(mask);
  });

  it('gives a ring an outer loop and a hole loop of opposite orientation', () => {
    const { mask, width, height } = maskFromArt(`
      .......
      .#####.
      .#####.
      .##.##.
      .#####.
      .#####.
      .......`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(2);
    const areas = loops.map(signedArea).sort((a, b) => a - b);
    expect(areas[0]).toBeCloseTo(-0.5, 12); // the one-pixel hole, negative
    expect(areas[1]).toBeCloseTo(25 - 0.5, 12);
    // even-odd over both loops restores the hole
    expect(
      fill(
        loops.map((p) => simplifyClosed(p)),
        width,
        height,
      ),
    ).toEqual(mask);
  });

  it('keeps two islands, including a one-pixel one, as separate loops', () => {
    const { mask, width, height } = maskFromArt(`
      ........
      .##.....
      .##...#.
      ........`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(2);
    // 2x2 block: 4 px minus four cut corners of 1/8; single pixel: the 0.5 px diamond
    expect(loops.map(signedArea).sort((a, b) => a - b)).toEqual([0.5, 3.5]);
    const simple = loops.map((p) => simplifyClosed(p));
    expect(simple.map((p) => p.length / 2).sort()).toEqual([4, 4]); // the octagon's short sides go (0.32 px)
    expect(fill(simple, width, height)).toEqual(mask);
  });

  it('traces a diagonal line one pixel wide as one 8-connected polygon', () => {
    const { mask, width, height } = maskFromArt(`
      ......
      .#....
      ..#...
      ...#..
      ....#.
      ......`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(1);
    expect(signedArea(loops[0])).toBeGreaterThan(0);
    const s = simplifyClosed(loops[0]);
    expect(fill([s], width, height)).toEqual(mask);
  });

  it('closes an organ touching the image border half a pixel outside the image', () => {
    const { mask, width, height } = maskFromArt(`
      ###.
      ###.
      ....`);
    const loops = traceMask(mask, width, height);
    expect(loops).toHaveLength(1);
    const xs = points(loops[0]).map(([x]) => x);
    const ys = points(loops[0]).map(([, y]) => y);
    expect(Math.min(...xs)).toBe(-0.5);
    expect(Math.min(...ys)).toBe(-0.5);
    expect(fill([simplifyClosed(loops[0])], width, height)).toEqual(mask);
  });

  it('handles a mask filling the whole image', () => {
    const mask = new Uint8Array(4 * 3).fill(1);
    const loops = traceMask(mask, 4, 3);
    expect(loops).toHaveLength(1);
    expect(fill(loops, 4, 3)).toEqual(mask);
  });

  it('returns nothing for an empty mask', () => {
    expect(traceMask(new Uint8Array(25), 5, 5)).toEqual([]);
  });

  it('round-trips random blobs exactly and moves no vertex more than 1/3 px (property test)', () => {
    const rand = rng(42);
    const W = 40;
    const H = 32;
    for (let trial = 0; trial < 40; trial++) {
      // union of random discs and single pixels, with noise
      const mask = new Uint8Array(W * H);
      const discs = 1 + Math.floor(rand() * 5);
      for (let d = 0; d < discs; d++) {
        const cx = rand() * W;
        const cy = rand() * H;
        const r = 0.5 + rand() * 9;
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[x + y * W] = 1;
      }
      for (let q = 0; q < 30; q++) mask[Math.floor(rand() * W * H)] ^= 1;
      const loops = traceMask(mask, W, H);
      const simple = loops.map((p) => simplifyClosed(p));
      expect(fill(simple, W, H)).toEqual(mask);
      expect(fill(loops, W, H)).toEqual(mask);
      loops.forEach((p, i) => {
        expect(maxVertexDistance(p, simple[i])).toBeLessThanOrEqual(1 / 3 + 1e-12);
      });
    }
  });

  it('reduces the points of a smooth outline substantially', () => {
    const r = 20;
    const W = 2 * r + 6;
    const mask = new Uint8Array(W * W);
    for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) if ((x - W / 2) ** 2 + (y - W / 2) ** 2 <= r * r) mask[x + y * W] = 1;
    const [loop] = traceMask(mask, W, W);
    const s = simplifyClosed(loop);
    expect(s.length / loop.length).toBeLessThan(0.4); // measured 49 of 164 vertices
    expect(fill([s], W, W)).toEqual(mask);
  });
});
