/**
 * RTSTRUCT export of the app's label map: contours of all organs or only the visible ones, plus the BODY /
 * External contour from the CT (on by default), the file named RS_<patient>_<date>[_tag].dcm (DESIGN 3.6). Pure (the browser download is src/ui/download.ts).
 */
import { bodyMask, type BodyOptions } from '../contours/body';
import { extractContours } from '../contours/extract';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { buildRtStruct, organRois, rtStructFileName, type RoiInput, type RtStructResult } from './writer';
import { exportLabelling, type ExportLabelling } from '../labels/provenance';

export interface ExportOptions {
  /** Only these organ channels (the visible ones); all organs with voxels when omitted. */
  channels?: Iterable<number>;
  date?: Date;
  /** Label, name, description, ROI generation and file tag (default: a complete model run). */
  labelling?: ExportLabelling;
  /** Extra file-name tag (e.g. 'visible' for the visible-only export). */
  tag?: string;
  /** Organ channels edited by hand: their ROIs are written SEMIAUTOMATIC (DICOM: automatic, then edited). */
  edited?: ReadonlySet<number>;
  /** Add the BODY / External contour computed from the CT (default true; false leaves it out). */
  body?: boolean | BodyOptions;
}

/** ROI number of the External contour (organs use their channel numbers 1..33). */
export const BODY_ROI_NUMBER = 100;
export const BODY_ROI_NAME = 'External';

/** The BODY / External ROI (TG-263 `External`, RT ROI Interpreted Type EXTERNAL) from the CT alone. */
export function bodyRoi(ct: CtVolume, options: BodyOptions = {}): RoiInput | null {
  const { mask } = bodyMask(ct, options);
  const [organ] = extractContours(ct, mask, { channels: [1] });
  if (!organ || organ.contours.length === 0) return null;
  return {
    number: BODY_ROI_NUMBER,
    name: BODY_ROI_NAME,
    color: [0, 160, 0],
    contours: organ.contours,
    interpretedType: 'EXTERNAL',
    generation: {
      algorithm: 'AUTOMATIC',
      description: `CT above ${options.thresholdHu ?? -300} HU, couch removed, holes filled`,
    },
  };
}

export interface ExportResult extends RtStructResult {
  fileName: string;
}

export function exportRtStruct(ct: CtVolume, labels: LabelVolume, options: ExportOptions = {}): ExportResult {
  const date = options.date ?? new Date();
  const channels = options.channels ? [...options.channels] : undefined;
  const organs = extractContours(ct, labels, { channels });
  const l = options.labelling ?? exportLabelling({ source: 'none' });
  const rois = organRois(organs);
  for (const r of rois) {
    if (options.edited?.has(r.number))
      r.generation = { algorithm: 'SEMIAUTOMATIC', description: `${l.generation.description}, edited by hand`.slice(0, 64) };
  }
  if (options.body !== false && rois.length > 0) {
    const body = bodyRoi(ct, typeof options.body === 'object' ? options.body : {});
    if (body) rois.push(body);
  }
  const result = buildRtStruct(ct, rois, {
    date,
    label: l.label,
    name: l.name,
    seriesDescription: l.seriesDescription,
    generation: l.generation,
  });
  const tag = [l.fileTag, options.tag ?? ''].filter(Boolean).join('_');
  return { ...result, fileName: rtStructFileName(ct, date, tag) };
}
