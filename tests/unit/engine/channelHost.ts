/**
 * Test fixture: the engine behind a MessageChannel in this Node thread (serveEngine on one port, WorkerHost on the
 * other), with the tiny-random model served from `app:/models/tiny/`. Call closePorts after each test.
 */
import { readFile } from 'node:fs/promises';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { WorkerHost } from '../../../src/engine/worker/client';
import type { PortLike } from '../../../src/engine/worker/protocol';
import { serveEngine } from '../../../src/engine/worker/serve';

export const FIX = 'tests/fixtures/models/tiny-random/';
export const files: Record<string, () => Promise<string | Uint8Array>> = {
  'app:/models/index.json': async () =>
    JSON.stringify({ models: [{ id: 'tiny', name: 'Tiny', path: 'models/tiny/', default: true }] }),
  'app:/models/tiny/manifest.json': () => readFile(FIX + 'manifest.json'),
  'app:/models/tiny/model.json': () => readFile(FIX + 'model.json'),
  'app:/models/tiny/group1-shard1of1.bin': () => readFile(FIX + 'group1-shard1of1.bin'),
};

/** A fetch over a table of files (404 for the rest). */
export function tableFetch(table: typeof files): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const f = table[String(input instanceof Request ? input.url : input)];
    if (!f) return new Response('missing', { status: 404 });
    const body = await f();
    return new Response(typeof body === 'string' ? body : new Uint8Array(body), { status: 200 });
  }) as typeof fetch;
}
export const fetchFunc = tableFetch(files);

const ports: MessagePort[] = [];
/** A WorkerHost whose "worker" is serveEngine on the other end of a MessageChannel. */
export function channelHost(fetch: typeof globalThis.fetch = fetchFunc): WorkerHost {
  return new WorkerHost({
    fetchFunc: fetch,
    connect: () => {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1, port2);
      serveEngine(port2 as unknown as PortLike);
      return port1 as unknown as PortLike;
    },
  });
}

export function closePorts(): void {
  for (const p of ports.splice(0)) p.close();
}
