/**
 * A NIfTI CT volume (HU) as a CtVolume, so research data runs through the same engine path as DICOM.
 *
 * The affine (voxel -> RAS) becomes DICOM LPS geometry: voxel axis i is the row direction, j the column
 * direction; each NIfTI slice k becomes a synthetic slice with ImagePositionPatient = affine(0, 0, k).
 * The slices then go through the DICOM loader's own stack analysis (analyzeStack), so sorting along the
 * normal, spacing, tilt and orientation findings are exactly those a DICOM series with that geometry
 * would get. `sliceOrder` maps back: CtVolume slice k is NIfTI slice sliceOrder[k] (OpenKBP stores
 * k from head to feet, the CtVolume runs along the normal).
 *
 * Series metadata is synthesised (modality CT, names from the file); UIDs stay empty, as no RTSTRUCT is
 * written for NIfTI input. Pure: runs in the page and in Node.
 */
import { analyzeStack, type SliceGeometryInput } from '../dicom/geometry';
import { MAX_VOXELS, VolumeLoadError } from '../dicom/build';
import type { CtVolume, GeometryWarning, SeriesMeta, SliceRef, Vec3 } from '../volume/volume';
import { NiftiError, readNifti, type NiftiImage } from './nifti';
import { checkHuValues, countNonFinite } from '../dicom/plausibility';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

export interface NiftiCt {
  volume: CtVolume;
  /** CtVolume slice k = NIfTI slice sliceOrder[k]. */
  sliceOrder: number[];
  /** The NIfTI grid, for writing results back onto it. */
  niftiDims: [number, number, number];
  niftiAffine: number[][];
}

/** RAS column c of the affine as an LPS vector. */
function lpsColumn(a: number[][], c: number): Vec3 {
  return [-a[0][c] + 0, -a[1][c] + 0, a[2][c] + 0]; // + 0: no -0 components
}

function lpsPoint(a: number[][], k: number): Vec3 {
  return [-(a[0][3] + a[0][2] * k) + 0, -(a[1][3] + a[1][2] * k) + 0, a[2][3] + a[2][2] * k + 0];
}

function syntheticMeta(name: string): SeriesMeta {
  return {
    modality: 'CT',
    patientName: name,
    patientID: name,
    patientBirthDate: '',
    patientSex: '',
    studyInstanceUID: '',
    studyDate: '',
    studyTime: '',
    studyID: '',
    accessionNumber: '',
    referringPhysicianName: '',
    studyDescription: '',
    seriesInstanceUID: '',
    seriesDescription: `NIfTI ${name}`,
    seriesNumber: '',
    frameOfReferenceUID: '',
    patientPosition: '',
    manufacturer: '',
    bodyPartExamined: '',
  };
}

/** NaN / Inf voxels cannot be HU (they would silently read as 0): a block, named. */
function nonFiniteWarning(data: ArrayLike<number>): GeometryWarning[] {
  const bad = countNonFinite(data);
  return bad
    ? [
        {
          code: 'non-finite-values',
          severity: 'error',
          message: `${bad} voxel${bad > 1 ? 's are' : ' is'} NaN or infinite: not a valid CT volume. Segmentation is refused.`,
        },
      ]
    : [];
}

