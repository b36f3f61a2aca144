/**
 * Step 4, labelling: what a model run's labels are, for the overlay and for the RTSTRUCT. A running run
 * blocks the export, a complete one is written AutoOAR, a cancelled or failed one only after a confirmation
 * and labelled INCOMPLETE (the rules themselves: exportGate / exportLabelling in labels/provenance.ts).
 */
import { exportGate, exportLabelling, type ExportGate, type ExportLabelling, type Provenance } from '../labels/provenance';
import type { SegmentOutcome } from './segment';

export { exportGate, exportLabelling, type ExportGate, type ExportLabelling, type Provenance };

/** The overlay's provenance while a run of `model` is going. */
export const runningProvenance = (model: string, slices: number): Provenance => ({
  source: 'model',
  state: 'running',
  model,
  slicesDone: 0,
  slices,
});

/** The provenance of a finished run of `model` (complete, or incomplete with the slices done and why). */
export function outcomeProvenance(
  model: string,
  o: Pick<SegmentOutcome, 'kind' | 'slicesDone' | 'slices'> & { reason?: 'cancelled' | 'error' },
): Provenance {
  if (o.kind === 'complete') return { source: 'model', state: 'complete', model, slicesDone: o.slices, slices: o.slices };
  return {
    source: 'model',
    state: 'incomplete',
    model,
    reason: o.reason ?? 'cancelled',
    slicesDone: o.slicesDone,
    slices: o.slices,
  };
}

/** May the labels be exported now, and is a confirmation needed? (`anyPresent`: some organ has voxels.) */
export function exportAllowed(p: Provenance, anyPresent: boolean): ExportGate {
  const gate = exportGate(p);
  return anyPresent ? gate : { ...gate, enabled: false };
}
