/**
 * Every real series under ../shared/data/real opens through the folder picker (paths with spaces),
 * with the right size and the right geometry verdict. Skipped with a reason when the data is absent.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures';
import { openFolder, PLANES, waitForViewer } from './helpers/app';
import { shoot, stats } from './helpers/pixels';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REAL = resolve(REPO, '../shared/data/real');
const HNSCC = `${REAL}/hnscc-rtai/HNSCC`;

interface Case {
  name: string;
  dir: string;
  matrix: string;
  /** Segmentation allowed? */
  allowed: boolean;
  /** Notice ids that must be shown. */
  notices?: string[];
}

const CASES: Case[] = [
  {
    name: 'totalseg-example (JPEG 2000, empty UIDs)',
    dir: `${REAL}/totalseg-example/example_ct_dicom`,
    matrix: '512 × 512 × 20',
    allowed: true,
  },
  {
    name: 'hnscc HNSCC-01-0001 (non-uniform spacing)',
    dir: `${HNSCC}/HNSCC-01-0001`,
    matrix: '64 × 64 × 117',
    allowed: true,
    notices: ['geometry-non-uniform-spacing'],
  },
  { name: 'hnscc HNSCC-01-0002', dir: `${HNSCC}/HNSCC-01-0002`, matrix: '64 × 64 × 123', allowed: true },
  { name: 'hnscc HNSCC-01-0003', dir: `${HNSCC}/HNSCC-01-0003`, matrix: '64 × 64 × 156', allowed: true },
  {
    name: 'hnscc HNSCC-01-0007 (non-uniform spacing)',
    dir: `${HNSCC}/HNSCC-01-0007`,
    matrix: '64 × 64 × 132',
    allowed: true,
    notices: ['geometry-non-uniform-spacing'],
  },
  { name: 'hnscc HNSCC-01-0014', dir: `${HNSCC}/HNSCC-01-0014`, matrix: '64 × 64 × 163', allowed: true },
  {
    name: 'dcmqi ct-3slice (3 slices: blocked)',
    dir: `${REAL}/dcmqi-ct3slice/ct-3slice`,
    matrix: '512 × 512 × 3',
    allowed: false,
    notices: ['geometry-too-few-slices'],
  },
  {
    name: 'dicompyler-breast ct.0.dcm (1 slice: blocked)',
    dir: `${REAL}/dicompyler-breast`,
    matrix: '512 × 512 × 1',
    allowed: false,
    notices: ['geometry-too-few-slices'],
  },
];

test.describe('real series', () => {
  test.skip(!existsSync(REAL), `../shared/data/real is absent (looked in ${REAL})`);

  for (const c of CASES) {
    test(c.name, async ({ page }) => {
      await page.goto('/');
      await openFolder(page, c.dir);
      await waitForViewer(page);
      await expect(page.getByTestId('series-facts')).toContainText(c.matrix);
      await expect(page.getByTestId('segmentation-status')).toHaveAttribute('data-allowed', String(c.allowed));
      for (const id of c.notices ?? []) await expect(page.getByTestId(`notice-${id}`)).toHaveCount(1);
      // The axial view always has content; a single slice has no sagittal/coronal extent to speak of.
      const planes = c.matrix.endsWith('× 1') ? ['axial'] : PLANES;
      for (const plane of planes) {
        const s = stats(await shoot(page.getByTestId(`viewport-${plane}`)));
        expect(s.nonBlank, `${plane}: share of non-black pixels`).toBeGreaterThan(0.02);
      }
    });
  }

  test('a folder with two CT series offers a choice', async ({ page }) => {
    // Two patients' CT folders side by side: the picker gets both.
    await page.goto('/');
    await page
      .getByTestId('file-input')
      .setInputFiles([
        `${HNSCC}/HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/2.000000-57922/1-001.dcm`,
        `${HNSCC}/HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/2.000000-57922/1-002.dcm`,
        ...['1-001', '1-002', '1-003', '1-004', '1-005', '1-006'].map(
          (f) => `${HNSCC}/HNSCC-01-0001/12-05-1998-RT SIMULATION-43582/28768/${f}.dcm`,
        ),
      ]);
    const rows = page.getByTestId('series-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('6');
    await rows.first().click();
    await waitForViewer(page);
    await expect(page.getByTestId('series-facts')).toContainText('64 × 64 × 6');
  });
});
