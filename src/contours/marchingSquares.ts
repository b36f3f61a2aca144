/**
 * Closed outlines of a binary mask by marching squares on the pixel-centre grid.
 *
 * Pixel (i, j) has its centre at continuous coordinates (i, j). A cell spans four neighbouring centres; an
 * edge between an inside and an outside centre is crossed at its midpoint. The outline therefore runs half a
 * pixel outside the outermost inside centres, and every pixel centre stays at least 1/(2*sqrt(2)) ~ 0.354 px
 * away from it: the point-in-polygon test at pixel centres (what planning systems and plastimatch do when
 * they rasterise an RTSTRUCT) gives back exactly the mask. The simplifier relies on that margin.
 *
 * The mask is treated as surrounded by outside pixels, so organs touching the image border still close.
 * Saddle cells (two diagonal inside corners) join the inside corners: foreground is 8-connected, so a
 * diagonal line one pixel wide is one polygon, and holes are 4-connected background.
 * Outer boundaries and holes both come out as separate closed loops with opposite orientation
 * (outer: positive signed area in (x right, y down) coordinates, i.e. clockwise on screen; holes negative).
 */

/** A closed polygon in pixel coordinates: x0, y0, x1, y1, ... (the last point is not repeated). */
export type PixelPolygon = Float64Array;

// Cell corners: 0 = top-left (i, j), 1 = top-right (i+1, j), 2 = bottom-right (i+1, j+1), 3 = bottom-left (i, j+1).
// Cell edges: 0 = top (0-1), 1 = right (1-2), 2 = bottom (3-2), 3 = left (0-3).
const CORNER_XY: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];
const EDGE_MID: ReadonlyArray<readonly [number, number]> = [
  [0.5, 0],
  [1, 0.5],
  [0.5, 1],
  [0, 0.5],
];
const EDGE_CORNERS: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [3, 2],
  [0, 3],
];

/**
 * For each of the 16 corner configurations (bit c set = corner c inside), the directed segments
 * [fromEdge, toEdge] with the inside on the right of the direction of travel in (x right, y down) coordinates
 * (= the left in a y-up frame), which makes outer loops positive in the shoelace formula used below.
 */
const CASES: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = buildCaseTable();

function buildCaseTable(): Array<Array<[number, number]>> {
  const table: Array<Array<[number, number]>> = [];
  for (let c = 0; c < 16; c++) {
    const inside = (k: number) => ((c >> k) & 1) === 1;
    const crossed = [0, 1, 2, 3].filter((e) => inside(EDGE_CORNERS[e][0]) !== inside(EDGE_CORNERS[e][1]));
    let pairs: Array<[number, number]>;
    let reference: number[]; // per pair: a corner cut off by the segment
    if (crossed.length === 0) {
      table.push([]);
      continue;
    } else if (crossed.length === 2) {
      pairs = [[crossed[0], crossed[1]]];
      // the corner shared by the two crossed edges is cut off (or, for opposite edges, any corner works)
      const shared = EDGE_CORNERS[crossed[0]].find((k) => (EDGE_CORNERS[crossed[1]] as readonly number[]).includes(k));
      reference = [shared ?? EDGE_CORNERS[crossed[0]][0]];
    } else {
      // saddle: corners 0 and 2 in (c = 5) or 1 and 3 in (c = 10). Keep the inside corners connected by
      // cutting off the two outside corners.
      const outside = [0, 1, 2, 3].filter((k) => !inside(k));
      pairs = outside.map((k) => {
        const es = [0, 1, 2, 3].filter((e) => (EDGE_CORNERS[e] as readonly number[]).includes(k));
        return [es[0], es[1]] as [number, number];
      });
      reference = outside;
    }
    table.push(
      pairs.map(([a, b], n) => {
        const [ax, ay] = EDGE_MID[a];
        const [bx, by] = EDGE_MID[b];
        const [rx, ry] = CORNER_XY[reference[n]];
        // cross > 0: reference corner lies to the right of a->b in y-down coordinates
        const cross = (bx - ax) * (ry - ay) - (by - ay) * (rx - ax);
        const refInside = inside(reference[n]);
        return cross > 0 === refInside ? [a, b] : [b, a];
      }),
    );
  }
  return table;
}

