/**
 * The real series in ../shared/data/real. Expected values were computed independently with pydicom 2.3
 * (Pillow's OpenJPEG for the JPEG 2000 series): slices sorted by z, HU = round(stored * slope + intercept).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCtVolume, loadCtVolume, scanDicomFiles, type CtVolume } from '../../../src/dicom';
import { nodeDecoder } from '../../../src/dicom/nodeCodecs';

const REAL = resolve(__dirname, '../../../../shared/data/real');
const have = existsSync(REAL);
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const filesOf = (dir: string) => walk(join(REAL, dir)).map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(p)) }));
const sum = (ct: CtVolume) => {
  let s = 0;
  for (const v of ct.hu) s += v;
  return s;
};
const at = (ct: CtVolume, i: number, j: number, k: number) => ct.hu[i + j * ct.dims[0] + k * ct.dims[0] * ct.dims[1]];

describe.skipIf(!have)(`real DICOM series (${have ? REAL : 'skipped: ../shared/data/real is absent'})`, () => {
  it('totalseg-example: JPEG 2000 lossless, empty UIDs, one series, HU as pydicom', async () => {
    const files = filesOf('totalseg-example/example_ct_dicom');
    const scan = scanDicomFiles(files);
    expect(scan.series).toHaveLength(1);
    const s = scan.series[0];
    expect(s.seriesInstanceUID).toBe('');
    expect(s).toMatchObject({ modality: 'CT', seriesDescription: 'CT Body 3.0', sliceCount: 20, matrix: '512x512' });
    const ct = await loadCtVolume(s, { readFile: async (h) => files[h.fileIndex].bytes, decoder: nodeDecoder });
    expect(ct.dims).toEqual([512, 512, 20]);
    expect(ct.spacing).toEqual([0.9765625, 0.9765625, 2]);
    expect(ct.origin).toEqual([-249.51171875, -437.51171875, -804.5]);
    expect(ct.slices[19].position[2]).toBe(-766.5);
    expect(ct.slices.every((sl) => sl.sopInstanceUID === '' && !!sl.mediaStorageSOPInstanceUID)).toBe(true);
    expect(sum(ct)).toBe(-3272217339);
    expect(at(ct, 100, 200, 10)).toBe(-819);
    expect(ct.warnings).toEqual([]);
  });

  it('hnscc-rtai 01-0001: 8-bit stored, slope 16, non-uniform spacing; RTSTRUCT listed separately', () => {
    const files = filesOf('hnscc-rtai/HNSCC/HNSCC-01-0001');
    const scan = scanDicomFiles(files);
    expect(scan.nonImage.map((n) => n.modality)).toEqual(['RTSTRUCT']);
    expect(scan.series).toHaveLength(1);
    const ct = buildCtVolume(scan.series[0], files);
    expect(ct.dims).toEqual([64, 64, 117]);
    expect(ct.slices[0].position[2]).toBeCloseTo(-1466.37, 2);
    expect(ct.slices[116].position[2]).toBeCloseTo(-1178.31, 2);
    expect(sum(ct)).toBe(-399923200);
    expect(at(ct, 20, 40, 58)).toBe(-880);
    expect(ct.warnings.map((w) => `${w.severity}:${w.code}`)).toEqual(['warning:non-uniform-spacing']);
  });

  it('every hnscc-rtai patient folder gives one 64x64 CT series', () => {
    const expected: Record<string, number> = { '0001': 117, '0002': 123, '0003': 156, '0007': 132, '0014': 163 };
    for (const [p, n] of Object.entries(expected)) {
      const scan = scanDicomFiles(filesOf(`hnscc-rtai/HNSCC/HNSCC-01-${p}`));
      expect(
        scan.series.map((s) => `${s.modality} ${s.matrix} ${s.sliceCount}`),
        p,
      ).toEqual([`CT 64x64 ${n}`]);
    }
  });

  it('dcmqi ct-3slice: opens, segmentation blocked (3 slices)', () => {
    const files = filesOf('dcmqi-ct3slice/ct-3slice');
    const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
    expect(ct.dims).toEqual([512, 512, 3]);
    expect(sum(ct)).toBe(-750951030);
    expect(at(ct, 100, 200, 1)).toBe(-848);
    expect(ct.warnings.map((w) => `${w.severity}:${w.code}`)).toEqual(['error:too-few-slices']);
  });

  it('dicompyler-breast ct.0.dcm: one slice, spacing from SliceThickness', () => {
    const files = filesOf('dicompyler-breast');
    const scan = scanDicomFiles(files);
    expect(scan.nonImage.map((n) => n.modality).sort()).toEqual(['RTPLAN', 'RTSTRUCT']);
    const ct = buildCtVolume(scan.series[0], files);
    expect(ct.dims).toEqual([512, 512, 1]);
    expect(ct.spacing[2]).toBe(3);
    expect(sum(ct)).toBe(-210494566);
    expect(at(ct, 100, 200, 0)).toBe(-954);
  });
});
