/**
 * RT Structure Set writer (DESIGN 3.6) with dcmjs.
 *
 * Keeps the CT's Patient and General Study modules, gets new SOP Instance and Series UIDs, references the CT's
 * Frame of Reference and every CT image, and writes per ROI its number, name, display colour, AUTOMATIC
 * generation and ORGAN type, with CLOSED_PLANAR contours that each reference the CT slice they lie on.
 *
 * Written in Implicit VR Little Endian, the DICOM default transfer syntax every planning system reads: its
 * 32-bit value lengths hold a ContourData of any size (Explicit VR limits DS elements to 64 KiB).
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { Contour, OrganContours } from '../contours/extract';
import { chooseCharset, encodeText, fitText, parseCharset } from '../dicom/charset';
import { dicomDateTime, part10Dict, patientStudyAttributes } from '../dicom/derivedObject';
import type { CtVolume } from '../volume/volume';
import { MODEL_GENERATION, type RoiGeneration } from '../labels/provenance';
import { organByChannel } from '../organs';
import { formatDS } from './ds';
import { randomUid, seriesUids, type SeriesUids } from './uids';

export const RT_STRUCTURE_SET_STORAGE = '1.2.840.10008.5.1.4.1.1.481.3';
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** The Study Component Management SOP class: what RT Referenced Study Sequence items conventionally name. */
const STUDY_COMPONENT_MANAGEMENT = '1.2.840.10008.3.1.2.3.2';

/** One structure to write. */
export interface RoiInput {
  /** ROI Number (unique, >= 1). */
  number: number;
  /** ROI Name (TG-263 for the app's organs). */
  name: string;
  color: [number, number, number];
  contours: readonly Contour[];
  /** RT ROI Interpreted Type (default ORGAN). */
  interpretedType?: string;
  /** ROI Generation Algorithm / Description for this ROI (default: the structure set's `generation`). */
  generation?: RoiGeneration;
}

export interface RtStructOptions {
  /** Structure Set Label (SH, <= 16 chars). */
  label?: string;
  /** Structure Set Name (LO, <= 64 chars; default 'Auto OARs'). */
  name?: string;
  /** Default ROI generation of every ROI (default MODEL_GENERATION). */
  generation?: RoiGeneration;
  /** Time stamp of the structure set (default now). */
  date?: Date;
  seriesDescription?: string;
  seriesNumber?: string;
  manufacturer?: string;
  modelName?: string;
  softwareVersion?: string;
  /** For tests: fixed UIDs instead of random ones. */
  sopInstanceUID?: string;
  seriesInstanceUID?: string;
}

export interface RtStructResult {
  bytes: Uint8Array;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  /** The CT UIDs the file references (with fallbacks for empty ones). */
  referenced: SeriesUids;
  roiCount: number;
  contourCount: number;
  /** Specific Character Set written ('' = default repertoire, then the element is absent). */
  characterSet: string;
  /** Values cut to their VR's length limit, one readable line each (never a failed export). */
  notices: string[];
}

export class RtStructError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtStructError';
  }
}

/** The app's organs as ROIs: ROI number = channel, TG-263 name and organ colour; organs without contours dropped. */
export function organRois(organs: readonly OrganContours[], channels?: Iterable<number>): RoiInput[] {
  const keep = channels ? new Set(channels) : null;
  return organs
    .filter((o) => o.contours.length > 0 && (!keep || keep.has(o.channel)))
    .map((o) => {
      const organ = organByChannel(o.channel);
      if (!organ) throw new RtStructError(`no organ for channel ${o.channel}`);
      return { number: o.channel, name: organ.tg263, color: organ.color, contours: o.contours };
    });
}

