/**
 * Organ overlays end to end: the example CT with its label map (the example's ground truth when it ships one,
 * else organs drawn on the synthetic fallback), hide one organ (its colour leaves the rendered pixels), export the
 * RTSTRUCT, and check the downloaded file with dciodvfy and the plastimatch round trip (DESIGN 3.6, 5).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { shoot } from './helpers/pixels';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { countColour, fetchExample, ORGANS, writeNifti } from './overlay-helpers';
import { ORGAN_VOLUME_RANGES_ML } from '../../src/organVolumes';
import { DCIODVFY, dciodvfy, PLASTIMATCH, plastimatchRasterize } from '../unit/rtstruct/tools';

const haveTools = existsSync(DCIODVFY) && existsSync(PLASTIMATCH);

/** ROI names of an RTSTRUCT file, read with dcmjs directly. */
function roiNames(file: string): string[] {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  return (ds.StructureSetROISequence as NaturalDataset[]).map((r) => String(r.ROIName));
}

test('organ overlays: label map shown, one organ hidden leaves no colour, RTSTRUCT export passes dciodvfy and plastimatch', async ({
  page,
  request,
}, testInfo) => {
  test.skip(!haveTools, 'dciodvfy (dicom3tools) or plastimatch not installed');
  test.setTimeout(240_000);
  const ex = await fetchExample(request);
  const [cols, rows, nk] = ex.volume.dims;
  const voxelMl = (ex.volume.spacing[0] * ex.volume.spacing[1] * ex.volume.spacing[2]) / 1000;
  const counts = new Map<number, number>();
  for (const v of ex.labels) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  expect(counts.size, `organs in the ${ex.source} label map`).toBeGreaterThanOrEqual(3);

  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await expect(page.getByTestId('organ-panel')).toBeVisible();

  // labels in through the panel (as a user loading a label map would)
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: 'labels.nii.gz', mimeType: 'application/gzip', buffer: ex.nifti },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]); // values are organ channels
  const organs = ORGANS.filter((o) => counts.has(o.channel));
  for (const o of organs) {
    await expect(page.getByTestId(`organ-${o.tg263}`)).toHaveAttribute('data-present', 'true');
    const ml = counts.get(o.channel)! * voxelMl;
    const text = ml >= 100 ? `${ml.toFixed(0)} ml` : ml >= 10 ? `${ml.toFixed(1)} ml` : `${ml.toFixed(2)} ml`;
    await expect(page.getByTestId(`ml-${o.tg263}`), `${o.tg263} volume`).toHaveText(text);
  }
  // ground-truth organs have adult volumes: none is flagged as larger than the organ can be
  await expect(page.locator('[data-testid^="implausible-"]')).toHaveCount(0);

  // fill at full opacity: the organ's pixels carry exactly its colour
  await page.getByTestId('mode-fill').click();
  await page.getByTestId('overlay-opacity').fill('100');
  const target = organs.reduce((a, b) => (counts.get(a.channel)! >= counts.get(b.channel)! ? a : b));
  await page.getByTestId(`organ-${target.tg263}`).locator('.oar-name').click(); // jump to its centre
  await page.waitForTimeout(800);
  const axial = page.getByTestId('viewport-axial');
  await testInfo.attach('organs-shown', { body: await page.screenshot(), contentType: 'image/png' });
  const before = countColour(await shoot(axial), target.color);
  console.log(`${target.tg263}: ${before} pixels of its colour in the axial view`);
  expect(before, `${target.tg263} pixels in the axial view before hiding`).toBeGreaterThan(100);

  await page.getByTestId(`toggle-${target.tg263}`).click();
  await expect(page.getByTestId(`organ-${target.tg263}`)).toHaveAttribute('data-visible', 'false');
  await page.waitForTimeout(800);
  const hidden = await shoot(axial);
  await testInfo.attach('organ-hidden', { body: await page.screenshot(), contentType: 'image/png' });
  expect(countColour(hidden, target.color), `${target.tg263} pixels after hiding`).toBeLessThanOrEqual(2);
  // the same in outline mode: a hidden organ leaves no outline either
  await page.getByTestId('mode-outline').click();
  await page.waitForTimeout(800);
  expect(countColour(await shoot(axial), target.color), `${target.tg263} outline pixels after hiding`).toBeLessThanOrEqual(2);
  await page.getByTestId('mode-fill').click();

  // export all organs
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
  expect(download.suggestedFilename()).toMatch(/^RS_[A-Za-z0-9._-]+_\d{8}_labelmap\.dcm$/); // a loaded label map, not the model's
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);

  const v = dciodvfy(file);
  expect(v.output).toMatch(/RTStructureSet/);
  expect(v.errors, 'dciodvfy errors').toEqual([]);

  // every organ, plus the BODY / External contour (on by default)
  expect(roiNames(file).sort()).toEqual([...organs.map((o) => o.tg263), 'External'].sort());

  const { masks } = plastimatchRasterize(file, path.join(ex.dir, 'dicom'), ex.volume);
  const report: string[] = [];
  for (const o of organs) {
    const back = masks.get(o.tg263);
    expect(back, `plastimatch mask for ${o.tg263}`).toBeDefined();
    let a = 0;
    let b = 0;
    let both = 0;
    for (let n = 0; n < cols * rows * nk; n++) {
      const t = ex.labels[n] === o.channel;
      if (t) a++;
      if (back![n]) b++;
      if (t && back![n]) both++;
    }
    const dsc = (2 * both) / (a + b);
    report.push(`${o.tg263} ${(a * voxelMl).toFixed(1)} ml DSC ${dsc.toFixed(4)}`);
    if (a * voxelMl >= 1) expect(dsc, o.tg263).toBeGreaterThanOrEqual(0.97);
  }
  console.log(`e2e plastimatch round trip (${ex.source} labels): ${report.join('; ')}`);

  // visible organs only: the hidden one is left out
  const [dl2] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-visible').click()]);
  const file2 = testInfo.outputPath(`visible-${dl2.suggestedFilename()}`);
  await dl2.saveAs(file2);
  const names = roiNames(file2);
  expect(names).not.toContain(target.tg263);
  expect(names.length).toBe(organs.length - 1 + 1); // + External

  // keyboard: n hides every organ, a shows them all, ] selects the next organ of the table, v toggles it
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const row = (tg: string) => page.getByTestId(`organ-${tg}`);
  await page.keyboard.press('n');
  for (const o of organs) await expect(row(o.tg263)).toHaveAttribute('data-visible', 'false');
  await page.keyboard.press('a');
  for (const o of organs) await expect(row(o.tg263)).toHaveAttribute('data-visible', 'true');
  // the target was selected by clicking its name
  const next = ORGANS[Math.min(ORGANS.findIndex((o) => o.channel === target.channel) + 1, ORGANS.length - 1)];
  await page.keyboard.press(']');
  await expect(row(next.tg263)).toHaveClass(/selected/);
  await page.keyboard.press('v');
  await expect(row(next.tg263)).toHaveAttribute('data-visible', 'false');

  // import the exported file back: a second structure set, drawn as outlines, toggled per structure
  await page.getByTestId('import-rtstruct-input').setInputFiles(file);
  await expect(page.getByTestId('imported-set')).toBeVisible();
  for (const o of organs) await expect(page.getByTestId(`imported-${o.tg263}`)).toBeVisible();
  await page.keyboard.press('n'); // own organs off: only the imported outlines remain
  await page.waitForTimeout(800);
  const outlined = countColour(await shoot(axial), target.color);
  expect(outlined, `${target.tg263} imported outline pixels`).toBeGreaterThan(20);
  expect(outlined, 'an outline, not a fill').toBeLessThan(before / 2);
  await page.getByTestId(`imported-${target.tg263}`).locator('input[type=checkbox]').click();
  await page.waitForTimeout(800);
  expect(countColour(await shoot(axial), target.color), `${target.tg263} imported outline after hiding`).toBeLessThanOrEqual(2);
});

