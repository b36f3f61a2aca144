/**
 * Label maps from NIfTI-1 files (.nii or .nii.gz): the example's ground truth, a phantom's labels.nii.gz, or another
 * tool's output, to be shown and exported like the engine's result. Reads the voxel grid and its RAS affine
 * (sform when set, else qform, else the pixel spacing); resampling onto the CT grid is resample.ts.
 */
import { gunzipSync } from 'fflate';
import type { GriddedLabels } from './resample';

export class NiftiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NiftiError';
  }
}

/** Parses a NIfTI-1 single file; integer or float voxels become labels (rounded, clamped to 0..255). */
export function readNiftiLabels(bytes: Uint8Array): GriddedLabels {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) b = gunzipSync(b);
  if (b.length < 352) throw new NiftiError(`file too short for a NIfTI-1 header (${b.length} bytes)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le = true;
  if (dv.getInt32(0, true) !== 348) {
    if (dv.getInt32(0, false) === 348) le = false;
    else throw new NiftiError('not a NIfTI-1 file (sizeof_hdr is not 348)');
  }
  const magic = String.fromCharCode(b[344], b[345], b[346]);
  if (magic !== 'n+1') throw new NiftiError(`unsupported NIfTI magic "${magic}" (need a single .nii file)`);
  const i16 = (o: number) => dv.getInt16(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const ndim = i16(40);
  const dims: [number, number, number] = [i16(42), ndim >= 2 ? i16(44) : 1, ndim >= 3 ? i16(46) : 1];
  if (ndim > 3 && i16(48) > 1) throw new NiftiError(`4-D NIfTI (${i16(48)} volumes) is not a label map`);
  const datatype = i16(70);
  const voxOffset = Math.round(f32(108));
  const slope = f32(112);
  const inter = f32(116);
  const pixdim = [f32(80), f32(84), f32(88)];
  const n = dims[0] * dims[1] * dims[2];
  const raw = readVoxels(dv, voxOffset, n, datatype, le);
  const scale = slope !== 0 && Number.isFinite(slope) && (slope !== 1 || inter !== 0);
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(scale ? raw(i) * slope + inter : raw(i));
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { dims, affineRas: affineOf(dv, le, pixdim), data };
}

function readVoxels(dv: DataView, off: number, n: number, datatype: number, le: boolean): (i: number) => number {
  const need = (bytesPer: number) => {
    if (off + n * bytesPer > dv.byteLength) throw new NiftiError(`voxel data truncated: need ${off + n * bytesPer} bytes, have ${dv.byteLength}`);
  };
  switch (datatype) {
    case 2: need(1); return (i) => dv.getUint8(off + i);
    case 256: need(1); return (i) => dv.getInt8(off + i);
    case 4: need(2); return (i) => dv.getInt16(off + 2 * i, le);
    case 512: need(2); return (i) => dv.getUint16(off + 2 * i, le);
    case 8: need(4); return (i) => dv.getInt32(off + 4 * i, le);
    case 768: need(4); return (i) => dv.getUint32(off + 4 * i, le);
    case 16: need(4); return (i) => dv.getFloat32(off + 4 * i, le);
    case 64: need(8); return (i) => dv.getFloat64(off + 8 * i, le);
    default: throw new NiftiError(`unsupported NIfTI datatype ${datatype}`);
  }
}

function affineOf(dv: DataView, le: boolean, pixdim: number[]): number[] {
  const i16 = (o: number) => dv.getInt16(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const sformCode = i16(254);
  const qformCode = i16(252);
  if (sformCode > 0) {
    const r = (o: number) => [f32(o), f32(o + 4), f32(o + 8), f32(o + 12)];
    return [...r(280), ...r(296), ...r(312), 0, 0, 0, 1];
  }
  const [dx, dy, dz] = pixdim.map((p) => (p > 0 ? p : 1));
  if (qformCode > 0) {
    const b = f32(256);
    const c = f32(260);
    const d = f32(264);
    const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
    const qfac = f32(76) < 0 ? -1 : 1;
    const R = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    const s = [dx, dy, dz * qfac];
    return [
      R[0][0] * s[0], R[0][1] * s[1], R[0][2] * s[2], f32(268),
      R[1][0] * s[0], R[1][1] * s[1], R[1][2] * s[2], f32(272),
      R[2][0] * s[0], R[2][1] * s[1], R[2][2] * s[2], f32(276),
      0, 0, 0, 1,
    ];
  }
  return [dx, 0, 0, 0, 0, dy, 0, 0, 0, 0, dz, 0, 0, 0, 0, 1];
}
