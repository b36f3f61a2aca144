/**
 * The engine behind a message channel (src/engine/worker): the same protocol as the page's Web Worker, run in
 * Node over a MessageChannel (serveEngine on one port, WorkerHost on the other), on wasm. Labels, the order of
 * deliveries, cancel semantics and errors must match the engine called directly.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { channelHost, closePorts, FIX, fetchFunc, files, tableFetch } from './channelHost';
import { EngineController } from '../../../src/engine/controller';
import { segmentVolume, type SegmentProgress, type SegmentReport } from '../../../src/engine/engine';
import { loadModel } from '../../../src/engine/model';
import { syntheticCt } from '../../../src/engine/synthetic';
import { RunAssembler } from '../../../src/engine/worker/assembler';
import { segmentInWorker } from '../../../src/engine/worker/client';

function report(p: Partial<SegmentReport>): SegmentReport {
  return {
    slices: 4,
    slicesDone: 4,
    completed: true,
    seconds: 2,
    slicesPerS: 2,
    cleanup: { ms: 1, finalMs: 1, voxelsRemoved: 3, slicesChanged: 1, organs: [] },
    ...p,
  } as SegmentReport;
}

afterEach(closePorts);

describe('RunAssembler (page side of a run in the worker)', () => {
  test('writes slices into its own volume, hands views to onSlice; a stop cuts the report to what was delivered', () => {
    const seen: number[] = [];
    const progress: number[] = [];
    const a = new RunAssembler(
      2,
      4,
      false,
      (k, l) => seen.push(k * 10 + l[1]),
      (p) => progress.push(p.done),
    );
    const p = (done: number): SegmentProgress => ({ done, total: 4, elapsedS: 1, slicesPerS: 1, secondsLeft: 1 });
    a.slice(0, new Uint8Array([1, 2]));
    a.progress(p(1));
    a.slice(1, new Uint8Array([3, 4]));
    a.progress(p(2));
    a.stop();
    a.slice(2, new Uint8Array([5, 6])); // arrived after the cancel: dropped
    a.progress(p(3));
    const r = a.finish(report({ slicesDone: 3, completed: true }));
    expect(seen).toEqual([2, 14]);
    expect(progress).toEqual([1, 2]);
    expect([...r.labels]).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    expect(r.report).toMatchObject({ slicesDone: 2, completed: false, cleanup: null, slicesPerS: 1 });
    expect(() => new RunAssembler(2, 1, false).slice(0, new Uint8Array(3))).toThrow(RangeError);
  });

  test("without a stop the report is the worker's", () => {
    const a = new RunAssembler(1, 1, true);
    a.slice(0, new Uint8Array([7]), new Uint8Array([200]));
    const r = a.finish(report({}));
    expect(r.report.completed).toBe(true);
    expect([...r.confidence!]).toEqual([200]);
  });
});

describe('engine over a message channel (wasm)', () => {
  test('same labels and deliveries as segmentVolume; cancel keeps exactly the slices delivered before it', async () => {
    const c = new EngineController({ baseUrl: 'app:/', fetchFunc, backend: { gpu: null, order: ['wasm'] }, host: channelHost() });
    await c.start();
    expect(c.getState().status).toBe('ready');
    expect(c.getState().notice?.backend).toBe('wasm');
    expect(c.host.kind).toBe('worker');
    const ct = syntheticCt({ cols: 40, rows: 40, slices: 4, spacing: [3, 3, 3] });

    const seen: number[] = [];
    const r = await c.segment(ct, {
      protocol: 'whole',
      onSlice: (k, l) => {
        expect(l.length).toBe(1600);
        seen.push(k);
      },
    });
    expect(r?.report.completed).toBe(true);
    // the engine called directly on this thread, same model: the reference
    const direct = await loadModel('app:/models/tiny/', { fetchFunc, cache: false });
    const ref = await segmentVolume(direct, ct, { protocol: 'whole' });
    expect(Buffer.from(r!.labels).equals(Buffer.from(ref.labels))).toBe(true);
    const changed = r!.report.cleanup!.slicesChanged;
    expect(seen.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(seen.length).toBe(4 + changed);

    // cancel from the first progress report with slices done (wasm: one slice per batch)
    const got: number[] = [];
    let at = -1;
    const run = c.segment(ct, {
      protocol: 'whole',
      onSlice: (k) => got.push(k),
    });
    const unsub = c.subscribe(() => {
      const p = c.getState().progress;
      if (at < 0 && p && p.done > 0 && c.getState().status === 'running') {
        at = p.done;
        c.cancel();
      }
    });
    expect(await run).toBeNull();
    unsub();
    expect(at).toBe(1);
    expect(got).toEqual([0]);
    expect(c.getState().lastReport).toMatchObject({ completed: false, slicesDone: 1 });
    expect(c.getState().status).toBe('ready');
    // and the engine runs again afterwards
    const again = await c.segment(ct, { protocol: 'whole', cleanup: false });
    expect(again?.report.completed).toBe(true);
    direct.dispose();
  });

  test('segmentInWorker: a run cancelled before its call reaches the worker stops at once', async () => {
    const host = channelHost();
    expect((await host.selectBackend({ gpu: null, order: ['wasm'] })).backend).toBe('wasm');
    const model = await host.loadModel('app:/models/tiny/', { cache: false });
    const ct = syntheticCt({ cols: 40, rows: 40, slices: 6, spacing: [3, 3, 3] });
    const ac = new AbortController();
    ac.abort();
    const seen: number[] = [];
    const r = await segmentInWorker(model, ct, { protocol: 'whole', signal: ac.signal, onSlice: (k) => seen.push(k) }, host);
    expect(r.report).toMatchObject({ completed: false, slicesDone: 0 });
    expect(seen).toEqual([]);
    // the worker stopped after its first batch (wasm: one slice), and is free for the next run
    const again = await segmentInWorker(model, ct, { protocol: 'whole', cleanup: false }, host);
    expect(again.report.completed).toBe(true);
    expect(r.report.bytesReadBack, 'the cancelled run read back one batch at most').toBeLessThanOrEqual(
      again.report.bytesReadBack / 6,
    );
    model.dispose();
  });

  test('errors keep their code and message across the channel', async () => {
    const bad: typeof files = {
      ...files,
      'app:/models/tiny/manifest.json': async () => {
        const m = JSON.parse(await readFile(FIX + 'manifest.json', 'utf8'));
        m.input.huScale = 0;
        return JSON.stringify(m);
      },
    };
    const badFetch = tableFetch(bad);
    const host = channelHost(badFetch);
    const c = new EngineController({ baseUrl: 'app:/', fetchFunc: badFetch, backend: { gpu: null, order: ['wasm'] }, host });
    await c.start();
    expect(c.getState().error?.code).toBe('manifest');
    expect(c.getState().error?.message).toMatch(/models\/tiny\/manifest\.json: field "input\.huScale"/);
  });
});
