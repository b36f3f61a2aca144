/**
 * One edit session per label store (src/store/labelStore.ts): its history, the organs edited, and the tool
 * settings. Edits write into `store.labels` in place and then tell the store which voxels (or slices) changed,
 * which redraws them in the overlay and updates the statistics; undo/redo do the same. The organs edited are
 * kept in the store too (they label the export SEMIAUTOMATIC). Replacing the whole label map (a new
 * segmentation, a loaded label map, Discard) resets the session (the store's 'replaced' event).
 */
import type { LabelStore } from '../store/labelStore';
import {
  clearInPlane,
  clearOnSlice,
  paintDiskInPlane,
  paintSegmentInPlane,
  type BrushMode,
  type SliceGrid,
  type VolumeGrid,
  type VoxelFilter,
} from './brush';
import { fillPolygonInPlane, type Point2 } from './freehand';
import { EditHistory, type EditStep, type Stroke } from './history';
import { interpolateGaps, type InterpolationResult } from './interpolate';
import { huFilter, validRange, type HuRange } from './threshold';

/** brush / erase: disks along the drag; fill / cut: a closed freehand region filled or erased. */
export type EditTool = 'none' | BrushMode | 'fill' | 'cut';
type Voxel = readonly [number, number, number];

export interface EditSnapshot {
  tool: EditTool;
  radiusMm: number;
  canUndo: boolean;
  canRedo: boolean;
  edited: ReadonlySet<number>;
  /** HU window the brush and the freehand fill are limited to (null: no limit). */
  threshold: HuRange | null;
}

export class EditSession {
  readonly history: EditHistory;
  readonly grid: SliceGrid;
  readonly volumeGrid: VolumeGrid;
  private listeners = new Set<() => void>();
  private snap: EditSnapshot;
  private stroke: { s: Stroke; normal: 0 | 1 | 2; last: Voxel; channel: number; mode: BrushMode; allow?: VoxelFilter } | null =
    null;
  tool: EditTool = 'none';
  radiusMm = 5;

  threshold: HuRange | null = null;

  private readonly labels: Uint8Array;

  /** `hu`: the CT's HU on the same grid (CtVolume.hu), for the threshold; without it no threshold is possible. */
  constructor(
    private readonly store: LabelStore,
    dims: readonly [number, number, number],
    spacing: readonly [number, number, number],
    private readonly hu?: ArrayLike<number>,
  ) {
    this.labels = store.labels;
    this.volumeGrid = { dims, spacing };
    this.grid = { cols: dims[0], rows: dims[1], slices: dims[2], spacing: [spacing[0], spacing[1]] };
    this.history = new EditHistory(store.labels, dims[0] * dims[1]);
    this.snap = this.makeSnapshot();
    store.subscribe((c) => {
      if (c.kind === 'replaced') this.reset();
    });
  }

  private makeSnapshot(): EditSnapshot {
    return {
      tool: this.tool,
      radiusMm: this.radiusMm,
      canUndo: this.history.canUndo,
      canRedo: this.history.canRedo,
      edited: this.history.editedChannels(),
      threshold: this.threshold,
    };
  }
  private changed(): void {
    this.snap = this.makeSnapshot();
    this.store.setEdited(this.snap.edited);
    for (const l of this.listeners) l();
  }
  snapshot = (): EditSnapshot => this.snap;
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  setTool(tool: EditTool): void {
    this.tool = tool;
    this.changed();
  }
  /** Limits the brush and the fill to an HU window (null: off). An invalid window is refused (RangeError). */
  setThreshold(range: HuRange | null): void {
    if (range && !validRange(range)) throw new RangeError(`HU range ${range.min}..${range.max} is empty or not a number`);
    if (range && !this.hu) throw new Error('no CT values to threshold on');
    this.threshold = range ? { ...range } : null;
    this.changed();
  }
  private filter(mode: BrushMode): VoxelFilter | undefined {
    // the threshold limits painting; erasing removes the organ whatever the HU
    return mode === 'brush' && this.hu ? huFilter(this.hu, this.threshold) : undefined;
  }
  setRadius(mm: number): void {
    if (Number.isFinite(mm) && mm > 0) this.radiusMm = Math.min(100, mm);
    this.changed();
  }

