/**
 * Small synthetic CT series for browser tests: a body ellipse with two lungs and a bright marker in the
 * patient's left-anterior-superior corner, written for any patient position (HFS, FFS) so the same
 * anatomy is stored in different pixel orders. The display must look the same for both.
 */
import { part10, CT_IMAGE_STORAGE, EXPLICIT_LE } from '../../unit/dicom/fixtures';

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

export function syntheticSeries(o: SynthOptions = {}): SynthFile[] {
  const cols = o.cols ?? 96;
  const rows = o.rows ?? 96;
  const n = o.slices ?? 24;
  const px = o.pixelMm ?? 2.5;
  const dz = o.sliceMm ?? 3;
  const zMin = o.zMin ?? -100;
  const zTop = zMin + (n - 1) * dz;
  const ffs = o.position === 'FFS';
  // Feet first, supine: image rows still run anterior -> posterior, columns run patient left -> right.
  const row: [number, number, number] = ffs ? [-1, 0, 0] : [1, 0, 0];
  const col: [number, number, number] = [0, 1, 0];
  const x0 = ffs ? ((cols - 1) / 2) * px : -((cols - 1) / 2) * px;
  const y0 = -((rows - 1) / 2) * px;
  const seriesUID = o.seriesUID ?? `1.2.826.0.1.3680043.10.1.${ffs ? 2 : 1}.${n}`;
  const files: SynthFile[] = [];
  const [from, to] = o.only ?? [0, n];
  for (let s = from; s < Math.min(n, to); s++) {
    // Feet-first scanners usually start at the feet end; the file order must not matter anyway.
    const k = ffs ? n - 1 - s : s;
    const z = zMin + k * dz;
    const px16 = new Int16Array(cols * rows);
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const x = x0 + i * px * row[0];
        const y = y0 + j * px * col[1];
        px16[i + j * cols] = phantomHU(x, y, z, zTop);
      }
    }
    const bytes = part10([
      { tag: 0x00080016, vr: 'UI', value: CT_IMAGE_STORAGE },
      { tag: 0x00080018, vr: 'UI', value: `${seriesUID}.${s + 1}` },
      { tag: 0x00080060, vr: 'CS', value: o.modality ?? 'CT' },
      { tag: 0x0008103e, vr: 'LO', value: o.description ?? `Synthetic ${ffs ? 'FFS' : 'HFS'}` },
      ...(o.studyDate ? [{ tag: 0x00080020, vr: 'DA', value: o.studyDate }] : []),
      { tag: 0x00100010, vr: 'PN', value: o.patientName ?? 'Synthetic^Phantom' },
      { tag: 0x00100020, vr: 'LO', value: o.patientID ?? 'SYN-1' },
      { tag: 0x0020000d, vr: 'UI', value: o.studyUID ?? '1.2.826.0.1.3680043.10.1' },
      { tag: 0x0020000e, vr: 'UI', value: seriesUID },
      { tag: 0x00180050, vr: 'DS', value: dz },
      { tag: 0x00185100, vr: 'CS', value: ffs ? 'FFS' : 'HFS' },
      { tag: 0x00200013, vr: 'IS', value: s + 1 },
      { tag: 0x00200032, vr: 'DS', value: [x0, y0, z].join('\\') },
      { tag: 0x00200037, vr: 'DS', value: [...row, ...col].join('\\') },
      { tag: 0x00200052, vr: 'UI', value: '1.2.826.0.1.3680043.10.1.9' },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: cols },
      { tag: 0x00280030, vr: 'DS', value: `${px}\\${px}` },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x00281052, vr: 'DS', value: 0 },
      { tag: 0x00281053, vr: 'DS', value: 1 },
      { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(px16.buffer) },
    ], EXPLICIT_LE);
    files.push({ name: `IM${String(s + 1).padStart(4, '0')}.dcm`, mimeType: 'application/dicom', buffer: Buffer.from(bytes) });
  }
  return files;
}
