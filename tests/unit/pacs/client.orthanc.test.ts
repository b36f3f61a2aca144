/**
 * The DICOMweb client against a real Orthanc (tests/pacs/orthanc.ts): search, retrieve, store, and the
 * four user errors (wrong URL, wrong password, no DICOMweb, study without CT). Skipped, saying why, when
 * Debian orthanc / orthanc-dicomweb are not installed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSeries } from '../../e2e/helpers/synthetic';
import { freePort, orthancMissing, startOrthanc, type Orthanc } from '../../pacs/orthanc';
import { DicomWebClient } from '../../../src/pacs/client';
import { PacsError } from '../../../src/pacs/errors';
import { pacsSeriesSources } from '../../../src/pacs/sources';
import { scanDicomSources } from '../../../src/dicom/series';

const missing = orthancMissing();
const HNSCC = '../shared/data/real/hnscc-rtai/HNSCC/HNSCC-01-0002/11-20-2001-RT SIMULATION-57976';
const J2K = '../shared/data/real/totalseg-example/example_ct_dicom';
/**
 * The CT study: the real HNSCC one (CT + its clinical RTSTRUCT) with ../shared/data, else a generated CT
 * series written to files first, so a clone without the data runs the same searches and the byte-for-byte
 * retrieval.
 */
const REAL = existsSync(HNSCC);
const CT_PATIENT = REAL ? 'HNSCC-01-0002' : 'SYN-01-0002';
const CT_MODALITIES = REAL ? ['CT', 'RTSTRUCT'] : ['CT'];

