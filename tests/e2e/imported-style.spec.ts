/**
 * Imported structures are told apart from the model's (issue 16): on the real HNSCC-01-0002 CT, the clinical
 * RTSTRUCT imported as a second set is drawn as outlines without fill while the organ set stays filled
 * (and, in outline mode, has thicker outlines). What is checked
 * is the style Cornerstone holds, read back by src/overlay/segmentation.ts into document.body's
 * data-overlay-style, plus the legend line in the organ panel.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openFolder, waitForViewer } from './helpers/app';
import { HNSCC_CT_A, HNSCC_RS_A } from '../corpus/generate';

interface Style {
  renderFill: boolean;
  renderFillInactive: boolean;
  renderOutline: boolean;
  outlineWidth?: number;
  outlineWidthInactive?: number;
}
interface Published {
  source: string;
  organs: Style;
  imported: Style | null;
}

const published = async (page: Page): Promise<Published | null> => {
  const raw = await page.evaluate(() => document.body.dataset.overlayStyle ?? null);
  return raw ? (JSON.parse(raw) as Published) : null;
};

test('an imported RTSTRUCT is drawn as outlines without fill, the organ set filled; the panel says so', async ({ page }) => {
  test.skip(!existsSync(HNSCC_CT_A) || !existsSync(HNSCC_RS_A), `${HNSCC_CT_A} is absent`);
  test.setTimeout(180_000);
  await page.goto('/');
  await openFolder(page, HNSCC_CT_A);
  await waitForViewer(page);
  // the organ set (the model's, empty so far) in the default fill mode
  await expect.poll(async () => (await published(page))?.organs.renderFill).toBe(true);
  const before = (await published(page))!;
  expect(before.source).toBe('none'); // nothing segmented or loaded yet
  expect(before.imported).toBeNull();

  await page.getByTestId('import-rtstruct-input').setInputFiles(join(HNSCC_RS_A, readdirSync(HNSCC_RS_A)[0]));
  await expect(page.getByTestId('imported-set')).toBeVisible();
  await expect(page.getByTestId('imported-style-legend')).toContainText('outlines only, never filled');
  await expect.poll(async () => (await published(page))?.imported !== null).toBe(true);
  const withImport = (await published(page))!;
  // the imported set is not the active segmentation: its inactive style is what is drawn
  expect(withImport.imported).toMatchObject({
    renderFill: false,
    renderFillInactive: false,
    renderOutline: true,
    outlineWidthInactive: 2,
  });
  expect(withImport.organs.renderFill).toBe(true);

  // outline mode: both outlines, the organ set's thicker
  await page.getByTestId('mode-outline').click();
  await expect.poll(async () => (await published(page))?.organs.renderFill).toBe(false);
  const outline = (await published(page))!;
  expect(outline.organs.outlineWidth).toBe(3);
  expect(outline.imported).toMatchObject({ renderFillInactive: false, outlineWidthInactive: 2 });
});
