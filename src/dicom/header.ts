/**
 * Read the attributes the app needs from one DICOM file into a plain object (no DataSet kept, so the
 * file's bytes can be dropped after scanning). Works on a prefix of the file: parsing stops at Pixel Data.
 */
import { inflateSync } from 'fflate';
import dicomParser, { type DataSet } from './dicomParser';
import { decodeText, parseCharset } from './charset';
import { parseDS } from './geometry';
import type { SeriesMeta, Vec3 } from '../volume/volume';

export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
} as const;

/** Transfer syntaxes whose pixel data this module decodes itself (no codec). */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(Object.values(TS));

/**
 * One file's attributes. The patient / study / series / frame-of-reference text is SeriesMeta's (declared once,
 * in volume/volume.ts; the loader copies it into the CtVolume); the character set stays raw here (a list).
 */
export interface DicomHeader extends Omit<SeriesMeta, 'specificCharacterSet'> {
  /** Index of the file in the list given to the scanner. */
  fileIndex: number;
  /** Relative path or name, as given. */
  fileName: string;
  fileSize: number;
  transferSyntaxUID: string;
  /** Specific Character Set values (0008,0005), as parsed by charset.ts ([] when absent). */
  specificCharacterSet: string[];
  sopClassUID: string;
  sopInstanceUID: string;
  mediaStorageSOPInstanceUID: string;
  imageType: string;
  seriesDate: string;
  seriesTime: string;
  acquisitionNumber: string;
  instanceNumber?: number;
  /** Raw DS strings (parsed by geometry.ts). */
  imagePositionPatient?: string;
  imageOrientationPatient?: string;
  pixelSpacing?: string;
  /** Imager Pixel Spacing (0018,1164): used when PixelSpacing is missing (with a warning, plausibility.ts). */
  imagerPixelSpacing?: string;
  sliceThickness?: string;
  spacingBetweenSlices?: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Whether Rescale Intercept / Slope were present (their absence is named, plausibility.ts). */
  hasRescaleIntercept: boolean;
  hasRescaleSlope: boolean;
  hasPixelData: boolean;
}

export type HeaderOutcome =
  | { kind: 'dicom'; header: DicomHeader }
  | { kind: 'not-dicom' }
  /** Parsing failed; `needMore` when only a prefix was given and the full file may parse. */
  | { kind: 'corrupt'; reason: string; needMore: boolean };

const PIXEL_DATA = 'x7fe00010';

/** Inflate a Deflated Explicit VR Little Endian data set (dicom-parser's inflater hook). */
export function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateSync(bytes.subarray(position));
  const out = new Uint8Array(position + inflated.length);
  out.set(bytes.subarray(0, position), 0);
  out.set(inflated, position);
  return out;
}

/** 'DICM' at offset 128 (Part 10), or a raw little-endian data set starting at group 0002/0008. */
export function sniffDicom(bytes: Uint8Array): 'part10' | 'raw-implicit' | 'raw-explicit' | null {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) {
    return 'part10';
  }
  if (bytes.length < 8 || bytes[1] !== 0x00 || (bytes[0] !== 0x08 && bytes[0] !== 0x02)) return null;
  const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
  return isUpper(bytes[4]) && isUpper(bytes[5]) ? 'raw-explicit' : 'raw-implicit';
}

const errText = (e: unknown): string => {
  const inner = (e as { exception?: unknown })?.exception ?? e;
  return inner instanceof Error ? inner.message : String(inner);
};

/**
 * Parse with dicom-parser. `untilPixelData` stops at the Pixel Data element (header scans); otherwise the
 * whole file is parsed (encapsulated fragments are located, pixel bytes are not copied).
 */
