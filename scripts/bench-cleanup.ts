/**
 * Times the connected-component clean-up (src/engine/cleanup.ts) on a 512 x 512 x 600 label volume shaped
 * like a whole-body result: 33 organs as ellipsoids (one per 18 slices band, a few hundred ml each) plus
 * 2000 small false-positive islands scattered through the volume.   npm run bench:cleanup [-- SLICES]
 */
import { CleanupScan, cleanupLabelsInPlace } from '../src/engine/cleanup';

const cols = 512;
const rows = 512;
const nz = Number(process.argv[2] ?? 600);
const labels = new Uint8Array(cols * rows * nz);
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
for (let c = 1; c <= 33; c++) {
  const cz = ((c - 0.5) / 33) * nz;
  const cx = 150 + rnd() * 212;
  const cy = 150 + rnd() * 212;
  const [rx, ry, rz] = [20 + rnd() * 60, 20 + rnd() * 60, 5 + rnd() * 25];
  for (let z = Math.max(0, Math.floor(cz - rz)); z < Math.min(nz, cz + rz); z++)
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(rows, cy + ry); y++)
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(cols, cx + rx); x++)
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 + ((z - cz) / rz) ** 2 <= 1) labels[(z * rows + y) * cols + x] = c;
}
for (let i = 0; i < 2000; i++) {
  const c = 1 + Math.floor(rnd() * 33);
  const x0 = Math.floor(rnd() * (cols - 4));
  const y0 = Math.floor(rnd() * (rows - 4));
  const z0 = Math.floor(rnd() * (nz - 2));
  for (let z = z0; z < z0 + 2; z++)
    for (let y = y0; y < y0 + 3; y++) for (let x = x0; x < x0 + 3; x++) labels[(z * rows + y) * cols + x] = c;
}
const labelled = labels.reduce((n, v) => n + (v ? 1 : 0), 0);
const times: number[] = [];
const cpu: number[] = [];
let removed = 0;
for (let rep = 0; rep < 5; rep++) {
  const copy = labels.slice();
  const c0 = process.cpuUsage();
  const r = cleanupLabelsInPlace(copy, [cols, rows, nz], [0.9766, 0.9766, 2]);
  const c1 = process.cpuUsage(c0);
  times.push(r.ms);
  cpu.push((c1.user + c1.system) / 1000);
  removed = r.voxelsRemoved;
}
// the engine scans slices as they arrive; what is left after the last slice is apply()
const applyMs: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const scan = new CleanupScan(labels.slice(), [cols, rows, nz], [0.9766, 0.9766, 2]);
  for (let z = 0; z < nz; z++) scan.addSlice();
  const c0 = process.cpuUsage();
  scan.apply();
  const c1 = process.cpuUsage(c0);
  applyMs.push((c1.user + c1.system) / 1000);
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
// wall time depends on what else runs on the machine; CPU time (this process) is the better figure there
console.log(
  `clean-up ${cols} x ${rows} x ${nz} (${(labelled / 1e6).toFixed(1)} M labelled voxels, ${removed} removed): ` +
    `median wall ${med(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}), median CPU ${med(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}), ` +
    `of which after the last slice (apply) ${med(applyMs).toFixed(0)} ms CPU; Node ${process.version}`,
);
