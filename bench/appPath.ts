/**
 * App path vs batch / CLI path (issue 16), driven from Node with Playwright on the bench's Vite server: one
 * generated 512 x 512 series served as the app's example (/example/), segmented
 *  - in the app (index.html: open the example, press Segment, labels go to the overlay slice by slice), and
 *  - by the batch path (bench/batchPath.ts: what the `npm run segment` page does, no overlay),
 * each with the engine in its worker and, as the "before", on the main thread (`engine=main`). Both use the
 * app's default model (public/models/index.json) and the same backend.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { PathFigure } from './batchPath';
import { chromiumThreadTimes, cpuBreakdown, formatBreakdown } from './procCpu';
import { syntheticSeries } from '../tests/e2e/helpers/synthetic';

export async function serveExample(context: BrowserContext, size: number, slices: number): Promise<void> {
  const files = syntheticSeries({
    cols: size,
    rows: size,
    slices,
    pixelMm: 0.9765625,
    sliceMm: 2.5,
    description: 'Synthetic (bench app path)',
  });
  const names = files.map((_, i) => `dicom/CT${String(i + 1).padStart(4, '0')}.dcm`);
  await context.route('**/example/index.json', (route) =>
    route.fulfill({ json: { description: 'Synthetic (bench app path)', files: names } }),
  );
  await context.route('**/example/dicom/*', (route) => {
    const i = names.indexOf(`dicom/${new URL(route.request().url()).pathname.split('/').pop()}`);
    return i < 0 ? route.fulfill({ status: 404 }) : route.fulfill({ body: files[i].buffer, contentType: 'application/dicom' });
  });
}

async function attr(page: Page, testId: string, name: string): Promise<string> {
  return (await page.getByTestId(testId).getAttribute(name)) ?? '';
}

/**
 * One path run: the bench server's URL, the backend, where the engine runs, its wasm threads and engine workers
 * (default: the page's).
 */
export interface PathRun {
  base: string;
  backend: string;
  engine: 'worker' | 'main-thread';
  threads?: number;
  workers?: number;
  /** further page query parameters, e.g. `{ overlay: 'end' }` (segmentation.ts) */
  query?: Record<string, string>;
}

/** The page query of a path run: backend, `engine=main` for the main thread, `threads` / `workers` when given. */
function pathQuery({ backend, engine, threads, workers, query }: PathRun): URLSearchParams {
  return new URLSearchParams({
    ...query,
    backend,
    ...(engine === 'main-thread' ? { engine: 'main' } : {}),
    ...(threads !== undefined ? { threads: String(threads) } : {}),
    ...(workers !== undefined ? { workers: String(workers) } : {}),
  });
}

/** The app: open the example, Segment, wait for the summary. */
export async function appPath(page: Page, run: PathRun): Promise<PathFigure> {
  const q = pathQuery(run);
  await page.goto(`${run.base}?${q}`, { timeout: 300_000 });
  await page.getByTestId('open-example').click({ timeout: 300_000 });
  await page.getByTestId('mpr-grid').and(page.locator('[data-ready="true"]')).waitFor({ timeout: 300_000 });
  await page.locator('[data-testid="segment-panel"][data-status="ready"]').waitFor({ timeout: 300_000 });
  const cpu0 = chromiumThreadTimes();
  const t0 = Date.now();
  await page.getByTestId('segment-button').click();
  await page.locator('[data-testid="segment-summary"][data-completed="true"]').waitFor({ timeout: 0 });
  const wallSeconds = (Date.now() - t0) / 1000;
  const cpu = cpuBreakdown(cpu0, chromiumThreadTimes(), wallSeconds);
  const slicesPerS = Number(await attr(page, 'segment-summary', 'data-slices-per-s'));
  const text = (await page.getByTestId('segment-summary').textContent()) ?? '';
  const slices = Number(/(\d+) of \d+ slices/.exec(text)?.[1] ?? NaN);
  const used = Number((await attr(page, 'segment-panel', 'data-threads')) || 1);
  const workers = Number((await attr(page, 'segment-panel', 'data-workers')) || 1);
  const shares = (await attr(page, 'segment-summary', 'data-share-seconds')).split(' ').filter(Boolean).map(Number);
  return {
    path: 'app',
    engine: run.engine,
    threads: used,
    workers,
    slices,
    seconds: slices / slicesPerS,
    slicesPerS,
    wallSeconds,
    longestTaskMs: Number(await attr(page, 'segment-summary', 'data-longest-task-ms')),
    ...(shares.length ? { shareSeconds: shares } : {}),
    ...(cpu.groups.length ? { cpu } : {}),
  };
}

