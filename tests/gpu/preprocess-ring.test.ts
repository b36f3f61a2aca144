/**
 * Upload each CT slice once (issue 13): the GPU ring of CT slices against the CPU reference on Dawn,
 * with a ring smaller than the series (slots reused), batches submitted back to back before any is read
 * (the queue writes of batch n+1 must not overtake the reads of batch n), odd slice sizes (padded
 * int16 words), float32 volumes, jumps backwards; and the byte count: every slice crosses the bus once.
 */
import { describe, expect, test } from 'vitest';
import { gpuEnv, tf } from './setup';
import { gridGeometry } from '../../src/engine/grid';
import { preprocessReference } from '../../src/engine/programs/preprocess.ref';
import { GpuPreprocessor, ringCapacity } from '../../src/engine/preprocess';
import { planBatches } from '../../src/engine/batch';
import { segmentVolume } from '../../src/engine/engine';
import { loadModel } from '../../src/engine/model';
import { dirUrl, fileFetch } from '../../src/engine/node/files';
import { syntheticCt, type SyntheticCtOptions } from '../../src/engine/synthetic';

const env = await gpuEnv();
const skip = 'skip' in env ? env.skip : '';
const spec = { huMin: -1000, huMax: 1500, huOffset: 0, huScale: 1000 };

function worst(got: Float32Array, want: Float32Array): number {
  let w = 0;
  for (let n = 0; n < want.length; n++) w = Math.max(w, Math.abs(got[n] - want[n]));
  return w;
}

const cases: { name: string; ct: SyntheticCtOptions; S: number; batch: number }[] = [
  { name: 'int16, odd slice size, batch 3', ct: { cols: 31, rows: 27, slices: 17, spacing: [1, 1, 2] }, S: 20, batch: 3 },
  {
    name: 'float32, non-uniform spacing, batch 4',
    ct: {
      cols: 24,
      rows: 22,
      slices: 12,
      spacing: [1, 1, 2],
      float: true,
      sliceOffsets: [0, 2, 4, 7, 9, 10, 13, 20, 22, 24, 25, 30],
    },
    S: 16,
    batch: 4,
  },
];

describe.skipIf(!!skip)('GPU ring of CT slices vs CPU reference (Dawn)', () => {
  for (const c of cases) {
    test(`${c.name}: ring smaller than the series, all batches in flight before the first read`, async () => {
      const ct = syntheticCt(c.ct);
      const g = gridGeometry(ct, { size: c.S, pixelSpacingMm: 1.6, sliceSpacingMm: 2.5 });
      const before = tf.memory().numTensors;
      const pre = new GpuPreprocessor(ct, g, spec, { batch: c.batch });
      expect(pre.capacity).toBe(ringCapacity(g, c.batch));
      expect(pre.capacity).toBeLessThan(g.slices); // the slots are really reused
      const plan = planBatches(g.slices, c.batch);
      const outs = plan.map((b) => pre.run(b.start, b.count)); // nothing read yet
      for (let n = 0; n < plan.length; n++) {
        const want = preprocessReference(ct.hu, g, spec, plan[n].start, plan[n].count);
        const got = (await outs[n].data()) as Float32Array;
        expect(worst(got, want), `batch ${n}`).toBeLessThan(1e-3);
      }
      tf.dispose(outs);
      // every slice once: padded int16 slots or float32
      const npx = g.cols * g.rows;
      expect(pre.totalUploadBytes).toBe(g.slices * (c.ct.float ? npx * 4 : (npx + (npx % 2)) * 2));
      // a jump back re-uploads what was evicted and is still right
      const back = pre.run(1, c.batch);
      expect(worst((await back.data()) as Float32Array, preprocessReference(ct.hu, g, spec, 1, c.batch))).toBeLessThan(1e-3);
      back.dispose();
      pre.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  test('engine: the ring uploads each slice once (slab baseline more), same labels', async () => {
    const model = await loadModel(dirUrl('tests/fixtures/models/tiny-random'), { fetchFunc: fileFetch });
    const ct = syntheticCt({ cols: 40, rows: 36, slices: 11, spacing: [2, 2, 2.5] });
    const ring = await segmentVolume(model, ct, { protocol: 'whole', batchSize: 3 });
    const slab = await segmentVolume(model, ct, { protocol: 'whole', batchSize: 3, preprocess: 'slab' });
    model.dispose();
    expect(ring.report.preprocess).toBe('wgsl');
    expect(slab.report.preprocess).toBe('wgsl-slab');
    expect(ring.report.bytesUploaded).toBe(11 * 40 * 36 * 2);
    expect(slab.report.bytesUploaded).toBeGreaterThan(2 * ring.report.bytesUploaded);
    expect(Array.from(ring.labels)).toEqual(Array.from(slab.labels));
  }, 600_000); // the first run compiles the model's pipelines: minutes on a loaded llvmpipe
});
