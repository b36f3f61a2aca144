/**
 * Small synthetic CT series for browser tests: a body ellipse with two lungs and a bright marker in the
 * patient's left-anterior-superior corner, written for any patient position (HFS, FFS) so the same
 * anatomy is stored in different pixel orders. The display must look the same for both.
 *
 * One generator (ctSeries) serves the e2e tests (syntheticSeries) and the bad-input corpus
 * (tests/corpus/generate.ts), which bends it through hooks: per-slice positions and orientation, storage
 * (unsigned, 12 bits), element edits, mixed matrices. Files go through the independent Part 10 writer of
 * tests/unit/dicom/fixtures.ts.
 */
import { part10, CT_IMAGE_STORAGE, EXPLICIT_LE, type El } from '../../unit/dicom/fixtures';

export type PatientPosition = 'HFS' | 'FFS';

export interface SynthOptions {
  cols?: number;
  rows?: number;
  slices?: number;
  pixelMm?: number;
  sliceMm?: number;
  position?: PatientPosition;
  modality?: string;
  description?: string;
  seriesUID?: string;
  /** LPS z of the most inferior slice. */
  zMin?: number;
  /** Only files [from, to) of the series (to write a large series in chunks). */
  only?: [number, number];
  /** Study and patient (defaults: one fixed synthetic study). */
  studyUID?: string;
  patientName?: string;
  patientID?: string;
  studyDate?: string;
}

export interface SynthFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** HU at an LPS point: air, body (40), lungs (-800), marker (1200) at left-anterior-superior. */
export function phantomHU(x: number, y: number, z: number, zTop: number): number {
  const inMarker = x > 40 && x < 75 && y > -60 && y < -30 && z > zTop - 25;
  if (inMarker) return 1200;
  if ((x / 110) ** 2 + (y / 80) ** 2 > 1) return -1000;
  const lung = (cx: number) => ((x - cx) / 40) ** 2 + (y / 50) ** 2 < 1;
  if (lung(-50) || lung(50)) return -800;
  return 40;
}

/** Everything ctSeries can vary; each default is the plain head-first-supine axial CT. */
export interface CtSeriesSpec {
  cols?: number;
  rows?: number;
  slices?: number;
  pixelMm?: number;
  /** Slice Thickness (0018,0050) and the default z step. */
  sliceMm?: number;
  /** z of each slice k (default: zMin + sliceMm k). */
  z?: number[];
  zMin?: number;
  /** Row and column direction cosines (default [1,0,0], [0,1,0]). */
  row?: [number, number, number];
  col?: [number, number, number];
  /** Position of slice k (default: the centred grid at z). */
  position?: (k: number, z: number) => number[];
  /** Slice k written as file s (default the same; feet first writes them in reverse). */
  fileOrder?: 'as-is' | 'reversed';
  /** Only files [from, to) (a large series in chunks). */
  only?: [number, number];
  modality?: string;
  sopClass?: string;
  description?: string;
  patientName?: string;
  patientID?: string;
  patientPosition?: string;
  studyUID?: string;
  studyDate?: string;
  seriesUID?: string;
  frameOfReferenceUID?: string;
  /** Stored value from HU (default: HU). */
  store?: (hu: number) => number;
  /** Pixel Representation 1 (default) or 0. */
  signed?: boolean;
  bitsStored?: number;
  /** Per-slice element edits: tag -> element (added or replacing) or null (removed). */
  edit?: (k: number) => Record<number, El | null>;
  /** Matrix [cols, rows] of slice k (mixed sizes). */
  matrix?: (k: number) => [number, number];
  filePrefix?: string;
}

