import { describe, expect, it } from 'vitest';
import { decodedFrameToHU, nativeFrameToHU, type PixelFormat } from '../../../src/dicom/pixels';

const fmt = (f: Partial<PixelFormat>): PixelFormat => ({
  rows: 1,
  columns: 4,
  bitsAllocated: 16,
  bitsStored: 16,
  highBit: 15,
  pixelRepresentation: 1,
  rescaleSlope: 1,
  rescaleIntercept: 0,
  samplesPerPixel: 1,
  ...f,
});
const le16 = (vals: number[]) => new Uint8Array(new Uint16Array(vals.map((v) => v & 0xffff)).buffer);
const run = (bytes: Uint8Array, f: PixelFormat, littleEndian = true) => {
  const out = new Int16Array(f.rows * f.columns + 2).fill(7);
  nativeFrameToHU(bytes, f, out, 1, littleEndian);
  return Array.from(out);
};

describe('nativeFrameToHU', () => {
  it('signed 16-bit with integer rescale, writes at the offset only', () => {
    expect(run(le16([-1000, 0, 40, 3000]), fmt({ rescaleIntercept: -24 }))).toEqual([7, -1024, -24, 16, 2976, 7]);
  });

  it('unsigned 12-bit in 16 with junk in the high bits (overlay bits are masked)', () => {
    const f = fmt({ bitsStored: 12, highBit: 11, pixelRepresentation: 0, rescaleIntercept: -1024 });
    expect(run(le16([0xf000 | 0, 0x1000 | 1024, 4095, 2048]), f)).toEqual([7, -1024, 0, 3071, 1024, 7]);
  });

  it('signed 12-bit stored values are sign-extended', () => {
    const f = fmt({ bitsStored: 12, highBit: 11 });
    expect(run(le16([0x0fff, 0x0800, 0x07ff, 0]), f)).toEqual([7, -1, -2048, 2047, 0, 7]);
  });

  it('8-bit with slope 16 (the HNSCC series)', () => {
    const f = fmt({
      bitsAllocated: 8,
      bitsStored: 8,
      highBit: 7,
      pixelRepresentation: 0,
      rescaleSlope: 16,
      rescaleIntercept: -1024,
    });
    expect(run(new Uint8Array([0, 2, 64, 255]), f)).toEqual([7, -1024, -992, 0, 3056, 7]);
  });

  it('non-integer slope rounds, results clamp to int16', () => {
    const f = fmt({ rescaleSlope: 0.5, rescaleIntercept: -1000.2 });
    expect(run(le16([1, 3, 0, 0]), f)).toEqual([7, -1000, -999, -1000, -1000, 7]);
    const big = fmt({ rescaleSlope: 10, pixelRepresentation: 0 });
    expect(run(le16([65535, 1, 0, 5000]), big)).toEqual([7, 32767, 10, 0, 32767, 7]);
  });

  it('big endian 16-bit', () => {
    const be = new Uint8Array([0xfc, 0x18, 0x00, 0x28, 0x00, 0x00, 0x00, 0x80]); // -1000, 40, 0, 128
    expect(run(be, fmt({}), false)).toEqual([7, -1000, 40, 0, 128, 7]);
  });

  it('rejects colour and short data', () => {
    expect(() => run(le16([0, 0, 0, 0]), fmt({ samplesPerPixel: 3 }))).toThrow(/samples per pixel/);
    expect(() => run(le16([0, 0]), fmt({}))).toThrow(/expected 8/);
  });
});

describe('decodedFrameToHU', () => {
  it('applies rescale to codec output (unsigned 12-bit) and handles signed codec output', () => {
    const out = new Int16Array(4);
    decodedFrameToHU(
      new Uint16Array([0, 1024, 4095, 24]),
      fmt({ bitsStored: 12, highBit: 11, pixelRepresentation: 0, rescaleIntercept: -1024 }),
      out,
      0,
    );
    expect(Array.from(out)).toEqual([-1024, 0, 3071, -1000]);
    decodedFrameToHU(new Int16Array([-2000, -1, 0, 2047]), fmt({ bitsStored: 12, highBit: 11 }), out, 0);
    expect(Array.from(out)).toEqual([-2000, -1, 0, 2047]);
  });
});
