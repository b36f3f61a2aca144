/** Label map <-> closed planar contours (pure geometry; no Cornerstone, no DOM). */
export { traceMask, traceLabel, signedArea, type PixelPolygon } from './marchingSquares';
export { simplifyClosed, segmentDistance2, DEFAULT_TOLERANCE_PX } from './simplify';
export { rasterizePolygons } from './rasterize';
export { slicePlane, pixelToPatient, patientToPixel, normalDistance, nearestSlice, type SlicePlane } from './geometry';
export { sliceOutlines, extractContours, type Contour, type OrganContours, type ExtractOptions } from './extract';
