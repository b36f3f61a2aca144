/**
 * The ONE bilinear sampling of the logits on the CPU: the tap (four grid points and four weights) of a model
 * position, clamped at the grid edge, used by the post-processing reference, the fast kernel and the tfjs-ops
 * indices. The WGSL program mirrors it (postprocess.webgpu.ts `gridCoord`, with a hi/lo split for float32
 * precision; tests/gpu compares them). The pre-processing samples CT slices the other way round
 * (preprocess.ref.ts `sampleSlice`, kept inline: through a shared tap object its hot loop ran 2-4x slower in a
 * Node micro-benchmark).
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

/** The tap of model position (u, v) on the S x S model grid, clamped to [0, S - 1]. */
export function bilinearTap(S: number, u: number, v: number, out: BilinearTap = newTap()): BilinearTap {
  const uc = Math.min(Math.max(u, 0), S - 1);
  const vc = Math.min(Math.max(v, 0), S - 1);
  const u0 = Math.floor(uc);
  const v0 = Math.floor(vc);
  const wu = uc - u0;
  const wv = vc - v0;
  out.x0 = u0;
  out.y0 = v0;
  out.x1 = Math.min(u0 + 1, S - 1);
  out.y1 = Math.min(v0 + 1, S - 1);
  out.w00 = (1 - wu) * (1 - wv);
  out.w10 = wu * (1 - wv);
  out.w01 = (1 - wu) * wv;
  out.w11 = wu * wv;
  return out;
}
