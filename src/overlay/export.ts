/**
 * RTSTRUCT export of the app's label map: contours of all organs or only the visible ones, the file named
 * RS_<patient>_<date>.dcm (DESIGN 3.6). `exportRtStruct` is pure; `downloadFile` needs a DOM.
 */
import { extractContours } from '../contours/extract';
import type { CtVolume, LabelVolume } from '../dicom/volume';
import { buildRtStruct, organRois, rtStructFileName, type RtStructResult } from '../rtstruct/writer';
import { exportLabelling, type ExportLabelling } from './provenance';

export interface ExportOptions {
  /** Only these organ channels (the visible ones); all organs with voxels when omitted. */
  channels?: Iterable<number>;
  date?: Date;
  /** Label, name, description, ROI generation and file tag (default: a complete model run). */
  labelling?: ExportLabelling;
  /** Extra file-name tag (e.g. 'visible' for the visible-only export). */
  tag?: string;
}

export interface ExportResult extends RtStructResult {
  fileName: string;
}

export function exportRtStruct(ct: CtVolume, labels: LabelVolume, options: ExportOptions = {}): ExportResult {
  const date = options.date ?? new Date();
  const channels = options.channels ? [...options.channels] : undefined;
  const organs = extractContours(ct, labels, { channels });
  const l = options.labelling ?? exportLabelling({ source: 'none' });
  const result = buildRtStruct(ct, organRois(organs), { date, label: l.label, name: l.name, seriesDescription: l.seriesDescription, generation: l.generation });
  const tag = [l.fileTag, options.tag ?? ''].filter(Boolean).join('_');
  return { ...result, fileName: rtStructFileName(ct, date, tag) };
}

/** Saves bytes as a download in the browser. */
export function downloadFile(bytes: Uint8Array, fileName: string, type = 'application/dicom'): void {
  const blob = new Blob([bytes.slice().buffer as ArrayBuffer], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
