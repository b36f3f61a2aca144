/** Small hand-made inputs for the batch command's unit tests: CT series on disk, NIfTI files, a CtVolume. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCtVolume, scanDicomFiles, type CtVolume } from '../../../src/dicom';
import { uidFromParts, writeCtSlice, type CtSeriesMeta, type Vec3 } from '../../../src/dicom/ctSeriesWriter';
import { writeNifti, type Mat4 } from '../../../src/nifti/nifti';

export interface SeriesSpec {
  id: string;
  cols?: number;
  rows?: number;
  slices?: number;
  spacing?: [number, number, number];
  origin?: Vec3;
  seriesNumber?: number;
  description?: string;
}

export interface WrittenSeries {
  files: string[];
  seriesInstanceUID: string;
  frameOfReferenceUID: string;
  sopInstanceUIDs: string[];
  dims: [number, number, number];
}

function meta(spec: SeriesSpec): CtSeriesMeta {
  return {
    patientName: `Test^${spec.id}`,
    patientID: `P-${spec.id}`,
    patientBirthDate: '',
    patientSex: 'O',
    studyInstanceUID: uidFromParts('study', spec.id),
    seriesInstanceUID: uidFromParts('series', spec.id),
    frameOfReferenceUID: uidFromParts('for', spec.id),
    studyDate: '20260101',
    studyTime: '120000',
    studyID: '1',
    accessionNumber: '',
    studyDescription: 'batch test',
    seriesDescription: spec.description ?? `series ${spec.id}`,
    seriesNumber: spec.seriesNumber ?? 1,
    manufacturer: 'test',
    modelName: 'test',
    softwareVersion: '1',
    bodyPartExamined: 'HEAD',
    patientPosition: 'HFS',
    kvp: 120,
    convolutionKernel: 'B',
    windowCenter: 40,
    windowWidth: 400,
  };
}

/** An axial HFS series, one file per slice, HU = slice index * 10 - 1000 plus a bright square. */
export function writeSeries(dir: string, spec: SeriesSpec): WrittenSeries {
  const cols = spec.cols ?? 16;
  const rows = spec.rows ?? 12;
  const n = spec.slices ?? 6;
  const [sx, sy, sz] = spec.spacing ?? [2, 2, 3];
  const origin = spec.origin ?? [-15, -11, -7.5];
  const hu = new Int16Array(cols * rows * n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) hu[i + j * cols + k * cols * rows] = i > 3 && i < 10 && j > 2 && j < 8 ? 40 : k * 10 - 1000;
    }
  }
  const m = meta(spec);
  const sops = Array.from({ length: n }, (_, k) => uidFromParts('sop', spec.id, k));
  const input = {
    cols,
    rows,
    pixelSpacing: [sx, sy] as [number, number],
    sliceThickness: sz,
    sliceSpacing: sz,
    rowCosines: [1, 0, 0] as Vec3,
    colCosines: [0, 1, 0] as Vec3,
    positions: Array.from({ length: n }, (_, k): Vec3 => [origin[0], origin[1], origin[2] + k * sz]),
    hu,
    sopInstanceUIDs: sops,
    instanceNumbers: sops.map((_, k) => k + 1),
    meta: m,
  };
  mkdirSync(dir, { recursive: true });
  const files = sops.map((_, k) => {
    const f = join(dir, `CT${String(k + 1).padStart(4, '0')}.dcm`);
    writeFileSync(f, writeCtSlice(input, k));
    return f;
  });
  return {
    files,
    seriesInstanceUID: m.seriesInstanceUID,
    frameOfReferenceUID: m.frameOfReferenceUID,
    sopInstanceUIDs: sops,
    dims: [cols, rows, n],
  };
}

/** The CtVolume of the series files in `dir` (the app's own loader). */
export function loadSeries(dir: string): CtVolume {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort();
  const files = names.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
  const scan = scanDicomFiles(files);
  return buildCtVolume(scan.series[0], files);
}

/** A RAS affine with diagonal voxel sizes and origin. */
export function diagAffine(sx: number, sy: number, sz: number, origin: [number, number, number] = [0, 0, 0]): Mat4 {
  return [
    [sx, 0, 0, origin[0]],
    [0, sy, 0, origin[1]],
    [0, 0, sz, origin[2]],
    [0, 0, 0, 1],
  ];
}

export function writeNiftiFile(path: string, dims: [number, number, number], affine: Mat4, data: Uint8Array | Int16Array): void {
  writeFileSync(path, writeNifti({ dims, affine, data }));
}
