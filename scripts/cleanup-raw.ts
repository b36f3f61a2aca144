/**
 * The engine's clean-up (src/engine/cleanup.ts) on a raw uint8 label volume (x fastest), for the Python
 * twin test (training/tests/test_cleanup.py) and ad-hoc use:
 *   tsx scripts/cleanup-raw.ts IN.u8 OUT.u8 COLS ROWS SLICES SX SY SZ   -> report JSON on stdout
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cleanupLabelsInPlace } from '../src/engine/cleanup';

const [inPath, outPath, ...nums] = process.argv.slice(2);
const v = nums.map(Number);
if (!inPath || !outPath || v.length !== 6 || v.some((x) => !Number.isFinite(x))) {
  console.error('usage: tsx scripts/cleanup-raw.ts IN.u8 OUT.u8 COLS ROWS SLICES SX SY SZ');
  process.exit(2);
}
const labels = new Uint8Array(readFileSync(inPath));
const report = cleanupLabelsInPlace(labels, [v[0], v[1], v[2]], [v[3], v[4], v[5]]);
writeFileSync(outPath, labels);
console.log(JSON.stringify({ ...report, ms: Math.round(report.ms) }));
