/** Organ overlays in the viewer: labelmap segmentation, organ panel, RTSTRUCT export/import UI. */
export { OrganPanel } from './OrganPanel';
export { organOverlayFor, currentOrganOverlay, onOrganOverlay } from './registry';
export type { OrganOverlay } from './segmentation';
