/**
 * Model grid geometry (CONTRACTS 3) on hand-computed cases, and the CPU pre-processing reference on
 * volumes whose resampled values are known in closed form.
 */
import { describe, expect, test } from 'vitest';
import { evalAffine, gridGeometry, sliceAt, slabRange } from '../../../src/engine/grid';
import { preprocessReference } from '../../../src/engine/programs/preprocess.ref';
import { ctPixelToModel } from '../../../src/engine/programs/postprocess.ref';
import { syntheticCt } from '../../../src/engine/synthetic';
import { EngineError } from '../../../src/engine/errors';

const spec = { huMin: -1000, huMax: 1500, huOffset: 0, huScale: 1000 };

describe('grid maps', () => {
  test('HFS axial: hand-computed coefficients', () => {
    // 100 x 80 pixels of 0.5 mm; model S = 11 at 2 mm; slices every 3 mm; window spacing 2.5 mm
    const ct = syntheticCt({ cols: 100, rows: 80, slices: 4, spacing: [0.5, 0.5, 3] });
    const g = gridGeometry(ct, { size: 11, pixelSpacingMm: 2, sliceSpacingMm: 2.5 });
    // model centre (5, 5) sits on the image centre (49.5, 39.5); one model pixel = 4 CT pixels
    expect(evalAffine(g.i, 5, 5, 0)).toBeCloseTo(49.5, 12);
    expect(evalAffine(g.j, 5, 5, 0)).toBeCloseTo(39.5, 12);
    expect(evalAffine(g.i, 6, 5, 0)).toBeCloseTo(53.5, 12);
    expect(evalAffine(g.j, 5, 7, 2)).toBeCloseTo(47.5, 12);
    expect(evalAffine(g.o, 3, 9, 2)).toBeCloseTo(5, 12); // d = 2 planes are 2 x 2.5 mm superior
    expect(Array.from(g.offsets)).toEqual([0, 3, 6, 9]);
    expect(g.planar).toBe(true);
    // the inverse: CT pixel (53.5, 39.5) -> u = 6
    expect(ctPixelToModel(g as any, 53.5, 39.5)![0]).toBeCloseTo(6, 12);
    expect(ctPixelToModel(g as any, 49.5, 39.5)![1]).toBeCloseTo(5, 12);
    // a CT pixel 2 model pixels beyond the grid edge is outside
    expect(ctPixelToModel(g as any, 49.5 + 4 * 7.5, 39.5)).toBeNull();
    expect(ctPixelToModel(g as any, 49.5 + 4 * 5.4, 39.5)).not.toBeNull();
  });

  test('feet-first flipped axes: model u still runs towards patient left (+x)', () => {
    const ct = syntheticCt({ cols: 10, rows: 10, slices: 3, spacing: [1, 1, 2], rowCosines: [-1, 0, 0], colCosines: [0, -1, 0] });
    const g = gridGeometry(ct, { size: 5, pixelSpacingMm: 1, sliceSpacingMm: 2 });
    // +1 in u (+1 mm in x) is -1 in i because the rows run along -x
    expect(evalAffine(g.i, 3, 2, 0) - evalAffine(g.i, 2, 2, 0)).toBeCloseTo(-1, 12);
    expect(evalAffine(g.j, 2, 3, 0) - evalAffine(g.j, 2, 2, 0)).toBeCloseTo(-1, 12);
    // normal = r x c = (0, 0, 1) here; the window planes are still inferior to superior
    expect(evalAffine(g.o, 0, 0, 1)).toBeCloseTo(2, 12);
  });

  test('sliceAt: interpolation and edge repeat', () => {
    const offs = [0, 2, 5, 9];
    expect(sliceAt(offs, -3)).toEqual([0, 0, 0]);
    expect(sliceAt(offs, 0)).toEqual([0, 0, 0]);
    expect(sliceAt(offs, 1)).toEqual([0, 1, 0.5]);
    expect(sliceAt(offs, 2)).toEqual([1, 2, 0]);
    expect(sliceAt(offs, 8)).toEqual([2, 3, 0.75]);
    expect(sliceAt(offs, 9)).toEqual([3, 3, 0]);
    expect(sliceAt(offs, 50)).toEqual([3, 3, 0]);
    expect(sliceAt([4], 1)).toEqual([0, 0, 0]);
  });

  test('slab range covers the window with a margin', () => {
    const ct = syntheticCt({ cols: 8, rows: 8, slices: 50, spacing: [1, 1, 1.25] });
    const g = gridGeometry(ct, { size: 8, pixelSpacingMm: 1, sliceSpacingMm: 2.5 });
    // slice 20 +- 2 x 2.5 mm = slices 16..24; sliceAt puts an exact hit on slice 24 as (24, 25, w = 0);
    // plus one slice of margin each side
    expect(slabRange(g, 20, 1)).toEqual([15, 26]);
    expect(slabRange(g, 0, 3)).toEqual([0, 8]);
    expect(slabRange(g, 47, 3)).toEqual([42, 49]);
  });

  test('unusable geometry is a typed error', () => {
    const sag = syntheticCt({ cols: 8, rows: 8, slices: 3, rowCosines: [0, 1, 0], colCosines: [0, 0, -1] });
    expect(() => gridGeometry(sag, { size: 8, pixelSpacingMm: 1, sliceSpacingMm: 2 })).toThrow(EngineError);
    const dup = syntheticCt({ cols: 8, rows: 8, slices: 3, sliceOffsets: [0, 2, 2] });
    expect(() => gridGeometry(dup, { size: 8, pixelSpacingMm: 1, sliceSpacingMm: 2 })).toThrow(/ascending/);
  });
});

