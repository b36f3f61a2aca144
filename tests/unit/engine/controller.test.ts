/** The UI's engine controller in Node (wasm backend), with model files served by a fake fetch. */
import { describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import { EngineController } from '../../../src/engine/controller';
import { syntheticCt } from '../../../src/engine/synthetic';

const FIX = 'tests/fixtures/models/tiny-random/';

function appFetch(files: Record<string, () => Promise<string | Uint8Array<ArrayBuffer>>>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    const f = files[url];
    if (!f) return new Response('missing', { status: 404 });
    const body = await f();
    return new Response(typeof body === 'string' ? body : new Uint8Array(body), { status: 200 });
  }) as typeof fetch;
}

const fixture = (name: string) => () => readFile(FIX + name);

describe('engine controller', () => {
  test('start, segment slice by slice, report', async () => {
    const fetchFunc = appFetch({
      'app:/models/index.json': async () =>
        JSON.stringify({ models: [{ id: 'tiny', name: 'Tiny', path: 'models/tiny/', default: true }] }),
      'app:/models/tiny/manifest.json': fixture('manifest.json'),
      'app:/models/tiny/model.json': fixture('model.json'),
      'app:/models/tiny/group1-shard1of1.bin': fixture('group1-shard1of1.bin'),
    });
    const c = new EngineController({ baseUrl: 'app:/', fetchFunc, backend: { gpu: null, order: ['wasm'] } });
    const statuses: string[] = [];
    c.subscribe(() => statuses.push(c.getState().status));
    await c.start();
    expect(c.getState().status).toBe('ready');
    expect(c.getState().notice?.backend).toBe('wasm');
    expect(c.getState().manifest?.id).toBe('tiny-random');
    const ct = syntheticCt({ cols: 40, rows: 40, slices: 3, spacing: [3, 3, 3] });
    const seen: number[] = [];
    const r = await c.segment(ct, { protocol: 'whole', onSlice: (k) => seen.push(k) });
    expect(r?.labels.length).toBe(40 * 40 * 3);
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    // then the slices the connected-component clean-up changed, once more (random weights: islands)
    const cleanup = c.getState().lastReport?.cleanup;
    expect(cleanup?.slicesChanged).toBeGreaterThan(0);
    expect(seen.length).toBe(3 + cleanup!.slicesChanged);
    expect(c.getState().lastReport?.completed).toBe(true);
    const off: number[] = [];
    await c.segment(ct, { protocol: 'whole', cleanup: false, onSlice: (k) => off.push(k) });
    expect(off).toEqual([0, 1, 2]); // RunRequest.cleanup false reaches the engine
    expect(c.getState().lastReport?.cleanup).toBeNull();
    expect(statuses).toContain('running');
    expect(c.getState().status).toBe('ready');
  });

  test('a broken manifest is an error naming the field; geometry errors block the run', async () => {
    const fetchFunc = appFetch({
      'app:/models/index.json': async () => JSON.stringify({ models: [{ id: 'bad', name: 'Bad', path: 'models/bad/' }] }),
      'app:/models/bad/manifest.json': async () => {
        const m = JSON.parse(await readFile(FIX + 'manifest.json', 'utf8'));
        m.input.huScale = 0;
        return JSON.stringify(m);
      },
    });
    const c = new EngineController({ baseUrl: 'app:/', fetchFunc, backend: { gpu: null, order: ['wasm'] } });
    await c.start();
    expect(c.getState().status).toBe('error');
    expect(c.getState().error?.code).toBe('manifest');
    expect(c.getState().error?.message).toMatch(/models\/bad\/manifest\.json: field "input\.huScale"/);
  });
});
