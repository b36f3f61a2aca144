import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, type JobResult } from '../../../src/batch/protocol';
import { startBatchServer, type BatchServer, type Broker } from '../../../src/batch/server';

const root = mkdtempSync(join(tmpdir(), 'aa-batch-server-'));
let server: BatchServer;
const got: Record<string, unknown[]> = { labels: [], result: [], progress: [], fatal: [] };

beforeAll(async () => {
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist/batch.html'), '<html>batch</html>');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  mkdirSync(join(root, 'model'));
  writeFileSync(join(root, 'model/manifest.json'), '{"id":"m"}');
  writeFileSync(
    join(root, 'input.dcm'),
    Uint8Array.from({ length: 1000 }, (_, i) => i % 251),
  );
  const broker: Broker = {
    config: { backend: 'wasm', modelId: 'm', protocol: 'whole' },
    modelIndex: { models: [{ id: 'm', name: 'M', path: 'batch/models/m/', default: true }] },
    mounts: { '/batch/models/m/': join(root, 'model') },
    file: (id, n) => (id === 1 && n === 0 ? join(root, 'input.dcm') : undefined),
    next: async () => ({ done: true }),
    progress: (_id, p) => got.progress.push(p),
    labels: (id, bytes) => got.labels.push([id, Array.from(bytes)]),
    rtstruct: () => {},
    result: (id, r) => got.result.push([id, r]),
    failure: () => {},
    fatal: (m) => got.fatal.push(m),
  };
  server = await startBatchServer(join(root, 'dist'), broker);
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('batch server', () => {
  it('serves the app, the model mounts and the served model index', async () => {
    expect(await (await fetch(`${server.url}/batch.html`)).text()).toBe('<html>batch</html>');
    expect(await (await fetch(`${server.url}/batch/models/m/manifest.json`)).json()).toEqual({ id: 'm' });
    expect((await (await fetch(`${server.url}/models/index.json`)).json()).models[0].id).toBe('m');
    expect((await fetch(`${server.url}/nothing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/..%2Fsecret.txt`)).status).toBe(404);
  });

  it('input files whole and by byte range (the page reads DICOM headers only)', async () => {
    const whole = new Uint8Array(await (await fetch(`${server.url}${API.file(1, 0)}`)).arrayBuffer());
    expect(whole.length).toBe(1000);
    const r = await fetch(`${server.url}${API.file(1, 0)}`, { headers: { Range: 'bytes=0-99' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe('bytes 0-99/1000');
    const part = new Uint8Array(await r.arrayBuffer());
    expect(Array.from(part)).toEqual(Array.from(whole.subarray(0, 100)));
    const tail = new Uint8Array(
      await (await fetch(`${server.url}${API.file(1, 0)}`, { headers: { Range: 'bytes=990-5000' } })).arrayBuffer(),
    );
    expect(Array.from(tail)).toEqual(Array.from(whole.subarray(990)));
    expect((await fetch(`${server.url}${API.file(1, 0)}`, { headers: { Range: 'bytes=2000-' } })).status).toBe(416);
    expect((await fetch(`${server.url}${API.file(2, 0)}`)).status).toBe(404);
  });

  it('the job API: config, next, binary labels, JSON result, fatal', async () => {
    expect(await (await fetch(`${server.url}${API.config}`)).json()).toEqual({
      backend: 'wasm',
      modelId: 'm',
      protocol: 'whole',
    });
    expect(await (await fetch(`${server.url}${API.next}`)).json()).toEqual({ done: true });
    await fetch(`${server.url}${API.labels(3)}`, { method: 'POST', body: Uint8Array.from([0, 1, 33, 255]) });
    expect(got.labels).toEqual([[3, [0, 1, 33, 255]]]);
    await fetch(`${server.url}${API.result(3)}`, { method: 'POST', body: JSON.stringify({ labelBytes: 4 }) });
    expect(got.result).toEqual([[3, { labelBytes: 4 } as unknown as JobResult]]);
    await fetch(`${server.url}${API.fatal}`, { method: 'POST', body: JSON.stringify({ message: 'no backend' }) });
    expect(got.fatal).toEqual([{ message: 'no backend' }]);
    expect((await fetch(`${server.url}/batch/api/jobs/3/bogus`, { method: 'POST', body: '' })).status).toBe(404);
  });
});
