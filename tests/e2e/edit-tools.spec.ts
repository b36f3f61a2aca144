/**
 * Edit tools in Chromium on the bundled example (no model needed; organs are drawn on the empty label map):
 * brush on two axial slices with empty ones between, Interpolate (one undo step), a threshold-limited brush
 * (soft-tissue window: only voxels whose HU lies in the window change), a freehand Fill in the sagittal view, a Cut
 * in the axial view, Clear on slice in the coronal view, undo / redo. Then:
 *  - the exported RTSTRUCT read back with the app's own reader (src/batch/reference -> src/rtstruct/import)
 *    and with plastimatch holds the edited shapes (voxel counts within tolerance of the label map);
 *  - the exported SEG, read with the app's SEG reader, is the label map (every voxel: re-imported into the
 *    app as the reference, each edited organ compares with DSC 1 and the same volume); dciodvfy is clean on
 *    both files; the RTSTRUCT imported into the app compares with DSC close to 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { DCIODVFY, dciodvfy } from '../unit/rtstruct/tools';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
// the example the page serves: dist/example (copied from public/example by the build) or, in a build without
// it, scripts/e2e.mjs's synthetic one; E2E_EXAMPLE_DIR names whichever is served
const EXAMPLE_CT = path.join(process.env.E2E_EXAMPLE_DIR ?? path.join(REPO, 'dist/example'), 'dicom');
// the soft-tissue window: both the bundled example and the synthetic fallback have air and lung inside a 100 mm brush
const SOFT = { min: -100, max: 200 };

interface OrganCheck {
  seg: number;
  rt: number;
  rtBoth: number;
  plastimatch: number | null;
  plastimatchBoth: number | null;
}

function editData(args: string[]): Record<string, OrganCheck> & { threshold: { organ: string; count: number; outside: number } } {
  const r = spawnSync(path.join(REPO, 'node_modules/.bin/tsx'), ['tests/e2e/helpers/editData.ts', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`editData ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function centre(page: Page, plane: string): Promise<{ x: number; y: number }> {
  const b = (await page.getByTestId(`viewport-${plane}`).boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** A closed square path of half-size `r` px around (x, y), drawn with the mouse held down. */
async function drawSquare(page: Page, c: { x: number; y: number }, r: number): Promise<void> {
  await page.mouse.move(c.x - r, c.y - r);
  await page.mouse.down();
  await page.mouse.move(c.x + r, c.y - r, { steps: 5 });
  await page.mouse.move(c.x + r, c.y + r, { steps: 5 });
  await page.mouse.move(c.x - r, c.y + r, { steps: 5 });
  await page.mouse.move(c.x - r, c.y - r, { steps: 5 });
  await page.mouse.up();
}

async function select(page: Page, organ: string): Promise<Locator> {
  const row = page.getByTestId(`organ-${organ}`);
  await row.locator('button.oar-name').click();
  await expect(page.getByTestId('edit-target')).toHaveText(`Edit ${organ}`);
  return row;
}

const ml = async (page: Page, organ: string) => (await page.getByTestId(`ml-${organ}`).textContent()) ?? '';
const sliceRange = async (row: Locator) =>
  ((await row.locator('.oar-slices').first().textContent()) ?? '').split('–').map(Number);

