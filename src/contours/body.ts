/**
 * BODY / External (TG-263 `External`) from the CT alone (issue 16): planning systems need it for dose
 * calculation. Pure, on the CT grid:
 *   1. voxels above a threshold (default -300 HU: skin and tissue, not air, foam mattresses or lungs);
 *   2. a per-slice morphological opening by a disk (default radius 4 mm): removes thin, flat structures
 *      (carbon-fibre couch tops, thermoplastic masks, cables) and cuts thin bridges between them and the
 *      patient, while the smooth skin surface is kept;
 *   3. the largest 3D component (6-connected): the patient; the table and its rails are separate pieces;
 *      other big, thick components (arms that leave the trunk within the scanned range) are kept too;
 *   4. holes filled per slice (lungs, airways, bowel gas inside the outline).
 * Distances use the pixel spacing (exact squared Euclidean distance transform, Felzenszwalb-Huttenlocher).
 */
import type { CtVolume } from '../volume/volume';

export interface BodyOptions {
  /** HU above which a voxel is body (default -300). */
  thresholdHu?: number;
  /** Opening radius in mm (default 4; 0 skips the opening). */
  openingMm?: number;
  /** Other components kept beside the largest (arms) need this fraction of its voxels (default 0.01) ... */
  minPartFraction?: number;
  /** ... and this mean thickness in mm (default 25; a couch top is a few mm). */
  minPartThicknessMm?: number;
}

export interface BodyResult {
  /** 1 inside the body, 0 outside; CtVolume flat index. */
  mask: Uint8Array;
  voxels: number;
  /** Voxels above the threshold that were dropped (table, mask, noise). */
  removedVoxels: number;
}

/** Half-widths (pixels) of a disk of radius r mm, per row offset dy = -R..R, pixel spacing (sx, sy). */
export function diskHalfWidths(r: number, sx: number, sy: number): Int32Array {
  const R = Math.floor(r / sy + 1e-9);
  const w = new Int32Array(2 * R + 1);
  for (let dy = -R; dy <= R; dy++) w[dy + R] = Math.floor(Math.sqrt(Math.max(0, r * r - (dy * sy) ** 2)) / sx + 1e-9);
  return w;
}

/**
 * Per row: distance in pixels to the nearest pixel where `set(x)` is true (0 on it), capped at `cap`.
 * `outsideIsSet`: pixels beyond the row ends count as set.
 */
function rowDistance(
  src: Uint8Array,
  want: 0 | 1,
  cols: number,
  rows: number,
  cap: number,
  outsideIsSet: boolean,
  out: Int32Array,
): void {
  for (let y = 0; y < rows; y++) {
    const o = y * cols;
    let last = outsideIsSet ? -1 : -cap - 1;
    for (let x = 0; x < cols; x++) {
      if (src[o + x] === want) last = x;
      out[o + x] = Math.min(cap, x - last);
    }
    last = outsideIsSet ? cols : cols + cap + 1;
    for (let x = cols - 1; x >= 0; x--) {
      if (src[o + x] === want) last = x;
      const d = Math.min(cap, last - x);
      if (d < out[o + x]) out[o + x] = d;
    }
  }
}

/**
 * Morphological opening of a binary slice by a disk of radius r mm (in place): erosion (the disk fits
 * inside; beyond the image counts as outside), then dilation by the same disk. Row by row with the
 * disk's half-widths, O(pixels x disk rows).
 */
export function openSlice(m: Uint8Array, cols: number, rows: number, sx: number, sy: number, r: number): void {
  const w = diskHalfWidths(r, sx, sy);
  const R = (w.length - 1) / 2;
  const cap = 1 << 20;
  const h = new Int32Array(m.length);
  // erosion: for every disk row dy, the run around (x, y+dy) reaches w(dy) pixels to each side
  rowDistance(m, 0, cols, rows, cap, true, h);
  const eroded = new Uint8Array(m.length);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (!m[x + y * cols]) continue;
      let ok = 1;
      for (let dy = -R; dy <= R && ok; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= rows || h[x + yy * cols] <= w[dy + R]) ok = 0;
      }
      eroded[x + y * cols] = ok;
    }
  }
  // dilation: some eroded pixel within the disk
  rowDistance(eroded, 1, cols, rows, cap, false, h);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const i = x + y * cols;
      if (!m[i]) continue;
      let hit = 0;
      for (let dy = -R; dy <= R && !hit; dy++) {
        const yy = y + dy;
        if (yy >= 0 && yy < rows && h[x + yy * cols] <= w[dy + R]) hit = 1;
      }
      m[i] = hit;
    }
  }
}

