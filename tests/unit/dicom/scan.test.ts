import { describe, expect, it } from 'vitest';
import { buildCtVolume, loadCtVolume, scanDicomFiles, voxelToLps, lpsToVoxel, sliceIndexAt } from '../../../src/dicom';
import { ctSlice, IMPLICIT_LE, part10 } from './fixtures';

const file = (name: string, bytes: Uint8Array) => ({ name, bytes });

describe('scanDicomFiles', () => {
  it('skips non-DICOM files, names truncated ones, lists non-image objects', () => {
    const good = [0, 2, 4, 6, 8].map((z, i) => file(`s${i}.dcm`, ctSlice({ position: [0, 0, z], instanceNumber: i + 1 })));
    const truncated = ctSlice({ position: [0, 0, 10], instanceNumber: 6 }).subarray(0, 400);
    const rtstruct = part10([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.481.3' },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3.4' },
      { tag: 0x00080060, vr: 'CS', value: 'RTSTRUCT' },
    ]);
    const scan = scanDicomFiles([
      ...good,
      file('README.txt', new TextEncoder().encode('hello, not DICOM at all')),
      file('.DS_Store', new Uint8Array(10)),
      file('cut.dcm', truncated),
      file('rs.dcm', rtstruct),
    ]);
    expect(scan.totalFiles).toBe(9);
    expect(scan.notDicom).toEqual(['README.txt', '.DS_Store']);
    expect(scan.corrupt.map((c) => c.fileName)).toEqual(['cut.dcm']);
    expect(scan.corrupt[0].reason).toMatch(/truncated/);
    expect(scan.nonImage).toMatchObject([
      { fileName: 'rs.dcm', modality: 'RTSTRUCT', sopClassUID: '1.2.840.10008.5.1.4.1.1.481.3', fileIndex: 8 },
    ]);
    expect(scan.series).toHaveLength(1);
    expect(scan.series[0]).toMatchObject({
      modality: 'CT',
      sliceCount: 5,
      matrix: '3x4',
      pixelSpacing: [0.8, 0.5],
      sliceSpacing: 2,
    });
  });

  it('lists a DICOM SEG (which has pixel data) beside the series, never as a series to open', () => {
    const good = [0, 2, 4].map((z, i) => file(`s${i}.dcm`, ctSlice({ position: [0, 0, z], instanceNumber: i + 1 })));
    const seg = part10([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.66.4' },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3.9' },
      { tag: 0x00080060, vr: 'CS', value: 'SEG' },
      { tag: 0x00100010, vr: 'PN', value: 'Doe^Jane' },
      { tag: 0x00280010, vr: 'US', value: 2 },
      { tag: 0x00280011, vr: 'US', value: 2 },
      { tag: 0x00280100, vr: 'US', value: 1 },
      { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([0x05, 0]) },
    ]);
    const scan = scanDicomFiles([...good, file('seg.dcm', seg)]);
    expect(scan.series.map((s) => s.modality)).toEqual(['CT']);
    expect(scan.nonImage).toMatchObject([{ fileName: 'seg.dcm', modality: 'SEG', fileIndex: 3, patientName: 'Doe^Jane' }]);
  });

  it('groups by SeriesInstanceUID, and by other attributes when UIDs are empty', () => {
    const a = [0, 1, 2].map((z) => ctSlice({ position: [0, 0, z], seriesUID: '1.2.3.1', instanceNumber: z }));
    const b = [0, 1].map((z) => ctSlice({ position: [0, 0, z], seriesUID: '1.2.3.2', modality: 'MR' }));
    const noUid1 = [0, 1, 2, 3].map((z) =>
      ctSlice({ position: [0, 0, z], seriesUID: '', sopUID: '', seriesDescription: 'CT Body 3.0' }),
    );
    const noUid2 = [0, 1].map((z) => ctSlice({ position: [0, 0, z], seriesUID: '', sopUID: '', seriesDescription: 'Other' }));
    const scan = scanDicomFiles([...a, ...b, ...noUid1, ...noUid2].map((bytes, i) => file(`f${i}`, bytes)));
    const summary = scan.series.map((s) => `${s.modality}:${s.seriesDescription}:${s.instances.length}`);
    // CT first, largest first; the MR series last.
    expect(summary).toEqual(['CT:CT Body 3.0:4', 'CT:test series:3', 'CT:Other:2', 'MR:test series:2']);
  });

  it('reads a raw (no preamble) Implicit VR file', () => {
    const raw = part10(
      [
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
        { tag: 0x00080060, vr: 'CS', value: 'CT' },
        { tag: 0x00200032, vr: 'DS', value: '0\\0\\0' },
        { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
        { tag: 0x00280010, vr: 'US', value: 1 },
        { tag: 0x00280011, vr: 'US', value: 2 },
        { tag: 0x00280100, vr: 'US', value: 16 },
        { tag: 0x00280103, vr: 'US', value: 1 },
        { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array([0x18, 0xfc, 0x28, 0x00]) }, // -1000, 40
      ],
      IMPLICIT_LE,
      { preamble: false },
    );
    const files = [file('raw', raw)];
    const scan = scanDicomFiles(files);
    expect(scan.series).toHaveLength(1);
    const ct = buildCtVolume(scan.series[0], files);
    expect(Array.from(ct.hu)).toEqual([-1000, 40]);
  });
});

