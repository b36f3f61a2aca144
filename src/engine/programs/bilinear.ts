/**
 * The ONE bilinear sampling of the CPU paths: the tap (four grid points and four weights) of a continuous
 * position on an nx x ny grid, clamped at the grid edge. Used by the post-processing (logits on the S x S model
 * grid at a CT pixel: reference, fast kernel, tfjs-ops indices) and the pre-processing reference (HU of a CT
 * slice at a model pixel). The WGSL programs mirror it (postprocess.webgpu.ts `gridCoord` with a hi/lo split
 * for float32 precision, preprocess.webgpu.ts `sampleSlice`); tests/gpu compare them with these references.
 */

/** Grid points (x0|x1, y0|y1) and weights: w00 multiplies (x0, y0), w10 (x1, y0), w01 (x0, y1), w11 (x1, y1). */
export interface BilinearTap {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  w00: number;
  w10: number;
  w01: number;
  w11: number;
}

export function newTap(): BilinearTap {
  return { x0: 0, x1: 0, y0: 0, y1: 0, w00: 0, w10: 0, w01: 0, w11: 0 };
}

/** The tap of (u, v) on an nx x ny grid (u along x, v along y), clamped to [0, n - 1]. */
export function bilinearTapRect(nx: number, ny: number, u: number, v: number, out: BilinearTap = newTap()): BilinearTap {
  const uc = Math.min(Math.max(u, 0), nx - 1);
  const vc = Math.min(Math.max(v, 0), ny - 1);
  const u0 = Math.floor(uc);
  const v0 = Math.floor(vc);
  const wu = uc - u0;
  const wv = vc - v0;
  out.x0 = u0;
  out.y0 = v0;
  out.x1 = Math.min(u0 + 1, nx - 1);
  out.y1 = Math.min(v0 + 1, ny - 1);
  out.w00 = (1 - wu) * (1 - wv);
  out.w10 = wu * (1 - wv);
  out.w01 = (1 - wu) * wv;
  out.w11 = wu * wv;
  return out;
}

/** The tap of model position (u, v) on the S x S model grid. */
export function bilinearTap(S: number, u: number, v: number, out: BilinearTap = newTap()): BilinearTap {
  return bilinearTapRect(S, S, u, v, out);
}

/** The bilinear value of `data` (row-major nx x ny, starting at `base`) at tap t. */
export function sampleTap(data: ArrayLike<number>, base: number, nx: number, t: BilinearTap): number {
  return (
    t.w00 * data[base + t.y0 * nx + t.x0] +
    t.w10 * data[base + t.y0 * nx + t.x1] +
    t.w01 * data[base + t.y1 * nx + t.x0] +
    t.w11 * data[base + t.y1 * nx + t.x1]
  );
}
