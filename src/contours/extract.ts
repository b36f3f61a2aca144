/**
 * Label map -> per-organ, per-slice closed polygons in patient coordinates (LPS, mm), DESIGN 3.5 / 3.6.
 * Marching squares on each organ's edge (sub-pixel vertices on edge midpoints), holes as separate loops,
 * islands of any size kept, then point reduction by at most 1/3 pixel.
 */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { pixelToPatient, slicePlane } from './geometry';
import { traceLabel, type PixelPolygon } from './marchingSquares';
import { DEFAULT_TOLERANCE_PX, simplifyClosed } from './simplify';

export interface ExtractOptions {
  /** Label values to extract (default: every non-zero value present). */
  channels?: Iterable<number>;
  /** Point reduction tolerance in pixels (default 1/3; 0 keeps every marching-squares vertex). */
  tolerancePx?: number;
}

/** One closed planar contour on CT slice `k`. */
export interface Contour {
  k: number;
  /** x, y, z triples in LPS mm, lying on slice k's plane; not closed explicitly (DICOM CLOSED_PLANAR). */
  points: Float64Array;
}

export interface OrganContours {
  /** Label value (organ channel 1..33). */
  channel: number;
  /** Sorted by slice index; several contours per slice for islands and holes. */
  contours: Contour[];
}

/**
 * Outlines of every label on one slice, in pixel coordinates (simplified). `labels` holds the slice
 * (cols x rows, row-major); `sliceOffset` lets callers pass a whole volume and a slice start.
 */
export function sliceOutlines(
  labels: ArrayLike<number>,
  cols: number,
  rows: number,
  options: ExtractOptions = {},
  sliceOffset = 0,
): Map<number, PixelPolygon[]> {
  const wanted = options.channels ? new Set(options.channels) : null;
  const tol = options.tolerancePx ?? DEFAULT_TOLERANCE_PX;
  // One pass for each label's bounding box, then trace each label inside its box only.
  const boxes = new Map<number, [number, number, number, number]>();
  for (let y = 0; y < rows; y++) {
    const row = sliceOffset + y * cols;
    for (let x = 0; x < cols; x++) {
      const v = labels[row + x];
      if (v === 0) continue;
      const b = boxes.get(v);
      if (!b) boxes.set(v, [x, y, x, y]);
      else {
        if (x < b[0]) b[0] = x;
        if (x > b[2]) b[2] = x;
        if (y > b[3]) b[3] = y;
      }
    }
  }
  const out = new Map<number, PixelPolygon[]>();
  const view = sliceOffset === 0 ? labels : subarray(labels, sliceOffset, cols * rows);
  for (const [v, [x0, y0, x1, y1]] of [...boxes].sort((a, b) => a[0] - b[0])) {
    if (wanted && !wanted.has(v)) continue;
    const loops = traceLabel(view, cols, v, x0, y0, x1 + 1, y1 + 1);
    out.set(v, tol > 0 ? loops.map((p) => simplifyClosed(p, tol)) : loops);
  }
  return out;
}

function subarray(a: ArrayLike<number>, start: number, length: number): ArrayLike<number> {
  const typed = a as Uint8Array;
  if (typeof typed.subarray === 'function') return typed.subarray(start, start + length);
  return Array.prototype.slice.call(a, start, start + length) as number[];
}

/** Contours of every (requested) organ over the whole volume, in LPS mm. Organs without voxels are omitted. */
export function extractContours(volume: CtVolume, labels: LabelVolume, options: ExtractOptions = {}): OrganContours[] {
  const [cols, rows, nk] = volume.dims;
  if (labels.length !== cols * rows * nk) {
    throw new RangeError(`label map has ${labels.length} voxels, CT grid has ${cols * rows * nk}`);
  }
  const byChannel = new Map<number, Contour[]>();
  for (let k = 0; k < nk; k++) {
    const outlines = sliceOutlines(labels, cols, rows, options, k * cols * rows);
    if (outlines.size === 0) continue;
    const plane = slicePlane(volume, k);
    for (const [v, loops] of outlines) {
      let list = byChannel.get(v);
      if (!list) byChannel.set(v, (list = []));
      for (const p of loops) list.push({ k, points: pixelToPatient(plane, p) });
    }
  }
  return [...byChannel.keys()].sort((a, b) => a - b).map((channel) => ({ channel, contours: byChannel.get(channel)! }));
}
