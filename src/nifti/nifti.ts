/**
 * NIfTI-1 single-file images (.nii, .nii.gz): read and write, with the affine.
 *
 * The affine maps voxel indices (i, j, k) to RAS millimetres, as NIfTI defines (nibabel's
 * `img.affine`). Writers put the same matrix in both sform and qform (code 1, scanner) so that
 * readers preferring either agree; `affineFromLps` builds it from DICOM geometry (LPS), flipping x and
 * y. Data order is i fastest, as in CtVolume / LabelVolume. gzip via fflate with mtime 0, so the same
 * image always gives the same bytes. No Node APIs: usable in the browser and in workers.
 */
import { gunzipSync, gzipSync } from 'fflate';

export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';
export type NiftiData =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;
export type Mat4 = [number[], number[], number[], number[]];

export interface NiftiImage {
  /** sizes along i, j, k (and further dimensions if any) */
  dims: number[];
  /** voxel sizes (mm) along i, j, k, ... (always positive) */
  pixdim: number[];
  /** voxel index -> RAS mm (row-major 4x4) */
  affine: Mat4;
  datatype: NiftiDatatype;
  data: NiftiData;
  /** stored value * slope + inter = real value (slope 0 means "not scaled" in the file) */
  sclSlope: number;
  sclInter: number;
  description: string;
  /** where the affine came from when reading: 'sform', 'qform' or 'pixdim' */
  affineSource?: 'sform' | 'qform' | 'pixdim';
}

export class NiftiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NiftiError';
  }
}

const TYPES: Record<NiftiDatatype, { code: number; bitpix: number }> = {
  uint8: { code: 2, bitpix: 8 },
  int16: { code: 4, bitpix: 16 },
  int32: { code: 8, bitpix: 32 },
  float32: { code: 16, bitpix: 32 },
  float64: { code: 64, bitpix: 64 },
  int8: { code: 256, bitpix: 8 },
  uint16: { code: 512, bitpix: 16 },
  uint32: { code: 768, bitpix: 32 },
};
const BY_CODE = new Map(Object.entries(TYPES).map(([k, v]) => [v.code, k as NiftiDatatype]));

function datatypeOf(a: NiftiData): NiftiDatatype {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Float32Array) return 'float32';
  return 'float64';
}

function alloc(t: NiftiDatatype, n: number): NiftiData {
  switch (t) {
    case 'uint8':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
  }
}

/**
 * RAS affine of a DICOM-style grid: voxel (i, j, k) at LPS origin + i*sx*row + j*sy*col + k*sz*normal.
 */
export function affineFromLps(g: {
  origin: number[];
  rowCosines: number[];
  colCosines: number[];
  normal: number[];
  spacing: number[];
}): Mat4 {
  const [sx, sy, sz] = g.spacing;
  const flip = [-1, -1, 1];
  const m: Mat4 = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 1],
  ];
  for (let r = 0; r < 3; r++) {
    // (+ 0 turns -0 into 0, so that the matrix compares and prints cleanly)
    m[r][0] = flip[r] * g.rowCosines[r] * sx + 0;
    m[r][1] = flip[r] * g.colCosines[r] * sy + 0;
    m[r][2] = flip[r] * g.normal[r] * sz + 0;
    m[r][3] = flip[r] * g.origin[r] + 0;
  }
  return m;
}

/** Applies a 4x4 affine to a voxel index. */
export function applyAffine(m: Mat4, ijk: [number, number, number]): [number, number, number] {
  const [i, j, k] = ijk;
  return [0, 1, 2].map((r) => m[r][0] * i + m[r][1] * j + m[r][2] * k + m[r][3]) as [number, number, number];
}

// ---------------------------------------------------------------------------------------------
// writing

export interface WriteOptions {
  /** gzip the file (.nii.gz); default true */
  gzip?: boolean;
  /** gzip level 0..9; default 6 */
  level?: number;
}

