/**
 * The scan protocol of a phantom case: which part of the body, grid (matrix, pixel spacing, field of
 * view), slice thickness, patient position (HFS / FFS) and the DICOM geometry that follows from them.
 *
 * Geometry conventions (DESIGN 3.5, src/volume/volume.ts): voxel (i, j, k) with i along ImageOrientation
 * row cosines, j along column cosines, k sorted ascending along the normal (row x column). HFS axial:
 * rows (1,0,0), columns (0,1,0), normal +z, k from the feet to the head. FFS axial: rows (-1,0,0),
 * columns (0,1,0), normal -z, so k runs from the head to the feet (descending z).
 */
import { Rng } from './rng';
import type { RenderGrid } from './render';
import type { Vec3 } from './shapes';
import { zOf, type Subject } from './subject';

export type Region = 'whole' | 'head-neck' | 'thorax' | 'abdomen';
export const REGIONS_CLI: readonly Region[] = ['whole', 'head-neck', 'thorax', 'abdomen'];
export type PatientPosition = 'HFS' | 'FFS';

/** Source dataset (organs.json protocol id) of each scan region. */
export const REGION_PROTOCOL: Record<Region, 'whole' | 'head_neck' | 'thorax' | 'abdomen'> = {
  whole: 'whole',
  'head-neck': 'head_neck',
  thorax: 'thorax',
  abdomen: 'abdomen',
};

export interface ScanOptions {
  seed: number;
  region?: Region;
  /** rows = columns */
  matrix?: number;
  /** pixel spacing (mm); random 0.6-1.2 (enough to fit the body) when absent */
  spacing?: number;
  /** slice thickness = spacing between slices (mm); random 1-5 by region when absent */
  slice?: number;
  position?: PatientPosition;
}

export interface ScanGeometry {
  region: Region;
  cols: number;
  rows: number;
  /** [column spacing (along the row cosines), row spacing] mm */
  pixelSpacing: [number, number];
  sliceThickness: number;
  sliceSpacing: number;
  patientPosition: PatientPosition;
  rowCosines: Vec3;
  colCosines: Vec3;
  normal: Vec3;
  /** ImagePositionPatient of each slice, in sorted order k (ascending along the normal) */
  positions: Vec3[];
  /** canonical (anatomy) z of each sorted slice */
  zCanon: number[];
  /** patient = anatomy + translation */
  translation: Vec3;
  render: RenderGrid;
  /** field of view, mm */
  fov: number;
}

const THICKNESS: Record<Region, number[]> = {
  'head-neck': [1, 1.25, 1.5, 2, 2.5, 3],
  thorax: [1.25, 2, 2.5, 3, 5],
  abdomen: [1.5, 2, 2.5, 3, 5],
  whole: [2, 2.5, 3, 5],
};

/** Round to a value that DICOM decimal strings hold exactly and every reader parses identically. */
const q = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

export function planScan(s: Subject, o: ScanOptions, skinBox: Float64Array, backY: number): ScanGeometry {
  const r = new Rng(o.seed, 'scan');
  const region = o.region ?? 'whole';
  const N = o.matrix ?? 512;
  if (!Number.isInteger(N) || N < 16 || N > 2048) throw new RangeError(`matrix must be an integer in 16..2048, got ${N}`);
  // craniocaudal range (canonical heights; the vertex is at 0)
  let top: number, bottom: number;
  switch (region) {
    case 'whole':
      top = r.uniform(6, 14);
      bottom = zOf(s, r.uniform(-893, -905));
      break;
    case 'head-neck':
      top = r.uniform(4, 14);
      bottom = zOf(s, r.uniform(-330, -385));
      break;
    case 'thorax':
      top = zOf(s, r.uniform(-235, -270));
      bottom = zOf(s, r.uniform(-600, -650));
      break;
    case 'abdomen':
      top = zOf(s, r.uniform(-430, -470));
      bottom = zOf(s, r.uniform(-880, -905));
      break;
  }
  const thick = o.slice ?? r.pick(THICKNESS[region]);
  if (!(thick > 0 && thick <= 20)) throw new RangeError(`slice thickness must be in (0, 20] mm, got ${thick}`);
  const n = Math.max(1, Math.floor((top - bottom) / thick) + 1);
  // in-plane: the field of view must hold the body (widest: shoulders) with a margin
  const width = skinBox[1] - skinBox[0];
  const need = width + 24;
  let spacing = o.spacing ?? q(Math.max(0.6, need / N, r.uniform(0.6, 1.2)), 4);
  if (o.spacing === undefined && spacing > 1.2 && need / N <= 1.2) spacing = 1.2;
  if (!(spacing > 0.05 && spacing <= 50)) throw new RangeError(`pixel spacing must be in (0.05, 50] mm, got ${spacing}`);
  spacing = q(spacing, 4);
  const fov = N * spacing;
  // image centre (anatomy coordinates): body midline with some off-centring, couch in view when it fits
  const cx = r.gauss(0, 6);
  const bodyFront = skinBox[2];
  const cyWant = 0.5 * (bodyFront + backY) + r.gauss(8, 6);
  const cy = Math.min(Math.max(cyWant, backY + 6 - fov / 2), bodyFront - 6 + fov / 2);
  // patient coordinates: the reconstruction centre near the isocentre, table position arbitrary
  const translation: Vec3 = [q(-cx + r.gauss(0, 3), 2), q(-cy + r.gauss(0, 3), 2), q(r.uniform(-350, 250), 2)];
  const position = o.position ?? (r.chance(0.25) ? 'FFS' : 'HFS');
  const hfs = position === 'HFS';
  const rowCosines: Vec3 = hfs ? [1, 0, 0] : [-1, 0, 0];
  const colCosines: Vec3 = [0, 1, 0];
  const normal: Vec3 = hfs ? [0, 0, 1] : [0, 0, -1];
  // anatomy coordinates of pixel (0, 0): the centre minus half the matrix along the row/column axes
  const half = ((N - 1) / 2) * spacing;
  const x0 = hfs ? cx - half : cx + half;
  const y0 = cy - half;
  const zCanon: number[] = [];
  // slices from the bottom of the range upwards, positions snapped to 0.01 mm
  for (let k = 0; k < n; k++) zCanon.push(q(bottom + translation[2] + k * thick, 2) - translation[2]);
  if (!hfs) zCanon.reverse();
  const positions: Vec3[] = zCanon.map((z) => [q(x0 + translation[0], 4), q(y0 + translation[1], 4), q(z + translation[2], 2)]);
  // render in anatomy coordinates exactly where the DICOM positions say the pixels are
  const p0 = positions[0];
  return {
    region,
    cols: N,
    rows: N,
    pixelSpacing: [spacing, spacing],
    sliceThickness: thick,
    sliceSpacing: thick,
    patientPosition: position,
    rowCosines,
    colCosines,
    normal,
    positions,
    zCanon: positions.map((p) => p[2] - translation[2]),
    translation,
    fov,
    render: {
      cols: N,
      rows: N,
      x0: p0[0] - translation[0],
      dxi: hfs ? spacing : -spacing,
      y0: p0[1] - translation[1],
      dyj: spacing,
      thickness: thick,
    },
  };
}
