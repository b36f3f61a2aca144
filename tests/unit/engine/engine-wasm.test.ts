/**
 * The fallback path (CPU pre-processing, graph on wasm, typed-array post-processing) with the committed
 * tiny-random model: labels equal the CPU reference pipeline; memory returns to its start.
 */
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/engine/backend';
import { loadModel } from '../../../src/engine/model';
import { dirUrl, fileFetch } from '../../../src/engine/node/files';
import { cleanupLabels } from '../../../src/engine/cleanup';
import { segmentVolume } from '../../../src/engine/engine';
import { gridGeometry } from '../../../src/engine/grid';
import { preprocessReference } from '../../../src/engine/programs/preprocess.ref';
import { postprocessReference } from '../../../src/engine/programs/postprocess.ref';
import { syntheticCt } from '../../../src/engine/synthetic';
import { protocolMask } from '../../../src/organs';

describe('engine on wasm (fallback path)', () => {
  test('webgpu and webgl unavailable in Node: the notice says why wasm runs', async () => {
    // Automatic choice: the ranking sees neither and goes straight to wasm, saying why.
    const notice = await selectBackend({ gpu: null });
    expect(notice.backend).toBe('wasm');
    expect(notice.choice).toBe('auto');
    expect(notice.ranking?.order).toEqual(['wasm']);
    expect(notice.message).toMatch(/WebAssembly/);
    expect(notice.message).toMatch(/WebGPU not available \(navigator\.gpu is missing\)/);
    // An explicit order still tries each and names the failures.
    const asked = await selectBackend({ gpu: null, order: ['webgpu', 'webgl', 'wasm'] });
    expect(asked.backend).toBe('wasm');
    expect(asked.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl']);
    expect(asked.message).toMatch(/WebGPU failed \(this browser has no WebGPU/);
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
  });

  test('labels equal the reference pipeline', async () => {
    const model = await loadModel(dirUrl('tests/fixtures/models/tiny-random'), { fetchFunc: fileFetch });
    const ct = syntheticCt({ cols: 60, rows: 50, slices: 5, spacing: [2.4, 2.4, 3] });
    const before = tf.memory();
    const progress: number[] = [];
    // cleanup off: the raw network labels (the clean-up has its own test below)
    const r = await segmentVolume(model, ct, {
      protocol: 'abdomen',
      confidence: true,
      cleanup: false,
      onProgress: (p) => progress.push(p.done),
    });
    expect(r.report.cleanup).toBeNull();
    expect(r.report.backend).toBe('wasm');
    expect(r.report.postprocess).toBe('cpu-kernel'); // was 'tfjs-ops' before the typed-array kernel (issue 13)
    expect(r.report.batchSize).toBe(1);
    expect(progress).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);

    const g = gridGeometry(ct, model.manifest.input);
    const S = model.manifest.input.size;
    const out = model.execute(tf.tensor4d(preprocessReference(ct.hu, g, model.manifest.input, 0, 5), [5, S, S, 5]));
    const ref = postprocessReference((await out.seg.data()) as Float32Array, (await out.attention.data()) as Float32Array, 5, {
      cols: 60,
      rows: 50,
      size: S,
      u: g.u,
      v: g.v,
      mask: protocolMask('abdomen'),
    });
    tf.dispose([out.seg, out.attention, out.region]);
    let mismatch = 0;
    for (let n = 0; n < ref.labels.length; n++) {
      if (r.labels[n] !== ref.labels[n]) mismatch++;
      expect(Math.abs(r.confidence![n] - Math.round(ref.confidence[n] * 255))).toBeLessThanOrEqual(1);
    }
    expect(mismatch).toBeLessThanOrEqual(2);
    model.dispose();
  });

  test('clean-up on by default: final labels = cleanupLabels(raw), changed slices delivered again, reported', async () => {
    const model = await loadModel(dirUrl('tests/fixtures/models/tiny-random'), { fetchFunc: fileFetch });
    const ct = syntheticCt({ cols: 60, rows: 50, slices: 6, spacing: [2.4, 2.4, 3] });
    const raw = await segmentVolume(model, ct, { protocol: 'whole', cleanup: false });
    const expected = cleanupLabels(raw.labels, ct.dims, ct.spacing);
    expect(expected.report.voxelsRemoved).toBeGreaterThan(0); // random weights: islands everywhere
    const seen = new Map<number, Uint8Array>(); // the last delivery of every slice, as a listener keeps it
    // batches of 4 over 6 slices: the last batch overlaps (slices scanned as delivered, each once)
    const r = await segmentVolume(model, ct, {
      protocol: 'whole',
      batchSize: 4,
      onSlice: (k, labels) => seen.set(k, labels.slice()),
    });
    expect(Array.from(r.labels)).toEqual(Array.from(expected.labels));
    const npx = ct.dims[0] * ct.dims[1];
    for (let k = 0; k < ct.dims[2]; k++)
      expect(Array.from(seen.get(k)!), `slice ${k}`).toEqual(Array.from(expected.labels.subarray(k * npx, (k + 1) * npx)));
    expect(r.report.cleanup).toMatchObject({
      voxelsRemoved: expected.report.voxelsRemoved,
      slicesChanged: expected.report.changedSlices.length,
    });
    expect(r.report.cleanup!.organs).toEqual(expected.report.organs.filter((o) => o.voxelsRemoved > 0));
    expect(r.report.cleanup!.finalMs).toBeLessThanOrEqual(r.report.cleanup!.ms);
    model.dispose();
  });
});

describe('engine guards', () => {
  test('a geometry error or a blocking warning leaves the engine free for the next run', async () => {
    const { EngineError } = await import('../../../src/engine/errors');
    const model = await loadModel(dirUrl('tests/fixtures/models/tiny-random'), { fetchFunc: fileFetch });
    const sagittal = syntheticCt({ cols: 20, rows: 20, slices: 3, rowCosines: [0, 1, 0], colCosines: [0, 0, -1] });
    await expect(segmentVolume(model, sagittal, { protocol: 'whole' })).rejects.toMatchObject({ code: 'geometry' });
    const blocked = syntheticCt({ cols: 20, rows: 20, slices: 3 });
    blocked.warnings.push({ code: 'too-few-slices', severity: 'error', message: 'Only 3 slices.' });
    await expect(segmentVolume(model, blocked, { protocol: 'whole' })).rejects.toBeInstanceOf(EngineError);
    const ok = await segmentVolume(model, syntheticCt({ cols: 20, rows: 20, slices: 3, spacing: [3, 3, 3] }), {
      protocol: 'whole',
    });
    expect(ok.report.completed).toBe(true);
    model.dispose();
  });
});
