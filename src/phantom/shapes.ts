/**
 * Implicit shapes for the phantom: approximate signed distance functions (mm; negative inside) with
 * the outward unit normal of the last evaluation left in `NRM`.
 *
 * The renderer needs two things from a shape: the sign at a voxel centre (the label) and a distance
 * good to first order near the surface (the partial-volume ramp, whose width depends on the normal and
 * the voxel size). Far from the surface the distances only have to be roughly Lipschitz-1, so that a
 * whole tile of voxels can be classified from its centre. The ellipsoid-type primitives use the
 * first-order estimate (L - r) / |grad L| of a scaled radius L, which has exactly those properties
 * and costs a few multiply-adds. Everything is plain arithmetic on numbers: no allocation per call.
 */

/** Outward unit normal of the most recent `sd` call (x, y, z). */
export const NRM = new Float64Array(3);

export type Vec3 = [number, number, number];

/** Axis-aligned bounds [x0, x1, y0, y1, z0, z1] (mm). */
export type Box = Float64Array;

export abstract class Shape {
  readonly box: Box = new Float64Array(6);
  /** Approximate signed distance (mm); also writes the outward normal to NRM. */
  abstract sd(x: number, y: number, z: number): number;
}

export function setBox(b: Box, x0: number, x1: number, y0: number, y1: number, z0: number, z1: number): void {
  b[0] = x0;
  b[1] = x1;
  b[2] = y0;
  b[3] = y1;
  b[4] = z0;
  b[5] = z1;
}

// ---------------------------------------------------------------------------------------------
// rotations: a 3x3 matrix stored row-major whose COLUMNS are the local axes in patient space.

export type Mat3 = Float64Array;

export function rotEuler(yawZ: number, pitchX: number, rollY: number): Mat3 {
  const cz = Math.cos(yawZ),
    sz = Math.sin(yawZ);
  const cx = Math.cos(pitchX),
    sx = Math.sin(pitchX);
  const cy = Math.cos(rollY),
    sy = Math.sin(rollY);
  // R = Rz * Rx * Ry
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  return new Float64Array(mul3(mul3(rz, rx), ry));
}

function mul3(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const o = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return o;
}

