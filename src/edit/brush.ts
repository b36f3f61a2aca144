/**
 * Brush, eraser and slice clear on one axial slice of the label map (pure; writes through a Stroke so the
 * edit can be undone). The brush is a disk of radius `radiusMm` in the slice plane, in millimetres along
 * rows and columns (anisotropic pixels give an ellipse in voxels).
 */
import type { Stroke } from './history';

export interface SliceGrid {
  cols: number;
  rows: number;
  slices: number;
  /** Column and row spacing in mm (CtVolume.spacing[0], [1]). */
  spacing: readonly [number, number];
}

export type BrushMode = 'brush' | 'erase';

/** Which voxels (flat index) an edit may change, e.g. a threshold on the CT's HU (threshold.ts huFilter). */
export type VoxelFilter = (at: number) => boolean;

/**
 * Paints (brush: sets `channel`) or erases (erase: sets 0 where the label is `channel`) a disk centred at
 * voxel (ci, cj) on slice k. Other organs' voxels are overwritten by the brush and kept by the eraser.
 * Returns the number of voxels inside the disk (0 when the centre slice is outside the volume).
 */
export function paintDisk(
  stroke: Stroke,
  labels: Uint8Array,
  g: SliceGrid,
  k: number,
  ci: number,
  cj: number,
  radiusMm: number,
  channel: number,
  mode: BrushMode,
  allow?: VoxelFilter,
): number {
  if (k < 0 || k >= g.slices || !(radiusMm > 0)) return 0;
  const [sx, sy] = g.spacing;
  const ri = radiusMm / sx;
  const rj = radiusMm / sy;
  const i0 = Math.max(0, Math.ceil(ci - ri));
  const i1 = Math.min(g.cols - 1, Math.floor(ci + ri));
  const j0 = Math.max(0, Math.ceil(cj - rj));
  const j1 = Math.min(g.rows - 1, Math.floor(cj + rj));
  const base = k * g.cols * g.rows;
  let n = 0;
  for (let j = j0; j <= j1; j++) {
    const dy = (j - cj) * sy;
    for (let i = i0; i <= i1; i++) {
      const dx = (i - ci) * sx;
      if (dx * dx + dy * dy > radiusMm * radiusMm) continue;
      n++;
      const at = base + j * g.cols + i;
      if (allow && !allow(at)) continue;
      if (mode === 'brush') stroke.set(at, channel);
      else if (labels[at] === channel) stroke.set(at, 0);
    }
  }
  return n;
}

/** Disks along the segment from (a) to (b) (voxel coordinates on slice k), spaced at most half a radius. */
export function paintSegment(
  stroke: Stroke,
  labels: Uint8Array,
  g: SliceGrid,
  k: number,
  a: readonly [number, number],
  b: readonly [number, number],
  radiusMm: number,
  channel: number,
  mode: BrushMode,
  allow?: VoxelFilter,
): void {
  const distMm = Math.hypot((b[0] - a[0]) * g.spacing[0], (b[1] - a[1]) * g.spacing[1]);
  const steps = Math.max(1, Math.ceil(distMm / Math.max(radiusMm / 2, 1e-3)));
  for (let s = 1; s <= steps; s++) {
    const t = s / steps;
    paintDisk(stroke, labels, g, k, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, radiusMm, channel, mode, allow);
  }
}

/** Sets every voxel of `channel` on slice k to 0. Returns how many were cleared. */
export function clearOnSlice(stroke: Stroke, labels: Uint8Array, g: SliceGrid, k: number, channel: number): number {
  if (k < 0 || k >= g.slices) return 0;
  const size = g.cols * g.rows;
  let n = 0;
  for (let at = k * size; at < (k + 1) * size; at++) {
    if (labels[at] === channel) {
      stroke.set(at, 0);
      n++;
    }
  }
  return n;
}

export interface VolumeGrid {
  dims: readonly [number, number, number];
  /** mm per voxel along i, j, k */
  spacing: readonly [number, number, number];
}

/** The two in-plane voxel axes of a view whose normal is voxel axis `normal` (0 = i, 1 = j, 2 = k). */
export function planeAxes(normal: 0 | 1 | 2): [0 | 1 | 2, 0 | 1 | 2] {
  return normal === 2 ? [0, 1] : normal === 1 ? [0, 2] : [1, 2];
}