export function parseDataSet(bytes: Uint8Array, untilPixelData: boolean): DataSet {
  const kind = sniffDicom(bytes);
  if (!kind) throw new Error('not a DICOM file');
  const options: Parameters<typeof dicomParser.parseDicom>[1] = {
    inflater: inflateDataSet as unknown as (arr: Uint8Array, position: number) => void,
  };
  if (untilPixelData) options.untilTag = PIXEL_DATA;
  if (kind === 'raw-implicit') options.TransferSyntaxUID = TS.implicitLE;
  if (kind === 'raw-explicit') options.TransferSyntaxUID = TS.explicitLE;
  return dicomParser.parseDicom(bytes, options);
}

function str(ds: DataSet, tag: string): string {
  try {
    return (ds.string(tag) ?? '').replace(/\0/g, '').trim();
  } catch {
    return '';
  }
}

/** A text element (PN, LO, SH, ST, LT, UT) decoded by the data set's Specific Character Set. */
function text(ds: DataSet, tag: string, terms: readonly string[], vr: string): string {
  const el = ds.elements[tag];
  if (!el || !el.length) return '';
  try {
    return decodeText(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length), terms, vr)
      .replace(/\0/g, '')
      .trim();
  } catch {
    return str(ds, tag);
  }
}

function num(ds: DataSet, tag: string, fallback: number): number {
  const v = parseDS(str(ds, tag))[0];
  return v !== undefined && Number.isFinite(v) ? v : fallback;
}

function us(ds: DataSet, tag: string, fallback: number): number {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return fallback;
  return ds.uint16(tag) ?? fallback;
}

/** Raw multi-valued DS string, e.g. "1\\0\\0\\0\\1\\0" (undefined when absent or empty). */
function ds(dset: DataSet, tag: string): string | undefined {
  const el = dset.elements[tag];
  if (!el || el.length === 0) return undefined;
  const n = dset.numStringValues(tag) ?? 1;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(dset.string(tag, i) ?? '');
  const s = parts.join('\\').replace(/\0/g, '').trim();
  return s || undefined;
}

