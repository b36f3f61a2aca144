/**
 * Constructive solid geometry on the implicit shapes of shapes.ts: unions (sharp and smooth), intersections,
 * differences, offsets and shells, and a bounds clamp. Same conventions: approximate signed distance in mm,
 * negative inside, the outward normal of the last evaluation in `NRM`, no allocation per call.
 */
import { Box, NRM, setBox, Shape } from './shapes';

/** box = the bounding box of the parts' boxes (an empty box for no parts). */
function unionBox(box: Box, parts: Shape[]): void {
  setBox(box, Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity);
  for (const p of parts) for (let i = 0; i < 6; i++) box[i] = i % 2 ? Math.max(box[i], p.box[i]) : Math.min(box[i], p.box[i]);
}

/** Squared distance (mm^2) from (x, y, z) to the box [x0, x1, y0, y1, z0, z1]; 0 inside. */
function boxDistance2(b: Box, x: number, y: number, z: number): number {
  const ox = x < b[0] ? b[0] - x : x > b[1] ? x - b[1] : 0;
  const oy = y < b[2] ? b[2] - y : y > b[3] ? y - b[3] : 0;
  const oz = z < b[4] ? b[4] - z : z > b[5] ? z - b[5] : 0;
  return ox * ox + oy * oy + oz * oz;
}

export class Union extends Shape {
  constructor(readonly parts: Shape[]) {
    super();
    unionBox(this.box, parts);
  }
  sd(x: number, y: number, z: number): number {
    let best = Infinity,
      nx = 0,
      ny = 0,
      nz = 1;
    const ps = this.parts;
    for (let i = 0; i < ps.length; i++) {
      const b = ps[i].box;
      // a part whose box is farther than the best distance so far cannot win
      const o2 = boxDistance2(b, x, y, z);
      if (o2 > 0 && (best <= 0 || o2 > best * best)) continue;
      const d = ps[i].sd(x, y, z);
      if (d < best) {
        best = d;
        nx = NRM[0];
        ny = NRM[1];
        nz = NRM[2];
      }
    }
    NRM[0] = nx;
    NRM[1] = ny;
    NRM[2] = nz;
    return best;
  }
}

/** Smooth union (polynomial smooth minimum, blend radius k mm): organs made of lobes. */
export class SmoothUnion extends Shape {
  constructor(
    private readonly parts: Shape[],
    private readonly k: number,
  ) {
    super();
    unionBox(this.box, parts);
  }
  sd(x: number, y: number, z: number): number {
    let d = Infinity,
      nx = 0,
      ny = 0,
      nz = 1;
    const ps = this.parts,
      k = this.k;
    for (let i = 0; i < ps.length; i++) {
      const b = ps[i].box;
      // a part farther than the blend radius beyond the current distance changes nothing
      const o2 = boxDistance2(b, x, y, z);
      if (o2 > 0 && d < Infinity && Math.sqrt(o2) > d + k) continue;
      const e = ps[i].sd(x, y, z);
      if (d === Infinity) {
        d = e;
        nx = NRM[0];
        ny = NRM[1];
        nz = NRM[2];
        continue;
      }
      const h = Math.max(k - Math.abs(d - e), 0) / k;
      if (e < d) {
        nx = NRM[0];
        ny = NRM[1];
        nz = NRM[2];
      }
      d = Math.min(d, e) - h * h * k * 0.25;
    }
    NRM[0] = nx;
    NRM[1] = ny;
    NRM[2] = nz;
    return d;
  }
}

export class Intersect extends Shape {
  constructor(private readonly parts: Shape[]) {
    super();
    setBox(this.box, -Infinity, Infinity, -Infinity, Infinity, -Infinity, Infinity);
    for (const p of parts) withBox(this, p.box);
  }
  sd(x: number, y: number, z: number): number {
    let best = -Infinity,
      nx = 0,
      ny = 0,
      nz = 1;
    const ps = this.parts;
    for (let i = 0; i < ps.length; i++) {
      const d = ps[i].sd(x, y, z);
      if (d > best) {
        best = d;
        nx = NRM[0];
        ny = NRM[1];
        nz = NRM[2];
      }
    }
    NRM[0] = nx;
    NRM[1] = ny;
    NRM[2] = nz;
    return best;
  }
}

/** a minus the union of `cut` (each grown by `margin` mm): organs that must only touch their neighbours. */
export class Subtract extends Shape {
  constructor(
    private readonly a: Shape,
    private readonly cut: Shape[],
    private readonly margin = 0,
  ) {
    super();
    this.box.set(a.box);
  }
  sd(x: number, y: number, z: number): number {
    let best = this.a.sd(x, y, z);
    let nx = NRM[0],
      ny = NRM[1],
      nz = NRM[2];
    const cs = this.cut;
    for (let i = 0; i < cs.length; i++) {
      const b = cs[i].box,
        m = this.margin;
      if (x < b[0] - m || x > b[1] + m || y < b[2] - m || y > b[3] + m || z < b[4] - m || z > b[5] + m) continue;
      const d = -(cs[i].sd(x, y, z) - m);
      if (d > best) {
        best = d;
        nx = -NRM[0];
        ny = -NRM[1];
        nz = -NRM[2];
      }
    }
    NRM[0] = nx;
    NRM[1] = ny;
    NRM[2] = nz;
    return best;
  }
}

/** Grown (delta > 0) or shrunk (delta < 0) copy of a shape. */
export class Offset extends Shape {
  constructor(
    readonly inner: Shape,
    readonly delta: number,
  ) {
    super();
    const b = inner.box;
    const g = Math.max(delta, 0);
    setBox(this.box, b[0] - g, b[1] + g, b[2] - g, b[3] + g, b[4] - g, b[5] + g);
  }
  sd(x: number, y: number, z: number): number {
    return this.inner.sd(x, y, z) - this.delta;
  }
}

/** The band of thickness t just inside the surface of s (skin, cortical bone, organ walls). */
export class Shell extends Shape {
  constructor(
    private readonly s: Shape,
    private readonly t: number,
  ) {
    super();
    this.box.set(s.box);
  }
  sd(x: number, y: number, z: number): number {
    const d = this.s.sd(x, y, z) + 0.5 * this.t;
    if (d < 0) {
      NRM[0] = -NRM[0];
      NRM[1] = -NRM[1];
      NRM[2] = -NRM[2];
      return -d - 0.5 * this.t;
    }
    return d - 0.5 * this.t;
  }
}

/** Exact bounds clamp: restrict a shape's box (for shapes like half spaces used inside Intersect). */
export function withBox(s: Shape, box: ArrayLike<number>): Shape {
  for (let i = 0; i < 6; i++) s.box[i] = i % 2 ? Math.min(s.box[i], box[i]) : Math.max(s.box[i], box[i]);
  return s;
}
