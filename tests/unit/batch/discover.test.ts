import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverInputs, looksLikeCtNifti, niftiHeader, sanitizeName, uniqueNames } from '../../../src/batch/discover';
import { extractContours } from '../../../src/contours/extract';
import { buildRtStruct, organRois } from '../../../src/rtstruct/writer';
import { diagAffine, loadSeries, writeNiftiFile, writeSeries, type WrittenSeries } from './fixtures';

/*
 * root/
 *   study/a/CT*.dcm          series A (6 slices)
 *   study/rs/RS.dcm          an RTSTRUCT referencing series A
 *   study/b/CT*.dcm          series B (5 slices) + one truncated copy of its slice 1
 *   study/notes.txt          not DICOM
 *   kbp/pt_7/ct.nii.gz       int16 CT; labels.nii.gz (uint8) + meta.json
 *   kbp/pt_8/ct.nii.gz       int16 CT; labels.nii.gz without legend
 *   phantom/dicom/CT*.dcm    series C; phantom/labels.nii.gz + case.json (same grid)
 *   empty/readme.md
 */
let root: string;
let A: WrittenSeries;
let B: WrittenSeries;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aa-batch-discover-'));
  A = writeSeries(join(root, 'study/a'), { id: 'A', seriesNumber: 3, description: 'Head CT' });
  B = writeSeries(join(root, 'study/b'), { id: 'B', slices: 5, seriesNumber: 4, description: 'Neck' });
  const bad = readFileSync(B.files[0]);
  writeFileSync(join(root, 'study/b/broken.dcm'), bad.subarray(0, bad.length - 100));
  writeFileSync(join(root, 'study/notes.txt'), 'not a DICOM file');
  const ct = loadSeries(join(root, 'study/a'));
  const labels = new Uint8Array(ct.hu.length);
  labels.fill(1, 20, 60);
  mkdirSync(join(root, 'study/rs'));
  writeFileSync(join(root, 'study/rs/RS.dcm'), buildRtStruct(ct, organRois(extractContours(ct, labels))).bytes);

  for (const [pt, legend] of [
    ['pt_7', true],
    ['pt_8', false],
  ] as const) {
    const d = join(root, 'kbp', pt);
    mkdirSync(d, { recursive: true });
    writeNiftiFile(join(d, 'ct.nii.gz'), [8, 8, 6], diagAffine(-4, -4, -3), new Int16Array(384).fill(-1000));
    writeNiftiFile(join(d, 'labels.nii.gz'), [8, 8, 6], diagAffine(-4, -4, -3), new Uint8Array(384));
    if (legend)
      writeFileSync(join(d, 'meta.json'), JSON.stringify({ bits: { 0: { tg263: 'Brainstem' } }, annotated: ['Brainstem'] }));
  }
  const C = writeSeries(join(root, 'phantom/dicom'), { id: 'C', cols: 10, rows: 10, slices: 7 });
  writeNiftiFile(join(root, 'phantom/labels.nii.gz'), C.dims, diagAffine(1, 1, 1), new Uint8Array(700));
  writeFileSync(join(root, 'phantom/case.json'), JSON.stringify({ annotated: ['Heart'] }));
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty/readme.md'), '# nothing');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('input discovery', () => {
  it('an RTSTRUCT that fits no series of its input is named in a note (issue 16), one that fits is not', async () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    for (const f of B.files) copyFileSync(f, join(dir, f.split('/').pop()!));
    copyFileSync(join(root, 'study/rs/RS.dcm'), join(dir, 'RS.dcm'));
    const d = await discoverInputs([{ path: dir }]);
    expect(d.jobs).toHaveLength(1);
    expect(d.notes.filter((n) => n.includes('RTSTRUCT'))).toEqual([
      expect.stringMatching(
        /: RTSTRUCT RS\.dcm \(patient [^)]*\) references no series in this input \(another patient or series\?\): not used$/,
      ),
    ]);
    const own = await discoverInputs([{ path: join(root, 'study') }]);
    expect(own.notes.filter((n) => n.includes('RTSTRUCT'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
  it('a folder with two DICOM series, an RTSTRUCT and a corrupt file', async () => {
    const d = await discoverInputs([{ path: join(root, 'study'), reference: 'auto' }]);
    expect(d.jobs.map((j) => [j.name, j.kind, j.files.length, j.seriesInstanceUID])).toEqual([
      ['P-A_s3_Head_CT', 'dicom', 6, A.seriesInstanceUID],
      ['P-B_s4_Neck', 'dicom', 5, B.seriesInstanceUID],
    ]);
    // every file of a series, none of the others
    expect(d.jobs[0].files.map((f) => f.name).sort()).toEqual(A.files.map((f) => join('a', f.split('/').pop()!)).sort());
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0].message).toMatch(/1 DICOM file\(s\) could not be read.*broken\.dcm/);
    // auto: the RTSTRUCT references series A; nothing fits B
    expect(d.jobs[0].reference).toEqual({ kind: 'rtstruct', path: join(root, 'study/rs/RS.dcm') });
    expect(d.jobs[1].reference).toBeNull();
    expect(d.jobs[1].referenceNote).toMatch(/no reference found/);
  });

  it('a folder of NIfTI cases: CT volumes found, label maps left out, references with a legend only', async () => {
    const d = await discoverInputs([{ path: join(root, 'kbp'), reference: 'auto' }]);
    expect(d.jobs.map((j) => [j.name, j.kind, j.files[0].name])).toEqual([
      ['pt_7', 'nifti', join('pt_7', 'ct.nii.gz')],
      ['pt_8', 'nifti', join('pt_8', 'ct.nii.gz')],
    ]);
    expect(d.notes.join()).toMatch(/2 NIfTI file\(s\) taken as labels/);
    expect(d.jobs[0].reference).toEqual({
      kind: 'labelmap',
      path: join(root, 'kbp/pt_7/labels.nii.gz'),
      legend: join(root, 'kbp/pt_7/meta.json'),
    });
    expect(d.jobs[1].reference).toBeNull();
    expect(d.jobs[1].referenceNote).toMatch(/no legend/);
    expect(d.problems).toEqual([]);
  });

  it('the phantom layout: one series per input is named after the input; labels.nii.gz + case.json one folder up', async () => {
    const d = await discoverInputs([
      { path: join(root, 'phantom'), reference: 'auto' },
      { path: join(root, 'kbp/pt_7/ct.nii.gz') },
    ]);
    expect(d.jobs.map((j) => j.name)).toEqual(['phantom', 'pt_7']);
    expect(d.jobs[0].reference).toEqual({
      kind: 'labelmap',
      path: join(root, 'phantom/labels.nii.gz'),
      legend: join(root, 'phantom/case.json'),
    });
    expect(d.jobs[1].reference).toBeNull();
  });

  it('explicit references belong to their input; one label map for several series is refused', async () => {
    const d = await discoverInputs([{ path: join(root, 'kbp/pt_8'), reference: join(root, 'kbp/pt_8/labels.nii.gz') }]);
    expect(d.jobs[0].reference).toEqual({ kind: 'labelmap', path: join(root, 'kbp/pt_8/labels.nii.gz') });
    // a reference that cannot apply leaves that input out, as a problem of the input (issue 17: the others go on)
    const many = await discoverInputs([{ path: join(root, 'kbp'), reference: join(root, 'kbp/pt_8/labels.nii.gz') }]);
    expect(many.jobs).toEqual([]);
    expect(many.problems[0].message).toMatch(/one label map but this input holds 2 series/);
    const missing = await discoverInputs([{ path: join(root, 'kbp/pt_8'), reference: join(root, 'missing.dcm') }]);
    expect(missing.problems[0].message).toMatch(/does not exist/);
  });

  it('inputs that hold nothing, do not exist, or are a non-NIfTI file are problems', async () => {
    const d = await discoverInputs([
      { path: join(root, 'empty') },
      { path: join(root, 'nope') },
      { path: join(root, 'study/notes.txt') },
    ]);
    expect(d.jobs).toEqual([]);
    expect(d.problems.map((p) => p.message)).toEqual([
      'holds no CT series and no NIfTI CT volume',
      'does not exist',
      expect.stringMatching(/not a NIfTI volume/),
    ]);
  });

  it('the same series given twice gets distinct output names', async () => {
    const twice = join(root, 'twice');
    mkdirSync(twice);
    for (const f of A.files) copyFileSync(f, join(twice, f.split('/').pop()!));
    const d = await discoverInputs([{ path: join(root, 'study/a') }, { path: twice }, { path: join(root, 'study/a') }]);
    expect(d.jobs.map((j) => j.name)).toEqual(['a', 'twice', 'a-2']);
  });
});

