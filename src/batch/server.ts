/**
 * The local HTTP server of `npm run segment` (127.0.0.1, random port): serves the built app (dist/), the
 * model packages given by path, the input files of each job (with Range support, so the page's DICOM
 * scan reads headers only), and the small job API of protocol.ts. Large arrays arrive as raw POST bodies.
 * Node only; the work behind the API lives in a Broker (run.ts); file serving is the shared src/node/staticServer.mjs.
 */
import { existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { ModelIndex } from '../engine/manifest';
import { inside, sendFile } from '../node/staticServer.mjs';
import {
  API,
  type FatalMessage,
  type JobFailure,
  type JobResult,
  type NextAnswer,
  type PageConfig,
  type ProgressMessage,
} from './protocol';

export interface Broker {
  config: PageConfig;
  /** Served as /models/index.json (the app's list plus models given by path, the chosen one default). */
  modelIndex: ModelIndex;
  /** URL prefix -> folder, e.g. '/batch/models/tiny-random/' -> the package folder. */
  mounts: Record<string, string>;
  /** Path on disk of input file n of job id, or undefined. */
  file(jobId: number, n: number): string | undefined;
  /** Resolves when the previous job's outputs are written. */
  next(): Promise<NextAnswer>;
  progress(jobId: number, p: ProgressMessage): void;
  labels(jobId: number, bytes: Uint8Array): void;
  rtstruct(jobId: number, bytes: Uint8Array): void;
  result(jobId: number, r: JobResult): void;
  failure(jobId: number, f: JobFailure): void;
  fatal(m: FatalMessage): void;
}

/** Largest POST body accepted: the biggest label volume the app loads (MAX_VOXELS) plus slack. */
const MAX_BODY = 512 * 512 * 2000 + (1 << 20);

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        fail(new Error(`request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const all = Buffer.concat(chunks, n);
      ok(new Uint8Array(all.buffer, all.byteOffset, all.length));
    });
    req.on('error', fail);
  });
}

const json = (res: ServerResponse, value: unknown, status = 200) => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
};

export interface BatchServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export function startBatchServer(distDir: string, broker: Broker): Promise<BatchServer> {
  const root = resolve(distDir);
  const mounts = Object.entries(broker.mounts).map(([p, d]) => [p, resolve(d)] as const);
  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === API.config) return json(res, broker.config);
    if (path === API.next) return json(res, await broker.next());
    if (path === API.fatal && req.method === 'POST') {
      broker.fatal(JSON.parse(Buffer.from(await readBody(req)).toString('utf8')) as FatalMessage);
      return json(res, { ok: true });
    }
    const m = /^\/batch\/api\/jobs\/(\d+)\/(progress|labels|rtstruct|result|failure)$/.exec(path);
    if (!m || req.method !== 'POST') return json(res, { error: 'not found' }, 404);
    const id = Number(m[1]);
    const body = await readBody(req);
    const parse = () => JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
    switch (m[2]) {
      case 'progress':
        broker.progress(id, parse() as ProgressMessage);
        break;
      case 'labels':
        broker.labels(id, body);
        break;
      case 'rtstruct':
        broker.rtstruct(id, body);
        break;
      case 'result':
        broker.result(id, parse() as JobResult);
        break;
      case 'failure':
        broker.failure(id, parse() as JobFailure);
        break;
    }
    return json(res, { ok: true });
  };

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const fail = (e: unknown) => {
      if (!res.headersSent) json(res, { error: e instanceof Error ? e.message : String(e) }, 500);
      else res.destroy();
    };
    try {
      if (path.startsWith('/batch/api/')) {
        api(req, res, path).catch(fail);
        return;
      }
      if (path === '/models/index.json') return json(res, broker.modelIndex);
      const f = /^\/batch\/files\/(\d+)\/(\d+)$/.exec(path);
      if (f) {
        const file = broker.file(Number(f[1]), Number(f[2]));
        if (!file || !existsSync(file)) return json(res, { error: 'no such input file' }, 404);
        return sendFile(req, res, file, 'application/octet-stream');
      }
      const mount = mounts.find(([p]) => path.startsWith(p));
      const file = mount ? inside(mount[1], path.slice(mount[0].length)) : inside(root, path === '/' ? 'index.html' : path);
      if (!file || !existsSync(file) || statSync(file).isDirectory()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      sendFile(req, res, file);
    } catch (e) {
      fail(e);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      ok({
        url: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
