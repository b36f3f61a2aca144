/**
 * Rasterises the phantom's layers onto axial slices: painter's algorithm with analytic partial volume.
 *
 * Each layer is a shape with an HU value (plus texture) and a label action. Painted in order, a layer
 * blends into the slice with coverage alpha = clamp(0.5 - d / w, 0, 1), where d is the signed distance
 * at the voxel centre and w the voxel's extent along the surface normal (sqrt of sum (n_i s_i)^2, the
 * width of the box filter projected on the normal). So edges are anti-aliased in-plane and through the
 * slice thickness without supersampling, and the label (d <= 0, i.e. alpha >= 0.5) is the geometric
 * truth at the voxel centre. Work is done per 8x8 tile: a tile whose centre is farther from the surface
 * than the tile's half-diagonal plus the ramp is filled or skipped without per-voxel distances, so cost
 * grows with surface area, not volume.
 */
import { NUM_CHANNELS } from '../organs';
import { NRM, type Shape } from './shapes';

export interface Layer {
  name: string;
  shape: Shape;
  /** HU inside the layer. */
  hu: number;
  /** Amplitude (HU, about 1 sd) of the fine texture field. */
  tex?: number;
  /** Amplitude of the coarse texture field. */
  tex2?: number;
  /** HU change per mm along +y (posterior): dependent density in the lungs. */
  gradY?: number;
  /** Label written where the voxel centre is inside: 0..33; -1 keeps the label underneath. */
  label: number;
  /** Paint only where the current label is one of these (contents of an organ: vessels, gas, bowel loops). */
  onlyIn?: number[];
  /** Organs this layer overwrites by design (e.g. the TMJ capping the condyle): not counted as overlap. */
  carves?: number[];
}

/** A layer prepared for rendering (masks as typed arrays). */
interface PreparedLayer {
  layer: Layer;
  onlyIn: Uint8Array | null;
  carves: Uint8Array;
}

/** Pixel geometry of the slices in the anatomy's own (canonical) coordinates. */
export interface RenderGrid {
  cols: number;
  rows: number;
  /** canonical x of column i = x0 + i * dxi; canonical y of row j = y0 + j * dyj (signed steps). */
  x0: number;
  dxi: number;
  y0: number;
  dyj: number;
  /** slice thickness (mm) */
  thickness: number;
}

export interface SliceStats {
  /** overlap[a * 34 + b]: voxels where organ a was painted over organ b (not a declared carving). */
  overlap: Float64Array;
}

export function newStats(): SliceStats {
  return { overlap: new Float64Array(NUM_CHANNELS * NUM_CHANNELS) };
}

const TILE = 8;
const BLOCK = 32;

export class SliceRenderer {
  private readonly layers: PreparedLayer[];
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  private readonly sx: number;
  private readonly sy: number;
  /** When set, accumulates milliseconds per layer name (benchmarking). */
  profile: Map<string, number> | null = null;

  constructor(
    layers: Layer[],
    private readonly g: RenderGrid,
  ) {
    this.layers = layers.map((layer) => {
      const onlyIn = layer.onlyIn ? new Uint8Array(NUM_CHANNELS) : null;
      layer.onlyIn?.forEach((c) => (onlyIn![c] = 1));
      const carves = new Uint8Array(NUM_CHANNELS);
      layer.carves?.forEach((c) => (carves[c] = 1));
      return { layer, onlyIn, carves };
    });
    this.xs = Float64Array.from({ length: g.cols }, (_, i) => g.x0 + i * g.dxi);
    this.ys = Float64Array.from({ length: g.rows }, (_, j) => g.y0 + j * g.dyj);
    this.sx = Math.abs(g.dxi);
    this.sy = Math.abs(g.dyj);
  }

  /**
   * Paints every layer into one slice at canonical height z. `hu` must hold the background already;
   * `tex` and `tex2` are the texture fields of this slice (same indexing as hu).
   */
  render(z: number, hu: Float32Array, lab: Uint8Array, tex: Float32Array, tex2: Float32Array, stats: SliceStats): void {
    const g = this.g;
    const halfT = 0.5 * g.thickness;
    for (const pl of this.layers) {
      const b = pl.layer.shape.box;
      if (b[4] > z + halfT || b[5] < z - halfT) continue;
      const [i0, i1] = this.span(b[0], b[1], g.x0, g.dxi, g.cols);
      const [j0, j1] = this.span(b[2], b[3], g.y0, g.dyj, g.rows);
      if (i1 <= i0 || j1 <= j0) continue;
      if (this.profile) {
        const t0 = performance.now();
        this.paint(pl, z, i0, i1, j0, j1, hu, lab, tex, tex2, stats);
        this.profile.set(pl.layer.name, (this.profile.get(pl.layer.name) ?? 0) + performance.now() - t0);
      } else {
        this.paint(pl, z, i0, i1, j0, j1, hu, lab, tex, tex2, stats);
      }
    }
  }

