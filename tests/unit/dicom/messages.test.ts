/**
 * Issue 17 point 6, messages: a compressed slice that cannot be decoded gives a readable reason and is left out
 * (not "[object Object]", not a blocked series); a change of slice spacing is named as such, not as missing
 * slices; a file copied twice is counted once with a notice; a slice without ImagePositionPatient is named and
 * skipped.
 */
import { describe, expect, it } from 'vitest';
import { buildCtVolume, checkSpacing, loadCtVolume, scanDicomFiles, segmentationAllowed } from '../../../src/dicom';
import { concat, ctSlice, part10, type El } from './fixtures';

const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const file = (name: string, bytes: Uint8Array) => ({ name, bytes });

/** An encapsulated (JPEG lossless) slice: header elements, then Pixel Data of undefined length with one fragment. */
function encapsulatedSlice(z: number, n: number): Uint8Array {
  const els: El[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.77.${n}` },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.77' },
    { tag: 0x00200013, vr: 'IS', value: n },
    { tag: 0x00200032, vr: 'DS', value: `0\\0\\${z}` },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: 4 },
    { tag: 0x00280011, vr: 'US', value: 4 },
    { tag: 0x00280030, vr: 'DS', value: '1\\1' },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
  ];
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
  const fragment = new Uint8Array(8).fill(n);
  const pixel = new Uint8Array([
    0xe0,
    0x7f,
    0x10,
    0x00,
    0x4f,
    0x42,
    0,
    0,
    ...u32(0xffffffff),
    0xfe,
    0xff,
    0x00,
    0xe0,
    ...u32(0), // basic offset table, empty
    0xfe,
    0xff,
    0x00,
    0xe0,
    ...u32(fragment.length),
    ...fragment,
    0xfe,
    0xff,
    0xdd,
    0xe0,
    ...u32(0),
  ]);
  return concat([part10(els, JPEG_LOSSLESS), pixel]);
}

describe('messages for broken slices', () => {
  it('a slice whose codec rejects with a plain object: readable reason, left out, series still segmentable', async () => {
    const files = [0, 1, 2, 3, 4, 5, 6].map((k) => file(`c${k}.dcm`, encapsulatedSlice(k * 2, k + 1)));
    const scan = scanDicomFiles(files);
    expect(scan.series).toHaveLength(1);
    const volume = await loadCtVolume(scan.series[0], {
      readFile: async (h) => files[h.fileIndex].bytes,
      // slice 4 "truncated": the codec rejects with an object, as Cornerstone's decoders do
      decoder: async (frame) => {
        if (frame[0] === 4) throw { code: 'DECODE_FAILED' };
        return new Int16Array(16).fill(40);
      },
    });
    expect(volume.dims[2]).toBe(6);
    const w = volume.warnings.find((x) => x.code === 'unreadable-slice');
    expect(w?.message).toMatch(/c3\.dcm/);
    expect(w?.message).not.toMatch(/object Object/);
    expect(w?.message).toMatch(/DECODE_FAILED/);
    expect(w?.severity).toBe('warning');
    expect(volume.warnings.some((x) => x.code === 'missing-slices')).toBe(true);
    expect(segmentationAllowed(volume.warnings)).toBe(true);
  });

  it('a change of slice spacing is named as such, not as missing slices', () => {
    const w = checkSpacing([0, 2.5, 5, 7.5, 10, 15, 20, 25, 30]);
    expect(w.map((x) => x.code)).toEqual(['non-uniform-spacing']);
    expect(w[0].message).toMatch(/changes from 2\.5 mm to 5 mm at 10 mm/);
    // a real gap is still a gap
    expect(checkSpacing([0, 2, 4, 8, 10, 12]).map((x) => x.code)).toEqual(['missing-slices']);
  });

  it('a file copied twice is counted once, with a notice; no duplicate-position error', () => {
    const slices = [0, 2, 4, 6, 8].map((z, i) => file(`s${i}.dcm`, ctSlice({ position: [0, 0, z], instanceNumber: i + 1 })));
    const files = [...slices, file('copy of s2.dcm', slices[2].bytes)];
    const scan = scanDicomFiles(files);
    const volume = buildCtVolume(scan.series[0], files);
    expect(volume.dims[2]).toBe(5);
    const w = volume.warnings.find((x) => x.code === 'duplicate-instance');
    expect(w?.message).toMatch(/copy of s2\.dcm/);
    expect(volume.warnings.some((x) => x.code === 'duplicate-positions')).toBe(false);
    expect(segmentationAllowed(volume.warnings)).toBe(true);
  });

  it('a slice without ImagePositionPatient is named and skipped', () => {
    const files = [0, 2, 4, 6, 8, 10].map((z, i) => file(`s${i}.dcm`, ctSlice({ position: [0, 0, z], instanceNumber: i + 1 })));
    files.push(file('nopos.dcm', ctSlice({ position: '', instanceNumber: 9, sopUID: '1.2.826.0.1.9.99' })));
    const scan = scanDicomFiles(files);
    const volume = buildCtVolume(scan.series[0], files);
    expect(volume.dims[2]).toBe(6);
    expect(volume.warnings.find((x) => x.code === 'missing-position')?.message).toMatch(/nopos\.dcm/);
  });
});
