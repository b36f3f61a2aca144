/**
 * GPU pre-processing (PreprocessProgram) against the CPU reference on a real WebGPU implementation,
 * for int16 and float32 volumes, axial, flipped, oblique and non-uniformly spaced series, at the volume
 * edges (where window planes repeat the edge slice).
 */
import { describe, expect, test } from 'vitest';
import { gpuEnv, tf } from './setup';
import { gridGeometry } from '../../src/engine/grid';
import { preprocessReference } from '../../src/engine/programs/preprocess.ref';
import { GpuPreprocessor } from '../../src/engine/preprocess';
import { syntheticCt, type SyntheticCtOptions } from '../../src/engine/synthetic';

const env = await gpuEnv();
const skip = 'skip' in env ? env.skip : '';

const spec = { huMin: -1000, huMax: 1500, huOffset: 0, huScale: 1000 };
const a = (8 * Math.PI) / 180;

const cases: { name: string; ct: SyntheticCtOptions; S: number; s: number; t: number; runs: [number, number][] }[] = [
  {
    name: 'int16 HFS, grid larger than the image',
    ct: { cols: 48, rows: 40, slices: 12, spacing: [1.2, 1.2, 2] },
    S: 32,
    s: 2,
    t: 2.5,
    runs: [
      [0, 3],
      [5, 4],
      [9, 3],
    ],
  },
  {
    name: 'float32, flipped axes',
    ct: { cols: 33, rows: 35, slices: 9, spacing: [0.9, 1.1, 3], rowCosines: [-1, 0, 0], colCosines: [0, -1, 0], float: true },
    S: 24,
    s: 1.5,
    t: 2,
    runs: [[0, 9]],
  },
  {
    name: 'int16 odd slice size, oblique 8 degrees',
    ct: { cols: 31, rows: 27, slices: 10, spacing: [1, 1, 2], rowCosines: [Math.cos(a), 0, Math.sin(a)] },
    S: 20,
    s: 1.6,
    t: 2.5,
    runs: [
      [1, 4],
      [6, 4],
    ],
  },
  {
    name: 'int16 non-uniform slice spacing',
    ct: { cols: 32, rows: 32, slices: 8, spacing: [1, 1, 2], sliceOffsets: [0, 2, 4, 7, 9, 10, 13, 20] },
    S: 16,
    s: 2,
    t: 2.5,
    runs: [[0, 8]],
  },
];

describe.skipIf(!!skip)('GPU pre-processing vs CPU reference (Dawn)', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const ct = syntheticCt(c.ct);
      const g = gridGeometry(ct, { size: c.S, pixelSpacingMm: c.s, sliceSpacingMm: c.t });
      const before = tf.memory().numTensors;
      const pre = new GpuPreprocessor(ct, g, spec);
      for (const [start, count] of c.runs) {
        const want = preprocessReference(ct.hu, g, spec, start, count);
        const xt = pre.run(start, count);
        expect(xt.shape).toEqual([count, c.S, c.S, 5]);
        const got = (await xt.data()) as Float32Array;
        xt.dispose();
        let worst = 0;
        let bad = 0;
        for (let n = 0; n < want.length; n++) {
          const e = Math.abs(got[n] - want[n]);
          worst = Math.max(worst, e);
          if (e > 1e-3) bad++;
        }
        // 1e-3 = 1 HU: float32 coordinates move samples by < 1e-4 pixel
        expect(bad, `worst error ${worst}`).toBe(0);
        // the inputs are not trivial: air, tissue and bone all present
        expect(Math.min(...want)).toBeLessThan(-0.8);
        expect(Math.max(...want)).toBeGreaterThan(0.5);
      }
      pre.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
