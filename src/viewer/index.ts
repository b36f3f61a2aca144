/**
 * Viewer public API (for the overlay and engine parts):
 *   - ViewerApi: renderingEngine, renderingEngineId, viewportIds, volumeId, toolGroupId, jumpTo(lps),
 *     render(), worldToLps/lpsToWorld, subscribe(); see viewer.ts.
 *   - ViewerPanel / Toolbar: the React components the app mounts.
 */
export { createViewer, PLANES, PLANE_AXIS, PLANE_COLOURS } from './viewer';
export type { ViewerApi, PlaneId, PrimaryTool, SliceInfo, CursorInfo } from './viewer';
export { ViewerPanel } from './ViewerPanel';
export { Toolbar } from './Toolbar';
export { WINDOW_PRESETS, DEFAULT_PRESET, voiRangeOf, windowOf } from './presets';
export type { WindowPreset } from './presets';
export { edgeLabels } from './orientation';
export { browserDecoder } from './decoder';
export { initCornerstone } from './cornerstone';
