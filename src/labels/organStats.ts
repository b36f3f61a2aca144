/**
 * Per-organ volume (ml), slice range and centre, kept up to date slice by slice as the engine delivers labels
 * (a slice can be delivered again: its old counts are replaced). Pure: no Cornerstone, no DOM.
 */
import type { CtVolume, Vec3 } from '../volume/volume';

export interface OrganStat {
  channel: number;
  voxels: number;
  volumeMl: number;
  /** First and last slice index (k) with voxels, or null when the organ is absent. */
  sliceRange: [number, number] | null;
  /** Centroid in continuous voxel coordinates (i, j, k), or null. */
  centreVoxel: Vec3 | null;
}

export class OrganStats {
  readonly channels: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly nk: number;
  private readonly voxelMl: number;
  /** counts[k * channels + c], and the sums of i and j of those voxels. */
  private readonly counts: Uint32Array;
  private readonly sumI: Float64Array;
  private readonly sumJ: Float64Array;

  constructor(dims: Vec3, spacing: Vec3, channels = 34) {
    [this.cols, this.rows, this.nk] = dims;
    this.channels = channels;
    this.voxelMl = (spacing[0] * spacing[1] * (spacing[2] > 0 ? spacing[2] : 1)) / 1000;
    this.counts = new Uint32Array(this.nk * channels);
    this.sumI = new Float64Array(this.nk * channels);
    this.sumJ = new Float64Array(this.nk * channels);
  }

  static forVolume(volume: CtVolume, channels = 34): OrganStats {
    return new OrganStats(volume.dims, volume.spacing, channels);
  }

  /** Replaces the statistics of slice k with those of `labels` (cols x rows, values < channels). */
  setSlice(k: number, labels: ArrayLike<number>, offset = 0): void {
    if (k < 0 || k >= this.nk) throw new RangeError(`slice ${k} out of range 0..${this.nk - 1}`);
    const C = this.channels;
    const base = k * C;
    this.counts.fill(0, base, base + C);
    this.sumI.fill(0, base, base + C);
    this.sumJ.fill(0, base, base + C);
    for (let j = 0; j < this.rows; j++) {
      const row = offset + j * this.cols;
      for (let i = 0; i < this.cols; i++) {
        const v = labels[row + i];
        if (v === 0 || v >= C) continue;
        this.counts[base + v]++;
        this.sumI[base + v] += i;
        this.sumJ[base + v] += j;
      }
    }
  }

  /**
   * Incremental update for voxels written in place: `flat[n]` (CtVolume flat index) changed from `before[n]`
   * to its value in `labels` now. Same result as setSlice on the touched slices, in O(voxels).
   */
  updateVoxels(flat: ArrayLike<number>, before: ArrayLike<number>, labels: ArrayLike<number>): void {
    const C = this.channels;
    const size = this.cols * this.rows;
    for (let n = 0; n < flat.length; n++) {
      const at = flat[n];
      const was = before[n];
      const now = labels[at];
      if (was === now) continue;
      const k = Math.floor(at / size);
      const r = at - k * size;
      const j = Math.floor(r / this.cols);
      const i = r - j * this.cols;
      if (was !== 0 && was < C) {
        this.counts[k * C + was]--;
        this.sumI[k * C + was] -= i;
        this.sumJ[k * C + was] -= j;
      }
      if (now !== 0 && now < C) {
        this.counts[k * C + now]++;
        this.sumI[k * C + now] += i;
        this.sumJ[k * C + now] += j;
      }
    }
  }

  /** Recomputes everything from a whole label volume. */
  setVolume(labels: ArrayLike<number>): void {
    const size = this.cols * this.rows;
    for (let k = 0; k < this.nk; k++) this.setSlice(k, labels, k * size);
  }

  clear(): void {
    this.counts.fill(0);
    this.sumI.fill(0);
    this.sumJ.fill(0);
  }

  get(channel: number): OrganStat {
    const C = this.channels;
    let voxels = 0;
    let si = 0;
    let sj = 0;
    let sk = 0;
    let k0 = -1;
    let k1 = -1;
    for (let k = 0; k < this.nk; k++) {
      const n = this.counts[k * C + channel];
      if (!n) continue;
      if (k0 < 0) k0 = k;
      k1 = k;
      voxels += n;
      si += this.sumI[k * C + channel];
      sj += this.sumJ[k * C + channel];
      sk += n * k;
    }
    return {
      channel,
      voxels,
      volumeMl: voxels * this.voxelMl,
      sliceRange: voxels ? [k0, k1] : null,
      centreVoxel: voxels ? [si / voxels, sj / voxels, sk / voxels] : null,
    };
  }

  all(): OrganStat[] {
    const out: OrganStat[] = [];
    for (let c = 1; c < this.channels; c++) out.push(this.get(c));
    return out;
  }
}
