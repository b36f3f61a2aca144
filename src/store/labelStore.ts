/**
 * The label store (issue 23): the one place the app keeps its results for the open CT, a plain object with no
 * React and no Cornerstone inside. It holds
 *
 *   - the label volume (one Uint8Array on the CT grid, CtVolume flat index, values = organ channels) and its
 *     per-organ statistics (labels/organStats.ts), kept current on every write;
 *   - its provenance (labels/provenance.ts: the model and the run's outcome, a label-map file, or nothing),
 *     which labels every export;
 *   - the organs edited by hand (set by the edit session; SEMIAUTOMATIC in the export);
 *   - the imported reference set (an RTSTRUCT or SEG of this CT, for review and outlines);
 *
 * and tells its listeners what changed, with the slices or voxels that changed. Writers: the engine run
 * (`setSlice`), the label-map loader (`setVolume`), Segment / Discard (`clear`), the editors (write `labels` in
 * place, then `wroteVoxels` / `wroteSlices`). Readers: the Cornerstone overlay (redraws what the events name),
 * the organ panel, review, compare and every export (`exportInput`).
 */
import { OrganStats } from '../labels/organStats';
import type { Provenance } from '../labels/provenance';
import type { ImportedStructureSet } from '../rtstruct/import';
import type { CtVolume } from '../volume/volume';

/** An imported reference structure set (RTSTRUCT or SEG) on this CT. */
export interface ImportedReference {
  set: ImportedStructureSet;
  fileName: string;
  kind: 'RTSTRUCT' | 'SEG';
}

export type LabelChange =
  /** Whole slices were written (an engine slice, an edit that redraws slices). */
  | { kind: 'slices'; slices: readonly number[] }
  /** Single voxels were written (an edit stroke, undo / redo): flat indices and the values they held before. */
  | { kind: 'voxels'; flat: ArrayLike<number>; before: ArrayLike<number> }
  /** The whole volume was replaced (a new run, a loaded label map, Discard): edit histories are void. */
  | { kind: 'replaced' }
  | { kind: 'provenance' }
  | { kind: 'edited' }
  | { kind: 'reference' };

/** What an export reads (pipeline/organExport.ts `OrganSet`). */
export interface LabelSnapshot {
  labels: Uint8Array;
  provenance: Provenance;
  edited: ReadonlySet<number>;
}

const NO_EDITS: ReadonlySet<number> = new Set();

export class LabelStore {
  readonly labels: Uint8Array;
  readonly stats: OrganStats;
  readonly dims: readonly [number, number, number];
  readonly sliceSize: number;
  private prov: Provenance = { source: 'none' };
  private editedChannels: ReadonlySet<number> = NO_EDITS;
  private ref: ImportedReference | null = null;
  private readonly listeners = new Set<(c: LabelChange) => void>();

  constructor(ct: Pick<CtVolume, 'dims' | 'spacing'>) {
    this.dims = ct.dims;
    this.sliceSize = ct.dims[0] * ct.dims[1];
    this.labels = new Uint8Array(this.sliceSize * ct.dims[2]);
    this.stats = new OrganStats(ct.dims, ct.spacing, 34);
  }

  /** Listens to every change; returns an unsubscribe. */
  subscribe(listener: (c: LabelChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(c: LabelChange): void {
    for (const l of [...this.listeners]) l(c);
  }

  // --- the label volume ---

  /** Labels of CT slice k (cols x rows), e.g. from the engine. */
  setSlice(k: number, slice: Uint8Array): void {
    if (slice.length !== this.sliceSize) throw new RangeError(`slice has ${slice.length} labels, the CT slice ${this.sliceSize}`);
    if (!(k >= 0 && k < this.dims[2])) throw new RangeError(`slice ${k} outside the CT's ${this.dims[2]} slices`);
    this.labels.set(slice, k * this.sliceSize);
    this.stats.setSlice(k, slice);
    this.emit({ kind: 'slices', slices: [k] });
  }

  /** A whole label volume at once (a loaded label map, a saved result). Edits are forgotten. */
  setVolume(all: Uint8Array): void {
    if (all.length !== this.labels.length)
      throw new RangeError(`label volume has ${all.length} voxels, the CT ${this.labels.length}`);
    this.labels.set(all);
    this.stats.setVolume(this.labels);
    this.replaced();
  }

  /** Empties the volume (a new run, Discard). Edits are forgotten. */
  clear(): void {
    this.labels.fill(0);
    this.stats.clear();
    this.replaced();
  }

  private replaced(): void {
    this.emit({ kind: 'replaced' });
    this.setEdited(NO_EDITS);
  }

  /** After writing whole slices of `labels` in place. */
  wroteSlices(slices: Iterable<number>): void {
    const ks = [...slices];
    for (const k of ks) this.stats.setSlice(k, this.labels, k * this.sliceSize);
    this.emit({ kind: 'slices', slices: ks });
  }

  /** After writing single voxels of `labels` in place (`before`: the values they held). O(voxels). */
  wroteVoxels(flat: ArrayLike<number>, before: ArrayLike<number>): void {
    if (!flat.length) return;
    this.stats.updateVoxels(flat, before, this.labels);
    this.emit({ kind: 'voxels', flat, before });
  }

  // --- provenance, edits, reference ---

  /** The same object until it changes (a useSyncExternalStore snapshot). */
  provenance(): Provenance {
    return this.prov;
  }
  setProvenance(p: Provenance): void {
    this.prov = p;
    this.emit({ kind: 'provenance' });
  }

  /** Organs changed by hand since the labels were last replaced. */
  edited(): ReadonlySet<number> {
    return this.editedChannels;
  }
  setEdited(channels: ReadonlySet<number>): void {
    const same = channels.size === this.editedChannels.size && [...channels].every((c) => this.editedChannels.has(c));
    if (same) return;
    this.editedChannels = channels.size ? new Set(channels) : NO_EDITS;
    this.emit({ kind: 'edited' });
  }

  reference(): ImportedReference | null {
    return this.ref;
  }
  /** Shows / compares an imported set (null removes it). Setting the same set again changes nothing. */
  setReference(r: ImportedReference | null): void {
    if (r === this.ref || (r && this.ref && r.set === this.ref.set)) return;
    this.ref = r;
    this.emit({ kind: 'reference' });
  }

  /** What an export reads: the labels (not copied), their provenance and the edited organs. */
  exportInput(): LabelSnapshot {
    return { labels: this.labels, provenance: this.prov, edited: this.editedChannels };
  }
}
