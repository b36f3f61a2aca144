/**
 * The app with a real PACS (Orthanc, tests/pacs/orthanc.ts) behind a CORS reverse proxy on another origin,
 * as a clinic would run it: log in, search, open a CT series over WADO-RS, Segment (tiny random model on
 * wasm), Send with STOW-RS, and read the stored RTSTRUCT back from Orthanc (dciodvfy, plastimatch). Errors: wrong URL,
 * wrong password, no DICOMweb there, a study without CT, a failed store (file kept for download).
 * The request log (./fixtures) allows exactly the configured DICOMweb origins besides the page's own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test as base } from './fixtures';
import { waitForViewer } from './helpers/app';
import { syntheticSeries } from './helpers/synthetic';
import { instanceFile, rtstructsBySeries, seriesFiles, tinyModel, uploadRealOrPhantom, uploadSynthetic } from '../pacs/fixtures';
import { startCorsProxy, type CorsProxy } from '../pacs/corsProxy';
import { freePort, orthancMissing, startOrthanc, type Orthanc } from '../pacs/orthanc';

const missing = orthancMissing();

interface Pacs {
  orthanc: Orthanc;
  proxy: CorsProxy;
  dicomWeb: string;
  deadUrl: string;
  phantom1: string;
}

const test = base.extend<object, { pacs: Pacs }>({
  pacs: [
    async ({}, use, workerInfo) => {
      const orthanc = await startOrthanc();
      const appOrigin = new URL(String(workerInfo.project.use.baseURL)).origin;
      const proxy = await startCorsProxy(orthanc.url, appOrigin);
      await uploadRealOrPhantom(orthanc, 7); // the real HNSCC CT, or a phantom without ../shared/data
      const phantom1 = await uploadSynthetic(orthanc, 1);
      await uploadSynthetic(orthanc, 2);
      for (const f of syntheticSeries({
        cols: 16,
        rows: 16,
        slices: 2,
        modality: 'MR',
        description: 'Brain MR',
        seriesUID: '1.2.826.0.1.3680043.10.98.1.1',
        studyUID: '1.2.826.0.1.3680043.10.98.1',
        patientName: 'Mri^Only',
        patientID: 'MR-ONLY',
        studyDate: '20240102',
      })) {
        await orthanc.upload(f.buffer);
      }
      const deadUrl = `http://127.0.0.1:${await freePort()}/dicom-web`;
      await use({ orthanc, proxy, dicomWeb: `${proxy.url}/dicom-web`, deadUrl, phantom1 });
      await proxy.close();
      await orthanc.stop();
    },
    { scope: 'worker' },
  ],
  // The configured DICOMweb origins (the proxy, and the wrong address typed in the error test).
  allowedOrigins: async ({ pacs }, use) => use([pacs.proxy.origin, new URL(pacs.deadUrl).origin]),
});

test.skip(!!missing, missing ?? '');
test.describe.configure({ mode: 'serial' });

async function serveTinyModel(page: Page) {
  await page.route('**/models/index.json', (route) =>
    route.fulfill({
      json: { models: [{ id: 'tiny-random', name: 'Tiny random (test)', path: 'models/tiny-random/', default: true }] },
    }),
  );
  await page.route('**/models/tiny-random/*', (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    return route.fulfill({
      body: readFileSync(join(tinyModel, name)),
      contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    });
  });
}

async function login(page: Page, url: string, password: string, user = 'pacs') {
  await page.getByTestId('pacs-url').fill(url);
  await page.getByTestId('pacs-auth').selectOption('basic');
  await page.getByTestId('pacs-user').fill(user);
  await page.getByTestId('pacs-password').fill(password);
}

