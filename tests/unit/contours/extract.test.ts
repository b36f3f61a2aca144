import { describe, expect, it } from 'vitest';
import {
  extractContours,
  nearestSlice,
  patientToPixel,
  pixelToPatient,
  rasterizePolygons,
  slicePlane,
  sliceOutlines,
} from '../../../src/contours';
import type { Vec3 } from '../../../src/volume/volume';
import { makeVolume } from './fixtures';

describe('pixel <-> LPS on a slice', () => {
  it('HFS: +x pixel goes to patient left (+x), +y pixel to posterior (+y)', () => {
    const v = makeVolume({ dims: [8, 8, 3], spacing: [0.5, 0.7], origin: [-100, -50, 20] });
    const p = pixelToPatient(slicePlane(v, 1), [2, 3]);
    expect(Array.from(p)).toEqual([-99, -50 + 3 * 0.7, 22]);
  });

  it('FFS (row cosines -x): +x pixel goes to patient right; z of the slice kept', () => {
    const v = makeVolume({
      dims: [8, 8, 3],
      spacing: [0.5, 0.5],
      origin: [100, -50, -20],
      rowCosines: [-1, 0, 0],
      colCosines: [0, 1, 0],
    });
    // normal = row x col = (0, 0, -1): slices run towards -z
    expect(v.normal[2]).toBe(-1);
    const p = pixelToPatient(slicePlane(v, 2), [4, 2]);
    expect(Array.from(p)).toEqual([98, -49, -24]);
  });

  it('HFP (prone, both in-plane axes flipped) round-trips through patientToPixel', () => {
    const v = makeVolume({
      dims: [16, 16, 2],
      spacing: [0.8, 0.9],
      origin: [30, 40, 5],
      rowCosines: [-1, 0, 0],
      colCosines: [0, -1, 0],
    });
    const plane = slicePlane(v, 1);
    const px = [0, 0, 3.5, 7.25, 15, 0.5];
    const back = patientToPixel(plane, pixelToPatient(plane, px));
    back.forEach((x, i) => expect(x).toBeCloseTo(px[i], 12));
    const lps = pixelToPatient(plane, [1, 1]);
    expect(lps[0]).toBeCloseTo(30 - 0.8, 12);
    expect(lps[1]).toBeCloseTo(40 - 0.9, 12);
  });

  it('writes the slice z bit-exactly when the cosines carry a 1e-16 z component (as real headers do)', () => {
    const v = makeVolume({
      dims: [512, 512, 2],
      spacing: [1.074219, 1.074219],
      origin: [-275.0, -275.0, 168.56],
      rowCosines: [1, 0, -1.22e-16],
      colCosines: [0, 1, 0],
    });
    const plane = slicePlane(v, 0);
    const p = pixelToPatient(plane, [511.5, 300.25, 13.5, 0.5]);
    expect(p[2]).toBe(168.56);
    expect(p[5]).toBe(168.56);
  });

  it('a tilted plane (gantry tilt) keeps the true z of every point', () => {
    const s = Math.sin(0.2);
    const c = Math.cos(0.2);
    const v = makeVolume({ dims: [4, 4, 1], rowCosines: [1, 0, 0], colCosines: [0, c, s] as Vec3, origin: [0, 0, 10] });
    const p = pixelToPatient(slicePlane(v, 0), [0, 2]);
    expect(p[2]).toBeCloseTo(10 + 2 * s, 12);
  });

  it('nearestSlice finds the slice within half a gap and rejects points between planes', () => {
    const v = makeVolume({ dims: [4, 4, 4], origin: [0, 0, -10], offsets: [0, 2.5, 5, 8] });
    expect(nearestSlice(v, -10)).toBe(0);
    expect(nearestSlice(v, -7.6)).toBe(1);
    expect(nearestSlice(v, -2.01)).toBe(3);
    expect(nearestSlice(v, -20)).toBe(-1);
    expect(nearestSlice(v, -10.02, 0.01)).toBe(-1);
  });
});

describe('extractContours', () => {
  /** 10x8 grid, 3 slices: organ 5 a ring on slice 1, organ 2 two islands on slice 1 and a line on slice 2. */
  function labelled() {
    const v = makeVolume({ dims: [10, 8, 3], spacing: [2, 3], origin: [-10, -12, 40], offsets: [0, 2.5, 5] });
    const labels = new Uint8Array(10 * 8 * 3);
    const set = (i: number, j: number, k: number, val: number) => (labels[i + j * 10 + k * 80] = val);
    for (let j = 1; j <= 5; j++) for (let i = 1; i <= 5; i++) if (!(i === 3 && j === 3)) set(i, j, 1, 5);
    set(8, 1, 1, 2);
    set(8, 6, 1, 2);
    set(9, 7, 1, 2); // touches the border corner, diagonal to (8, 6)
    for (let i = 0; i < 10; i++) set(i, 4, 2, 2); // spans the full width
    return { v, labels };
  }

  it('returns per organ the loops of each slice, holes and islands included, sorted by channel and slice', () => {
    const { v, labels } = labelled();
    const organs = extractContours(v, labels);
    expect(organs.map((o) => o.channel)).toEqual([2, 5]);
    const [o2, o5] = organs;
    expect(o5.contours.map((c) => c.k)).toEqual([1, 1]); // outer + hole
    expect(o2.contours.map((c) => c.k)).toEqual([1, 1, 2]); // two islands (one 8-connected pair), a line
  });

  it('puts every point exactly on its slice plane (z of the slice position)', () => {
    const { v, labels } = labelled();
    for (const o of extractContours(v, labels)) {
      for (const c of o.contours) {
        const z = v.slices[c.k].position[2];
        for (let n = 2; n < c.points.length; n += 3) expect(c.points[n]).toBe(z);
      }
    }
  });

  it('rasterising the LPS contours back on the CT grid restores the label map', () => {
    const { v, labels } = labelled();
    const [cols, rows, nk] = v.dims;
    const back = new Uint8Array(labels.length);
    for (const o of extractContours(v, labels)) {
      for (let k = 0; k < nk; k++) {
        const plane = slicePlane(v, k);
        const polys = o.contours.filter((c) => c.k === k).map((c) => patientToPixel(plane, c.points));
        const slice = back.subarray(k * cols * rows, (k + 1) * cols * rows);
        rasterizePolygons(polys, cols, rows, slice, o.channel);
      }
    }
    expect(back).toEqual(labels);
  });

  it('extracts only the requested channels', () => {
    const { v, labels } = labelled();
    expect(extractContours(v, labels, { channels: [5] }).map((o) => o.channel)).toEqual([5]);
    expect(extractContours(v, labels, { channels: [7] })).toEqual([]);
  });

  it('sliceOutlines works on one slice taken from the volume buffer', () => {
    const { labels } = labelled();
    const m = sliceOutlines(labels.subarray(80, 160), 10, 8);
    expect([...m.keys()]).toEqual([2, 5]);
    expect(m.get(5)).toHaveLength(2);
  });

  it('rejects a label map of the wrong size', () => {
    const { v } = labelled();
    expect(() => extractContours(v, new Uint8Array(5))).toThrow(/label map has 5 voxels/);
  });
});
