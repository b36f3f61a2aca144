/**
 * Errors a user can act on: each shown once, and the app stays usable afterwards.
 */
import { expect, test } from './fixtures';
import { openFiles, waitForViewer } from './helpers/app';
import { syntheticSeries, type SynthFile } from './helpers/synthetic';

const text = (name: string, body: string): SynthFile => ({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });

test('no DICOM found: message, then the app still opens a series', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, [text('notes.txt', 'not an image'), text('report.pdf', '%PDF-1.4 nothing here')]);
  const notice = page.getByTestId('notice-no-dicom');
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('No DICOM images found');
  await expect(notice).toContainText('2 files not DICOM');
  await expect(page.getByTestId('empty-state')).toBeVisible();

  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await expect(page.getByTestId('notice-no-dicom')).toHaveCount(0);
});

test('a truncated file is skipped and named; the rest of the series opens', async ({ page }) => {
  await page.goto('/');
  const files = syntheticSeries({ slices: 12 });
  files[5] = { ...files[5], buffer: files[5].buffer.subarray(0, files[5].buffer.length - 3000) };
  await openFiles(page, [...files, text('README.txt', 'hello')]);
  await waitForViewer(page);
  const notice = page.getByTestId('notice-corrupt-files');
  await expect(notice).toHaveCount(1);
  await expect(notice).toContainText('1 file skipped');
  await expect(notice).toContainText(`${files[5].name}: truncated`);
  await expect(page.getByTestId('notice-not-dicom-files')).toContainText('1 file that is not DICOM was skipped');
  await expect(page.getByTestId('series-facts')).toContainText('96 × 96 × 11');
  // The gap left by the skipped slice is reported too.
  await expect(page.getByTestId('notice-geometry-missing-slices')).toHaveCount(1);
});

test('not a CT: shown, but segmentation is blocked', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, syntheticSeries({ slices: 8, modality: 'MR', description: 'T1 axial' }));
  await waitForViewer(page);
  await expect(page.getByTestId('notice-geometry-not-ct')).toHaveCount(1);
  await expect(page.getByTestId('notice-geometry-not-ct')).toContainText('MR series, not CT');
  await expect(page.getByTestId('segmentation-status')).toHaveAttribute('data-allowed', 'false');
});

test('fewer than 5 slices: opens, segmentation blocked, message shown once', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, syntheticSeries({ slices: 3 }));
  await waitForViewer(page);
  await expect(page.getByTestId('notice-geometry-too-few-slices')).toHaveCount(1);
  await expect(page.getByTestId('notice-geometry-too-few-slices')).toContainText('Only 3 slices');
  await expect(page.getByTestId('segmentation-status')).toHaveAttribute('data-allowed', 'false');
  // Interacting does not repeat the message.
  await page.getByTestId('preset-bone').click();
  await page.getByTestId('reset-view').click();
  await expect(page.locator('[data-testid^="notice-"]')).toHaveCount(1);
});

test('a failed open keeps the current series on screen', async ({ page }) => {
  await page.goto('/');
  await openFiles(page, syntheticSeries({ slices: 10, description: 'First series' }));
  await waitForViewer(page);
  await openFiles(page, [text('empty.txt', '')]);
  await expect(page.getByTestId('notice-no-dicom')).toHaveCount(1);
  await expect(page.getByTestId('header-series')).toContainText('First series');
  await expect(page.getByTestId('mpr-grid')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('notice-no-dicom').getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByTestId('notice-no-dicom')).toHaveCount(0);
});

test('example missing from the build: says how to install it', async ({ page }) => {
  await page.route('**/example/index.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await expect(page.getByTestId('notice-example-missing')).toContainText('npm run example');
  await expect(page.getByTestId('open-example')).toBeEnabled();
});