describe('discovery helpers', () => {
  it('NIfTI headers through gzip, and the CT / label decision', () => {
    expect(niftiHeader(join(root, 'kbp/pt_7/ct.nii.gz'))).toEqual({ datatype: 4, dims: [8, 8, 6] });
    expect(niftiHeader(join(root, 'kbp/pt_7/labels.nii.gz'))?.datatype).toBe(2);
    expect(niftiHeader(join(root, 'study/notes.txt'))).toBeNull();
    expect(looksLikeCtNifti('ct.nii.gz', 4)).toBe(true);
    expect(looksLikeCtNifti('case_0000.nii.gz', 16)).toBe(true);
    expect(looksLikeCtNifti('labels.nii.gz', 4)).toBe(false);
    expect(looksLikeCtNifti('example_seg.nii.gz', 16)).toBe(false);
    expect(looksLikeCtNifti('ct.nii.gz', 2)).toBe(false);
  });

  it('output names are file-system safe and unique (case-insensitively)', () => {
    expect(sanitizeName('HNSCC-01 / 0003: CT*')).toBe('HNSCC-01_0003_CT');
    expect(sanitizeName('...')).toBe('series');
    expect(uniqueNames(['a', 'A', 'b', 'a'])).toEqual(['a', 'A-2', 'b', 'a-3']);
  });
});
