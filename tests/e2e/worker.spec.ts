/**
 * The engine in its dedicated Web Worker (src/engine/worker, issue 13): during Segment the page's main thread
 * stays free (the longest task, Long Tasks API, as the panel's summary reports it) and the page answers input
 * while the run goes on. wasm (the automatic choice without a GPU), the tiny-random fixture model, and a
 * generated 256 x 256 x 96 series served as the app's example.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { syntheticSeries } from './helpers/synthetic';
import { serveTinyModel } from './helpers/tinyModel';

async function serveSeries(page: Page, slices: number) {
  const files = syntheticSeries({ cols: 256, rows: 256, slices, pixelMm: 1.5, sliceMm: 2.5, description: 'Synthetic (worker e2e)' });
  const names = files.map((_, i) => `dicom/CT${String(i + 1).padStart(4, '0')}.dcm`);
  await page.route('**/example/index.json', (route) => route.fulfill({ json: { description: 'Synthetic (worker e2e)', files: names } }));
  await page.route('**/example/dicom/*', (route) => {
    const i = names.indexOf(`dicom/${new URL(route.request().url()).pathname.split('/').pop()}`);
    return i < 0 ? route.fulfill({ status: 404 }) : route.fulfill({ body: files[i].buffer, contentType: 'application/dicom' });
  });
}

test('Segment runs in the engine worker: the main thread stays free and the page answers while it runs', async ({ page }) => {
  test.setTimeout(400_000);
  await serveTinyModel(page);
  await serveSeries(page, 96);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  expect(page.workers().map((w) => w.url()).some((u) => /engine\.worker/.test(u)), `workers: ${page.workers().map((w) => w.url()).join(', ')}`).toBe(true);

  // Every click on the page records whether the run was still going when the page handled it.
  await page.evaluate(() => {
    const w = window as unknown as { clicksWhile?: string[] };
    w.clicksWhile = [];
    document.addEventListener('click', () => w.clicksWhile!.push(document.querySelector('[data-testid="segment-panel"]')?.getAttribute('data-status') ?? ''), true);
  });
  await page.getByTestId('segment-button').click();
  const progress = page.getByTestId('segment-progress');
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 120_000, intervals: [50] }).toBeGreaterThan(0);
  // The organ panel answers during the run.
  const outline = page.getByTestId('mode-outline');
  await outline.click();
  await expect(outline).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('mode-fill').click();
  await expect(page.getByTestId('mode-fill')).toHaveAttribute('aria-pressed', 'true');
  const clicks = await page.evaluate(() => (window as unknown as { clicksWhile: string[] }).clicksWhile);
  expect(clicks.slice(1), 'the run was still going when the page handled the clicks (else: a longer series)').toEqual(['running', 'running']);

  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'true', { timeout: 300_000 });
  await expect(summary).toContainText('96 of 96 slices');
  const longest = Number(await summary.getAttribute('data-longest-task-ms'));
  const rate = await summary.getAttribute('data-slices-per-s');
  test.info().annotations.push({ type: 'longest main-thread task during Segment (ms)', description: String(longest) });
  console.log(`worker e2e: 96 slices of 256 x 256 on wasm in the worker, ${rate} slices/s, longest main-thread task ${longest} ms`);
  // The target is < 50 ms; generous for a loaded 2-core machine, and far below the 183-504 ms of the main-thread engine.
  expect(longest).toBeLessThan(150);
  await expect(panel).toHaveAttribute('data-status', 'ready');
});
