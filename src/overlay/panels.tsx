/**
 * The sidebar panels of the overlay part, ready for src/app/panels.ts: the organ panel, and the engine's
 * segmentation panel writing into the CT's label store (src/store: the overlay shows the labels slice by slice
 * as the engine reads them back). The run's state goes into the store's provenance, which gates the export.
 */
import type { SidebarPanelProps } from '../ui/context';
import { SegmentPanel } from '../pipeline/ui/SegmentPanel';
import { pageEngine } from '../engine/ui/useEngine';
import { outcomeProvenance, runningProvenance } from '../pipeline/labelling';
import { labelStoreFor } from '../store/current';

export { OrganPanel } from './OrganPanel';

export function SegmentPanelWithOverlay(p: SidebarPanelProps) {
  const model = () => pageEngine().getState().manifest?.name ?? '';
  const slices = p.ct.dims[2];
  return (
    <SegmentPanel
      ct={p.ct}
      segmentationAllowed={p.segmentationAllowed}
      confirmStart={() => {
        const n = labelStoreFor(p.ct).edited().size;
        return n > 0
          ? `Segment again replaces the contours, including your edits to ${n} organ${n > 1 ? 's' : ''}. Continue?`
          : null;
      }}
      onStart={() => {
        const store = labelStoreFor(p.ct);
        store.clear();
        store.setProvenance(runningProvenance(model(), slices));
      }}
      onSliceLabels={(k, labels) => labelStoreFor(p.ct).setSlice(k, labels)}
      onDone={() =>
        labelStoreFor(p.ct).setProvenance(outcomeProvenance(model(), { kind: 'complete', slicesDone: slices, slices }))
      }
      onAbort={(reason, done) =>
        labelStoreFor(p.ct).setProvenance(outcomeProvenance(model(), { kind: 'incomplete', reason, ...done }))
      }
    />
  );
}
