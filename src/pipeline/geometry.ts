/**
 * Step 2, check geometry: does a loaded CT's geometry allow segmentation? The severity policy itself (an
 * error-level finding blocks) is written once in src/dicom/geometry.ts, next to the findings; this step is
 * how the app (Sidebar, SegmentPanel) and the batch page ask it.
 */
import { blockedMessage, blockingFindings, type CtVolume, type GeometryWarning } from '../volume/volume';
import { PipelineError } from './errors';

export interface GeometryCheck {
  /** False when any finding blocks segmentation. */
  allowed: boolean;
  /** The findings that block (severity 'error'), in the volume's order. */
  blocking: GeometryWarning[];
  /** Every finding, blocking or not. */
  warnings: readonly GeometryWarning[];
}

export function checkGeometry(ct: Pick<CtVolume, 'warnings'>): GeometryCheck {
  const blocking = blockingFindings(ct.warnings);
  return { allowed: blocking.length === 0, blocking, warnings: ct.warnings };
}

/** Throws PipelineError('geometry', 'geometry') with the blocking findings when the CT cannot be segmented. */
export function assertSegmentable(ct: Pick<CtVolume, 'warnings'>): void {
  const { blocking } = checkGeometry(ct);
  if (blocking.length) throw new PipelineError('geometry', 'geometry', blockedMessage(blocking));
}
