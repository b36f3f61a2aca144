/**
 * Step 5, structure set: labels -> contours -> one RTSTRUCT, as a decision the app and the batch page share.
 * A structure set is only written when at least one organ has contours (an RTSTRUCT with an empty Structure
 * Set ROI Sequence is invalid, dciodvfy), and a writer error becomes a typed outcome rather than a throw: the
 * batch keeps the series' labels and report, the app shows a notice.
 *
 * The contours are extracted inside `exportRtStruct` (src/rtstruct/export.ts: extractContours per organ, the
 * BODY / External outline, buildRtStruct), the one implementation; `exporter` replaces it in tests.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { exportRtStruct, type ExportOptions, type ExportResult } from '../rtstruct/export';

export type StructureSetStep =
  | { kind: 'written'; result: ExportResult }
  /** No organ has a contour: no file (the batch: a distinct exit code, README "Exit codes"). */
  | { kind: 'no-organ'; message: string }
  /** The writer failed. */
  | { kind: 'error'; message: string };

export const NO_ORGAN_MESSAGE =
  'no organ was found in this series, so no RS.dcm was written (an empty structure set is not a valid RTSTRUCT)';

export type Exporter = (ct: CtVolume, labels: LabelVolume, options?: ExportOptions) => ExportResult;

export function buildStructureSet(
  ct: CtVolume,
  labels: LabelVolume,
  options: ExportOptions = {},
  exporter: Exporter = exportRtStruct,
): StructureSetStep {
  let result: ExportResult;
  try {
    result = exporter(ct, labels, options);
  } catch (e) {
    return { kind: 'error', message: `the RTSTRUCT could not be written: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (result.roiCount === 0) return { kind: 'no-organ', message: NO_ORGAN_MESSAGE };
  return { kind: 'written', result };
}
