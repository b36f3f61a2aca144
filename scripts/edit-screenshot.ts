/**
 * README screenshots of the review step, with the real app in headless Chromium (needs `npx vite build` and
 * ../shared/data):
 *  - docs/images/edit-tools.png: TotalSegmentator's example CT, three brush strokes for the liver from outside
 *    the body across the ribs, limited to the soft-tissue HU window (air and bone are left out), and a freehand Fill region being drawn in the coronal view;
 *  - docs/images/compare-table.png: HNSCC-01-0001 (hnscc-rtai), organs = the clinical contours shifted by
 *    one column (as tests/e2e/review.spec.ts), the clinical RTSTRUCT imported as the reference.
 *
 *   npx tsx scripts/edit-screenshot.ts [--only edit|compare]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { launchChromium } from '../src/node/chromium';
import { startServer } from '../src/node/staticServer.mjs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const TOTALSEG = resolve('../shared/data/real/totalseg-example/example_ct_dicom');
const HN1 = resolve('../shared/data/real/hnscc-rtai/HNSCC/HNSCC-01-0001');
if (!existsSync('dist/index.html')) throw new Error('build first: npx vite build');

async function ready(page: Page) {
  await page.waitForSelector('[data-testid="mpr-grid"][data-ready="true"]', { timeout: 180_000 });
  await page.waitForSelector('[data-testid="app"][data-busy="false"]', { timeout: 180_000 });
}
const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function editTools(page: Page, url: string) {
  await page.goto(url);
  await page.getByTestId('folder-input').setInputFiles(TOTALSEG);
  await ready(page);
  await page.getByTestId('organ-Liver').locator('button.oar-name').click();
  await page.getByTestId('threshold-preset').selectOption('soft');
  await page.getByTestId('brush-radius').fill('12');
  await page.getByTestId('tool-brush').click();
  const ax = (await page.getByTestId('viewport-axial').boundingBox())!;
  const at = (fx: number, fy: number) => [ax.x + ax.width * fx, ax.y + ax.height * fy] as const;
  for (const fy of [0.46, 0.52, 0.58]) {
    // from outside the body across the ribs into the liver: air and bone stay unpainted
    await page.mouse.move(...at(0.08, fy));
    await page.mouse.down();
    await page.mouse.move(...at(0.4, fy), { steps: 16 });
    await page.mouse.up();
  }
  await page.getByTestId('tool-fill').click();
  const co = (await page.getByTestId('viewport-coronal').boundingBox())!;
  const cx = co.x + co.width * 0.35,
    cy = co.y + co.height * 0.5;
  await page.mouse.move(cx, cy - 30);
  await page.mouse.down();
  for (let n = 1; n <= 40; n++) {
    const t = (2 * Math.PI * n) / 48;
    await page.mouse.move(cx + 45 * Math.sin(t), cy - 30 * Math.cos(t));
  }
  await frames(page);
  await page.screenshot({ path: 'docs/images/edit-tools.png' });
  await page.mouse.up();
  console.log('wrote docs/images/edit-tools.png');
}

async function compareTable(page: Page, url: string) {
  const study = join(HN1, readdirSync(HN1)[0]);
  const dirs = readdirSync(study).map((d) => join(study, d));
  const rsDir = dirs.find((d) => readdirSync(d).length === 1)!;
  const ctDir = dirs.find((d) => d !== rsDir)!;
  const rtstruct = join(rsDir, readdirSync(rsDir)[0]);
  const tmp = mkdtempSync(join(os.tmpdir(), 'compare-shot-'));
  const r = spawnSync('node_modules/.bin/tsx', ['tests/e2e/helpers/reviewData.ts', 'prepare', ctDir, rtstruct, tmp], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  await page.goto(url);
  await page.getByTestId('folder-input').setInputFiles(ctDir);
  await ready(page);
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: 'labels.nii.gz', mimeType: 'application/gzip', buffer: readFileSync(join(tmp, 'labels.nii.gz')) },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]);
  await page.waitForSelector('[data-testid="organ-SpinalCord"][data-present="true"]');
  await page.getByTestId('import-rtstruct-input').setInputFiles(rtstruct);
  const table = page.getByTestId('compare-table');
  await table.waitFor();
  await table.scrollIntoViewIfNeeded();
  await frames(page);
  await page.screenshot({ path: 'docs/images/compare-table.png' });
  console.log('wrote docs/images/compare-table.png');
}

const { server, url } = (await startServer({ root: 'dist', port: 0 })) as { server: { close(): void }; url: string };
const { context, close } = await launchChromium();
try {
  const page = await context.newPage();
  if (only !== 'compare') await editTools(page, url);
  if (only !== 'edit') await compareTable(page, url);
} finally {
  await close();
  server.close();
}
