/** The benchmarks' Vite dev server on a free port, without file watching or HMR (an edit in the tree must not reload the page in the middle of a run). */
import path from 'node:path';
import { createServer, type ViteDevServer } from 'vite';

export async function benchServer(root: string): Promise<{ server: ViteDevServer; base: string }> {
  const server = await createServer({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
    logLevel: 'warn',
  });
  await server.listen();
  return { server, base: server.resolvedUrls!.local[0] };
}