test('log in, search, open a CT series, Segment, Send: the RTSTRUCT is on the PACS and valid', async ({
  page,
  pacs,
  requests,
}) => {
  test.setTimeout(300_000);
  await serveTinyModel(page);
  await page.goto('/?backend=wasm');
  await page.getByTestId('open-pacs').click();
  await login(page, pacs.dicomWeb, pacs.orthanc.password);
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toHaveCount(4);
  if (process.env.PACS_SCREENSHOT) await page.getByTestId('pacs-browser').screenshot({ path: process.env.PACS_SCREENSHOT });
  // Search by patient and by date.
  await page.getByTestId('pacs-patient').fill('number1');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toHaveCount(1);
  await expect(page.getByTestId('pacs-study-row')).toContainText('PH-1');
  await page.getByTestId('pacs-patient').fill('');
  await page.getByTestId('pacs-date-from').fill('2025-01-02');
  await page.getByTestId('pacs-date-to').fill('2025-01-02');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toHaveCount(1);
  await expect(page.getByTestId('pacs-study-row')).toContainText('PH-2');
  await page.getByTestId('pacs-date-from').fill('');
  await page.getByTestId('pacs-date-to').fill('');
  await page.getByTestId('pacs-patient').fill('PH-1');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toHaveCount(1);
  await expect(page.getByTestId('pacs-study-row')).toContainText('PH-1');
  await page.getByTestId('pacs-study-row').click();
  await expect(page.getByTestId('pacs-series-row')).toHaveCount(1);
  await page.getByTestId('pacs-open-series').click();
  await waitForViewer(page);
  await expect(page.getByTestId('series-facts')).toContainText('PH-1');
  await expect(page.getByTestId('header-series')).toContainText('64×64×16');

  await page.getByTestId('segment-button').click();
  await expect(page.getByTestId('segment-summary')).toHaveAttribute('data-completed', 'true', { timeout: 240_000 });

  // A store that fails keeps the file for download.
  await page.route('**/dicom-web/studies/*', (route) =>
    route.request().method() === 'POST' ? route.fulfill({ status: 503, body: 'maintenance' }) : route.fallback(),
  );
  await page.getByTestId('pacs-send').click();
  await expect(page.getByTestId('pacs-send-status')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('pacs-send-status')).toContainText('HTTP 503');
  const download = page.waitForEvent('download');
  await page.getByTestId('pacs-send-download').click();
  expect((await download).suggestedFilename()).toMatch(/^RS_.*\.dcm$/);
  expect(await rtstructsBySeries(pacs.orthanc)).toEqual(new Map());
  await page.unroute('**/dicom-web/studies/*');

  await page.getByTestId('pacs-send').click();
  await expect(page.getByTestId('pacs-send-status')).toHaveAttribute('data-state', 'ok');
  const stored = await rtstructsBySeries(pacs.orthanc);
  expect([...stored.keys()]).toEqual([pacs.phantom1]);
  expect(stored.get(pacs.phantom1)).toHaveLength(1);
  const dir = mkdtempSync(join(tmpdir(), 'aa-pacs-rs-'));
  try {
    const file = join(dir, 'RS.dcm');
    writeFileSync(file, await instanceFile(pacs.orthanc, stored.get(pacs.phantom1)![0]));
    const v = spawnSync('/usr/bin/dciodvfy', [file], { encoding: 'utf8' });
    const out = `${v.stdout}\n${v.stderr}`;
    expect(out).toContain('RTStructureSet');
    expect(
      out.split('\n').filter((l) => /^Error/.test(l)),
      out,
    ).toEqual([]);
    // plastimatch reads the stored structure set against the CT as the PACS holds it: one mask per ROI.
    const ctDir = join(dir, 'ct');
    mkdirSync(ctDir);
    (await seriesFiles(pacs.orthanc, pacs.phantom1)).forEach((b, i) => writeFileSync(join(ctDir, `ct${i}.dcm`), b));
    const masks = join(dir, 'masks');
    const pm = spawnSync(
      '/usr/bin/plastimatch',
      ['convert', '--input', file, '--referenced-ct', ctDir, '--output-prefix', masks, '--prefix-format', 'nrrd'],
      { encoding: 'utf8' },
    );
    expect(pm.status, `${pm.stdout}\n${pm.stderr}`).toBe(0);
    const tags = (await (
      await pacs.orthanc.rest(
        `/instances/${((await pacs.orthanc.rest('/tools/lookup', { method: 'POST', body: stored.get(pacs.phantom1)![0] }).then((r) => r.json())) as { ID: string }[])[0].ID}/tags?simplify`,
      )
    ).json()) as { StructureSetROISequence: unknown[] };
    expect(readdirSync(masks).filter((f) => f.endsWith('.nrrd')).length).toBe(tags.StructureSetROISequence.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The page talked to the PACS (and, by the fixture's check, to nothing else).
  expect(requests.requests.filter((r) => r.url.startsWith(pacs.proxy.origin)).length).toBeGreaterThan(16);
});

test('wrong URL, wrong password, no DICOMweb, a study without CT: a clear message each, the app still usable', async ({
  page,
  pacs,
}) => {
  await page.goto('/');
  await page.getByTestId('open-pacs').click();
  const error = page.getByTestId('pacs-error');

  await login(page, pacs.deadUrl, pacs.orthanc.password);
  await page.getByTestId('pacs-search').click();
  await expect(error).toContainText('Could not reach the PACS at');
  // the page is cross-origin isolated (wasm threads): the message names the CORS header the PACS must send
  await expect(error).toContainText(`Access-Control-Allow-Origin: ${new URL(page.url()).origin}`);

  await login(page, pacs.dicomWeb, 'not-the-password');
  await page.getByTestId('pacs-search').click();
  await expect(error).toContainText('The PACS refused the credentials (HTTP 401)');

  await login(page, `${pacs.proxy.url}/not-dicom-web`, pacs.orthanc.password);
  await page.getByTestId('pacs-search').click();
  await expect(error).toContainText('No DICOMweb service at');

  await login(page, pacs.dicomWeb, pacs.orthanc.password);
  await page.getByTestId('pacs-patient').fill('MR-ONLY');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toContainText('MR-ONLY');
  await expect(error).toHaveCount(0);
  await page.getByTestId('pacs-study-row').click();
  await expect(error).toContainText('This study has no CT series (it holds MR)');

  // Still usable: another study opens, and the URL and user were remembered (not the password).
  await page.getByTestId('pacs-patient').fill('PH-2');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study-row')).toHaveCount(1);
  await expect(page.getByTestId('pacs-study-row')).toContainText('PH-2');
  await page.getByTestId('pacs-study-row').click();
  await page.getByTestId('pacs-open-series').click();
  await waitForViewer(page);
  await expect(page.getByTestId('series-facts')).toContainText('PH-2');
  await page.reload();
  await page.getByTestId('open-pacs').click();
  await expect(page.getByTestId('pacs-url')).toHaveValue(pacs.dicomWeb);
  await expect(page.getByTestId('pacs-user')).toHaveValue('pacs');
  await expect(page.getByTestId('pacs-password')).toHaveValue('');
});
