/**
 * Review panel in Chromium (skipped when ../shared/data is absent):
 *  - HNSCC-01-0001: organs = the clinical contours shifted by one column (a label map), the clinical RTSTRUCT
 *    imported as reference: the comparison table pairs "Cord", "Rt Parotid", ... with the organs and shows the
 *    DSC a plain loop computes here; un-pairing the cord drops its row; Export CSV; Export SEG keeps every
 *    voxel and passes dciodvfy; importing that SEG compares the organs with themselves (DSC 1); a SEG of
 *    another series is refused with the reason.
 *  - dcmqi ct-3slice: dcmqi's liver.dcm imported as outlines named Liver.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { openFolder, waitForViewer } from './helpers/app';
import { DCIODVFY, dciodvfy } from '../unit/rtstruct/tools';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REAL = path.resolve(REPO, '../shared/data/real');
const CT3 = path.join(REAL, 'dcmqi-ct3slice');
const HN1 = path.join(REAL, 'hnscc-rtai/HNSCC/HNSCC-01-0001');

/** tests/e2e/helpers/reviewData.ts in tsx (it imports the src modules Playwright's loader cannot). */
function reviewData(args: string[]): string {
  const r = spawnSync(path.join(REPO, 'node_modules/.bin/tsx'), ['tests/e2e/helpers/reviewData.ts', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`reviewData ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

test('HNSCC-01-0001: comparison table, pairing fix, CSV, SEG export/import round trip', async ({ page }, testInfo) => {
  test.skip(!existsSync(HN1), 'hnscc-rtai is absent');
  test.setTimeout(240_000);
  const study = path.join(HN1, readdirSync(HN1)[0]);
  const dirs = readdirSync(study).map((d) => path.join(study, d));
  const rsDir = dirs.find((d) => readdirSync(d).length === 1)!;
  const ctDir = dirs.find((d) => d !== rsDir)!;
  const rtstruct = path.join(rsDir, readdirSync(rsDir)[0]);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'review-e2e-'));
  reviewData(['prepare', ctDir, rtstruct, tmp]);
  const dsc = new Map(
    Object.entries((JSON.parse(readFileSync(path.join(tmp, 'expected.json'), 'utf8')) as { dsc: Record<string, number> }).dsc),
  );
  expect([...dsc.keys()].sort()).toEqual(['Brainstem', 'Parotid_L', 'Parotid_R', 'SpinalCord']);

  await page.goto('/');
  await openFolder(page, ctDir);
  await waitForViewer(page);
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: 'labels.nii.gz', mimeType: 'application/gzip', buffer: readFileSync(path.join(tmp, 'labels.nii.gz')) },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]); // values are organ channels
  await expect(page.getByTestId('organ-SpinalCord')).toHaveAttribute('data-present', 'true');
  await page.getByTestId('import-rtstruct-input').setInputFiles(rtstruct);
  await expect(page.getByTestId('compare-table')).toBeVisible();
  for (const [organ, d] of dsc) await expect(page.getByTestId(`dsc-${organ}`)).toHaveText(d.toFixed(3));
  await expect(page.getByTestId('compare-row-SpinalCord')).toContainText('Cord');
  await expect(page.getByTestId('compare-row-Parotid_R')).toContainText('Rt Parotid');
  await page.getByTestId('pairing').locator('summary').click();
  await page.screenshot({ path: testInfo.outputPath('review-compare.png') });

  // the user un-pairs the cord: no row, a note says why
  await page.getByTestId('pair-Cord').selectOption('');
  await expect(page.getByTestId('compare-row-SpinalCord')).toHaveCount(0);
  await expect(page.getByTestId('compare-notes')).toContainText('Cord: paired with no organ, not compared.');

  const [csvDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const csv = readFileSync(await csvDl.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe('organ,reference_roi,dsc,hd95_mm,msd_mm,auto_ml,reference_ml,difference_ml');
  expect(
    csv
      .slice(1)
      .map((l) => l.split(',')[0])
      .sort(),
  ).toEqual(['Brainstem', 'Parotid_L', 'Parotid_R']);

  // Export SEG: every voxel of the label map, dciodvfy clean
  const [segDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-seg').click()]);
  expect(segDl.suggestedFilename()).toMatch(/^SEG_.*\.dcm$/);
  const segFile = testInfo.outputPath(segDl.suggestedFilename());
  await segDl.saveAs(segFile);
  const check = JSON.parse(reviewData(['check-seg', ctDir, segFile, path.join(tmp, 'labels.nii.gz')])) as {
    differing: number;
    voxels: number;
  };
  expect(check.voxels).toBeGreaterThan(100);
  expect(check.differing).toBe(0);
  if (existsSync(DCIODVFY)) expect(dciodvfy(segFile).errors).toEqual([]);

  // Import that SEG as the reference: the organs against themselves
  await page.getByTestId('import-seg-input').setInputFiles(segFile);
  await expect(page.getByTestId('compare')).toContainText(`SEG ${segDl.suggestedFilename()}`);
  for (const organ of dsc.keys()) await expect(page.getByTestId(`dsc-${organ}`)).toHaveText('1.000');
  await expect(page.getByTestId('imported-set')).toBeVisible();

  // A SEG of another series: refused, with the reason
  test.skip(!existsSync(path.join(CT3, 'liver.dcm')), 'dcmqi-ct3slice is absent');
  await page.getByTestId('import-seg-input').setInputFiles(path.join(CT3, 'liver.dcm'));
  await expect(page.getByTestId('review-status')).toContainText('liver.dcm could not be imported: the SEG references series');
});

test("dcmqi ct-3slice: dcmqi's liver.dcm imported as outlines named Liver and compared with a shifted liver", async ({
  page,
}, testInfo) => {
  test.skip(!existsSync(path.join(CT3, 'liver.dcm')), 'dcmqi-ct3slice is absent');
  test.setTimeout(180_000);
  await page.goto('/');
  await openFolder(page, path.join(CT3, 'ct-3slice'));
  await waitForViewer(page);
  await page.getByTestId('import-seg-input').setInputFiles(path.join(CT3, 'liver.dcm'));
  await expect(page.getByTestId('imported-Liver')).toBeVisible();
  await expect(page.getByTestId('review-status')).toContainText('Imported liver.dcm: 1 segment(s).');
  await expect(page.getByTestId('compare-empty')).toContainText('No organs yet');
  // organs: dcmqi's liver shifted by 4 columns (3 mm) -> one comparison row, DSC below 1
  const nii = path.join(mkdtempSync(path.join(os.tmpdir(), 'review-e2e-')), 'liver-shifted.nii.gz');
  reviewData(['seg-shifted', path.join(CT3, 'ct-3slice'), path.join(CT3, 'liver.dcm'), nii]);
  await page.getByTestId('load-labelmap-input').setInputFiles([
    { name: path.basename(nii), mimeType: 'application/gzip', buffer: readFileSync(nii) },
    { name: 'legend.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ valuesAreChannels: true })) },
  ]); // values are organ channels
  await expect(page.getByTestId('compare-row-Liver')).toContainText('Liver');
  const d = Number(await page.getByTestId('dsc-Liver').textContent());
  expect(d).toBeGreaterThan(0.8);
  expect(d).toBeLessThan(1);
  await page.getByTestId('mode-outline').click();
  await page.getByTestId('panel-review').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('review-seg.jpg'), type: 'jpeg', quality: 85 });
});
