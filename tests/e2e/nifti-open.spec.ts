/**
 * The app opens a NIfTI CT (issue 16): orientation from the affine, the same CtVolume the CLI builds, Segment and
 * export run on it. The generated volume is stored RAS (i towards the patient's right, j towards anterior, as most
 * NIfTI tools write it): the opposite of DICOM's usual row/column directions, so a viewer that ignored the affine
 * would draw the left-anterior-superior marker on the wrong side.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { waitForViewer } from './helpers/app';
import { brightCentroid, shoot } from './helpers/pixels';
import { serveTinyModel } from './helpers/tinyModel';
import { writeNifti } from '../../src/nifti/nifti';

const NX = 48,
  NY = 48,
  NZ = 24;

/** Air, a soft-tissue cylinder, and a bone-bright cube at patient left-anterior-superior. */
function rasPhantom(): Buffer {
  const hu = new Int16Array(NX * NY * NZ).fill(-1000);
  for (let k = 0; k < NZ; k++)
    for (let j = 0; j < NY; j++)
      for (let i = 0; i < NX; i++) {
        const inBody = (i - NX / 2) ** 2 + (j - NY / 2) ** 2 < (NX * 0.42) ** 2;
        // RAS: small i = patient left, large j = anterior, large k = superior
        const marker = i >= 8 && i < 16 && j >= 32 && j < 40 && k >= NZ - 6;
        hu[i + j * NX + k * NX * NY] = marker ? 1500 : inBody ? 40 : -1000;
      }
  const affine = [
    [4, 0, 0, -96],
    [0, 4, 0, -96],
    [0, 0, 5, -60],
    [0, 0, 0, 1],
  ] as [number[], number[], number[], number[]];
  return Buffer.from(writeNifti({ dims: [NX, NY, NZ], affine, data: hu }));
}

const labels = (page: import('@playwright/test').Page, plane: string) =>
  Promise.all(['top', 'bottom', 'left', 'right'].map(async (edge) => page.getByTestId(`orient-${plane}-${edge}`).textContent()));

async function expectStandardLabels(page: import('@playwright/test').Page) {
  // radiological convention: patient left on the screen right, anterior up; head up in sagittal and coronal
  expect(await labels(page, 'axial')).toEqual(['A', 'P', 'R', 'L']);
  expect(await labels(page, 'sagittal')).toEqual(['S', 'I', 'A', 'P']);
  expect(await labels(page, 'coronal')).toEqual(['S', 'I', 'R', 'L']);
}

test('a RAS-stored NIfTI CT opens with its orientation from the affine; Segment labels it; export says the UIDs are generated', async ({
  page,
}, testInfo) => {
  test.setTimeout(400_000);
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'phantom_ct.nii.gz', mimeType: 'application/gzip', buffer: rasPhantom() });
  await waitForViewer(page);
  await expect(page.getByTestId('header-series')).toContainText(`NIfTI phantom_ct · ${NX}×${NY}×${NZ}`);
  await expect(page.getByTestId('notice-nifti-opened')).toContainText('orientation from its affine');
  await expect(page.getByTestId('slice-index-axial')).toHaveText(new RegExp(`/ ${NZ}$`));
  await expectStandardLabels(page);

  // the marker is at patient left-anterior-superior: on the top axial slice it is drawn right and up
  await page.getByTestId('preset-bone').click();
  const box = (await page.getByTestId('viewport-axial').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 3; i++) await page.keyboard.press('PageUp');
  await expect(page.getByTestId('slice-index-axial')).toHaveText(new RegExp(`^Im (${NZ}|${NZ - 1}|${NZ - 2}) /`));
  await expect
    .poll(async () => brightCentroid(await shoot(page.getByTestId('viewport-axial')), 200).count, { timeout: 30_000 })
    .toBeGreaterThan(20);
  const c = brightCentroid(await shoot(page.getByTestId('viewport-axial')), 200);
  await testInfo.attach('nifti-axial', { body: await page.screenshot(), contentType: 'image/png' });
  expect(c.x, 'marker on the patient-left (screen right) side').toBeGreaterThan(0.55);
  expect(c.y, 'marker anterior (screen top)').toBeLessThan(0.45);
  const cor = brightCentroid(await shoot(page.getByTestId('viewport-coronal')), 200);
  if (cor.count > 0) expect(cor.y, 'marker superior in the coronal view').toBeLessThan(0.5);

  // Segment (tiny random model on wasm): the run completes over every slice and organs appear in the panel
  await expect(page.getByTestId('segment-panel')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByTestId('segment-button').click();
  const summary = page.getByTestId('segment-summary');
  await expect(summary).toHaveAttribute('data-completed', 'true', { timeout: 300_000 });
  await expect(summary).toContainText(`${NZ} of ${NZ} slices`);
  await expect(page.locator('[data-testid^="organ-"][data-present="true"]').first()).toBeVisible({ timeout: 60_000 });

  // export writes a file and says that its UIDs are generated (a NIfTI has none)
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByTestId('export-all').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^RS_.*\.dcm$/);
  await expect(page.getByTestId('notice-rtstruct-export')).toContainText('empty', { timeout: 60_000 });
});