/** The phantom CT series as Part 10 files (see CtSeriesSpec). */
export function ctSeries(o: CtSeriesSpec = {}): SynthFile[] {
  const n = o.z?.length ?? o.slices ?? 24;
  const px = o.pixelMm ?? 2.5;
  const dz = o.sliceMm ?? 3;
  const zMin = o.zMin ?? -100;
  const zs = o.z ?? Array.from({ length: n }, (_, k) => zMin + k * dz);
  const row = o.row ?? [1, 0, 0];
  const col = o.col ?? [0, 1, 0];
  // Feet first, supine: image rows still run anterior -> posterior, columns run patient left -> right.
  const sx = row[0] < -0.5 ? -1 : 1;
  const zTop = Math.max(...zs);
  const signed = o.signed ?? true;
  const seriesUID = o.seriesUID ?? '1.2.826.0.1.3680043.10.1.1';
  const bits = o.bitsStored ?? 16;
  const files: SynthFile[] = [];
  const [from, to] = o.only ?? [0, n];
  for (let s = from; s < Math.min(n, to); s++) {
    // Feet-first scanners usually start at the feet end; the file order must not matter anyway.
    const k = o.fileOrder === 'reversed' ? n - 1 - s : s;
    const z = zs[k];
    const [cols, rows] = o.matrix?.(k) ?? [o.cols ?? 96, o.rows ?? 96];
    const x0 = -sx * ((cols - 1) / 2) * px;
    const y0 = -((rows - 1) / 2) * px;
    const pos = o.position?.(k, z) ?? [x0, y0, z];
    const values = signed ? new Int16Array(cols * rows) : new Uint16Array(cols * rows);
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const hu = phantomHU(x0 + i * px * sx, y0 + j * px, z, zTop);
        values[i + j * cols] = o.store ? o.store(hu) : hu;
      }
    }
    const base: El[] = [
      { tag: 0x00080016, vr: 'UI', value: o.sopClass ?? CT_IMAGE_STORAGE },
      { tag: 0x00080018, vr: 'UI', value: `${seriesUID}.${s + 1}` },
      ...(o.studyDate ? [{ tag: 0x00080020, vr: 'DA', value: o.studyDate }] : []),
      { tag: 0x00080060, vr: 'CS', value: o.modality ?? 'CT' },
      { tag: 0x0008103e, vr: 'LO', value: o.description ?? 'Synthetic' },
      { tag: 0x00100010, vr: 'PN', value: o.patientName ?? 'Synthetic^Phantom' },
      { tag: 0x00100020, vr: 'LO', value: o.patientID ?? 'SYN-1' },
      { tag: 0x0020000d, vr: 'UI', value: o.studyUID ?? '1.2.826.0.1.3680043.10.1' },
      { tag: 0x0020000e, vr: 'UI', value: seriesUID },
      { tag: 0x00180050, vr: 'DS', value: dz },
      { tag: 0x00185100, vr: 'CS', value: o.patientPosition ?? 'HFS' },
      { tag: 0x00200013, vr: 'IS', value: s + 1 },
      { tag: 0x00200032, vr: 'DS', value: pos.map((v) => +v.toFixed(4)).join('\\') },
      { tag: 0x00200037, vr: 'DS', value: [...row, ...col].map((v) => +v.toFixed(6)).join('\\') },
      { tag: 0x00200052, vr: 'UI', value: o.frameOfReferenceUID ?? '1.2.826.0.1.3680043.10.1.9' },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: cols },
      { tag: 0x00280030, vr: 'DS', value: `${px}\\${px}` },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: bits },
      { tag: 0x00280102, vr: 'US', value: bits - 1 },
      { tag: 0x00280103, vr: 'US', value: signed ? 1 : 0 },
      { tag: 0x00281052, vr: 'DS', value: 0 },
      { tag: 0x00281053, vr: 'DS', value: 1 },
      { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(values.buffer) },
    ];
    const edits = o.edit?.(k) ?? {};
    const els = base.filter((e) => !(e.tag in edits));
    for (const [tag, e] of Object.entries(edits)) if (e) els.push({ ...e, tag: Number(tag) });
    files.push({
      name: `${o.filePrefix ?? 'IM'}${String(s + 1).padStart(4, '0')}.dcm`,
      mimeType: 'application/dicom',
      buffer: Buffer.from(part10(els, EXPLICIT_LE)),
    });
  }
  return files;
}

export function syntheticSeries(o: SynthOptions = {}): SynthFile[] {
  const ffs = o.position === 'FFS';
  const n = o.slices ?? 24;
  return ctSeries({
    cols: o.cols,
    rows: o.rows,
    slices: n,
    pixelMm: o.pixelMm,
    sliceMm: o.sliceMm,
    zMin: o.zMin,
    only: o.only,
    row: ffs ? [-1, 0, 0] : [1, 0, 0],
    fileOrder: ffs ? 'reversed' : 'as-is',
    patientPosition: ffs ? 'FFS' : 'HFS',
    modality: o.modality,
    description: o.description ?? `Synthetic ${ffs ? 'FFS' : 'HFS'}`,
    seriesUID: o.seriesUID ?? `1.2.826.0.1.3680043.10.1.${ffs ? 2 : 1}.${n}`,
    studyUID: o.studyUID,
    patientName: o.patientName,
    patientID: o.patientID,
    studyDate: o.studyDate,
  });
}
