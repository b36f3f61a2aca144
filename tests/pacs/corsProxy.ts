/**
 * What a clinic puts in front of Orthanc so a browser app on another origin may use its DICOMweb API
 * (Orthanc itself sends no CORS headers): a reverse proxy that answers preflights and adds
 * Access-Control-Allow-Origin for the app's origin only. The README's nginx example does the same.
 */
import { createServer, request, type Server } from 'node:http';

export interface CorsProxy {
  url: string;
  origin: string;
  close(): Promise<void>;
}

export function startCorsProxy(target: string, allowedOrigin: string): Promise<CorsProxy> {
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const origin = req.headers.origin;
    const cors: Record<string, string> =
      origin === allowedOrigin
        ? {
            'access-control-allow-origin': allowedOrigin,
            'access-control-allow-headers': 'authorization, accept, content-type',
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-max-age': '600',
            vary: 'Origin',
          }
        : {};
    if (req.method === 'OPTIONS') {
      res.writeHead(origin === allowedOrigin ? 204 : 403, cors).end();
      return;
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, { ...r.headers, ...cors });
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502, cors).end('PACS unreachable'));
    req.pipe(up);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
      ok({ url, origin: url, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}
