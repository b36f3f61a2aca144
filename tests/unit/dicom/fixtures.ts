/**
 * A minimal, independent DICOM Part 10 writer for tests (Explicit or Implicit VR Little Endian), so the
 * loader is tested on bytes it did not produce itself.
 */

type Value = string | number | number[] | Uint8Array;
export interface El {
  tag: number; // 0xGGGGEEEE
  vr: string;
  value: Value;
}

const LONG_VR = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function encodeValue(vr: string, value: Value): Uint8Array {
  if (value instanceof Uint8Array) return value.length % 2 ? concat([value, new Uint8Array([0])]) : value;
  if (vr === 'US') {
    const arr = Array.isArray(value) ? value : [Number(value)];
    const b = new Uint8Array(arr.length * 2);
    const dv = new DataView(b.buffer);
    arr.forEach((v, i) => dv.setUint16(i * 2, v, true));
    return b;
  }
  if (vr === 'UL') {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, Number(value), true);
    return b;
  }
  let s = Array.isArray(value) ? value.join('\\') : String(value);
  if (s.length % 2) s += vr === 'UI' ? '\0' : ' ';
  return new TextEncoder().encode(s);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeElement(e: El, explicit: boolean): Uint8Array {
  const v = encodeValue(e.vr, e.value);
  const head = new Uint8Array(explicit ? (LONG_VR.has(e.vr) ? 12 : 8) : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, e.tag >>> 16, true);
  dv.setUint16(2, e.tag & 0xffff, true);
  if (!explicit) dv.setUint32(4, v.length, true);
  else {
    head[4] = e.vr.charCodeAt(0);
    head[5] = e.vr.charCodeAt(1);
    if (LONG_VR.has(e.vr)) dv.setUint32(8, v.length, true);
    else dv.setUint16(6, v.length, true);
  }
  return concat([head, v]);
}

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** Part 10 file: preamble, DICM, file meta (explicit), then the data set in `transferSyntax`. */
export function part10(elements: El[], transferSyntax = EXPLICIT_LE, opts: { preamble?: boolean } = {}): Uint8Array {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  const sop = sorted.find((e) => e.tag === 0x00080018)?.value ?? '1.2.3';
  const sopClass = sorted.find((e) => e.tag === 0x00080016)?.value ?? CT_IMAGE_STORAGE;
  const metaBody = concat([
    encodeElement({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) }, true),
    encodeElement({ tag: 0x00020002, vr: 'UI', value: String(sopClass) }, true),
    encodeElement({ tag: 0x00020003, vr: 'UI', value: String(sop) }, true),
    encodeElement({ tag: 0x00020010, vr: 'UI', value: transferSyntax }, true),
  ]);
  const group = encodeElement({ tag: 0x00020000, vr: 'UL', value: metaBody.length }, true);
  const explicit = transferSyntax !== IMPLICIT_LE;
  const body = concat(sorted.map((e) => encodeElement(e, explicit)));
  if (opts.preamble === false) return body;
  const pre = new Uint8Array(132);
  pre.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([pre, group, metaBody, body]);
}

export interface SliceSpec {
  position: number[] | string;
  orientation?: number[] | string;
  rows?: number;
  columns?: number;
  pixelSpacing?: string;
  instanceNumber?: number;
  seriesUID?: string;
  sopUID?: string;
  modality?: string;
  seriesDescription?: string;
  /** Stored values, row-major; default: value = 100 * instance + pixel index. */
  pixels?: Int16Array;
  rescaleIntercept?: number;
  rescaleSlope?: number;
  /** Elements added, replacing those with the same tag (e.g. raw-byte names in another character set). */
  extra?: El[];
}

/** A signed 16-bit CT slice. */
export function ctSlice(s: SliceSpec, transferSyntax = EXPLICIT_LE): Uint8Array {
  const rows = s.rows ?? 4;
  const cols = s.columns ?? 3;
  const px = s.pixels ?? Int16Array.from({ length: rows * cols }, (_, i) => (s.instanceNumber ?? 0) * 100 + i);
  const ds = (v: number[] | string) => (typeof v === 'string' ? v : v.join('\\'));
  const base: El[] = [
    { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
    { tag: 0x00080018, vr: 'UI', value: s.sopUID ?? `1.2.826.0.1.9.${s.instanceNumber ?? 0}` },
    { tag: 0x00080060, vr: 'CS', value: s.modality ?? 'CT' },
    { tag: 0x0008103e, vr: 'LO', value: s.seriesDescription ?? 'test series' },
    { tag: 0x00100010, vr: 'PN', value: 'Test^Patient' },
    { tag: 0x00100020, vr: 'LO', value: 'P1' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.1' },
    { tag: 0x0020000e, vr: 'UI', value: s.seriesUID ?? '1.2.826.0.1.2' },
    { tag: 0x00200013, vr: 'IS', value: s.instanceNumber ?? 1 },
    { tag: 0x00200032, vr: 'DS', value: ds(s.position) },
    { tag: 0x00200037, vr: 'DS', value: ds(s.orientation ?? [1, 0, 0, 0, 1, 0]) },
    { tag: 0x00200052, vr: 'UI', value: '1.2.826.0.1.3' },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: cols },
    { tag: 0x00280030, vr: 'DS', value: s.pixelSpacing ?? '0.5\\0.8' },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    { tag: 0x00281052, vr: 'DS', value: s.rescaleIntercept ?? 0 },
    { tag: 0x00281053, vr: 'DS', value: s.rescaleSlope ?? 1 },
    { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(px.buffer, px.byteOffset, px.byteLength) },
  ];
  const extra = s.extra ?? [];
  return part10([...base.filter((e) => !extra.some((x) => x.tag === e.tag)), ...extra], transferSyntax);
}
