import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { extractContours, type OrganContours } from '../../../src/contours';
import {
  buildRtStruct,
  derivedUid,
  formatDS,
  isValidUid,
  organRois,
  randomUid,
  readRtStruct,
  rtStructFileName,
  RtStructError,
  seriesUids,
} from '../../../src/rtstruct';
import { makeVolume } from '../contours/fixtures';

function naturalized(bytes: Uint8Array): { ds: NaturalDataset; meta: NaturalDataset } {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return {
    ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict),
    meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta),
  };
}

describe('formatDS', () => {
  it('keeps short numbers exact and rounds coordinates to 1e-4 mm', () => {
    expect(formatDS(-766.5)).toBe('-766.5');
    expect(formatDS(168.56)).toBe('168.56');
    expect(formatDS(-0)).toBe('0');
    expect(formatDS(-0.00004, 4)).toBe('0'); // no '-0'
    expect(formatDS(12.3456789, 4)).toBe('12.3457');
  });

  it('never exceeds 16 characters', () => {
    for (const v of [-1466.4000000000001, 1 / 3, -123456.789012345, 1e-9, -3.14159e20, 123456789012345678]) {
      const s = formatDS(v);
      expect(s.length, s).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(s) - v) / Math.abs(v)).toBeLessThan(1e-9);
    }
  });

  it('rejects non-finite values', () => {
    expect(() => formatDS(Number.NaN)).toThrow(RangeError);
  });
});

describe('UIDs', () => {
  it('random and derived UIDs are valid 2.25 UIDs; derived ones are deterministic', () => {
    const a = randomUid();
    expect(isValidUid(a)).toBe(true);
    expect(a.startsWith('2.25.')).toBe(true);
    expect(randomUid()).not.toBe(a);
    expect(derivedUid('x')).toBe(derivedUid('x'));
    expect(derivedUid('x')).not.toBe(derivedUid('y'));
    expect(isValidUid(derivedUid('anything'))).toBe(true);
  });

  it('isValidUid rejects empty, leading zeros, letters and > 64 chars', () => {
    expect(isValidUid('')).toBe(false);
    expect(isValidUid('1.02.3')).toBe(false);
    expect(isValidUid('1.2.a')).toBe(false);
    expect(isValidUid('1.' + '2'.repeat(63))).toBe(false);
    expect(isValidUid('1.2.0.3')).toBe(true);
  });

  it('falls back to the file meta UID, then to derived UIDs, for a series with empty UIDs', () => {
    const v = makeVolume({ dims: [4, 4, 3], uids: ['', '', ''] });
    v.meta.studyInstanceUID = '';
    v.meta.seriesInstanceUID = '';
    v.slices[0].mediaStorageSOPInstanceUID = '1.2.3.4.100';
    const u = seriesUids(v);
    expect(u.sopInstanceUIDs[0]).toBe('1.2.3.4.100');
    expect(isValidUid(u.sopInstanceUIDs[1])).toBe(true);
    expect(new Set(u.sopInstanceUIDs).size).toBe(3);
    expect(isValidUid(u.studyInstanceUID) && isValidUid(u.seriesInstanceUID)).toBe(true);
    expect(u.generated).toEqual(['study', 'series', 'sopInstanceFromMeta', 'sopInstance']);
    // same series opened again: same UIDs (so an exported file still matches it on import)
    const again = makeVolume({ dims: [4, 4, 3], uids: ['', '', ''] });
    again.meta.studyInstanceUID = '';
    again.meta.seriesInstanceUID = '';
    again.slices[0].mediaStorageSOPInstanceUID = '1.2.3.4.100';
    expect(seriesUids(again)).toEqual(u);
  });
});

describe('buildRtStruct', () => {
  const v = makeVolume({ dims: [12, 10, 4], spacing: [0.75, 0.75], origin: [-4.125, -3.375, -20], offsets: [0, 2, 4, 6] });
  const labels = new Uint8Array(12 * 10 * 4);
  for (let j = 2; j < 6; j++) for (let i = 2; i < 7; i++) labels[i + j * 12 + 12 * 10] = 22; // Heart, slice 1
  labels[10 + 8 * 12 + 2 * 120] = 32; // Spleen, slice 2
  const organs = extractContours(v, labels);

  it('writes the structure set modules with the CT patient/study and new instance/series UIDs', () => {
    const r = buildRtStruct(v, organRois(organs), {
      date: new Date(2024, 4, 6, 7, 8, 9),
      sopInstanceUID: '1.2.3',
      seriesInstanceUID: '1.2.4',
    });
    const { ds, meta } = naturalized(r.bytes);
    expect(meta.TransferSyntaxUID).toBe('1.2.840.10008.1.2');
    expect(meta.MediaStorageSOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.481.3');
    expect(meta.MediaStorageSOPInstanceUID).toBe('1.2.3');
    expect(ds.SOPInstanceUID).toBe('1.2.3');
    expect(ds.SeriesInstanceUID).toBe('1.2.4');
    expect(ds.StudyInstanceUID).toBe(v.meta.studyInstanceUID);
    expect(ds.PatientID).toBe('TEST001');
    expect(ds.StructureSetDate).toBe('20240506');
    expect(ds.StructureSetTime).toBe('070809');
    expect(ds.ApprovalStatus).toBe('UNAPPROVED');
    expect(r.roiCount).toBe(2);
    expect(r.contourCount).toBe(2);
    const names = (ds.StructureSetROISequence as NaturalDataset[]).map((x) => [x.ROINumber, x.ROIName]);
    expect(names).toEqual([
      [22, 'Heart'],
      [32, 'Spleen'],
    ]);
  });

  it('exports only the requested organs (visible only)', () => {
    const r = buildRtStruct(v, organRois(organs, [32]));
    const back = readRtStruct(r.bytes);
    expect(back.rois.map((x) => x.name)).toEqual(['Spleen']);
  });

  it('refuses duplicate ROI numbers and contours on slices the series does not have', () => {
    const rois = organRois(organs);
    expect(() => buildRtStruct(v, [rois[0], { ...rois[1], number: rois[0].number }])).toThrow(RtStructError);
    const bad: OrganContours[] = [{ channel: 22, contours: [{ k: 9, points: organs[0].contours[0].points }] }];
    expect(() => buildRtStruct(v, organRois(bad))).toThrow(/slice 9/);
  });

  it('names the file RS_<patient>_<date>.dcm with file-name-safe characters', () => {
    expect(rtStructFileName(v, new Date(2024, 11, 31))).toBe('RS_TEST001_20241231.dcm');
    const w = makeVolume({ dims: [2, 2, 1] });
    w.meta.patientID = '';
    w.meta.patientName = 'Doe^John / X';
    expect(rtStructFileName(w, new Date(2024, 0, 1))).toBe('RS_Doe_John_X_20240101.dcm');
    w.meta.patientName = '';
    expect(rtStructFileName(w, new Date(2024, 0, 1))).toBe('RS_anonymous_20240101.dcm');
  });
});
