/**
 * DICOM Segmentation reader (dcmjs parsing): segments with their labels, codes, colours and algorithm, and
 * per frame the segment, the plane position and the source image. Pure; placing frames on a CT is import.ts.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { Vec3 } from '../volume/volume';
import type { Code } from './codes';
import { SEGMENTATION_STORAGE } from './writer';

export interface SegSegment {
  number: number;
  label: string;
  description?: string;
  category?: Code;
  type?: Code;
  modifier?: Code;
  algorithmType?: string;
  algorithmName?: string;
  /** sRGB from RecommendedDisplayCIELabValue, when present. */
  color?: [number, number, number];
}

export interface SegFrame {
  segment: number;
  /** ImagePositionPatient of the frame (per-frame or shared), when present. */
  position?: Vec3;
  /** The source image of the frame (Derivation Image Sequence), when present. */
  sourceSOPInstanceUID?: string;
}

export interface SegData {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  seriesDescription: string;
  frameOfReferenceUID: string;
  referencedSeriesUIDs: string[];
  referencedSOPInstanceUIDs: string[];
  segmentationType: 'BINARY' | 'FRACTIONAL';
  /** FRACTIONAL: the value meaning 100 % (MaximumFractionalValue). */
  maxFractional: number;
  rows: number;
  columns: number;
  /** Orientation (row cosines, column cosines), when present. */
  orientation?: [number, number, number, number, number, number];
  /** (row spacing, column spacing) in mm, when present. */
  pixelSpacing?: [number, number];
  segments: SegSegment[];
  frames: SegFrame[];
  /** BINARY: frames bit-packed back to back (PS3.5 8.1.1); FRACTIONAL: one byte per pixel. */
  pixelData: Uint8Array;
}

export class SegReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegReadError';
  }
}

type Seq = NaturalDataset[];
const asSeq = (v: unknown): Seq => (Array.isArray(v) ? (v as Seq) : v && typeof v === 'object' ? [v as NaturalDataset] : []);
function asString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.length ? asString(v[0]) : '';
  if (typeof v === 'object') return (v as { Alphabetic?: string }).Alphabetic ?? '';
  return String(v).trim();
}
const asNumber = (v: unknown): number => Number.parseFloat(asString(v));
const asNumbers = (v: unknown): number[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => Number.parseFloat(String(x)));

function code(v: unknown): Code | undefined {
  const item = asSeq(v)[0];
  if (!item) return undefined;
  return {
    CodeValue: asString(item.CodeValue),
    CodingSchemeDesignator: asString(item.CodingSchemeDesignator),
    CodeMeaning: asString(item.CodeMeaning),
  };
}

