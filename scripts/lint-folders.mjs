#!/usr/bin/env node
// Folder-level import cycles of src/ (issue 23), run by `npm run lint` after eslint. eslint's import-x/no-cycle
// sees file cycles only: a.ts -> b/x.ts and b/y.ts -> a.ts is no file cycle but ties folders a and b together,
// so neither can be read, tested or replaced without the other. This check lists every pair of src folders
// that import each other (type-only imports count: they tie the folders as much) and fails on any pair not in
// PENDING below. A pair in PENDING that no longer exists fails too, so the list cannot go stale.
//
//   node scripts/lint-folders.mjs            check (exit 1 on a new or stale pair)
//   node scripts/lint-folders.mjs --list     print every folder edge with the imports that make it
//   node scripts/lint-folders.mjs --root DIR check another source tree
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Pairs allowed to remain for now, each with why. Empty since the label store (src/store, issue 23) took the
 * label volume, its provenance and the imported reference out of the Cornerstone overlay; keep it empty.
 */
const PENDING = new Map([]);

// --root DIR: check another tree (the tests use a small one); default src/ of the working directory
const rootArg = process.argv.indexOf('--root');
const root = resolve(rootArg >= 0 ? process.argv[rootArg + 1] : 'src');
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(f) && !f.endsWith('.d.ts')) files.push(p);
  }
};
walk(root);

/** `src/a/b/c.ts` -> `a`; a file directly in src/ belongs to no folder and takes part in no pair. */
const folderOf = (p) => {
  const parts = relative(root, p).split('/');
  return parts.length > 1 ? parts[0] : null;
};

// import x from './y'; import type {x} from './y'; export * from './y'; import './y'; import('./y')
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]*)['"]|import\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;

/** "a -> b" -> ["a/x.ts -> ../b/y", ...] */
const edges = new Map();
for (const f of files) {
  const from = folderOf(f);
  if (!from) continue;
  const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(f), spec);
    if (!target.startsWith(root + '/')) continue;
    const to = folderOf(target);
    if (!to || to === from) continue;
    const key = `${from} -> ${to}`;
    if (!edges.has(key)) edges.set(key, []);
    edges.get(key).push(`${relative(root, f)} -> ${spec}`);
  }
}

if (process.argv.includes('--list')) {
  for (const [k, v] of [...edges].sort()) console.log(`${k}\n    ${v.join('\n    ')}`);
}

const pairs = new Map();
for (const [k, v] of edges) {
  const [a, b] = k.split(' -> ');
  if (a < b && edges.has(`${b} -> ${a}`)) pairs.set(`${a} <-> ${b}`, [...v, ...edges.get(`${b} -> ${a}`)]);
}
let failed = false;
for (const [pair, why] of pairs) {
  if (PENDING.has(pair)) continue;
  failed = true;
  console.error(`lint-folders: src folders ${pair} import each other:\n    ${why.join('\n    ')}`);
}
for (const pair of PENDING.keys()) {
  if (pairs.has(pair)) continue;
  failed = true;
  console.error(`lint-folders: ${pair} no longer import each other: remove the pair from PENDING in scripts/lint-folders.mjs`);
}
if (failed) {
  console.error(
    'lint-folders: move the shared piece to the lower folder (or a new one) so imports run one way (docs/ARCHITECTURE.md).',
  );
  process.exit(1);
}
console.log(
  `lint-folders: ${edges.size} folder edges, no folder cycles` +
    (PENDING.size ? ` apart from ${PENDING.size} pending (${[...PENDING.keys()].join(', ')})` : ''),
);
