/**
 * The whole engine on a real WebGPU implementation (Dawn) with the committed tiny-random model:
 * results equal the CPU reference pipeline, memory returns to its starting point after every run and
 * does not grow over three runs, cancel stops within one batch, one run at a time, device loss is
 * reported as such and a fresh device works again.
 */
import { describe, expect, test } from 'vitest';
import { gpuEnv, tf } from './setup';
import { loadModel, type LoadedModel } from '../../src/engine/model';
import { dirUrl, fileFetch } from '../../src/engine/node/files';
import { segmentVolume } from '../../src/engine/engine';
import { gridGeometry } from '../../src/engine/grid';
import { preprocessReference } from '../../src/engine/programs/preprocess.ref';
import { postprocessReference } from '../../src/engine/programs/postprocess.ref';
import { syntheticCt } from '../../src/engine/synthetic';
import { activeGpuDevice, resetWebGpu } from '../../src/engine/backend';
import { installDawn } from '../../src/engine/node/dawn';
import { protocolMask } from '../../src/organs';
import { EngineError } from '../../src/engine/errors';

const env = await gpuEnv();
const skip = 'skip' in env ? env.skip : '';
const MODEL = 'tests/fixtures/models/tiny-random';

async function load(): Promise<LoadedModel> {
  return loadModel(dirUrl(MODEL), { fetchFunc: fileFetch, cache: false });
}