test('the TotalSegmentator example NIfTI opens in the three viewports with standard orientation labels', async ({ page }) => {
  const file = path.resolve('../shared/data/real/totalseg-example/example_ct.nii.gz');
  test.skip(!existsSync(file), `${file} is absent`);
  test.setTimeout(240_000);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(file);
  await waitForViewer(page);
  await expect(page.getByTestId('header-series')).toContainText('NIfTI example_ct · 122×101×112');
  await expect(page.getByTestId('slice-index-axial')).toHaveText(/\/ 112$/);
  await expectStandardLabels(page);
  // a bad file next: a clear message, and the open CT stays
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'broken.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from('not gzip at all') });
  await expect(page.getByTestId('notice-load-failed')).toContainText('broken.nii.gz', { timeout: 60_000 });
  await expect(page.getByTestId('header-series')).toContainText('example_ct');
});

test('NIfTI beside other files: the CT is chosen over a label map; DICOM series in the same files win', async ({ page }) => {
  test.setTimeout(240_000);
  const labelMap = Buffer.from(
    writeNifti({
      dims: [NX, NY, NZ],
      affine: [
        [4, 0, 0, -96],
        [0, 4, 0, -96],
        [0, 0, 5, -60],
        [0, 0, 0, 1],
      ],
      data: new Uint8Array(NX * NY * NZ),
    }),
  );
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'segmentation.nii.gz', mimeType: 'application/gzip', buffer: labelMap },
    { name: 'phantom_ct.nii.gz', mimeType: 'application/gzip', buffer: rasPhantom() },
  ]);
  await waitForViewer(page);
  await expect(page.getByTestId('header-series')).toContainText('NIfTI phantom_ct');
  await expect(page.getByTestId('notice-nifti-others')).toContainText('1 other file not opened');

  const dir = path.resolve('../shared/data/real/hnscc-rtai/HNSCC/HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/2.000000-57922');
  test.skip(!existsSync(dir), `${dir} is absent`);
  const dicom = readdirSync(dir)
    .sort()
    .slice(0, 8)
    .map((n) => ({ name: n, mimeType: 'application/dicom', buffer: readFileSync(path.join(dir, n)) }));
  // a fresh page: replacing an open CT by another throws in the viewer today (any CT, DICOM too; not this test's subject)
  await page.goto('/');
  await page
    .getByTestId('file-input')
    .setInputFiles([...dicom, { name: 'phantom_ct.nii.gz', mimeType: 'application/gzip', buffer: rasPhantom() }]);
  await expect(page.getByTestId('header-series')).toContainText('64×64×8', { timeout: 120_000 });
  await expect(page.getByTestId('header-series')).not.toContainText('NIfTI');
});
