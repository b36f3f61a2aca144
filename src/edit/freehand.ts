/**
 * Scissors / freehand region: a closed polygon drawn in one view, filled with the selected organ or erased
 * from it, on the plane of that view. Pure. The polygon's points are continuous voxel coordinates along the
 * plane's two axes (brush.ts planeAxes), so a voxel is inside when its centre is inside (even-odd rule, the
 * same rasterization the RTSTRUCT reader uses, src/contours/rasterize.ts).
 */
import { rasterizePolygons } from '../contours/rasterize';
import { planeAxes, type BrushMode, type VolumeGrid, type VoxelFilter } from './brush';
import type { Stroke } from './history';

export type Point2 = readonly [number, number];

/** The in-plane coordinates (along planeAxes(normal)) of a continuous voxel position (i, j, k). */
export function toPlane(normal: 0 | 1 | 2, v: readonly [number, number, number]): [number, number] {
  const [a, b] = planeAxes(normal);
  return [v[a], v[b]];
}

/**
 * The voxels of a plane (width dims[a] x height dims[b], row-major along a) whose centre lies inside the
 * polygon. Fewer than 3 points give an empty mask.
 */
export function polygonMask(points: readonly Point2[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  if (points.length < 3) return mask;
  const poly = new Float64Array(points.length * 2);
  points.forEach((p, n) => {
    poly[2 * n] = p[0];
    poly[2 * n + 1] = p[1];
  });
  rasterizePolygons([poly], width, height, mask, 1);
  return mask;
}

/**
 * Fills (mode 'brush': sets `channel`, over other organs) or erases (mode 'erase': sets 0 where the label is
 * `channel`) the polygon on the plane of index `fixed` along voxel axis `normal`. `allow` limits the voxels
 * that may change (threshold). Returns the axial slices (k) changed.
 */
export function fillPolygonInPlane(
  stroke: Stroke,
  labels: Uint8Array,
  g: VolumeGrid,
  normal: 0 | 1 | 2,
  fixed: number,
  points: readonly Point2[],
  channel: number,
  mode: BrushMode,
  allow?: VoxelFilter,
): number[] {
  if (!(fixed >= 0 && fixed < g.dims[normal]) || !Number.isInteger(fixed)) return [];
  const [a, b] = planeAxes(normal);
  const w = g.dims[a];
  const h = g.dims[b];
  const mask = polygonMask(points, w, h);
  const strides = [1, g.dims[0], g.dims[0] * g.dims[1]];
  const base = fixed * strides[normal];
  const ks = new Set<number>();
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      const at = base + x * strides[a] + y * strides[b];
      if (allow && !allow(at)) continue;
      if (mode === 'brush') stroke.set(at, channel);
      else if (labels[at] === channel) stroke.set(at, 0);
      else continue;
      ks.add(normal === 2 ? fixed : b === 2 ? y : x);
    }
  }
  return [...ks].sort((p, q) => p - q);
}
