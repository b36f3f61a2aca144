/**
 * `npm run bench:edit`: editing speed on a 512 x 512 x 600 series (issue 14: editing stays fluid), in Node.
 * Each figure is the pure edit function plus the label-map update path the app runs after it: for a brush
 * move, a fill, an interpolation and an undo, the voxels it wrote (OrganOverlay.refreshVoxels:
 * MaskedLabels.refreshVoxels + OrganStats.updateVoxels); for the off-axial brush the former whole-slice path
 * (refreshSlices: MaskedLabels.refreshSlice + OrganStats.setSlice of every touched slice) is timed next to it. Not included:
 * Cornerstone's upload of the changed slices to the GPU at the next frame (browser only).
 *
 *   npx tsx scripts/bench-edit.ts [--slices 600] [--moves 40]
 */
import { paintSegmentInPlane, type VolumeGrid } from '../src/edit/brush';
import { fillPolygonInPlane } from '../src/edit/freehand';
import { EditHistory } from '../src/edit/history';
import { interpolateGaps } from '../src/edit/interpolate';
import { huFilter } from '../src/edit/threshold';
import { MaskedLabels } from '../src/labels/maskedLabels';
import { OrganStats } from '../src/labels/organStats';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const nk = arg('slices', 600);
const movesPerStroke = arg('moves', 40);
const dims: [number, number, number] = [512, 512, nk];
const spacing: [number, number, number] = [0.98, 0.98, 1];
const g: VolumeGrid = { dims, spacing };
const size = dims[0] * dims[1];
const labels = new Uint8Array(size * nk);
// CT-like HU: soft tissue with a bony ring (for the threshold brush)
const hu = new Int16Array(size * nk);
for (let j = 0; j < 512; j++)
  for (let i = 0; i < 512; i++) {
    const r = Math.hypot(i - 256, j - 256);
    const v = r > 200 ? -1000 : r > 60 && r < 70 ? 700 : 40;
    for (let k = 0; k < nk; k++) hu[k * size + j * 512 + i] = v;
  }
