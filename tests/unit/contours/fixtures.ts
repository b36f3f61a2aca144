/** Tiny hand-made CT volumes and masks for the contour and RTSTRUCT tests. */
import type { CtVolume, SliceRef, Vec3 } from '../../../src/volume/volume';

export interface VolumeSpec {
  dims: Vec3;
  spacing?: [number, number];
  /** ImagePositionPatient of slice 0. */
  origin?: Vec3;
  rowCosines?: Vec3;
  colCosines?: Vec3;
  /** Position of each slice along the normal relative to slice 0 (default: 0, 2, 4, ... mm). */
  offsets?: number[];
  uids?: string[];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function makeVolume(spec: VolumeSpec): CtVolume {
  const [cols, rows, nk] = spec.dims;
  const spacing = spec.spacing ?? [1, 1];
  const origin = spec.origin ?? [0, 0, 0];
  const r = spec.rowCosines ?? [1, 0, 0];
  const c = spec.colCosines ?? [0, 1, 0];
  const n = cross(r, c);
  const offsets = spec.offsets ?? Array.from({ length: nk }, (_, k) => 2 * k);
  const slices: SliceRef[] = offsets.map((d, k) => {
    const position: Vec3 = [origin[0] + d * n[0], origin[1] + d * n[1], origin[2] + d * n[2]];
    return {
      sopInstanceUID: spec.uids?.[k] ?? `1.2.826.0.1.3680043.8.498.1.${k + 1}`,
      sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
      position,
      normalOffset: position[0] * n[0] + position[1] * n[1] + position[2] * n[2],
      instanceNumber: k + 1,
    };
  });
  const meanGap = nk > 1 ? (offsets[nk - 1] - offsets[0]) / (nk - 1) : 1;
  return {
    dims: [cols, rows, nk],
    spacing: [spacing[0], spacing[1], meanGap],
    origin,
    rowCosines: r,
    colCosines: c,
    normal: n,
    hu: new Int16Array(cols * rows * nk),
    slices,
    meta: {
      modality: 'CT',
      patientName: 'Test^Patient',
      patientID: 'TEST001',
      patientBirthDate: '19700101',
      patientSex: 'O',
      studyInstanceUID: '1.2.826.0.1.3680043.8.498.2',
      studyDate: '20240102',
      studyTime: '101500',
      studyID: 'S1',
      accessionNumber: 'A1',
      referringPhysicianName: '',
      studyDescription: 'unit test',
      seriesInstanceUID: '1.2.826.0.1.3680043.8.498.3',
      seriesDescription: 'unit test CT',
      seriesNumber: '1',
      frameOfReferenceUID: '1.2.826.0.1.3680043.8.498.4',
      patientPosition: 'HFS',
      manufacturer: 'test',
      bodyPartExamined: '',
    },
    warnings: [],
  };
}

/** Mask from ASCII art: '#' inside, anything else outside; all rows must have the same length. */
export function maskFromArt(art: string): { mask: Uint8Array; width: number; height: number } {
  const lines = art
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const width = lines[0].length;
  const height = lines.length;
  const mask = new Uint8Array(width * height);
  lines.forEach((l, y) => {
    if (l.length !== width) throw new Error(`ragged art row ${y}`);
    for (let x = 0; x < width; x++) mask[x + y * width] = l[x] === '#' ? 1 : 0;
  });
  return { mask, width, height };
}

/** Deterministic PRNG (mulberry32) for property tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