/**
 * Traces every closed outline of `mask[x + y * width] !== 0`.
 * Returns loops in pixel coordinates; the vertices are edge midpoints (many collinear; see simplifyClosed).
 */
export function traceMask(mask: ArrayLike<number>, width: number, height: number): PixelPolygon[] {
  return traceWhere((x, y) => mask[x + y * width] !== 0, width, height);
}

/** Outlines of the pixels with `labels[x + y * width] === value` inside the window [x0, x1) x [y0, y1). */
export function traceLabel(
  labels: ArrayLike<number>,
  width: number,
  value: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): PixelPolygon[] {
  const loops = traceWhere((x, y) => labels[x0 + x + (y0 + y) * width] === value, x1 - x0, y1 - y0);
  if (x0 !== 0 || y0 !== 0) {
    for (const p of loops) {
      for (let n = 0; n < p.length; n += 2) {
        p[n] += x0;
        p[n + 1] += y0;
      }
    }
  }
  return loops;
}

function traceWhere(isInside: (x: number, y: number) => boolean, width: number, height: number): PixelPolygon[] {
  if (width <= 0 || height <= 0) return [];
  // Cells (i, j) for i in [-1, width-1], j in [-1, height-1]; corner values outside the image are 0.
  // Edge ids: horizontal edge from centre (i, j) to (i+1, j): 2 * ((j+1) * S + (i+1)); vertical edge from (i, j)
  // to (i, j+1): that + 1. S = width + 2.
  const S = width + 2;
  const next = new Int32Array(S * (height + 2) * 2).fill(-1);
  const row0 = new Uint8Array(width + 2); // corner values of the current cell row, padded
  const row1 = new Uint8Array(width + 2);
  const fill = (row: Uint8Array, y: number) => {
    row.fill(0);
    if (y < 0 || y >= height) return;
    for (let x = 0; x < width; x++) row[x + 1] = isInside(x, y) ? 1 : 0;
  };
  fill(row1, -1);
  const starts: number[] = [];
  for (let j = -1; j < height; j++) {
    row0.set(row1);
    fill(row1, j + 1);
    for (let i = -1; i < width; i++) {
      const c = row0[i + 1] | (row0[i + 2] << 1) | (row1[i + 2] << 2) | (row1[i + 1] << 3);
      if (c === 0 || c === 15) continue;
      const base = (j + 1) * S + (i + 1);
      for (const [a, b] of CASES[c]) {
        const from = edgeId(base, a, S);
        next[from] = edgeId(base, b, S);
        starts.push(from);
      }
    }
  }
  const loops: PixelPolygon[] = [];
  const pts: number[] = [];
  for (const start of starts) {
    if (next[start] < 0) continue; // already consumed by an earlier loop
    pts.length = 0;
    let e = start;
    do {
      const n = e >> 1;
      const i = (n % S) - 1;
      const j = Math.floor(n / S) - 1;
      if (e & 1) pts.push(i, j + 0.5);
      else pts.push(i + 0.5, j);
      const to = next[e];
      next[e] = -1;
      e = to;
    } while (e !== start && e >= 0);
    loops.push(Float64Array.from(pts));
  }
  return loops;
}

function edgeId(cellBase: number, edge: number, S: number): number {
  switch (edge) {
    case 0:
      return 2 * cellBase; // top: horizontal edge at (i, j)
    case 1:
      return 2 * (cellBase + 1) + 1; // right: vertical edge at (i+1, j)
    case 2:
      return 2 * (cellBase + S); // bottom: horizontal edge at (i, j+1)
    default:
      return 2 * cellBase + 1; // left: vertical edge at (i, j)
  }
}

/** Shoelace signed area in (x right, y down) pixel coordinates: outer loops > 0, holes < 0. */
export function signedArea(p: ArrayLike<number>): number {
  let a = 0;
  const n = p.length / 2;
  for (let k = 0; k < n; k++) {
    const m = (k + 1) % n;
    a += p[2 * k] * p[2 * m + 1] - p[2 * m] * p[2 * k + 1];
  }
  return a / 2;
}