interface DcmjsColors {
  data: { Colors: { dicomlab2RGB8(lab: number[]): number[] } };
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

/** Reads a SEG file. Throws SegReadError for other objects, compressed pixel data or missing frames. */
export function readSeg(buffer: ArrayBuffer | Uint8Array): SegData {
  const ab =
    buffer instanceof Uint8Array ? buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) : buffer;
  let ds: NaturalDataset;
  let ts = '';
  try {
    const dict = dcmjs.data.DicomMessage.readFile(ab as ArrayBuffer, { ignoreErrors: true });
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    ts = asString(dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta).TransferSyntaxUID);
  } catch (e) {
    throw new SegReadError(`not a readable DICOM file: ${(e as Error).message}`);
  }
  const sopClass = asString(ds.SOPClassUID);
  if (sopClass !== SEGMENTATION_STORAGE && asString(ds.Modality) !== 'SEG') {
    throw new SegReadError(
      `not a DICOM Segmentation (SOP class ${sopClass || 'missing'}, modality ${asString(ds.Modality) || 'missing'})`,
    );
  }
  if (ts && !UNCOMPRESSED.has(ts)) throw new SegReadError(`compressed pixel data (transfer syntax ${ts}) is not supported`);
  const type = asString(ds.SegmentationType);
  if (type !== 'BINARY' && type !== 'FRACTIONAL')
    throw new SegReadError(`SegmentationType ${type || 'missing'} is not BINARY or FRACTIONAL`);
  const rows = asNumber(ds.Rows);
  const columns = asNumber(ds.Columns);
  const nFrames = asNumber(ds.NumberOfFrames);
  if (!(rows > 0 && columns > 0 && nFrames > 0))
    throw new SegReadError(`no frames (Rows ${rows}, Columns ${columns}, NumberOfFrames ${nFrames})`);

  const segments: SegSegment[] = asSeq(ds.SegmentSequence).map((s) => {
    const typeItem = asSeq(s.SegmentedPropertyTypeCodeSequence)[0];
    const lab = asNumbers(s.RecommendedDisplayCIELabValue);
    const rgb =
      lab.length === 3 && lab.every(Number.isFinite)
        ? (dcmjs as unknown as DcmjsColors).data.Colors.dicomlab2RGB8(lab)
        : undefined;
    return {
      number: asNumber(s.SegmentNumber),
      label: asString(s.SegmentLabel),
      description: asString(s.SegmentDescription) || undefined,
      category: code(s.SegmentedPropertyCategoryCodeSequence),
      type: code(s.SegmentedPropertyTypeCodeSequence),
      modifier: typeItem ? code(typeItem.SegmentedPropertyTypeModifierCodeSequence) : undefined,
      algorithmType: asString(s.SegmentAlgorithmType) || undefined,
      algorithmName: asString(s.SegmentAlgorithmName) || undefined,
      color: rgb ? [rgb[0], rgb[1], rgb[2]] : undefined,
    };
  });
  if (!segments.length) throw new SegReadError('the SEG has no segments');

  const shared = asSeq(ds.SharedFunctionalGroupsSequence)[0] ?? {};
  const perFrame = asSeq(ds.PerFrameFunctionalGroupsSequence);
  if (perFrame.length && perFrame.length !== nFrames)
    throw new SegReadError(`${perFrame.length} per-frame groups for ${nFrames} frames`);
  const group = (f: number, name: string): NaturalDataset | undefined => asSeq(perFrame[f]?.[name])[0] ?? asSeq(shared[name])[0];
  const frames: SegFrame[] = [];
  for (let f = 0; f < nFrames; f++) {
    const segNum = asNumber(group(f, 'SegmentIdentificationSequence')?.ReferencedSegmentNumber);
    const pos = asNumbers(group(f, 'PlanePositionSequence')?.ImagePositionPatient);
    const deriv = group(f, 'DerivationImageSequence');
    const src = deriv ? asSeq(deriv.SourceImageSequence)[0] : undefined;
    frames.push({
      segment: Number.isFinite(segNum) ? segNum : segments.length === 1 ? segments[0].number : NaN,
      position: pos.length === 3 && pos.every(Number.isFinite) ? [pos[0], pos[1], pos[2]] : undefined,
      sourceSOPInstanceUID: src ? asString(src.ReferencedSOPInstanceUID) || undefined : undefined,
    });
  }
  const bad = frames.findIndex((f) => !segments.some((s) => s.number === f.segment));
  if (bad >= 0) throw new SegReadError(`frame ${bad + 1} names segment ${frames[bad].segment}, which the SEG does not define`);
  const iop = asNumbers(group(0, 'PlaneOrientationSequence')?.ImageOrientationPatient);
  const ps = asNumbers(group(0, 'PixelMeasuresSequence')?.PixelSpacing);

  const referencedSeriesUIDs: string[] = [];
  const referencedSOPInstanceUIDs: string[] = [];
  for (const se of asSeq(ds.ReferencedSeriesSequence)) {
    const s = asString(se.SeriesInstanceUID);
    if (s) referencedSeriesUIDs.push(s);
    for (const im of asSeq(se.ReferencedInstanceSequence)) {
      const u = asString(im.ReferencedSOPInstanceUID);
      if (u) referencedSOPInstanceUIDs.push(u);
    }
  }

  const raw = ds.PixelData;
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (!(first instanceof ArrayBuffer) && !ArrayBuffer.isView(first)) throw new SegReadError('the SEG has no pixel data');
  const pixelData =
    first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
  const need = type === 'BINARY' ? Math.ceil((rows * columns * nFrames) / 8) : rows * columns * nFrames;
  if (pixelData.length < need) throw new SegReadError(`pixel data has ${pixelData.length} bytes, ${nFrames} frames need ${need}`);

  return {
    sopInstanceUID: asString(ds.SOPInstanceUID),
    seriesInstanceUID: asString(ds.SeriesInstanceUID),
    seriesDescription: asString(ds.SeriesDescription),
    frameOfReferenceUID: asString(ds.FrameOfReferenceUID),
    referencedSeriesUIDs,
    referencedSOPInstanceUIDs,
    segmentationType: type,
    maxFractional: type === 'FRACTIONAL' ? asNumber(ds.MaximumFractionalValue) || 255 : 1,
    rows,
    columns,
    orientation: iop.length === 6 && iop.every(Number.isFinite) ? (iop as SegData['orientation']) : undefined,
    pixelSpacing: ps.length === 2 && ps.every(Number.isFinite) ? [ps[0], ps[1]] : undefined,
    segments,
    frames,
    pixelData,
  };
}

/** Whether pixel n of frame f is in its segment: BINARY bit set, or FRACTIONAL value >= half the maximum. */
export function framePixel(seg: SegData, f: number, n: number): boolean {
  const i = f * seg.rows * seg.columns + n;
  if (seg.segmentationType === 'BINARY') return (seg.pixelData[i >> 3] & (1 << (i & 7))) !== 0;
  return seg.pixelData[i] * 2 >= seg.maxFractional && seg.pixelData[i] > 0;
}