/** Builds the CtVolume of a parsed NIfTI image (values after scl_slope / scl_inter, rounded to int16 HU). */
export function ctFromNiftiImage(img: NiftiImage, name: string): NiftiCt {
  const [nx = 1, ny = 1, nz = 1, ...rest] = img.dims;
  if (rest.some((d) => d > 1))
    throw new VolumeLoadError('not-loadable', `${name}: ${img.dims.length}-D NIfTI (${img.dims.join('x')}) is not a CT volume`);
  if (nx * ny * nz > MAX_VOXELS)
    throw new VolumeLoadError(
      'too-large',
      `${name}: ${nx}x${ny}x${nz} voxels is more than the app holds (${MAX_VOXELS / 1024 / 1024} M voxels)`,
    );
  const a = img.affine;
  const col0 = lpsColumn(a, 0);
  const col1 = lpsColumn(a, 1);
  const sx = Math.hypot(...col0);
  const sy = Math.hypot(...col1);
  if (!(sx > 0 && sy > 0)) throw new VolumeLoadError('not-loadable', `${name}: the NIfTI affine has a zero voxel size`);
  const iop = [...col0.map((v) => v / sx + 0), ...col1.map((v) => v / sy + 0)];
  const slices: SliceGeometryInput[] = Array.from({ length: nz }, (_, k) => ({
    imagePositionPatient: lpsPoint(a, k),
    imageOrientationPatient: iop,
    rows: ny,
    columns: nx,
    pixelSpacing: [sy, sx], // DICOM order: between rows, between columns
    sliceThickness: Math.hypot(a[0][2], a[1][2], a[2][2]),
  }));
  const geo = analyzeStack(slices);
  const npx = nx * ny;
  const n = geo.order.length;
  const hu = new Int16Array(npx * n);
  const scaled = img.sclSlope !== 0 && Number.isFinite(img.sclSlope) && (img.sclSlope !== 1 || img.sclInter !== 0);
  const src = img.data;
  geo.order.forEach((kn, k) => {
    const from = kn * npx;
    const to = k * npx;
    for (let p = 0; p < npx; p++) {
      const v = Math.round(scaled ? src[from + p] * img.sclSlope + img.sclInter : src[from + p]);
      hu[to + p] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
  });
  const sliceRefs: SliceRef[] = geo.order.map((_, k) => ({
    sopInstanceUID: '',
    sopClassUID: CT_IMAGE_STORAGE,
    position: geo.positions[k],
    normalOffset: geo.offsets[k],
  }));
  const volume: CtVolume = {
    dims: [nx, ny, n],
    spacing: [geo.pixelSpacing[0], geo.pixelSpacing[1], geo.sliceSpacing],
    origin: geo.positions[0],
    rowCosines: geo.rowCosines,
    colCosines: geo.colCosines,
    normal: geo.normal,
    hu,
    slices: sliceRefs,
    meta: syntheticMeta(name),
    warnings: [...geo.warnings, ...nonFiniteWarning(img.data), ...checkHuValues(hu)],
  };
  return { volume, sliceOrder: geo.order, niftiDims: [nx, ny, nz], niftiAffine: a.map((r) => [...r]) };
}

/** Parses .nii / .nii.gz bytes into a CtVolume (see ctFromNiftiImage). */
export function ctFromNifti(bytes: Uint8Array, name: string): NiftiCt {
  return ctFromNiftiImage(readNifti(bytes), name);
}

/**
 * Labels in CtVolume order -> labels in the NIfTI's own voxel order (slices the stack analysis left out,
 * e.g. duplicates, stay 0).
 */
export function labelsToNiftiOrder(
  labels: Uint8Array,
  sliceOrder: readonly number[],
  niftiDims: readonly [number, number, number],
): Uint8Array {
  const npx = niftiDims[0] * niftiDims[1];
  if (labels.length !== npx * sliceOrder.length)
    throw new RangeError(`labels hold ${labels.length} voxels, expected ${npx} x ${sliceOrder.length}`);
  const out = new Uint8Array(npx * niftiDims[2]);
  sliceOrder.forEach((kn, k) => out.set(labels.subarray(k * npx, (k + 1) * npx), kn * npx));
  return out;
}

/** Short name for a NIfTI CT: the file stem, or the folder name when the stem is generic ("ct", "image"). */
export function niftiCaseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const file = parts[parts.length - 1] ?? 'ct';
  const stem = file.replace(/\.nii(\.gz)?$/i, '');
  const generic = /^(ct|image|img|volume|data)$/i.test(stem);
  return generic && parts.length > 1 ? parts[parts.length - 2] : stem;
}

/**
 * A NIfTI file opened as a CT (the app's File > open): an 8-bit image is refused as a label map, and NIfTI or
 * gzip format problems become VolumeLoadErrors naming the file.
 */
export function ctFromNiftiFile(bytes: Uint8Array, fileName: string): CtVolume {
  try {
    const img = readNifti(bytes);
    if (img.datatype === 'uint8' || img.datatype === 'int8') {
      throw new VolumeLoadError(
        'not-loadable',
        `${fileName}: an 8-bit NIfTI is a label map, not a CT in HU. Open the CT, then use Load label map.`,
      );
    }
    return ctFromNiftiImage(img, niftiCaseName(fileName)).volume;
  } catch (e) {
    if (e instanceof VolumeLoadError) throw e;
    if (e instanceof NiftiError) throw new VolumeLoadError('not-loadable', `${fileName}: ${e.message}`);
    if (e instanceof Error && /incorrect header|invalid|unexpected EOF/i.test(e.message)) {
      throw new VolumeLoadError('not-loadable', `${fileName}: not a readable gzip/NIfTI file (${e.message})`);
    }
    throw e;
  }
}
