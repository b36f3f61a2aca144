/**
 * The label buffer Cornerstone draws: the real labels with hidden values zeroed.
 *
 * Why not only Cornerstone's per-segment visibility: its slice renderer (vtk.js ImageMapper) looks up a label's
 * outline thickness with `int(value * 255.0)` from a normalised texture, which lands on the neighbouring label for
 * some values, so a hidden organ can keep its outline (seen in Chromium with label 15, SpinalCord). A hidden
 * organ that is not in the drawn buffer cannot show. Pure: no Cornerstone, no DOM.
 */
export class MaskedLabels {
  /** What the overlay draws; same layout as `source`. */
  readonly display: Uint8Array;
  private readonly shown = new Uint8Array(256).fill(1);
  private readonly lut = new Uint8Array(256);
  /** present[k * 256 + v] = 1 when slice k of `source` has label v (so toggles touch only those slices). */
  private readonly present: Uint8Array;

  constructor(
    readonly source: Uint8Array,
    readonly sliceSize: number,
    readonly slices: number,
  ) {
    if (source.length !== sliceSize * slices)
      throw new RangeError(`source has ${source.length} voxels, expected ${sliceSize * slices}`);
    this.display = new Uint8Array(source.length);
    this.present = new Uint8Array(256 * slices);
    this.refreshAll();
  }

  isShown(value: number): boolean {
    return this.shown[value] === 1;
  }

  /** Shows exactly `values` (others hidden; 0 is never drawn). Returns the slices whose display changed. */
  setShown(values: Iterable<number>): number[] {
    const next = new Uint8Array(256);
    for (const v of values) if (v > 0 && v < 256) next[v] = 1;
    const changed: number[] = [];
    for (let v = 1; v < 256; v++) if (next[v] !== this.shown[v]) changed.push(v);
    this.shown.set(next);
    this.shown[0] = 0;
    if (changed.length === 0) return [];
    const dirty: number[] = [];
    for (let k = 0; k < this.slices; k++) {
      if (!changed.some((v) => this.present[k * 256 + v])) continue;
      this.writeSlice(k);
      dirty.push(k);
    }
    return dirty;
  }

  /** Slice k of `source` changed: recompute its presence and display. */
  refreshSlice(k: number): void {
    const p = k * 256;
    this.present.fill(0, p, p + 256);
    const off = k * this.sliceSize;
    for (let n = off; n < off + this.sliceSize; n++) this.present[p + this.source[n]] = 1;
    this.writeSlice(k);
  }

  /**
   * Voxels of `source` written in place (flat indices): updates their drawn value and marks their new label
   * present on their slice. A label that left a slice stays marked present (harmless: a later visibility
   * toggle rewrites that slice once more). Returns the slices touched. O(voxels), for edits in any plane.
   */
  refreshVoxels(flat: ArrayLike<number>): Set<number> {
    const ks = new Set<number>();
    for (let n = 0; n < flat.length; n++) {
      const at = flat[n];
      const v = this.source[at];
      const k = Math.floor(at / this.sliceSize);
      this.present[k * 256 + v] = 1;
      this.display[at] = this.shown[v] && v !== 0 ? v : 0;
      ks.add(k);
    }
    return ks;
  }

  refreshAll(): void {
    for (let k = 0; k < this.slices; k++) this.refreshSlice(k);
  }

  private writeSlice(k: number): void {
    const off = k * this.sliceSize;
    const src = this.source;
    const dst = this.display;
    // value -> drawn value: a table lookup, no branch per voxel (a slice is 262 144 voxels at 512 x 512)
    const lut = this.lut;
    for (let v = 0; v < 256; v++) lut[v] = this.shown[v] ? v : 0;
    lut[0] = 0;
    for (let n = off, end = off + this.sliceSize; n < end; n++) dst[n] = lut[src[n]];
  }
}
