/**
 * Stored pixel values -> Hounsfield units, written straight into the volume's one Int16Array
 * (no per-slice buffers). Pure functions; used in Node and in the browser.
 */
import type { DicomHeader } from './header';
import { TS } from './header';
import dicomParser from './dicomParser';
import { parseDataSet } from './header';

export type PixelFormat = Pick<
  DicomHeader,
  | 'rows'
  | 'columns'
  | 'bitsAllocated'
  | 'bitsStored'
  | 'highBit'
  | 'pixelRepresentation'
  | 'rescaleSlope'
  | 'rescaleIntercept'
  | 'samplesPerPixel'
>;

export class PixelDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PixelDataError';
  }
}

const HU_MIN = -32768;
const HU_MAX = 32767;

/**
 * Build the stored-value -> HU mapping: mask to BitsStored at HighBit (high bits may hold overlays),
 * sign-extend when PixelRepresentation = 1, then apply RescaleSlope/Intercept, round and clamp.
 */
function huMapper(fmt: PixelFormat): (raw: number) => number {
  const bits = Math.min(fmt.bitsStored, 32);
  const shift = Math.max(0, fmt.highBit + 1 - bits);
  const signed = fmt.pixelRepresentation === 1;
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  const { rescaleSlope: m, rescaleIntercept: b } = fmt;
  return (raw: number) => {
    let v = Math.floor(raw / 2 ** shift) % (mask + 1);
    if (v < 0) v += mask + 1;
    if (signed && v >= signBit) v -= mask + 1;
    const hu = Math.round(v * m + b);
    return hu < HU_MIN ? HU_MIN : hu > HU_MAX ? HU_MAX : hu;
  };
}

/**
 * Native (uncompressed) frame bytes -> HU into `dst[dstOffset ...]`.
 * `littleEndian` is false only for the retired Explicit VR Big Endian syntax.
 */
export function nativeFrameToHU(
  bytes: Uint8Array,
  fmt: PixelFormat,
  dst: Int16Array,
  dstOffset: number,
  littleEndian = true,
): void {
  if (fmt.samplesPerPixel !== 1) throw new PixelDataError(`${fmt.samplesPerPixel} samples per pixel: not a greyscale CT image`);
  const n = fmt.rows * fmt.columns;
  const bpp = fmt.bitsAllocated / 8;
  if (![1, 2, 4].includes(bpp)) throw new PixelDataError(`BitsAllocated ${fmt.bitsAllocated} is not supported`);
  if (bytes.length < n * bpp) throw new PixelDataError(`pixel data has ${bytes.length} bytes, expected ${n * bpp}`);
  const toHU = huMapper(fmt);
  // Fast path for the common CT case: 16-bit, no masking needed, integer rescale.
  const plain16 =
    bpp === 2 && fmt.bitsStored === 16 && Number.isInteger(fmt.rescaleSlope) && Number.isInteger(fmt.rescaleIntercept);
  if (plain16 && littleEndian) {
    const signed = fmt.pixelRepresentation === 1;
    const { rescaleSlope: m, rescaleIntercept: b } = fmt;
    for (let i = 0, o = 0; i < n; i++, o += 2) {
      let v = bytes[o] | (bytes[o + 1] << 8);
      if (signed && v > 0x7fff) v -= 0x10000;
      const hu = v * m + b;
      dst[dstOffset + i] = hu < HU_MIN ? HU_MIN : hu > HU_MAX ? HU_MAX : hu;
    }
    return;
  }
  for (let i = 0, o = 0; i < n; i++, o += bpp) {
    let raw: number;
    if (bpp === 1) raw = bytes[o];
    else if (bpp === 2) raw = littleEndian ? bytes[o] | (bytes[o + 1] << 8) : (bytes[o] << 8) | bytes[o + 1];
    else
      raw = littleEndian
        ? (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16)) + bytes[o + 3] * 0x1000000
        : ((bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) + bytes[o] * 0x1000000;
    dst[dstOffset + i] = toHU(raw);
  }
}

/**
 * Pixels already decoded by a codec (one value per pixel, as the codec returns them: signed or unsigned
 * stored values) -> HU. Masking and sign extension follow BitsStored, as for native data.
 */
export function decodedFrameToHU(values: ArrayLike<number>, fmt: PixelFormat, dst: Int16Array, dstOffset: number): void {
  const n = fmt.rows * fmt.columns;
  if (values.length < n) throw new PixelDataError(`decoder returned ${values.length} pixels, expected ${n}`);
  const toHU = huMapper({ ...fmt, highBit: fmt.bitsStored - 1 });
  for (let i = 0; i < n; i++) dst[dstOffset + i] = toHU(values[i]);
}

/** The Pixel Data of frame 0 of a whole file: native bytes, or the compressed frame for a codec. */
export function extractFrame(fileBytes: Uint8Array, transferSyntaxUID: string): { encapsulated: boolean; bytes: Uint8Array } {
  const dset = parseDataSet(fileBytes, false);
  const el = dset.elements.x7fe00010;
  if (!el) throw new PixelDataError('no Pixel Data element');
  const arr = dset.byteArray as Uint8Array;
  if (el.encapsulatedPixelData) {
    const frame =
      el.basicOffsetTable && el.basicOffsetTable.length
        ? dicomParser.readEncapsulatedImageFrame(dset, el, 0)
        : dicomParser.readEncapsulatedPixelDataFromFragments(dset, el, 0, el.fragments?.length ?? 1);
    return { encapsulated: true, bytes: frame as Uint8Array };
  }
  if (transferSyntaxUID !== TS.deflatedLE && el.dataOffset + el.length > arr.length) {
    throw new PixelDataError('file is truncated inside the pixel data');
  }
  return { encapsulated: false, bytes: arr.subarray(el.dataOffset, Math.min(arr.length, el.dataOffset + el.length)) };
}
