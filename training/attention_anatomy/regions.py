"""Per-slice region classes (CONTRACTS 1) for CT scans that do not come with them (OpenKBP).

Rule, on the CT alone (OpenKBP has no lung contours):
- internal air: in-slice connected components of HU < -400 that do not touch the slice border (air outside
  the body always does);
- lung slice: the internal-air components whose centroid lies at least 20 mm left or right of the body's
  centre line and whose area is at least 100 mm^2 add up to at least 300 mm^2, the slice lies below every
  head & neck landmark organ (when labels are given), and the lungs reach 1500 mm^2 on some slice (the
  maxillary sinuses and mastoid cells, also lateral air, stay below that);
- lung apex = the most superior slice of the run of lung slices (gaps of at most 2 slices) that contains the
  most inferior lung slice: maxillary sinuses are lateral air too, but the neck separates them from the
  lungs, so they never join that run;
- carina: going inferior from the apex, the first slice where the trachea (an internal-air component within
  12 mm of the centre line, 50-1000 mm^2) is absent on 2 consecutive slices while the lungs are present;
  if none is found within 120 mm, or it is closer than 30 mm to the apex, apex - 75 mm (typical adult
  distance from the thoracic inlet to the carina) is used.
Classes: head (0) superior to the apex, upper_chest (1) from the apex to the carina, chest (2) below. Head &
neck scans end well above the diaphragm, so classes 3 and 4 never occur.
OpenKBP CTs are masked: outside a region around the treated volume voxels are -1024, and in many scans
the lower slices show little more than the spine, so the lungs are not visible. When no lung is found,
the slices from the most inferior slice of a head & neck landmark organ (`head_landmarks`: label map
channels such as Larynx, Bone_Mandible, Parotid, Brainstem, all above the thoracic inlet) up to the
vertex are head, and the slices below get -1 (unknown; ignored by the region loss). Slices are ordered inferior ->
superior (index 0 = most inferior) as everywhere in the training package.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

HEAD, UPPER_CHEST, CHEST = 0, 1, 2


def _slice_features(sl: np.ndarray, px_area: float, px_mm: float):
    body = ndi.binary_fill_holes(sl > -300)
    lab, n = ndi.label(body)
    if n == 0:
        return 0.0, False
    sizes = ndi.sum(body, lab, range(1, n + 1))
    body = lab == (1 + int(np.argmax(sizes)))
    cx = np.nonzero(body)[1].mean()
    air = sl < -400
    lab, n = ndi.label(air)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    lung_area, trachea = 0.0, False
    if n:
        idx = np.arange(1, n + 1)
        areas = ndi.sum(air, lab, idx) * px_area
        cols = ndi.center_of_mass(air, lab, idx)
        for lbl, a, (cy_, cx_) in zip(idx, areas, cols):
            if lbl in border:
                continue
            dx = abs(cx_ - cx) * px_mm
            if dx >= 20 and a >= 100:
                lung_area += a
            elif dx < 12 and 50 <= a <= 1000:
                trachea = True
    return lung_area, trachea


UNKNOWN = -1


def derive_regions(hu: np.ndarray, spacing_col_row_slice, labels: np.ndarray | None = None,
                   head_landmarks=()) -> np.ndarray:
    """Region class per slice (-1 = unknown) for a CT [K, R, C] ordered inferior -> superior; labels
    [K, R, C] (channel numbers) and head_landmarks (channels) are used when no lung is visible."""
    sx, sy, sz = spacing_col_row_slice
    K = hu.shape[0]
    feats = [_slice_features(hu[k], sx * sy, sx) for k in range(K)]
    lung = np.array([f[0] >= 300 for f in feats])
    trachea = np.array([f[1] for f in feats])
    regions = np.full(K, HEAD, dtype=np.int8)
    landmark_lo = None
    if labels is not None and len(head_landmarks):
        present = np.isin(labels, list(head_landmarks)).reshape(K, -1).any(axis=1)
        if present.any():
            landmark_lo = int(np.nonzero(present)[0][0])
            lung[landmark_lo:] = False  # lungs lie below the mandible, parotids and larynx
    if lung.any():
        # keep only a run of lung slices that reaches a real lung size somewhere (sinuses do not)
        big = np.array([f[0] >= 1500 for f in feats]) & lung
        if not big.any():
            lung[:] = False
    if not lung.any():
        if landmark_lo is None:
            return np.full(K, UNKNOWN, dtype=np.int8)
        regions[:landmark_lo] = UNKNOWN
        return regions
    k = int(np.nonzero(lung)[0][0])  # most inferior lung slice
    apex, gap = k, 0
    while k + 1 < K and gap <= 2:
        k += 1
        if lung[k]:
            apex, gap = k, 0
        else:
            gap += 1
    carina = None
    k = apex - 1
    while k >= 1 and (apex - k) * sz <= 120:
        if not trachea[k] and not trachea[k - 1] and lung[k]:
            carina = k
            break
        k -= 1
    if carina is None or (apex - carina) * sz < 30:
        carina = apex - int(round(75 / sz))
    regions[:apex + 1] = UPPER_CHEST
    if carina >= 0:
        regions[:carina + 1] = CHEST
    return regions
