/**
 * Multi-threaded WebAssembly (issue 24): the app's server sends the cross-origin isolation headers
 * (src/node/isolation.mjs), the app starts one engine worker per core (src/engine/wasmThreads.ts; cores beyond four as threads of
 * tfjs-backend-wasm's threaded build inside them), the panel and the backend chooser say so,
 * `?threads=N` asks for N, `?workers=N` for N engine workers that split the slices (src/engine/worker/shards.ts),
 * and the labels on two threads and on two workers are the single-threaded labels bit for bit (the `npm run segment`
 * CLI, the app's default model, 24 slices of the bundled example, with the clean-up, which two workers run on the
 * assembled volume).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { test as cli } from '@playwright/test';
import { expect, test } from './fixtures';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIST = resolve(REPO, process.env.BATCH_E2E_DIST ?? 'dist');
const EXAMPLE = process.env.E2E_EXAMPLE_DIR ?? join(REPO, 'dist/example');

async function openOnWasm(page: import('@playwright/test').Page, query: string) {
  const res = await page.goto(`/?backend=wasm${query}`);
  expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await page.getByTestId('open-example').click();
  await page.locator('[data-testid="segment-panel"][data-status="ready"]').waitFor({ timeout: 180_000 });
}

test('the page is cross-origin isolated; the app runs one engine worker per core and says so', async ({ page }) => {
  test.setTimeout(240_000);
  await openOnWasm(page, '');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  // one engine worker per core (at most 4), the cores beyond as threads inside them
  const workers = Math.min(Math.max(cores, 1), 4);
  const threads = Math.max(1, Math.floor(cores / workers));
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-threads', String(threads));
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-workers', String(workers));
  const notice = page.getByTestId('backend-notice');
  await expect(notice).toContainText(`WebAssembly SIMD, ${workers > 1 ? `${workers} workers x ` : ''}${threads} thread`);
  if (cores >= 2 && cores <= 4) await expect(notice).toContainText(`${workers} engine workers, one per core`);
  await expect(notice).not.toContainText('left to the viewer');
  await expect(notice).not.toHaveClass(/seg-warn/);
});

test('?threads=2 runs the threaded build on 2 threads, ?threads=1 the single-threaded one; the chooser says which', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openOnWasm(page, '&threads=2');
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-threads', '2');
  await expect(page.getByTestId('backend-notice')).toContainText('WebAssembly SIMD, 2 threads');
  await expect(page.getByTestId('backend-notice')).toContainText('2 threads (as requested)');
  await expect(page.getByTestId('backend-select').locator('option[value="wasm"]')).toHaveText('WebAssembly (CPU, 2 threads)');

  await openOnWasm(page, '&threads=1');
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-threads', '1');
  await expect(page.getByTestId('backend-notice')).toContainText('1 thread (as requested)');
  await expect(page.getByTestId('backend-select').locator('option[value="wasm"]')).toHaveText('WebAssembly (CPU, 1 thread)');

  await openOnWasm(page, '&workers=2');
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-workers', '2');
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-threads', '1');
  await expect(page.getByTestId('backend-notice')).toContainText('WebAssembly SIMD, 2 workers x 1 thread');
  await expect(page.getByTestId('backend-notice')).toContainText('2 engine workers (as requested)');
  await expect(page.getByTestId('backend-select').locator('option[value="wasm"]')).toHaveText(
    'WebAssembly (CPU, 2 workers x 1 thread)',
  );

  // A run on 2 workers keeps both cores of a 2-core machine busy: its progress events say so (the overlay then
  // redraws streamed slices every 5 s, overlay/streamRedraw.ts). Cancelled from the first delivered batch.
  await page.evaluate(() => {
    const w = window as unknown as { firstProgress?: { done: number; usesEveryCore: unknown } };
    window.addEventListener('aa-segment-progress', (e) => {
      const p = (e as CustomEvent<{ done: number; usesEveryCore: unknown }>).detail;
      if (w.firstProgress || p.done === 0) return;
      w.firstProgress = p;
      document.querySelector<HTMLButtonElement>('[data-testid="cancel-button"]')?.click();
    });
  });
  await page.getByTestId('segment-button').click();
  await expect(page.getByTestId('segment-summary')).toHaveAttribute('data-completed', 'false', { timeout: 300_000 });
  const first = await page.evaluate(
    () => (window as unknown as { firstProgress?: { usesEveryCore: unknown } }).firstProgress?.usesEveryCore,
  );
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(first).toBe(cores <= 2);
});

// The CLI launches its own browser (no page fixture here; the CLI itself reports any request that leaves its server).
cli(
  'labels on 2 threads and on 2 workers are the single-threaded labels, bit for bit (CLI, default model, bundled example)',
  () => {
    cli.setTimeout(900_000);
    const files = existsSync(join(EXAMPLE, 'dicom')) ? readdirSync(join(EXAMPLE, 'dicom')).sort() : [];
    if (files.length < 24)
      throw new Error(`the bundled example is missing at ${EXAMPLE}/dicom (npm run example, then the build)`);
    const work = mkdtempSync(join(tmpdir(), 'aa-threads-e2e-'));
    try {
      // 24 consecutive slices from the middle: liver, kidneys and bowel, enough for the graph's every layer
      const input = join(work, 'in');
      const mid = Math.floor(files.length / 2) - 12;
      mkdirSync(input, { recursive: true });
      for (const f of files.slice(mid, mid + 24)) copyFileSync(join(EXAMPLE, 'dicom', f), join(input, f));
      const labels: Buffer[] = [];
      const runs = [
        { flags: ['--threads', '1'], adapter: 'WebAssembly SIMD, 1 thread' },
        { flags: ['--threads', '2'], adapter: 'WebAssembly SIMD, 2 threads' },
        { flags: ['--workers', '2'], adapter: 'WebAssembly SIMD, 2 workers x 1 thread' },
      ];
      for (const [i, run] of runs.entries()) {
        const out = join(work, `run${i}`);
        const r = spawnSync(
          join(REPO, 'node_modules/.bin/tsx'),
          ['scripts/segment.ts', '--input', input, '--out', out, '--backend', 'wasm', ...run.flags, '--no-build', '--dist', DIST],
          { cwd: REPO, encoding: 'utf8', timeout: 420_000 },
        );
        expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
        const [series] = readdirSync(out).filter((d) => existsSync(join(out, d, 'labels.nii.gz')));
        expect(series, `no labels.nii.gz under ${out}`).toBeTruthy();
        const report = JSON.parse(readFileSync(join(out, series, 'report.json'), 'utf8')) as { backend: { adapter: string } };
        expect(report.backend.adapter).toBe(run.adapter);
        const nii = gunzipSync(readFileSync(join(out, series, 'labels.nii.gz')));
        const voxOffset = nii.readFloatLE(108);
        labels.push(nii.subarray(voxOffset));
      }
      expect(labels[0].length).toBeGreaterThan(24 * 64 * 64);
      // some organ was found at all (a run that labels nothing would match trivially)
      expect(labels[0].some((v) => v !== 0)).toBe(true);
      expect(Buffer.compare(labels[0], labels[1]), 'labels differ between 1 and 2 threads').toBe(0);
      expect(Buffer.compare(labels[0], labels[2]), 'labels differ between 1 worker and 2 workers').toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
