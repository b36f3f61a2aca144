/**
 * Nothing half-done leaves the app (issue 16): Export is disabled while Segment runs; after Cancel the
 * partial result is exported only after a confirmation and labelled INCOMPLETE (structure set label,
 * name, description, file name), or discarded. wasm with the CPU throttled (CDP) keeps the run going
 * while the test looks at the buttons.
 */
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { serveTinyModel } from './helpers/tinyModel';

function readDs(file: string) {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

test('export is disabled while Segment runs; after Cancel it asks, then writes INCOMPLETE; Discard clears', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 8 });
  await page.getByTestId('segment-button').click();
  const progress = page.getByTestId('segment-progress');
  await expect.poll(async () => Number((await progress.getAttribute('data-done')) ?? 0), { timeout: 120_000 }).toBeGreaterThan(0);
  // labels are arriving, the run is not done: both export buttons are off
  await expect(page.getByTestId('export-all')).toHaveAttribute('data-provenance', 'running');
  await expect(page.getByTestId('export-all')).toBeDisabled();
  await expect(page.getByTestId('export-visible')).toBeDisabled();
  await page.getByTestId('cancel-button').click();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(page.getByTestId('segment-summary')).toHaveAttribute('data-completed', 'false', { timeout: 120_000 });

  await expect(page.getByTestId('incomplete-note')).toBeVisible();
  const exportAll = page.getByTestId('export-all');
  await expect(exportAll).toBeEnabled();
  let downloads = 0;
  page.on('download', () => downloads++);
  await exportAll.click();
  await expect(page.getByTestId('export-confirm')).toContainText('INCOMPLETE');
  expect(downloads, 'no file before the confirmation').toBe(0);
  // "Keep, don't export" writes nothing
  await page.getByTestId('cancel-export').click();
  await expect(page.getByTestId('export-confirm')).toHaveCount(0);
  await exportAll.click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('confirm-incomplete').click()]);
  expect(download.suggestedFilename()).toMatch(/_INCOMPLETE\.dcm$/);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const ds = readDs(file);
  expect(ds.StructureSetLabel).toBe('INCOMPLETE');
  expect(String(ds.StructureSetName)).toMatch(/^INCOMPLETE .* slices, cancelled/);
  expect(String(ds.SeriesDescription)).toMatch(/^INCOMPLETE/);

  // Discard: the partial labels go, nothing is left to export
  await page.getByTestId('discard-partial').click();
  await expect(page.getByTestId('organs-empty')).toBeVisible();
  await expect(exportAll).toBeDisabled();
  expect(downloads).toBe(1);
});