export function writeNifti(
  img: Omit<NiftiImage, 'datatype' | 'pixdim' | 'sclSlope' | 'sclInter' | 'description'> &
    Partial<Pick<NiftiImage, 'pixdim' | 'sclSlope' | 'sclInter' | 'description'>>,
  opts: WriteOptions = {},
): Uint8Array {
  const dt = datatypeOf(img.data);
  const { code, bitpix } = TYPES[dt];
  const dims = img.dims;
  if (dims.length < 1 || dims.length > 7) throw new NiftiError(`NIfTI-1 holds 1..7 dimensions, got ${dims.length}`);
  const nvox = dims.reduce((a, b) => a * b, 1);
  if (nvox !== img.data.length)
    throw new NiftiError(`data length ${img.data.length} does not match dims ${dims.join('x')} (${nvox})`);
  const A = img.affine;
  // voxel sizes from the affine's columns (pixdim must agree with the qform)
  const col = (c: number): number => Math.hypot(A[0][c], A[1][c], A[2][c]);
  const pix = img.pixdim ?? [col(0), col(1), col(2)];
  const hdr = new ArrayBuffer(352);
  const v = new DataView(hdr);
  const u8 = new Uint8Array(hdr);
  v.setInt32(0, 348, true);
  u8[38] = 'r'.charCodeAt(0);
  v.setInt16(40, dims.length, true);
  dims.forEach((d, i) => v.setInt16(42 + 2 * i, d, true));
  for (let i = dims.length; i < 7; i++) v.setInt16(42 + 2 * i, 1, true);
  v.setInt16(70, code, true);
  v.setInt16(72, bitpix, true);
  const q = quaternFromAffine(A);
  v.setFloat32(76, q.qfac, true);
  for (let i = 0; i < 7; i++) v.setFloat32(80 + 4 * i, i < 3 ? (pix[i] ?? col(i)) : (pix[i] ?? 1), true);
  v.setFloat32(108, 352, true);
  v.setFloat32(112, img.sclSlope ?? 1, true);
  v.setFloat32(116, img.sclInter ?? 0, true);
  u8[123] = 2 | 8; // mm, s
  const desc = (img.description ?? '').slice(0, 79);
  for (let i = 0; i < desc.length; i++) u8[148 + i] = desc.charCodeAt(i) & 0x7f;
  v.setInt16(252, 1, true);
  v.setInt16(254, 1, true);
  v.setFloat32(256, q.b, true);
  v.setFloat32(260, q.c, true);
  v.setFloat32(264, q.d, true);
  v.setFloat32(268, A[0][3], true);
  v.setFloat32(272, A[1][3], true);
  v.setFloat32(276, A[2][3], true);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, A[r][c], true);
  u8.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  // bytes 348..351: no extensions
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = new Uint8Array(352 + data.length);
  out.set(u8, 0);
  // typed arrays are little-endian on every platform this runs on; NIfTI is written little-endian
  out.set(data, 352);
  return opts.gzip === false ? out : gzipSync(out, { level: (opts.level ?? 6) as 6, mtime: 0 });
}

/** NIfTI quaternion parameters (nifti_mat44_to_quatern) of an affine's rotation part. */
function quaternFromAffine(A: Mat4): { b: number; c: number; d: number; qfac: number } {
  let r11 = A[0][0],
    r12 = A[0][1],
    r13 = A[0][2];
  let r21 = A[1][0],
    r22 = A[1][1],
    r23 = A[1][2];
  let r31 = A[2][0],
    r32 = A[2][1],
    r33 = A[2][2];
  const n1 = Math.hypot(r11, r21, r31) || 1,
    n2 = Math.hypot(r12, r22, r32) || 1,
    n3 = Math.hypot(r13, r23, r33) || 1;
  r11 /= n1;
  r21 /= n1;
  r31 /= n1;
  r12 /= n2;
  r22 /= n2;
  r32 /= n2;
  r13 /= n3;
  r23 /= n3;
  r33 /= n3;
  const det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    r13 = -r13;
    r23 = -r23;
    r33 = -r33;
  }
  let a = r11 + r22 + r33 + 1,
    b: number,
    c: number,
    d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33),
      yd = 1 + r22 - (r11 + r33),
      zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac };
}

// ---------------------------------------------------------------------------------------------
// reading

