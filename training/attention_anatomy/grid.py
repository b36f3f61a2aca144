"""The model grid of docs/CONTRACTS.md section 3, as a plain numpy reference (evaluation, tests, prepare).

A Volume holds voxel data [K, R, C] (slice, row, column; the TypeScript flat index i + j*C + k*C*R) and the
affine from (i, j, k) to LPS mm. Model pixel (u, v) of plane d for the prediction at CT slice k lies at
    X = C_k + ((u - h) s, (v - h) s, d t),   h = (S - 1) / 2,
C_k = LPS centre of slice k's image area (continuous pixel ((C-1)/2, (R-1)/2)). X is mapped back to a
continuous voxel index (i, j, k'); k' is clamped to the volume (planes outside repeat the edge slice) and
sampled linearly between slices; (i, j) bilinearly, clamped at the edge pixels, and model pixels outside
the image area [-0.5, C-0.5] x [-0.5, R-0.5] get huMin. The same [-0.5, S-0.5] rule with edge clamping holds
when logits are sampled back at CT pixel centres (src/engine/programs/postprocess.ref.ts).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .nifti import read_nifti

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


@dataclass(frozen=True)
class GridSpec:
    size: int = 192  # S
    spacing: float = 2.0  # s, mm
    slice_spacing: float = 2.5  # t, mm
    planes: int = 5
    hu_min: float = -1000.0
    hu_max: float = 1500.0
    hu_offset: float = 0.0
    hu_scale: float = 1000.0

    def normalise(self, hu):
        return (np.clip(hu, self.hu_min, self.hu_max) - self.hu_offset) / self.hu_scale


@dataclass
class Volume:
    data: np.ndarray  # [K, R, C]
    affine: np.ndarray  # 4x4, (i, j, k, 1) -> LPS mm
    meta: dict = field(default_factory=dict)

    @property
    def shape(self):
        return self.data.shape

    @staticmethod
    def from_nifti(path) -> 'Volume':
        arr, ras = read_nifti(path)
        if arr.ndim != 3:
            raise ValueError(f'{path}: expected a 3D image, got shape {arr.shape}')
        return Volume(np.ascontiguousarray(arr.transpose(2, 1, 0)), RAS_TO_LPS @ ras)

    def spacing(self) -> np.ndarray:
        """(column, row, slice) spacing in mm."""
        return np.linalg.norm(self.affine[:3, :3], axis=0)

    def slice_centre(self, k) -> np.ndarray:
        """LPS centre of slice k's image area; k may be an array -> [len(k), 3]."""
        K, R, C = self.data.shape
        k = np.asarray(k, dtype=np.float64)
        idx = np.stack([np.full_like(k, (C - 1) / 2), np.full_like(k, (R - 1) / 2), k, np.ones_like(k)], axis=-1)
        return (idx @ self.affine.T)[..., :3]

    def z_positions(self) -> np.ndarray:
        return self.slice_centre(np.arange(self.data.shape[0]))[:, 2]


def model_points(vol: Volume, k: int, spec: GridSpec) -> np.ndarray:
    """LPS positions [planes, S, S, 3] of the model pixels for the prediction at CT slice k."""
    S, s, t = spec.size, spec.spacing, spec.slice_spacing
    h = (S - 1) / 2
    d = np.arange(spec.planes) - spec.planes // 2
    off = (np.arange(S) - h) * s
    X = np.empty((spec.planes, S, S, 3))
    X[..., 0] = off[None, None, :]  # u along +x (columns)
    X[..., 1] = off[None, :, None]  # v along +y (rows)
    X[..., 2] = (d * t)[:, None, None]
    return X + vol.slice_centre(k)


def voxel_coords(vol: Volume, X: np.ndarray) -> np.ndarray:
    """Continuous (i, j, k) of LPS points X [..., 3]."""
    inv = np.linalg.inv(vol.affine)
    return X @ inv[:3, :3].T + inv[:3, 3]


