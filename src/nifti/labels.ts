/**
 * Label maps from NIfTI-1 files (.nii or .nii.gz): the example's ground truth, a phantom's labels.nii.gz, or another
 * tool's output, to be shown and exported like the engine's result. Parsing is nifti.ts; this turns the
 * image into label values on its grid (resampling onto the CT grid is src/labels/resample.ts).
 */
import { NiftiError, readNifti } from './nifti';
import type { GriddedLabels } from '../labels/resample';

export { NiftiError };

/** A 3-D NIfTI as labels: values rounded (after the file's scaling) and clamped to 0..255. */
export function readNiftiLabels(bytes: Uint8Array): GriddedLabels {
  const img = readNifti(bytes);
  const [d0 = 1, d1 = 1, d2 = 1, ...rest] = img.dims;
  if (rest.some((d) => d > 1)) throw new NiftiError(`${img.dims.length}-D NIfTI (${img.dims.join('x')}) is not a label map`);
  const n = d0 * d1 * d2;
  const scaled = img.sclSlope !== 0 && Number.isFinite(img.sclSlope) && (img.sclSlope !== 1 || img.sclInter !== 0);
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(scaled ? img.data[i] * img.sclSlope + img.sclInter : img.data[i]);
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { dims: [d0, d1, d2], affineRas: img.affine.flat(), data };
}
