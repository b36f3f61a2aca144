/** Organ overlays in the viewer: labelmap segmentation, organ panel, RTSTRUCT export/import UI. */
export { OrganPanel } from './OrganPanel';
export { organOverlayFor, currentOrganOverlay, onOrganOverlay } from './registry';
export type { OrganOverlay } from './segmentation';
export { OrganStats, type OrganStat } from './organStats';
export { exportRtStruct, downloadFile, type ExportOptions, type ExportResult } from './export';
export { resampleLabelsToCt, type GriddedLabels } from './resample';
export { initialOverlayState, overlayReducer, overlayKeyAction, type OverlayState, type OverlayAction } from './state';