def sample_hu(vol: Volume, ijk: np.ndarray, outside: float) -> np.ndarray:
    """Trilinear-by-parts sampling of vol.data at continuous (i, j, k) [..., 3] per CONTRACTS 3."""
    K, R, C = vol.data.shape
    i, j, k = ijk[..., 0], ijk[..., 1], np.clip(ijk[..., 2], 0, K - 1)
    inside = (i >= -0.5) & (i <= C - 0.5) & (j >= -0.5) & (j <= R - 0.5)
    i, j = np.clip(i, 0, C - 1), np.clip(j, 0, R - 1)
    i0, j0, k0 = np.floor(i).astype(int), np.floor(j).astype(int), np.floor(k).astype(int)
    i1, j1, k1 = np.minimum(i0 + 1, C - 1), np.minimum(j0 + 1, R - 1), np.minimum(k0 + 1, K - 1)
    wi, wj, wk = i - i0, j - j0, k - k0
    d = vol.data

    def plane(kk):
        return ((1 - wj) * ((1 - wi) * d[kk, j0, i0] + wi * d[kk, j0, i1])
                + wj * ((1 - wi) * d[kk, j1, i0] + wi * d[kk, j1, i1]))

    val = (1 - wk) * plane(k0) + wk * plane(k1)
    return np.where(inside, val, outside)


def sample_window(vol: Volume, k: int, spec: GridSpec) -> np.ndarray:
    """Normalised model input [planes, S, S] (float32) for the prediction at CT slice k."""
    hu = sample_hu(vol, voxel_coords(vol, model_points(vol, k, spec)), spec.hu_min)
    return spec.normalise(hu).astype(np.float32)


def sample_labels_nearest(vol: Volume, k: int, spec: GridSpec) -> np.ndarray:
    """Label map of CT slice k on the model grid (nearest neighbour; 0 outside the image) [S, S]."""
    X = model_points(vol, k, GridSpec(spec.size, spec.spacing, spec.slice_spacing, 1))[0]
    ijk = voxel_coords(vol, X)
    K, R, C = vol.data.shape
    i, j = np.rint(ijk[..., 0]).astype(int), np.rint(ijk[..., 1]).astype(int)
    inside = (i >= 0) & (i < C) & (j >= 0) & (j < R)
    out = vol.data[k, np.clip(j, 0, R - 1), np.clip(i, 0, C - 1)]
    return np.where(inside, out, 0).astype(np.uint8)


def ct_pixel_model_coords(vol: Volume, k: int, spec: GridSpec) -> tuple[np.ndarray, np.ndarray]:
    """Continuous model coordinates (u, v) [R, C] of the CT pixel centres of slice k (the inverse map)."""
    K, R, C = vol.data.shape
    jj, ii = np.meshgrid(np.arange(R), np.arange(C), indexing='ij')
    X = np.stack([ii, jj, np.full_like(ii, k), np.ones_like(ii)], axis=-1) @ vol.affine.T
    rel = X[..., :3] - vol.slice_centre(k)
    h = (spec.size - 1) / 2
    return h + rel[..., 0] / spec.spacing, h + rel[..., 1] / spec.spacing


def model_to_ct(values: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bilinear sample of model-grid values [Ch, S, S] at (u, v) [R, C], clamped at the grid edge.
    Returns (samples [Ch, R, C], inside [R, C]); pixels with inside False must get label 0."""
    S = values.shape[-1]
    inside = (u >= -0.5) & (u <= S - 0.5) & (v >= -0.5) & (v <= S - 0.5)
    uc, vc = np.clip(u, 0, S - 1), np.clip(v, 0, S - 1)
    u0, v0 = np.floor(uc).astype(int), np.floor(vc).astype(int)
    u1, v1 = np.minimum(u0 + 1, S - 1), np.minimum(v0 + 1, S - 1)
    wu, wv = uc - u0, vc - v0
    out = ((1 - wv) * ((1 - wu) * values[:, v0, u0] + wu * values[:, v0, u1])
           + wv * ((1 - wu) * values[:, v1, u0] + wu * values[:, v1, u1]))
    return out, inside
