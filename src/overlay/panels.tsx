/**
 * The sidebar panels of the overlay part, ready for src/app/panels.ts: the organ panel, and the engine's
 * segmentation panel wired to the organ overlay (labels shown slice by slice as the engine reads them back).
 */
import type { SidebarPanelProps } from '../app/panels';
import { SegmentPanel } from '../engine/ui/SegmentPanel';
import { organOverlayFor } from './registry';

export { OrganPanel } from './OrganPanel';

export function SegmentPanelWithOverlay(p: SidebarPanelProps) {
  return (
    <SegmentPanel
      ct={p.ct}
      segmentationAllowed={p.segmentationAllowed}
      onStart={() => p.viewer && organOverlayFor(p.viewer).clear()}
      onSliceLabels={(k, labels) => p.viewer && organOverlayFor(p.viewer).setSlice(k, labels)}
    />
  );
}
