/**
 * Scan a set of files (a dropped folder, a Node directory) into image series. Non-DICOM files are
 * skipped and counted, corrupt ones skipped and named, non-image objects (RTSTRUCT, RTPLAN, ...) listed.
 * Series are grouped by SeriesInstanceUID, or, when it is empty (some real exports), by the other
 * series-level attributes.
 */
import { analyzeStack, GeometryError, type StackGeometry } from './geometry';
import { readHeader, type DicomHeader } from './header';
import type { GeometryWarning } from '../volume/volume';

export interface DicomSeries {
  key: string;
  modality: string;
  seriesDescription: string;
  seriesNumber: string;
  seriesInstanceUID: string;
  studyDescription: string;
  studyDate: string;
  patientName: string;
  patientID: string;
  /** Image instances (files with Pixel Data), in input order. */
  instances: DicomHeader[];
  /** "512x512", or e.g. "512x512 + 1 other" when sizes are mixed. */
  matrix: string;
  /** [column spacing, row spacing] (mm) of the main stack, when known. */
  pixelSpacing?: [number, number];
  /** Mean slice spacing (mm) of the main stack, when known. */
  sliceSpacing?: number;
  /** Slices that the volume will hold (main stack without duplicates). */
  sliceCount: number;
  /** Geometry findings, available before loading. */
  warnings: GeometryWarning[];
  /** Set when the series cannot be loaded as a volume at all. */
  problem?: string;
}

export interface SkippedFile {
  fileName: string;
  reason: string;
}

export interface NonImageObject {
  fileName: string;
  modality: string;
  sopClassUID: string;
  /** Index of the file in the scanned list (to read it again, e.g. to import an RTSTRUCT). */
  fileIndex?: number;
  /** Patient and study of the object, for the series chooser. */
  patientName?: string;
  patientID?: string;
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
}

/** Segmentation Storage: a DICOM SEG carries pixel data but is an annotation, never a series to open. */
export const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

/** Objects listed beside the series (structure sets, segmentations), even when they carry pixel data. */
export function isAnnotationObject(h: Pick<DicomHeader, 'modality' | 'sopClassUID'>): boolean {
  return h.modality === 'RTSTRUCT' || h.modality === 'SEG' || h.sopClassUID === SEG_STORAGE;
}

export interface ScanResult {
  series: DicomSeries[];
  /** Files that are not DICOM at all (skipped silently, counted in the UI). */
  notDicom: string[];
  /** DICOM-looking files that could not be read (truncated, corrupt): named in the UI. */
  corrupt: SkippedFile[];
  /** DICOM objects without pixel data (RTSTRUCT, RTPLAN, DICOMDIR, ...). */
  nonImage: NonImageObject[];
  totalFiles: number;
}

/** Series grouping key; falls back to series-level attributes when SeriesInstanceUID is empty. */
export function seriesKey(h: DicomHeader): string {
  if (h.seriesInstanceUID) return `uid:${h.seriesInstanceUID}`;
  return [
    'attrs',
    h.studyInstanceUID,
    h.patientID,
    h.patientName,
    h.studyDate,
    h.studyTime,
    h.modality,
    h.seriesNumber,
    h.seriesDescription,
    h.seriesDate,
    h.seriesTime,
    h.frameOfReferenceUID,
  ].join('|');
}

function describe(key: string, instances: DicomHeader[]): DicomSeries {
  const h = instances[0];
  const series: DicomSeries = {
    key,
    modality: h.modality || '?',
    seriesDescription: h.seriesDescription,
    seriesNumber: h.seriesNumber,
    seriesInstanceUID: h.seriesInstanceUID,
    studyDescription: h.studyDescription,
    studyDate: h.studyDate,
    patientName: h.patientName,
    patientID: h.patientID,
    instances,
    matrix: `${h.columns}x${h.rows}`,
    sliceCount: instances.length,
    warnings: [],
  };
  if (instances.some((i) => i.numberOfFrames > 1)) {
    series.problem = 'Multi-frame images (e.g. Enhanced CT) are not supported yet; export the series as single-frame images.';
    return series;
  }
  if (instances.some((i) => i.samplesPerPixel !== 1)) {
    series.problem = 'Colour images: not a CT series.';
    return series;
  }
  let geo: StackGeometry;
  try {
    geo = analyzeStack(instances);
  } catch (e) {
    series.problem = e instanceof GeometryError ? e.message : `Geometry could not be read: ${String(e)}`;
    return series;
  }
  const sizes = new Set(instances.map((i) => `${i.columns}x${i.rows}`));
  series.matrix = `${geo.columns}x${geo.rows}${sizes.size > 1 ? ` + ${sizes.size - 1} other` : ''}`;
  series.pixelSpacing = geo.pixelSpacing;
  series.sliceSpacing = geo.sliceSpacing;
  series.sliceCount = geo.order.length;
  series.warnings = geo.warnings;
  return series;
}

