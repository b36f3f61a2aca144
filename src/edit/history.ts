/**
 * Edit history of the organ label map (uint8, CtVolume flat index): each step is a set of per-slice sparse
 * diffs (voxel index within the slice, value before, value after), so undo and redo touch only the voxels an
 * edit changed and report the slices to redraw. Pure: no DOM, no Cornerstone.
 *
 *   const h = new EditHistory(labels, cols * rows);
 *   const s = h.begin();  s.set(index, 5);  ...  h.commit(s, 'brush');
 *   h.undo();  // -> slices changed, or null
 */

export interface SliceDiff {
  /** Slice (k) of the volume. */
  k: number;
  /** Voxel indices within the slice (ascending). */
  index: Uint32Array;
  before: Uint8Array;
  after: Uint8Array;
}

export interface EditStep {
  label: string;
  diffs: SliceDiff[];
  /** Label values that changed (before or after, 0 left out). */
  channels: number[];
}

/** The voxels one edit (a brush stroke, a clear) changes, written straight into the label map. */
export class Stroke {
  /** flat index -> value before the stroke */
  readonly original = new Map<number, number>();
  constructor(private readonly labels: Uint8Array) {}
  /** Writes `value` at flat index `i`, remembering the value it had before the stroke. */
  set(i: number, value: number): void {
    const old = this.labels[i];
    if (old === value) return;
    if (!this.original.has(i)) this.original.set(i, old);
    this.labels[i] = value;
    this.journal.push(i, old);
  }
  /** Writes since the last drain: flat index, value just before (pairs), for an incremental redraw. */
  private journal: number[] = [];
  /** The writes since the last call (flat indices and the values they replaced), and forgets them. */
  drain(): { flat: Uint32Array; before: Uint8Array } {
    // a voxel written twice since the last drain keeps its first "before"
    const first = new Map<number, number>();
    for (let m = 0; m < this.journal.length; m += 2)
      if (!first.has(this.journal[m])) first.set(this.journal[m], this.journal[m + 1]);
    const flat = new Uint32Array(first.size);
    const before = new Uint8Array(first.size);
    let m = 0;
    for (const [at, old] of first) {
      flat[m] = at;
      before[m++] = old;
    }
    this.journal = [];
    return { flat, before };
  }
}

export const DEFAULT_HISTORY_LIMIT = 100;

export class EditHistory {
  private done: EditStep[] = [];
  private undone: EditStep[] = [];
  /** Channels of steps dropped off the bottom of the undo stack (still edited). */
  private dropped = new Set<number>();

  constructor(
    private readonly labels: Uint8Array,
    private readonly sliceSize: number,
    private readonly limit = DEFAULT_HISTORY_LIMIT,
  ) {
    if (sliceSize <= 0 || labels.length % sliceSize !== 0)
      throw new RangeError(`label map of ${labels.length} voxels is not whole slices of ${sliceSize}`);
    if (limit < 1) throw new RangeError('history limit must be at least 1');
  }

  begin(): Stroke {
    return new Stroke(this.labels);
  }

  /** Turns a finished stroke into a history step (null when nothing changed). Clears the redo stack. */
  commit(stroke: Stroke, label: string): EditStep | null {
    const bySlice = new Map<number, number[]>();
    for (const i of stroke.original.keys()) {
      if (stroke.original.get(i) === this.labels[i]) continue; // painted then erased back
      const k = Math.floor(i / this.sliceSize);
      let list = bySlice.get(k);
      if (!list) bySlice.set(k, (list = []));
      list.push(i);
    }
    if (bySlice.size === 0) return null;
    const channels = new Set<number>();
    const diffs: SliceDiff[] = [];
    for (const k of [...bySlice.keys()].sort((a, b) => a - b)) {
      const flat = bySlice.get(k)!.sort((a, b) => a - b);
      const index = new Uint32Array(flat.length);
      const before = new Uint8Array(flat.length);
      const after = new Uint8Array(flat.length);
      flat.forEach((i, n) => {
        index[n] = i - k * this.sliceSize;
        before[n] = stroke.original.get(i)!;
        after[n] = this.labels[i];
        if (before[n]) channels.add(before[n]);
        if (after[n]) channels.add(after[n]);
      });
      diffs.push({ k, index, before, after });
    }
    const step: EditStep = { label, diffs, channels: [...channels].sort((a, b) => a - b) };
    this.done.push(step);
    this.undone = [];
    while (this.done.length > this.limit) for (const c of this.done.shift()!.channels) this.dropped.add(c);
    return step;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }
  get canRedo(): boolean {
    return this.undone.length > 0;
  }
  get undoCount(): number {
    return this.done.length;
  }
  get redoCount(): number {
    return this.undone.length;
  }

  /** Reverts the last step; returns the slices it changed, or null when there is nothing to undo. */
  undo(): number[] | null {
    return this.undoStep()?.diffs.map((d) => d.k) ?? null;
  }

  /** Like undo, returning the step reverted (its diffs say which voxels changed), or null. */
  undoStep(): EditStep | null {
    const step = this.done.pop();
    if (!step) return null;
    this.write(step, 'before');
    this.undone.push(step);
    return step;
  }

  /** Re-applies the last undone step; returns the slices it changed, or null. */
  redo(): number[] | null {
    return this.redoStep()?.diffs.map((d) => d.k) ?? null;
  }

  /** Like redo, returning the step re-applied, or null. */
  redoStep(): EditStep | null {
    const step = this.undone.pop();
    if (!step) return null;
    this.write(step, 'after');
    this.done.push(step);
    return step;
  }

  /** Organ channels changed by the edits in effect now (undone edits do not count). */
  editedChannels(): Set<number> {
    const out = new Set(this.dropped);
    for (const s of this.done) for (const c of s.channels) out.add(c);
    return out;
  }

  /** Forgets every step (after the label map was replaced, e.g. a new segmentation). */
  reset(): void {
    this.done = [];
    this.undone = [];
    this.dropped.clear();
  }

  private write(step: EditStep, which: 'before' | 'after'): void {
    for (const d of step.diffs) {
      const base = d.k * this.sliceSize;
      const values = d[which];
      for (let n = 0; n < d.index.length; n++) this.labels[base + d.index[n]] = values[n];
    }
  }
}