/** Extract the header of one file. `bytes` may be a prefix of a file of `fileSize` bytes. */
export function readHeader(bytes: Uint8Array, fileIndex: number, fileName: string, fileSize = bytes.length): HeaderOutcome {
  if (!sniffDicom(bytes)) return { kind: 'not-dicom' };
  let dset: DataSet;
  try {
    dset = parseDataSet(bytes, true);
  } catch (e) {
    const msg = errText(e);
    const cut = /overrun|past end|greater than or equal/i.test(msg);
    return {
      kind: 'corrupt',
      reason: cut ? `truncated (the file ends inside a DICOM element)` : `unreadable DICOM (${msg})`,
      needMore: bytes.length < fileSize,
    };
  }
  if (!dset.elements[PIXEL_DATA] && bytes.length < fileSize) {
    // The prefix ended on an element boundary before Pixel Data: only the whole file can tell.
    return { kind: 'corrupt', reason: 'header longer than the bytes read', needMore: true };
  }
  const hasMeta = !!dset.elements.x00020010;
  const charset = parseCharset(str(dset, 'x00080005'));
  const t = (tag: string, vr: string) => text(dset, tag, charset, vr);
  const header: DicomHeader = {
    fileIndex,
    fileName,
    fileSize,
    specificCharacterSet: charset,
    transferSyntaxUID: hasMeta ? str(dset, 'x00020010') : TS.implicitLE,
    sopClassUID: str(dset, 'x00080016') || str(dset, 'x00020002'),
    sopInstanceUID: str(dset, 'x00080018'),
    mediaStorageSOPInstanceUID: str(dset, 'x00020003'),
    modality: str(dset, 'x00080060').toUpperCase(),
    imageType: str(dset, 'x00080008'),
    patientName: t('x00100010', 'PN'),
    patientID: t('x00100020', 'LO'),
    patientBirthDate: str(dset, 'x00100030'),
    patientSex: str(dset, 'x00100040'),
    studyInstanceUID: str(dset, 'x0020000d'),
    studyDate: str(dset, 'x00080020'),
    studyTime: str(dset, 'x00080030'),
    studyID: t('x00200010', 'SH'),
    accessionNumber: t('x00080050', 'SH'),
    referringPhysicianName: t('x00080090', 'PN'),
    studyDescription: t('x00081030', 'LO'),
    seriesInstanceUID: str(dset, 'x0020000e'),
    seriesDescription: t('x0008103e', 'LO'),
    seriesNumber: str(dset, 'x00200011'),
    seriesDate: str(dset, 'x00080021'),
    seriesTime: str(dset, 'x00080031'),
    acquisitionNumber: str(dset, 'x00200012'),
    frameOfReferenceUID: str(dset, 'x00200052'),
    patientPosition: str(dset, 'x00185100'),
    manufacturer: t('x00080070', 'LO'),
    bodyPartExamined: str(dset, 'x00180015'),
    instanceNumber: str(dset, 'x00200013') ? num(dset, 'x00200013', 0) : undefined,
    imagePositionPatient: ds(dset, 'x00200032'),
    imageOrientationPatient: ds(dset, 'x00200037'),
    pixelSpacing: ds(dset, 'x00280030'),
    imagerPixelSpacing: ds(dset, 'x00181164'),
    sliceThickness: ds(dset, 'x00180050'),
    spacingBetweenSlices: ds(dset, 'x00180088'),
    rows: us(dset, 'x00280010', 0),
    columns: us(dset, 'x00280011', 0),
    numberOfFrames: Math.max(1, Math.round(num(dset, 'x00280008', 1))),
    samplesPerPixel: us(dset, 'x00280002', 1),
    photometricInterpretation: str(dset, 'x00280004'),
    bitsAllocated: us(dset, 'x00280100', 16),
    bitsStored: us(dset, 'x00280101', us(dset, 'x00280100', 16)),
    highBit: us(dset, 'x00280102', us(dset, 'x00280101', us(dset, 'x00280100', 16)) - 1),
    pixelRepresentation: us(dset, 'x00280103', 0),
    rescaleSlope: num(dset, 'x00281053', 1) || 1,
    rescaleIntercept: num(dset, 'x00281052', 0),
    hasRescaleIntercept: !!str(dset, 'x00281052'),
    hasRescaleSlope: !!str(dset, 'x00281053'),
    hasPixelData: !!dset.elements[PIXEL_DATA],
  };
  if (
    header.hasPixelData &&
    !header.transferSyntaxUID.startsWith('1.2.840.10008.1.2.') &&
    header.transferSyntaxUID !== TS.implicitLE
  ) {
    // Vendor-private syntaxes: decoding would produce garbage, say so instead.
    return { kind: 'corrupt', reason: `unknown transfer syntax ${header.transferSyntaxUID}`, needMore: false };
  }
  const pixel = dset.elements[PIXEL_DATA];
  if (pixel && header.transferSyntaxUID !== TS.deflatedLE && !pixel.encapsulatedPixelData && pixel.length !== 0xffffffff) {
    const expected = Math.ceil(
      (header.rows * header.columns * header.samplesPerPixel * header.bitsAllocated * header.numberOfFrames) / 8,
    );
    if (pixel.dataOffset + Math.min(pixel.length, expected) > fileSize) {
      return {
        kind: 'corrupt',
        reason: `truncated: pixel data ends ${pixel.dataOffset + Math.min(pixel.length, expected) - fileSize} bytes after the end of the file`,
        needMore: false,
      };
    }
    if (pixel.length < expected) {
      return {
        kind: 'corrupt',
        reason: `pixel data has ${pixel.length} bytes, ${header.columns}x${header.rows} needs ${expected}`,
        needMore: false,
      };
    }
  }
  return { kind: 'dicom', header };
}

/** Parsed ImagePositionPatient (undefined when absent). */
export function positionOf(h: DicomHeader): Vec3 | undefined {
  const v = parseDS(h.imagePositionPatient);
  return v.length >= 3 ? [v[0], v[1], v[2]] : undefined;
}
