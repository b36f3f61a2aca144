/**
 * Several engine workers splitting the slices (src/engine/worker/shards.ts) and the engine's slice range it
 * rests on. The "workers" are serveEngine over MessageChannels in this thread (tests/unit/engine/channelHost.ts),
 * so their runs are serialised here (one tfjs per thread); the real Web Workers run side by side in
 * tests/e2e/wasm-threads.spec.ts. Reference: the engine called directly, one run over all slices.
 */
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { selectBackend, type BackendNotice } from '../../../src/engine/backend';
import { splitSlices } from '../../../src/engine/batch';
import { segmentVolume } from '../../../src/engine/engine';
import { EngineError } from '../../../src/engine/errors';
import { loadModel } from '../../../src/engine/model';
import { syntheticCt } from '../../../src/engine/synthetic';
import { voxelsRead, type WorkerHost } from '../../../src/engine/worker/client';
import { ShardedHost, withWorkers } from '../../../src/engine/worker/shards';
import { channelHost, closePorts, fetchFunc } from './channelHost';

afterEach(closePorts);
beforeAll(async () => {
  await selectBackend({ gpu: null, order: ['wasm'] });
});

/** Runs of all hosts sharing `lock` one after another (the engine allows one run per thread). */
function serial(h: WorkerHost, lock: { p: Promise<unknown> }): WorkerHost {
  const run = h.segment.bind(h);
  h.segment = (...args: Parameters<WorkerHost['segment']>) => {
    const r = lock.p.then(() => run(...args));
    lock.p = r.catch(() => {});
    return r;
  };
  return h;
}

const ct = syntheticCt({ cols: 40, rows: 40, slices: 7, spacing: [3, 3, 3] });