const masked = new MaskedLabels(labels, size, nk);
const stats = new OrganStats(dims, spacing);
const history = new EditHistory(labels, size);
/** The app's per-voxel redraw (OrganOverlay.refreshVoxels). */
const refreshVoxels = (flat: ArrayLike<number>, before: ArrayLike<number>) => {
  masked.refreshVoxels(flat);
  stats.updateVoxels(flat, before, labels);
};
/** Per-voxel redraw after undo (the values the step's voxels held before the undo: its `after`). */
const undoVoxels = () => {
  const step = history.undoStep();
  if (!step) return;
  const flat: number[] = [];
  const before: number[] = [];
  for (const d of step.diffs) d.index.forEach((q, n) => (flat.push(d.k * size + q), before.push(d.after[n])));
  refreshVoxels(flat, before);
};
const refresh = (ks: Iterable<number>) => {
  for (const k of ks) {
    masked.refreshSlice(k);
    stats.setSlice(k, labels, k * size);
  }
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const max = (xs: number[]) => Math.max(...xs);
const rows: string[][] = [];

/** One stroke of `movesPerStroke` pointer moves of 6 voxels in a plane; per move: paint + redraw. */
function stroke(
  label: string,
  normal: 0 | 1 | 2,
  radiusMm: number,
  allow?: (at: number) => boolean,
  path: 'voxels' | 'slices' = 'voxels',
) {
  const s = history.begin();
  const times: number[] = [];
  let from: [number, number, number] = [150, 256, Math.floor(nk / 2)];
  for (let m = 0; m < movesPerStroke; m++) {
    const to: [number, number, number] = [...from];
    const along = normal === 0 ? 1 : 0;
    to[along] += 6;
    const t0 = performance.now();
    const ks = paintSegmentInPlane(s, labels, g, normal, from, to, radiusMm, 5, 'brush', allow);
    const { flat, before } = s.drain();
    if (path === 'slices') refresh(ks);
    else refreshVoxels(flat, before);
    times.push(performance.now() - t0);
    from = to;
  }
  const t0 = performance.now();
  const step = history.commit(s, label);
  const commit = performance.now() - t0;
  const t1 = performance.now();
  if (path === 'slices') refresh(history.undo() ?? []);
  else undoVoxels();
  const undo = performance.now() - t1;
  rows.push([
    `${label}${path === 'slices' ? ' [former whole-slice redraw]' : ''}`,
    median(times).toFixed(2),
    max(times).toFixed(2),
    commit.toFixed(2),
    undo.toFixed(2),
    String(step?.diffs.reduce((a, d) => a + d.index.length, 0) ?? 0),
  ]);
}

console.log(
  `edit benchmark: label map ${dims.join(' x ')} (${(labels.length / 2 ** 20).toFixed(0)} MiB), ${movesPerStroke} pointer moves of 6 voxels per stroke; ms`,
);
stroke('brush 10 mm, axial', 2, 10);
stroke('brush 25 mm, axial', 2, 25);
stroke('threshold brush 25 mm (200..3000 HU), axial', 2, 25, huFilter(hu, { min: 200, max: 3000 }));
stroke('brush 10 mm, coronal (spans 21 slices)', 1, 10);
stroke('brush 10 mm, coronal (spans 21 slices)', 1, 10, undefined, 'slices');
stroke('brush 10 mm, sagittal', 0, 10);
stroke('brush 10 mm, sagittal', 0, 10, undefined, 'slices');
console.log(['tool', 'move median', 'move max', 'commit', 'undo', 'voxels'].join(' | '));
for (const r of rows) console.log(r.join(' | '));

// freehand fill: a 300-point closed path (circle of radius 100 voxels) on an axial slice and on a coronal plane
for (const [label, normal, fixed] of [
  ['fill region r=100 vox, axial', 2, nk >> 1],
  ['fill region r=100 vox, coronal', 1, 256],
] as const) {
  const pts: [number, number][] = Array.from({ length: 300 }, (_, n) => [
    256 + 100 * Math.cos((2 * Math.PI * n) / 300),
    (normal === 2 ? 256 : nk / 2) + 100 * Math.sin((2 * Math.PI * n) / 300),
  ]);
  const s = history.begin();
  const t0 = performance.now();
  const ks = fillPolygonInPlane(s, labels, g, normal, fixed, pts, 6, 'brush');
  const { flat, before } = s.drain();
  refreshVoxels(flat, before);
  const paint = performance.now() - t0;
  const t1 = performance.now();
  history.commit(s, 'fill');
  console.log(
    `${label}: fill + redraw ${paint.toFixed(1)} ms (${ks.length} slices, ${flat.length} voxels), commit ${(performance.now() - t1).toFixed(1)} ms`,
  );
  undoVoxels();
}

// interpolation: discs of radius 40 and 60 voxels on slices 40 apart
{
  const k0 = (nk >> 1) - 20,
    k1 = (nk >> 1) + 20;
  for (const [k, r] of [
    [k0, 40],
    [k1, 60],
  ] as const)
    for (let j = 0; j < 512; j++)
      for (let i = 0; i < 512; i++) if (Math.hypot(i - 256, j - 256) <= r) labels[k * size + j * 512 + i] = 7;
  const s = history.begin();
  const t0 = performance.now();
  const res = interpolateGaps(s, labels, g, 7);
  const { flat, before } = s.drain();
  refreshVoxels(flat, before);
  const t = performance.now() - t0;
  history.commit(s, 'interpolate');
  console.log(
    `interpolate between slices ${k0 + 1} and ${k1 + 1} (discs r = 40, 60 voxels): ${t.toFixed(0)} ms for ${res.filled.length} slices (includes the scan of all ${nk} slices for drawn ones)`,
  );
}
