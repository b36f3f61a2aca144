/**
 * DICOM Segmentation (binary) of the app's label map, encoded with dcmjs' `derivations.Segmentation`.
 *
 * dcmjs derives the SEG from a "normalized multiframe" view of the source images. The app keeps no CT
 * datasets, only their geometry and UIDs (CtVolume), so that view is built here from the CtVolume: one
 * frame per CT slice with its ImagePositionPatient, the shared orientation and pixel spacing, and a
 * Referenced Series Sequence naming every CT instance (dcmjs then writes a Source Image Sequence per
 * frame pointing at the CT slice it lies on). One segment per organ with voxels: coded category and type
 * (SNOMED CT, src/organCodes.json), laterality modifier, CIELab colour (dcmjs' sRGB -> DICOM Lab),
 * algorithm type and name. Only frames where the organ has voxels are written.
 *
 * dcmjs stores the unpacked frames (one byte per pixel) until the end; for a 512 x 512 CT with thousands
 * of organ frames that is hundreds of MB, so the frames are bit-packed as they are added (the same
 * little-endian bit order as dcmjs' BitArray.pack). Everything else (attributes, functional groups,
 * encoding) is dcmjs'.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { fitText } from '../dicom/charset';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { organByChannel, ORGANS } from '../organs';
import { formatDS } from '../rtstruct/ds';
import { randomUid, seriesUids, type SeriesUids } from '../rtstruct/uids';
import { dicomDateTime, part10Dict, patientStudyAttributes } from '../dicom/derivedObject';
import { organCoding, type Code } from './codes';

/** The SEG is written in UTF-8 (ISO_IR 192); values are fitted to their VR's limit (characters and bytes). */
const fit = (value: string, vr: string): string => fitText(value, vr, 'ISO_IR 192').value;

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export type SegmentAlgorithmType = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

export interface SegOptions {
  /** Only these organ channels (default: every organ with voxels). */
  channels?: Iterable<number>;
  /** Per channel: how its segment was made (default AUTOMATIC; edited organs SEMIAUTOMATIC). */
  algorithmType?: (channel: number) => SegmentAlgorithmType;
  algorithmName?: string;
  date?: Date;
  seriesDescription?: string;
  /** Content Label (CS: upper-case letters, digits, _ and space; default ORGANS) and Content Description. */
  contentLabel?: string;
  contentDescription?: string;
  seriesNumber?: string;
  softwareVersion?: string;
  sopInstanceUID?: string;
  seriesInstanceUID?: string;
}

export interface SegResult {
  bytes: Uint8Array;
  sopInstanceUID: string;
  seriesInstanceUID: string;
  referenced: SeriesUids;
  segmentCount: number;
  frameCount: number;
  /** Segment number -> organ channel, in file order. */
  channels: number[];
}

export class SegWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SegWriteError';
  }
}

/** The dcmjs pieces used here (dcmjs 0.52 ships no types; see src/rtstruct/dcmjs.d.ts). */
interface DcmjsSegmentation {
  dataset: NaturalDataset & {
    PerFrameFunctionalGroupsSequence: NaturalDataset[];
    SegmentSequence: NaturalDataset[];
    NumberOfFrames: number;
  };
  addSegmentFromLabelmap(segment: NaturalDataset, labelmaps: Uint8Array[], index: number, frameNumbers: number[]): void;
  _addSegmentPixelDataFromLabelmaps(labelmaps: Uint8Array[], index: number): void;
}
interface DcmjsSeg {
  derivations: { Segmentation: new (datasets: NaturalDataset[], options: Record<string, unknown>) => DcmjsSegmentation };
  data: typeof dcmjs.data & { Colors: { rgb82DICOMLAB(rgb: readonly number[]): number[] } };
}
const dj = dcmjs as unknown as DcmjsSeg;

/** sRGB 0..255 -> DICOM CIELab (0..65535 each), dcmjs' conversion. */
export function rgbToDicomLab(rgb: readonly number[]): [number, number, number] {
  const lab = dj.data.Colors.rgb82DICOMLAB(rgb);
  return [lab[0], lab[1], lab[2]];
}

