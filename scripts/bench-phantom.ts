/**
 * `npm run bench:phantom [-- --matrix 512 --slices 400 --workers N --seed S]`: times the generation of a
 * whole-body series of exactly the requested size (slice spacing chosen to give that many slices),
 * rendering and DICOM writing separately, and a small training-grid case (256x256, 2 mm, 2.5 mm slices).
 * Prints the figures; not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCase } from '../src/phantom/generate';
import { runPhantom } from './phantom';

const args = process.argv.slice(2);
const arg = (name: string, d: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const matrix = arg('matrix', 512),
  slices = arg('slices', 400),
  seed = arg('seed', 1);
const workers = arg('workers', Math.min(4, availableParallelism()));

// slice spacing giving exactly `slices` slices over this subject's whole-body range
const probe = planCase({ seed, region: 'whole', matrix: 16, spacing: 30, slice: 1, position: 'HFS' });
const range = probe.geometry.positions.length - 1;
let slice = range / (slices - 1);
for (
  let i = 0;
  i < 20 &&
  planCase({ seed, region: 'whole', matrix: 16, spacing: 30, slice, position: 'HFS' }).geometry.positions.length !== slices;
  i++
) {
  slice *=
    planCase({ seed, region: 'whole', matrix: 16, spacing: 30, slice, position: 'HFS' }).geometry.positions.length > slices
      ? 1.0005
      : 0.9995;
}
slice = Math.round(slice * 1e6) / 1e6;

console.log(
  `phantom benchmark: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}, ${workers} workers`,
);
const dir = mkdtempSync(join(tmpdir(), 'phantom-bench-'));
try {
  for (const [label, o] of [
    [`${matrix}x${matrix}x${slices}`, { seed, region: 'whole' as const, matrix, slice, spacing: 0.98, position: 'HFS' as const }],
    [
      'training grid 256x256, 2 mm, 2.5 mm slices (whole body)',
      { seed, region: 'whole' as const, matrix: 256, spacing: 2, slice: 2.5, position: 'HFS' as const },
    ],
  ] as const) {
    const t0 = performance.now();
    const r = await runPhantom({ ...o, out: join(dir, 'case'), workers, quiet: true, nifti: false });
    const total = (performance.now() - t0) / 1000;
    const g = r.phantom.plan.geometry;
    const vox = g.cols * g.rows * g.positions.length;
    console.log(
      `${label}: ${g.cols}x${g.rows}x${g.positions.length} = ${(vox / 1e6).toFixed(1)} Mvoxels | render ${r.seconds.render.toFixed(1)} s ` +
        `(${(vox / 1e6 / r.seconds.render).toFixed(2)} Mvoxel/s) | write DICOM + labels ${r.seconds.write.toFixed(1)} s | total ${total.toFixed(1)} s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