  /** Pointer down on voxel v (i, j, k) in a view whose normal is voxel axis `normal` (2: axial). */
  strokeStart(normal: 0 | 1 | 2, v: Voxel, channel: number): void {
    if (this.tool !== 'brush' && this.tool !== 'erase') return;
    const s = this.history.begin();
    const allow = this.filter(this.tool);
    this.stroke = { s, normal, last: v, channel, mode: this.tool, allow };
    paintDiskInPlane(s, this.labels, this.volumeGrid, normal, v, this.radiusMm, channel, this.tool, allow);
    this.redraw(s);
  }
  strokeMove(v: Voxel): void {
    const st = this.stroke;
    if (!st) return;
    paintSegmentInPlane(st.s, this.labels, this.volumeGrid, st.normal, st.last, v, this.radiusMm, st.channel, st.mode, st.allow);
    st.last = v;
    this.redraw(st.s);
  }
  /**
   * After a pointer move: tell the store the voxels the move wrote (a coronal or sagittal disk crosses ~20
   * axial slices; redrawing those whole slices costs ~30x more).
   */
  private redraw(s: Stroke): void {
    const { flat, before } = s.drain();
    this.store.wroteVoxels(flat, before);
  }
  strokeEnd(): void {
    const st = this.stroke;
    if (!st) return;
    this.stroke = null;
    this.history.commit(st.s, st.allow ? 'threshold brush' : st.mode);
    this.changed();
  }

  /**
   * Fills (mode 'brush') or erases (mode 'erase') a closed freehand region on the plane of index `fixed`
   * along voxel axis `normal`; points are continuous voxel coordinates along that plane's axes. One undo
   * step; returns the number of voxels changed.
   */
  fillRegion(normal: 0 | 1 | 2, fixed: number, points: readonly Point2[], channel: number, mode: BrushMode): number {
    const s = this.history.begin();
    fillPolygonInPlane(s, this.labels, this.volumeGrid, normal, fixed, points, channel, mode, this.filter(mode));
    const n = s.original.size;
    if (this.history.commit(s, mode === 'brush' ? 'fill region' : 'cut region')) this.redraw(s);
    this.changed();
    return n;
  }

  /** Clears the organ from the plane of index `fixed` along voxel axis `normal` (any of the three views). */
  clearPlane(normal: 0 | 1 | 2, fixed: number, channel: number): number {
    const s = this.history.begin();
    clearInPlane(s, this.labels, this.volumeGrid, normal, fixed, channel);
    const n = s.original.size;
    if (this.history.commit(s, 'clear')) this.redraw(s);
    this.changed();
    return n;
  }

  /** Shape-based interpolation of the organ across the empty axial slices between drawn ones (one undo step). */
  interpolate(channel: number, from?: number, to?: number): InterpolationResult {
    const s = this.history.begin();
    const r = interpolateGaps(s, this.labels, this.volumeGrid, channel, from, to);
    if (this.history.commit(s, 'interpolate')) this.redraw(s);
    this.changed();
    return r;
  }

  clearSlice(k: number, channel: number): number {
    const s = this.history.begin();
    const n = clearOnSlice(s, this.labels, this.grid, k, channel);
    if (this.history.commit(s, 'clear')) this.store.wroteSlices([k]);
    this.changed();
    return n;
  }

  undo(): boolean {
    const step = this.history.undoStep();
    if (step) this.redrawStep(step, 'after');
    this.changed();
    return step !== null;
  }
  redo(): boolean {
    const step = this.history.redoStep();
    if (step) this.redrawStep(step, 'before');
    this.changed();
    return step !== null;
  }
  /** Redraw after undo / redo wrote a step; `was`: the values its voxels held before that write. */
  private redrawStep(step: EditStep, was: 'before' | 'after'): void {
    const n = step.diffs.reduce((a, d) => a + d.index.length, 0);
    const flat = new Uint32Array(n);
    const before = new Uint8Array(n);
    const size = this.grid.cols * this.grid.rows;
    let m = 0;
    for (const d of step.diffs) {
      for (let q = 0; q < d.index.length; q++, m++) {
        flat[m] = d.k * size + d.index[q];
        before[m] = d[was][q];
      }
    }
    this.store.wroteVoxels(flat, before);
  }

  /** Forget the edits (the labels were replaced). */
  reset(): void {
    this.stroke = null;
    this.history.reset();
    this.changed();
  }
}

const sessions = new WeakMap<LabelStore, EditSession>();

export function editSessionFor(
  store: LabelStore,
  dims: readonly [number, number, number],
  spacing: readonly [number, number, number],
  hu?: ArrayLike<number>,
): EditSession {
  let s = sessions.get(store);
  if (!s) sessions.set(store, (s = new EditSession(store, dims, spacing, hu)));
  return s;
}