describe('buildCtVolume', () => {
  it('orders slices by position even when InstanceNumber and file names disagree', () => {
    // File names and InstanceNumbers ascend while positions descend.
    const zs = [8, 6, 4, 2, 0];
    const files = zs.map((z, i) =>
      file(`IM${i + 1}`, ctSlice({ position: `-10\\-20\\${z}`, instanceNumber: i + 1, rescaleIntercept: -1024 })),
    );
    const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
    expect(ct.dims).toEqual([3, 4, 5]);
    expect(ct.spacing).toEqual([0.8, 0.5, 2]);
    expect(ct.origin).toEqual([-10, -20, 0]);
    expect(ct.slices.map((s) => s.instanceNumber)).toEqual([5, 4, 3, 2, 1]);
    // Pixel (i=2, j=1) of slice k=0 is instance 5's stored value 500 + (1*3+2) = 505, minus 1024.
    expect(ct.hu[2 + 1 * 3 + 0 * 12]).toBe(505 - 1024);
    expect(ct.hu[0 + 0 + 4 * 12]).toBe(100 - 1024);
    expect(ct.meta).toMatchObject({ modality: 'CT', patientName: 'Test^Patient', seriesInstanceUID: '1.2.826.0.1.2' });
    expect(ct.warnings).toEqual([]);
  });

  it('warns not-ct for another modality and still builds the volume', () => {
    const files = [0, 1, 2, 3, 4].map((z) => file(`m${z}`, ctSlice({ position: [0, 0, z], modality: 'MR' })));
    const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
    expect(ct.warnings.map((w) => `${w.severity}:${w.code}`)).toEqual(['error:not-ct']);
    expect(ct.warnings[0].message).toMatch(/MR series, not CT/);
  });

  it('loadCtVolume reads each file through the callback and fills the same buffer', async () => {
    const files = [0, 3, 6, 9, 12].map((z, i) => file(`s${i}`, ctSlice({ position: [0, 0, z], instanceNumber: i })));
    const reads: string[] = [];
    const ct = await loadCtVolume(scanDicomFiles(files).series[0], {
      readFile: async (h) => {
        reads.push(h.fileName);
        return files[h.fileIndex].bytes;
      },
    });
    expect(reads.sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(ct.hu[4 * 12 + 11]).toBe(411);
  });
});

describe('coords', () => {
  const files = [0, 2, 5, 7, 9].map((z, i) => file(`s${i}`, ctSlice({ position: [-10, -20, z], instanceNumber: i })));
  const ct = buildCtVolume(scanDicomFiles(files).series[0], files);

  it('maps voxels to LPS with each slice at its true position (non-uniform spacing)', () => {
    expect(voxelToLps(ct, 0, 0, 2)).toEqual([-10, -20, 5]);
    expect(voxelToLps(ct, 2, 3, 1.5)).toEqual([-10 + 2 * 0.8, -20 + 3 * 0.5, 3.5]);
    expect(sliceIndexAt(ct, 6)).toBeCloseTo(2.5);
    const v = lpsToVoxel(ct, [-9.2, -19, 8]);
    expect(v[0]).toBeCloseTo(1);
    expect(v[1]).toBeCloseTo(2);
    expect(v[2]).toBeCloseTo(3.5);
  });
});

describe('scanDicomSources (lazy reads)', () => {
  it('reads only a prefix of each file, and the whole file when the header does not fit', async () => {
    const { scanDicomSources } = await import('../../../src/dicom');
    // 64 x 64 slices: 8 KiB of pixels after a header of well under 1 KiB.
    const files = [0, 2, 4, 6, 8].map((z, i) => ctSlice({ position: [0, 0, z], instanceNumber: i, rows: 64, columns: 64 }));
    const reads: (number | undefined)[] = [];
    const sources = files.map((bytes, i) => ({
      name: `f${i}`,
      size: bytes.length,
      read: async (end?: number) => {
        reads.push(end);
        return end === undefined ? bytes : bytes.subarray(0, end);
      },
    }));
    // A 200-byte prefix ends inside the header of every file: each is read again in full.
    const scan = await scanDicomSources(sources, { prefixBytes: 200 });
    expect(scan.series[0]?.sliceCount).toBe(5);
    expect(reads.filter((r) => r === 200)).toHaveLength(5);
    expect(reads.filter((r) => r === undefined)).toHaveLength(5);
    // With a prefix that holds the header (but not all pixels), no file is read in full.
    reads.length = 0;
    await scanDicomSources(sources, { prefixBytes: 1200 });
    expect(reads).toEqual([1200, 1200, 1200, 1200, 1200]);
  });
});
