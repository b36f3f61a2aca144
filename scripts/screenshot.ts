/**
 * README screenshots of the real app: serves dist/ (run `npx vite build` first), opens a CT folder in
 * headless Debian Chromium, runs Segment with the default (or given) model, optionally imports an
 * RTSTRUCT as the second structure set, jumps to an organ and saves a PNG of the whole page.
 *
 *   npx tsx scripts/screenshot.ts --series DIR --out docs/images/contours.png
 *        [--model ID] [--backend wasm] [--protocol whole] [--organ Parotid_L] [--import RS.dcm] [--outline]
 *
 * Prints the run summary the app shows. Default backend wasm: the fastest on a machine without a GPU.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServer } from '../src/node/staticServer.mjs';
import { launchChromium } from '../src/node/chromium';

const { values: a } = parseArgs({
  options: {
    series: { type: 'string' },
    out: { type: 'string' },
    model: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    protocol: { type: 'string', default: 'whole' },
    organ: { type: 'string' },
    import: { type: 'string' },
    outline: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '30' },
  },
});
if (!a.series || !a.out) {
  console.error(
    'usage: npx tsx scripts/screenshot.ts --series DIR --out PNG [--model ID] [--backend wasm] [--organ NAME] [--import RS.dcm] [--outline]',
  );
  process.exit(2);
}
if (!existsSync('dist/index.html')) {
  console.error('screenshot: dist/ is missing; run `npx vite build` first.');
  process.exit(2);
}

const { server, url } = await startServer({ root: 'dist', port: 0 });
const { context, close } = await launchChromium();
const timeout = Number(a.timeout) * 60_000;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize({ width: 1600, height: 940 });
  await page.goto(`${url}/?backend=${encodeURIComponent(a.backend!)}`);
  await page.getByTestId('folder-input').setInputFiles(a.series);
  await page.locator('[data-testid="mpr-grid"][data-ready="true"]').waitFor({ timeout: 120_000 });
  const panel = page.getByTestId('segment-panel');
  await page.locator('[data-testid="segment-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  if (a.model) {
    await page.getByTestId('model-select').selectOption(a.model);
    await page.locator('[data-testid="segment-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  }
  await page.getByTestId('protocol-select').selectOption(a.protocol!);
  await page.getByTestId('segment-button').click();
  await page.getByTestId('segment-summary').waitFor({ timeout });
  console.log(`backend ${await panel.getAttribute('data-backend')}: ${await page.getByTestId('segment-summary').textContent()}`);
  if (a.import) {
    await page.getByTestId('import-rtstruct-input').setInputFiles(a.import);
    await page.waitForTimeout(2000);
  }
  if (a.outline) await page.getByTestId('mode-outline').click();
  if (a.organ) await page.getByTestId(`organ-${a.organ}`).locator('.oar-name').click();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: a.out });
  console.log(`wrote ${a.out}`);
} finally {
  await close();
  server.close();
}
