/**
 * One organ overlay per viewer: the Cornerstone view of the CT's label store (src/store/current.ts). The
 * engine, the editors and the exports use the store; the organ panel draws the store through this overlay.
 * A new viewer (new series) replaces the previous overlay.
 */
import type { ViewerApi } from '../viewer/viewer';
import { labelStoreFor } from '../store/current';
import { createOrganOverlay, type OrganOverlay } from './segmentation';

let current: { viewer: ViewerApi; overlay: OrganOverlay } | null = null;
const listeners = new Set<(overlay: OrganOverlay | null) => void>();

export function organOverlayFor(viewer: ViewerApi): OrganOverlay {
  if (current?.viewer === viewer) return current.overlay;
  if (current) {
    try {
      current.overlay.destroy();
    } catch {
      // the previous viewer's Cornerstone state may already be gone
    }
  }
  current = { viewer, overlay: createOrganOverlay(viewer, labelStoreFor(viewer.ct)) };
  for (const l of listeners) l(current.overlay);
  return current.overlay;
}

/** The overlay of the open viewer, if one was created. */
export const currentOrganOverlay = (): OrganOverlay | null => current?.overlay ?? null;

/** Notified when a new overlay replaces the old one. */
export function onOrganOverlay(listener: (overlay: OrganOverlay | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
