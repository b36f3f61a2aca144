/**
 * Bad-input corpus (issue 16 "Bad input"): writes broken or unusual inputs into a temp dir at test time, one
 * folder per case, from a synthetic phantom series (the body/lungs/marker of tests/e2e/helpers/synthetic.ts,
 * written by the independent Part 10 writer of tests/unit/dicom/fixtures.ts) and the real series in
 * ../shared/data/real (hnscc-rtai: 64x64 CT + RTSTRUCT). Nothing here is committed data.
 *
 * Each case names the outcome class expected from the app and the CLI; the e2e (tests/e2e/corpus.spec.ts) and
 * the CLI test (tests/e2e/corpus-cli.spec.ts) assert it. `npx tsx tests/corpus/generate.ts DIR` writes the corpus.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { El } from '../unit/dicom/fixtures';
import { ctSeries, phantomHU, type CtSeriesSpec } from '../e2e/helpers/synthetic';
import { writeNifti, type Mat4 } from '../../src/nifti/nifti';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const REAL = resolve(REPO, '../shared/data/real');
const HNSCC = join(REAL, 'hnscc-rtai/HNSCC');
export const HNSCC_CT_A = join(HNSCC, 'HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/2.000000-57922');
export const HNSCC_RS_A = join(HNSCC, 'HNSCC-01-0002/11-20-2001-RT SIMULATION-57976/1.000000-56680');
export const HNSCC_CT_B = join(HNSCC, 'HNSCC-01-0014/12-26-1999-RT SIMULATION-58696/7.000000-11313');

/**
 * opens: the viewer shows the volume, no refusal; warns: it opens and a notice (data-testid `notice`, text
 * containing `text`) is shown; refused: nothing opens (or segmentation is refused) and the notice says why.
 */
export type Outcome = 'opens' | 'warns' | 'refused' | 'chooser';

export interface Expectation {
  outcome: Outcome;
  /** data-testid (or prefix ending with '*') of the notice the app shows. */
  notice?: string;
  /** Text that notice contains. */
  text?: string;
  /** Segmentation allowed after opening (segmentation-status data-allowed). */
  segmentable?: boolean;
  /** 'chooser': rows in the series chooser. */
  rows?: number;
}

export interface CorpusCase {
  id: string;
  description: string;
  /** Folder with the case's files (written by writeCorpus). */
  dir: string;
  app: Expectation;
  /** CLI: 'ok' (RS.dcm written or no organ), 'failed' (series failed with reason `text`), 'problem' (input skipped). */
  cli: { outcome: 'ok' | 'failed' | 'skipped'; text?: string };
}

// ---------------------------------------------------------------------------------------------------------
// The phantom series of tests/e2e/helpers/synthetic.ts (one generator), with the corpus's defaults: 12 slices
// of 48 x 48, its own patient, study and a series UID from the description.

function series(o: CtSeriesSpec = {}): { name: string; buffer: Buffer }[] {
  return ctSeries({
    cols: 48,
    rows: 48,
    slices: 12,
    pixelMm: 2.5,
    sliceMm: 3,
    zMin: -100,
    description: 'Corpus',
    patientName: 'Corpus^Phantom',
    patientID: 'CORPUS-1',
    studyUID: '1.2.826.0.1.3680043.10.77.1',
    frameOfReferenceUID: '1.2.826.0.1.3680043.10.77.9',
    ...o,
    seriesUID: o.seriesUID ?? `1.2.826.0.1.3680043.10.77.${Math.abs(hash(o.description ?? 'x'))}`,
  });
}

function hash(s: string): number {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

const ds = (tag: number, value: string | number): Record<number, El> => ({ [tag]: { tag, vr: 'DS', value } });

// ---------------------------------------------------------------------------------------------------------

function write(dir: string, files: { name: string; buffer: Buffer }[]): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.buffer);
}

function copyDir(from: string, to: string, filter: (name: string) => boolean = () => true): void {
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(from)) if (filter(f) && statSync(join(from, f)).isFile()) copyFileSync(join(from, f), join(to, f));
}

/** Run a dcmtk converter over every file of a folder in place; false when the tool is missing or fails. */
function dcmtk(tool: string, args: string[], dir: string): boolean {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const r = spawnSync(tool, [...args, p, p], { encoding: 'utf8' });
    if (r.status !== 0) return false;
  }
  return true;
}

