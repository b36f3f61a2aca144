"""DSC and HD95 exactly as docs/CONTRACTS.md section 6 defines them (shared with the batch command).

- DSC = 2|A n B| / (|A| + |B|); organs absent from the reference (or not annotated) are not scored.
- HD95 (mm): surface voxels have at least one of their 6 face neighbours outside the mask (voxels on the
  volume border count as surface); distances in mm (anisotropic) from each surface voxel of A to the nearest
  surface voxel of B and back; HD95 = max(P95(A->B), P95(B->A)), numpy's default (linear) percentile.
  An empty prediction gives DSC 0 and HD95 None.
Arrays are [K, R, C] with spacing (column, row, slice) in mm.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

_SIX = ndi.generate_binary_structure(3, 1)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    sa, sb = int(a.sum()), int(b.sum())
    if sa + sb == 0:
        return 1.0
    return 2.0 * int(np.logical_and(a, b).sum()) / (sa + sb)


def _surface(mask: np.ndarray) -> np.ndarray:
    return mask & ~ndi.binary_erosion(mask, structure=_SIX, border_value=0)


def hd95(a: np.ndarray, b: np.ndarray, spacing_col_row_slice) -> float | None:
    """None when either mask is empty."""
    if not a.any() or not b.any():
        return None
    # crop to the union's bounding box plus one voxel (clamped at the volume, whose border stays surface)
    idx = np.nonzero(a | b)
    sl = tuple(slice(max(int(i.min()) - 1, 0), int(i.max()) + 2) for i in idx)
    a, b = a[sl], b[sl]
    sx, sy, sz = spacing_col_row_slice
    sampling = (sz, sy, sx)
    sa, sb = _surface(a), _surface(b)
    da = ndi.distance_transform_edt(~sb, sampling=sampling)[sa]  # A's surface -> nearest surface of B
    db = ndi.distance_transform_edt(~sa, sampling=sampling)[sb]
    return float(max(np.percentile(da, 95), np.percentile(db, 95)))


def score_case(pred: np.ndarray, ref: np.ndarray, spacing, organs) -> dict:
    """{channel: {'dsc', 'hd95Mm'}} for the given organ channels present in the reference."""
    out = {}
    for c in organs:
        r = ref == c
        if not r.any():
            continue
        p = pred == c
        if not p.any():
            out[c] = {'dsc': 0.0, 'hd95Mm': None}
            continue
        out[c] = {'dsc': dice(p, r), 'hd95Mm': hd95(p, r, spacing)}
    return out
