/**
 * One edit session per organ overlay (keyed by the overlay object, like provenance.ts): its history, the
 * organs edited, and the tool settings. Edits write into `overlay.labels` in place and then ask the overlay to
 * redraw the changed slices; undo/redo do the same. Replacing the whole label map (a new segmentation, a loaded
 * label map, Discard) resets it (overlay.onReplaced).
 */
import type { OrganOverlay } from '../overlay/segmentation';
import { clearOnSlice, paintDiskInPlane, paintSegmentInPlane, type BrushMode, type SliceGrid, type VolumeGrid } from './brush';
import { EditHistory, type Stroke } from './history';

export type EditTool = 'none' | BrushMode;
type Voxel = readonly [number, number, number];

export interface EditSnapshot {
  tool: EditTool;
  radiusMm: number;
  canUndo: boolean;
  canRedo: boolean;
  edited: ReadonlySet<number>;
}

export class EditSession {
  readonly history: EditHistory;
  readonly grid: SliceGrid;
  readonly volumeGrid: VolumeGrid;
  private listeners = new Set<() => void>();
  private snap: EditSnapshot;
  private stroke: { s: Stroke; normal: 0 | 1 | 2; last: Voxel; channel: number; mode: BrushMode } | null = null;
  tool: EditTool = 'none';
  radiusMm = 5;

  constructor(private readonly overlay: OrganOverlay, dims: readonly [number, number, number], spacing: readonly [number, number, number]) {
    this.volumeGrid = { dims, spacing };
    this.grid = { cols: dims[0], rows: dims[1], slices: dims[2], spacing: [spacing[0], spacing[1]] };
    this.history = new EditHistory(overlay.labels, dims[0] * dims[1]);
    this.snap = this.makeSnapshot();
    overlay.onReplaced(() => this.reset());
  }

  private makeSnapshot(): EditSnapshot {
    return { tool: this.tool, radiusMm: this.radiusMm, canUndo: this.history.canUndo, canRedo: this.history.canRedo, edited: this.history.editedChannels() };
  }
  private changed(): void {
    this.snap = this.makeSnapshot();
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
  setRadius(mm: number): void {
    if (Number.isFinite(mm) && mm > 0) this.radiusMm = Math.min(100, mm);
    this.changed();
  }

  /** Pointer down on voxel v (i, j, k) in a view whose normal is voxel axis `normal` (2: axial). */
  strokeStart(normal: 0 | 1 | 2, v: Voxel, channel: number): void {
    if (this.tool === 'none') return;
    const s = this.history.begin();
    this.stroke = { s, normal, last: v, channel, mode: this.tool };
    const ks = paintDiskInPlane(s, this.overlay.labels, this.volumeGrid, normal, v, this.radiusMm, channel, this.tool);
    if (ks.length) this.overlay.refreshSlices(ks);
  }
  strokeMove(v: Voxel): void {
    const st = this.stroke;
    if (!st) return;
    const ks = paintSegmentInPlane(st.s, this.overlay.labels, this.volumeGrid, st.normal, st.last, v, this.radiusMm, st.channel, st.mode);
    st.last = v;
    if (ks.length) this.overlay.refreshSlices(ks);
  }
  strokeEnd(): void {
    const st = this.stroke;
    if (!st) return;
    this.stroke = null;
    this.history.commit(st.s, st.mode);
    this.changed();
  }

  clearSlice(k: number, channel: number): number {
    const s = this.history.begin();
    const n = clearOnSlice(s, this.overlay.labels, this.grid, k, channel);
    if (this.history.commit(s, 'clear')) this.overlay.refreshSlices([k]);
    this.changed();
    return n;
  }

  undo(): boolean {
    const ks = this.history.undo();
    if (ks) this.overlay.refreshSlices(ks);
    this.changed();
    return ks !== null;
  }
  redo(): boolean {
    const ks = this.history.redo();
    if (ks) this.overlay.refreshSlices(ks);
    this.changed();
    return ks !== null;
  }

  /** Forget the edits (the labels were replaced). */
  reset(): void {
    this.stroke = null;
    this.history.reset();
    this.changed();
  }
}

const sessions = new WeakMap<OrganOverlay, EditSession>();

export function editSessionFor(overlay: OrganOverlay, dims: readonly [number, number, number], spacing: readonly [number, number, number]): EditSession {
  let s = sessions.get(overlay);
  if (!s) sessions.set(overlay, (s = new EditSession(overlay, dims, spacing)));
  return s;
}

/** The session of an overlay if one was opened (no edits otherwise). */
export const existingEditSession = (overlay: OrganOverlay): EditSession | null => sessions.get(overlay) ?? null;

/** Organs edited on this overlay (empty when never edited). */
export function editedChannels(overlay: OrganOverlay): Set<number> {
  return existingEditSession(overlay)?.history.editedChannels() ?? new Set();
}
