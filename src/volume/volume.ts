/**
 * The in-memory CT volume every module works on (loader -> viewer, engine, contours, RTSTRUCT).
 * Pure data: no Cornerstone, no DOM. Patient coordinates are DICOM LPS in mm (DESIGN 3.5).
 *
 * Voxel (i, j, k): i = column (along rowCosines), j = row (along colCosines), k = slice index in the
 * sorted order (ascending position along `normal`). Flat index = i + j * cols + k * cols * rows.
 * LPS position of voxel (i, j, k) = origin + i * spacing[0] * rowCosines + j * spacing[1] * colCosines
 *                                   + (slices[k].position - slices[0].position), see geometry helpers.
 */
export type Vec3 = [number, number, number];

export interface SliceRef {
  /** SOP Instance UID ('' when the file has none; the RTSTRUCT writer then falls back, DESIGN 3.6). */
  sopInstanceUID: string;
  sopClassUID: string;
  /** ImagePositionPatient of this slice (mm, LPS). */
  position: Vec3;
  /** Signed distance of `position` along the slice normal (mm); ascending with k. */
  normalOffset: number;
  instanceNumber?: number;
  /** MediaStorageSOPInstanceUID from the file meta (fallback when sopInstanceUID is empty). */
  mediaStorageSOPInstanceUID?: string;
}

/** Patient / study / series / frame-of-reference attributes kept for derived objects (RTSTRUCT). */
export interface SeriesMeta {
  modality: string;
  patientName: string;
  patientID: string;
  patientBirthDate: string;
  patientSex: string;
  studyInstanceUID: string;
  studyDate: string;
  studyTime: string;
  studyID: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription: string;
  seriesInstanceUID: string;
  seriesDescription: string;
  seriesNumber: string;
  frameOfReferenceUID: string;
  patientPosition: string; // HFS, FFS, ...
  manufacturer: string;
  bodyPartExamined: string;
  /** The CT's Specific Character Set as written ("ISO_IR 100", "\\ISO 2022 IR 87"); text above is decoded. */
  specificCharacterSet?: string;
}

export type GeometryWarningCode =
  | 'missing-slices'
  | 'non-uniform-spacing'
  | 'gantry-tilt'
  | 'oblique'
  | 'non-axial'
  | 'mixed-matrix'
  | 'duplicate-positions'
  | 'too-few-slices'
  /** In-plane matrix or field of view too small to segment (plausibility.ts checkInPlaneSize, issue 16). */
  | 'too-small-matrix'
  /** Modality is not CT: viewable, not segmentable (added by the loader, issue 2). */
  | 'not-ct'
  /** A slice's pixel data could not be decoded; it is left out of the volume (added by the loader, issues 2 and 17). */
  | 'unreadable-slice'
  /** The same SOP Instance UID in two files: the copy is skipped (issue 17). */
  | 'duplicate-instance'
  /** A slice without ImagePositionPatient: skipped (issue 17). */
  | 'missing-position'
  /** Pixel-metadata plausibility (plausibility.ts, issue 17). */
  | 'pixel-spacing-fallback'
  | 'no-pixel-spacing'
  | 'implausible-rescale'
  | 'no-rescale'
  | 'implausible-hu'
  | 'not-ct-like'
  | 'non-finite-values';

export interface GeometryWarning {
  code: GeometryWarningCode;
  /** 'error' blocks segmentation; 'warning' is shown but inference may run. */
  severity: 'warning' | 'error';
  message: string;
}

/** The severity policy of the findings (dicom/geometry.ts, dicom/plausibility.ts), written once: a finding of severity 'error' blocks segmentation. */
export const isBlocking = (w: GeometryWarning): boolean => w.severity === 'error';

/** The findings that block segmentation. */
export const blockingFindings = (warnings: readonly GeometryWarning[]): GeometryWarning[] => warnings.filter(isBlocking);

/** True when no finding blocks segmentation. */
export const segmentationAllowed = (warnings: readonly GeometryWarning[]): boolean => !warnings.some(isBlocking);

/** The message of a refused segmentation (the engine and the pipeline say the same). */
export const blockedMessage = (blocking: readonly GeometryWarning[]): string =>
  `This series cannot be segmented: ${blocking.map((w) => w.message).join(' ')}`;

export interface CtVolume {
  /** [columns, rows, slices] */
  dims: Vec3;
  /** [column spacing (along rowCosines), row spacing (along colCosines), mean slice spacing] in mm. */
  spacing: Vec3;
  /** LPS position of voxel (0,0,0): ImagePositionPatient of slices[0]. */
  origin: Vec3;
  rowCosines: Vec3;
  colCosines: Vec3;
  /** rowCosines x colCosines */
  normal: Vec3;
  /** Hounsfield units, one buffer for the whole volume (shared with the viewer; no per-file copies). */
  hu: Int16Array | Float32Array;
  /** One entry per slice, sorted by position along the normal. */
  slices: SliceRef[];
  meta: SeriesMeta;
  warnings: GeometryWarning[];
}

/** A label map on the CT grid: uint8 values 0..33 (DESIGN 3.1), same flat index as CtVolume.hu. */
export type LabelVolume = Uint8Array;
