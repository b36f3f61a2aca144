/**
 * A label volume on some other grid (a NIfTI file with an affine) -> labels on the CT grid, nearest neighbour
 * in patient space. Used for ground-truth label maps (the example's labels.nii.gz) and reference labels in tests.
 * Pure: works on the NIfTI affine and the CtVolume geometry only.
 */
import type { CtVolume } from '../volume/volume';

export interface GriddedLabels {
  /** Voxels along the file's three axes; data index = a + b * dims[0] + c * dims[0] * dims[1]. */
  dims: readonly [number, number, number];
  /** 4x4 voxel -> RAS (mm) affine, row-major (NIfTI sform/qform convention). */
  affineRas: readonly number[];
  data: ArrayLike<number>;
}

function invert4(m: readonly number[]): number[] {
  // affine: invert the 3x3 and the translation
  const [a, b, c, d, e, f, g, h, i] = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('singular affine');
  const r = [
    (e * i - f * h) / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    (f * g - d * i) / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
  const t = [m[3], m[7], m[11]];
  return [
    r[0],
    r[1],
    r[2],
    -(r[0] * t[0] + r[1] * t[1] + r[2] * t[2]),
    r[3],
    r[4],
    r[5],
    -(r[3] * t[0] + r[4] * t[1] + r[5] * t[2]),
    r[6],
    r[7],
    r[8],
    -(r[6] * t[0] + r[7] * t[1] + r[8] * t[2]),
  ];
}

/**
 * Labels of `src` at every CT voxel centre (0 outside the source grid). With `map`, source values are
 * translated (e.g. TotalSegmentator label -> organ channel; unmapped values become 0).
 */
export function resampleLabelsToCt(src: GriddedLabels, ct: CtVolume, map?: ReadonlyMap<number, number>): Uint8Array {
  const [cols, rows, nk] = ct.dims;
  const [n0, n1, n2] = src.dims;
  const inv = invert4(src.affineRas);
  // LPS -> RAS flips x and y; fold that into the inverse
  const toIdx = (x: number, y: number, z: number): [number, number, number] => {
    const R = -x;
    const A = -y;
    return [
      inv[0] * R + inv[1] * A + inv[2] * z + inv[3],
      inv[4] * R + inv[5] * A + inv[6] * z + inv[7],
      inv[8] * R + inv[9] * A + inv[10] * z + inv[11],
    ];
  };
  const [sx, sy] = ct.spacing;
  const dx = ct.rowCosines.map((c) => c * sx);
  const dy = ct.colCosines.map((c) => c * sy);
  const out = new Uint8Array(cols * rows * nk);
  const lut = map ? new Int16Array(65536).fill(-1) : null;
  if (map && lut) for (const [from, to] of map) if (from >= 0 && from < 65536) lut[from] = to;
  for (let k = 0; k < nk; k++) {
    const p = ct.slices[k].position;
    const b = toIdx(p[0], p[1], p[2]);
    const bi = toIdx(p[0] + dx[0], p[1] + dx[1], p[2] + dx[2]).map((v, a) => v - b[a]);
    const bj = toIdx(p[0] + dy[0], p[1] + dy[1], p[2] + dy[2]).map((v, a) => v - b[a]);
    const base = k * cols * rows;
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const a = Math.round(b[0] + i * bi[0] + j * bj[0]);
        const bb = Math.round(b[1] + i * bi[1] + j * bj[1]);
        const c = Math.round(b[2] + i * bi[2] + j * bj[2]);
        if (a < 0 || bb < 0 || c < 0 || a >= n0 || bb >= n1 || c >= n2) continue;
        const v = src.data[a + bb * n0 + c * n0 * n1];
        if (v === 0) continue;
        if (lut) {
          const m = lut[v];
          if (m > 0) out[base + i + j * cols] = m;
        } else out[base + i + j * cols] = v;
      }
    }
  }
  return out;
}