export function hasDcmtk(): boolean {
  return spawnSync('dcmconv', ['--version'], { encoding: 'utf8' }).status === 0;
}

export function hasRealData(): boolean {
  return existsSync(HNSCC_CT_A) && existsSync(HNSCC_RS_A) && existsSync(HNSCC_CT_B);
}

const rot = (deg: number): [number, number, number][] => {
  const a = (deg * Math.PI) / 180;
  return [
    [Math.cos(a), Math.sin(a), 0],
    [0, Math.cos(a / 2), Math.sin(a / 2)],
  ];
};

/**
 * Writes every case under `root` (one folder each) and returns them. Cases needing dcmtk or the real data are
 * left out when those are missing (`skipped` says which, and why).
 */
export function writeCorpus(root: string): { cases: CorpusCase[]; skipped: string[] } {
  const cases: CorpusCase[] = [];
  const skipped: string[] = [];
  const add = (
    id: string,
    description: string,
    app: Expectation,
    cli: CorpusCase['cli'],
    files: () => { name: string; buffer: Buffer }[] | null,
    post?: (dir: string) => string | null,
  ) => {
    const dir = join(root, id);
    const f = files();
    if (f === null) return;
    write(dir, f);
    const why = post?.(dir);
    if (why) {
      skipped.push(`${id}: ${why}`);
      return;
    }
    cases.push({ id, description, dir, app, cli });
  };
  const text = (name: string, body: string) => ({ name, buffer: Buffer.from(body) });

  add(
    'non-dicom',
    'only text and PDF files',
    { outcome: 'refused', notice: 'notice-no-dicom', text: 'No DICOM images found' },
    { outcome: 'skipped', text: 'holds no CT series' },
    () => [text('notes.txt', 'not an image'), text('report.pdf', '%PDF-1.4 nothing')],
  );
  add(
    'zero-byte',
    'a normal series plus a zero-byte .dcm file',
    { outcome: 'warns', notice: 'notice-not-dicom-files', text: '1 file that is not DICOM was skipped', segmentable: true },
    { outcome: 'ok' },
    () => [...series({ description: 'zero byte' }), { name: 'EMPTY.dcm', buffer: Buffer.alloc(0) }],
  );
  add(
    'truncated',
    'one slice cut 1000 bytes short',
    { outcome: 'warns', notice: 'notice-corrupt-files', text: 'truncated' },
    { outcome: 'ok', text: 'IM0006.dcm (truncated' },
    () =>
      series({ description: 'truncated' }).map((f, k) =>
        k === 5 ? { ...f, buffer: f.buffer.subarray(0, f.buffer.length - 1000) } : f,
      ),
  );
  add(
    'no-pixel-data',
    'every slice without Pixel Data (7FE0,0010)',
    { outcome: 'refused', notice: 'notice-no-dicom', text: '12 DICOM without images' },
    { outcome: 'skipped', text: '12 DICOM file(s) without images (CT)' },
    () => series({ description: 'no pixels', edit: () => ({ [0x7fe00010]: null }) }),
  );
  add(
    'mr',
    'an MR series (MR Image Storage)',
    { outcome: 'warns', notice: 'notice-geometry-not-ct', text: 'MR series, not CT', segmentable: false },
    { outcome: 'skipped', text: 'skipped MR' },
    () => series({ description: 'T1 axial', modality: 'MR', sopClass: '1.2.840.10008.5.1.4.1.1.4' }),
  );
  add(
    'rtdose',
    'modality RTDOSE, RT Dose Storage',
    { outcome: 'warns', notice: 'notice-geometry-not-ct', text: 'RTDOSE series, not CT', segmentable: false },
    { outcome: 'skipped', text: 'skipped RTDOSE' },
    () => series({ description: 'dose', modality: 'RTDOSE', sopClass: '1.2.840.10008.5.1.4.1.1.481.2' }),
  );
  add(
    'one-slice',
    'a single CT slice',
    { outcome: 'warns', notice: 'notice-geometry-too-few-slices', text: 'Only 1 slice', segmentable: false },
    { outcome: 'failed', text: 'Only 1 slice' },
    () => series({ slices: 1, description: 'one slice' }),
  );
  add(
    'four-slices',
    '4 slices',
    { outcome: 'warns', notice: 'notice-geometry-too-few-slices', text: 'Only 4 slices', segmentable: false },
    { outcome: 'failed', text: 'Only 4 slices' },
    () => series({ slices: 4, description: 'four slices' }),
  );
  add(
    'duplicate-positions',
    'two different slices (different SOP UIDs) at the same position',
    { outcome: 'warns', notice: 'notice-geometry-duplicate-positions', text: 'shares a position', segmentable: false },
    { outcome: 'failed', text: 'shares a position' },
    () => series({ description: 'dup pos', z: [-100, -97, -94, -91, -91, -88, -85, -82, -79, -76] }),
  );
  add(
    'missing-slices',
    'slices 5-7 of 16 missing',
    { outcome: 'warns', notice: 'notice-geometry-missing-slices', text: 'About 3 slices missing', segmentable: true },
    { outcome: 'ok' },
    () => series({ slices: 16, description: 'missing' }).filter((_, k) => k < 4 || k > 6),
  );
  add(
    'non-uniform-spacing',
    '2 mm spacing then 5 mm spacing',
    { outcome: 'warns', notice: 'notice-geometry-non-uniform-spacing', text: 'from 2 mm to 5 mm', segmentable: true },
    { outcome: 'ok' },
    () => series({ description: 'spacing', z: [0, 2, 4, 6, 8, 10, 15, 20, 25, 30, 35, 40] }),
  );
  add(
    'gantry-tilt',
    'gantry tilt 15 degrees: positions sheared along y, Gantry/Detector Tilt 15',
    { outcome: 'warns', notice: 'notice-geometry-gantry-tilt', text: 'Gantry tilt of 15.0°', segmentable: false },
    { outcome: 'failed', text: 'Gantry tilt of 15.0°' },
    () =>
      series({
        description: 'tilt',
        position: (k, z) => [-58.75, -58.75 + k * 3 * Math.tan((15 * Math.PI) / 180), z],
        edit: () => ds(0x00181120, 15),
      }),
  );
  add(
    'oblique',
    'axial planes rotated 20 degrees about z and 10 about x',
    { outcome: 'warns', notice: 'notice-geometry-oblique', text: 'Oblique series', segmentable: false },
    { outcome: 'failed', text: 'Oblique series' },
    () => {
      const [r, c] = rot(20);
      const n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
      return series({
        description: 'oblique',
        row: r,
        col: c,
        position: (k) => [-60 + n[0] * 3 * k, -60 + n[1] * 3 * k, -100 + n[2] * 3 * k],
      });
    },
  );
  add(
    'sagittal',
    'a sagittal acquisition (rows along y, columns along -z, slices along x)',
    { outcome: 'warns', notice: 'notice-geometry-non-axial', text: 'sagittal', segmentable: false },
    { outcome: 'failed', text: 'The series is sagittal' },
    () => series({ description: 'sagittal', row: [0, 1, 0], col: [0, 0, -1], position: (k) => [-30 + 3 * k, -60, 60] }),
  );
  add(
    'mixed-matrix',
    'one slice 32x32 in a 48x48 series',
    { outcome: 'warns', notice: 'notice-geometry-mixed-matrix', text: 'was left out', segmentable: true },
    { outcome: 'ok' },
    () => series({ description: 'mixed', matrix: (k) => (k === 6 ? [32, 32] : [48, 48]) }),
  );
  add(
    'two-series-interleaved',
    'two series (different UIDs) in one folder, files interleaved',
    { outcome: 'chooser', rows: 2 },
    { outcome: 'ok' },
    () => {
      const a = series({ description: 'Series A', seriesUID: '1.2.826.0.1.3680043.10.77.501', filePrefix: 'A' });
      const b = series({
        description: 'Series B',
        seriesUID: '1.2.826.0.1.3680043.10.77.502',
        filePrefix: 'B',
        z: Array.from({ length: 12 }, (_, k) => -98.5 + 3 * k),
      });
      return a.flatMap((f, k) => [
        { ...f, name: `X${String(2 * k).padStart(3, '0')}.dcm` },
        { ...b[k], name: `X${String(2 * k + 1).padStart(3, '0')}.dcm` },
      ]);
    },
  );
  add(
    'slope-absurd',
    'Rescale Slope 1e5',
    {
      outcome: 'warns',
      notice: 'notice-geometry-implausible-rescale',
      text: 'Rescale Slope 100000 is not plausible',
      segmentable: false,
    },
    { outcome: 'failed', text: 'Rescale Slope 100000 is not plausible' },
    () => series({ description: 'slope', edit: () => ds(0x00281053, 100000) }),
  );
  add(
    'rescale-missing',
    'no Rescale Slope / Intercept',
    {
      outcome: 'warns',
      notice: 'notice-geometry-no-rescale',
      text: 'Rescale Intercept (0028,1052) is missing',
      segmentable: true,
    },
    { outcome: 'ok' },
    () => series({ description: 'no rescale', edit: () => ({ [0x00281052]: null, [0x00281053]: null }) }),
  );
  add(
    'unsigned-offset',
    'unsigned pixels stored HU+1024, intercept -1024',
    { outcome: 'opens', segmentable: true },
    { outcome: 'ok' },
    () => series({ description: 'unsigned', signed: false, store: (hu) => hu + 1024, edit: () => ds(0x00281052, -1024) }),
  );
  add(
    'signed-as-unsigned',
    'signed HU stored but Pixel Representation 0',
    {
      outcome: 'warns',
      notice: 'notice-geometry-implausible-hu',
      text: 'signed pixel data declared unsigned',
      segmentable: false,
    },
    { outcome: 'failed', text: 'signed pixel data declared unsigned' },
    () => series({ description: 'sign lie', signed: false, store: (hu) => hu & 0xffff }),
  );
  add(
    'bits-stored-12',
    'Bits Stored 12, unsigned, HU+1024, intercept -1024',
    { outcome: 'opens', segmentable: true },
    { outcome: 'ok' },
    () =>
      series({
        description: 'bits12',
        signed: false,
        bitsStored: 12,
        store: (hu) => Math.max(0, hu + 1024),
        edit: () => ds(0x00281052, -1024),
      }),
  );
  add(
    'one-by-one',
    'a 1x1 image series of 8 slices',
    { outcome: 'warns', notice: 'notice-geometry-too-small-matrix', text: 'The images are 1 x 1 pixels', segmentable: false },
    { outcome: 'failed', text: 'The images are 1 x 1 pixels' },
    () => series({ description: 'tiny', matrix: () => [1, 1], slices: 8 }),
  );
  add(
    'unicode-path-names',
    "PatientName, PatientID and SeriesDescription with Greek, '../', '/' and '\\'",
    { outcome: 'opens' },
    { outcome: 'ok' },
    () =>
      series({
        description: '../..\\evil/ΣΕΙΡΑ',
        patientName: 'Ωμέγα^../x',
        patientID: '../../etc/passwd\\x',
        edit: () => ({ [0x00080005]: { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' } }),
      }),
  );
  add(
    'unicode-two-series',
    "two series in one folder whose PatientID and SeriesDescription hold '../', '/', '\\' (the CLI names their outputs from them)",
    { outcome: 'chooser', rows: 2 },
    { outcome: 'ok' },
    () => {
      const utf8 = () => ({ [0x00080005]: { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' } as El });
      const a = series({
        description: '../../../escaped/ΣΕΙΡΑ',
        patientID: '../../etc/passwd',
        seriesUID: '1.2.826.0.1.3680043.10.77.601',
        filePrefix: 'A',
        edit: utf8,
      });
      const b = series({
        description: '..\\..\\win\\x',
        patientID: '/abs/olute',
        seriesUID: '1.2.826.0.1.3680043.10.77.602',
        filePrefix: 'B',
        edit: utf8,
      });
      return [...a, ...b];
    },
  );

  if (hasDcmtk()) {
    add(
      'big-endian',
      'Explicit VR Big Endian (dcmconv +tb)',
      { outcome: 'opens' },
      { outcome: 'ok' },
      () => series({ description: 'big endian' }),
      (d) => (dcmtk('dcmconv', ['+tb'], d) ? null : 'dcmconv +tb failed'),
    );
    add(
      'rle',
      'RLE Lossless (dcmcrle)',
      { outcome: 'opens' },
      { outcome: 'ok' },
      () => series({ description: 'rle' }),
      (d) => (dcmtk('dcmcrle', [], d) ? null : 'dcmcrle failed'),
    );
    add(
      'jpeg-lossless',
      'JPEG Lossless SV1 (dcmcjpeg +e1)',
      { outcome: 'opens' },
      { outcome: 'ok' },
      () => series({ description: 'jpeg lossless' }),
      (d) => (dcmtk('dcmcjpeg', ['+e1'], d) ? null : 'dcmcjpeg failed'),
    );
  } else skipped.push('big-endian, rle, jpeg-lossless: dcmtk (dcmconv, dcmcrle, dcmcjpeg) not installed');

  const nifti = (data: Int16Array | Float32Array, affine: Mat4) => Buffer.from(writeNifti({ dims: [32, 32, 12], affine, data }));
  const phantomVol = (T: Int16ArrayConstructor | Float32ArrayConstructor) => {
    const v = new T(32 * 32 * 12);
    for (let k = 0; k < 12; k++)
      for (let j = 0; j < 32; j++)
        for (let i = 0; i < 32; i++) v[i + j * 32 + k * 1024] = phantomHU((i - 16) * 5, (j - 16) * 5, k * 3, 33);
    return v;
  };
  add(
    'nifti-nan',
    'NIfTI float32 CT with NaN and Inf voxels',
    { outcome: 'warns', notice: 'notice-geometry-non-finite-values', text: '200 voxels are NaN or infinite', segmentable: false },
    { outcome: 'failed', text: 'NaN' },
    () => {
      const v = phantomVol(Float32Array) as Float32Array;
      for (let i = 0; i < 200; i++) v[i * 7] = i % 2 ? Number.NaN : Number.POSITIVE_INFINITY;
      return [
        {
          name: 'ct_nan.nii',
          buffer: nifti(v, [
            [-5, 0, 0, 80],
            [0, -5, 0, 80],
            [0, 0, 3, 0],
            [0, 0, 0, 1],
          ]),
        },
      ];
    },
  );
  add(
    'nifti-rotated',
    'NIfTI CT with a non-diagonal (rotated, sheared-free) affine',
    { outcome: 'warns', notice: 'notice-geometry-oblique', text: 'rotated 17.2°', segmentable: true },
    { outcome: 'ok' },
    () => {
      const c = Math.cos(0.3),
        s = Math.sin(0.3);
      return [
        {
          name: 'ct_rot.nii',
          buffer: nifti(phantomVol(Int16Array) as Int16Array, [
            [-5 * c, -5 * s, 0, 80],
            [5 * s, -5 * c, 0, 80],
            [0, 0, 3, 0],
            [0, 0, 0, 1],
          ]),
        },
      ];
    },
  );

  if (hasRealData()) {
    add(
      'real-hnscc',
      'real 64x64 HNSCC CT (baseline)',
      { outcome: 'opens', segmentable: true },
      { outcome: 'ok' },
      () => [],
      (d) => (copyDir(HNSCC_CT_B, d), null),
    );
    add(
      'rtstruct-other-series',
      "HNSCC CT of one patient with another patient's RTSTRUCT",
      {
        outcome: 'warns',
        notice: 'notice-structure-other-series',
        text: 'references a series that is not open (patient',
        segmentable: true,
      },
      { outcome: 'ok', text: 'references no series in this input' },
      () => [],
      (d) => (copyDir(HNSCC_CT_B, d), copyDir(HNSCC_RS_A, d), null),
    );
    add(
      'rtstruct-malformed',
      'HNSCC CT with its RTSTRUCT cut in half',
      { outcome: 'warns', notice: 'notice-corrupt-files', text: 'RS_1-1.dcm: tr', segmentable: true },
      { outcome: 'ok', text: 'RS_1-1.dcm (truncated' },
      () => [],
      (d) => {
        copyDir(HNSCC_CT_A, d);
        for (const f of readdirSync(HNSCC_RS_A)) {
          const b = readFileSync(join(HNSCC_RS_A, f));
          writeFileSync(join(d, `RS_${f}`), b.subarray(0, Math.floor(b.length / 2)));
        }
        return null;
      },
    );
  } else skipped.push(`real-hnscc, rtstruct-other-series, rtstruct-malformed: ${HNSCC} missing`);

  return { cases, skipped };
}

/** All files of a case, for Playwright's setInputFiles. */
export function caseFiles(c: CorpusCase): { name: string; mimeType: string; buffer: Buffer }[] {
  return readdirSync(c.dir)
    .sort()
    .map((name) => ({
      name,
      mimeType: name.endsWith('.txt') ? 'text/plain' : 'application/octet-stream',
      buffer: readFileSync(join(c.dir, name)),
    }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx tests/corpus/generate.ts DIR');
    process.exit(2);
  }
  const { cases, skipped } = writeCorpus(resolve(dir));
  for (const c of cases) console.log(`${c.id}\t${c.app.outcome}\t${c.description}`);
  for (const s of skipped) console.log(`skipped ${s}`);
  console.log(`${cases.length} cases in ${dir}`);
}
