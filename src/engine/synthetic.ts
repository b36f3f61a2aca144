/**
 * A synthetic CtVolume in memory for tests and the benchmark: an elliptic "body" of soft tissue with
 * a spine and two lungs, in any size and orientation. Not anatomy (that is src/phantom's job): just
 * plausible HU structure so that the pre-processing has edges to interpolate.
 */
import type { CtVolume, SeriesMeta, Vec3 } from '../volume/volume';

export interface SyntheticCtOptions {
  cols?: number;
  rows?: number;
  slices?: number;
  /** [column, row, slice] spacing in mm */
  spacing?: Vec3;
  rowCosines?: Vec3;
  colCosines?: Vec3;
  /** ImagePositionPatient of slice 0 */
  origin?: Vec3;
  /** Float32 HU instead of Int16 */
  float?: boolean;
  /** Explicit slice offsets along the normal (mm, ascending) for non-uniform spacing tests. */
  sliceOffsets?: number[];
}

const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

export function syntheticCt(o: SyntheticCtOptions = {}): CtVolume {
  const cols = o.cols ?? 512;
  const rows = o.rows ?? 512;
  const nSlices = o.slices ?? 300;
  const spacing: Vec3 = o.spacing ?? [0.9765625, 0.9765625, 2.5];
  const r: Vec3 = o.rowCosines ?? [1, 0, 0];
  const c: Vec3 = o.colCosines ?? [0, 1, 0];
  const n = cross(r, c);
  const origin: Vec3 = o.origin ?? [-(cols - 1) * spacing[0] * 0.5, -(rows - 1) * spacing[1] * 0.5, -600];
  const offsets = o.sliceOffsets ?? Array.from({ length: nSlices }, (_, k) => k * spacing[2]);
  const hu = o.float ? new Float32Array(cols * rows * nSlices) : new Int16Array(cols * rows * nSlices);
  const slices = offsets.map((off, k) => {
    const position: Vec3 = [origin[0] + off * n[0], origin[1] + off * n[1], origin[2] + off * n[2]];
    return {
      sopInstanceUID: `1.2.826.0.1.3680043.8.498.${k + 1}`,
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      position,
      normalOffset: position[0] * n[0] + position[1] * n[1] + position[2] * n[2],
      instanceNumber: k + 1,
    };
  });
  for (let k = 0; k < nSlices; k++) {
    const zf = k / Math.max(1, nSlices - 1);
    const base = k * cols * rows;
    for (let j = 0; j < rows; j++) {
      const y = (j / (rows - 1)) * 2 - 1;
      for (let i = 0; i < cols; i++) {
        const x = (i / (cols - 1)) * 2 - 1;
        let v = -1000;
        const body = (x / 0.8) ** 2 + (y / (0.55 + 0.1 * zf)) ** 2;
        if (body < 1) {
          v = 40 + 10 * Math.sin(7 * x + 5 * y + 3 * zf);
          if ((x - 0.35) ** 2 / 0.05 + (y * y) / 0.12 < 1 || (x + 0.35) ** 2 / 0.05 + (y * y) / 0.12 < 1) v = -850;
          if (x * x + (y - 0.4) ** 2 < 0.01) v = 700 + 300 * zf;
        }
        hu[base + j * cols + i] = v;
      }
    }
  }
  const meta: SeriesMeta = {
    modality: 'CT',
    patientName: 'Synthetic^CT',
    patientID: 'SYNTH',
    patientBirthDate: '',
    patientSex: '',
    studyInstanceUID: '1.2.826.0.1.3680043.8.498.1',
    studyDate: '',
    studyTime: '',
    studyID: '',
    accessionNumber: '',
    referringPhysicianName: '',
    studyDescription: 'synthetic',
    seriesInstanceUID: '1.2.826.0.1.3680043.8.498.2',
    seriesDescription: 'synthetic CT',
    seriesNumber: '1',
    frameOfReferenceUID: '1.2.826.0.1.3680043.8.498.3',
    patientPosition: 'HFS',
    manufacturer: '',
    bodyPartExamined: '',
  };
  const meanSpacing = offsets.length > 1 ? (offsets[offsets.length - 1] - offsets[0]) / (offsets.length - 1) : spacing[2];
  return {
    dims: [cols, rows, nSlices],
    spacing: [spacing[0], spacing[1], meanSpacing],
    origin: slices[0].position,
    rowCosines: r,
    colCosines: c,
    normal: n,
    hu,
    slices,
    meta,
    warnings: [],
  };
}
