/**
 * NIfTI-1 (.nii / .nii.gz), one module: the format (read, write, affines), a NIfTI CT as a CtVolume (and labels
 * back in the NIfTI's own voxel order), a NIfTI label map as labels on its grid. Pure: runs in the page and in Node.
 */
export { readNifti, writeNifti, affineFromLps, applyAffine, NiftiError } from './nifti';
export type { NiftiImage, NiftiDatatype, NiftiData, Mat4, WriteOptions } from './nifti';
export {
  ctFromNifti,
  ctFromNiftiImage,
  ctFromNiftiFile,
  labelsToNiftiOrder,
  niftiCaseName,
  CT_IMAGE_STORAGE,
  type NiftiCt,
} from './ct';
export { readNiftiLabels } from './labels';
