/**
 * The engine in its dedicated Web Worker (src/engine/worker, issue 13): during Segment the page's main thread
 * stays free (the longest task, Long Tasks API, as the panel's summary reports it) and the page answers input
 * while the run goes on. wasm (the automatic choice without a GPU) on generated series served as the app's
 * example: 512 x 512 x 16 with the shipped model (long tasks), 256 x 256 x 96 with the tiny-random fixture (input).
 *
 * The first test draws the label map when the run ends (`?overlay=end`) and asserts on the long tasks between the
 * first and the last progress report: what is left on the main thread then is the engine's own share (slices
 * received, progress, the panel); the panel's figure over the whole Segment is printed. With streamed drawing (the
 * default, second test) each redraw of the label map is itself a long task with a software WebGL renderer
 * (hundreds of ms here, see src/overlay/segmentation.ts): that figure is printed, not asserted.
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { syntheticSeries } from './helpers/synthetic';
import { serveTinyModel } from './helpers/tinyModel';

async function openSeries(page: Page, query: string, o: { size: number; slices: number; shippedModel?: boolean }) {
  if (!o.shippedModel) await serveTinyModel(page);
  const files = syntheticSeries({
    cols: o.size,
    rows: o.size,
    slices: o.slices,
    pixelMm: 384 / o.size,
    sliceMm: 2.5,
    description: 'Synthetic (worker e2e)',
  });
  const names = files.map((_, i) => `dicom/CT${String(i + 1).padStart(4, '0')}.dcm`);
  await page.route('**/example/index.json', (route) =>
    route.fulfill({ json: { description: 'Synthetic (worker e2e)', files: names } }),
  );
  await page.route('**/example/dicom/*', (route) => {
    const i = names.indexOf(`dicom/${new URL(route.request().url()).pathname.split('/').pop()}`);
    return i < 0 ? route.fulfill({ status: 404 }) : route.fulfill({ body: files[i].buffer, contentType: 'application/dicom' });
  });
  await page.goto(`/${query}`);
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  const workers = page.workers().map((w) => w.url());
  expect(
    workers.some((u) => /engine\.worker/.test(u)),
    `workers: ${workers.join(', ')}`,
  ).toBe(true);
}

async function finished(page: Page, slices: number): Promise<{ longest: number; rate: string }> {
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'true', { timeout: 300_000 });
  await expect(summary).toContainText(`${slices} of ${slices} slices`);
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready');
  return {
    longest: Number(await summary.getAttribute('data-longest-task-ms')),
    rate: (await summary.getAttribute('data-slices-per-s')) ?? '',
  };
}

test('Segment in the engine worker: the longest main-thread task stays short', async ({ page }) => {
  test.setTimeout(400_000);
  // The shipped model (its graph alone takes about 130 ms per 512 x 512 slice on wasm here, one long task per
  // slice when the engine ran on the main thread) on a 512 x 512 x 16 series.
  const slices = 16;
  await openSeries(page, '?backend=wasm&overlay=end', { size: 512, slices, shippedModel: true });
  // Long tasks between the first and the last progress report: the run itself, without the redraws of the
  // label map when it is cleared before the run and drawn after it.
  await page.evaluate(() => {
    const w = window as unknown as { lt: { start: number; end: number }[]; runWindow: [number, number] };
    w.lt = [];
    w.runWindow = [Infinity, Infinity];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.lt.push({ start: e.startTime, end: e.startTime + e.duration });
    }).observe({ type: 'longtask' });
    window.addEventListener('aa-segment-progress', (e) => {
      const p = (e as CustomEvent<{ done: number; total: number }>).detail;
      if (p.done > 0 && w.runWindow[0] === Infinity) w.runWindow[0] = performance.now();
      if (p.done === p.total) w.runWindow[1] = performance.now();
    });
  });
  await page.getByTestId('segment-button').click();
  const { longest, rate } = await finished(page, slices);
  const during = await page.evaluate(() => {
    const w = window as unknown as { lt: { start: number; end: number }[]; runWindow: [number, number] };
    const [a, b] = w.runWindow;
    return {
      seconds: (b - a) / 1000,
      longest: Math.max(0, ...w.lt.filter((t) => t.end > a && t.start < b).map((t) => Math.min(t.end, b) - Math.max(t.start, a))),
    };
  });
  expect(during.seconds, 'first to last progress report').toBeGreaterThan(0);
  test
    .info()
    .annotations.push({ type: 'longest main-thread task while slices arrive (ms)', description: during.longest.toFixed(0) });
  console.log(
    `worker e2e: ${slices} slices of 512 x 512, shipped model, wasm in the worker, ${rate} slices/s; longest main-thread task ${during.longest.toFixed(0)} ms while slices arrive (${during.seconds.toFixed(1)} s), ${longest} ms over the whole Segment (label map cleared before and drawn after the run)`,
  );
  // The target is < 50 ms; 150 ms is generous. A long task is wall-clock time: on an overloaded machine (run
  // queue > 1.5 per core, e.g. a load of 16 on these 2 shared cores) the OS stretches every task of the page, so
  // the bound widens to 300 ms there and says so. The engine on the main thread (`&engine=main`) fails both:
  // 608 ms here at a load of 2.9 per core (one graph per task).
  const perCore = loadavg()[0] / cpus().length;
  const bound = perCore > 1.5 ? 300 : 150;
  console.log(`worker e2e: load ${perCore.toFixed(1)} per core, bound ${bound} ms`);
  expect(during.longest).toBeLessThan(bound);
  // the result is drawn once the run has ended
  await expect(page.getByTestId('organs-empty')).toHaveCount(0);
});

test('the page answers while Segment runs (organ panel), labels streamed to the overlay', async ({ page }) => {
  test.setTimeout(400_000);
  const slices = 96;
  await openSeries(page, '?backend=wasm', { size: 256, slices });
  // Every click records whether the run was still going when the page handled it.
  await page.evaluate(() => {
    const w = window as unknown as { clicksWhile?: string[] };
    w.clicksWhile = [];
    document.addEventListener(
      'click',
      () => w.clicksWhile!.push(document.querySelector('[data-testid="segment-panel"]')?.getAttribute('data-status') ?? ''),
      true,
    );
  });
  await page.getByTestId('segment-button').click();
  const progress = page.getByTestId('segment-progress');
  await expect
    .poll(async () => Number((await progress.getAttribute('data-done')) ?? 0), { timeout: 120_000, intervals: [50] })
    .toBeGreaterThan(0);
  const outline = page.getByTestId('mode-outline');
  await outline.click();
  await expect(outline).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('mode-fill').click();
  await expect(page.getByTestId('mode-fill')).toHaveAttribute('aria-pressed', 'true');
  const clicks = await page.evaluate(() => (window as unknown as { clicksWhile: string[] }).clicksWhile);
  expect(clicks.slice(1), 'the run was still going when the page handled the clicks').toEqual(['running', 'running']);
  const { longest, rate } = await finished(page, slices);
  console.log(
    `worker e2e: ${rate} slices/s; longest main-thread task ${longest} ms with the label map drawn while streaming (software WebGL here)`,
  );
});
