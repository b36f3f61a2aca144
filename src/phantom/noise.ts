/**
 * Random fields for the phantom: smooth 3D value noise (organ texture, bowel content, fat
 * heterogeneity) and CT-like image noise (band-limited, as a filtered back-projection's noise power
 * spectrum: little power at the lowest and the highest frequencies, a grain of one to two pixels).
 * All deterministic from integer seeds; slices are independent, so any worker can render any slice.
 */
import { hash32 } from './rng';

function latticeValue(ix: number, iy: number, iz: number, seed: number): number {
  let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ Math.imul(iz, 0x9e3779b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2147483648 - 1;
}

const smooth = (t: number): number => t * t * (3 - 2 * t);

/** Value noise on a cubic lattice of `cell` mm; std of the output is about 1. */
export class ValueNoise3 {
  private readonly seed: number;
  constructor(
    seed: number,
    private readonly cell: number,
  ) {
    this.seed = hash32('value-noise', seed) | 0;
  }

  /**
   * Fills out[j*cols+i] with the field at (xs[i], ys[j], z), for columns i0..i1-1 and rows j0..j1-1.
   * `scale` multiplies the field (so that fields can be summed with `add`).
   */
  fillSlice(
    z: number,
    xs: Float64Array,
    ys: Float64Array,
    out: Float32Array,
    cols: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    scale: number,
    add: boolean,
  ): void {
    if (i1 <= i0 || j1 <= j0) return;
    const c = this.cell;
    const zc = z / c,
      iz = Math.floor(zc),
      fz = smooth(zc - iz);
    let xmin = Infinity,
      xmax = -Infinity,
      ymin = Infinity,
      ymax = -Infinity;
    for (let i = i0; i < i1; i++) {
      xmin = Math.min(xmin, xs[i]);
      xmax = Math.max(xmax, xs[i]);
    }
    for (let j = j0; j < j1; j++) {
      ymin = Math.min(ymin, ys[j]);
      ymax = Math.max(ymax, ys[j]);
    }
    const gx0 = Math.floor(xmin / c),
      gx1 = Math.floor(xmax / c) + 1;
    const gy0 = Math.floor(ymin / c),
      gy1 = Math.floor(ymax / c) + 1;
    const nx = gx1 - gx0 + 1,
      ny = gy1 - gy0 + 1;
    const g = new Float32Array(nx * ny);
    for (let b = 0; b < ny; b++) {
      for (let a = 0; a < nx; a++) {
        const v0 = latticeValue(gx0 + a, gy0 + b, iz, this.seed);
        const v1 = latticeValue(gx0 + a, gy0 + b, iz + 1, this.seed);
        g[b * nx + a] = (v0 + (v1 - v0) * fz) * scale * NORM;
      }
    }
    const ia = new Int32Array(i1 - i0),
      wa = new Float32Array(i1 - i0);
    for (let i = i0; i < i1; i++) {
      const t = xs[i] / c - gx0,
        k = Math.floor(t);
      ia[i - i0] = k;
      wa[i - i0] = smooth(t - k);
    }
    for (let j = j0; j < j1; j++) {
      const t = ys[j] / c - gy0,
        kb = Math.floor(t),
        wb = smooth(t - kb);
      const r0 = kb * nx,
        r1 = r0 + nx;
      const row = j * cols;
      for (let i = i0; i < i1; i++) {
        const k = ia[i - i0],
          w = wa[i - i0];
        const top = g[r0 + k] + (g[r0 + k + 1] - g[r0 + k]) * w;
        const bot = g[r1 + k] + (g[r1 + k + 1] - g[r1 + k]) * w;
        const v = top + (bot - top) * wb;
        if (add) out[row + i] += v;
        else out[row + i] = v;
      }
    }
  }
}
/** 1 / std of value noise with smoothstep interpolation of uniform(-1, 1) lattice values (measured). */
const NORM = 2.2;

// ---------------------------------------------------------------------------------------------
// CT image noise

const K1 = [0.25, 0.5, 0.25];
const K2 = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];
/** DoG band-pass weight: fine grain minus a share of its coarser blur (suppresses low frequencies). */
const BAND = 0.6;

function conv1(a: number[], b: number[]): number[] {
  const o = new Array<number>(a.length + b.length - 1).fill(0);
  a.forEach((x, i) => b.forEach((y, j) => (o[i + j] += x * y)));
  return o;
}
/** std of the filtered noise for unit white noise, from the 2D kernel K1xK1 - BAND*(K2*K1)x(K2*K1). */
const FILTER_STD = (() => {
  const b = conv1(K2, K1); // 7 taps
  const a = [0, 0, ...K1, 0, 0];
  let s = 0;
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) s += (a[i] * a[j] - BAND * b[i] * b[j]) ** 2;
  return Math.sqrt(s);
})();

/**
 * Adds CT-like noise of standard deviation `sigma` (HU) to one slice. `scratch` needs 3*cols*rows floats.
 */
export function addCtNoise(
  hu: Float32Array,
  cols: number,
  rows: number,
  sigma: number,
  seed: number,
  scratch: Float32Array,
): void {
  const n = cols * rows;
  const w = scratch.subarray(0, n),
    t = scratch.subarray(n, 2 * n),
    u = scratch.subarray(2 * n, 3 * n);
  let s = seed | 0 || 0x6d2b79f5;
  // sum of four uniforms ~ normal (Irwin-Hall, var 4/12): plenty for image noise and 5x cheaper than Box-Muller
  for (let p = 0; p < n; p++) {
    let acc = 0;
    for (let r = 0; r < 4; r++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      acc += (s >>> 0) / 4294967296;
    }
    w[p] = (acc - 2) * 1.7320508;
  }
  // fine: w blurred by K1 in x and y -> t
  blurX(w, u, cols, rows, K1);
  blurY(u, t, cols, rows, K1);
  // coarse: t blurred by K2 in x and y -> w (w no longer needed)
  blurX(t, u, cols, rows, K2);
  blurY(u, w, cols, rows, K2);
  const k = sigma / FILTER_STD;
  for (let p = 0; p < n; p++) hu[p] += k * (t[p] - BAND * w[p]);
}

function blurX(src: Float32Array, dst: Float32Array, cols: number, rows: number, k: number[]): void {
  const r = (k.length - 1) >> 1;
  for (let j = 0; j < rows; j++) {
    const o = j * cols;
    for (let i = 0; i < cols; i++) {
      let acc = 0;
      for (let m = -r; m <= r; m++) {
        let ii = i + m;
        if (ii < 0) ii = -ii;
        else if (ii >= cols) ii = 2 * cols - 2 - ii;
        acc += k[m + r] * src[o + ii];
      }
      dst[o + i] = acc;
    }
  }
}

function blurY(src: Float32Array, dst: Float32Array, cols: number, rows: number, k: number[]): void {
  const r = (k.length - 1) >> 1;
  for (let j = 0; j < rows; j++) {
    const o = j * cols;
    for (let m = -r; m <= r; m++) {
      let jj = j + m;
      if (jj < 0) jj = -jj;
      else if (jj >= rows) jj = 2 * rows - 2 - jj;
      const km = k[m + r],
        oo = jj * cols;
      if (m === -r) for (let i = 0; i < cols; i++) dst[o + i] = km * src[oo + i];
      else for (let i = 0; i < cols; i++) dst[o + i] += km * src[oo + i];
    }
  }
}
