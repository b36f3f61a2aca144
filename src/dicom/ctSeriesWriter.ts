/**
 * Writes a CT series as DICOM Part 10 files (CT Image Storage, Explicit VR Little Endian): one file
 * per slice, int16 pixels with rescale slope 1 / intercept -1024 (stored = HU + 1024), the full CT
 * Image IOD (patient, study, series, frame of reference, equipment, image plane, image pixel, CT
 * image, VOI LUT, SOP common) so that `dciodvfy` reports no errors.
 *
 * Deterministic: the bytes depend only on the input (UIDs and dates are inputs; `uidFromParts`
 * derives 2.25 UIDs from any strings, e.g. a seed). No Node APIs.
 */

export type Vec3 = [number, number, number];

export interface CtSeriesMeta {
  patientName: string;
  patientID: string;
  /** YYYYMMDD or '' */
  patientBirthDate: string;
  /** M, F, O or '' */
  patientSex: string;
  /** e.g. '047Y', optional */
  patientAge?: string;
  studyInstanceUID: string;
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  studyDate: string;
  studyTime: string;
  studyID: string;
  accessionNumber: string;
  studyDescription: string;
  seriesDescription: string;
  seriesNumber: number;
  manufacturer: string;
  modelName: string;
  softwareVersion: string;
  bodyPartExamined: string;
  /** HFS, FFS, HFP, FFP, ... */
  patientPosition: string;
  kvp: number;
  convolutionKernel: string;
  windowCenter: number;
  windowWidth: number;
}

export interface CtSeriesInput {
  cols: number;
  rows: number;
  /** [spacing between columns (along rowCosines), spacing between rows] mm */
  pixelSpacing: [number, number];
  sliceThickness: number;
  sliceSpacing: number;
  rowCosines: Vec3;
  colCosines: Vec3;
  /** ImagePositionPatient per slice, in the order of `hu` */
  positions: Vec3[];
  /** HU, flat index i + j*cols + k*cols*rows */
  hu: Int16Array;
  sopInstanceUIDs: string[];
  instanceNumbers: number[];
  meta: CtSeriesMeta;
}

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
/** Implementation class UID of this writer (a 2.25 UUID-derived UID, fixed). */
export const IMPLEMENTATION_UID = '2.25.186893201547923440153268416412879310881';
const RESCALE_INTERCEPT = -1024;

export class DicomWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DicomWriteError';
  }
}

// ---------------------------------------------------------------------------------------------
// UIDs

