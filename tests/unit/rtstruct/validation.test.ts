/**
 * Issue 17 point 5: a damaged RTSTRUCT (truncated, duplicate ROI numbers, NaN coordinates, a coordinate count
 * that is not a multiple of 3) is reported by ROI and contour instead of being imported empty or merged; the
 * CLI's --reference refuses it with the same lines (a ReferenceError message, no stack trace).
 * Built from the real dicompyler RTSTRUCT (../shared/data/real) and from the app's own writer.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { loadReference, ReferenceError } from '../../../src/batch/reference';
import { buildRtStruct, readRtStruct, RtStructReadError } from '../../../src/rtstruct';
import { makeVolume } from '../contours/fixtures';

dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');
const REAL_RS = resolve(__dirname, '../../../../shared/data/real/dicompyler-breast/rtss.dcm');
const work = mkdtempSync(join(tmpdir(), 'rs-validate-'));

const volume = makeVolume({ dims: [16, 16, 4] });
const square = (k: number) => {
  const z = volume.slices[k].position[2];
  return { k, points: Float64Array.from([2, 2, z, 9, 2, z, 9, 9, z, 2, 9, z]) };
};
const good = buildRtStruct(volume, [
  { number: 1, name: 'Brain', color: [255, 0, 0], contours: [square(0), square(1)] },
  { number: 2, name: 'Parotid_L', color: [0, 255, 0], contours: [square(1), square(2)] },
  { number: 3, name: 'Parotid_R', color: [0, 0, 255], contours: [square(2)] },
]).bytes;

/** Rewrites the file after `edit` changed its naturalized data set (dcmjs writes UTF-8). */
function mutate(bytes: Uint8Array, edit: (ds: NaturalDataset) => void): Uint8Array {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  edit(ds);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return new Uint8Array(dict.write({ allowInvalidVRLength: true }));
}
const items = (v: unknown) => v as NaturalDataset[];

describe('RTSTRUCT validation', () => {
  it('an intact file has no problems', () => {
    expect(readRtStruct(good).problems).toEqual([]);
  });

  it('truncated files (ours and the real dicompyler one) are refused as truncated, never read empty', () => {
    const real = existsSync(REAL_RS) ? new Uint8Array(readFileSync(REAL_RS)) : null;
    for (const bytes of [good, ...(real ? [real] : [])]) {
      expect(readRtStruct(bytes).rois.length).toBeGreaterThan(0);
      for (const cut of [0.5, 0.9, 0.995]) {
        const part = bytes.subarray(0, Math.floor(bytes.length * cut));
        expect(() => readRtStruct(part)).toThrow(RtStructReadError);
        expect(() => readRtStruct(part)).toThrow(/truncated/);
      }
    }
  });

  it('duplicate ROI numbers: both named, neither merged into the other', () => {
    const bytes = mutate(good, (ds) => {
      items(ds.StructureSetROISequence)[2].ROINumber = 2;
    });
    const ss = readRtStruct(bytes);
    expect(ss.problems).toHaveLength(1);
    expect(ss.problems[0]).toMatch(/ROI number 2 is used by both "Parotid_L" and "Parotid_R"/);
    expect(ss.rois.map((r) => r.name)).not.toContain('Parotid_L');
    expect(ss.rois.map((r) => r.name)).not.toContain('Parotid_R');
    expect(ss.rois.filter((r) => r.number === 2)).toEqual([]);
  });

  it('NaN coordinates and a count that is not a multiple of 3: ROI and contour named, contour left out', () => {
    const bytes = mutate(good, (ds) => {
      const rc = items(ds.ROIContourSequence);
      const c1 = items(rc[1].ContourSequence)[1];
      (c1.ContourData as string[])[4] = 'NaN';
      const c0 = items(rc[0].ContourSequence)[0];
      c0.ContourData = (c0.ContourData as string[]).slice(0, 10);
    });
    const ss = readRtStruct(bytes);
    expect(ss.problems).toEqual([
      expect.stringMatching(/^ROI 1 "Brain", contour 1: 10 coordinates, not a multiple of 3/),
      expect.stringMatching(/^ROI 2 "Parotid_L", contour 2: 1 of 12 coordinates are not numbers/),
    ]);
    expect(ss.rois.map((r) => r.contours.length)).toEqual([1, 1, 1]);
  });

  it('the CLI --reference refuses the damaged file with the same lines', () => {
    const bytes = mutate(good, (ds) => {
      const c = items(items(ds.ROIContourSequence)[1].ContourSequence)[0];
      (c.ContourData as string[])[0] = 'NaN';
    });
    const file = join(work, 'nan.dcm');
    writeFileSync(file, bytes);
    const line = readRtStruct(bytes).problems[0];
    expect(line).toMatch(/ROI 2 "Parotid_L", contour 1/);
    let err: unknown;
    try {
      loadReference({ kind: 'rtstruct', path: file }, volume);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReferenceError);
    expect((err as Error).message).toContain(line);
    const cut = join(work, 'cut.dcm');
    writeFileSync(cut, good.subarray(0, good.length - 40));
    expect(() => loadReference({ kind: 'rtstruct', path: cut }, volume)).toThrow(/truncated/);
  });
});