export function norm3(v: Vec3): Vec3 {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

export function cross3(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Rotation whose first local axis is `axis` and whose third lies as close as possible to `up`. */
export function rotFromAxis(axis: Vec3, up: Vec3 = [0, 0, 1]): Mat3 {
  const e1 = norm3(axis);
  let e2 = cross3(up, e1);
  if (Math.hypot(e2[0], e2[1], e2[2]) < 1e-6) e2 = cross3([0, 1, 0], e1);
  e2 = norm3(e2);
  const e3 = cross3(e1, e2);
  return new Float64Array([e1[0], e2[0], e3[0], e1[1], e2[1], e3[1], e1[2], e2[2], e3[2]]);
}

// ---------------------------------------------------------------------------------------------
// Ellipsoid with smooth radial deformation: the organ primitive.

/** Radial deformation in local unit directions: r(u) = 1 + sum(coef * monomial) - dents. */
export interface Deform {
  /** coefficients of u_x, u_y, u_z, u_x^2, u_y^2, u_z^2, u_x u_y, u_x u_z, u_y u_z, u_x u_y u_z */
  poly?: number[];
  /** Concavities (kidney hilum, gastric impression on the spleen): direction (local), half-angle cosine, depth. */
  dents?: { dir: Vec3; cos0: number; depth: number }[];
}

export class Ellipsoid extends Shape {
  private readonly c: Vec3;
  private readonly ia: number;
  private readonly ib: number;
  private readonly ic: number;
  private readonly R: Mat3;
  private readonly poly: Float64Array | null;
  private readonly dents: Float64Array; // [dx, dy, dz, cos0, 1/(1-cos0), depth] * n
  private readonly minR: number;

  constructor(centre: Vec3, radii: Vec3, rot: Mat3 | null = null, deform: Deform = {}) {
    super();
    this.c = centre;
    this.ia = 1 / radii[0];
    this.ib = 1 / radii[1];
    this.ic = 1 / radii[2];
    this.R = rot ?? new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const p = deform.poly;
    this.poly = p && p.some((v) => v !== 0) ? Float64Array.from({ length: 10 }, (_, i) => p[i] ?? 0) : null;
    const dents = deform.dents ?? [];
    this.dents = new Float64Array(dents.length * 6);
    dents.forEach((d, i) => {
      const n = norm3(d.dir);
      this.dents.set([n[0], n[1], n[2], d.cos0, 1 / (1 - d.cos0), d.depth], i * 6);
    });
    let grow = 1;
    if (this.poly) for (const v of this.poly) grow += Math.abs(v);
    this.minR = Math.min(radii[0], radii[1], radii[2]);
    const R = this.R;
    const ex = grow * Math.hypot(R[0] * radii[0], R[1] * radii[1], R[2] * radii[2]);
    const ey = grow * Math.hypot(R[3] * radii[0], R[4] * radii[1], R[5] * radii[2]);
    const ez = grow * Math.hypot(R[6] * radii[0], R[7] * radii[1], R[8] * radii[2]);
    setBox(this.box, centre[0] - ex, centre[0] + ex, centre[1] - ey, centre[1] + ey, centre[2] - ez, centre[2] + ez);
  }

  sd(x: number, y: number, z: number): number {
    const R = this.R;
    const vx = x - this.c[0],
      vy = y - this.c[1],
      vz = z - this.c[2];
    const lx = (R[0] * vx + R[3] * vy + R[6] * vz) * this.ia;
    const ly = (R[1] * vx + R[4] * vy + R[7] * vz) * this.ib;
    const lz = (R[2] * vx + R[5] * vy + R[8] * vz) * this.ic;
    const L = Math.sqrt(lx * lx + ly * ly + lz * lz);
    if (L < 1e-9) {
      NRM[0] = 0;
      NRM[1] = 0;
      NRM[2] = 1;
      return -this.minR;
    }
    const ux = lx / L,
      uy = ly / L,
      uz = lz / L;
    let r = 1;
    const p = this.poly;
    if (p !== null) {
      r +=
        p[0] * ux +
        p[1] * uy +
        p[2] * uz +
        p[3] * ux * ux +
        p[4] * uy * uy +
        p[5] * uz * uz +
        p[6] * ux * uy +
        p[7] * ux * uz +
        p[8] * uy * uz +
        p[9] * ux * uy * uz;
    }
    const dn = this.dents;
    for (let i = 0; i < dn.length; i += 6) {
      const s = (ux * dn[i] + uy * dn[i + 1] + uz * dn[i + 2] - dn[i + 3]) * dn[i + 4];
      if (s > 0) r -= dn[i + 5] * s * s;
    }
    const gx = ux * this.ia,
      gy = uy * this.ib,
      gz = uz * this.ic;
    const wx = R[0] * gx + R[1] * gy + R[2] * gz;
    const wy = R[3] * gx + R[4] * gy + R[5] * gz;
    const wz = R[6] * gx + R[7] * gy + R[8] * gz;
    const gn = Math.sqrt(wx * wx + wy * wy + wz * wz);
    NRM[0] = wx / gn;
    NRM[1] = wy / gn;
    NRM[2] = wz / gn;
    return (L - r) / gn;
  }
}

// ---------------------------------------------------------------------------------------------
// Capsule: a segment swept by an ellipse (tubes, ribs, vessels, plates such as the mandible body).

export class Capsule extends Shape {
  private readonly a: Vec3;
  private readonly e1: Vec3;
  private readonly e2: Vec3;
  private readonly e3: Vec3;
  private readonly len: number;
  private readonly r2a: number;
  private readonly r2d: number;
  private readonly r3a: number;
  private readonly r3d: number;

  /**
   * @param r2 radius across the segment in the direction perpendicular to `up` [at a, at b]
   * @param r3 radius across the segment in the direction closest to `up` [at a, at b]
   */
  constructor(a: Vec3, b: Vec3, r2: [number, number], r3: [number, number] = r2, up: Vec3 = [0, 0, 1]) {
    super();
    this.a = a;
    const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    this.len = Math.hypot(d[0], d[1], d[2]);
    const R = rotFromAxis(this.len > 1e-9 ? d : [0, 0, 1], up);
    this.e1 = [R[0], R[3], R[6]];
    this.e2 = [R[1], R[4], R[7]];
    this.e3 = [R[2], R[5], R[8]];
    this.r2a = r2[0];
    this.r2d = r2[1] - r2[0];
    this.r3a = r3[0];
    this.r3d = r3[1] - r3[0];
    const m = Math.max(r2[0], r2[1], r3[0], r3[1]);
    setBox(
      this.box,
      Math.min(a[0], b[0]) - m,
      Math.max(a[0], b[0]) + m,
      Math.min(a[1], b[1]) - m,
      Math.max(a[1], b[1]) + m,
      Math.min(a[2], b[2]) - m,
      Math.max(a[2], b[2]) + m,
    );
  }

  sd(x: number, y: number, z: number): number {
    const vx = x - this.a[0],
      vy = y - this.a[1],
      vz = z - this.a[2];
    const e1 = this.e1,
      e2 = this.e2,
      e3 = this.e3;
    const s = vx * e1[0] + vy * e1[1] + vz * e1[2];
    let t = this.len > 0 ? s / this.len : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const q0 = s - t * this.len;
    const u = vx * e2[0] + vy * e2[1] + vz * e2[2];
    const w = vx * e3[0] + vy * e3[1] + vz * e3[2];
    const r2 = this.r2a + this.r2d * t,
      r3 = this.r3a + this.r3d * t;
    const rc = 0.5 * (r2 + r3);
    const a0 = q0 / rc,
      a1 = u / r2,
      a2 = w / r3;
    const L = Math.sqrt(a0 * a0 + a1 * a1 + a2 * a2);
    if (L < 1e-9) {
      NRM[0] = e3[0];
      NRM[1] = e3[1];
      NRM[2] = e3[2];
      return -Math.min(r2, r3);
    }
    const g0 = a0 / (rc * L),
      g1 = a1 / (r2 * L),
      g2 = a2 / (r3 * L);
    const wx = e1[0] * g0 + e2[0] * g1 + e3[0] * g2;
    const wy = e1[1] * g0 + e2[1] * g1 + e3[1] * g2;
    const wz = e1[2] * g0 + e2[2] * g1 + e3[2] * g2;
    const gn = Math.sqrt(wx * wx + wy * wy + wz * wz);
    NRM[0] = wx / gn;
    NRM[1] = wy / gn;
    NRM[2] = wz / gn;
    return (L - 1) / gn;
  }
}

// ---------------------------------------------------------------------------------------------
// ZProfile: a body-like solid given by axial cross-sections (ellipse + deformation) at keyframes.

export interface ProfileKey {
  z: number;
  cx: number;
  cy: number;
  /** half width (x) and half depth (y), mm */
  a: number;
  b: number;
  /** r *= 1 + egg * uy + square * 4 ux^2 uy^2 - flatBack * max(0, uy)^4 */
  egg?: number;
  square?: number;
  flatBack?: number;
}

const PK = 9; // cx, cy, a, b, egg, square, flatBack (+ padding)

export class ZProfile extends Shape {
  private readonly zs: Float64Array;
  private readonly v: Float64Array; // per key: PK values
  private readonly cache = new Float64Array(PK * 2);
  private cz = NaN;
  private readonly zlo: number;
  private readonly zhi: number;

  constructor(keys: ProfileKey[]) {
    super();
    if (keys.length < 2) throw new Error('ZProfile needs at least two keys');
    const ks = [...keys].sort((p, q) => p.z - q.z);
    this.zs = Float64Array.from(ks.map((k) => k.z));
    this.v = new Float64Array(ks.length * PK);
    ks.forEach((k, i) => this.v.set([k.cx, k.cy, k.a, k.b, k.egg ?? 0, k.square ?? 0, k.flatBack ?? 0, 0, 0], i * PK));
    this.zlo = this.zs[0];
    this.zhi = this.zs[this.zs.length - 1];
    let x0 = Infinity,
      x1 = -Infinity,
      y0 = Infinity,
      y1 = -Infinity;
    for (const k of ks) {
      const g = 1 + Math.abs(k.egg ?? 0) + Math.abs(k.square ?? 0);
      // Hermite interpolation may overshoot keys a little: pad by 10 %
      x0 = Math.min(x0, k.cx - 1.1 * g * k.a);
      x1 = Math.max(x1, k.cx + 1.1 * g * k.a);
      y0 = Math.min(y0, k.cy - 1.1 * g * k.b);
      y1 = Math.max(y1, k.cy + 1.1 * g * k.b);
    }
    setBox(this.box, x0, x1, y0, y1, this.zlo, this.zhi);
  }

  /** Interpolated parameters and their z derivatives at z (cubic Hermite, finite-difference tangents). */
  private at(z: number): Float64Array {
    if (z === this.cz) return this.cache;
    this.cz = z;
    const zs = this.zs,
      n = zs.length,
      v = this.v,
      out = this.cache;
    const zc = z < this.zlo ? this.zlo : z > this.zhi ? this.zhi : z;
    let i = 0;
    while (i < n - 2 && zc > zs[i + 1]) i++;
    const h = zs[i + 1] - zs[i];
    const t = (zc - zs[i]) / h;
    const t2 = t * t,
      t3 = t2 * t;
    const h00 = 2 * t3 - 3 * t2 + 1,
      h10 = t3 - 2 * t2 + t,
      h01 = -2 * t3 + 3 * t2,
      h11 = t3 - t2;
    const d00 = 6 * t2 - 6 * t,
      d10 = 3 * t2 - 4 * t + 1,
      d01 = -6 * t2 + 6 * t,
      d11 = 3 * t2 - 2 * t;
    for (let p = 0; p < PK; p++) {
      const p0 = v[i * PK + p],
        p1 = v[(i + 1) * PK + p];
      const m0 = i > 0 ? ((p1 - v[(i - 1) * PK + p]) / (zs[i + 1] - zs[i - 1])) * h : p1 - p0;
      const m1 = i + 2 < n ? ((v[(i + 2) * PK + p] - p0) / (zs[i + 2] - zs[i])) * h : p1 - p0;
      out[p] = h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1;
      out[PK + p] = (d00 * p0 + d10 * m0 + d01 * p1 + d11 * m1) / h;
    }
    return out;
  }

  sd(x: number, y: number, z: number): number {
    const P = this.at(z);
    const cx = P[0],
      cy = P[1],
      a = P[2],
      b = P[3];
    const qx = (x - cx) / a,
      qy = (y - cy) / b;
    const L = Math.sqrt(qx * qx + qy * qy);
    let d: number, nx: number, ny: number, nz: number;
    if (L < 1e-9) {
      d = -Math.min(a, b);
      nx = 0;
      ny = 1;
      nz = 0;
    } else {
      const ux = qx / L,
        uy = qy / L;
      let r = 1 + P[4] * uy + P[5] * 4 * ux * ux * uy * uy;
      if (uy > 0 && P[6] !== 0) {
        const u2 = uy * uy;
        r -= P[6] * u2 * u2;
      }
      const gx = ux / a,
        gy = uy / b;
      const gn = Math.sqrt(gx * gx + gy * gy);
      const n2x = gx / gn,
        n2y = gy / gn;
      const d2 = (L - r) / gn;
      // outward speed of the surface point along z -> slope of the distance field in z
      const speed = P[PK] * n2x + P[PK + 1] * n2y + r * (P[PK + 2] * ux * n2x + P[PK + 3] * uy * n2y);
      const sl = -speed;
      const k = 1 / Math.sqrt(1 + sl * sl);
      d = d2 * k;
      nx = n2x * k;
      ny = n2y * k;
      nz = sl * k;
    }
    // flat caps at the first and last key
    const dTop = z - this.zhi,
      dBot = this.zlo - z;
    if (dTop > d && dTop >= dBot) {
      d = dTop;
      nx = 0;
      ny = 0;
      nz = 1;
    } else if (dBot > d) {
      d = dBot;
      nx = 0;
      ny = 0;
      nz = -1;
    }
    NRM[0] = nx;
    NRM[1] = ny;
    NRM[2] = nz;
    return d;
  }
}

// ---------------------------------------------------------------------------------------------
// Surfaces (the CSG combinators are in csg.ts)

/** The solid below (or above) a height field z = h(x, y), e.g. the diaphragm. */
export class HeightSolid extends Shape {
  private readonly out = new Float64Array(3);
  constructor(
    private readonly h: (x: number, y: number, out: Float64Array) => void,
    private readonly below: boolean,
    box: [number, number, number, number, number, number],
  ) {
    super();
    this.box.set(box);
  }

  sd(x: number, y: number, z: number): number {
    const o = this.out;
    this.h(x, y, o);
    const k = 1 / Math.sqrt(1 + o[1] * o[1] + o[2] * o[2]);
    const s = this.below ? 1 : -1;
    NRM[0] = -s * o[1] * k;
    NRM[1] = -s * o[2] * k;
    NRM[2] = s * k;
    return s * (z - o[0]) * k;
  }
}

/** Half space n . p <= off (n need not be unit). */
export class HalfSpace extends Shape {
  private readonly n: Vec3;
  private readonly off: number;
  constructor(n: Vec3, point: Vec3) {
    super();
    this.n = norm3(n);
    this.off = this.n[0] * point[0] + this.n[1] * point[1] + this.n[2] * point[2];
    setBox(this.box, -1e6, 1e6, -1e6, 1e6, -1e6, 1e6);
  }
  sd(x: number, y: number, z: number): number {
    NRM[0] = this.n[0];
    NRM[1] = this.n[1];
    NRM[2] = this.n[2];
    return this.n[0] * x + this.n[1] * y + this.n[2] * z - this.off;
  }
}

/** Torus (the semicircular canals): centre, orientation (local z = axis), major and minor radius. */
export class Torus extends Shape {
  constructor(
    private readonly c: Vec3,
    private readonly R: Mat3,
    private readonly rMaj: number,
    private readonly rMin: number,
  ) {
    super();
    const m = rMaj + rMin;
    setBox(this.box, c[0] - m, c[0] + m, c[1] - m, c[1] + m, c[2] - m, c[2] + m);
  }
  sd(x: number, y: number, z: number): number {
    const R = this.R;
    const vx = x - this.c[0],
      vy = y - this.c[1],
      vz = z - this.c[2];
    const lx = R[0] * vx + R[3] * vy + R[6] * vz;
    const ly = R[1] * vx + R[4] * vy + R[7] * vz;
    const lz = R[2] * vx + R[5] * vy + R[8] * vz;
    const rho = Math.sqrt(lx * lx + ly * ly) || 1e-9;
    const qx = rho - this.rMaj;
    const q = Math.sqrt(qx * qx + lz * lz) || 1e-9;
    const gx = (qx / q) * (lx / rho),
      gy = (qx / q) * (ly / rho),
      gz = lz / q;
    NRM[0] = R[0] * gx + R[1] * gy + R[2] * gz;
    NRM[1] = R[3] * gx + R[4] * gy + R[5] * gz;
    NRM[2] = R[6] * gx + R[7] * gy + R[8] * gz;
    return q - this.rMin;
  }
}
