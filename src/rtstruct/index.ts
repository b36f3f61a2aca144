/** DICOM RT Structure Set export and import (DESIGN 3.6). */
export { buildRtStruct, organRois, rtStructFileName, RtStructError, RT_STRUCTURE_SET_STORAGE } from './writer';
export type { RoiInput, RtStructOptions, RtStructResult } from './writer';
export { readRtStruct, RtStructReadError, type StructureSetData, type RoiData, type ContourData } from './reader';
export { importStructureSet, matchStructureSet, RtStructImportError } from './import';
export type { ImportedRoi, ImportedStructureSet, SeriesMatch } from './import';
export { organForRoiName } from '../organNames';
export { seriesUids, randomUid, derivedUid, isValidUid, uidNote, type SeriesUids } from './uids';
export { formatDS, parseDS } from './ds';
