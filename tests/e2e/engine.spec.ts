/**
 * The engine in the app (headless Chromium, WebGPU on Mesa llvmpipe): Segment on the example, labels
 * arriving slice by slice with progress, cancel, a broken model manifest, and the fallback notice when
 * WebGPU is missing. Models are served from the committed tiny-random fixture (page.route), so the
 * spec needs no generated model and stays quick.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openFolder, waitForViewer } from './helpers/app';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/models/tiny-random');
const REAL = path.resolve(import.meta.dirname, '../../../shared/data/real');

async function serveTinyModel(page: Page, mutateManifest?: (m: any) => void) {
  await page.route('**/models/index.json', (route) =>
    route.fulfill({
      json: { models: [{ id: 'tiny-random', name: 'Tiny random (test)', path: 'models/tiny-random/', default: true }] },
    }),
  );
  await page.route('**/models/tiny-random/*', (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    if (name === 'manifest.json' && mutateManifest) {
      const m = JSON.parse(readFileSync(path.join(FIXTURE, name), 'utf8'));
      mutateManifest(m);
      return route.fulfill({ json: m });
    }
    return route.fulfill({
      body: readFileSync(path.join(FIXTURE, name)),
      contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    });
  });
}

async function openExample(page: Page, query = '') {
  await page.goto(`/${query}`);
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
}

test('Segment on the example: WebGPU notice, progress, labels slice by slice, summary', async ({ page }) => {
  test.setTimeout(400_000); // llvmpipe runs WebGPU on the CPU: the example takes about a minute here
  await serveTinyModel(page);
  await openExample(page, '?backend=webgpu'); // auto picks wasm here (no GPU); this test is about WebGPU
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('backend-notice')).toContainText('Running on WebGPU');
  await expect(page.getByTestId('backend-notice')).toContainText('software renderer'); // llvmpipe here
  await expect(page.getByTestId('model-name')).toContainText('Tiny random');
  await page.getByTestId('protocol-select').selectOption('whole');

  // Count slices as the overlay would receive them: progress attributes sampled while running.
  await page.getByTestId('segment-button').click();
  const progress = page.getByTestId('segment-progress');
  await expect(progress).toBeVisible();
  const total = Number(await progress.getAttribute('data-total'));
  expect(total).toBeGreaterThan(10);
  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        // one snapshot per poll, without auto-waiting (the progress element goes away when done)
        const snap = await page.evaluate(() => ({
          done: document.querySelector('[data-testid="segment-progress"]')?.getAttribute('data-done') ?? null,
          finished: document.querySelector('[data-testid="segment-summary"]') !== null,
        }));
        if (snap.done !== null) seen.add(Number(snap.done));
        return snap.finished;
      },
      { timeout: 300_000, intervals: [50] },
    )
    .toBe(true);
  // labels arrived in several steps, not all at once at the end
  expect([...seen].filter((d) => d > 0 && d < total).length).toBeGreaterThan(0);
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'true');
  await expect(summary).toContainText(`${total} of ${total} slices`);
  await expect(summary).toContainText('fused WGSL');
  // the connected-component clean-up ran after the last slice (random weights leave islands to remove);
  // the slices it changed went to the overlay again through onSlice (unit test engine-wasm.test.ts)
  await expect(summary).toContainText(/Clean-up: \d+ island voxels removed from \d+ organs/);
  expect(Number(await summary.getAttribute('data-cleanup-removed'))).toBeGreaterThan(0);
  const longest = Number(await summary.getAttribute('data-longest-task-ms'));
  test.info().annotations.push({ type: 'longest main-thread task (ms)', description: String(longest) });
  console.log(
    `engine e2e: ${total} slices, ${await summary.getAttribute('data-slices-per-s')} slices/s, longest main-thread task ${longest} ms`,
  );
  expect(longest).toBeLessThan(1000);
  await expect(panel).toHaveAttribute('data-status', 'ready');
});

test('cancel stops the run and the engine is ready again', async ({ page }) => {
  test.setTimeout(400_000); // llvmpipe: the first batch alone can take a minute on a loaded machine
  await serveTinyModel(page);
  await openExample(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  // Cancel from the progress event of the first delivered batch (dispatched synchronously by the engine,
  // src/engine/progressEvent.ts): the run must stop before the next batch, whatever the machine's speed.
  await page.evaluate(() => {
    const w = window as unknown as { cancelledAt?: { done: number; total: number } | string };
    window.addEventListener('aa-segment-progress', (e) => {
      const p = (e as CustomEvent<{ done: number; total: number }>).detail;
      if (w.cancelledAt || p.done === 0) return;
      const button = document.querySelector<HTMLButtonElement>('[data-testid="cancel-button"]');
      if (!button) {
        w.cancelledAt = 'no cancel button at the first progress event';
        return;
      }
      button.click();
      w.cancelledAt = { done: p.done, total: p.total };
    });
  });
  await page.getByTestId('segment-button').click();
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'false', { timeout: 300_000 });
  const at = await page.evaluate(() => (window as unknown as { cancelledAt?: unknown }).cancelledAt);
  expect(typeof at, `cancel: ${JSON.stringify(at)}`).toBe('object');
  const { done, total } = at as { done: number; total: number };
  expect(done, 'the example has more than one batch').toBeLessThan(total);
  // Exactly the slices delivered before the cancel: none of the next batch.
  await expect(summary).toContainText(`${done} of ${total} slices`);
  await expect(panel).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('segment-button')).toBeEnabled();
});