/** The "normalized multiframe" source dataset dcmjs derives from, made from the CT geometry. */
function sourceDataset(volume: CtVolume, ref: SeriesUids): NaturalDataset {
  const m = volume.meta;
  const [cols, rows, nk] = volume.dims;
  const v3 = (v: readonly number[]) => v.map((x) => formatDS(x));
  return {
    _vrMap: { PixelData: 'OB' },
    _meta: {},
    SOPClassUID: ref.sopClassUIDs[0],
    SOPInstanceUID: ref.sopInstanceUIDs[0],
    SeriesInstanceUID: ref.seriesInstanceUID,
    FrameOfReferenceUID: ref.frameOfReferenceUID,
    PositionReferenceIndicator: '',
    ...patientStudyAttributes(m, ref.studyInstanceUID, fit),
    Rows: rows,
    Columns: cols,
    NumberOfFrames: nk,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsStored: 16,
    HighBit: 15,
    SharedFunctionalGroupsSequence: {
      PlaneOrientationSequence: { ImageOrientationPatient: v3([...volume.rowCosines, ...volume.colCosines]) },
      // PixelSpacing is (row spacing, column spacing): the gap between rows runs along colCosines
      PixelMeasuresSequence: {
        PixelSpacing: v3([volume.spacing[1], volume.spacing[0]]),
        SliceThickness: formatDS(volume.spacing[2] > 0 ? volume.spacing[2] : 1),
        SpacingBetweenSlices: formatDS(volume.spacing[2] > 0 ? volume.spacing[2] : 1),
      },
    },
    PerFrameFunctionalGroupsSequence: volume.slices.map((s) => ({
      PlanePositionSequence: { ImagePositionPatient: v3(s.position) },
    })),
    ReferencedSeriesSequence: {
      SeriesInstanceUID: ref.seriesInstanceUID,
      ReferencedInstanceSequence: volume.slices.map((_, k) => ({
        ReferencedSOPClassUID: ref.sopClassUIDs[k],
        ReferencedSOPInstanceUID: ref.sopInstanceUIDs[k],
      })),
    },
    PixelData: new ArrayBuffer(0),
  };
}

