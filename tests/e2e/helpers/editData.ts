/**
 * Node side of tests/e2e/edit-tools.spec.ts, run with tsx (Playwright's loader cannot import the JSON organ
 * tables the src modules use):
 *   tsx editData.ts check <ctDir> <RS.dcm> <SEG.dcm> <Organ,Organ,...> [<thresholdOrgan> <min> <max>]
 * prints JSON: per organ the voxel count of the SEG (the app's label map, read with the app's SEG reader),
 * of the RTSTRUCT rasterised by the app's own reader (src/batch/reference -> src/rtstruct/import) and by
 * plastimatch, and the voxels the two RTSTRUCT readings share with the SEG; for the threshold organ, its
 * voxels whose HU lies outside [min, max].
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCtVolume, scanDicomFiles } from '../../../src/dicom';
import { loadReference } from '../../../src/batch/reference';
import { ORGANS } from '../../../src/organs';
import { importSeg, organLabelMap } from '../../../src/seg/import';
import { readSeg } from '../../../src/seg/reader';
import { listFiles } from '../../unit/rtstruct/ct';
import { PLASTIMATCH, plastimatchRasterize } from '../../unit/rtstruct/tools';

const [mode, ctDir, rsFile, segFile, organList, thOrgan, thMin, thMax] = process.argv.slice(2);
if (mode !== 'check') throw new Error(`unknown mode ${mode}`);
const files = listFiles(ctDir).map((f) => ({ name: path.relative(ctDir, f), bytes: new Uint8Array(readFileSync(f)) }));
const scan = scanDicomFiles(files);
const series = scan.series.filter((s) => s.modality === 'CT').sort((a, b) => b.sliceCount - a.sliceCount)[0];
const ct = buildCtVolume(series, files);
const n = ct.hu.length;
const labels = organLabelMap(importSeg(readSeg(readFileSync(segFile)), ct), n);
const ref = loadReference({ kind: 'rtstruct', path: rsFile }, ct);
const pm = existsSync(PLASTIMATCH) ? plastimatchRasterize(rsFile, ctDir, ct) : null;
const channelOf = (name: string) => {
  const o = ORGANS.find((x) => x.tg263 === name);
  if (!o) throw new Error(`no organ ${name}`);
  return o.channel;
};
const out: Record<string, unknown> = {};
for (const name of organList.split(',')) {
  const c = channelOf(name);
  const appRt = ref.mask(c);
  const pmMask = pm?.masks.get(name) ?? null;
  let seg = 0,
    rt = 0,
    rtBoth = 0,
    plast = 0,
    plastBoth = 0;
  for (let i = 0; i < n; i++) {
    const s = labels[i] === c;
    if (s) seg++;
    if (appRt?.[i]) {
      rt++;
      if (s) rtBoth++;
    }
    if (pmMask?.[i]) {
      plast++;
      if (s) plastBoth++;
    }
  }
  out[name] = { seg, rt, rtBoth, plastimatch: pm ? plast : null, plastimatchBoth: pm ? plastBoth : null };
}
if (thOrgan) {
  const c = channelOf(thOrgan);
  const min = Number(thMin),
    max = Number(thMax);
  let count = 0,
    outside = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== c) continue;
    count++;
    if (!(ct.hu[i] >= min && ct.hu[i] <= max)) outside++;
  }
  out.threshold = { organ: thOrgan, count, outside };
}
process.stdout.write(JSON.stringify(out));