test('a broken manifest: the error names the field, once', async ({ page }) => {
  await serveTinyModel(page, (m) => {
    m.channels[5] = 'Eye_Left';
  });
  await openExample(page);
  const err = page.getByTestId('segment-error');
  await expect(err).toHaveCount(1, { timeout: 60_000 });
  await expect(err).toHaveAttribute('data-code', 'manifest');
  await expect(err).toContainText('field "channels[5]"');
  await expect(err).toContainText('must be "Eye_L"');
  await expect(page.getByTestId('segment-button')).toBeDisabled();
});

test('without WebGPU the notice says which backend runs and why', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await serveTinyModel(page);
  await openExample(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const notice = page.getByTestId('backend-notice');
  await expect(notice).toContainText(/Running on (WebGL|WebAssembly)/);
  await expect(notice).toContainText('navigator.gpu is missing');
  await expect(panel).not.toHaveAttribute('data-backend', 'webgpu');
});

test('no GPU (DESIGN 6 flags: WebGPU and WebGL on llvmpipe): auto picks WebAssembly and says why; the select switches', async ({
  page,
}) => {
  await serveTinyModel(page);
  await openExample(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(panel).toHaveAttribute('data-backend', 'wasm');
  const notice = page.getByTestId('backend-notice');
  await expect(notice).toContainText('Running on WebAssembly');
  await expect(notice).toContainText('chosen automatically: no GPU acceleration found');
  await expect(notice).toContainText(/WebGPU is .* \(software\)/);
  await expect(notice).toContainText(/WebGL is (llvmpipe|SwiftShader) \(software\)/);
  const select = page.getByTestId('backend-select');
  await expect(select).toHaveValue('auto');
  await select.selectOption('webgl');
  await expect(panel).toHaveAttribute('data-backend', 'webgl', { timeout: 60_000 });
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(notice).toContainText('as requested');
  await expect(notice).toContainText('software renderer');
  expect(new URL(page.url()).searchParams.get('backend')).toBe('webgl');
  await select.selectOption('auto');
  await expect(panel).toHaveAttribute('data-backend', 'wasm', { timeout: 60_000 });
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
});

test('?backend=wasm in the page URL runs WebAssembly although WebGPU is there, and the notice says so', async ({ page }) => {
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(panel).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('backend-notice')).toContainText('as requested');
});

test('weights come from IndexedDB on the next visit', async ({ page }) => {
  await serveTinyModel(page);
  await openExample(page);
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toContainText('stored in IndexedDB');
  await openExample(page); // a new page load in the same browser profile
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('model-info')).toContainText('loaded from IndexedDB');
});

test('Segment on a real series (totalseg-example: 512 x 512, JPEG 2000, empty UIDs)', async ({ page }) => {
  const dir = `${REAL}/totalseg-example/example_ct_dicom`;
  test.skip(!existsSync(dir), `../shared/data/real is absent (looked in ${dir})`);
  test.setTimeout(300_000);
  await serveTinyModel(page);
  await page.goto('/');
  await openFolder(page, dir);
  await waitForViewer(page);
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.getByTestId('segment-button').click();
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'true', { timeout: 240_000 });
  await expect(summary).toContainText('20 of 20 slices');
});

test('two installed models: the selector switches between them', async ({ page }) => {
  await page.route('**/models/index.json', (route) =>
    route.fulfill({
      json: {
        models: [
          { id: 'tiny-a', name: 'Tiny A', path: 'models/tiny-a/' },
          { id: 'tiny-b', name: 'Tiny B', path: 'models/tiny-b/', default: true },
        ],
      },
    }),
  );
  const fetched: string[] = [];
  await page.route(/\/models\/tiny-[ab]\/[^/]+$/, (route) => {
    const url = new URL(route.request().url()).pathname;
    fetched.push(url);
    const name = path.basename(url);
    const m = name === 'manifest.json' ? JSON.parse(readFileSync(path.join(FIXTURE, name), 'utf8')) : null;
    if (m) {
      m.id = url.includes('tiny-a') ? 'tiny-a' : 'tiny-b'; // separate cache entries
      return route.fulfill({ json: m });
    }
    return route.fulfill({ body: readFileSync(path.join(FIXTURE, name)) });
  });
  await openExample(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const select = page.getByTestId('model-select');
  await expect(select).toHaveValue('tiny-b'); // the default
  await expect(select.locator('option')).toHaveText(['Tiny A', 'Tiny B']);
  await select.selectOption('tiny-a');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(select).toHaveValue('tiny-a');
  expect(fetched.some((u) => u.endsWith('/models/tiny-a/model.json'))).toBe(true);
});
