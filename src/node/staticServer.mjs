#!/usr/bin/env node
/**
 * Static server for the built app (dist/), shared by the end-to-end tests and the scripts (screenshots). Plain node:http, so the tests
 * need nothing else. Extra mounts (`--mount /example/=DIR`) serve generated data without copying it
 * into dist/.
 *
 *   node src/node/staticServer.mjs --root dist --port 4173 [--mount /example/=/tmp/example]
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ISOLATION_HEADERS } from './isolation.mjs';

/** Content types by extension (also the batch CLI's server, src/batch/server.ts). */
export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.dcm': 'application/dicom',
};

/** `dir + rest`, or null when the path leaves `dir`. */
export function inside(dir, rest) {
  const file = normalize(join(dir, rest));
  return file === dir || file.startsWith(dir + sep) ? file : null;
}

/**
 * Sends a whole file, or one `bytes=a-b` range (the batch page's DICOM scan reads headers only). Every response
 * carries the cross-origin isolation headers (isolation.mjs): the pages and the engine worker get threads.
 */
export function sendFile(req, res, file, type) {
  const size = statSync(file).size;
  const headers = {
    ...ISOLATION_HEADERS,
    'content-type': type ?? TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'accept-ranges': 'bytes',
  };
  const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (m && (m[1] || m[2])) {
    let start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    let end = m[1] && m[2] ? Number(m[2]) : size - 1;
    end = Math.min(end, size - 1);
    if (start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
      return;
    }
    start = Math.max(0, start);
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

/** Start serving; resolves with { server, url }. `mounts`: { '/example/': '/abs/dir' }. */
export function startServer({ root = 'dist', port = 0, host = '127.0.0.1', mounts = {} } = {}) {
  const rootDir = resolve(root);
  const table = [...Object.entries(mounts).map(([prefix, dir]) => [prefix, resolve(dir)]), ['/', rootDir]];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const [prefix, dir] = table.find(([p]) => pathname.startsWith(p));
    const file = inside(dir, pathname.slice(prefix.length));
    if (!file) {
      res.writeHead(403).end();
      return;
    }
    let target = file;
    if (existsSync(target) && statSync(target).isDirectory()) target = join(target, 'index.html');
    if (!existsSync(target)) {
      // SPA fallback only for page routes, never for assets or data (a 404 must stay a 404).
      if (prefix === '/' && !extname(pathname)) target = join(rootDir, 'index.html');
      else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
    }
    sendFile(req, res, target);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const addr = server.address();
      ok({ server, url: `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}` });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const mounts = {};
  args.forEach((a, i) => {
    if (a === '--mount') {
      const [prefix, dir] = args[i + 1].split('=');
      mounts[prefix] = dir;
    }
  });
  const { url } = await startServer({ root: opt('--root', 'dist'), port: Number(opt('--port', 4173)), mounts });
  console.log(`serving ${opt('--root', 'dist')} at ${url}`);
}
