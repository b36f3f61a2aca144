/**
 * Fallback example for the end-to-end tests when the build has no public/example/ (before
 * `npm run example` exists or has run): a synthetic series in the same layout,
 * OUT/index.json = { description, files: ["dicom/CT0001.dcm", ...] }.
 *
 *   npx tsx tests/e2e/helpers/makeExample.ts OUTDIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticSeries } from './synthetic';

const out = process.argv[2];
if (!out) throw new Error('usage: makeExample.ts OUTDIR');
mkdirSync(join(out, 'dicom'), { recursive: true });
const files = syntheticSeries({
  cols: 128,
  rows: 128,
  slices: 40,
  pixelMm: 2,
  sliceMm: 2.5,
  description: 'Synthetic example (e2e fallback)',
});
const names = files.map((f, i) => {
  const name = `dicom/CT${String(i + 1).padStart(4, '0')}.dcm`;
  writeFileSync(join(out, name), f.buffer);
  return name;
});
writeFileSync(
  join(out, 'index.json'),
  JSON.stringify({ description: 'Synthetic example series (end-to-end fallback)', files: names }, null, 2),
);
console.log(`wrote ${names.length} files to ${out}`);
