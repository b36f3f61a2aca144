/**
 * A preview image of a phantom case (RGBA, pure): coronal and sagittal planes and a grid of axial
 * slices through chosen organs, in a soft-tissue window with the labels overlaid. Orientation is the
 * radiological convention whatever the patient position: axial seen from the feet (patient's left on
 * the image right, anterior up), coronal seen from the front, sagittal with anterior on the left.
 */
import { ORGANS } from '../organs';
import type { ScanGeometry } from './scan';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

interface VolumeView {
  g: ScanGeometry;
  hu: Int16Array;
  labels: Uint8Array;
}

const COLORS = (() => {
  const c = new Uint8Array(34 * 3);
  for (const o of ORGANS) c.set(o.color, o.channel * 3);
  return c;
})();

/** Nearest voxel of patient point (x, y, z), or -1 outside the volume. */
function voxelAt(v: VolumeView, x: number, y: number, z: number): number {
  const g = v.g,
    p0 = g.positions[0],
    n = g.positions.length;
  const i = Math.round(((x - p0[0]) * g.rowCosines[0]) / g.pixelSpacing[0]);
  const j = Math.round((y - p0[1]) / g.pixelSpacing[1]);
  const k =
    n > 1 ? Math.round(((z - p0[2]) * g.normal[2]) / g.sliceSpacing) : Math.abs(z - p0[2]) <= g.sliceThickness / 2 ? 0 : -1;
  if (i < 0 || j < 0 || k < 0 || i >= g.cols || j >= g.rows || k >= n) return -1;
  return i + j * g.cols + k * g.cols * g.rows;
}

function shade(v: VolumeView, idx: number, out: Uint8ClampedArray, o: number, alpha: number): void {
  if (idx < 0) {
    out[o] = out[o + 1] = out[o + 2] = 0;
    out[o + 3] = 255;
    return;
  }
  const hu = v.hu[idx];
  const grey = Math.max(0, Math.min(255, ((hu - (40 - 200)) / 400) * 255));
  const l = v.labels[idx];
  for (let c = 0; c < 3; c++) out[o + c] = l ? grey * (1 - alpha) + COLORS[l * 3 + c] * alpha : grey;
  out[o + 3] = 255;
}

/** Bounds of the volume in patient coordinates. */
function bounds(g: ScanGeometry): { x0: number; x1: number; y0: number; y1: number; z0: number; z1: number } {
  const p0 = g.positions[0],
    pn = g.positions[g.positions.length - 1];
  const xa = p0[0],
    xb = p0[0] + g.rowCosines[0] * (g.cols - 1) * g.pixelSpacing[0];
  return {
    x0: Math.min(xa, xb),
    x1: Math.max(xa, xb),
    y0: p0[1],
    y1: p0[1] + (g.rows - 1) * g.pixelSpacing[1],
    z0: Math.min(p0[2], pn[2]),
    z1: Math.max(p0[2], pn[2]),
  };
}

/**
 * Renders the preview at `mmPerPixel`. Axial slices go through the centroids of the listed organs
 * (those present in the labels), coronal planes through `coronalY` (patient y, mm) values.
 */
