/** Pure pieces of the viewer and app: orientation labels, window presets, user notices. */
import { describe, expect, it } from 'vitest';
import { mergeNotices, scanNotices, volumeNotices } from '../../../src/ui/notices';
import type { ScanResult } from '../../../src/dicom/series';
import type { CtVolume } from '../../../src/volume/volume';
import { edgeLabels } from '../../../src/viewer/orientation';
import { voiRangeOf, windowOf, WINDOW_PRESETS } from '../../../src/viewer/presets';

describe('edgeLabels (Cornerstone camera: viewPlaneNormal points to the viewer)', () => {
  it('axial seen from the feet: anterior up, patient left on the right', () => {
    expect(edgeLabels([0, -1, 0], [0, 0, -1])).toEqual({ top: 'A', bottom: 'P', left: 'R', right: 'L' });
  });
  it('sagittal seen from the patient left: head up, anterior on the left', () => {
    expect(edgeLabels([0, 0, 1], [1, 0, 0])).toEqual({ top: 'S', bottom: 'I', left: 'A', right: 'P' });
  });
  it('coronal seen from the front: head up, patient left on the right', () => {
    expect(edgeLabels([0, 0, 1], [0, -1, 0])).toEqual({ top: 'S', bottom: 'I', left: 'R', right: 'L' });
  });
  it('a camera rolled by 30 degrees names both directions of each edge', () => {
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    expect(edgeLabels([s, -c, 0], [0, 0, -1]).top).toBe('AL');
  });
});

describe('window presets', () => {
  it('convert between window/level and the VOI range', () => {
    expect(voiRangeOf(400, 40)).toEqual({ lower: -160, upper: 240 });
    expect(windowOf({ lower: -1350, upper: 150 })).toEqual({ window: 1500, level: -600 });
  });
  it('has the four clinical presets with distinct shortcuts', () => {
    expect(WINDOW_PRESETS.map((p) => p.label)).toEqual(['Soft tissue', 'Lung', 'Bone', 'Brain']);
    expect(new Set(WINDOW_PRESETS.map((p) => p.key)).size).toBe(4);
  });
});

const scan = (over: Partial<ScanResult>): ScanResult => ({
  series: [],
  notDicom: [],
  corrupt: [],
  nonImage: [],
  totalFiles: 0,
  ...over,
});

describe('notices', () => {
  it('no DICOM: counts what was found instead', () => {
    const n = scanNotices(
      scan({
        totalFiles: 3,
        notDicom: ['a.txt', 'b.pdf'],
        nonImage: [{ fileName: 'rs.dcm', modality: 'RTSTRUCT', sopClassUID: '' }],
      }),
    );
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ id: 'no-dicom', severity: 'error', title: 'No DICOM images found.' });
    expect(n[0].detail).toContain('2 files not DICOM');
    expect(n[0].detail).toContain('1 DICOM without images (RTSTRUCT)');
  });
  it('an empty folder says so', () => {
    expect(scanNotices(scan({}))[0].title).toBe('No files found.');
  });
  it('corrupt files are named', () => {
    const n = scanNotices(scan({ corrupt: [{ fileName: 'x/IM7', reason: 'truncated' }], series: [{} as never] }));
    expect(n.map((x) => x.id)).toEqual(['corrupt-files']);
    expect(n[0].items).toEqual(['x/IM7: truncated']);
  });
  it('volume warnings become notices keyed by code; merging keeps one per id', () => {
    const ct = {
      warnings: [
        { code: 'too-few-slices', severity: 'error', message: 'Only 3 slices' },
        { code: 'non-uniform-spacing', severity: 'warning', message: 'varies' },
      ],
    } as unknown as CtVolume;
    const v = volumeNotices(ct);
    expect(v.map((x) => `${x.id}:${x.severity}:${x.title}`)).toEqual([
      'geometry-too-few-slices:error:Segmentation blocked',
      'geometry-non-uniform-spacing:warning:Check the series',
    ]);
    expect(mergeNotices(v, v)).toHaveLength(2);
    expect(mergeNotices(v, [{ id: 'geometry-too-few-slices', severity: 'error', title: 'new' }])[0].title).toBe('new');
  });
});
