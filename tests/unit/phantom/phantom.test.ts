/**
 * A whole-body phantom case on a small grid (128x128, 3.6 mm pixels, 4 mm slices) and a head & neck case on a
 * finer one (1.5 mm voxels) for the small head organs: presence, volumes in the published ranges
 * (src/phantom/organVolumes.ts), no overlapping organs, left/right and region classes.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ORGANS, REGIONS } from '../../../src/organs';
import { generateCase, type PhantomCase } from '../../../src/phantom/generate';
import { ORGAN_VOLUME_RANGES_ML } from '../../../src/organVolumes';

let whole: PhantomCase;
let head: PhantomCase;

function volumesMl(c: PhantomCase): number[] {
  const g = c.plan.geometry;
  const v = (g.pixelSpacing[0] * g.pixelSpacing[1] * g.sliceSpacing) / 1000;
  return Array.from(c.counts, (n) => n * v);
}

/** Centroid (patient LPS) of a label, from the volume geometry. */
function centroid(c: PhantomCase, ch: number): [number, number, number] {
  const g = c.plan.geometry,
    p0 = g.positions[0];
  let sx = 0,
    sy = 0,
    sz = 0,
    n = 0;
  for (let k = 0; k < g.positions.length; k++)
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.cols; i++) {
        if (c.labelsAll[i + j * g.cols + k * g.cols * g.rows] !== ch) continue;
        sx += p0[0] + g.rowCosines[0] * i * g.pixelSpacing[0];
        sy += p0[1] + j * g.pixelSpacing[1];
        sz += g.positions[k][2];
        n++;
      }
  return [sx / n, sy / n, sz / n];
}

beforeAll(() => {
  whole = generateCase({ seed: 11, region: 'whole', matrix: 128, spacing: 3.6, slice: 4, position: 'FFS' });
  head = generateCase({ seed: 11, region: 'head-neck', matrix: 128, spacing: 1.5, slice: 1.5, position: 'HFS' });
}, 240_000);

describe('whole-body phantom', () => {
  test('all 33 organs are present and annotated', () => {
    for (const o of ORGANS) expect(whole.counts[o.channel], o.tg263).toBeGreaterThan(0);
    expect(whole.annotated).toEqual(ORGANS.map((o) => o.channel));
    expect(Array.from(whole.labels)).toEqual(Array.from(whole.labelsAll));
  });

  test('organs of 10 ml or more have volumes in the published adult ranges (3.6 mm grid)', () => {
    const vol = volumesMl(whole);
    for (const o of ORGANS) {
      const [lo, hi] = ORGAN_VOLUME_RANGES_ML[o.channel];
      if (lo < 10) continue;
      expect(vol[o.channel], `${o.tg263} ${vol[o.channel].toFixed(1)} ml`).toBeGreaterThanOrEqual(lo);
      expect(vol[o.channel], `${o.tg263} ${vol[o.channel].toFixed(1)} ml`).toBeLessThanOrEqual(hi);
    }
  });

  test('no organ is painted over another (beyond touching surfaces) unless designed to', () => {
    const ov = whole.stats.overlap;
    for (const a of ORGANS)
      for (const b of ORGANS) {
        const n = ov[a.channel * 34 + b.channel];
        const smaller = Math.min(whole.counts[a.channel], whole.counts[b.channel]);
        expect(n, `${a.tg263} over ${b.tg263}: ${n} voxels`).toBeLessThanOrEqual(Math.max(2, 0.01 * smaller));
      }
  });

  test('left organs lie on the patient left (+x) even feet first; head above feet', () => {
    expect(whole.plan.geometry.patientPosition).toBe('FFS');
    for (const [l, r] of [
      [5, 6],
      [11, 12],
      [23, 24],
      [27, 28],
    ])
      expect(centroid(whole, l)[0]).toBeGreaterThan(centroid(whole, r)[0]);
    expect(centroid(whole, 30)[0]).toBeLessThan(centroid(whole, 32)[0]); // liver right, spleen left
    expect(centroid(whole, 22)[1]).toBeLessThan(centroid(whole, 15)[1]); // heart anterior to the cord
    expect(centroid(whole, 1)[2]).toBeGreaterThan(centroid(whole, 22)[2]);
    expect(centroid(whole, 22)[2]).toBeGreaterThan(centroid(whole, 29)[2]);
  });

  test('region classes run head -> abdomen along the body and match the label map', () => {
    const g = whole.plan.geometry,
      n = g.cols * g.rows;
    const byZ = whole.sliceRegions.map((r, k) => [g.positions[k][2], r]).sort((a, b) => b[0] - a[0]);
    for (let i = 1; i < byZ.length; i++) expect(byZ[i][1]).toBeGreaterThanOrEqual(byZ[i - 1][1]);
    expect(new Set(whole.sliceRegions)).toEqual(new Set(REGIONS.map((_, i) => i)));
    const has = (k: number, chs: number[]): boolean => whole.labelsAll.subarray(k * n, (k + 1) * n).some((v) => chs.includes(v));
    for (let k = 0; k < g.positions.length; k++) {
      const r = whole.sliceRegions[k];
      if (r === 0) expect(has(k, [30, 26, 27, 28, 29]), `head slice ${k} has abdominal organs`).toBe(false);
      if (has(k, [23, 24])) expect(r, `slice ${k} with lung`).toBeGreaterThanOrEqual(1);
      if (has(k, [1, 5, 6, 7])) expect(r, `slice ${k} with brain-level organs`).toBe(0);
      if (r === 4) expect(has(k, [23, 24, 22]), `abdomen slice ${k} with thoracic organs`).toBe(false);
    }
  });
});

describe('head & neck phantom (1.5 mm voxels)', () => {
  test('head organs, small ones included, have volumes in the published ranges', () => {
    const vol = volumesMl(head);
    for (const o of ORGANS.filter((q) => q.group === 'head_neck')) {
      if (o.channel === 15 || o.channel === 21) continue; // cord and trachea run on beyond the scan
      const [lo, hi] = ORGAN_VOLUME_RANGES_ML[o.channel];
      expect(vol[o.channel], `${o.tg263} ${vol[o.channel].toFixed(2)} ml`).toBeGreaterThanOrEqual(lo);
      expect(vol[o.channel], `${o.tg263} ${vol[o.channel].toFixed(2)} ml`).toBeLessThanOrEqual(hi);
    }
    expect(vol[7]).toBeLessThan(1); // pituitary well under 1 ml
  });

  test('TMJ and inner ear span only a few slices', () => {
    const g = head.plan.geometry,
      n = g.cols * g.rows;
    for (const ch of [3, 4, 19, 20]) {
      const ks = g.positions.map((_, k) => k).filter((k) => head.labelsAll.subarray(k * n, (k + 1) * n).includes(ch));
      const extent = (ks.length - 1) * g.sliceSpacing;
      expect(extent, ORGANS[ch - 1].tg263).toBeGreaterThanOrEqual(5);
      expect(extent, ORGANS[ch - 1].tg263).toBeLessThanOrEqual(22);
    }
  });
});