/** Builds the RTSTRUCT file for `rois` drawn on `volume`. */
export function buildRtStruct(volume: CtVolume, rois: readonly RoiInput[], options: RtStructOptions = {}): RtStructResult {
  const ref = seriesUids(volume);
  const m = volume.meta;
  const now = options.date ?? new Date();
  const { da, tm } = dicomDateTime(now);
  const sopInstanceUID = options.sopInstanceUID ?? randomUid();
  const seriesInstanceUID = options.seriesInstanceUID ?? randomUid();
  const numbers = new Set<number>();
  for (const r of rois) {
    if (!Number.isInteger(r.number) || r.number < 1 || numbers.has(r.number)) {
      throw new RtStructError(`ROI number ${r.number} (${r.name}) is not a unique positive integer`);
    }
    numbers.add(r.number);
  }

  const imageRef = (k: number) => ({
    ReferencedSOPClassUID: ref.sopClassUIDs[k],
    ReferencedSOPInstanceUID: ref.sopInstanceUIDs[k],
  });
  let contourCount = 0;
  const dataset: NaturalDataset = {
    // SOP Common
    InstanceCreationDate: da,
    InstanceCreationTime: tm,
    SOPClassUID: RT_STRUCTURE_SET_STORAGE,
    SOPInstanceUID: sopInstanceUID,
    // Patient and General Study (copied from the CT)
    ...patientStudyAttributes(m, ref.studyInstanceUID),
    ...(m.studyDescription ? { StudyDescription: m.studyDescription } : {}),
    // RT Series
    Modality: 'RTSTRUCT',
    SeriesInstanceUID: seriesInstanceUID,
    SeriesNumber: options.seriesNumber ?? '901',
    SeriesDate: da,
    SeriesTime: tm,
    SeriesDescription: options.seriesDescription ?? 'Auto OARs (AttentionAnatomy, not reviewed)',
    OperatorsName: '',
    // Frame of Reference (the CT's; the position reference indicator is not kept in SeriesMeta, type 2: empty)
    FrameOfReferenceUID: ref.frameOfReferenceUID,
    PositionReferenceIndicator: '',
    // General Equipment
    Manufacturer: options.manufacturer ?? 'AttentionAnatomy Web',
    ManufacturerModelName: options.modelName ?? 'AttentionAnatomy',
    SoftwareVersions: options.softwareVersion ?? '0.1.0',
    // Structure Set
    StructureSetLabel: (options.label ?? 'AutoOAR').slice(0, 16),
    StructureSetName: (options.name ?? 'Auto OARs').slice(0, 64),
    StructureSetDate: da,
    StructureSetTime: tm,
    ReferencedFrameOfReferenceSequence: [
      {
        FrameOfReferenceUID: ref.frameOfReferenceUID,
        RTReferencedStudySequence: [
          {
            ReferencedSOPClassUID: STUDY_COMPONENT_MANAGEMENT,
            ReferencedSOPInstanceUID: ref.studyInstanceUID,
            RTReferencedSeriesSequence: [
              {
                SeriesInstanceUID: ref.seriesInstanceUID,
                ContourImageSequence: volume.slices.map((_, k) => imageRef(k)),
              },
            ],
          },
        ],
      },
    ],
    StructureSetROISequence: rois.map((r) => ({
      ROINumber: r.number,
      ReferencedFrameOfReferenceUID: ref.frameOfReferenceUID,
      ROIName: r.name.slice(0, 64),
      ROIGenerationAlgorithm: (r.generation ?? options.generation ?? MODEL_GENERATION).algorithm,
      ROIGenerationDescription: (r.generation ?? options.generation ?? MODEL_GENERATION).description.slice(0, 64),
    })),
    // ROI Contour
    ROIContourSequence: rois.map((r) => ({
      ReferencedROINumber: r.number,
      ROIDisplayColor: r.color.map((c) => Math.max(0, Math.min(255, Math.round(c)))),
      ...(r.contours.length
        ? {
            ContourSequence: r.contours.map((c, i) => {
              contourCount++;
              return contourItem(volume, c, i + 1, imageRef(checkSlice(volume, c, r.name)));
            }),
          }
        : {}),
    })),
    // RT ROI Observations
    RTROIObservationsSequence: rois.map((r) => ({
      ObservationNumber: r.number,
      ReferencedROINumber: r.number,
      RTROIInterpretedType: r.interpretedType ?? 'ORGAN',
      ROIInterpreter: '',
    })),
    // Approval: machine output, to be reviewed before clinical use
    ApprovalStatus: 'UNAPPROVED',
  };

  const { characterSet, notices } = encodeTextAttributes(dataset, m.specificCharacterSet);
  const dict = part10Dict(dataset, RT_STRUCTURE_SET_STORAGE, sopInstanceUID, IMPLICIT_VR_LITTLE_ENDIAN);
  const bytes = writeWithCharset(dict, characterSet);
  return {
    bytes,
    sopInstanceUID,
    seriesInstanceUID,
    referenced: ref,
    roiCount: rois.length,
    contourCount,
    characterSet,
    notices,
  };
}

/** Text attributes the writer sets (top level), with their VR. */
const TEXT_ATTRIBUTES: readonly [string, string][] = [
  ['PatientName', 'PN'],
  ['PatientID', 'LO'],
  ['ReferringPhysicianName', 'PN'],
  ['StudyID', 'SH'],
  ['AccessionNumber', 'SH'],
  ['StudyDescription', 'LO'],
  ['SeriesDescription', 'LO'],
  ['Manufacturer', 'LO'],
  ['ManufacturerModelName', 'LO'],
  ['SoftwareVersions', 'LO'],
  ['StructureSetLabel', 'SH'],
  ['StructureSetName', 'LO'],
];

/**
 * Chooses the Specific Character Set that represents every text value (the CT's own single-byte set when it
 * does, else the smallest that does, else UTF-8), sets it, and fits each value to its VR's limit, with a notice
 * per cut value.
 */
