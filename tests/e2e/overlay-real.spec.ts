/**
 * Organ overlays on real series (skipped when ../shared/data is absent):
 *  - totalseg-example (JPEG 2000, empty UIDs): TotalSegmentator's labels for this series, mapped to our organs,
 *    shown as contours; the exported RTSTRUCT passes dciodvfy and the plastimatch round trip.
 *  - HNSCC-01-0002: the clinical RTSTRUCT imported as a second structure set, names mapped to organs
 *    ("Spinal cord" -> SpinalCord, "Right parotid" -> Parotid_R), drawn as outlines in all three views.
 * Each test saves a screenshot of the app (test-results/, for the README; not committed: it shows patient data).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { openFolder, waitForViewer } from './helpers/app';
import { shoot } from './helpers/pixels';
import { countColour, ORGANS, writeNifti } from './overlay-helpers';
import { readNiftiLabels } from '../../src/nifti/labels';
import { resampleLabelsToCt } from '../../src/labels/resample';
import { ctGeometry } from '../unit/rtstruct/ct';
import { DCIODVFY, dciodvfy, PLASTIMATCH, plastimatchRasterize } from '../unit/rtstruct/tools';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REAL = path.resolve(REPO, '../shared/data/real');
const TOTALSEG = path.join(REAL, 'totalseg-example');
const HNSCC2 = path.join(REAL, 'hnscc-rtai/HNSCC/HNSCC-01-0002');
const haveTools = existsSync(DCIODVFY) && existsSync(PLASTIMATCH);
const organ = (tg: string) => ORGANS.find((o) => o.tg263 === tg)!;

/** TotalSegmentator class -> our organ (tests/unit/rtstruct/totalseg.test.ts has the same table). */
const TOTALSEG_TO_TG263: Record<string, string> = {
  spleen: 'Spleen',
  kidney_right: 'Kidney_R',
  kidney_left: 'Kidney_L',
  gallbladder: 'Gallbladder',
  liver: 'Liver',
  stomach: 'Stomach',
  pancreas: 'Pancreas',
  esophagus: 'Esophagus',
  spinal_cord: 'SpinalCord',
  heart: 'Heart',
  small_bowel: 'Bag_Bowel',
  duodenum: 'Bag_Bowel',
  colon: 'Bag_Bowel',
};

test('real series totalseg-example: TotalSegmentator organs as contours, RTSTRUCT passes dciodvfy and plastimatch', async ({
  page,
}, testInfo) => {
  test.skip(!existsSync(TOTALSEG), `${TOTALSEG} is absent`);
  test.skip(!haveTools, 'dciodvfy or plastimatch not installed');
  test.setTimeout(240_000);
  const ctDir = path.join(TOTALSEG, 'example_ct_dicom');
  const { volume } = ctGeometry(ctDir);
  const names = JSON.parse(readFileSync(path.join(TOTALSEG, 'labels_total_v2.json'), 'utf8')) as Record<string, string>;
  const map = new Map<number, number>();
  for (const [v, n] of Object.entries(names)) if (TOTALSEG_TO_TG263[n]) map.set(Number(v), organ(TOTALSEG_TO_TG263[n]).channel);
  const labels = resampleLabelsToCt(
    readNiftiLabels(new Uint8Array(readFileSync(path.join(TOTALSEG, 'example_seg_dicom.nii.gz')))),
    volume,
    map,
  );

  await page.goto('/');
  await openFolder(page, ctDir);
  await waitForViewer(page);
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: 'totalseg.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from(writeNifti(labels, volume)) },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]); // values are organ channels
  await expect(page.getByTestId('organ-Liver')).toHaveAttribute('data-present', 'true');
  await page.getByTestId('mode-outline').click();
  await page.getByTestId('organ-Liver').locator('.oar-name').click();
  await page.waitForTimeout(1000);
  expect(
    countColour(await shoot(page.getByTestId('viewport-axial')), organ('Liver').color),
    'liver outline pixels',
  ).toBeGreaterThan(50);
  await page.screenshot({ path: testInfo.outputPath('overlay-totalseg.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  expect(download.suggestedFilename()).toMatch(/^RS_anonymous_\d{8}_labelmap\.dcm$/); // no patient ID or name; a loaded label map, not the model
  expect(dciodvfy(file).errors, 'dciodvfy errors').toEqual([]);
  const { masks } = plastimatchRasterize(file, ctDir, volume);
  const voxelMl = (volume.spacing[0] * volume.spacing[1] * volume.spacing[2]) / 1000;
  for (const channel of new Set(map.values())) {
    let a = 0;
    let b = 0;
    let both = 0;
    const back = masks.get(ORGANS.find((o) => o.channel === channel)!.tg263);
    for (let n = 0; n < labels.length; n++) {
      const t = labels[n] === channel;
      if (t) a++;
      if (back?.[n]) b++;
      if (t && back?.[n]) both++;
    }
    if (a * voxelMl >= 1) expect((2 * both) / (a + b), `DSC channel ${channel}`).toBeGreaterThanOrEqual(0.97);
  }
});

test('real series HNSCC-01-0002: the clinical RTSTRUCT imported as outlines with organ names mapped', async ({
  page,
}, testInfo) => {
  test.skip(!existsSync(HNSCC2), `${HNSCC2} is absent`);
  const study = path.join(HNSCC2, readdirSync(HNSCC2)[0]);
  const dirs = readdirSync(study).map((d) => path.join(study, d));
  const rsDir = dirs.find((d) => readdirSync(d).length === 1)!;
  const ctDir = dirs.find((d) => d !== rsDir)!;

  await page.goto('/');
  await openFolder(page, ctDir);
  await waitForViewer(page);
  await page.getByTestId('import-rtstruct-input').setInputFiles(path.join(rsDir, readdirSync(rsDir)[0]));
  await expect(page.getByTestId('imported-set')).toBeVisible();
  // clinical spellings mapped to TG-263 organs
  await expect(page.getByTestId('imported-Spinal cord')).toContainText('= SpinalCord');
  await expect(page.getByTestId('imported-Right parotid')).toContainText('= Parotid_R');
  await expect(page.getByTestId('imported-Left parotid')).toContainText('= Parotid_L');
  // jump to the cord: its outline (in the cord's organ colour) shows in every plane
  await page.getByTestId('imported-Spinal cord').locator('.oar-name').click();
  await page.waitForTimeout(1000);
  for (const plane of ['axial', 'sagittal', 'coronal']) {
    expect(
      countColour(await shoot(page.getByTestId(`viewport-${plane}`)), organ('SpinalCord').color, 40),
      `${plane}: cord outline pixels`,
    ).toBeGreaterThan(3);
  }
  await page.screenshot({ path: testInfo.outputPath('overlay-hnscc-import.png') });
  await page.getByTestId('imported-Spinal cord').locator('input[type=checkbox]').click();
  await page.waitForTimeout(800);
  expect(
    countColour(await shoot(page.getByTestId('viewport-sagittal')), organ('SpinalCord').color, 40),
    'cord hidden',
  ).toBeLessThanOrEqual(2);
});
