import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyReference, loadReference, paintBitmask, parseLegend, ReferenceError } from '../../../src/batch/reference';
import { extractContours } from '../../../src/contours/extract';
import type { CtVolume } from '../../../src/dicom';
import { affineFromLps } from '../../../src/nifti/nifti';
import { buildRtStruct, organRois } from '../../../src/rtstruct/writer';
import { loadSeries, writeNiftiFile, writeSeries } from './fixtures';

describe('legends', () => {
  it('OpenKBP meta.json: bitmask, TG-263 names, annotated subset', () => {
    const l = parseLegend({
      bits: {
        0: { openkbp: 'Brainstem', tg263: 'Brainstem' },
        2: { openkbp: 'RightParotid', tg263: 'Parotid_R' },
        5: { tg263: 'Nonsense' },
      },
      annotated: ['Brainstem'],
    });
    expect(l.kind).toBe('bitmask');
    if (l.kind !== 'bitmask') return;
    expect([...l.bits]).toEqual([
      [0, 1],
      [2, 12],
    ]);
    expect(l.annotated).toEqual([1]);
    expect(l.unknown).toEqual(['Nonsense']);
  });

  it('phantom case.json: values are channels, annotated by name', () => {
    expect(parseLegend({ seed: 1, annotated: ['Heart', 'Lung_L', 'Esophagus'], organVolumesMl: { Heart: 1 } })).toEqual({
      kind: 'channels',
      annotated: [22, 23, 25],
      unknown: [],
    });
  });

  it('value -> name maps (TotalSegmentator style, plain or under "labels")', () => {
    const l = parseLegend({ 1: 'spleen', 2: 'kidney_right', 3: 'kidney_left', 10: 'lung_upper_lobe_left' });
    expect(l).toEqual({
      kind: 'values',
      values: new Map([
        [1, 32],
        [2, 28],
        [3, 27],
      ]),
      annotated: [27, 28, 32],
      unknown: ['lung_upper_lobe_left'],
    });
    expect(parseLegend({ labels: { 7: 'Brainstem' } })).toMatchObject({ kind: 'values', annotated: [1] });
  });

  it('bitmask painting: larger organ first, the smaller one wins where they overlap', () => {
    // bit 0 (channel 1) on 4 voxels, bit 1 (channel 11) on 2 of them
    const bits = Uint8Array.from([1, 1, 3, 3, 0, 2]);
    expect(
      Array.from(
        paintBitmask(
          bits,
          new Map([
            [0, 1],
            [1, 11],
          ]),
        ),
      ),
    ).toEqual([1, 1, 11, 11, 0, 11]);
    // the other way round: channel 11 is now the larger one and is painted first
    const bits2 = Uint8Array.from([2, 2, 3, 3, 2, 1]);
    expect(
      Array.from(
        paintBitmask(
          bits2,
          new Map([
            [0, 1],
            [1, 11],
          ]),
        ),
      ),
    ).toEqual([11, 11, 1, 1, 11, 1]);
  });

  it('rejects a legend that is not an object', () => {
    expect(() => parseLegend([1, 2])).toThrow(ReferenceError);
  });
});

