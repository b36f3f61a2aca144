/**
 * RT Structure Set reader (dcmjs): the ROIs with names, colours, types and contours in LPS mm, and what the
 * file references (frame of reference, series, images). Pure parsing; matching to a CT is in import.ts.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { RT_STRUCTURE_SET_STORAGE } from './writer';

export interface ContourData {
  geometricType: string; // CLOSED_PLANAR, POINT, OPEN_PLANAR, ...
  /** x, y, z triples (LPS, mm). */
  points: Float64Array;
  /** The CT image named in the contour's Contour Image Sequence, if any. */
  referencedSOPInstanceUID?: string;
}

export interface RoiData {
  number: number;
  name: string;
  /** ROI Display Color, when the file has one. */
  color?: [number, number, number];
  interpretedType?: string;
  generationAlgorithm?: string;
  frameOfReferenceUID?: string;
  contours: ContourData[];
}

export interface StructureSetData {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  label: string;
  patientID: string;
  patientName: string;
  frameOfReferenceUIDs: string[];
  referencedSeriesUIDs: string[];
  /** Every image named in the RT Referenced Series' Contour Image Sequences. */
  referencedSOPInstanceUIDs: string[];
  rois: RoiData[];
  /**
   * What was wrong with the file, one line per ROI / contour (duplicate ROI numbers, NaN coordinates, a
   * coordinate count that is not a multiple of 3): those contours are left out, never merged or guessed.
   */
  problems: string[];
}

export class RtStructReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtStructReadError';
  }
}

type Seq = NaturalDataset[];

const asSeq = (v: unknown): Seq => (Array.isArray(v) ? (v as Seq) : v && typeof v === 'object' ? [v as NaturalDataset] : []);
function asString(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.length ? asString(v[0]) : '';
  if (typeof v === 'object') {
    const pnv = v as { Alphabetic?: string };
    return pnv.Alphabetic ?? '';
  }
  return String(v).trim();
}
const asNumber = (v: unknown): number => Number.parseFloat(asString(v));