/** The batch path in the bench page. */
export async function batchPathIn(page: Page, run: PathRun): Promise<PathFigure> {
  const q = pathQuery(run);
  q.set('mode', 'batch-path');
  await page.goto(`${run.base}bench/index.html?${q}`, { timeout: 300_000 });
  await page.waitForFunction(() => window.__bench !== undefined, undefined, { timeout: 0, polling: 500 });
  const out = await page.evaluate(() => window.__bench!);
  if (!out.path) throw new Error(out.error ?? 'batch path: no result');
  return out.path;
}

/**
 * When each worker's share was done, and the core time lost waiting for the last one (pure): shares done at
 * 7.10 / 8.00 s, so one core waited 0.90 s = 11% of the run.
 */
export function shareLine(shareSeconds: number[]): string {
  const end = Math.max(...shareSeconds);
  const waited = shareSeconds.reduce((a, s) => a + (end - s), 0);
  return `shares done at ${shareSeconds.map((s) => s.toFixed(2)).join(' / ')} s: cores waited ${waited.toFixed(2)} s for the last share (${((100 * waited) / (end * shareSeconds.length)).toFixed(0)}% of the workers' time)`;
}

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');

export function formatPaths(rows: PathFigure[], backend: string, size: number, wholeBody = 600): string {
  const lines = [
    `\napp path vs batch / CLI path (${backend}, ${size} x ${size} x ${rows[0]?.slices ?? '?'} synthetic series, the app's default model):`,
  ];
  const thr = (n: number) => `${n} thread${n === 1 ? '' : 's'}`;
  const how = (r: PathFigure) => (r.workers > 1 ? `${r.workers} workers x ${thr(r.threads)}` : thr(r.threads));
  for (const r of rows) {
    lines.push(
      `  ${r.path.padEnd(5)} engine on the ${r.engine.padEnd(11)} ${how(r).padEnd(20)}: ${f(r.slicesPerS)} slices/s (run ${f(r.seconds, 1)} s, Segment -> result ${f(r.wallSeconds, 1)} s; ${wholeBody} slices at this rate ${f(wholeBody / r.slicesPerS, 0)} s), longest main-thread task ${f(r.longestTaskMs, 0)} ms`,
    );
    if (r.shareSeconds) lines.push(`        ${shareLine(r.shareSeconds)}`);
    if (r.cpu) lines.push(`        Chromium's CPU from Segment to the result: ${formatBreakdown(r.cpu)}`);
  }
  const same = (a: PathFigure, b: PathFigure) => a.engine === b.engine && how(a) === how(b);
  const runs = [...new Map(rows.map((r) => [`${r.engine}|${how(r)}`, r])).values()];
  for (const run of runs) {
    const a = rows.find((r) => r.path === 'app' && same(r, run));
    const b = rows.find((r) => r.path === 'batch' && same(r, run));
    if (a && b)
      lines.push(
        `  ${run.engine}, ${how(run)}: app / batch time ratio ${f(a.wallSeconds / b.wallSeconds)} (Segment -> result), ${f(b.slicesPerS / a.slicesPerS)} (run loop)`,
      );
  }
  for (const path of ['app', 'batch'] as const) {
    const one = rows.find((r) => r.path === path && r.engine === 'worker' && r.threads === 1 && r.workers === 1);
    if (!one) continue;
    for (const many of rows.filter((r) => r.path === path && r.engine === 'worker' && r.threads * r.workers > 1))
      lines.push(
        `  ${path} path, engine in the worker: ${how(many)} vs 1 thread: ${f(many.slicesPerS / one.slicesPerS)}x slices/s, Segment -> result ${f(one.wallSeconds / many.wallSeconds)}x faster`,
      );
  }
  return lines.join('\n');
}