/** Builds the SEG of the organs in `labels` (CT grid, values = organ channels). */
export function buildSeg(volume: CtVolume, labels: LabelVolume, options: SegOptions = {}): SegResult {
  const [cols, rows, nk] = volume.dims;
  const sliceSize = cols * rows;
  if (labels.length !== sliceSize * nk)
    throw new SegWriteError(`label map has ${labels.length} voxels, the CT ${sliceSize * nk}`);
  const keep = options.channels ? new Set(options.channels) : null;

  // Slices holding each organ (one pass).
  const slicesOf = new Map<number, number[]>();
  for (let k = 0; k < nk; k++) {
    const seen = new Set<number>();
    const base = k * sliceSize;
    for (let n = 0; n < sliceSize; n++) {
      const v = labels[base + n];
      if (v) seen.add(v);
    }
    for (const c of seen) {
      if (!organByChannel(c) || (keep && !keep.has(c))) continue;
      let list = slicesOf.get(c);
      if (!list) slicesOf.set(c, (list = []));
      list.push(k);
    }
  }
  const channels = ORGANS.map((o) => o.channel).filter((c) => slicesOf.has(c));
  if (channels.length === 0) throw new SegWriteError('no organ has voxels: nothing to write');
  const frameCount = channels.reduce((a, c) => a + slicesOf.get(c)!.length, 0);

  const ref = seriesUids(volume);
  const now = options.date ?? new Date();
  const { da, tm } = dicomDateTime(now);
  const sopInstanceUID = options.sopInstanceUID ?? randomUid();
  const seriesInstanceUID = options.seriesInstanceUID ?? randomUid();
  const algorithmName = options.algorithmName ?? 'AttentionAnatomy';
  const seg = new dj.derivations.Segmentation([sourceDataset(volume, ref)], {
    includeSliceSpacing: true,
    Manufacturer: 'AttentionAnatomy Web',
    ManufacturerModelName: 'AttentionAnatomy',
    SoftwareVersions: options.softwareVersion ?? '0.1.0',
    DeviceSerialNumber: '1',
    SeriesDescription: options.seriesDescription ?? 'Auto OARs (AttentionAnatomy, not reviewed)',
    SeriesNumber: options.seriesNumber ?? '902',
    SeriesDate: da,
    SeriesTime: tm,
    ContentDate: da,
    ContentTime: tm,
    SOPInstanceUID: sopInstanceUID,
    SeriesInstanceUID: seriesInstanceUID,
    ContentCreatorName: '',
    ContentDescription: fit(options.contentDescription ?? 'Organs at risk', 'LO'),
    ImageComments: 'NOT FOR CLINICAL USE: review every contour',
  });

  // Bit-packed frames, filled as dcmjs adds each segment's frames (see the header comment).
  const packed = new Uint8Array(Math.ceil((frameCount * sliceSize) / 8));
  let framesDone = 0;
  seg.dataset.NumberOfFrames = frameCount;
  seg._addSegmentPixelDataFromLabelmaps = (maps: Uint8Array[], index: number) => {
    for (let f = 0; f < maps.length; f++) {
      const map = maps[f];
      const bit0 = (framesDone + f) * sliceSize;
      for (let n = 0; n < sliceSize; n++) {
        if (map[n] !== index) continue;
        const b = bit0 + n;
        packed[b >> 3] |= 1 << (b & 7);
      }
    }
    framesDone += maps.length;
  };

  for (const c of channels) {
    const organ = organByChannel(c)!;
    const coding = organCoding(organ);
    const ks = slicesOf.get(c)!;
    const type = options.algorithmType?.(c) ?? 'AUTOMATIC';
    const segment: NaturalDataset = {
      SegmentLabel: organ.tg263,
      SegmentDescription: organ.plain,
      SegmentedPropertyCategoryCodeSequence: coding.category,
      SegmentedPropertyTypeCodeSequence: coding.type,
      SegmentAlgorithmType: type,
      ...(type !== 'MANUAL' ? { SegmentAlgorithmName: algorithmName } : {}),
      RecommendedDisplayCIELabValue: rgbToDicomLab(organ.color),
    };
    seg.addSegmentFromLabelmap(
      segment,
      ks.map((k) => labels.subarray(k * sliceSize, (k + 1) * sliceSize)),
      c,
      ks.map((k) => k + 1),
    );
    if (coding.modifier) {
      const item = seg.dataset.SegmentSequence[seg.dataset.SegmentSequence.length - 1];
      item.SegmentedPropertyTypeCodeSequence = {
        ...(coding.type as Code),
        SegmentedPropertyTypeModifierCodeSequence: coding.modifier,
      };
    }
  }
  if (framesDone !== frameCount) throw new SegWriteError(`wrote ${framesDone} frames, expected ${frameCount}`);

  const ds = seg.dataset;
  ds.PixelData = packed.buffer;
  ds.SpecificCharacterSet = 'ISO_IR 192';
  ds.InstanceCreationDate = da;
  ds.InstanceCreationTime = tm;
  ds.ContentLabel = contentLabel(options.contentLabel);
  ds.SeriesNumber = options.seriesNumber ?? '902';
  // Not in the Segmentation IOD: dcmjs copies or adds them for research derivations.
  for (const k of [
    'ClinicalTrialTimePointID',
    'ClinicalTrialCoordinatingCenterName',
    'ClinicalTrialSeriesID',
    'ContentQualification',
  ])
    delete ds[k];
  delete ds._meta;

  const dict = part10Dict(ds, SEGMENTATION_STORAGE, sopInstanceUID, EXPLICIT_VR_LITTLE_ENDIAN);
  const bytes = new Uint8Array(dict.write());
  return { bytes, sopInstanceUID, seriesInstanceUID, referenced: ref, segmentCount: channels.length, frameCount, channels };
}

/** A Content Label value (CS): upper case, only A-Z 0-9 _ and space, at most 16 characters; ORGANS when empty. */
export function contentLabel(label = 'ORGANS'): string {
  return (
    label
      .toUpperCase()
      .replace(/[^A-Z0-9_ ]+/g, '_')
      .slice(0, 16)
      .trim() || 'ORGANS'
  );
}

/** `SEG_<patient>_<date>[_tag].dcm`, like the RTSTRUCT's name. */
export function segFileName(volume: CtVolume, date: Date = new Date(), tag = ''): string {
  const who = (volume.meta.patientID || volume.meta.patientName || 'anonymous').trim() || 'anonymous';
  const safe =
    who
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[_.]+|_+$/g, '')
      .slice(0, 64) || 'anonymous';
  const t = tag.replace(/[^A-Za-z0-9-]+/g, '_').replace(/^_+|_+$/g, '');
  return `SEG_${safe}_${dicomDateTime(date).da}${t ? `_${t}` : ''}.dcm`;
}
