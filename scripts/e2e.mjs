#!/usr/bin/env node
// End-to-end tests (`npm run test:e2e`; `npm test` runs it after `vite build`): serves dist/ on a free
// port and runs every spec in tests/e2e with Playwright in Debian Chromium. Exits non-zero on failure.
// Extra arguments go to `playwright test` (e.g. a spec file or `-g "pattern"`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/node/staticServer.mjs';

if (!existsSync('dist/index.html')) {
  console.error('e2e: dist/ is missing; run `npx vite build` first (npm test does).');
  process.exit(2);
}
if (!existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) {
  console.error('e2e: /usr/bin/chromium is missing (Debian: apt-get install -y chromium).');
  process.exit(2);
}

// The bundled example (public/example/ from `npm run example`, copied into dist/ by the build) or,
// when the build has none, a small synthetic series in the same layout.
const mounts = {};
let tmp;
if (!existsSync('dist/example/index.json')) {
  tmp = mkdtempSync(join(tmpdir(), 'aa-e2e-example-'));
  const r = spawnSync('npx', ['tsx', 'tests/e2e/helpers/makeExample.ts', tmp], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  mounts['/example/'] = tmp;
  console.log('e2e: dist/example/ is missing (run `npm run example` before the build); using a synthetic example');
}

// Specs that read the example's files from disk find them here (the one the page serves).
process.env.E2E_EXAMPLE_DIR = tmp ?? join(process.cwd(), 'dist/example');
const { server, url } = await startServer({ root: 'dist', port: 0, mounts });
console.log(`e2e: serving dist/ at ${url}`);
// Asynchronous spawn: the server lives in this process and must keep answering.
const child = spawn('npx', ['playwright', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, E2E_BASE_URL: url },
});
const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
server.close();
if (tmp) rmSync(tmp, { recursive: true, force: true });
process.exit(code);
