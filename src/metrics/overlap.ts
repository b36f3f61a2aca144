/**
 * Segmentation accuracy metrics (docs/CONTRACTS.md section 6): Dice similarity coefficient, the 95th
 * percentile Hausdorff distance and the mean (average symmetric) surface distance in mm, on 3D binary masks with anisotropic voxel spacing.
 * Pure functions; masks are flat arrays with index i + j*nx + k*nx*ny.
 */
export type Dims = readonly [number, number, number];
export type Spacing = readonly [number, number, number];

export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let na = 0;
  let nb = 0;
  for (let n = 0; n < a.length; n++) {
    const x = a[n] !== 0;
    const y = b[n] !== 0;
    if (x) na++;
    if (y) nb++;
    if (x && y) inter++;
  }
  return na + nb === 0 ? 1 : (2 * inter) / (na + nb);
}

interface Box {
  lo: [number, number, number];
  hi: [number, number, number]; // exclusive
}

function boundingBox(masks: ArrayLike<number>[], dims: Dims): Box | null {
  const [nx, ny] = dims;
  const lo: [number, number, number] = [Infinity, Infinity, Infinity];
  const hi: [number, number, number] = [-1, -1, -1];
  for (const m of masks) {
    for (let n = 0; n < m.length; n++) {
      if (m[n] === 0) continue;
      const i = n % nx;
      const j = Math.floor(n / nx) % ny;
      const k = Math.floor(n / (nx * ny));
      if (i < lo[0]) lo[0] = i;
      if (j < lo[1]) lo[1] = j;
      if (k < lo[2]) lo[2] = k;
      if (i > hi[0]) hi[0] = i;
      if (j > hi[1]) hi[1] = j;
      if (k > hi[2]) hi[2] = k;
    }
  }
  if (hi[0] < 0) return null;
  return { lo, hi: [hi[0] + 1, hi[1] + 1, hi[2] + 1] };
}

/** Surface voxels (6-neighbourhood; the volume border counts as outside), cropped to `box`. */
function surface(m: ArrayLike<number>, dims: Dims, box: Box): Uint8Array {
  const [nx, ny, nz] = dims;
  const [bx, by, bz] = [box.hi[0] - box.lo[0], box.hi[1] - box.lo[1], box.hi[2] - box.lo[2]];
  const out = new Uint8Array(bx * by * bz);
  const at = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && m[i + j * nx + k * nx * ny] !== 0;
  for (let k = 0; k < bz; k++)
    for (let j = 0; j < by; j++)
      for (let i = 0; i < bx; i++) {
        const [gi, gj, gk] = [i + box.lo[0], j + box.lo[1], k + box.lo[2]];
        if (!at(gi, gj, gk)) continue;
        if (
          !at(gi - 1, gj, gk) ||
          !at(gi + 1, gj, gk) ||
          !at(gi, gj - 1, gk) ||
          !at(gi, gj + 1, gk) ||
          !at(gi, gj, gk - 1) ||
          !at(gi, gj, gk + 1)
        )
          out[i + j * bx + k * bx * by] = 1;
      }
  return out;
}

/** 1D squared distance transform (Felzenszwalb & Huttenlocher) of f with sample spacing h. */
function edt1d(f: Float64Array, n: number, h: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (f[v[k]] === Infinity) {
      v[k] = q;
      continue;
    }
    let s: number;
    for (;;) {
      const p = v[k];
      s = (f[q] + (q * h) ** 2 - (f[p] + (p * h) ** 2)) / (2 * h * (q - p));
      if (s <= z[k] && k > 0) k--;
      else break;
    }
    if (s <= z[k]) {
      v[k] = q;
      continue;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q * h) k++;
    const p = v[k];
    d[q] = f[p] === Infinity ? Infinity : (q * h - p * h) ** 2 + f[p];
  }
}

/** Squared Euclidean distance (mm^2) from every voxel of the box to the nearest feature voxel. */
export function squaredDistanceTransform(feature: Uint8Array, dims: Dims, spacing: Spacing): Float64Array {
  const [nx, ny, nz] = dims;
  const g = new Float64Array(nx * ny * nz);
  for (let n = 0; n < g.length; n++) g[n] = feature[n] ? 0 : Infinity;
  const len = Math.max(nx, ny, nz);
  const f = new Float64Array(len);
  const d = new Float64Array(len);
  const v = new Int32Array(len);
  const z = new Float64Array(len + 1);
  const pass = (count: number, stride: number, starts: number[], h: number) => {
    for (const s of starts) {
      for (let q = 0; q < count; q++) f[q] = g[s + q * stride];
      edt1d(f, count, h, d, v, z);
      for (let q = 0; q < count; q++) g[s + q * stride] = d[q];
    }
  };
  const starts = (fn: (a: number, b: number) => number, na: number, nb: number) => {
    const out: number[] = [];
    for (let b = 0; b < nb; b++) for (let a = 0; a < na; a++) out.push(fn(a, b));
    return out;
  };
  pass(
    nx,
    1,
    starts((j, k) => j * nx + k * nx * ny, ny, nz),
    spacing[0],
  );
  pass(
    ny,
    nx,
    starts((i, k) => i + k * nx * ny, nx, nz),
    spacing[1],
  );
  pass(
    nz,
    nx * ny,
    starts((i, j) => i + j * nx, nx, ny),
    spacing[2],
  );
  return g;
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(values: Float64Array | number[], p: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const x = ((s.length - 1) * p) / 100;
  const lo = Math.floor(x);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (x - lo);
}

/** HD95 and mean surface distance (mm) of two masks, from the same surface-to-surface distances. */
export interface SurfaceDistances {
  /** max(P95(A->B), P95(B->A)) over surface voxels. */
  hd95: number;
  /** Average symmetric surface distance: mean of every A->B and B->A surface distance. */
  msd: number;
}

/** Both surface metrics, or null when either mask is empty. */
export function surfaceDistances(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  dims: Dims,
  spacing: Spacing,
): SurfaceDistances | null {
  const boxA = boundingBox([a], dims);
  const boxB = boundingBox([b], dims);
  if (!boxA || !boxB) return null;
  const box = boundingBox([a, b], dims)!;
  const sub: Dims = [box.hi[0] - box.lo[0], box.hi[1] - box.lo[1], box.hi[2] - box.lo[2]];
  const sa = surface(a, dims, box);
  const sb = surface(b, dims, box);
  const directed = (from: Uint8Array, to: Uint8Array) => {
    const dt = squaredDistanceTransform(to, sub, spacing);
    const ds: number[] = [];
    for (let n = 0; n < from.length; n++) if (from[n]) ds.push(Math.sqrt(dt[n]));
    return ds;
  };
  const ab = directed(sa, sb);
  const ba = directed(sb, sa);
  let sum = 0;
  for (const d of ab) sum += d;
  for (const d of ba) sum += d;
  return { hd95: Math.max(percentile(ab, 95), percentile(ba, 95)), msd: sum / (ab.length + ba.length) };
}

/**
 * HD95 in mm = max(P95(A->B), P95(B->A)) over surface voxels. Returns null when either mask is empty.
 */
export function hausdorff95(a: ArrayLike<number>, b: ArrayLike<number>, dims: Dims, spacing: Spacing): number | null {
  return surfaceDistances(a, b, dims, spacing)?.hd95 ?? null;
}