function encodeTextAttributes(
  dataset: NaturalDataset,
  ctCharset: string | undefined,
): { characterSet: string; notices: string[] } {
  const rois = (dataset.StructureSetROISequence ?? []) as NaturalDataset[];
  const values: string[] = [];
  for (const [key] of TEXT_ATTRIBUTES) if (typeof dataset[key] === 'string') values.push(dataset[key] as string);
  for (const r of rois) values.push(String(r.ROIName ?? ''), String(r.ROIGenerationDescription ?? ''));
  const preferred = parseCharset(ctCharset).find((t) => t !== '');
  const characterSet = chooseCharset(values, preferred?.replace(/^ISO 2022 IR /, 'ISO_IR '));
  if (characterSet) dataset.SpecificCharacterSet = characterSet;
  const notices: string[] = [];
  const fit = (holder: NaturalDataset, key: string, vr: string, where: string) => {
    const v = holder[key];
    if (typeof v !== 'string') return;
    const r = fitText(v, vr, characterSet);
    if (r.truncated) {
      holder[key] = r.value;
      notices.push(`${where}${key} shortened to the ${vr} limit: "${r.value}" (was ${Array.from(v).length} characters)`);
    }
  };
  for (const [key, vr] of TEXT_ATTRIBUTES) fit(dataset, key, vr, '');
  for (const r of rois) fit(r, 'ROIName', 'LO', `ROI ${String(r.ROINumber)} `);
  return { characterSet, notices };
}

/**
 * dcmjs encodes every text value as UTF-8; for a single-byte character set its string writer is swapped for
 * one in that set for the duration of this (synchronous) write.
 */
export function writeWithCharset(dict: InstanceType<typeof dcmjs.data.DicomDict>, characterSet: string): Uint8Array {
  if (characterSet === '' || characterSet === 'ISO_IR 192') return new Uint8Array(dict.write());
  const proto = dcmjs.data.WriteBufferStream.prototype as unknown as Record<string, unknown>;
  const had = Object.prototype.hasOwnProperty.call(proto, 'writeUTF8String');
  const previous = proto.writeUTF8String;
  proto.writeUTF8String = function writeInCharset(this: { writeUint8(b: number): unknown }, value: string) {
    const bytes = encodeText(value ?? '', characterSet);
    if (!bytes) throw new RtStructError(`"${value}" is not representable in ${characterSet}`);
    for (const b of bytes) this.writeUint8(b);
    return bytes.length;
  };
  try {
    return new Uint8Array(dict.write());
  } finally {
    if (had) proto.writeUTF8String = previous;
    else delete proto.writeUTF8String;
  }
}

function checkSlice(volume: CtVolume, c: Contour, name: string): number {
  if (!Number.isInteger(c.k) || c.k < 0 || c.k >= volume.slices.length) {
    throw new RtStructError(`${name}: contour on slice ${c.k}, series has ${volume.slices.length}`);
  }
  if (c.points.length < 9 || c.points.length % 3 !== 0) {
    throw new RtStructError(`${name}: contour on slice ${c.k} has ${c.points.length / 3} points (need >= 3)`);
  }
  return c.k;
}

function contourItem(volume: CtVolume, c: Contour, number: number, image: object): NaturalDataset {
  const zExact = volume.slices[c.k].position[2];
  const data: string[] = new Array(c.points.length);
  for (let n = 0; n < c.points.length; n += 3) {
    data[n] = formatDS(c.points[n], 4);
    data[n + 1] = formatDS(c.points[n + 1], 4);
    // z: for axial planes the contour carries the slice's own z; write it with full precision so it reads
    // back equal to the CT's ImagePositionPatient z.
    const z = c.points[n + 2];
    data[n + 2] = z === zExact ? formatDS(z) : formatDS(z, 4);
  }
  return {
    ContourImageSequence: [image],
    ContourGeometricType: 'CLOSED_PLANAR',
    NumberOfContourPoints: c.points.length / 3,
    ContourNumber: number,
    ContourData: data,
  };
}

export { dicomDateTime };

/**
 * `RS_<patient>_<date>[_<tag>].dcm`: patient ID (else name, else "anonymous"), the export date and an
 * optional tag (e.g. `visible`, `INCOMPLETE`), file-name safe.
 */
export function rtStructFileName(volume: CtVolume, date: Date = new Date(), tag = ''): string {
  const who = (volume.meta.patientID || volume.meta.patientName || 'anonymous').trim() || 'anonymous';
  const safe =
    who
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[_.]+|_+$/g, '')
      .slice(0, 64) || 'anonymous';
  const t = tag.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '');
  return `RS_${safe}_${dicomDateTime(date).da}${t ? `_${t}` : ''}.dcm`;
}
