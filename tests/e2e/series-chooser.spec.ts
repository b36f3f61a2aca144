/**
 * Series chooser with patient and study (issue 16): two HNSCC patients, each a CT and its clinical RTSTRUCT, opened
 * together. The chooser shows each series' patient name and ID, study date and description; the RTSTRUCTs are
 * listed apart, not as series to open. After the CT loads, the app offers to import the structure set that
 * references it (and only that one), and Import puts it in the organ panel.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';

const HNSCC = path.resolve('../shared/data/real/hnscc-rtai/HNSCC');
const PATIENTS = ['HNSCC-01-0002', 'HNSCC-01-0003'];

function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesOf(p) : [p];
  });
}

test("chooser: patient, study, RTSTRUCTs listed apart; the chosen CT's RTSTRUCT is offered and imports", async ({ page }) => {
  test.skip(!PATIENTS.every((p) => existsSync(path.join(HNSCC, p))), `${HNSCC} (${PATIENTS.join(', ')}) is absent`);
  test.setTimeout(300_000);
  const files = PATIENTS.flatMap((p) => filesOf(path.join(HNSCC, p)));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(files);
  const chooser = page.getByTestId('series-chooser');
  await expect(chooser).toBeVisible({ timeout: 180_000 });
  // two CT series, one per patient; no RTSTRUCT row among the series to open
  const rows = chooser.getByTestId('series-row');
  await expect(rows).toHaveCount(2);
  for (const p of PATIENTS) await expect(rows.filter({ hasText: p })).toHaveCount(1);
  for (let i = 0; i < 2; i++) {
    const row = rows.nth(i);
    await expect(row.getByTestId('patient-name')).not.toHaveText('');
    await expect(row.getByTestId('study-date')).toHaveText(/^\d{4}-\d{2}-\d{2}$/);
    await expect(row.getByTestId('study-description')).not.toHaveText('');
    await expect(row).not.toContainText('RTSTRUCT');
  }
  // both structure sets listed apart, with their patient
  const objects = chooser.getByTestId('object-row');
  await expect(objects).toHaveCount(2);
  for (const p of PATIENTS) await expect(objects.filter({ hasText: p })).toHaveAttribute('data-modality', 'RTSTRUCT');
  await expect(chooser.getByTestId('chooser-objects')).toContainText('offers to import');

  // open patient 0002's CT: exactly its structure set is offered (0003's references another series)
  await rows.filter({ hasText: 'HNSCC-01-0002' }).click();
  await waitForViewer(page);
  const offers = page.getByTestId('structure-offers');
  await expect(offers).toBeVisible({ timeout: 120_000 });
  await expect(offers.getByTestId('structure-offer')).toHaveCount(1);
  await expect(offers.getByTestId('structure-offer')).toHaveAttribute('data-match', 'series');
  await expect(offers.getByTestId('structure-offers-others')).toContainText('1 for another series');
  await offers.getByTestId('structure-offer-import').click();
  await expect(page.getByTestId('imported-set')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('imported-Spinal cord')).toContainText('= SpinalCord');
  await expect(offers.getByTestId('structure-offer-import')).toHaveText('Imported');
});
