/**
 * BODY / External check on a real series: `npx tsx scripts/body-preview.ts DIR|FILE.nii.gz OUT.png`.
 * Loads the CT (DICOM folder or NIfTI), computes the body mask (src/contours/body.ts) and writes a PNG:
 * the middle axial slice, the slice with the most removed voxels, and the sagittal midline; CT in grey,
 * BODY tinted green, voxels above the threshold that BODY leaves out (table, mask, cables) in red.
 * Prints voxel counts and, per slice row band, where the removed voxels lie relative to the body.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { ctFromNifti } from '../src/nifti/ct';
import { bodyMask } from '../src/contours/body';
import { loadCtVolume, scanDicomFiles, type CtVolume } from '../src/dicom';
import { nodeDecoder } from '../src/dicom/nodeCodecs';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

async function load(input: string): Promise<CtVolume> {
  if (/\.nii(\.gz)?$/.test(input)) return ctFromNifti(new Uint8Array(readFileSync(input)), path.basename(input)).volume;
  const files = listFiles(input).map((f) => ({ name: path.relative(input, f), bytes: new Uint8Array(readFileSync(f)) }));
  const scan = scanDicomFiles(files);
  const s = scan.series.filter((x) => x.modality === 'CT').sort((a, b) => b.sliceCount - a.sliceCount)[0];
  if (!s) throw new Error(`no CT series in ${input}`);
  return loadCtVolume(s, { readFile: async (h) => files[h.fileIndex].bytes, decoder: nodeDecoder });
}

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: npx tsx scripts/body-preview.ts DIR|FILE.nii.gz OUT.png');
  process.exit(2);
}
const ct = await load(input);
const t0 = performance.now();
const body = bodyMask(ct);
const ms = performance.now() - t0;
const [cols, rows, nk] = ct.dims;
const size = cols * rows;
const removed = (i: number) => ct.hu[i] > -300 && !body.mask[i];
let worstK = 0;
let worst = -1;
let below = 0;
let removedAll = 0;
for (let k = 0; k < nk; k++) {
  let n = 0;
  let yMax = -1;
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) if (body.mask[x + y * cols + k * size]) yMax = Math.max(yMax, y);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (removed(x + y * cols + k * size)) {
        n++;
        if (y > yMax) below++;
      }
    }
  }
  removedAll += n;
  if (n > worst) {
    worst = n;
    worstK = k;
  }
}
console.log(
  `${input}: ${cols}x${rows}x${nk}, body ${body.voxels} voxels (${((body.voxels * ct.spacing[0] * ct.spacing[1] * ct.spacing[2]) / 1e6).toFixed(2)} l), ` +
    `removed above -300 HU: ${removedAll} voxels, ${((100 * below) / Math.max(1, removedAll)).toFixed(0)}% of them below the body's lowest row; ${ms.toFixed(0)} ms`,
);

// image: three panels side by side
const panels: { w: number; h: number; px: (x: number, y: number) => number }[] = [
  { w: cols, h: rows, px: (x, y) => x + y * cols + Math.floor(nk / 2) * size },
  { w: cols, h: rows, px: (x, y) => x + y * cols + worstK * size },
  { w: rows, h: nk, px: (y, k) => Math.floor(cols / 2) + y * cols + (nk - 1 - k) * size },
];
const sagScale = Math.max(1, Math.round(ct.spacing[2] / ct.spacing[1]));
const W = panels[0].w + panels[1].w + panels[2].w;
const H = Math.max(rows, nk * sagScale);
const png = new PNG({ width: W, height: H });
for (let o = 0; o < png.data.length; o += 4) png.data[o + 3] = 255; // black background
let x0 = 0;
for (const [pi, p] of panels.entries()) {
  const scale = pi === 2 ? sagScale : 1;
  for (let y = 0; y < p.h * scale && y < H; y++) {
    for (let x = 0; x < p.w; x++) {
      const i = p.px(x, Math.floor(y / scale));
      const g = Math.max(0, Math.min(255, ((ct.hu[i] + 1000) / 1400) * 255));
      let [r, gg, b] = [g, g, g];
      if (body.mask[i]) [r, gg, b] = [g * 0.6, Math.min(255, g * 0.6 + 90), g * 0.6];
      else if (removed(i)) [r, gg, b] = [255, 40, 40];
      const o = (y * W + x0 + x) * 4;
      png.data[o] = r;
      png.data[o + 1] = gg;
      png.data[o + 2] = b;
      png.data[o + 3] = 255;
    }
  }
  x0 += p.w;
}
writeFileSync(out, PNG.sync.write(png));
console.log(`wrote ${out} (axial k=${Math.floor(nk / 2)}, axial k=${worstK} with the most removed voxels, sagittal midline)`);