/** 6-connected components of a 3D mask: component id per voxel (0 outside) and voxel count per id (index 0 unused). */
export function components3d(m: Uint8Array, cols: number, rows: number, nk: number): { comp: Int32Array; counts: number[] } {
  const size = cols * rows;
  const comp = new Int32Array(m.length);
  let stack = new Int32Array(1 << 16);
  const counts = [0];
  let id = 0;
  for (let s = 0; s < m.length; s++) {
    if (!m[s] || comp[s]) continue;
    id++;
    let top = 0;
    let count = 0;
    stack[top++] = s;
    comp[s] = id;
    while (top > 0) {
      const i = stack[--top];
      count++;
      if (top + 6 > stack.length) {
        const bigger = new Int32Array(stack.length * 2);
        bigger.set(stack);
        stack = bigger;
      }
      const x = i % cols;
      const r = (i - x) / cols;
      const y = r % rows;
      const k = (r - y) / rows;
      let j: number;
      if (x > 0 && m[(j = i - 1)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
      if (x < cols - 1 && m[(j = i + 1)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
      if (y > 0 && m[(j = i - cols)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
      if (y < rows - 1 && m[(j = i + cols)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
      if (k > 0 && m[(j = i - size)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
      if (k < nk - 1 && m[(j = i + size)] && !comp[j]) {
        comp[j] = id;
        stack[top++] = j;
      }
    }
    counts.push(count);
  }
  return { comp, counts };
}

/** Keeps only the largest 6-connected component of a 3D mask (in place); returns its size. */
export function keepLargestComponent3d(m: Uint8Array, cols: number, rows: number, nk: number): number {
  const { comp, counts } = components3d(m, cols, rows, nk);
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[best]) best = c;
  for (let i = 0; i < m.length; i++) m[i] = best > 0 && comp[i] === best ? 1 : 0;
  return best > 0 ? counts[best] : 0;
}

/**
 * Mean thickness (mm, along the rows direction) of every component: voxels / summed per-slice column
 * extent x row spacing. A couch top or a thermoplastic shell is a few mm; an arm is several cm.
 */
export function componentThicknessMm(
  comp: Int32Array,
  nComp: number,
  cols: number,
  rows: number,
  nk: number,
  rowSpacing: number,
): Float64Array {
  const count = new Float64Array(nComp + 1);
  const ext = new Float64Array(nComp + 1);
  const minX = new Int32Array(nComp + 1);
  const maxX = new Int32Array(nComp + 1);
  const seenK = new Int32Array(nComp + 1).fill(-1);
  const size = cols * rows;
  for (let k = 0; k < nk; k++) {
    for (let p = 0; p < size; p++) {
      const c = comp[p + k * size];
      if (!c) continue;
      const x = p % cols;
      count[c]++;
      if (seenK[c] !== k) {
        if (seenK[c] >= 0) ext[c] += maxX[c] - minX[c] + 1;
        seenK[c] = k;
        minX[c] = x;
        maxX[c] = x;
      } else {
        if (x < minX[c]) minX[c] = x;
        if (x > maxX[c]) maxX[c] = x;
      }
    }
  }
  const out = new Float64Array(nComp + 1);
  for (let c = 1; c <= nComp; c++) {
    if (seenK[c] >= 0) ext[c] += maxX[c] - minX[c] + 1;
    out[c] = ext[c] > 0 ? (count[c] / ext[c]) * rowSpacing : 0;
  }
  return out;
}

/** Fills the holes of one slice of a mask (pixels not 4-connected to the slice border through background). */
export function fillHolesSlice(m: Uint8Array, cols: number, rows: number, offset = 0): void {
  const size = cols * rows;
  const outside = new Uint8Array(size);
  const stack = new Int32Array(size);
  let top = 0;
  const seed = (p: number) => {
    if (!m[offset + p] && !outside[p]) {
      outside[p] = 1;
      stack[top++] = p;
    }
  };
  for (let x = 0; x < cols; x++) {
    seed(x);
    seed(x + (rows - 1) * cols);
  }
  for (let y = 0; y < rows; y++) {
    seed(y * cols);
    seed(cols - 1 + y * cols);
  }
  while (top > 0) {
    const p = stack[--top];
    const x = p % cols;
    const y = (p - x) / cols;
    if (x > 0) seed(p - 1);
    if (x < cols - 1) seed(p + 1);
    if (y > 0) seed(p - cols);
    if (y < rows - 1) seed(p + cols);
  }
  for (let p = 0; p < size; p++) if (!outside[p]) m[offset + p] = 1;
}

/** The patient's outline on the CT grid (see the module comment). */
export function bodyMask(ct: CtVolume, options: BodyOptions = {}): BodyResult {
  const threshold = options.thresholdHu ?? -300;
  const r = options.openingMm ?? 4;
  const minPartFraction = options.minPartFraction ?? 0.01;
  const minPartThicknessMm = options.minPartThicknessMm ?? 25;
  const [cols, rows, nk] = ct.dims;
  const size = cols * rows;
  const mask = new Uint8Array(size * nk);
  let above = 0;
  for (let i = 0; i < mask.length; i++) {
    if (ct.hu[i] > threshold) {
      mask[i] = 1;
      above++;
    }
  }
  if (r > 0) {
    for (let k = 0; k < nk; k++) {
      const sl = mask.subarray(k * size, (k + 1) * size);
      openSlice(sl, cols, rows, ct.spacing[0], ct.spacing[1], r);
    }
  }
  // The patient: the largest component, plus big, thick ones (arms outside the trunk's slices or the
  // field of view); thin, flat ones (the couch top, a mask shell) and specks go.
  const { comp, counts } = components3d(mask, cols, rows, nk);
  const thickness = componentThicknessMm(comp, counts.length - 1, cols, rows, nk, ct.spacing[1]);
  let largest = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[largest]) largest = c;
  const keep = new Uint8Array(counts.length);
  for (let c = 1; c < counts.length; c++) {
    keep[c] = c === largest || (counts[c] >= minPartFraction * counts[largest] && thickness[c] >= minPartThicknessMm) ? 1 : 0;
  }
  for (let i = 0; i < mask.length; i++) mask[i] = keep[comp[i]];
  // What the threshold found but the body does not keep (before hole filling adds lungs etc.).
  let kept = 0;
  for (let i = 0; i < mask.length; i++) kept += mask[i];
  for (let k = 0; k < nk; k++) fillHolesSlice(mask, cols, rows, k * size);
  let voxels = 0;
  for (let i = 0; i < mask.length; i++) voxels += mask[i];
  return { mask, voxels, removedVoxels: above - kept };
}