/** Group image headers into series: CT first, then by number of images. */
export function groupSeries(headers: readonly DicomHeader[]): DicomSeries[] {
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const k = seriesKey(h);
    const g = groups.get(k);
    if (g) g.push(h);
    else groups.set(k, [h]);
  }
  return [...groups.entries()]
    .map(([k, g]) => describe(k, g))
    .sort((a, b) => Number(b.modality === 'CT') - Number(a.modality === 'CT') || b.instances.length - a.instances.length);
}

/** Collects per-file outcomes; shared by the sync (Node) and async (browser) scanners. */
class ScanCollector {
  headers: DicomHeader[] = [];
  notDicom: string[] = [];
  corrupt: SkippedFile[] = [];
  nonImage: NonImageObject[] = [];

  add(outcome: ReturnType<typeof readHeader>, fileName: string): void {
    if (outcome.kind === 'not-dicom') this.notDicom.push(fileName);
    else if (outcome.kind === 'corrupt') this.corrupt.push({ fileName, reason: outcome.reason });
    else if (!outcome.header.hasPixelData || isAnnotationObject(outcome.header)) {
      const h = outcome.header;
      this.nonImage.push({
        fileName,
        modality: h.modality,
        sopClassUID: h.sopClassUID,
        fileIndex: h.fileIndex,
        patientName: h.patientName,
        patientID: h.patientID,
        studyDate: h.studyDate,
        studyDescription: h.studyDescription,
        seriesDescription: h.seriesDescription,
      });
    } else this.headers.push(outcome.header);
  }

  result(totalFiles: number): ScanResult {
    return {
      series: groupSeries(this.headers),
      notDicom: this.notDicom,
      corrupt: this.corrupt,
      nonImage: this.nonImage,
      totalFiles,
    };
  }
}

export interface InMemoryFile {
  name: string;
  bytes: Uint8Array;
}

/** Node-friendly scan of files already in memory. `DicomHeader.fileIndex` indexes `files`. */
export function scanDicomFiles(files: readonly InMemoryFile[]): ScanResult {
  const c = new ScanCollector();
  files.forEach((f, i) => c.add(readHeader(f.bytes, i, f.name, f.bytes.length), f.name));
  return c.result(files.length);
}

/** A file the scanner reads lazily (a browser File, a fetched URL): only headers are read at scan time. */
export interface FileSource {
  name: string;
  size: number;
  /** Bytes [0, end) of the file (the whole file when `end` is undefined). */
  read(end?: number): Promise<Uint8Array>;
}

export interface ScanProgress {
  done: number;
  total: number;
}

/**
 * Scan lazily readable files: reads a prefix of each (enough for the header in practice), and the whole
 * file only when the header does not fit. No pixel data is kept.
 */
export async function scanDicomSources(
  sources: readonly FileSource[],
  opts: { prefixBytes?: number; onProgress?: (p: ScanProgress) => void } = {},
): Promise<ScanResult> {
  const prefix = opts.prefixBytes ?? 64 * 1024;
  const c = new ScanCollector();
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    let outcome: ReturnType<typeof readHeader>;
    try {
      const head = await s.read(Math.min(prefix, s.size));
      outcome = readHeader(head, i, s.name, s.size);
      if (outcome.kind === 'corrupt' && outcome.needMore) outcome = readHeader(await s.read(), i, s.name, s.size);
    } catch (e) {
      outcome = { kind: 'corrupt', reason: `could not be read: ${e instanceof Error ? e.message : String(e)}`, needMore: false };
    }
    c.add(outcome, s.name);
    if (opts.onProgress && (i % 16 === 15 || i === sources.length - 1)) opts.onProgress({ done: i + 1, total: sources.length });
  }
  return c.result(sources.length);
}