describe('pre-processing reference', () => {
  test('a linear HU ramp is reproduced exactly (bilinear and slice interpolation are exact on linear data)', () => {
    // HU = 10 i + 3 j + 20 k on a 1 mm grid with 2 mm slices; model grid 1 mm so model pixels hit CT centres +- 0.5
    const ct = syntheticCt({ cols: 20, rows: 16, slices: 10, spacing: [1, 1, 2], float: true });
    const [cols, rows] = [20, 16];
    for (let k = 0; k < 10; k++)
      for (let j = 0; j < rows; j++)
        for (let i = 0; i < cols; i++) ct.hu[k * cols * rows + j * cols + i] = 10 * i + 3 * j + 20 * k;
    const g = gridGeometry(ct, { size: 8, pixelSpacingMm: 1.5, sliceSpacingMm: 1.5 });
    const x = preprocessReference(ct.hu, g, { huMin: -1000, huMax: 5000, huOffset: 100, huScale: 50 }, 4, 2);
    for (let b = 0; b < 2; b++) {
      const k = 4 + b;
      for (let v = 0; v < 8; v++) {
        for (let u = 0; u < 8; u++) {
          for (let p = 0; p < 5; p++) {
            const i = 9.5 + (u - 3.5) * 1.5;
            const j = 7.5 + (v - 3.5) * 1.5;
            const kk = k + ((p - 2) * 1.5) / 2; // continuous slice index
            const want = (10 * i + 3 * j + 20 * kk - 100) / 50;
            expect(x[((b * 8 + v) * 8 + u) * 5 + p]).toBeCloseTo(want, 4);
          }
        }
      }
    }
  });

  test('edge slices repeat, pixels outside the image get huMin, intensity is clipped', () => {
    const ct = syntheticCt({ cols: 4, rows: 4, slices: 3, spacing: [1, 1, 1], float: true });
    ct.hu.fill(0);
    for (let n = 0; n < 16; n++) {
      ct.hu[n] = 100; // slice 0
      ct.hu[16 + n] = 200;
      ct.hu[32 + n] = 3000; // above huMax
    }
    // model grid 8 x 1 mm over a 4 mm image: the outer 2 pixels each side are outside
    const g = gridGeometry(ct, { size: 8, pixelSpacingMm: 1, sliceSpacingMm: 1 });
    const x = preprocessReference(ct.hu, g, spec, 0, 3);
    const at = (b: number, u: number, v: number, p: number) => x[((b * 8 + v) * 8 + u) * 5 + p];
    // prediction 0: planes d = -2, -1 repeat slice 0
    expect(at(0, 4, 4, 0)).toBeCloseTo(0.1, 6);
    expect(at(0, 4, 4, 1)).toBeCloseTo(0.1, 6);
    expect(at(0, 4, 4, 3)).toBeCloseTo(0.2, 6);
    expect(at(0, 4, 4, 4)).toBeCloseTo(1.5, 6); // 3000 clipped to huMax 1500
    expect(at(2, 4, 4, 4)).toBeCloseTo(1.5, 6);
    // u = 0, 1 lie at i = -2, -1 (outside [-0.5, 3.5]) -> huMin; u = 2 at i = 0 (inside)
    expect(at(1, 0, 4, 2)).toBeCloseTo(-1, 6);
    expect(at(1, 1, 4, 2)).toBeCloseTo(-1, 6);
    expect(at(1, 2, 4, 2)).toBeCloseTo(0.2, 6);
    expect(at(1, 5, 4, 2)).toBeCloseTo(0.2, 6);
    expect(at(1, 6, 4, 2)).toBeCloseTo(-1, 6);
  });
});

describe('float32-exact split of the CT -> model positions (post-processing shader)', () => {
  test('hi parts are exact in float32 in any order; hi + lo is the position', async () => {
    const { splitAffine } = await import('../../../src/engine/programs/postprocess.webgpu');
    const f = Math.fround;
    let s = 3;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 200; t++) {
      const cols = 1 + Math.floor(rand() * 1024);
      const rows = 1 + Math.floor(rand() * 1024);
      const a = { c0: (rand() - 0.5) * 800, ci: (rand() - 0.5) * 6, cj: (rand() - 0.5) * 6 };
      const { hi, lo } = splitAffine(a, cols, rows);
      for (const x of [...hi, ...lo]) expect(f(x)).toBe(x); // representable as uniforms
      for (const [i, j] of [
        [0, 0],
        [cols - 1, rows - 1],
        [Math.floor(rand() * cols), Math.floor(rand() * rows)],
      ]) {
        const exact = hi[0] + hi[1] * i + hi[2] * j;
        expect(f(f(hi[0] + f(hi[1] * i)) + f(hi[2] * j))).toBe(exact); // separate roundings
        expect(f(f(hi[2] * j) + f(hi[0] + hi[1] * i))).toBe(exact); // fused / reordered
        const lov = lo[0] + lo[1] * i + lo[2] * j;
        expect(Math.abs(lov)).toBeLessThan(8); // its float32 rounding (~|lo| * 6e-8) is what remains
        expect(exact + lov).toBeCloseTo(a.c0 + a.ci * i + a.cj * j, 9);
      }
    }
  });
});