function fnv64(text: string, salt: bigint): bigint {
  let h = 0xcbf29ce484222325n ^ salt;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  // splitmix64 finaliser
  h = ((h ^ (h >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  h = ((h ^ (h >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return h ^ (h >> 31n);
}

/**
 * A UID under the 2.25 root (ISO/IEC 9834-8: a UUID as one integer), derived from the given parts:
 * the same parts give the same UID, different parts practically never collide. Version-4 style bits
 * are set so that the integer is a well-formed UUID.
 */
export function uidFromParts(...parts: (string | number)[]): string {
  const text = parts.join('\u0001');
  let v = (fnv64(text, 0x51n) << 64n) | fnv64(text, 0xa7n);
  v = (v & ~(0xfn << 76n)) | (0x4n << 76n); // version 4
  v = (v & ~(0x3n << 62n)) | (0x2n << 62n); // variant 10
  return `2.25.${v.toString()}`;
}

// ---------------------------------------------------------------------------------------------
// value formatting

/** Decimal string of at most 16 characters (DICOM DS). */
export function formatDS(v: number): string {
  if (!Number.isFinite(v)) throw new DicomWriteError(`DS value ${v} is not finite`);
  // JavaScript's shortest round-trip form, exponent included for tiny values (DS allows "1e-7")
  let s = String(Number(v.toPrecision(12)));
  for (let p = 11; s.length > 16 && p > 1; p--) s = String(Number(v.toPrecision(p)));
  if (s.length > 16) throw new DicomWriteError(`cannot format ${v} as a 16-character DS`);
  return s;
}

// ---------------------------------------------------------------------------------------------
// element encoding (explicit VR little endian)

type Vr = 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'IS' | 'LO' | 'PN' | 'SH' | 'TM' | 'UI' | 'US' | 'UL' | 'OB' | 'OW';
interface Element {
  tag: number;
  vr: Vr;
  value: string | number | number[] | Uint8Array;
}

const LONG_VR = new Set<Vr>(['OB', 'OW']);

function encodeValue(e: Element): Uint8Array {
  switch (e.vr) {
    case 'US': {
      const vals = Array.isArray(e.value) ? e.value : [e.value as number];
      const b = new Uint8Array(2 * vals.length);
      const dv = new DataView(b.buffer);
      vals.forEach((x, i) => dv.setUint16(2 * i, x, true));
      return b;
    }
    case 'UL': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, e.value as number, true);
      return b;
    }
    case 'OB':
    case 'OW': {
      const b = e.value as Uint8Array;
      if (b.length % 2 === 0) return b;
      const p = new Uint8Array(b.length + 1);
      p.set(b);
      return p;
    }
    default: {
      const s = String(e.value);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7e || (c < 0x20 && c !== 0))
          throw new DicomWriteError(`non-ASCII character in ${e.vr} value of ${tagStr(e.tag)}`);
      }
      const pad = s.length % 2 ? (e.vr === 'UI' ? '\0' : ' ') : '';
      const t = s + pad;
      const b = new Uint8Array(t.length);
      for (let i = 0; i < t.length; i++) b[i] = t.charCodeAt(i);
      return b;
    }
  }
}

function tagStr(tag: number): string {
  return `(${(tag >>> 16).toString(16).padStart(4, '0')},${(tag & 0xffff).toString(16).padStart(4, '0')})`;
}

function encodeElements(els: Element[]): Uint8Array {
  const sorted = [...els].sort((a, b) => a.tag - b.tag);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const e of sorted) {
    const val = encodeValue(e);
    const long = LONG_VR.has(e.vr);
    const head = new Uint8Array(long ? 12 : 8);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, e.tag >>> 16, true);
    dv.setUint16(2, e.tag & 0xffff, true);
    head[4] = e.vr.charCodeAt(0);
    head[5] = e.vr.charCodeAt(1);
    if (long) dv.setUint32(8, val.length, true);
    else {
      if (val.length > 0xffff) throw new DicomWriteError(`value of ${tagStr(e.tag)} too long for ${e.vr}`);
      dv.setUint16(6, val.length, true);
    }
    parts.push(head, val);
    total += head.length + val.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkInput(s: CtSeriesInput): void {
  const n = s.positions.length;
  if (s.cols < 1 || s.rows < 1 || s.cols > 65535 || s.rows > 65535) throw new DicomWriteError(`bad matrix ${s.cols}x${s.rows}`);
  if (s.hu.length !== s.cols * s.rows * n)
    throw new DicomWriteError(`hu has ${s.hu.length} values, expected ${s.cols}*${s.rows}*${n}`);
  if (s.sopInstanceUIDs.length !== n || s.instanceNumbers.length !== n)
    throw new DicomWriteError('one SOP Instance UID and instance number per slice are required');
  for (const u of [s.meta.studyInstanceUID, s.meta.seriesInstanceUID, s.meta.frameOfReferenceUID, ...s.sopInstanceUIDs]) {
    if (!/^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(u) || u.length > 64) throw new DicomWriteError(`invalid UID '${u}'`);
  }
}

/** One slice (index k in the input order) as a DICOM Part 10 file. */
export function writeCtSlice(s: CtSeriesInput, k: number): Uint8Array {
  if (k === 0) checkInput(s);
  const m = s.meta;
  const npix = s.cols * s.rows;
  const pixels = new Int16Array(npix);
  const src = s.hu.subarray(k * npix, (k + 1) * npix);
  for (let i = 0; i < npix; i++) {
    const v = src[i] - RESCALE_INTERCEPT;
    pixels[i] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
  }
  const pos = s.positions[k];
  const sop = s.sopInstanceUIDs[k];
  const ds = (v: number): string => formatDS(v);
  const data: Element[] = [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 100' },
    { tag: 0x00080008, vr: 'CS', value: 'ORIGINAL\\PRIMARY\\AXIAL' },
    { tag: 0x00080012, vr: 'DA', value: m.studyDate },
    { tag: 0x00080013, vr: 'TM', value: m.studyTime },
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: sop },
    { tag: 0x00080020, vr: 'DA', value: m.studyDate },
    { tag: 0x00080021, vr: 'DA', value: m.studyDate },
    { tag: 0x00080022, vr: 'DA', value: m.studyDate },
    { tag: 0x00080023, vr: 'DA', value: m.studyDate },
    { tag: 0x00080030, vr: 'TM', value: m.studyTime },
    { tag: 0x00080031, vr: 'TM', value: m.studyTime },
    { tag: 0x00080032, vr: 'TM', value: m.studyTime },
    { tag: 0x00080033, vr: 'TM', value: m.studyTime },
    { tag: 0x00080050, vr: 'SH', value: m.accessionNumber },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x00080070, vr: 'LO', value: m.manufacturer },
    { tag: 0x00080090, vr: 'PN', value: '' },
    { tag: 0x00081030, vr: 'LO', value: m.studyDescription },
    { tag: 0x0008103e, vr: 'LO', value: m.seriesDescription },
    { tag: 0x00081090, vr: 'LO', value: m.modelName },
    { tag: 0x00100010, vr: 'PN', value: m.patientName },
    { tag: 0x00100020, vr: 'LO', value: m.patientID },
    { tag: 0x00100030, vr: 'DA', value: m.patientBirthDate },
    { tag: 0x00100040, vr: 'CS', value: m.patientSex },
    ...(m.patientAge ? [{ tag: 0x00101010, vr: 'AS' as Vr, value: m.patientAge }] : []),
    { tag: 0x00180015, vr: 'CS', value: m.bodyPartExamined },
    { tag: 0x00180050, vr: 'DS', value: ds(s.sliceThickness) },
    { tag: 0x00180060, vr: 'DS', value: ds(m.kvp) },
    { tag: 0x00180088, vr: 'DS', value: ds(s.sliceSpacing) },
    { tag: 0x00181020, vr: 'LO', value: m.softwareVersion },
    { tag: 0x00181100, vr: 'DS', value: ds(s.cols * s.pixelSpacing[0]) },
    { tag: 0x00181210, vr: 'SH', value: m.convolutionKernel },
    { tag: 0x00185100, vr: 'CS', value: m.patientPosition },
    { tag: 0x0020000d, vr: 'UI', value: m.studyInstanceUID },
    { tag: 0x0020000e, vr: 'UI', value: m.seriesInstanceUID },
    { tag: 0x00200010, vr: 'SH', value: m.studyID },
    { tag: 0x00200011, vr: 'IS', value: String(m.seriesNumber) },
    { tag: 0x00200012, vr: 'IS', value: '1' },
    { tag: 0x00200013, vr: 'IS', value: String(s.instanceNumbers[k]) },
    { tag: 0x00200032, vr: 'DS', value: pos.map(ds).join('\\') },
    { tag: 0x00200037, vr: 'DS', value: [...s.rowCosines, ...s.colCosines].map(ds).join('\\') },
    { tag: 0x00200052, vr: 'UI', value: m.frameOfReferenceUID },
    { tag: 0x00201040, vr: 'LO', value: '' },
    { tag: 0x00201041, vr: 'DS', value: ds(pos[2]) },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: s.rows },
    { tag: 0x00280011, vr: 'US', value: s.cols },
    // PixelSpacing is row spacing \ column spacing
    { tag: 0x00280030, vr: 'DS', value: `${ds(s.pixelSpacing[1])}\\${ds(s.pixelSpacing[0])}` },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    { tag: 0x00281050, vr: 'DS', value: ds(m.windowCenter) },
    { tag: 0x00281051, vr: 'DS', value: ds(m.windowWidth) },
    { tag: 0x00281052, vr: 'DS', value: ds(RESCALE_INTERCEPT) },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    { tag: 0x00281054, vr: 'LO', value: 'HU' },
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(pixels.buffer) },
  ];
  const body = encodeElements(data);
  const metaEls: Element[] = [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00020003, vr: 'UI', value: sop },
    { tag: 0x00020010, vr: 'UI', value: EXPLICIT_VR_LE },
    { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_UID },
    { tag: 0x00020013, vr: 'SH', value: 'AAWEB_PHANTOM_1' },
  ];
  const metaBody = encodeElements(metaEls);
  const groupLen = encodeElements([{ tag: 0x00020000, vr: 'UL', value: metaBody.length }]);
  const out = new Uint8Array(132 + groupLen.length + metaBody.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128); // "DICM" after the 128-byte preamble
  out.set(groupLen, 132);
  out.set(metaBody, 132 + groupLen.length);
  out.set(body, 132 + groupLen.length + metaBody.length);
  return out;
}
