/**
 * The post-processing of the CPU backends (wasm, cpu) as a hand-written typed-array kernel whose labels
 * are bit-identical to postprocessReference (postprocess.ref.ts), about an order of magnitude faster.
 *
 * Idea: decide on the model grid (S x S points, ~7x fewer than CT pixels) and run the reference's
 * per-pixel float64 code (classifyPixel, shared) only in the grid cells where the decision is not
 * certified. With z = f + log a, the reference label is c (an organ of the protocol P) iff
 *   G_c(z) = z_c - max(LSE_B(z), max_{k in P, k != c} z_k) > 0     (B = background + organs outside P)
 * and background iff LSE_B(z) >= max_P z. G_c is concave in z (linear minus a maximum of convex
 * functions), and the bilinear sample is a convex combination of the cell's four corner logits, so
 * G_c(sample) >= min over the corners of G_c. Hence: if all four corners are organ c with margin above
 * a rounding threshold, every CT pixel in the cell is c. For background the concave lower bound
 * H_b(z) = z_b - max_P z <= LSE_B(z) - max_P z is used with ONE channel b in B for the whole cell.
 * Per corner, LSE_B is bounded above by max_B z + log |B| and computed exactly only when that bound
 * does not settle it. A cell whose certificate fails (organ boundaries, near-ties, NaN or infinite
 * logits) is computed pixel by pixel with the reference's own code, so ties and non-finite values
 * follow the reference's rules exactly (first maximum wins, background wins ties with organs).
 *
 * The certificate margin must exceed THRESHOLD_REL * (1 + max |z| of the slice): the float64
 * rounding of the reference's bilinear sum and softmax is ~1e-15 of that magnitude, six orders below.
 */
import {
  bilinearTap,
  classifyPixel,
  ctPixelToModel,
  logAttention,
  newTap,
  pixelScratch,
  type PostprocessParams,
} from './postprocess.ref';

export const THRESHOLD_REL = 1e-9;
const UNCERTAIN = 255;

export interface FastPostprocessStats {
  /** CT pixels inside the grid */
  pixels: number;
  /** of which computed with the per-pixel reference code */
  exact: number;
}

export class FastPostprocessor {
  private readonly p: PostprocessParams;
  private readonly S: number;
  private readonly C: number;
  private readonly npx: number;
  /** per CT pixel: y0 * S + x0 of its bilinear cell, -1 outside the grid */
  private readonly cell: Int32Array;
  private readonly inP: Uint8Array;
  private readonly nB: number;
  private readonly nP: number;
  // per grid point, rebuilt for every slice
  private readonly gLabel: Uint8Array;
  private readonly gArg: Uint8Array;
  private readonly gMargin: Float64Array;
  private readonly gTop: Float64Array;
  private readonly cellLabel: Uint8Array;
  private readonly logA: Float64Array;
  private readonly scratch;
  private readonly tap = newTap();
  readonly stats: FastPostprocessStats = { pixels: 0, exact: 0 };

  constructor(p: PostprocessParams) {
    this.p = p;
    const S = (this.S = p.size);
    const C = (this.C = p.mask.length);
    const npx = (this.npx = p.cols * p.rows);
    this.cell = new Int32Array(npx);
    for (let j = 0, n = 0; j < p.rows; j++) {
      for (let i = 0; i < p.cols; i++, n++) {
        const uv = ctPixelToModel(p, i, j);
        if (!uv) {
          this.cell[n] = -1;
          continue;
        }
        const t = bilinearTap(S, uv[0], uv[1], this.tap);
        this.cell[n] = t.y0 * S + t.x0;
      }
    }
    this.inP = new Uint8Array(C);
    let nP = 0;
    for (let c = 1; c < C; c++) {
      if (p.mask[c]) {
        this.inP[c] = 1;
        nP++;
      }
    }
    this.nP = nP;
    this.nB = C - nP;
    this.gLabel = new Uint8Array(S * S);
    this.gArg = new Uint8Array(S * S);
    this.gMargin = new Float64Array(S * S);
    this.gTop = new Float64Array(S * S);
    this.cellLabel = new Uint8Array(S * S);
    this.logA = new Float64Array(C);
    this.scratch = pixelScratch(C);
  }