test('edit tools: brush, interpolate, threshold brush, freehand fill / cut, clear in any view, undo; RTSTRUCT and SEG round trips', async ({
  page,
}, testInfo) => {
  test.skip(
    !existsSync(EXAMPLE_CT),
    'dist/example is absent (run npm run example before the build): the page then serves a synthetic example',
  );
  test.setTimeout(300_000);
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);

  // 1. Heart: a brush dab on one axial slice, four slices further another, Interpolate fills the three between
  const heart = await select(page, 'Heart');
  await page.getByTestId('brush-radius').fill('8');
  await page.getByTestId('tool-brush').click();
  const ax = await centre(page, 'axial');
  await page.mouse.move(ax.x, ax.y);
  await page.mouse.down();
  await page.mouse.up();
  await expect(heart).toHaveAttribute('data-present', 'true');
  const sliceLabel = page.getByTestId('slice-index-axial');
  for (let n = 0; n < 4; n++) {
    const before = (await sliceLabel.textContent())!;
    await page.mouse.wheel(0, 100);
    await expect(sliceLabel).not.toHaveText(before);
  }
  await page.getByTestId('brush-radius').fill('14');
  await page.mouse.move(ax.x, ax.y);
  await page.mouse.down();
  await page.mouse.move(ax.x + 6, ax.y, { steps: 2 });
  await page.mouse.up();
  const [a, b] = await sliceRange(heart);
  expect(b - a, 'two drawn slices four apart').toBe(4);
  const twoSlices = await ml(page, 'Heart');
  await page.getByTestId('tool-brush').click(); // off
  await page.getByTestId('edit-interpolate').click();
  await expect(page.getByTestId('edit-message')).toContainText('Interpolated 3 slices');
  await expect(page.getByTestId(`ml-Heart`)).not.toHaveText(twoSlices);
  const interpolated = await ml(page, 'Heart');
  expect(parseFloat(interpolated)).toBeGreaterThan(parseFloat(twoSlices));
  await page.keyboard.press('Control+z'); // one undo step
  await expect(page.getByTestId('ml-Heart')).toHaveText(twoSlices);
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByTestId('ml-Heart')).toHaveText(interpolated);

  // 2. threshold-limited brush: Esophagus painted with a 100 mm brush limited to the soft-tissue window
  const eso = await select(page, 'Esophagus');
  await page.getByTestId('threshold-preset').selectOption('soft');
  await expect(page.getByTestId('threshold-control')).toHaveAttribute('data-active', 'true');
  await page.getByTestId('brush-radius').fill('100');
  await page.getByTestId('tool-brush').click();
  await page.mouse.move(ax.x, ax.y);
  await page.mouse.down();
  await page.mouse.up();
  await expect(eso).toHaveAttribute('data-present', 'true');
  await page.getByTestId('threshold-preset').selectOption('off');
  await page.getByTestId('tool-brush').click(); // off

  // 3. Liver: freehand fill in the sagittal view, a cut in the axial view, clear on the coronal slice
  const liver = await select(page, 'Liver');
  await page.getByTestId('tool-fill').click();
  await expect(page.getByTestId('edit-controls')).toHaveAttribute('data-tool', 'fill');
  await drawSquare(page, await centre(page, 'sagittal'), 40);
  await expect(liver).toHaveAttribute('data-present', 'true');
  const [la, lb] = await sliceRange(liver);
  expect(lb - la, 'a sagittal region spans several axial slices').toBeGreaterThan(4);
  const filled = await ml(page, 'Liver');
  await page.getByTestId('tool-cut').click();
  await drawSquare(page, ax, 15);
  await expect(page.getByTestId('ml-Liver')).not.toHaveText(filled);
  const cut = await ml(page, 'Liver');
  expect(parseFloat(cut)).toBeLessThan(parseFloat(filled));
  await page.getByTestId('tool-cut').click(); // off
  await page.getByTestId('clear-slice-coronal').click();
  await expect(page.getByTestId('edit-message')).toContainText('on the coronal slice');
  await expect(page.getByTestId('ml-Liver')).not.toHaveText(cut);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('ml-Liver')).toHaveText(cut);
  for (const o of ['Heart', 'Esophagus', 'Liver'])
    await expect(page.getByTestId(`organ-${o}`)).toHaveAttribute('data-edited', 'true');

  // 4. export RTSTRUCT and SEG; read both back outside the page
  const [rsDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
  const rsFile = testInfo.outputPath(rsDl.suggestedFilename());
  await rsDl.saveAs(rsFile);
  const [segDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-seg').click()]);
  const segFile = testInfo.outputPath(segDl.suggestedFilename());
  await segDl.saveAs(segFile);
  if (existsSync(DCIODVFY)) {
    expect(dciodvfy(rsFile).errors, 'dciodvfy RTSTRUCT').toEqual([]);
    expect(dciodvfy(segFile).errors, 'dciodvfy SEG').toEqual([]);
  }
  const check = editData([
    'check',
    EXAMPLE_CT,
    rsFile,
    segFile,
    'Heart,Esophagus,Liver',
    'Esophagus',
    String(SOFT.min),
    String(SOFT.max),
  ]);
  testInfo.annotations.push({ type: 'round trip', description: JSON.stringify(check) });
  // the threshold brush changed only voxels inside the soft-tissue window
  expect(check.threshold.count).toBeGreaterThan(10);
  expect(check.threshold.outside).toBe(0);
  // every edited organ (a solid shape over 5 slices, a one-voxel-thick sheet, a soft-tissue region with the lungs left out): the
  // RTSTRUCT rasterised by the app's reader and by plastimatch gives back the label map's voxels (2%)
  for (const o of ['Heart', 'Esophagus', 'Liver']) {
    const c = check[o];
    expect(c.seg, o).toBeGreaterThan(10);
    expect(Math.abs(c.rt - c.seg) / c.seg, `${o}: app reader ${c.rt} vs label map ${c.seg}`).toBeLessThanOrEqual(0.02);
    expect(c.rtBoth / c.seg, `${o}: app reader overlap`).toBeGreaterThanOrEqual(0.98);
    if (c.plastimatch === null) continue; // plastimatch not installed
    expect(
      Math.abs(c.plastimatch - c.seg) / c.seg,
      `${o}: plastimatch ${c.plastimatch} vs label map ${c.seg}`,
    ).toBeLessThanOrEqual(0.02);
    expect(c.plastimatchBoth! / c.seg, `${o}: plastimatch overlap`).toBeGreaterThanOrEqual(0.98);
  }

  // 5. the app's own import: the RTSTRUCT compares close to 1 with the edited label map, the SEG exactly
  await page.getByTestId('import-rtstruct-input').setInputFiles(rsFile);
  await expect(page.getByTestId('compare-table')).toBeVisible();
  await expect(page.getByTestId('dsc-Heart')).toHaveText(/^(0\.9[5-9]\d|1\.000)$/);
  await page.getByTestId('import-seg-input').setInputFiles(segFile);
  await expect(page.getByTestId('compare')).toContainText(`SEG ${segDl.suggestedFilename()}`);
  for (const o of ['Heart', 'Esophagus', 'Liver']) {
    await expect(page.getByTestId(`dsc-${o}`)).toHaveText('1.000');
    const cells = await page.getByTestId(`compare-row-${o}`).locator('td').allTextContents();
    // auto ml == reference ml, difference 0
    expect(cells.slice(-3)[0]).toBe(cells.slice(-3)[1]);
  }
});
