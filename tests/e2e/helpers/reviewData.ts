/**
 * Node side of tests/e2e/review.spec.ts, run with tsx (Playwright's loader cannot import the JSON organ
 * tables the src modules use):
 *   tsx reviewData.ts prepare <ctDir> <rtstruct> <outDir>  -> outDir/labels.nii.gz (the reference organs shifted
 *       by one column) and outDir/expected.json ({ dsc: { organ: value } } by a plain loop)
 *   tsx reviewData.ts seg-shifted <ctDir> <seg.dcm> <out.nii.gz> -> the SEG's organs shifted by 4 columns
 *   tsx reviewData.ts check-seg <ctDir> <seg.dcm> <labels.nii.gz> -> prints { differing } voxels
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadReference } from '../../../src/batch/reference';
import { organByChannel } from '../../../src/organs';
import { readNiftiLabels } from '../../../src/nifti/labels';
import { resampleLabelsToCt } from '../../../src/labels/resample';
import { importSeg, organLabelMap } from '../../../src/seg/import';
import { readSeg } from '../../../src/seg/reader';
import { ctGeometry } from '../../unit/rtstruct/ct';
import { writeNifti } from '../overlay-helpers';

const [mode, ctDir, file, out] = process.argv.slice(2);
const { volume } = ctGeometry(ctDir);
const n = volume.dims[0] * volume.dims[1] * volume.dims[2];
const loadLabels = (bytes: Uint8Array) =>
  resampleLabelsToCt(readNiftiLabels(bytes), volume, new Map(Array.from({ length: 33 }, (_, i) => [i + 1, i + 1])));

if (mode === 'prepare') {
  const ref = loadReference({ kind: 'rtstruct', path: file }, volume);
  const truth = new Uint8Array(n);
  for (const c of ref.annotated) {
    const m = ref.mask(c);
    if (m) for (let i = 0; i < n; i++) if (m[i]) truth[i] = c;
  }
  const cols = volume.dims[0];
  const shifted = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (i % cols < cols - 1) shifted[i + 1] = truth[i];
  const nifti = writeNifti(shifted, volume);
  // what the app's Load label map makes of the file (NIfTI is uniform, this series' slice spacing is not)
  const labels = loadLabels(nifti);
  const dsc: Record<string, number> = {};
  // against each organ's whole reference mask (organs may overlap there; the label map keeps one per voxel)
  for (const c of ref.annotated) {
    const m = ref.mask(c);
    if (!m) continue;
    let a = 0,
      b = 0,
      both = 0;
    for (let i = 0; i < n; i++) {
      const x = labels[i] === c;
      const y = m[i] === 1;
      if (x) a++;
      if (y) b++;
      if (x && y) both++;
    }
    dsc[organByChannel(c)!.tg263] = (2 * both) / (a + b);
  }
  writeFileSync(path.join(out, 'labels.nii.gz'), nifti);
  writeFileSync(path.join(out, 'expected.json'), JSON.stringify({ dsc }));
} else if (mode === 'check-seg') {
  const labels = loadLabels(new Uint8Array(readFileSync(out)));
  const back = organLabelMap(importSeg(readSeg(readFileSync(file)), volume), n);
  let differing = 0;
  for (let i = 0; i < n; i++) if (back[i] !== labels[i]) differing++;
  process.stdout.write(JSON.stringify({ differing, voxels: labels.filter((v) => v > 0).length }));
} else if (mode === 'seg-shifted') {
  // the SEG's organs as a label map shifted by 4 columns, written as NIfTI to `out`
  const own = organLabelMap(importSeg(readSeg(readFileSync(file)), volume), n);
  const cols = volume.dims[0];
  const shifted = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (i % cols < cols - 4) shifted[i + 4] = own[i];
  writeFileSync(out, writeNifti(shifted, volume));
} else {
  throw new Error(`unknown mode ${mode}`);
}