export function renderPreview(
  g: ScanGeometry,
  hu: Int16Array,
  labels: Uint8Array,
  opts: { mmPerPixel?: number; axialOrgans?: number[]; alpha?: number } = {},
): Rgba {
  const v: VolumeView = { g, hu, labels };
  const mm = opts.mmPerPixel ?? 1.6;
  const alpha = opts.alpha ?? 0.45;
  const b = bounds(g);
  // organ centroids (patient coordinates) from the labels
  const sum = new Float64Array(34 * 4);
  const p0 = g.positions[0];
  for (let k = 0; k < g.positions.length; k++) {
    const z = g.positions[k][2];
    for (let j = 0; j < g.rows; j++) {
      const y = p0[1] + j * g.pixelSpacing[1];
      const row = (k * g.rows + j) * g.cols;
      for (let i = 0; i < g.cols; i++) {
        const l = labels[row + i];
        if (!l) continue;
        sum[l * 4] += p0[0] + g.rowCosines[0] * i * g.pixelSpacing[0];
        sum[l * 4 + 1] += y;
        sum[l * 4 + 2] += z;
        sum[l * 4 + 3]++;
      }
    }
  }
  const cen = (c: number): [number, number, number] | null =>
    sum[c * 4 + 3] ? [sum[c * 4] / sum[c * 4 + 3], sum[c * 4 + 1] / sum[c * 4 + 3], sum[c * 4 + 2] / sum[c * 4 + 3]] : null;
  const spine = cen(15);
  const midX = spine ? spine[0] : 0.5 * (b.x0 + b.x1);
  const coronalYs = [cen(30) ?? cen(22) ?? cen(9), cen(27) ?? cen(1) ?? cen(15)].filter((c) => c !== null).map((c) => c![1]);
  const axialOrgans = opts.axialOrgans ?? [7, 5, 3, 19, 11, 16, 8, 21, 22, 33, 31, 29];
  const axialZ = axialOrgans
    .map((c) => cen(c))
    .filter((c) => c !== null)
    .map((c) => c![2]);
  if (axialZ.length === 0) axialZ.push(0.5 * (b.z0 + b.z1));
  const W = Math.round((b.x1 - b.x0) / mm) + 1,
    H = Math.round((b.z1 - b.z0) / mm) + 1,
    D = Math.round((b.y1 - b.y0) / mm) + 1;
  // axial panels cropped to where the body is (HU above -400 on a few slices)
  let ax0 = Infinity,
    ax1 = -Infinity,
    ay0 = Infinity,
    ay1 = -Infinity;
  const nk = g.positions.length;
  for (let k = 0; k < nk; k += Math.max(1, Math.floor(nk / 24))) {
    for (let j = 0; j < g.rows; j += 2)
      for (let i = 0; i < g.cols; i += 2) {
        if (hu[i + j * g.cols + k * g.cols * g.rows] > -400) {
          const x = p0[0] + g.rowCosines[0] * i * g.pixelSpacing[0],
            y = p0[1] + j * g.pixelSpacing[1];
          ax0 = Math.min(ax0, x);
          ax1 = Math.max(ax1, x);
          ay0 = Math.min(ay0, y);
          ay1 = Math.max(ay1, y);
        }
      }
  }
  if (!(ax1 > ax0)) {
    ax0 = b.x0;
    ax1 = b.x1;
    ay0 = b.y0;
    ay1 = b.y1;
  }
  // leave out the couch below the patient: the back lies within ~90 mm of the deepest organ
  let labY = -Infinity;
  for (let c = 1; c < 34; c++) if (sum[c * 4 + 3]) labY = Math.max(labY, sum[c * 4 + 1] / sum[c * 4 + 3]);
  if (labY > -Infinity) ay1 = Math.min(ay1, labY + 110);
  const cols = Math.min(4, axialZ.length),
    rowsA = Math.ceil(axialZ.length / cols);
  const aw = Math.round((ax1 - ax0 + 10) / mm),
    ah = Math.round((ay1 - ay0 + 10) / mm);
  const width = coronalYs.length * (W + 4) + D + 4 + cols * (aw + 3);
  const height = Math.max(H, rowsA * (ah + 3));
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < out.length; i += 4) out[i] = 255;
  let ox = 0;
  for (const y of coronalYs) {
    for (let r = 0; r < H; r++)
      for (let c = 0; c < W; c++) {
        shade(v, voxelAt(v, b.x0 + c * mm, y, b.z1 - r * mm), out, (r * width + ox + c) * 4, alpha);
      }
    ox += W + 4;
  }
  for (let r = 0; r < H; r++)
    for (let c = 0; c < D; c++) {
      shade(v, voxelAt(v, midX, b.y0 + c * mm, b.z1 - r * mm), out, (r * width + ox + c) * 4, alpha);
    }
  ox += D + 4;
  axialZ.forEach((z, n) => {
    const gx = ox + (n % cols) * (aw + 3),
      gy = Math.floor(n / cols) * (ah + 3);
    for (let r = 0; r < ah; r++)
      for (let c = 0; c < aw; c++) {
        shade(v, voxelAt(v, ax0 - 5 + c * mm, ay0 - 5 + r * mm, z), out, ((gy + r) * width + gx + c) * 4, alpha);
      }
  });
  return { width, height, data: out };
}
