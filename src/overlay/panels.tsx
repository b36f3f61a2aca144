/**
 * The sidebar panels of the overlay part, ready for src/app/panels.ts: the organ panel, and the engine's
 * segmentation panel wired to the organ overlay (labels shown slice by slice as the engine reads them back).
 * The run's state goes into the overlay's provenance (provenance.ts), which gates the export.
 */
import type { SidebarPanelProps } from '../ui/context';
import { SegmentPanel } from '../pipeline/ui/SegmentPanel';
import { pageEngine } from '../engine/ui/useEngine';
import { existingEditSession } from '../edit/session';
import { outcomeProvenance, runningProvenance } from '../pipeline/labelling';
import { setProvenance } from '../labels/provenance';
import { organOverlayFor } from './registry';

export { OrganPanel } from './OrganPanel';

export function SegmentPanelWithOverlay(p: SidebarPanelProps) {
  const model = () => pageEngine().getState().manifest?.name ?? '';
  const slices = p.ct.dims[2];
  return (
    <SegmentPanel
      ct={p.ct}
      segmentationAllowed={p.segmentationAllowed}
      confirmStart={() => {
        const s = p.viewer ? existingEditSession(organOverlayFor(p.viewer)) : null;
        const n = s?.history.editedChannels().size ?? 0;
        return n > 0
          ? `Segment again replaces the contours, including your edits to ${n} organ${n > 1 ? 's' : ''}. Continue?`
          : null;
      }}
      onStart={() => {
        if (!p.viewer) return;
        const o = organOverlayFor(p.viewer);
        o.clear();
        setProvenance(o, runningProvenance(model(), slices));
      }}
      onSliceLabels={(k, labels) => p.viewer && organOverlayFor(p.viewer).setSlice(k, labels)}
      onDone={() =>
        p.viewer &&
        setProvenance(organOverlayFor(p.viewer), outcomeProvenance(model(), { kind: 'complete', slicesDone: slices, slices }))
      }
      onAbort={(reason, done) =>
        p.viewer && setProvenance(organOverlayFor(p.viewer), outcomeProvenance(model(), { kind: 'incomplete', reason, ...done }))
      }
    />
  );
}
