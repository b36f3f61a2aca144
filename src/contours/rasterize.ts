/**
 * Polygons -> mask on a pixel grid, the way planning systems read an RTSTRUCT: a pixel is inside when its
 * centre is inside under the even-odd rule over all polygons of the structure on that slice (so holes written
 * as separate contours cut out, DESIGN 3.6).
 */
import type { PixelPolygon } from './marchingSquares';

/**
 * Even-odd fill of `polygons` (pixel coordinates, centre of pixel (i, j) at (i, j)) into `out`
 * (width x height, row-major). Pixels inside get `value` written (others are left untouched), so several
 * structures can be painted into one buffer. Returns the number of pixels set.
 */
export function rasterizePolygons(
  polygons: readonly PixelPolygon[],
  width: number,
  height: number,
  out: Uint8Array,
  value = 1,
): number {
  if (out.length < width * height) throw new RangeError(`mask buffer too small: ${out.length} < ${width * height}`);
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const p of polygons) {
    for (let n = 1; n < p.length; n += 2) {
      if (p[n] < yMin) yMin = p[n];
      if (p[n] > yMax) yMax = p[n];
    }
  }
  if (!(yMin <= yMax)) return 0;
  const j0 = Math.max(0, Math.ceil(yMin));
  const j1 = Math.min(height - 1, Math.floor(yMax));
  const xs: number[] = [];
  let set = 0;
  for (let j = j0; j <= j1; j++) {
    xs.length = 0;
    for (const p of polygons) {
      const n = p.length / 2;
      for (let k = 0; k < n; k++) {
        const m = k + 1 === n ? 0 : k + 1;
        const ya = p[2 * k + 1];
        const yb = p[2 * m + 1];
        // half-open rule [min, max) so a vertex on the scan line is counted once
        if ((ya <= j && yb > j) || (yb <= j && ya > j)) {
          const xa = p[2 * k];
          const xb = p[2 * m];
          xs.push(xa + ((j - ya) / (yb - ya)) * (xb - xa));
        }
      }
    }
    if (xs.length < 2) continue;
    xs.sort((a, b) => a - b);
    const row = j * width;
    for (let q = 0; q + 1 < xs.length; q += 2) {
      // centres i with xs[q] <= i < xs[q+1]
      const i0 = Math.max(0, Math.ceil(xs[q]));
      const i1 = Math.min(width - 1, Math.ceil(xs[q + 1]) - 1);
      for (let i = i0; i <= i1; i++) {
        out[row + i] = value;
        set++;
      }
    }
  }
  return set;
}
