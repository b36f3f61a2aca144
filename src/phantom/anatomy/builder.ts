/**
 * Helpers the anatomy modules share: an ordered layer list (painter's order), canonical-to-subject
 * mapping, jittered organ ellipsoids and tubes along centre lines.
 */
import type { Layer } from '../render';
import { Capsule, Ellipsoid, type Deform, rotEuler, type Shape, type Vec3, type Mat3 } from '../shapes';
import { Offset, Union } from '../csg';
import { CHIN_Z, headPt, jitter, type Jitter, lumpy, type Subject, trunkPt } from '../subject';

export type LayerOpts = Partial<Pick<Layer, 'tex' | 'tex2' | 'gradY' | 'onlyIn' | 'carves'>>;

export class Builder {
  readonly layers: Layer[] = [];
  /** Named shapes other modules need (e.g. the liver for the gallbladder fossa). */
  readonly shapes = new Map<string, Shape>();
  /** The first (whole, unflattened) shape painted with each organ label: the organ's envelope. */
  readonly organShapes = new Map<number, Shape>();
  constructor(readonly s: Subject) {}

  /**
   * Appends a layer. A union is painted part by part (same HU and label): the result is the same
   * solid, but each part is culled by its own bounding box, which is what keeps ribs, vessel trees and
   * bowel loops cheap.
   */
  add(name: string, shape: Shape, hu: number, label = 0, opts: LayerOpts = {}): Shape {
    if (label > 0 && !this.organShapes.has(label)) this.organShapes.set(label, shape);
    for (const part of flattenUnion(shape)) this.layers.push({ name, shape: part, hu, label, ...opts });
    return shape;
  }

  keep(name: string, shape: Shape): Shape {
    this.shapes.set(name, shape);
    return shape;
  }

  get(name: string): Shape {
    const sh = this.shapes.get(name);
    if (!sh) throw new Error(`phantom anatomy: shape '${name}' is not defined yet`);
    return sh;
  }

  /** Canonical point to subject coordinates (head scaling above the chin, trunk scaling below). */
  P(p: Vec3): Vec3 {
    return p[2] >= CHIN_Z ? headPt(this.s, p) : trunkPt(this.s, p);
  }

  /**
   * Canonical length near height z to subject mm: head scale above the chin; below it, organ and
   * vessel calibres follow the skeletal frame at half strength (organ volumes scale less than frames).
   */
  L(len: number, z: number): number {
    return z >= CHIN_Z ? len * this.s.hs : len * (1 + 0.5 * (0.5 * (this.s.fx + this.s.fy) - 1));
  }

  jit(name: string, pos: number, size: number, rot = 0.08): Jitter {
    return jitter(this.s, name, pos, size, rot);
  }

  /**
   * An organ ellipsoid: canonical centre and radii, Euler angles (yaw about z, pitch about x, roll
   * about y, radians), shape deformation, and the organ's jitter (position, size, rotation, lumpiness).
   */
  organ(j: Jitter, centre: Vec3, radii: Vec3, angles: Vec3 = [0, 0, 0], deform: Deform = {}, lump = 0.04): Ellipsoid {
    const c = this.P(centre);
    const sc = this.L(1, centre[2]);
    const bumps = lumpy(j.rng, lump);
    const poly = (deform.poly ?? new Array<number>(10).fill(0)).map((v, i) => v + bumps[i]);
    return new Ellipsoid(
      [c[0] + j.dx, c[1] + j.dy, c[2] + j.dz],
      [radii[0] * sc * j.sx, radii[1] * sc * j.sy, radii[2] * (centre[2] >= CHIN_Z ? this.s.hs : this.s.sH) * j.sz],
      rotEuler(angles[0] + j.yaw, angles[1] + j.pitch, angles[2] + j.roll),
      { poly, dents: deform.dents },
    );
  }

  /** Plain ellipsoid in canonical coordinates (no jitter), e.g. bones and cavities. */
  ell(centre: Vec3, radii: Vec3, angles: Vec3 = [0, 0, 0], deform: Deform = {}, shift: Vec3 = [0, 0, 0]): Ellipsoid {
    const c = this.P(centre);
    const sc = this.L(1, centre[2]);
    const sz = centre[2] >= CHIN_Z ? this.s.hs : this.s.sH;
    const R: Mat3 = rotEuler(angles[0], angles[1], angles[2]);
    return new Ellipsoid(
      [c[0] + shift[0], c[1] + shift[1], c[2] + shift[2]],
      [radii[0] * sc, radii[1] * sc, radii[2] * sz],
      R,
      deform,
    );
  }

  /**
   * A tube through canonical points: consecutive capsules. r2/r3 are the radii per point (r2 across
   * the tube perpendicular to `up`, r3 towards `up`). For near-vertical tubes pass up = [0, 1, 0] so
   * that r2 is left-right and r3 antero-posterior.
   */
  tube(
    points: Vec3[],
    r2: number[] | number,
    r3?: number[] | number,
    up: Vec3 = [0, 0, 1],
    shift: Vec3 = [0, 0, 0],
    scale = 1,
  ): Shape {
    const n = points.length;
    const ra = (v: number[] | number | undefined, i: number, d: number[] | number): number => {
      const x = v === undefined ? d : v;
      return (typeof x === 'number' ? x : x[i]) * scale;
    };
    const pts = points.map((p) => {
      const q = this.P(p);
      return [q[0] + shift[0], q[1] + shift[1], q[2] + shift[2]] as Vec3;
    });
    const caps: Shape[] = [];
    for (let i = 0; i + 1 < n; i++) {
      const l0 = this.L(1, points[i][2]),
        l1 = this.L(1, points[i + 1][2]);
      caps.push(
        new Capsule(
          pts[i],
          pts[i + 1],
          [ra(r2, i, r2) * l0, ra(r2, i + 1, r2) * l1],
          [ra(r3, i, r2) * l0, ra(r3, i + 1, r2) * l1],
          up,
        ),
      );
    }
    return caps.length === 1 ? caps[0] : new Union(caps);
  }
}

/** Parts of a (nested) union, pushing offsets into the parts (offset distributes over min). */
export function flattenUnion(s: Shape): Shape[] {
  if (s instanceof Union) return s.parts.flatMap(flattenUnion);
  if (s instanceof Offset && s.inner instanceof Union) return s.inner.parts.flatMap((p) => flattenUnion(new Offset(p, s.delta)));
  return [s];
}

/** Mirror a canonical point to the given side (+1 = patient left, -1 = right). */
export function side(p: Vec3, sgn: number): Vec3 {
  return [p[0] * sgn, p[1], p[2]];
}

export const LEFT = 1;
export const RIGHT = -1;