test('a contour larger than its organ can be is flagged in the panel; a plausible one is not', async ({ page, request }) => {
  const ex = await fetchExample(request);
  const [cols, rows, nk] = ex.volume.dims;
  const voxelMl = (ex.volume.spacing[0] * ex.volume.spacing[1] * ex.volume.spacing[2]) / 1000;
  // a box labelled Pituitary (adult 0.2-1 ml) of about 20 ml, and one labelled Eye_L (5-10 ml) of about 7 ml
  const pit = ORGANS.find((o) => o.tg263 === 'Pituitary')!,
    eye = ORGANS.find((o) => o.tg263 === 'Eye_L')!;
  const labels = new Uint8Array(cols * rows * nk);
  const box = (ch: number, ml: number, i0: number) => {
    const side = Math.max(1, Math.round(Math.cbrt(ml / voxelMl)));
    for (let k = 0; k < Math.min(side, nk); k++)
      for (let j = 0; j < side; j++) for (let i = 0; i < side; i++) labels[i0 + i + (rows / 2 + j) * cols + k * cols * rows] = ch;
  };
  box(pit.channel, 20, 10);
  box(eye.channel, 7, Math.floor(cols / 2) + 10);
  await page.goto('/');
  await page.getByTestId('open-example').click();
  await waitForViewer(page);
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: 'boxes.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from(writeNifti(labels, ex.volume)) },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]); // values are organ channels
  await expect(page.getByTestId('organ-Pituitary')).toHaveAttribute('data-present', 'true');
  await expect(page.getByTestId('organ-Eye_L')).toHaveAttribute('data-present', 'true');
  const pitMl = [...labels].filter((v) => v === pit.channel).length * voxelMl;
  expect(pitMl, 'the test box is above the flag threshold').toBeGreaterThan(ORGAN_VOLUME_RANGES_ML[pit.channel][1] * 1.5);
  await expect(page.getByTestId('implausible-Pituitary')).toBeVisible();
  await expect(page.getByTestId('ml-Pituitary')).toHaveAttribute('title', /more than this organ can be \(adult 0\.2–1 ml\)/);
  await expect(page.getByTestId('implausible-Eye_L')).toHaveCount(0);
});
