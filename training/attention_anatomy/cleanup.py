"""Clean-up after the network: the per-organ 3D connected-component rule of src/engine/cleanup.rules.json,
the same rule and parameters the app's engine applies (src/engine/cleanup.ts), with identical output
(training/tests/test_cleanup.py runs both on the same volumes).

Per organ channel: 26-connected components; those above maxComponentMl (when set) are dropped first;
of the rest the largest is kept (ties: first voxel first in raster order,
x fastest); another is kept when fewer than maxComponents are kept so far (largest first), its voxel count
>= minFraction x the largest's, its volume >= minMl and its bounding box is within maxGapMm of the
largest's (or, with chain, of any kept component: tubes broken along their length) (empty voxels between
the boxes per axis x spacing, Euclidean). Dropped voxels become 0.

Arrays are [K, R, C] (slice, row, column) with spacing (column, row, slice) in mm, as in metrics.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from .organs import REPO_ROOT, channel_of

RULES_PATH = REPO_ROOT / 'src' / 'engine' / 'cleanup.rules.json'
_26 = np.ones((3, 3, 3), dtype=bool)


@dataclass(frozen=True)
class Rule:
    max_components: int | None
    min_fraction: float
    min_ml: float
    max_gap_mm: float
    max_component_ml: float | None = None
    chain: bool = False


def rules_from_table(table: dict) -> dict[int, Rule]:
    out = {}
    for name, cls in table['organs'].items():
        c = table['classes'][cls]
        out[channel_of(name)] = Rule(c.get('maxComponents'), float(c.get('minFraction', 0)), float(c.get('minMl', 0)), float(c.get('maxGapMm', 0)),
                                     None if c.get('maxComponentMl') is None else float(c['maxComponentMl']),
                                     bool(c.get('chain', False)))
    return out


RULES: dict[int, Rule] = rules_from_table(json.loads(RULES_PATH.read_text()))


def box_gap_squared_mm(a, b, spacing) -> float:
    """a, b: [xlo, xhi, ylo, yhi, zlo, zhi] inclusive voxel indices; spacing (x, y, z) mm."""
    s = 0.0
    for ax in range(3):
        g = max(0, b[2 * ax] - a[2 * ax + 1] - 1, a[2 * ax] - b[2 * ax + 1] - 1) * float(spacing[ax])
        s += g * g
    return s


def decide(comps: list[tuple[int, list[int]]], rule: Rule, spacing, voxel_ml: float) -> list[bool]:
    """comps: (voxel count, box) in raster order of their first voxel. Twin of decide() in cleanup.ts."""
    keep = [False] * len(comps)
    cap = rule.max_component_ml
    order = sorted((i for i in range(len(comps)) if cap is None or comps[i][0] * voxel_ml <= cap), key=lambda i: (-comps[i][0], i))
    if not order:
        return keep
    big = comps[order[0]]
    keep[order[0]] = True
    kept = 1
    full = lambda: rule.max_components is not None and kept >= rule.max_components  # noqa: E731
    max_gap2 = rule.max_gap_mm * rule.max_gap_mm
    cands = [i for i in order[1:] if comps[i][0] >= rule.min_fraction * big[0] and comps[i][0] * voxel_ml >= rule.min_ml]
    if not rule.chain:
        for i in cands:
            if full():
                break
            if box_gap_squared_mm(comps[i][1], big[1], spacing) > max_gap2:
                continue
            keep[i] = True
            kept += 1
        return keep
    # chain: within max_gap_mm of any kept component (breadth first from the largest, candidates largest first)
    queue = [order[0]]
    q = 0
    while q < len(queue) and not full():
        src = comps[queue[q]][1]
        q += 1
        for i in cands:
            if full():
                break
            if keep[i] or box_gap_squared_mm(comps[i][1], src, spacing) > max_gap2:
                continue
            keep[i] = True
            kept += 1
            queue.append(i)
    return keep


def cleanup_labels(pred: np.ndarray, spacing, rules: dict[int, Rule] | None = None, report: list | None = None) -> np.ndarray:
    """A cleaned copy of the uint8 label volume pred [K, R, C]; spacing (column, row, slice) mm.
    With `report` (a list), appends {channel, components, kept, voxelsRemoved} per organ present."""
    rules = RULES if rules is None else rules
    out = pred.copy()
    sx, sy, sz = (float(s) for s in spacing)
    voxel_ml = sx * sy * sz / 1000
    objs = ndi.find_objects(pred.astype(np.int32, copy=False)) if pred.any() else []
    for idx, sl in enumerate(objs):
        c = idx + 1
        if sl is None:
            continue
        crop = pred[sl] == c
        lab, n = ndi.label(crop, structure=_26)
        rule = rules.get(c)
        if rule is None or (n == 1 and rule.max_component_ml is None):
            if report is not None:
                report.append({'channel': c, 'components': n, 'kept': n, 'voxelsRemoved': 0})
            continue
        counts = np.bincount(lab.ravel(), minlength=n + 1)
        # component ids in raster order of their first voxel
        ids, first = np.unique(lab.ravel(), return_index=True)
        ids, first = ids[ids > 0], first[ids > 0]
        ids = ids[np.argsort(first, kind='stable')]
        boxes = ndi.find_objects(lab)
        z0, y0, x0 = (s.start for s in sl)
        comps = []
        for i in ids:
            bz, by, bx = boxes[i - 1]
            comps.append((int(counts[i]), [x0 + bx.start, x0 + bx.stop - 1, y0 + by.start, y0 + by.stop - 1, z0 + bz.start, z0 + bz.stop - 1]))
        keep = decide(comps, rule, (sx, sy, sz), voxel_ml)
        dropped = [int(i) for i, k in zip(ids, keep) if not k]
        if dropped:
            view = out[sl]
            view[np.isin(lab, dropped)] = 0
        if report is not None:
            report.append({'channel': c, 'components': n, 'kept': int(sum(keep)),
                           'voxelsRemoved': int(sum(comps[j][0] for j, k in enumerate(keep) if not k))})
    return out