  /** Index range [lo, hi) of pixels whose centres may lie within [a, b] (with one pixel of margin). */
  private span(a: number, b: number, o: number, step: number, n: number): [number, number] {
    let p = (a - o) / step,
      q = (b - o) / step;
    if (p > q) {
      const t = p;
      p = q;
      q = t;
    }
    const lo = Math.max(0, Math.floor(p) - 1);
    const hi = Math.min(n, Math.ceil(q) + 2);
    return [lo, hi];
  }

  private paint(
    pl: PreparedLayer,
    z: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    hu: Float32Array,
    lab: Uint8Array,
    tex: Float32Array,
    tex2: Float32Array,
    stats: SliceStats,
  ): void {
    const shape = pl.layer.shape;
    const xs = this.xs,
      ys = this.ys;
    const sx = this.sx,
      sy = this.sy,
      st = this.g.thickness;
    // conservative radius of a tile (in 3D, through the slab) plus the widest ramp, with slack
    // for the approximate distances
    const rampMax = Math.hypot(sx, sy, st) * 0.5;
    const safe = 1.3 * (Math.hypot(TILE * sx, TILE * sy, st) * 0.5 + rampMax) + 0.5;
    const safeBlock = 1.3 * (Math.hypot(BLOCK * sx, BLOCK * sy, st) * 0.5 + rampMax) + 0.5;
    // big layers: classify 32x32 blocks first, then 8x8 tiles inside the blocks that straddle the surface
    const big = (i1 - i0) * (j1 - j0) > 4 * BLOCK * BLOCK;
    const step = big ? BLOCK : TILE;
    for (let bj = j0; bj < j1; bj += step) {
      const bj1 = Math.min(bj + step, j1);
      for (let bi = i0; bi < i1; bi += step) {
        const bi1 = Math.min(bi + step, i1);
        let blockInside = false;
        if (big) {
          const dc = shape.sd(0.5 * (xs[bi] + xs[bi1 - 1]), 0.5 * (ys[bj] + ys[bj1 - 1]), z);
          if (dc > safeBlock) continue;
          blockInside = dc < -safeBlock;
        }
        for (let tj = bj; tj < bj1; tj += TILE) {
          const tj1 = Math.min(tj + TILE, bj1);
          for (let ti = bi; ti < bi1; ti += TILE) {
            const ti1 = Math.min(ti + TILE, bi1);
            let inside = blockInside;
            if (!inside) {
              const dc = shape.sd(0.5 * (xs[ti] + xs[ti1 - 1]), 0.5 * (ys[tj] + ys[tj1 - 1]), z);
              if (dc > safe) continue;
              inside = dc < -safe;
            }
            this.paintTile(pl, z, ti, ti1, tj, tj1, inside, rampMax, hu, lab, tex, tex2, stats);
          }
        }
      }
    }
  }

  private paintTile(
    pl: PreparedLayer,
    z: number,
    ti: number,
    ti1: number,
    tj: number,
    tj1: number,
    inside: boolean,
    rampMax: number,
    hu: Float32Array,
    lab: Uint8Array,
    tex: Float32Array,
    tex2: Float32Array,
    stats: SliceStats,
  ): void {
    const L = pl.layer;
    const shape = L.shape;
    const cols = this.g.cols;
    const xs = this.xs,
      ys = this.ys;
    const sx = this.sx,
      sy = this.sy,
      st = this.g.thickness;
    const base = L.hu,
      ta = L.tex ?? 0,
      tb = L.tex2 ?? 0,
      gy = L.gradY ?? 0;
    const label = L.label;
    const only = pl.onlyIn,
      carves = pl.carves;
    const overlap = stats.overlap;
    for (let j = tj; j < tj1; j++) {
      const y = ys[j];
      const row = j * cols;
      // along the row, a distance |d| bounds how many next pixels stay on the same side of the
      // surface (distances are roughly Lipschitz-1; 0.8 leaves slack for the approximations)
      let same = 0,
        sameIn = false;
      for (let i = ti; i < ti1; i++) {
        const p = row + i;
        let alpha = 1,
          isIn = true;
        if (!inside) {
          if (same > 0) {
            same--;
            if (!sameIn) continue;
          } else {
            const d = shape.sd(xs[i], y, z);
            const ad = d < 0 ? -d : d;
            same = Math.floor((0.8 * ad - rampMax) / sx);
            sameIn = d < 0;
            if (same < 0) same = 0;
            if (ad < rampMax) {
              const w = Math.sqrt((NRM[0] * sx) ** 2 + (NRM[1] * sy) ** 2 + (NRM[2] * st) ** 2) + 1e-6;
              alpha = 0.5 - d / w;
              if (alpha <= 0) continue;
              if (alpha > 1) alpha = 1;
            } else if (d > 0) continue;
            isIn = d <= 0;
          }
        }
        const cur = lab[p];
        if (only !== null && only[cur] === 0) continue;
        let h = base;
        if (ta !== 0) h += ta * tex[p];
        if (tb !== 0) h += tb * tex2[p];
        if (gy !== 0) h += gy * y;
        hu[p] += alpha * (h - hu[p]);
        if (isIn && label >= 0) {
          if (label > 0 && cur > 0 && cur !== label && carves[cur] === 0) overlap[label * 34 + cur]++;
          lab[p] = label;
        }
      }
    }
  }
}