/**
 * A brush disk in any of the three voxel planes: the plane through `centre` (continuous voxel coordinates)
 * whose normal is voxel axis `normal`. Returns the axial slices (k) it touched, for the redraw.
 */
export function paintDiskInPlane(
  stroke: Stroke,
  labels: Uint8Array,
  g: VolumeGrid,
  normal: 0 | 1 | 2,
  centre: readonly [number, number, number],
  radiusMm: number,
  channel: number,
  mode: BrushMode,
  allow?: VoxelFilter,
): number[] {
  const fixed = Math.round(centre[normal]);
  if (fixed < 0 || fixed >= g.dims[normal] || !(radiusMm > 0)) return [];
  const [a, b] = planeAxes(normal);
  const ra = radiusMm / g.spacing[a];
  const rb = radiusMm / g.spacing[b];
  const a0 = Math.max(0, Math.ceil(centre[a] - ra));
  const a1 = Math.min(g.dims[a] - 1, Math.floor(centre[a] + ra));
  const b0 = Math.max(0, Math.ceil(centre[b] - rb));
  const b1 = Math.min(g.dims[b] - 1, Math.floor(centre[b] + rb));
  const strides = [1, g.dims[0], g.dims[0] * g.dims[1]];
  const ks = new Set<number>();
  const v = [0, 0, 0];
  v[normal] = fixed;
  for (let y = b0; y <= b1; y++) {
    const dy = (y - centre[b]) * g.spacing[b];
    for (let x = a0; x <= a1; x++) {
      const dx = (x - centre[a]) * g.spacing[a];
      if (dx * dx + dy * dy > radiusMm * radiusMm) continue;
      v[a] = x;
      v[b] = y;
      const at = v[0] * strides[0] + v[1] * strides[1] + v[2] * strides[2];
      if (allow && !allow(at)) continue;
      if (mode === 'brush') stroke.set(at, channel);
      else if (labels[at] === channel) stroke.set(at, 0);
      ks.add(v[2]);
    }
  }
  return [...ks];
}

/** Disks along a move from `from` to `to` in one plane (spaced at most half a radius). Returns touched k. */
export function paintSegmentInPlane(
  stroke: Stroke,
  labels: Uint8Array,
  g: VolumeGrid,
  normal: 0 | 1 | 2,
  from: readonly [number, number, number],
  to: readonly [number, number, number],
  radiusMm: number,
  channel: number,
  mode: BrushMode,
  allow?: VoxelFilter,
): number[] {
  const distMm = Math.hypot(...[0, 1, 2].map((d) => (to[d] - from[d]) * g.spacing[d]));
  const steps = Math.max(1, Math.ceil(distMm / Math.max(radiusMm / 2, 1e-3)));
  const ks = new Set<number>();
  for (let s = 1; s <= steps; s++) {
    const t = s / steps;
    const c: [number, number, number] = [0, 1, 2].map((d) => from[d] + (to[d] - from[d]) * t) as [number, number, number];
    c[normal] = from[normal];
    for (const k of paintDiskInPlane(stroke, labels, g, normal, c, radiusMm, channel, mode, allow)) ks.add(k);
  }
  return [...ks];
}

/**
 * Sets every voxel of `channel` to 0 on the plane of index `fixed` along voxel axis `normal` (2: an axial
 * slice, 1: coronal, 0: sagittal for an axial series). Returns the axial slices (k) it changed.
 */
export function clearInPlane(
  stroke: Stroke,
  labels: Uint8Array,
  g: VolumeGrid,
  normal: 0 | 1 | 2,
  fixed: number,
  channel: number,
): number[] {
  const [nx, ny, nz] = g.dims;
  if (!(fixed >= 0 && fixed < g.dims[normal]) || !Number.isInteger(fixed)) return [];
  const ks = new Set<number>();
  const lo = [0, 0, 0];
  const hi = [nx - 1, ny - 1, nz - 1];
  lo[normal] = hi[normal] = fixed;
  for (let k = lo[2]; k <= hi[2]; k++) {
    for (let j = lo[1]; j <= hi[1]; j++) {
      const row = k * nx * ny + j * nx;
      for (let i = lo[0]; i <= hi[0]; i++) {
        if (labels[row + i] !== channel) continue;
        stroke.set(row + i, 0);
        ks.add(k);
      }
    }
  }
  return [...ks].sort((a, b) => a - b);
}
