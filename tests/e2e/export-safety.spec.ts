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
import { fetchExample, writeNifti } from './overlay-helpers';

function readDs(file: string) {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

test('export is disabled while Segment runs; after Cancel it asks, then writes INCOMPLETE; Discard clears', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  const panel = page.getByTestId('segment-panel');
  await expect(panel).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  // The engine runs in a Web Worker (CPU throttling of the page no longer slows it): look at the export
  // buttons and cancel from the progress event of the first delivered batch (dispatched synchronously,
  // src/engine/progressEvent.ts), while labels are arriving and the run is not done.
  await page.evaluate(() => {
    const w = window as unknown as {
      atFirstBatch?: { provenance: string | null; allDisabled: boolean; visibleDisabled: boolean } | string;
    };
    window.addEventListener('aa-segment-progress', (e) => {
      const p = (e as CustomEvent<{ done: number; total: number }>).detail;
      if (w.atFirstBatch || p.done === 0) return;
      const all = document.querySelector<HTMLButtonElement>('[data-testid="export-all"]');
      const visible = document.querySelector<HTMLButtonElement>('[data-testid="export-visible"]');
      const cancel = document.querySelector<HTMLButtonElement>('[data-testid="cancel-button"]');
      if (!all || !visible || !cancel) {
        w.atFirstBatch = 'export or cancel button missing at the first progress event';
        return;
      }
      w.atFirstBatch = {
        provenance: all.getAttribute('data-provenance'),
        allDisabled: all.disabled,
        visibleDisabled: visible.disabled,
      };
      cancel.click();
    });
  });
  await page.getByTestId('segment-button').click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { atFirstBatch?: unknown }).atFirstBatch ?? null), { timeout: 120_000 })
    .not.toBeNull();
  // labels are arriving, the run is not done: both export buttons are off
  const at = await page.evaluate(() => (window as unknown as { atFirstBatch?: unknown }).atFirstBatch);
  expect(at).toEqual({ provenance: 'running', allDisabled: true, visibleDisabled: true });
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

test("a label map without a legend: the app asks which organ each value is; its export is not called the model's", async ({
  page,
  request,
}, testInfo) => {
  const ex = await fetchExample(request);
  const [cols, rows, nk] = ex.volume.dims;
  const labels = new Uint8Array(cols * rows * nk);
  // value 1 (the app's channel 1 would be another organ) is meant as the liver here
  for (let k = 0; k < nk; k++)
    for (let j = rows / 4; j < rows / 2; j++)
      for (let i = cols / 4; i < cols / 2; i++) labels[i + j * cols + k * cols * rows] = 1;
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await page
    .getByTestId('load-labelmap-input')
    .setInputFiles({ name: 'seg.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from(writeNifti(labels, ex.volume)) });
  const dialog = page.getByTestId('labelmap-mapping');
  await expect(dialog).toContainText('seg.nii.gz has no legend');
  await expect(page.getByTestId('organs-empty')).toBeVisible(); // nothing shown before the user answers
  await page.getByTestId('labelmap-value-1').selectOption({ label: 'Liver' });
  await page.getByTestId('labelmap-apply').click();
  await expect(page.getByTestId('organ-Liver')).toHaveAttribute('data-present', 'true');
  await expect(page.getByTestId('organs-empty')).toHaveCount(0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
  expect(download.suggestedFilename()).toMatch(/_labelmap\.dcm$/);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const ds = readDs(file);
  const rois = ds.StructureSetROISequence as {
    ROIName: string;
    ROIGenerationAlgorithm?: string;
    ROIGenerationDescription?: string;
  }[];
  const liver = rois.find((r) => r.ROIName === 'Liver')!;
  expect(liver.ROIGenerationAlgorithm ?? '').toBe('');
  expect(liver.ROIGenerationDescription).toContain('seg.nii.gz');
  expect(String(ds.SeriesDescription)).not.toContain('AttentionAnatomy');
});
