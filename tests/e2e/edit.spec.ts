/**
 * Editing (issue 14): select an organ, brush a horizontal stroke in the axial view, erase part of it, undo the
 * erase (Ctrl+Z), redo and undo again, then export: the RTSTRUCT read back holds the
 * brushed shape (one slice, as tall as the brush and wider than tall) written SEMIAUTOMATIC. No model needed:
 * the organ is drawn on the empty example.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { serveTinyModel } from './helpers/tinyModel';
import dcmjs, { type NaturalDataset } from 'dcmjs';

/** The ROIs of an RTSTRUCT (read with dcmjs: the app's reader imports JSON that Playwright's loader refuses). */
function readRois(file: string): { name: string; generationAlgorithm: string; points: number[] }[] {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const contours = new Map<number, number[]>();
  for (const rc of (ds.ROIContourSequence as NaturalDataset[]) ?? []) {
    const pts = ((rc.ContourSequence as NaturalDataset[]) ?? []).flatMap((c) => [c.ContourData].flat().map(Number));
    contours.set(Number(rc.ReferencedROINumber), pts);
  }
  return (ds.StructureSetROISequence as NaturalDataset[]).map((r) => ({
    name: String(r.ROIName),
    generationAlgorithm: String(r.ROIGenerationAlgorithm ?? ''),
    points: contours.get(Number(r.ROINumber)) ?? [],
  }));
}

test('brush, erase, undo, export: the RTSTRUCT holds the edited shape, SEMIAUTOMATIC', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);

  const heart = page.getByTestId('organ-Heart');
  const ml = page.getByTestId('ml-Heart');
  await expect(page.getByTestId('tool-brush')).toBeDisabled();
  await heart.locator('button.oar-name').click();
  await expect(page.getByTestId('edit-target')).toHaveText('Edit Heart');
  const radiusMm = 10;
  await page.getByTestId('brush-radius').fill(String(radiusMm));
  await page.getByTestId('tool-brush').click();
  await expect(page.getByTestId('edit-controls')).toHaveAttribute('data-tool', 'brush');

  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  const y = box.y + box.height / 2;
  const x0 = box.x + box.width / 2 - 40;
  const x1 = box.x + box.width / 2 + 40;
  await page.mouse.move(x0, y);
  await expect(page.getByTestId('brush-circle-axial')).toBeVisible();
  await page.mouse.down();
  await page.mouse.move(x1, y, { steps: 8 });
  await page.mouse.up();

  await expect(heart).toHaveAttribute('data-present', 'true');
  await expect(heart).toHaveAttribute('data-edited', 'true');
  await expect(page.getByTestId('edited-Heart')).toBeVisible();
  const brushed = (await ml.textContent())!;
  expect(brushed).toMatch(/ml$/);

  // erase at the stroke's start: the volume drops
  await page.getByTestId('tool-erase').click();
  await page.mouse.move(x0, y);
  await page.mouse.down();
  await page.mouse.up();
  await expect(ml).not.toHaveText(brushed);
  const erased = (await ml.textContent())!;

  // Ctrl+Z brings the brushed shape back, Ctrl+Shift+Z erases again, Ctrl+Z once more
  await page.getByTestId('tool-erase').click(); // tool off
  await page.keyboard.press('Control+z');
  await expect(ml).toHaveText(brushed);
  await page.keyboard.press('Control+Shift+z');
  await expect(ml).toHaveText(erased);
  await page.keyboard.press('Control+z');
  await expect(ml).toHaveText(brushed);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  const roi = readRois(file).find((r) => r.name === 'Heart');
  expect(roi, 'Heart in the export').toBeDefined();
  expect(roi!.generationAlgorithm).toBe('SEMIAUTOMATIC');
  const pts = roi!.points;
  expect(pts.length).toBeGreaterThan(0);
  const xs = pts.filter((_, n) => n % 3 === 0);
  const ys = pts.filter((_, n) => n % 3 === 1);
  const zs = new Set(pts.filter((_, n) => n % 3 === 2).map((z) => z.toFixed(2)));
  expect(zs.size, 'one axial slice').toBe(1);
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  // as tall as the brush (within two pixels of the example's grid), wider than tall (a horizontal stroke)
  expect(h).toBeGreaterThan(2 * radiusMm - 5);
  expect(h).toBeLessThan(2 * radiusMm + 5);
  expect(w).toBeGreaterThan(h + 5);

  // the DICOM SEG marks the edited organ SEMIAUTOMATIC as well
  const [segDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-seg').click()]);
  const segFile = testInfo.outputPath(segDl.suggestedFilename());
  await segDl.saveAs(segFile);
  const sb = readFileSync(segFile);
  const seg = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
    dcmjs.data.DicomMessage.readFile(sb.buffer.slice(sb.byteOffset, sb.byteOffset + sb.byteLength) as ArrayBuffer).dict,
  );
  const segments = [seg.SegmentSequence as NaturalDataset[]].flat();
  expect(segments.find((x) => x.SegmentLabel === 'Heart')?.SegmentAlgorithmType).toBe('SEMIAUTOMATIC');
});

test('Segment again asks before it overwrites edits; declining keeps them, accepting clears the history', async ({ page }) => {
  test.setTimeout(300_000);
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const heart = page.getByTestId('organ-Heart');
  await heart.locator('button.oar-name').click();
  await page.getByTestId('tool-brush').click();
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.up();
  await expect(heart).toHaveAttribute('data-edited', 'true');
  await page.getByTestId('tool-brush').click(); // tool off

  const questions: string[] = [];
  page.once('dialog', (d) => {
    questions.push(d.message());
    void d.dismiss();
  });
  await page.getByTestId('segment-button').click();
  await expect.poll(() => questions.length).toBe(1);
  expect(questions[0]).toContain('your edits to 1 organ');
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready');
  await expect(heart).toHaveAttribute('data-edited', 'true');
  await expect(page.getByTestId('edit-undo')).toBeEnabled();

  page.once('dialog', (d) => {
    questions.push(d.message());
    void d.accept();
  });
  await page.getByTestId('segment-button').click();
  await expect(page.getByTestId('segment-summary')).toHaveAttribute('data-completed', 'true', { timeout: 240_000 });
  expect(questions).toHaveLength(2);
  await expect(heart).toHaveAttribute('data-edited', 'false');
  await expect(page.getByTestId('edit-undo')).toBeDisabled();
});

test('the brush works in the coronal view too: a vertical stroke spans several axial slices', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  const liver = page.getByTestId('organ-Liver');
  await liver.locator('button.oar-name').click();
  await page.getByTestId('brush-radius').fill('4');
  await page.getByTestId('tool-brush').click();
  const box = (await page.getByTestId('viewport-coronal').boundingBox())!;
  const x = box.x + box.width / 2;
  await page.mouse.move(x, box.y + box.height / 2 - 40);
  await expect(page.getByTestId('brush-circle-coronal')).toBeVisible();
  await page.mouse.down();
  await page.mouse.move(x, box.y + box.height / 2 + 40, { steps: 8 });
  await page.mouse.up();
  await expect(liver).toHaveAttribute('data-edited', 'true');
  const range = (await liver.locator('.oar-slices').textContent())!;
  const [a, b] = range.split('–').map(Number);
  expect(b - a, `slice range ${range}`).toBeGreaterThan(2);
  await page.keyboard.press('Control+z');
  await expect(liver).toHaveAttribute('data-present', 'false');
});