export function readNifti(input: Uint8Array): NiftiImage {
  const bytes = input.length >= 2 && input[0] === 0x1f && input[1] === 0x8b ? gunzipSync(input) : input;
  if (bytes.length < 348) throw new NiftiError(`not a NIfTI-1 file: ${bytes.length} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  if (v.getInt32(0, true) !== 348) {
    if (v.getInt32(0, false) === 348) le = false;
    else if (v.getInt32(0, true) === 540) throw new NiftiError('NIfTI-2 files are not supported');
    else throw new NiftiError('not a NIfTI-1 file (sizeof_hdr is not 348)');
  }
  const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
  if (magic !== 'n+1')
    throw new NiftiError(magic === 'ni1' ? 'two-file NIfTI (.hdr/.img) is not supported' : `bad NIfTI magic '${magic}'`);
  const ndim = v.getInt16(40, le);
  if (ndim < 1 || ndim > 7) throw new NiftiError(`bad dim[0] = ${ndim}`);
  const dims = Array.from({ length: ndim }, (_, i) => v.getInt16(42 + 2 * i, le));
  const code = v.getInt16(70, le);
  const datatype = BY_CODE.get(code);
  if (!datatype) throw new NiftiError(`unsupported NIfTI datatype code ${code}`);
  const qfacRaw = v.getFloat32(76, le);
  const pixdim = Array.from({ length: ndim }, (_, i) => Math.abs(v.getFloat32(80 + 4 * i, le)));
  const voxOffset = Math.round(v.getFloat32(108, le));
  const sclSlope = v.getFloat32(112, le),
    sclInter = v.getFloat32(116, le);
  let description = '';
  for (let i = 148; i < 228 && bytes[i]; i++) description += String.fromCharCode(bytes[i]);
  const qcode = v.getInt16(252, le),
    scode = v.getInt16(254, le);
  let affine: Mat4, affineSource: NiftiImage['affineSource'];
  if (scode > 0) {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => v.getFloat32(280 + 16 * r + 4 * c, le))) as unknown as Mat4;
    affine[3] = [0, 0, 0, 1];
    affineSource = 'sform';
  } else if (qcode > 0) {
    const b = v.getFloat32(256, le),
      c = v.getFloat32(260, le),
      d = v.getFloat32(264, le);
    const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
    const qfac = qfacRaw < 0 ? -1 : 1;
    const R = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    const px = [pixdim[0] ?? 1, pixdim[1] ?? 1, (pixdim[2] ?? 1) * qfac];
    const off = [v.getFloat32(268, le), v.getFloat32(272, le), v.getFloat32(276, le)];
    affine = [0, 1, 2].map((r) => [R[r][0] * px[0], R[r][1] * px[1], R[r][2] * px[2], off[r]]) as unknown as Mat4;
    affine[3] = [0, 0, 0, 1];
    affineSource = 'qform';
  } else {
    affine = [
      [pixdim[0] ?? 1, 0, 0, 0],
      [0, pixdim[1] ?? 1, 0, 0],
      [0, 0, pixdim[2] ?? 1, 0],
      [0, 0, 0, 1],
    ];
    affineSource = 'pixdim';
  }
  const nvox = dims.reduce((p, q) => p * q, 1);
  const { bitpix } = TYPES[datatype];
  const nbytes = (nvox * bitpix) / 8;
  if (voxOffset + nbytes > bytes.length)
    throw new NiftiError(`truncated NIfTI: need ${voxOffset + nbytes} bytes, have ${bytes.length}`);
  const data = alloc(datatype, nvox);
  const dst = new Uint8Array(data.buffer);
  dst.set(bytes.subarray(voxOffset, voxOffset + nbytes));
  if (!le && bitpix > 8) {
    const w = bitpix / 8;
    for (let i = 0; i < dst.length; i += w)
      for (let k = 0; k < w / 2; k++) {
        const t = dst[i + k];
        dst[i + k] = dst[i + w - 1 - k];
        dst[i + w - 1 - k] = t;
      }
  }
  return { dims, pixdim, affine, datatype, data, sclSlope, sclInter, description, affineSource };
}