describe.skipIf(!!skip)('engine on WebGPU (Dawn) with tiny-random', () => {
  const ct = syntheticCt({ cols: 100, rows: 84, slices: 11, spacing: [1.6, 1.6, 3] });
  let model: LoadedModel;

  test('labels equal the CPU reference pipeline; uint8 read back, <= 2 bytes per voxel', async () => {
    model = await load();
    const slicesSeen: number[] = [];
    const r = await segmentVolume(model, ct, {
      protocol: 'whole',
      confidence: true,
      batchSize: 4,
      cleanup: false,
      onSlice: (k) => slicesSeen.push(k),
    });
    expect(r.report.completed).toBe(true);
    expect(r.report.postprocess).toBe('fused-wgsl');
    expect(r.report.preprocess).toBe('wgsl');
    expect(slicesSeen).toEqual([...Array(11).keys()]); // every slice once, in order (last batch overlaps)
    expect(r.report.bytesReadBackPerVoxel).toBeLessThanOrEqual(2);

    // reference: CPU pre-processing, the graph on the same backend, CPU post-processing
    const g = gridGeometry(ct, model.manifest.input);
    const S = model.manifest.input.size;
    const x = preprocessReference(ct.hu, g, model.manifest.input, 0, 11);
    const out = model.execute(tf.tensor4d(x, [11, S, S, 5]));
    const [seg, att] = [(await out.seg.data()) as Float32Array, (await out.attention.data()) as Float32Array];
    tf.dispose([out.seg, out.attention, out.region]);
    const ref = postprocessReference(seg, att, 11, { cols: 100, rows: 84, size: S, u: g.u, v: g.v, mask: protocolMask('whole') });
    let mismatch = 0;
    let confOff = 0;
    for (let n = 0; n < ref.labels.length; n++) {
      if (r.labels[n] !== ref.labels[n]) mismatch++;
      if (Math.abs(r.confidence![n] - Math.round(ref.confidence[n] * 255)) > 1) confOff++;
    }
    // GPU vs CPU pre-processing differ by float rounding, which the random network can amplify a little
    expect(mismatch / ref.labels.length).toBeLessThan(0.002);
    expect(confOff / ref.labels.length).toBeLessThan(0.002);
    expect(new Set(r.labels).size, `labels ${[...new Set(r.labels)]}`).toBeGreaterThan(1);
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine

  test('tfjs-ops post-processing (baseline) agrees with the fused program', async () => {
    const a = await segmentVolume(model, ct, { protocol: 'whole', batchSize: 3, cleanup: false });
    const b = await segmentVolume(model, ct, {
      protocol: 'whole',
      batchSize: 3,
      postprocess: 'tfops',
      preprocess: 'cpu',
      cleanup: false,
    });
    expect(b.report.postprocess).toBe('tfjs-ops');
    expect(b.report.bytesReadBackPerVoxel).toBe(8);
    let mismatch = 0;
    for (let n = 0; n < a.labels.length; n++) if (a.labels[n] !== b.labels[n]) mismatch++;
    expect(mismatch / a.labels.length).toBeLessThan(0.002);
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine

  test('memory: back to the start after each run, no growth over three runs', async () => {
    const start = tf.memory() as tf.MemoryInfo & { numBytesInGPUAllocated?: number; numBytesAllocatedInGPU?: number };
    const allocated: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await segmentVolume(model, ct, { protocol: 'head_neck', batchSize: 4 });
      const m = tf.memory() as typeof start;
      expect(m.numTensors).toBe(start.numTensors);
      expect(m.numBytes).toBe(start.numBytes);
      expect(r.report.memoryAfter.numTensors).toBe(r.report.memoryBefore.numTensors);
      allocated.push(m.numBytesAllocatedInGPU ?? m.numBytesInGPUAllocated ?? 0);
    }
    expect(allocated[2]).toBeLessThanOrEqual(allocated[0]);
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine

  test('cancel stops within one batch and frees memory; one run at a time', async () => {
    const gpuBytes = () => (tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU: number }).numBytesAllocatedInGPU;
    const before = tf.memory().numTensors;
    const allocatedBefore = gpuBytes();
    const ac = new AbortController();
    const p = segmentVolume(model, ct, {
      protocol: 'whole',
      batchSize: 2,
      signal: ac.signal,
      onProgress: (q) => {
        if (q.done > 0) ac.abort();
      },
    });
    await expect(segmentVolume(model, ct, { protocol: 'whole' })).rejects.toMatchObject({ code: 'busy' });
    const r = await p;
    expect(r.report.completed).toBe(false);
    // aborted while the first batch was delivered: the batch already submitted behind it is abandoned
    expect(r.report.slicesDone).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    // the abandoned batch's buffers are released too (tfjs would otherwise keep them in its pool)
    expect(gpuBytes()).toBeLessThanOrEqual(allocatedBefore);
    expect(r.report.gpuBytesReleased).toBeGreaterThan(0);
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine

  test('device loss is reported as such; a fresh device works again', async () => {
    const device = activeGpuDevice()!;
    let destroyed = false;
    const run = segmentVolume(model, ct, {
      protocol: 'whole',
      batchSize: 2,
      onProgress: (q) => {
        if (q.done > 0 && !destroyed) {
          destroyed = true;
          device.destroy();
        }
      },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('device-lost');
    const dawn = (await installDawn())!;
    const notice = await resetWebGpu({ order: ['webgpu'], gpu: dawn.gpu, adapterOptions: dawn.adapterOptions });
    expect(notice.backend).toBe('webgpu');
    model = await load(); // weights live on the device: load again
    const r = await segmentVolume(model, ct, { protocol: 'whole', batchSize: 4 });
    expect(r.report.completed).toBe(true);
    model.dispose();
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine
});

describe.skipIf(!!skip)('controller on WebGPU (Dawn): device loss, Retry', () => {
  test('a lost device puts the controller in error with Retry; Retry re-creates device and model', async () => {
    const { readFile } = await import('node:fs/promises');
    const { EngineController } = await import('../../src/engine/controller');
    const files: Record<string, string> = {
      'app:/models/index.json': '',
      'app:/models/tiny/manifest.json': `${MODEL}/manifest.json`,
      'app:/models/tiny/model.json': `${MODEL}/model.json`,
      'app:/models/tiny/group1-shard1of1.bin': `${MODEL}/group1-shard1of1.bin`,
    };
    const fetchFunc = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url === 'app:/models/index.json')
        return new Response(JSON.stringify({ models: [{ id: 'tiny', name: 'Tiny', path: 'models/tiny/' }] }));
      return files[url] ? new Response(new Uint8Array(await readFile(files[url]))) : new Response('', { status: 404 });
    }) as typeof fetch;
    const dawn = (await installDawn())!;
    const c = new EngineController({
      baseUrl: 'app:/',
      fetchFunc,
      backend: { order: ['webgpu'], gpu: dawn.gpu, adapterOptions: dawn.adapterOptions },
    });
    await c.start();
    expect(c.getState().status).toBe('ready');
    const ct = syntheticCt({ cols: 64, rows: 64, slices: 80, spacing: [2, 2, 3] }); // several batches of 32
    let killed = false;
    const r = await c.segment(ct, {
      protocol: 'whole',
      onSlice: () => {
        if (!killed) {
          killed = true;
          activeGpuDevice()!.destroy();
        }
      },
    });
    expect(r).toBeNull();
    expect(c.getState().status).toBe('error');
    expect(c.getState().error?.code).toBe('device-lost');
    expect(c.getState().error?.retry).toBe(true);
    await c.retry();
    expect(c.getState().status).toBe('ready');
    const again = await c.segment(ct, { protocol: 'whole' });
    expect(again?.report.completed).toBe(true);
    c.dispose();
  }, 300_000); // Dawn on llvmpipe: minutes on a loaded 2-core machine
});
