/**
 * Clean-up after the network: per organ, 3D connected components (26-connected) of the uint8 label volume,
 * and the organ's rule from cleanup.rules.json (shared with training/attention_anatomy/cleanup.py, which
 * gives identical output): drop components too big to be the organ (tiny organs only), keep the largest, keep others only when they are big relative to it
 * and close to it, drop the rest (islands far from the organ) to background.
 *
 * Components are found on runs (maximal x-runs of one label in a row) with union-find, so memory and time
 * scale with the number of runs, not voxels: the volume is read once and only dropped runs are written.
 * The scan goes slice by slice (`CleanupScan.addSlice`), so a caller can yield between slices
 * (`cleanupLabelsAsync`). Pure apart from writing the given label array; DOM-free.
 */
import rulesTable from './cleanup.rules.json';
import { ORGANS } from '../organs';

export interface CleanupRule {
  /** null: no limit. The largest component counts as one. */
  maxComponents: number | null;
  /** Keep a component only when its voxel count >= minFraction x the largest's. */
  minFraction: number;
  /** ... and its volume (ml) >= minMl ... */
  minMl: number;
  /** ... and its bounding box is at most this far (mm) from the largest's. */
  maxGapMm: number;
  /** Components above this volume (ml) are dropped before anything else (null: no limit). */
  maxComponentMl: number | null;
  /** Distance to any kept component instead of to the largest (tubes broken along their length). */
  chain: boolean;
}

/** Rule per organ channel (1..33); channels without a rule are not touched. */
export type CleanupRules = ReadonlyMap<number, CleanupRule>;

type Vec3 = readonly [number, number, number];

/** The shipped rules: cleanup.rules.json resolved to channels. */
export function rulesFromTable(table: {
  classes: Record<string, Partial<CleanupRule>>;
  organs: Record<string, string>;
}): Map<number, CleanupRule> {
  const out = new Map<number, CleanupRule>();
  for (const [name, cls] of Object.entries(table.organs)) {
    const organ = ORGANS.find((o) => o.tg263 === name);
    const c = table.classes[cls];
    if (!organ) throw new Error(`cleanup rules: unknown organ ${name}`);
    if (!c) throw new Error(`cleanup rules: ${name} has unknown class ${cls}`);
    out.set(organ.channel, {
      maxComponents: c.maxComponents ?? null,
      minFraction: c.minFraction ?? 0,
      minMl: c.minMl ?? 0,
      maxGapMm: c.maxGapMm ?? 0,
      maxComponentMl: c.maxComponentMl ?? null,
      chain: c.chain ?? false,
    });
  }
  return out;
}

export const CLEANUP_RULES: CleanupRules = rulesFromTable(rulesTable);

export interface OrganCleanup {
  channel: number;
  /** 26-connected components before clean-up */
  components: number;
  kept: number;
  voxelsRemoved: number;
}

export interface CleanupReport {
  /** Organs that had at least one component (with or without removals), by channel. */
  organs: OrganCleanup[];
  voxelsRemoved: number;
  /** Slices (z indices) where a voxel was removed, ascending. */
  changedSlices: number[];
  ms: number;
}

