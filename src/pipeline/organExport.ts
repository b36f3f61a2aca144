/**
 * Step 6, export: every way the app's organs leave it goes through `exportOrgans`, with one labelling rule
 * (issue 22): Export RTSTRUCT, Visible only, Send to PACS, Export SEG, and the batch's RS.dcm and seg.dcm.
 *
 * - a running segmentation blocks every export ('blocked');
 * - a cancelled or failed run needs the user's confirmation ('confirm' until `confirmed`) and is written
 *   INCOMPLETE (label, name, series description, file name);
 * - a loaded label map is never written as the model's AUTOMATIC output (RTSTRUCT: empty ROI generation
 *   algorithm; SEG: segment algorithm type MANUAL, the file named in the description);
 * - organs edited by hand are SEMIAUTOMATIC in both formats.
 * The rules themselves are exportGate / exportLabelling (labels/provenance.ts); this module applies them to
 * both writers. Pure apart from the writers (no DOM, no download).
 */
import { exportGate, exportLabelling, type ExportLabelling, type Provenance } from '../labels/provenance';
import type { ExportResult } from '../rtstruct/export';
import { buildSeg, contentLabel, segFileName, type SegResult, type SegmentAlgorithmType } from '../seg/writer';
import type { CtVolume, LabelVolume } from '../volume/volume';
import { buildStructureSet, type Exporter } from './structureSet';

/** The labels to export and what is known about them. */
export interface OrganLabels {
  labels: LabelVolume;
  provenance: Provenance;
  /** Organ channels edited by hand (written SEMIAUTOMATIC). */
  edited?: ReadonlySet<number>;
}

export interface OrganExportRequest {
  format: 'rtstruct' | 'seg';
  /** Only these organ channels (Visible only); every organ with voxels when omitted. */
  channels?: Iterable<number>;
  /** Extra file-name tag (e.g. 'visible'). */
  tag?: string;
  /** RTSTRUCT: add the BODY / External contour (default true). */
  body?: boolean;
  date?: Date;
  /** The user confirmed exporting a cancelled or failed run (labelled INCOMPLETE). */
  confirmed?: boolean;
}

export type OrganExport =
  | {
      kind: 'written';
      format: 'rtstruct' | 'seg';
      bytes: Uint8Array;
      fileName: string;
      /** ROIs (RTSTRUCT, BODY included) or segments (SEG). */
      count: number;
      labelling: ExportLabelling;
      rtstruct?: ExportResult;
      seg?: SegResult;
    }
  /** Not now (a segmentation is running); `message` says why. */
  | { kind: 'blocked'; message: string }
  /** An incomplete run: ask `question`, then call again with `confirmed: true`. */
  | { kind: 'confirm'; question: string }
  | { kind: 'no-organ'; message: string }
  | { kind: 'error'; message: string };

/** SEG Segment Algorithm Type of one organ under a provenance (the RTSTRUCT's ROI generation, for SEG). */
export function segmentAlgorithmType(p: Provenance, edited: ReadonlySet<number>, channel: number): SegmentAlgorithmType {
  if (p.source === 'labelmap') return 'MANUAL';
  return edited.has(channel) ? 'SEMIAUTOMATIC' : 'AUTOMATIC';
}

const NO_SEGMENT = 'no organ has voxels, so no SEG was written';

export function exportOrgans(ct: CtVolume, organs: OrganLabels, request: OrganExportRequest, exporter?: Exporter): OrganExport {
  const gate = exportGate(organs.provenance);
  if (!gate.enabled) return { kind: 'blocked', message: gate.why };
  if (gate.confirm && !request.confirmed) return { kind: 'confirm', question: gate.confirm };
  const labelling = exportLabelling(organs.provenance);
  const edited = organs.edited ?? new Set<number>();
  const date = request.date ?? new Date();
  const tag = [labelling.fileTag, request.tag ?? ''].filter(Boolean).join('_');

  if (request.format === 'rtstruct') {
    const step = buildStructureSet(
      ct,
      organs.labels,
      {
        channels: request.channels,
        tag: request.tag,
        date,
        labelling,
        edited,
        body: request.body ?? true,
      },
      exporter,
    );
    if (step.kind !== 'written') return step;
    const r = step.result;
    return {
      kind: 'written',
      format: 'rtstruct',
      bytes: r.bytes,
      fileName: r.fileName,
      count: r.roiCount,
      labelling,
      rtstruct: r,
    };
  }

  let seg: SegResult;
  try {
    seg = buildSeg(ct, organs.labels, {
      channels: request.channels,
      date,
      algorithmType: (c) => segmentAlgorithmType(organs.provenance, edited, c),
      algorithmName: labelling.generation.description || 'AttentionAnatomy',
      seriesDescription: labelling.seriesDescription,
      contentLabel: contentLabel(labelling.label),
      contentDescription: labelling.name,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/no organ|no segment|empty/i.test(message)) return { kind: 'no-organ', message: NO_SEGMENT };
    return { kind: 'error', message: `the SEG could not be written: ${message}` };
  }
  return {
    kind: 'written',
    format: 'seg',
    bytes: seg.bytes,
    fileName: segFileName(ct, date, tag),
    count: seg.segmentCount,
    labelling,
    seg,
  };
}