async function kind(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PacsError) return `${e.kind}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe.skipIf(!!missing)(`DICOMweb client against Orthanc${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pacs: Orthanc;
  let client: DicomWebClient;
  let ctDir: string;
  let ctFiles: string[];
  let tmp: string | null = null;

  beforeAll(async () => {
    pacs = await startOrthanc();
    client = new DicomWebClient({ url: pacs.dicomWeb, auth: { kind: 'basic', user: pacs.user, password: pacs.password } });
    if (REAL) {
      ctDir = join(HNSCC, '2.000000-57922');
      await pacs.uploadFolder(HNSCC);
    } else {
      tmp = mkdtempSync(join(tmpdir(), 'aa-pacs-ct-'));
      ctDir = tmp;
      syntheticSeries({
        cols: 32,
        rows: 32,
        slices: 12,
        seriesUID: '1.2.826.0.1.3680043.10.76.1',
        studyUID: '1.2.826.0.1.3680043.10.76',
        patientName: 'Synthetic^Ct',
        patientID: CT_PATIENT,
        studyDate: '20011120',
        description: 'Generated CT (no ../shared/data)',
      }).forEach((f, i) => writeFileSync(join(tmp!, `CT${String(i).padStart(3, '0')}.dcm`), new Uint8Array(f.buffer)));
      await pacs.uploadFolder(tmp);
    }
    ctFiles = readdirSync(ctDir).sort();
    for (const f of syntheticSeries({
      cols: 16,
      rows: 16,
      slices: 2,
      modality: 'MR',
      description: 'Not a CT',
      seriesUID: '1.2.826.0.1.3680043.10.77.2',
      studyUID: '1.2.826.0.1.3680043.10.77',
      patientName: 'Mri^Only',
      patientID: 'MR-ONLY',
      studyDate: '20240102',
    })) {
      await pacs.upload(f.buffer);
    }
  });
  afterAll(async () => {
    await pacs?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('searches studies by patient and date', async () => {
    const all = await client.searchStudies();
    expect(all.map((s) => s.patientID).sort()).toEqual([CT_PATIENT, 'MR-ONLY']);
    const byName = await client.searchStudies({ patient: 'mri' });
    expect(byName.map((s) => s.patientID)).toEqual(['MR-ONLY']);
    const byId = await client.searchStudies({ patient: '01-0002' });
    expect(byId.map((s) => s.patientID)).toEqual([CT_PATIENT]);
    expect(byId[0].modalities.sort()).toEqual(CT_MODALITIES);
    expect((await client.searchStudies({ dateFrom: '2024-01-01', dateTo: '2024-12-31' })).map((s) => s.patientID)).toEqual([
      'MR-ONLY',
    ]);
    expect(await client.searchStudies({ dateFrom: '2030-01-01' })).toEqual([]);
  });

  it('lists the CT series and retrieves it byte for byte into the local-file path', async () => {
    const [study] = await client.searchStudies({ patient: CT_PATIENT });
    const ct = await client.ctSeries(study.studyUID);
    expect(ct).toHaveLength(1);
    expect(ct[0].instanceCount).toBe(ctFiles.length);
    const seen: number[] = [];
    const sources = await pacsSeriesSources(client, study.studyUID, ct[0].seriesUID, (d) => seen.push(d));
    expect(sources).toHaveLength(ctFiles.length);
    expect(seen[seen.length - 1]).toBe(ctFiles.length);
    // Same bytes as the files uploaded (Orthanc keeps the transfer syntax with transfer-syntax=*).
    const originals = new Set(ctFiles.map((f) => Buffer.from(readFileSync(join(ctDir, f))).toString('base64')));
    for (const s of sources) expect(originals.has(Buffer.from(await s.read()).toString('base64'))).toBe(true);
    const scan = await scanDicomSources(sources);
    expect(scan.series).toHaveLength(1);
    expect(scan.series[0].sliceCount).toBe(ctFiles.length);
  });

  it.skipIf(!existsSync(J2K))(
    `retrieves a JPEG 2000 series as stored (no transcoding)${existsSync(J2K) ? '' : ' (skipped: needs the TotalSegmentator example in ../shared/data)'}`,
    async () => {
      // TotalSegmentator's example series has empty UIDs, which Orthanc refuses: fill them (dcmodify,
      // header only; the JPEG 2000 pixel data stays as it is) in a temporary copy.
      const tmp = mkdtempSync(join(tmpdir(), 'aa-j2k-'));
      try {
        const files = readdirSync(J2K)
          .sort()
          .slice(0, 3)
          .map((f) => {
            const p = join(tmp, f);
            copyFileSync(join(J2K, f), p);
            chmodSync(p, 0o644);
            const r = spawnSync(
              'dcmodify',
              [
                '-nb',
                '-i',
                '(0008,0016)=1.2.840.10008.5.1.4.1.1.2',
                '-i',
                `(0008,0018)=${f.replace(/^CT\./, '')}`,
                '-i',
                '(0020,000d)=1.2.826.0.1.3680043.10.97',
                '-i',
                '(0020,000e)=1.2.826.0.1.3680043.10.97.1',
                '-i',
                '(0010,0020)=J2K-1',
                p,
              ],
              { encoding: 'utf8' },
            );
            expect(r.status, r.stderr).toBe(0);
            return p;
          });
        for (const f of files) await pacs.upload(readFileSync(f));
        const [study] = await client.searchStudies({ patient: 'J2K-1' });
        const [series] = await client.ctSeries(study.studyUID);
        expect(series.seriesUID).toBe('1.2.826.0.1.3680043.10.97.1');
        const got = await client.retrieveSeries(study.studyUID, series.seriesUID);
        expect(got).toHaveLength(files.length);
        const originals = new Set(files.map((f) => readFileSync(f).toString('base64')));
        for (const g of got) {
          expect(originals.has(Buffer.from(g.bytes).toString('base64'))).toBe(true);
          expect(Buffer.from(g.bytes.subarray(0, 400)).toString('latin1')).toContain('1.2.840.10008.1.2.4.90');
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );

  it('stores an instance with STOW-RS into its study', async () => {
    const [file] = syntheticSeries({
      cols: 8,
      rows: 8,
      slices: 1,
      modality: 'OT',
      seriesUID: '1.2.826.0.1.3680043.10.77.3',
      studyUID: '1.2.826.0.1.3680043.10.77',
      patientName: 'Mri^Only',
      patientID: 'MR-ONLY',
    });
    const r = await client.store('1.2.826.0.1.3680043.10.77', [new Uint8Array(file.buffer)]);
    expect(r.stored).toEqual(['1.2.826.0.1.3680043.10.77.3.1']);
    const series = await client.searchSeries('1.2.826.0.1.3680043.10.77');
    expect(series.map((s) => s.modality).sort()).toEqual(['MR', 'OT']);
  });

  it('says clearly when the study has no CT', async () => {
    expect(await kind(client.ctSeries('1.2.826.0.1.3680043.10.77'))).toMatch(/^no-ct: This study has no CT series \(it holds MR/);
  });

  it('says clearly when the password is wrong', async () => {
    const bad = new DicomWebClient({ url: pacs.dicomWeb, auth: { kind: 'basic', user: pacs.user, password: 'wrong' } });
    expect(await kind(bad.searchStudies())).toMatch(/^auth: The PACS refused the credentials \(HTTP 401\)/);
    const none = new DicomWebClient({ url: pacs.dicomWeb, auth: { kind: 'none' } });
    expect(await kind(none.searchStudies())).toMatch(/^auth: .*without credentials \(HTTP 401\)/);
  });

  it('says clearly when the URL is wrong', async () => {
    const port = await freePort();
    expect(
      await kind(new DicomWebClient({ url: `http://127.0.0.1:${port}/dicom-web`, auth: { kind: 'none' } }).searchStudies()),
    ).toMatch(/^unreachable: Could not reach the PACS at http:\/\/127\.0\.0\.1:\d+\/dicom-web/);
    expect(await kind(Promise.resolve().then(() => new DicomWebClient({ url: 'pacs.example', auth: { kind: 'none' } })))).toMatch(
      /^unreachable: "pacs.example" is not a URL/,
    );
    // Orthanc itself, but not its DICOMweb root.
    const auth = { kind: 'basic' as const, user: pacs.user, password: pacs.password };
    expect(await kind(new DicomWebClient({ url: `${pacs.url}/wrong-root`, auth }).searchStudies())).toMatch(
      /^no-dicomweb: No DICOMweb service at/,
    );
    // Orthanc's server root: its REST API has /studies too, but answers with Orthanc ids.
    expect(await kind(new DicomWebClient({ url: pacs.url, auth }).searchStudies())).toMatch(
      /^no-dicomweb: http:\/\/127\.0\.0\.1:\d+ refused a standard DICOMweb search \(HTTP 400\): this is not a DICOMweb root/,
    );
  });
});

describe.skipIf(!!missing)(`a server without DICOMweb${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('is named as such', async () => {
    const plain = await startOrthanc({ dicomWeb: false });
    try {
      const c = new DicomWebClient({ url: plain.dicomWeb, auth: { kind: 'basic', user: plain.user, password: plain.password } });
      expect(await kind(c.searchStudies())).toMatch(
        /^no-dicomweb: No DICOMweb service at http:\/\/127\.0\.0\.1:\d+\/dicom-web \(HTTP 404/,
      );
    } finally {
      await plain.stop();
    }
  });
});