describe('reading references onto the CT grid', () => {
  let dir: string;
  let ct: CtVolume;
  let npx: number;
  /** Brainstem box on slices 1-4, Parotid_L box inside it on slices 2-3. */
  let truth: Uint8Array;
  const box = (i0: number, i1: number, j0: number, j1: number, k0: number, k1: number, v: number, into: Uint8Array) => {
    for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) into[i + j * 16 + k * npx] = v;
  };
  const maskOf = (labels: Uint8Array, v: number) => Array.from(labels, (x) => (x === v ? 1 : 0));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aa-batch-ref-'));
    writeSeries(join(dir, 'ct'), { id: 'ref' });
    ct = loadSeries(join(dir, 'ct'));
    npx = ct.dims[0] * ct.dims[1];
    truth = new Uint8Array(npx * ct.dims[2]);
    box(2, 12, 2, 9, 1, 4, 1, truth);
    box(5, 8, 4, 6, 2, 3, 11, truth);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('OpenKBP-style bitmask + meta.json: organs not annotated are not scored', () => {
    const d = join(dir, 'kbp');
    mkdirSync(d);
    const bits = Uint8Array.from(truth, (v) => (v === 1 ? 1 : v === 11 ? 3 : 0)); // parotid voxels also carry the brainstem bit
    writeNiftiFile(join(d, 'labels.nii.gz'), [...ct.dims], affineFromLps(ct), bits);
    writeFileSync(
      join(d, 'meta.json'),
      JSON.stringify({ bits: { 0: { tg263: 'Brainstem' }, 1: { tg263: 'Parotid_L' } }, annotated: ['Brainstem', 'Parotid_L'] }),
    );
    const spec = classifyReference(join(d, 'labels.nii.gz'));
    expect(spec).toEqual({ kind: 'labelmap', path: join(d, 'labels.nii.gz'), legend: join(d, 'meta.json') });
    const ref = loadReference(spec, ct);
    expect(ref.annotated).toEqual([1, 11]);
    expect(Array.from(ref.mask(1)!)).toEqual(maskOf(truth, 1));
    expect(Array.from(ref.mask(11)!)).toEqual(maskOf(truth, 11));
    expect(ref.mask(2)).toBeNull();

    writeFileSync(
      join(d, 'meta.json'),
      JSON.stringify({ bits: { 0: { tg263: 'Brainstem' }, 1: { tg263: 'Parotid_L' } }, annotated: ['Brainstem'] }),
    );
    const partial = loadReference(classifyReference(join(d, 'labels.nii.gz')), ct);
    expect(partial.annotated).toEqual([1]);
    expect(partial.mask(11)).toBeNull();
  });

  it('a label map without legend: values are organ channels, present ones annotated', () => {
    const d = join(dir, 'plain');
    mkdirSync(d);
    writeNiftiFile(join(d, 'seg.nii.gz'), [...ct.dims], affineFromLps(ct), truth);
    const spec = classifyReference(join(d, 'seg.nii.gz'));
    expect(spec).toEqual({ kind: 'labelmap', path: join(d, 'seg.nii.gz') });
    const ref = loadReference(spec, ct);
    expect(ref.annotated).toEqual([1, 11]);
    expect(Array.from(ref.mask(11)!)).toEqual(maskOf(truth, 11));
  });

  it('a folder of NIfTI masks named by organ', () => {
    const d = join(dir, 'masks');
    mkdirSync(d);
    writeNiftiFile(
      join(d, 'Brainstem.nii.gz'),
      [...ct.dims],
      affineFromLps(ct),
      Uint8Array.from(truth, (v) => (v ? 1 : 0)),
    );
    writeNiftiFile(
      join(d, 'Lt Parotid.nii.gz'),
      [...ct.dims],
      affineFromLps(ct),
      Uint8Array.from(truth, (v) => (v === 11 ? 255 : 0)),
    );
    writeNiftiFile(join(d, 'BODY.nii.gz'), [...ct.dims], affineFromLps(ct), new Uint8Array(truth.length).fill(1));
    const spec = classifyReference(d);
    expect(spec.kind).toBe('masks');
    const ref = loadReference(spec, ct);
    expect(ref.annotated).toEqual([1, 11]);
    expect(Array.from(ref.mask(1)!)).toEqual(Array.from(truth, (v) => (v ? 1 : 0)));
    expect(Array.from(ref.mask(11)!)).toEqual(maskOf(truth, 11));
    expect(ref.notes.join()).toContain('BODY.nii.gz');
  });

  it("an RTSTRUCT (the app's own export), with a non-organ ROI noted and skipped", () => {
    const rois = organRois(extractContours(ct, truth));
    const body = { number: 90, name: 'PTV_70', color: [255, 0, 0] as [number, number, number], contours: rois[0].contours };
    const rs = buildRtStruct(ct, [...rois, body]);
    writeFileSync(join(dir, 'RS.dcm'), rs.bytes);
    const spec = classifyReference(join(dir, 'RS.dcm'));
    expect(spec.kind).toBe('rtstruct');
    const ref = loadReference(spec, ct);
    expect(ref.annotated).toEqual([1, 11]);
    // the Brainstem contour has a hole where the parotid is; even-odd filling reproduces the label map exactly
    expect(Array.from(ref.mask(1)!)).toEqual(maskOf(truth, 1));
    expect(Array.from(ref.mask(11)!)).toEqual(maskOf(truth, 11));
    expect(ref.notes.join()).toContain('PTV_70');
  });

  it('a missing path is an error', () => {
    expect(() => classifyReference(join(dir, 'nope.nii.gz'))).toThrow(/does not exist/);
  });
});
