/**
 * The built app the batch command serves: dist/ must hold batch.html and be newer than everything the
 * build reads. When it is not, `npm run segment` builds it first (vite build; no network needed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What the build depends on (folders walked recursively). */
const SOURCES = ['src', 'public', 'index.html', 'batch.html', 'vite.config.ts', 'package.json', 'package-lock.json'];

function newest(path: string, best: { path: string; mtime: number }): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const e of readdirSync(path)) if (!e.startsWith('.')) newest(join(path, e), best);
  } else if (st.mtimeMs > best.mtime) {
    best.path = path;
    best.mtime = st.mtimeMs;
  }
}

/** null when dist/ is up to date, else why it must be built. */
export function staleReason(root: string, dist = join(root, 'dist')): string | null {
  const page = join(dist, 'batch.html');
  if (!existsSync(page)) return `${relative(root, dist) || 'dist'}/ has no batch.html`;
  const built = statSync(page).mtimeMs;
  const best = { path: '', mtime: 0 };
  for (const s of SOURCES) newest(join(root, s), best);
  return best.mtime > built ? `${relative(root, best.path)} changed after the last build` : null;
}

/** Runs `vite build` (output to stderr so stdout stays the command's own). Throws when it fails. */
export function buildApp(root: string, dist = join(root, 'dist')): void {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'error', '--outDir', dist, '--emptyOutDir'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
}
