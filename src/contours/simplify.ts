/**
 * Point reduction for closed outlines (Douglas-Peucker on a ring).
 *
 * Every removed vertex lies within `tolerance` of the segment that replaces it, so the outline moves by at most
 * `tolerance` (the distance to a segment is convex, so the whole replaced chain is within it too). With the
 * marching-squares outlines of marchingSquares.ts every pixel centre is at least 0.354 px from the outline, so
 * a tolerance of 1/3 px cannot move any pixel centre across it: rasterising the simplified polygon at pixel
 * centres still gives back the original mask.
 */
import type { PixelPolygon } from './marchingSquares';

/** The tolerance used for exported contours, in pixels (see the module comment for why 1/3). */
export const DEFAULT_TOLERANCE_PX = 1 / 3;

/**
 * Simplifies a closed polygon (x0, y0, x1, y1, ...; last point not repeated). Coordinates are in pixels, or
 * pre-scaled so that the tolerance is isotropic. Returns a new array with at least 3 points (unless the input
 * had fewer).
 */
export function simplifyClosed(p: PixelPolygon, tolerance: number = DEFAULT_TOLERANCE_PX): PixelPolygon {
  const n = p.length / 2;
  if (n <= 3) return Float64Array.from(p);
  // Anchor the ring at vertex 0 and the vertex farthest from it, then simplify both open chains.
  let far = 0;
  let best = -1;
  for (let k = 1; k < n; k++) {
    const dx = p[2 * k] - p[0];
    const dy = p[2 * k + 1] - p[1];
    const d = dx * dx + dy * dy;
    if (d > best) {
      best = d;
      far = k;
    }
  }
  const keep = new Uint8Array(n + 1); // index n stands for vertex 0 closing the ring
  keep[0] = 1;
  keep[far] = 1;
  keep[n] = 1;
  const tol2 = tolerance * tolerance;
  const stack: Array<[number, number]> = [
    [0, far],
    [far, n],
  ];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    if (b - a < 2) continue;
    const ax = p[2 * (a % n)];
    const ay = p[2 * (a % n) + 1];
    const bx = p[2 * (b % n)];
    const by = p[2 * (b % n) + 1];
    let worst = -1;
    let at = -1;
    for (let k = a + 1; k < b; k++) {
      const d = segmentDistance2(p[2 * k], p[2 * k + 1], ax, ay, bx, by);
      if (d > worst) {
        worst = d;
        at = k;
      }
    }
    if (worst > tol2) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  let count = 0;
  for (let k = 0; k < n; k++) count += keep[k];
  if (count < 3) {
    // A ring cannot collapse below a triangle: keep the vertex farthest from the chord 0-far.
    let worst = -1;
    let at = -1;
    for (let k = 1; k < n; k++) {
      if (k === far) continue;
      const d = segmentDistance2(p[2 * k], p[2 * k + 1], p[0], p[1], p[2 * far], p[2 * far + 1]);
      if (d > worst) {
        worst = d;
        at = k;
      }
    }
    keep[at] = 1;
    count++;
  }
  const out = new Float64Array(2 * count);
  let m = 0;
  for (let k = 0; k < n; k++) {
    if (!keep[k]) continue;
    out[m++] = p[2 * k];
    out[m++] = p[2 * k + 1];
  }
  return out;
}

/** Squared distance from point (px, py) to the segment (ax, ay)-(bx, by). */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  let t = len2 > 0 ? ((px - ax) * vx + (py - ay) * vy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dx = ax + t * vx - px;
  const dy = ay + t * vy - py;
  return dx * dx + dy * dy;
}
