/**
 * DICOM loading for Node and the browser (no DOM, no Cornerstone in here).
 *
 *   const scan = scanDicomFiles(files);                // files: { name, bytes }[]
 *   const ct = buildCtVolume(scan.series[0], files);   // native transfer syntaxes, synchronous
 *   const ct2 = await loadCtVolume(series, { readFile, decoder });  // any syntax; Node: nodeCodecs.ts
 */
export type { CtVolume, LabelVolume, SliceRef, SeriesMeta, GeometryWarning, GeometryWarningCode, Vec3 } from '../volume/volume';
export {
  analyzeStack,
  checkOrientation,
  checkSpacing,
  checkTilt,
  directionLetters,
  orientationOf,
  parseDS,
  median,
  DEFAULT_TOLERANCES,
  GeometryError,
} from './geometry';
export { segmentationAllowed } from '../volume/volume';
export type { DsInput, SliceGeometryInput, StackGeometry, GeometryTolerances, ExcludedSlice } from './geometry';
export { readHeader, sniffDicom, positionOf, NATIVE_TRANSFER_SYNTAXES, TS } from './header';
export type { DicomHeader, HeaderOutcome } from './header';
export { nativeFrameToHU, decodedFrameToHU, extractFrame, PixelDataError } from './pixels';
export type { PixelFormat } from './pixels';
export { scanDicomFiles, scanDicomSources, groupSeries, seriesKey } from './series';
export type { DicomSeries, ScanResult, SkippedFile, NonImageObject, InMemoryFile, FileSource, ScanProgress } from './series';
export { planCtVolume, buildCtVolume, loadCtVolume, decodeSliceInto, isNativeSyntax, VolumeLoadError, MAX_VOXELS } from './build';
export type { CompressedDecoder, VolumePlan, LoadOptions, LoadErrorCode } from './build';
export { voxelToLps, lpsToVoxel, sliceIndexAt } from './coords';