/** Reads an RTSTRUCT file. Throws RtStructReadError for files that are not an RT Structure Set. */
export function readRtStruct(buffer: ArrayBuffer | Uint8Array): StructureSetData {
  const ab =
    buffer instanceof Uint8Array ? buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) : buffer;
  let ds: NaturalDataset;
  let dict: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    dict = dcmjs.data.DicomMessage.readFile(ab as ArrayBuffer);
  } catch (strict) {
    // A cut file reads "successfully" with ignoreErrors, with contours silently missing: refuse it instead.
    if (isTruncation(strict)) {
      throw new RtStructReadError(
        `the file is truncated (it ends inside a DICOM element after ${(ab as ArrayBuffer).byteLength} bytes); copy or export it again`,
      );
    }
    try {
      dict = dcmjs.data.DicomMessage.readFile(ab as ArrayBuffer, { ignoreErrors: true });
    } catch (e) {
      throw new RtStructReadError(`not a readable DICOM file: ${(e as Error).message}`);
    }
  }
  try {
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (e) {
    throw new RtStructReadError(`not a readable DICOM file: ${(e as Error).message}`);
  }
  const sopClass = asString(ds.SOPClassUID);
  if (sopClass !== RT_STRUCTURE_SET_STORAGE && asString(ds.Modality) !== 'RTSTRUCT') {
    throw new RtStructReadError(
      `not an RT Structure Set (SOP class ${sopClass || 'missing'}, modality ${asString(ds.Modality) || 'missing'})`,
    );
  }

  const frameOfReferenceUIDs: string[] = [];
  const referencedSeriesUIDs: string[] = [];
  const referencedSOPInstanceUIDs: string[] = [];
  for (const f of asSeq(ds.ReferencedFrameOfReferenceSequence)) {
    const uid = asString(f.FrameOfReferenceUID);
    if (uid) frameOfReferenceUIDs.push(uid);
    for (const st of asSeq(f.RTReferencedStudySequence)) {
      for (const se of asSeq(st.RTReferencedSeriesSequence)) {
        const s = asString(se.SeriesInstanceUID);
        if (s) referencedSeriesUIDs.push(s);
        for (const im of asSeq(se.ContourImageSequence)) {
          const u = asString(im.ReferencedSOPInstanceUID);
          if (u) referencedSOPInstanceUIDs.push(u);
        }
      }
    }
  }

  const problems: string[] = [];
  const rois = new Map<number, RoiData>();
  const duplicate = new Set<number>();
  for (const r of asSeq(ds.StructureSetROISequence)) {
    const number = asNumber(r.ROINumber);
    const prior = rois.get(number) ?? (duplicate.has(number) ? { name: '(another ROI)' } : undefined);
    if (prior) {
      // Two ROIs with one number: their contours cannot be told apart. Both are left out, by name.
      problems.push(
        `ROI number ${number} is used by both "${prior.name}" and "${asString(r.ROIName)}": both left out (contours cannot be told apart)`,
      );
      duplicate.add(number);
      rois.delete(number);
      continue;
    }
    rois.set(number, {
      number,
      name: asString(r.ROIName),
      generationAlgorithm: asString(r.ROIGenerationAlgorithm) || undefined,
      frameOfReferenceUID: asString(r.ReferencedFrameOfReferenceUID) || undefined,
      contours: [],
    });
  }
  const contoursSeen = new Set<number>();
  for (const rc of asSeq(ds.ROIContourSequence)) {
    const number = asNumber(rc.ReferencedROINumber);
    if (duplicate.has(number)) continue;
    let roi = rois.get(number);
    if (!roi) rois.set(number, (roi = { number, name: `ROI ${number}`, contours: [] }));
    const what = `ROI ${number} "${roi.name}"`;
    if (contoursSeen.has(number)) {
      problems.push(`${what} has two ROI Contour items: the second is left out`);
      continue;
    }
    contoursSeen.add(number);
    const col = Array.isArray(rc.ROIDisplayColor) ? (rc.ROIDisplayColor as unknown[]).map((c) => asNumber(c)) : [];
    if (col.length === 3 && col.every(Number.isFinite)) roi.color = [col[0], col[1], col[2]];
    asSeq(rc.ContourSequence).forEach((c, i) => {
      const raw = Array.isArray(c.ContourData)
        ? (c.ContourData as unknown[])
        : c.ContourData !== undefined
          ? [c.ContourData]
          : [];
      const points = Float64Array.from(raw, (v) => asNumber(v));
      const where = `${what}, contour ${asString(c.ContourNumber) || i + 1}`;
      const bad = points.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
      if (bad) {
        problems.push(`${where}: ${bad} of ${points.length} coordinates are not numbers (NaN/Inf); contour left out`);
        return;
      }
      if (points.length % 3 !== 0) {
        problems.push(`${where}: ${points.length} coordinates, not a multiple of 3 (x, y, z); contour left out`);
        return;
      }
      if (points.length < 3) {
        if (raw.length) problems.push(`${where}: no complete point; contour left out`);
        return;
      }
      const img = asSeq(c.ContourImageSequence)[0];
      roi.contours.push({
        geometricType: asString(c.ContourGeometricType) || 'CLOSED_PLANAR',
        points,
        referencedSOPInstanceUID: img ? asString(img.ReferencedSOPInstanceUID) || undefined : undefined,
      });
    });
  }
  for (const o of asSeq(ds.RTROIObservationsSequence)) {
    const roi = rois.get(asNumber(o.ReferencedROINumber));
    if (roi) roi.interpretedType = asString(o.RTROIInterpretedType) || undefined;
  }

  return {
    sopInstanceUID: asString(ds.SOPInstanceUID),
    seriesInstanceUID: asString(ds.SeriesInstanceUID),
    label: asString(ds.StructureSetLabel),
    patientID: asString(ds.PatientID),
    patientName: asString(ds.PatientName),
    frameOfReferenceUIDs,
    referencedSeriesUIDs,
    referencedSOPInstanceUIDs,
    rois: [...rois.values()].sort((a, b) => a.number - b.number),
    problems,
  };
}

/** dcmjs' errors for a read past the end of the buffer. */
function isTruncation(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return (
    e instanceof RangeError ||
    /past end|outside the bounds|end of (the )?(buffer|input|stream)|more than currently allocated/i.test(m)
  );
}
