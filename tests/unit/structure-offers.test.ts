import { describe, expect, it } from 'vitest';
import { formatDicomDate, formatPersonName, matchStructureSet, otherSeriesLine } from '../../src/app/structureOffers';
import type { CtVolume } from '../../src/volume/volume';

const ct = (series: string, frame: string, sops: string[]) =>
  ({
    meta: { seriesInstanceUID: series, frameOfReferenceUID: frame },
    slices: sops.map((sopInstanceUID) => ({ sopInstanceUID })),
  }) as unknown as Pick<CtVolume, 'meta' | 'slices'>;

const refs = (series: string[], sops: string[], frames: string[]) => ({
  referencedSeriesUIDs: series,
  referencedSOPInstanceUIDs: sops,
  frameOfReferenceUIDs: frames,
});

describe('matchStructureSet', () => {
  it('matches on the referenced series, else on an image, else on the frame of reference only', () => {
    const c = ct('1.2.3', '9.9', ['1.2.3.1', '1.2.3.2']);
    expect(matchStructureSet(refs(['1.2.3'], [], []), c)).toBe('series');
    expect(matchStructureSet(refs(['7.7'], ['1.2.3.2'], []), c)).toBe('series');
    expect(matchStructureSet(refs(['7.7'], ['7.7.1'], ['9.9']), c)).toBe('frame');
    expect(matchStructureSet(refs(['7.7'], ['7.7.1'], ['8.8']), c)).toBe('none');
  });
  it('empty UIDs on the CT match nothing', () => {
    expect(matchStructureSet(refs([''], [''], ['']), ct('', '', ['', '']))).toBe('none');
  });
});

describe('chooser formatting', () => {
  it('dates and person names', () => {
    expect(formatDicomDate('20011120')).toBe('2001-11-20');
    expect(formatDicomDate('')).toBe('');
    expect(formatDicomDate('2001')).toBe('2001');
    expect(formatPersonName('Doe^Jane^Q')).toBe('Doe, Jane Q');
    expect(formatPersonName('HNSCC-01-0002')).toBe('HNSCC-01-0002');
    expect(formatPersonName('^Jane')).toBe('Jane');
    expect(formatPersonName('Doe^Jane=ドウ^ジェーン')).toBe('Doe, Jane');
  });
});

describe('otherSeriesLine (issue 16: an RTSTRUCT for another series is named, not passed over)', () => {
  const ctOf = (patientName: string, patientID: string) =>
    ({ meta: { patientName, patientID } }) as unknown as Pick<CtVolume, 'meta'>;
  it('names the object, its file and both patients when they differ', () => {
    const line = otherSeriesLine(
      [{ label: 'RTSTRUCT', fileName: '1-1.dcm', patientName: 'HNSCC-01-0002', patientID: 'HNSCC-01-0002' }],
      ctOf('HNSCC-01-0014', 'HNSCC-01-0014'),
    );
    expect(line).toBe(
      'RTSTRUCT "RTSTRUCT" (1-1.dcm) references a series that is not open (patient HNSCC-01-0002 / HNSCC-01-0002, not this CT\'s patient HNSCC-01-0014 / HNSCC-01-0014): not offered for import.',
    );
  });
  it("leaves the patient out when it is the CT's own, one sentence per object", () => {
    const line = otherSeriesLine(
      [
        { label: 'A', fileName: 'a.dcm', patientName: 'Doe^Jane', patientID: '1' },
        { label: 'B', fileName: 'b.dcm' },
      ],
      ctOf('Doe^Jane', '1'),
    );
    expect(line).toBe(
      'RTSTRUCT "A" (a.dcm) references a series that is not open: not offered for import. RTSTRUCT "B" (b.dcm) references a series that is not open: not offered for import.',
    );
  });
});