/** Growable Int32 column. */
class Column {
  a: Int32Array;
  n = 0;
  constructor(cap: number) {
    this.a = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * Incremental scan: feed slices 0..nz-1 in order with addSlice, then apply(). Run r of row (y, z) spans
 * x0[r]..x1[r] (inclusive); rowStart[row] .. rowStart[row + 1] are the runs of row = z * rows + y.
 */
export class CleanupScan {
  private readonly cols: number;
  private readonly rows: number;
  private readonly nz: number;
  private readonly x0 = new Column(1 << 14);
  private readonly x1 = new Column(1 << 14);
  private readonly lab = new Column(1 << 14);
  private readonly parent = new Column(1 << 14);
  private readonly rowStart: Int32Array;
  private nextZ = 0;
  /** The labels as 32-bit words (to skip background fast); null when not 4-byte aligned. */
  private readonly words: Uint32Array | null;

  constructor(
    private readonly labels: Uint8Array,
    dims: Vec3,
    private readonly spacing: Vec3,
    private readonly rules: CleanupRules = CLEANUP_RULES,
  ) {
    [this.cols, this.rows, this.nz] = dims;
    if (labels.length !== this.cols * this.rows * this.nz)
      throw new RangeError(
        `labels hold ${labels.length} voxels, dims ${dims.join(' x ')} need ${this.cols * this.rows * this.nz}`,
      );
    this.rowStart = new Int32Array(this.rows * this.nz + 1);
    this.words = labels.byteOffset % 4 === 0 ? new Uint32Array(labels.buffer, labels.byteOffset, labels.length >> 2) : null;
  }

  get slicesDone(): number {
    return this.nextZ;
  }

  private find(r: number): number {
    const p = this.parent.a;
    while (p[r] !== r) {
      p[r] = p[p[r]]; // path halving
      r = p[r];
    }
    return r;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // the smaller run index is the root: a component's root is its first run in raster order
    if (ra < rb) this.parent.a[rb] = ra;
    else this.parent.a[ra] = rb;
  }

  /** Unions the runs of row `cur` with the 26-adjacent runs of row `nb` (same label, x ranges within 1). */
  private linkRows(cur: number, nb: number): void {
    const rs = this.rowStart;
    const x0 = this.x0.a;
    const x1 = this.x1.a;
    const lab = this.lab.a;
    let j = rs[nb];
    const jEnd = rs[nb + 1];
    for (let a = rs[cur], aEnd = rs[cur + 1]; a < aEnd; a++) {
      const lo = x0[a] - 1;
      const hi = x1[a] + 1;
      while (j < jEnd && x1[j] < lo) j++;
      for (let k = j; k < jEnd && x0[k] <= hi; k++) if (lab[k] === lab[a]) this.union(a, k);
    }
  }

  /** Scans the next slice. */
  addSlice(): void {
    const z = this.nextZ;
    if (z >= this.nz) throw new RangeError('all slices are scanned');
    const { cols, rows, labels, words } = this;
    for (let y = 0; y < rows; y++) {
      const row = z * rows + y;
      const base = row * cols;
      this.rowStart[row] = this.x0.n;
      let x = 0;
      while (x < cols) {
        const v = labels[base + x];
        if (v === 0) {
          // most voxels are background: skip 4 at a time where a whole aligned word is 0
          const i = base + x;
          if (words && (i & 3) === 0 && x + 4 <= cols && words[i >> 2] === 0) x += 4;
          else x++;
          continue;
        }
        const s = x;
        while (x < cols && labels[base + x] === v) x++;
        const r = this.x0.n;
        this.x0.push(s);
        this.x1.push(x - 1);
        this.lab.push(v);
        this.parent.push(r);
      }
      this.rowStart[row + 1] = this.x0.n;
      if (y > 0) this.linkRows(row, row - 1);
      if (z > 0) {
        const below = row - rows;
        if (y > 0) this.linkRows(row, below - 1);
        this.linkRows(row, below);
        if (y + 1 < rows) this.linkRows(row, below + 1);
      }
    }
    // rows of the next slice are linked backwards when it is scanned; (y+1, z-1) above needs row y+1 of
    // slice z-1, which exists, so every 26-neighbour pair is linked exactly from its later row.
    this.nextZ++;
  }

  /** After the last slice: decides per organ and zeroes the dropped runs in the label array. */
  apply(): Omit<CleanupReport, 'ms'> {
    if (this.nextZ !== this.nz) throw new Error(`scan incomplete: ${this.nextZ} of ${this.nz} slices`);
    const n = this.x0.n;
    const x0 = this.x0.a;
    const x1 = this.x1.a;
    const lab = this.lab.a;
    const { cols, rows } = this;
    // component ids in order of first run (raster order), stats per component
    const comp = new Int32Array(n);
    let nc = 0;
    for (let r = 0; r < n; r++) {
      const root = this.find(r);
      comp[r] = root === r ? nc++ : comp[root];
    }
    const count = new Float64Array(nc);
    const clab = new Uint8Array(nc);
    const box = new Int32Array(nc * 6).fill(-1); // xlo, xhi, ylo, yhi, zlo, zhi
    for (let row = 0; row < rows * this.nz; row++) {
      const y = row % rows;
      const z = (row - y) / rows;
      for (let r = this.rowStart[row]; r < this.rowStart[row + 1]; r++) {
        const c = comp[r];
        const b = c * 6;
        if (count[c] === 0) {
          clab[c] = lab[r];
          box[b] = x0[r];
          box[b + 1] = x1[r];
          box[b + 2] = y;
          box[b + 3] = y;
          box[b + 4] = z;
          box[b + 5] = z;
        } else {
          if (x0[r] < box[b]) box[b] = x0[r];
          if (x1[r] > box[b + 1]) box[b + 1] = x1[r];
          if (y < box[b + 2]) box[b + 2] = y;
          if (y > box[b + 3]) box[b + 3] = y;
          box[b + 5] = z; // rows come in z order
        }
        count[c] += x1[r] - x0[r] + 1;
      }
    }
    // components per label, in id order
    const byLabel = new Map<number, number[]>();
    for (let c = 0; c < nc; c++) {
      const l = byLabel.get(clab[c]);
      if (l) l.push(c);
      else byLabel.set(clab[c], [c]);
    }
    const drop = new Uint8Array(nc);
    const [sx, sy, sz] = this.spacing;
    const voxelMl = (sx * sy * sz) / 1000;
    const organs: OrganCleanup[] = [];
    let voxelsRemoved = 0;
    for (const channel of [...byLabel.keys()].sort((a, b) => a - b)) {
      const comps = byLabel.get(channel)!;
      const rule = this.rules.get(channel);
      if (!rule) {
        organs.push({ channel, components: comps.length, kept: comps.length, voxelsRemoved: 0 });
        continue;
      }
      const d = decide(
        comps.map((c) => ({ count: count[c], box: Array.from(box.subarray(c * 6, c * 6 + 6)) })),
        rule,
        [sx, sy, sz],
        voxelMl,
      );
      let removed = 0;
      d.forEach((keep, i) => {
        if (!keep) {
          drop[comps[i]] = 1;
          removed += count[comps[i]];
        }
      });
      organs.push({ channel, components: comps.length, kept: d.filter(Boolean).length, voxelsRemoved: removed });
      voxelsRemoved += removed;
    }
    const changed = new Uint8Array(this.nz);
    if (voxelsRemoved) {
      for (let row = 0; row < rows * this.nz; row++) {
        for (let r = this.rowStart[row]; r < this.rowStart[row + 1]; r++) {
          if (!drop[comp[r]]) continue;
          this.labels.fill(0, row * cols + x0[r], row * cols + x1[r] + 1);
          changed[(row - (row % rows)) / rows] = 1;
        }
      }
    }
    const changedSlices: number[] = [];
    changed.forEach((c, z) => c && changedSlices.push(z));
    return { organs, voxelsRemoved, changedSlices };
  }
}

/** One component: voxel count and bounding box [xlo, xhi, ylo, yhi, zlo, zhi] (voxel indices, inclusive). */
export interface ComponentStat {
  count: number;
  box: readonly number[];
}

/** Gap (mm) between two bounding boxes, squared: empty voxels between them per axis x spacing. */
export function boxGapSquaredMm(a: readonly number[], b: readonly number[], spacing: Vec3): number {
  let s = 0;
  for (let ax = 0; ax < 3; ax++) {
    const g = Math.max(0, b[2 * ax] - a[2 * ax + 1] - 1, a[2 * ax] - b[2 * ax + 1] - 1) * spacing[ax];
    s += g * g;
  }
  return s;
}

/**
 * Which components of one organ to keep (components in raster order of their first voxel). Pure; the
 * Python twin is attention_anatomy.cleanup.decide.
 */
export function decide(comps: readonly ComponentStat[], rule: CleanupRule, spacing: Vec3, voxelMl: number): boolean[] {
  const keep = comps.map(() => false);
  const cap = rule.maxComponentMl;
  // largest first; ties by raster order; components too big to be the organ are not candidates
  const order = comps
    .map((_, i) => i)
    .filter((i) => cap === null || comps[i].count * voxelMl <= cap)
    .sort((i, j) => comps[j].count - comps[i].count || i - j);
  if (!order.length) return keep;
  const big = comps[order[0]];
  keep[order[0]] = true;
  let kept = 1;
  const full = () => rule.maxComponents !== null && kept >= rule.maxComponents;
  const maxGap2 = rule.maxGapMm * rule.maxGapMm;
  const cands = order
    .slice(1)
    .filter((i) => comps[i].count >= rule.minFraction * big.count && comps[i].count * voxelMl >= rule.minMl);
  if (!rule.chain) {
    for (const i of cands) {
      if (full()) break;
      if (boxGapSquaredMm(comps[i].box, big.box, spacing) > maxGap2) continue;
      keep[i] = true;
      kept++;
    }
    return keep;
  }
  // chain: within maxGapMm of any kept component (breadth first from the largest, candidates largest first)
  const queue = [order[0]];
  for (let q = 0; q < queue.length && !full(); q++) {
    const from = comps[queue[q]].box;
    for (const i of cands) {
      if (full()) break;
      if (keep[i] || boxGapSquaredMm(comps[i].box, from, spacing) > maxGap2) continue;
      keep[i] = true;
      kept++;
      queue.push(i);
    }
  }
  return keep;
}

/** Cleans `labels` in place (dims [cols, rows, slices], spacing [col, row, slice] mm). */
export function cleanupLabelsInPlace(
  labels: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  rules: CleanupRules = CLEANUP_RULES,
): CleanupReport {
  const t0 = performance.now();
  const scan = new CleanupScan(labels, dims, spacing, rules);
  for (let z = 0; z < dims[2]; z++) scan.addSlice();
  return { ...scan.apply(), ms: performance.now() - t0 };
}

/** Pure: a cleaned copy and what was removed. */
export function cleanupLabels(
  labels: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  rules: CleanupRules = CLEANUP_RULES,
): { labels: Uint8Array; report: CleanupReport } {
  const out = labels.slice();
  return { labels: out, report: cleanupLabelsInPlace(out, dims, spacing, rules) };
}

/**
 * Scans the slices `scan` has not scanned yet, yielding to the event loop about every `sliceMs` ms (for the
 * page's main thread), then applies it.
 */
export async function finishScanAsync(
  scan: CleanupScan,
  nz: number,
  opts: { sliceMs?: number; signal?: AbortSignal } = {},
): Promise<Omit<CleanupReport, 'ms'>> {
  const budget = opts.sliceMs ?? 50;
  let t = performance.now();
  while (scan.slicesDone < nz) {
    scan.addSlice();
    if (performance.now() - t > budget) {
      await new Promise<void>((r) => setTimeout(r, 0));
      opts.signal?.throwIfAborted();
      t = performance.now();
    }
  }
  return scan.apply();
}

/** In place, yielding to the event loop about every `sliceMs` ms (for the page's main thread). */
export async function cleanupLabelsAsync(
  labels: Uint8Array,
  dims: Vec3,
  spacing: Vec3,
  opts: { rules?: CleanupRules; sliceMs?: number; signal?: AbortSignal } = {},
): Promise<CleanupReport> {
  const t0 = performance.now();
  const scan = new CleanupScan(labels, dims, spacing, opts.rules ?? CLEANUP_RULES);
  return { ...(await finishScanAsync(scan, dims[2], opts)), ms: performance.now() - t0 };
}