describe('engine slice range', () => {
  test('predicts exactly the slices of the range, as the whole run does; the rest stays 0', async () => {
    const model = await loadModel('app:/models/tiny/', { fetchFunc, cache: false });
    const full = await segmentVolume(model, ct, { protocol: 'whole', cleanup: false, confidence: true });
    const seen: number[] = [];
    const totals = new Set<number>();
    const part = await segmentVolume(model, ct, {
      protocol: 'whole',
      confidence: true,
      slices: { start: 2, end: 5 },
      onSlice: (k) => seen.push(k),
      onProgress: (p) => totals.add(p.total),
    });
    const npx = 40 * 40;
    expect(seen).toEqual([2, 3, 4]);
    expect([...totals]).toEqual([3]);
    expect(part.report).toMatchObject({ slices: 3, slicesDone: 3, completed: true, cleanup: null });
    expect(Buffer.from(part.labels.subarray(2 * npx, 5 * npx)).equals(Buffer.from(full.labels.subarray(2 * npx, 5 * npx)))).toBe(
      true,
    );
    expect(
      Buffer.from(part.confidence!.subarray(2 * npx, 5 * npx)).equals(Buffer.from(full.confidence!.subarray(2 * npx, 5 * npx))),
    ).toBe(true);
    expect(full.labels.subarray(2 * npx, 5 * npx).some((v) => v !== 0)).toBe(true);
    expect(part.labels.subarray(0, 2 * npx).every((v) => v === 0)).toBe(true);
    expect(part.labels.subarray(5 * npx).every((v) => v === 0)).toBe(true);
    await expect(segmentVolume(model, ct, { protocol: 'whole', slices: { start: 5, end: 8 } })).rejects.toThrow(
      /not inside the CT's 7 slices/,
    );
    model.dispose();
  });

  test('splitSlices: contiguous, covering, sizes within one', () => {
    expect(splitSlices(7, 2)).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 7 },
    ]);
    expect(splitSlices(2, 4)).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
    ]);
    for (const [n, p] of [
      [600, 3],
      [13, 4],
      [1, 1],
    ]) {
      const r = splitSlices(n, p);
      expect(r[0].start).toBe(0);
      expect(r[r.length - 1].end).toBe(n);
      r.slice(1).forEach((x, i) => expect(x.start).toBe(r[i].end));
      const sizes = r.map((x) => x.end - x.start);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('ShardedHost (several engine workers)', () => {
  test('two workers: labels, confidence and clean-up of one run over all slices, every slice delivered, one report', async () => {
    const lock = { p: Promise.resolve() as Promise<unknown> };
    const host = new ShardedHost(serial(channelHost(), lock), () => serial(channelHost(), lock), { logicalCores: 2 });
    const notice = await host.selectBackend({ gpu: null, order: ['wasm'] });
    expect(notice.backend).toBe('wasm');
    expect(notice.workers?.count).toBe(2);
    expect(host.workers).toBe(2);
    expect(notice.device).toMatch(/, 2 workers x 1 thread$/);
    expect(notice.message).toContain('2 engine workers, one per core, each predicting its share of the slices.');
    const model = await host.loadModel('app:/models/tiny/', { cache: false });

    const seen: number[] = [];
    const progress: { done: number; total: number }[] = [];
    const r = await host.segment(model, ct, {
      protocol: 'whole',
      confidence: true,
      onSlice: (k, l) => {
        expect(l.length).toBe(1600);
        seen.push(k);
      },
      onProgress: (p) => progress.push({ done: p.done, total: p.total }),
    });
    const direct = await loadModel('app:/models/tiny/', { fetchFunc, cache: false });
    const ref = await segmentVolume(direct, ct, { protocol: 'whole', confidence: true });
    expect(Buffer.from(r.labels).equals(Buffer.from(ref.labels)), 'labels differ from one run').toBe(true);
    expect(Buffer.from(r.confidence!).equals(Buffer.from(ref.confidence!))).toBe(true);
    expect(r.report).toMatchObject({ workers: 2, slices: 7, slicesDone: 7, completed: true, backend: 'wasm' });
    // when each share was done, on the page's clock: within the run
    expect(r.report.shareSeconds).toHaveLength(2);
    for (const s of r.report.shareSeconds!) expect(s > 0 && s <= r.report.seconds, `share done at ${s} s`).toBe(true);
    // the tiny model's labels have stray components, so the clean-up on the assembled volume is exercised
    expect(ref.report.cleanup!.voxelsRemoved).toBeGreaterThan(0);
    expect(r.report.cleanup).toMatchObject({
      voxelsRemoved: ref.report.cleanup!.voxelsRemoved,
      slicesChanged: ref.report.cleanup!.slicesChanged,
    });
    // each slice once from its worker (0-3 and 4-6), then the clean-up's changed slices again
    expect([...seen.slice(0, 7)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(seen.length).toBe(7 + ref.report.cleanup!.slicesChanged);
    expect(progress.at(-1)).toEqual({ done: 7, total: 7 });
    expect(progress.every((p) => p.total === 7)).toBe(true);
    direct.dispose();
    model.dispose();
    host.dispose();
  });

  test('thin slices, three workers: each gets only the CT slices its share reads, and the labels still match', async () => {
    const lock = { p: Promise.resolve() as Promise<unknown> };
    const thin = syntheticCt({ cols: 40, rows: 40, slices: 30, spacing: [3, 3, 1] });
    const host = new ShardedHost(serial(channelHost(), lock), () => serial(channelHost(), lock), { logicalCores: 3 });
    expect((await host.selectBackend({ gpu: null, order: ['wasm'] })).workers?.count).toBe(3);
    const model = await host.loadModel('app:/models/tiny/', { cache: false });
    // the middle share, slices 10-19: the window reaches 2 planes x the model's slice spacing each way
    const reach = Math.ceil(2 * model.manifest.input.sliceSpacingMm);
    const [from, to] = voxelsRead(thin, model.manifest.input, { start: 10, end: 20 });
    expect(from / 1600).toBeLessThanOrEqual(10 - reach);
    expect(to / 1600).toBeGreaterThanOrEqual(20 + reach);
    expect(to - from).toBeLessThan(thin.hu.length);
    expect(voxelsRead(thin, model.manifest.input, undefined)).toEqual([0, thin.hu.length]);
    // and what the workers got was enough: the labels of one run over all slices
    const r = await host.segment(model, thin, { protocol: 'whole' });
    const direct = await loadModel('app:/models/tiny/', { fetchFunc, cache: false });
    const ref = await segmentVolume(direct, thin, { protocol: 'whole' });
    expect(Buffer.from(r.labels).equals(Buffer.from(ref.labels)), 'labels differ from one run').toBe(true);
    direct.dispose();
    model.dispose();
    host.dispose();
  });

  test('a worker that fails fails the run with its error and stops the other', async () => {
    const lock = { p: Promise.resolve() as Promise<unknown> };
    const broken = (): WorkerHost => {
      const h = channelHost();
      h.segment = () => Promise.reject(new EngineError('internal', 'worker 2 broke'));
      return h;
    };
    const host = new ShardedHost(serial(channelHost(), lock), broken, { logicalCores: 2 });
    await host.selectBackend({ gpu: null, order: ['wasm'] });
    const model = await host.loadModel('app:/models/tiny/', { cache: false });
    const delivered: number[] = [];
    await expect(host.segment(model, ct, { protocol: 'whole', onSlice: (k) => delivered.push(k) })).rejects.toThrow(
      'worker 2 broke',
    );
    // the failure stops the first worker's run on the page at once (before any slice message can arrive)
    expect(delivered).toEqual([]);
    host.dispose();
  });

  test('one worker when asked for one, and on any backend but wasm', async () => {
    const one = new ShardedHost(channelHost(), () => channelHost(), { logicalCores: 2 });
    const n1 = await one.selectBackend({ gpu: null, order: ['wasm'], wasmWorkers: 1 });
    expect(n1.workers).toEqual({ count: 1, reason: '1 engine worker (as requested)' });
    expect(n1.device).not.toMatch(/workers/);
    one.dispose();
    const cpu = new ShardedHost(channelHost(), () => channelHost(), { logicalCores: 2 });
    const n2 = await cpu.selectBackend({ gpu: null, order: ['cpu'] });
    expect(n2.backend).toBe('cpu');
    expect(n2.workers).toBeUndefined();
    expect(cpu.workers).toBe(1);
    cpu.dispose();
  });

  /** A wasm notice of one worker with `threads` threads (the fields withWorkers reads). */
  const wasmNotice = (threads: number, why: string, reason: string): BackendNotice => ({
    backend: 'wasm',
    device: `WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'}`,
    message: '',
    why,
    warning: '',
    skipped: [],
    choice: why === ' (as requested)' ? 'requested' : 'auto',
    threads: { threads, reason },
  });

  test('withWorkers: the notice names the workers instead of the per-worker thread request', () => {
    const n = withWorkers(wasmNotice(1, ' (as requested)', '1 thread (as requested)'), 3, '3 engine workers, one per core');
    expect(n.device).toBe('WebAssembly SIMD, 3 workers x 1 thread');
    expect(n.message).toBe(
      'Running on WebAssembly (WebAssembly SIMD, 3 workers x 1 thread) (as requested). 3 engine workers, one per core.',
    );
    expect(n.workers).toEqual({ count: 3, reason: '3 engine workers, one per core' });
  });

  test("withWorkers: threads beyond one per worker keep their reason beside the workers' one", () => {
    const n = withWorkers(
      wasmNotice(2, ', chosen automatically: no GPU', '2 threads per worker (8 cores, 4 workers)'),
      4,
      '4 engine workers, the most that pay',
    );
    expect(n.message).toBe(
      'Running on WebAssembly (WebAssembly SIMD, 4 workers x 2 threads), chosen automatically: no GPU. ' +
        '2 threads per worker (8 cores, 4 workers). 4 engine workers, the most that pay.',
    );
  });
});
