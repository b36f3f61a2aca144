/**
 * The batch page's RTSTRUCT step as a pure decision: a structure set is only written when at least one organ
 * has contours (an RTSTRUCT with an empty Structure Set ROI Sequence is invalid, dciodvfy), and a writer error
 * never costs the series its labels and report: it becomes a note instead of a failure.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { exportRtStruct, type ExportResult } from './export';

export type RtStructStep =
  | { kind: 'written'; result: ExportResult }
  /** No organ has a contour: no file, a distinct exit code (README, "Exit codes"). */
  | { kind: 'no-organ'; message: string }
  /** The writer failed: labels.nii.gz and report.json are still written. */
  | { kind: 'error'; message: string };

export const NO_ORGAN_MESSAGE = 'no organ was found in this series, so no RS.dcm was written (an empty structure set is not a valid RTSTRUCT)';

export function rtStructStep(ct: CtVolume, labels: LabelVolume, exporter: typeof exportRtStruct = exportRtStruct): RtStructStep {
  let result: ExportResult;
  try {
    result = exporter(ct, labels);
  } catch (e) {
    return { kind: 'error', message: `the RTSTRUCT could not be written: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (result.roiCount === 0) return { kind: 'no-organ', message: NO_ORGAN_MESSAGE };
  return { kind: 'written', result };
}