  /**
   * Labels (and, when `confidence` is given, the reference's float confidence, which needs every
   * pixel computed exactly) of model slice b of seg [B, S, S, C] / attention [B, C], written into
   * labels[0..npx) / confidence[0..npx).
   */
  run(seg: Float32Array, attention: ArrayLike<number>, b: number, labels: Uint8Array, confidence?: Float32Array): void {
    const { S, C, npx, p } = this;
    const base = b * S * S * C;
    if (seg.length < base + S * S * C) throw new Error(`seg has ${seg.length} values, slice ${b} needs ${base + S * S * C}`);
    const logA = logAttention(attention, b, C, this.logA);
    if (!confidence) this.certify(seg, base);
    const cellLabel = this.cellLabel;
    const cell = this.cell;
    const scratch = this.scratch;
    const tap = this.tap;
    let pixels = 0;
    let exact = 0;
    for (let n = 0; n < npx; n++) {
      const k = cell[n];
      if (k < 0) {
        labels[n] = 0;
        if (confidence) confidence[n] = 0;
        continue;
      }
      pixels++;
      const l = confidence ? UNCERTAIN : cellLabel[k];
      if (l !== UNCERTAIN) {
        labels[n] = l;
        continue;
      }
      exact++;
      const j = (n / p.cols) | 0;
      const uv = ctPixelToModel(p, n - j * p.cols, j)!;
      labels[n] = classifyPixel(seg, base, S, bilinearTap(S, uv[0], uv[1], tap), logA, p.mask, scratch);
      if (confidence) confidence[n] = scratch.confidence;
    }
    this.stats.pixels += pixels;
    this.stats.exact += exact;
  }

  /** Fills cellLabel: the certified label of every cell, or UNCERTAIN. */
  private certify(seg: Float32Array, base: number): void {
    const { S, C, inP, nB, gLabel, gArg, gMargin, gTop, cellLabel } = this;
    const la = this.logA;
    const logNB = Math.log(nB);
    if (this.nP === 0) {
      // no organ in the protocol: q_0 = 1 > 0 = q_c, or NaN where every comparison fails: label 0
      cellLabel.fill(0);
      return;
    }
    let maxAbs = 0;
    for (let g = 0; g < S * S; g++) {
      const o = base + g * C;
      let mB = -Infinity;
      let bArg = 0;
      let zt = -Infinity;
      let zs = -Infinity;
      let tArg = 0;
      let acc = 0;
      for (let c = 0; c < C; c++) {
        const z = seg[o + c] + la[c];
        acc += z;
        if (inP[c]) {
          if (z > zt) {
            zs = zt;
            zt = z;
            tArg = c;
          } else if (z > zs) zs = z;
        } else if (z > mB) {
          mB = z;
          bArg = c;
        }
      }
      if (!Number.isFinite(acc)) {
        // NaN or infinite logits: no certificate, the reference's own rules decide
        gLabel[g] = UNCERTAIN;
        gMargin[g] = NaN;
        continue;
      }
      const a = Math.abs(zt) > Math.abs(mB) ? Math.abs(zt) : Math.abs(mB);
      if (a > maxAbs) maxAbs = a;
      gTop[g] = zt;
      if (zt > mB) {
        // organ candidate: LSE_B <= mB + log |B|, exact when that bound does not settle it
        let lse = mB + logNB;
        let m = zt - (lse > zs ? lse : zs);
        if (!(m > 0) && nB > 1) {
          let sum = 0;
          for (let c = 0; c < C; c++) if (!inP[c]) sum += Math.exp(seg[o + c] + la[c] - mB);
          lse = mB + Math.log(sum);
          m = zt - (lse > zs ? lse : zs);
        }
        gLabel[g] = tArg;
        gMargin[g] = m;
      } else {
        gLabel[g] = 0;
        gArg[g] = bArg;
        gMargin[g] = mB - zt;
      }
    }
    const thr = THRESHOLD_REL * (1 + maxAbs);
    for (let y0 = 0; y0 < S; y0++) {
      const y1 = y0 + 1 < S ? y0 + 1 : y0;
      for (let x0 = 0; x0 < S; x0++) {
        const x1 = x0 + 1 < S ? x0 + 1 : x0;
        const g00 = y0 * S + x0;
        const g10 = y0 * S + x1;
        const g01 = y1 * S + x0;
        const g11 = y1 * S + x1;
        const l = gLabel[g00];
        let ok =
          l !== UNCERTAIN &&
          gLabel[g10] === l &&
          gLabel[g01] === l &&
          gLabel[g11] === l &&
          gMargin[g00] > thr &&
          gMargin[g10] > thr &&
          gMargin[g01] > thr &&
          gMargin[g11] > thr;
        if (ok && l === 0) {
          // one background channel b for the whole cell: z_b - max_P z > thr at every corner
          const bc = gArg[g00];
          if (gArg[g10] !== bc || gArg[g01] !== bc || gArg[g11] !== bc) {
            const lb = la[bc];
            ok =
              seg[base + g00 * C + bc] + lb - gTop[g00] > thr &&
              seg[base + g10 * C + bc] + lb - gTop[g10] > thr &&
              seg[base + g01 * C + bc] + lb - gTop[g01] > thr &&
              seg[base + g11 * C + bc] + lb - gTop[g11] > thr;
          }
        }
        cellLabel[g00] = ok ? l : UNCERTAIN;
      }
    }
  }
}
