/**
 * dicom-parser ships as a UMD bundle: Vite exposes its functions as named exports, Node's ESM loader
 * only as `default`. Everything in src/dicom imports it from here so both work.
 */
import * as ns from 'dicom-parser';

type DicomParser = typeof ns;
const dicomParser: DicomParser = ((ns as unknown as { default?: DicomParser }).default ?? ns) as DicomParser;

export default dicomParser;
export type { DataSet, Element } from 'dicom-parser';
