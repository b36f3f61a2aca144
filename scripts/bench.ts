/**
 * `npm run bench [-- flags]`: the engine benchmark on every backend available in headless Chromium
 * (WebGPU on Mesa llvmpipe, WebGL, wasm) and in Node through Dawn, for a generated series.
 *
 *   --slices N           series length (default 16)        --size N        matrix (default 512)
 *   --profile-slices N   slices of the profiled stage run (default 4)
 *   --baseline-slices N  slices of the tfjs-ops baseline run (default 2)
 * The defaults finish in under 10 minutes on the 2-core machine; the printed LONG_RUN line says how to
 * get the long figures (whole-body 600 slices on wasm, the former 300 / 64 / 16 defaults).
 *   --batch N            batch size (default: from the adapter's limits)
 *   --model DIR          model package (default: the app's default model in public/models/index.json, else dev-random,
 *                        else the tiny-random fixture)
 *   --backends LIST      comma list of chromium-webgpu, chromium-webgl, chromium-wasm, node-dawn, or `all`
 *                        (default chromium-wasm: the GPU backends are software renderers without a GPU); chromium-wasm
 *                        runs twice, single-threaded and one thread per core (issue 24), and prints both side by side
 *   --skip-e2e           no end-to-end run over all slices (stages and baseline only)
 *   --sweep 8,16,32      Node/Dawn only: extra end-to-end runs with these batch sizes
 *   --json FILE          also write the results as JSON
 *   --app-slices N       app path vs batch / CLI path (bench/appPath.ts): slices of its 512 x 512 series (default 6)
 *   --app-size N         its matrix (default 512)       --app-backend B   its backend (default wasm)
 *   --skip-app           no app-path comparison
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchServer } from '../bench/server';
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { appPath, batchPathIn, formatPaths, serveExample } from '../bench/appPath';
import type { PathFigure } from '../bench/batchPath';
import { formatTable, formatWasmThreads, type BenchResult } from '../bench/core';
import { benchNodeDawn, parseArgs } from '../bench/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/node/chromium';

const root = path.resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const ALL_BACKENDS = ['chromium-webgpu', 'chromium-webgl', 'chromium-wasm', 'node-dawn'];
// Default: wasm, what the app picks without a GPU. Dawn and Chromium's WebGPU / WebGL are software renderers on
// a machine without one (llvmpipe: about 10 s per slice for the shipped model's graph, 6.5 min for Dawn's part
// alone), so they run when named (`--backends node-dawn`, `--backends all` or a list).
let backends = ['chromium-wasm'];
const bi = argv.indexOf('--backends');
if (bi >= 0) {
  backends = argv[bi + 1] === 'all' ? ALL_BACKENDS : argv[bi + 1].split(',');
  argv.splice(bi, 2);
}
const takeFlag = (name: string, hasValue = true): string | undefined => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = hasValue ? argv[i + 1] : '1';
  argv.splice(i, hasValue ? 2 : 1);
  return v;
};
const app = {
  slices: Number(takeFlag('--app-slices') ?? 6),
  size: Number(takeFlag('--app-size') ?? 512),
  backend: takeFlag('--app-backend') ?? 'wasm',
  skip: takeFlag('--skip-app', false) === '1',
};
const shippedDefault = (): string | undefined => {
  try {
    const index = JSON.parse(readFileSync(path.join(root, 'public/models/index.json'), 'utf8')) as {
      models: { path: string; default?: boolean }[];
    };
    const m = index.models.find((x) => x.default) ?? index.models[0];
    return m ? path.join('public', m.path) : undefined;
  } catch {
    return undefined;
  }
};
const defaultModel = [shippedDefault(), 'public/models/dev-random', 'tests/fixtures/models/tiny-random'].find(
  (d) => d && existsSync(path.join(root, d, 'model.json')),
)!;
// Defaults sized to finish in under 10 minutes on this 2-core machine without a GPU (LONG_RUN for the full figures).
const args = parseArgs(argv, { model: defaultModel, slices: 16, profileSlices: 4, baselineSlices: 2 });
const LONG_RUN =
  'long runs: `npm run bench -- --backends chromium-wasm --slices 600` (whole-body 600 x 512 x 512 on wasm, ~5 min here), ' +
  '`npm run bench -- --slices 300 --profile-slices 64 --baseline-slices 16` (the former defaults, hours on llvmpipe), ' +
  '`--backends node-dawn` (the WGSL programs on Dawn, with the ring-vs-slab upload figure) or `--backends all`, bench/device.sh on an NVIDIA GPU (bench/README.md)';
const modelDir = path.resolve(root, args.model);
if (!existsSync(path.join(modelDir, 'model.json'))) {
  console.error(`bench: no model at ${modelDir} (make dev-random as training/README.md says, or pass --model DIR)`);
  process.exit(2);
}
console.log(
  `bench: model ${path.relative(root, modelDir)}, ${args.size} x ${args.size} x ${args.slices} synthetic CT; backends ${backends.join(', ')}`,
);

const results: (BenchResult | { where: string; skipped: string })[] = [];

const browserBackends = backends.filter((b) => b.startsWith('chromium-')).map((b) => b.slice('chromium-'.length));
const paths: PathFigure[] = [];
let pathError = '';
if (browserBackends.length || !app.skip) {
  const { server, base } = await benchServer(root);
  const modelUrl = modelDir.startsWith(path.join(root, 'public') + path.sep)
    ? `/${path.relative(path.join(root, 'public'), modelDir)}/`
    : `/@fs${modelDir}/`;
  // wasm twice: single-threaded, then one thread per core (the app's default where the page is isolated)
  const variants = browserBackends.flatMap((backend) =>
    backend === 'wasm' ? [{ backend, threads: 1 }, { backend }] : [{ backend }],
  ) as { backend: string; threads?: number }[];
  for (const { backend, threads } of variants) {
    const dir = mkdtempSync(path.join(tmpdir(), 'aa-bench-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    try {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'log' && m.text().startsWith('[')) console.error(m.text());
      });
      const q = new URLSearchParams({
        backend,
        model: modelUrl,
        slices: String(args.slices),
        size: String(args.size),
        profile: String(args.profileSlices),
        baseline: String(args.baselineSlices),
      });
      if (args.batchSize) q.set('batch', String(args.batchSize));
      if (threads !== undefined) q.set('threads', String(threads));
      if (args.skipE2e) q.set('skipE2e', '1');
      // the dev server transforms and pre-bundles on first load: slow on a loaded 2-core machine
      await page.goto(`${base}bench/index.html?${q}`, { timeout: 300_000 });
      await page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: 0, polling: 1000 });
      const out = await page.evaluate(() => window.__bench!);
      if (out.result) results.push(out.result);
      else results.push({ where: `chromium-${backend}`, skipped: out.error?.split('\n')[0] ?? 'unknown error' });
    } catch (e) {
      results.push({ where: `chromium-${backend}`, skipped: (e as Error).message });
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!app.skip) {
    // App path vs batch / CLI path on one series, engine in the worker and (before) on the main thread.
    const dir = mkdtempSync(path.join(tmpdir(), 'aa-bench-app-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1440, height: 900 },
    });
    try {
      await serveExample(context, app.size, app.slices);
      const page = await context.newPage();
      // wasm: one single-threaded worker; one worker with a thread per core; one single-threaded worker per core
      // (shards.ts); then the defaults (the app leaves one core to the viewer, the batch page none) and the main
      // thread (the "before") with its default.
      const cores = availableParallelism();
      type Run = { engine: 'worker' | 'main-thread'; threads?: number; workers?: number };
      const wasm = app.backend === 'wasm';
      const runs: Run[] = [
        ...(wasm ? [{ engine: 'worker' as const, threads: 1, workers: 1 }] : []),
        ...(wasm && cores > 1 ? [{ engine: 'worker' as const, threads: cores, workers: 1 }] : []),
        ...(wasm && cores > 1 ? [{ engine: 'worker' as const, threads: 1, workers: cores }] : []),
        { engine: 'worker' },
        { engine: 'main-thread' },
      ];
      for (const { engine, threads, workers } of runs) {
        const t =
          threads === undefined && workers === undefined
            ? 'default threads and workers'
            : `${workers ?? 1} worker(s) x ${threads ?? 1} thread(s)`;
        console.error(`[app path] ${app.backend}, engine on the ${engine}, ${t}`);
        paths.push(await appPath(page, { base, backend: app.backend, engine, threads, workers }));
        console.error(`[batch path] ${app.backend}, engine on the ${engine}, ${t}`);
        paths.push(await batchPathIn(page, { base, backend: app.backend, engine, threads, workers }));
      }
    } catch (e) {
      pathError = (e as Error).message.split('\n')[0];
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await server.close();
}
if (backends.includes('node-dawn')) {
  try {
    results.push(await benchNodeDawn({ ...args, model: modelDir }));
  } catch (e) {
    results.push({ where: 'node-dawn', skipped: (e as Error).message });
  }
}

const ok = results.filter((r): r is BenchResult => !('skipped' in r));
console.log(formatTable(ok));
const threadsLine = formatWasmThreads(ok);
if (threadsLine) console.log(threadsLine);
for (const r of results) if ('skipped' in r) console.log(`\n${r.where}: not available (${r.skipped})`);
if (paths.length) console.log(formatPaths(paths, app.backend, app.size));
if (pathError) console.log(`\napp path vs batch path: not measured (${pathError})`);
console.log(`\n${LONG_RUN}`);
if (args.json)
  writeFileSync(args.json, JSON.stringify(paths.length ? [...results, { where: 'app-vs-batch-path', paths }] : results, null, 1));
process.exit(0);
