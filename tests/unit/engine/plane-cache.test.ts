/**
 * PlaneCache (issue 24): the CPU pre-processing resamples each plane shared by neighbouring predictions once,
 * and its output is the reference's bit for bit, on every slice spacing and where it must not apply (tilt).
 */
import { describe, expect, test } from 'vitest';
import { gridGeometry } from '../../../src/engine/grid';
import { PlaneCache, preprocessReference } from '../../../src/engine/programs/preprocess.ref';
import { syntheticCt, type SyntheticCtOptions } from '../../../src/engine/synthetic';

const spec = { huMin: -1000, huMax: 1500, huOffset: 100, huScale: 1000 };
const model = { size: 12, pixelSpacingMm: 2, sliceSpacingMm: 2.5 };

/** The engine's order: consecutive batches of `batch` predictions over the whole series. */
function run(o: SyntheticCtOptions, batch: number, cache?: PlaneCache): Float32Array[] {
  const ct = syntheticCt({ cols: 20, rows: 16, slices: 14, ...o });
  const g = gridGeometry(ct, model);
  const out: Float32Array[] = [];
  for (let s = 0; s < g.slices; s += batch)
    out.push(preprocessReference(ct.hu, g, spec, s, Math.min(batch, g.slices - s), undefined, cache));
  return out;
}

/** The bytes of every batch's input, joined (equal bytes = bit-identical floats). */
const bits = (xs: Float32Array[]) =>
  Buffer.concat(xs.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength))).toString('hex');

describe('PlaneCache', () => {
  for (const sliceMm of [5, 2.5, 1.25, 3, 0.7])
    for (const batch of [1, 3])
      test(`${sliceMm} mm slices, batch ${batch}: bit-identical to the reference`, () => {
        const o: SyntheticCtOptions = { spacing: [1.5, 1.5, sliceMm] };
        const cache = new PlaneCache(Math.max(16, 2 * batch + 12));
        expect(bits(run(o, batch, cache))).toEqual(bits(run(o, batch)));
        // 14 predictions x 5 planes = 70 planes without the cache
        expect(cache.computed + cache.reused).toBe(70);
        if (sliceMm === 2.5 || sliceMm === 5 || sliceMm === 1.25) expect(cache.computed).toBeLessThan(30);
      });

  test('2.5 mm slices at the model spacing: each CT slice resampled once (plus the repeated edges)', () => {
    const cache = new PlaneCache();
    run({ spacing: [1.5, 1.5, 2.5] }, 1, cache);
    // planes k-2..k+2 of every k: the 14 slices themselves (edges repeat slice 0 / 13, the same key)
    expect(cache.computed).toBe(14);
    expect(cache.reused).toBe(56);
  });

  test('a tilted series (in-plane maps depend on the plane): the cache stands aside, output unchanged', () => {
    const t = Math.sin(0.1);
    const o: SyntheticCtOptions = { spacing: [1.5, 1.5, 2.5], rowCosines: [Math.cos(0.1), 0, t] };
    const g = gridGeometry(syntheticCt({ cols: 20, rows: 16, slices: 14, ...o }), model);
    expect(PlaneCache.applies(g)).toBe(false);
    const cache = new PlaneCache();
    expect(bits(run(o, 1, cache))).toEqual(bits(run(o, 1)));
    expect(cache.computed + cache.reused).toBe(0);
  });

  test('a small cache still gives the reference (only more planes are resampled)', () => {
    const o: SyntheticCtOptions = { spacing: [1.5, 1.5, 1.25] };
    const cache = new PlaneCache(2);
    expect(bits(run(o, 1, cache))).toEqual(bits(run(o, 1)));
    expect(cache.computed).toBeGreaterThan(14);
  });
});
