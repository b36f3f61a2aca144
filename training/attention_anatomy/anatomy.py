"""Pack the real-anatomy label maps (`../shared/data/anatomy`) into the training cache for CT synthesis.

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.anatomy --cache .train-cache --root ../shared/data/anatomy

(`prepare --anatomy DIR` calls the same; `--more ../shared/data/anatomy-more` packs the raw sources of that folder,
totalseg-more and flare22, see anatomy_more.py.) Each subject becomes `anatomy-<id>.xz` (lzma of one uint8 map
[K, R, C]) on a canonical grid (+x patient left, +y posterior, +z superior; 1.5 x 1.5 mm in-plane, 2.5 mm
slices, nearest-neighbour resampling, also of the slightly oblique TotalSegmentator grids), plus an entry
in `anatomy.json`. The uint8 value is a *compact label*: one per distinct (generation label, target
channel) pair of the subject, with a table compact label -> (tissue class, HU range, enhanced HU range,
target channel 0..33). `synth.py` turns a map into a CT and its labels33 target on the GPU.

Rules (documented in training/README.md, "Model v2"):
- whole bones of TotalSegmentator / DeepMind / SPL: a 1.5 mm cortical shell and a spongiosa interior;
- body (sources without a body outline: TotalSegmentator, DeepMind, SPL abdomen): the per-slice hull of
  all labels (closing 15 mm, holes filled) gets `residual` (torso) or `soft` (head & neck) where unlabelled,
  then outward an 8 mm muscle band (DeepMind: 20 mm on slices without brain, where the neck muscles are
  unlabelled, 3 mm of scalp on slices with brain), an 18 mm subcutaneous fat band and 2 mm of skin; SPL head uses its
  `head_outline` instead of the hull;
- skull (DeepMind, SPL head: no bones): the brain labels closed (6 mm) and filled per slice are the
  intracranial space (its unlabelled voxels CSF); unlabelled voxels within 7 mm outside it are bone; within
  5 mm of a cochlea petrous bone (cortical); within 12 mm of the spinal canal a vertebra (spongiosa + shell);
- couch: a 6 mm slab 5-11 mm posterior to the body, across the body's width (class `table`, HU -1000..300);
- SPL abdomen is child-sized: its voxel size is scaled by 1.4 (organ volumes x 2.7), documented;
- annotation per source from `annotated33.tsv`: '1' and 't' (truncated by the map's extent, where the
  synthetic image ends too) are annotated; 'p' (partial definition) is not annotated by default (its
  voxels become background and HPA ignores the channel; `partial='annotate'` keeps them); an annotated
  channel with no voxel in a subject (5 DeepMind scans without submandibular glands) is not annotated there.
- TMJ (channels 19, 20): no source has them and no geometric rule is applied: they stay unannotated in
  the synthesized samples (HPA); the phantoms teach them.
"""
from __future__ import annotations

import argparse
import csv
import json
import lzma
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from .grid import RAS_TO_LPS
from .nifti import read_nifti
from .organs import CHANNEL_NAMES, NUM_CHANNELS, channel_of
from .parallel import default_workers, ordered_map
from .regions import UNKNOWN
from .tissues import TISSUE_INDEX, TISSUE_NAMES, TISSUES, tissue_of

ANATOMY_FORMAT = 'attention-anatomy-anatomy/1'
SPACING = (1.5, 1.5, 2.5)  # x, y, z mm
BONE_SHELL_MM = 1.5
BODY_CLOSE_MM, MUSCLE_MM, FAT_MM, SKIN_MM = 15.0, 8.0, 18.0, 2.0
NECK_MUSCLE_MM = 20.0  # DeepMind slices without brain (neck, shoulders); 3 mm (scalp) on slices with brain
SKULL_MM, PETROUS_MM, VERTEBRA_MM = 7.0, 5.0, 12.0
TABLE_GAP_MM, TABLE_MM = 5.0, 6.0
SPL_ABDOMEN_SCALE = 1.4
# synthetic generation labels (beyond every source's own values)
SYN = {'residual': 60001, 'soft': 60002, 'muscle': 60003, 'fat': 60004, 'skin': 60005, 'skull': 60006,
       'petrous': 60007, 'vertebra': 60008, 'table': 60009, 'csf': 60010}
SHELL_OFFSET = 100000  # generation label of the cortical shell of whole bone g: g + SHELL_OFFSET


def resample_to_canonical(arr: np.ndarray, ras: np.ndarray, spacing=SPACING, scale: float = 1.0,
                          grid=None) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour resampling of a NIfTI array [i, j, k] onto an axis-aligned LPS grid [K, R, C].

    Returns (data [K, R, C], origin LPS mm of voxel (0, 0, 0)). `grid` = (origin, shape) reuses a grid
    (for a second map of the same subject); `scale` multiplies the voxel size (SPL abdomen)."""
    A = RAS_TO_LPS @ ras
    A = A.copy()
    A[:3, :3] *= scale
    if grid is None:
        n = np.array(arr.shape) - 1
        corners = np.array([[a, b, c, 1] for a in (0, n[0]) for b in (0, n[1]) for c in (0, n[2])], float) @ A.T
        lo, hi = corners[:, :3].min(0), corners[:, :3].max(0)
        shape = tuple(int(v) for v in (np.floor((hi - lo) / np.array(spacing)) + 1)[::-1])  # K, R, C
        origin = lo
    else:
        origin, shape = grid
    K, R, C = shape
    inv = np.linalg.inv(A)
    out = np.zeros(shape, arr.dtype)
    xs = origin[0] + np.arange(C) * spacing[0]
    ys = origin[1] + np.arange(R) * spacing[1]
    yy, xx = np.meshgrid(ys, xs, indexing='ij')
    for k in range(K):
        z = origin[2] + k * spacing[2]
        pts = np.stack([xx.ravel(), yy.ravel(), np.full(xx.size, z), np.ones(xx.size)])
        ijk = np.rint(inv[:3] @ pts).astype(np.int64)
        ok = np.all((ijk >= 0) & (ijk < np.array(arr.shape)[:, None]), axis=0)
        vals = np.zeros(xx.size, arr.dtype)
        vals[ok] = arr[ijk[0, ok], ijk[1, ok], ijk[2, ok]]
        out[k] = vals.reshape(R, C)
    return out, np.asarray(origin, float)


def _dist_outside(mask: np.ndarray, spacing, planar: bool = False, reach_mm: float | None = None) -> np.ndarray:
    """Distance (mm) from each voxel outside `mask` to the mask (0 inside); planar = within the slice.

    With reach_mm the transform runs only on the mask's bounding box plus reach_mm (voxels beyond get inf):
    the exact distance wherever it is <= reach_mm, at a fraction of the cost for small masks."""
    sx, sy, sz = spacing
    out = np.full(mask.shape, np.inf)
    if not mask.any():
        return out
    sl = tuple(slice(None) for _ in range(3))
    if reach_mm is not None:
        idx = [np.nonzero(mask.any(axis=tuple(a for a in range(3) if a != ax)))[0] for ax in range(3)]
        m = [0 if planar else int(np.ceil(reach_mm / sz)) + 1, int(np.ceil(reach_mm / sy)) + 1,
             int(np.ceil(reach_mm / sx)) + 1]
        sl = tuple(slice(max(0, i[0] - mg), i[-1] + 1 + mg) for i, mg in zip(idx, m))
    sub = mask[sl]
    if planar:
        d = np.full(sub.shape, np.inf)
        for k in range(sub.shape[0]):
            if sub[k].any():
                d[k] = ndi.distance_transform_edt(~sub[k], sampling=(sy, sx))
    else:
        d = ndi.distance_transform_edt(~sub, sampling=(sz, sy, sx))
    out[sl] = d
    return out


def _coarse(fn, mask: np.ndarray, spacing, f: int = 2):
    """Run fn(mask, spacing) on an f-times coarser in-plane grid (max-pooled mask) and return the result
    upsampled (nearest) to mask's shape: distances good to about one coarse pixel, f^2 times cheaper."""
    K, R, C = mask.shape
    Rp, Cp = -(-R // f) * f, -(-C // f) * f
    m = np.zeros((K, Rp, Cp), bool)
    m[:, :R, :C] = mask
    m = m.reshape(K, Rp // f, f, Cp // f, f).any(axis=(2, 4))
    r = fn(m, (spacing[0] * f, spacing[1] * f, spacing[2]))
    return np.repeat(np.repeat(r, f, axis=1), f, axis=2)[:, :R, :C]


def body_hull(mask: np.ndarray, spacing, close_mm: float = BODY_CLOSE_MM) -> np.ndarray:
    """Per-slice closing (distance-based, close_mm) of `mask` with holes filled (on a 2x coarser grid)."""
    def closing(m, sp):
        dil = _dist_outside(m, sp, planar=True, reach_mm=close_mm + 3) <= close_mm
        ero = np.zeros_like(dil)
        for k in range(dil.shape[0]):  # erosion: distance inside the dilated mask, per slice
            if dil[k].any():
                ero[k] = ndi.distance_transform_edt(np.pad(dil[k], 1), sampling=sp[1::-1])[1:-1, 1:-1] > close_mm
        return ero
    hull = _coarse(closing, mask, spacing) | mask
    st = np.zeros((3, 3, 3), bool)
    st[1] = ndi.generate_binary_structure(2, 1)
    return ndi.binary_fill_holes(hull, structure=st)


def build_body(gen: np.ndarray, spacing, interior: str, hull: np.ndarray | None = None, muscle_mm=MUSCLE_MM) -> np.ndarray:
    """Add the body rule to a generation-label map without a body outline (see the module docstring).
    muscle_mm: band thickness, a number or one per slice [K]."""
    g = gen.copy()
    if hull is None:
        hull = body_hull(gen > 0, spacing)
    g[hull & (g == 0)] = SYN[interior]
    mm = np.broadcast_to(np.asarray(muscle_mm, float), (gen.shape[0],))[:, None, None]
    reach = float(mm.max()) + FAT_MM + SKIN_MM
    d = _dist_outside(hull, spacing, planar=True, reach_mm=reach + 2)
    g[(g == 0) & (d <= mm)] = SYN['muscle']
    g[(g == 0) & (d > mm) & (d <= mm + FAT_MM)] = SYN['fat']
    g[(g == 0) & (d > mm + FAT_MM) & (d <= mm + FAT_MM + SKIN_MM)] = SYN['skin']
    return g


def add_table(gen: np.ndarray, spacing) -> np.ndarray:
    """A couch slab posterior to the body (rows = +y = posterior)."""
    body = gen > 0
    if not body.any():
        return gen
    rows = np.nonzero(body.any(axis=(0, 2)))[0]
    cols = np.nonzero(body.any(axis=(0, 1)))[0]
    r0 = rows[-1] + 1 + int(round(TABLE_GAP_MM / spacing[1]))
    r1 = r0 + max(1, int(round(TABLE_MM / spacing[1])))
    g = gen
    if r1 <= g.shape[1]:
        g[:, r0:r1, cols[0]:cols[-1] + 1] = np.where(g[:, r0:r1, cols[0]:cols[-1] + 1] == 0, SYN['table'],
                                                     g[:, r0:r1, cols[0]:cols[-1] + 1])
    return g


def bone_shell(gen: np.ndarray, whole_bone_labels, spacing) -> np.ndarray:
    """Whole-bone labels: voxels within BONE_SHELL_MM of the bone's outer surface get label + SHELL_OFFSET."""
    g = gen.astype(np.int64)
    bone = np.isin(g, list(whole_bone_labels))
    if not bone.any():
        return g
    st = np.zeros((3, 3, 3), bool)
    st[1] = ndi.generate_binary_structure(2, 1)  # in-plane 4-neighbours: a one-pixel (1.5 mm) shell
    shell = bone & ~ndi.binary_erosion(bone, structure=st, border_value=1)
    g[shell] += SHELL_OFFSET
    return g


def regions_from_labels(lab33: np.ndarray, dz: float) -> np.ndarray:
    """Region class per slice (CONTRACTS 1) from a labels33 map [K, R, C] (slices inferior -> superior).

    Landmarks: lung apex (top lung slice), carina (lowest trachea slice; else apex - 75 mm), diaphragm dome
    (top liver slice), lower pole of the lower kidney. A landmark on the map's top or bottom slice is
    truncated, so unknown; slices whose class depends on an unknown landmark are -1."""
    K = lab33.shape[0]
    present = lambda chs: np.isin(lab33, chs).reshape(K, -1).any(axis=1)  # noqa: E731

    def top(chs):
        idx = np.nonzero(present(chs))[0]
        return None if idx.size == 0 or idx[-1] == K - 1 else int(idx[-1])

    def bottom(chs):
        idx = np.nonzero(present(chs))[0]
        return None if idx.size == 0 or idx[0] == 0 else int(idx[0])

    lungs = [channel_of('Lung_L'), channel_of('Lung_R')]
    apex = top(lungs)
    tr = np.nonzero(present([channel_of('Trachea')]))[0]
    carina = int(tr[0]) if tr.size and tr[0] > 0 and apex is not None and tr[0] < apex else (
        apex - int(round(75 / dz)) if apex is not None else None)
    dome = top([channel_of('Liver')])
    kid = bottom([channel_of('Kidney_L'), channel_of('Kidney_R')])
    reg = np.full(K, UNKNOWN, np.int8)
    k = np.arange(K)
    has_lung = present(lungs).any()
    if apex is not None:
        reg[k > apex] = 0
    elif not has_lung and not present([channel_of('Liver'), channel_of('Heart')]).any():
        reg[:] = 0  # a head-only map (SPL head)
    if apex is not None and carina is not None:
        reg[(k <= apex) & (k > carina)] = 1
    if carina is not None and dome is not None:
        reg[(k <= carina) & (k > dome)] = 2
    elif carina is not None and has_lung:
        lung_lo = np.nonzero(present(lungs))[0][0]
        reg[(k <= carina) & (k >= lung_lo) & (lung_lo > 0)] = 2
    if dome is not None:
        if kid is not None:
            reg[(k <= dome) & (k >= kid)] = 3
            reg[k < kid] = 4
        else:
            reg[(k <= dome) & ~present([channel_of('Kidney_L'), channel_of('Kidney_R')])] = UNKNOWN
            reg[(k <= dome) & present([channel_of('Kidney_L'), channel_of('Kidney_R')])] = 3
    elif kid is not None:
        reg[k < kid] = 4
        reg[(k >= kid) & present([channel_of('Kidney_L'), channel_of('Kidney_R')])] = 3
    return reg


def read_annotation_table(root) -> dict[str, dict[str, str]]:
    rows = list(csv.reader(open(Path(root) / 'annotated33.tsv'), delimiter='\t'))
    head = rows[0][1:]
    return {r[0]: dict(zip(head, r[1:])) for r in rows[1:]}


def compact(gen: np.ndarray, lab33: np.ndarray, tissue_of_label, hu_of_label=None, max_labels: int = 255):
    """(uint8 map, table rows [tissue, lo, hi, elo, ehi, channel]) for the distinct (gen, channel) pairs.

    Compact label 0 = outside air (gen 0, channel 0). With more than max_labels pairs, the most frequent pairs
    keep their own label and the rest share one label per (tissue, channel)."""
    key = gen.astype(np.int64) * 64 + lab33.astype(np.int64)
    uniq, inv, counts = np.unique(key.ravel(), return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind='stable')

    def row_of(u):
        g, ch = int(uniq[u]) // 64, int(uniq[u]) % 64
        t = tissue_of_label(g)
        lo, hi, elo, ehi = TISSUES[t]
        if hu_of_label is not None and hu_of_label(g) is not None:
            lo, hi = hu_of_label(g)
            enh = t in ('blood', 'heart', 'kidney', 'liver', 'spleen')
            elo, ehi = (max(lo, elo), max(hi, ehi)) if enh else (lo, hi)
        return (TISSUE_INDEX[t], float(lo), float(hi), float(elo), float(ehi), ch)

    pairs = [u for u in order if int(uniq[u]) != 0]
    rows_of = {u: row_of(u) for u in pairs}
    tc = sorted({(r[0], r[5]) for r in rows_of.values()})
    own = pairs if len(pairs) < max_labels else pairs[:max(0, max_labels - 1 - len(tc))]
    if len(pairs) >= max_labels and len(own) == 0:
        raise ValueError('too many distinct (tissue, channel) pairs to compact')
    rows = [(TISSUE_INDEX['air'], -1000.0, -1000.0, -1000.0, -1000.0, 0)]
    code = np.zeros(len(uniq), np.int64)
    for u in own:
        code[u] = len(rows)
        rows.append(rows_of[u])
    shared = {}
    for u in pairs[len(own):]:
        r = rows_of[u]
        k = (r[0], r[5])
        if k not in shared:
            shared[k] = len(rows)
            lo, hi, elo, ehi = TISSUES[TISSUE_NAMES[r[0]]]
            rows.append((r[0], float(lo), float(hi), float(elo), float(ehi), r[5]))
        code[u] = shared[k]
    return code.astype(np.uint8)[inv].reshape(gen.shape), rows


def _crop(arrs, margin_vox):
    m = arrs[0] > 0
    idx = [np.nonzero(m.any(axis=tuple(a for a in range(3) if a != ax)))[0] for ax in range(3)]
    sl = tuple(slice(max(0, i[0] - mg), i[-1] + 1 + mg) for i, mg in zip(idx, margin_vox))
    return [a[sl] for a in arrs], [s.start for s in sl]


def _pad(arr, vox):
    return np.pad(arr, [(0, 0), (vox[1], vox[1]), (vox[2], vox[2])])


BODY_MISSING = ('totalseg', 'deepmind-hn', 'spl-abdomen', 'spl-head', 'totalseg-more', 'flare22')


def load_subject(root: Path, source: str, sub: str, names: dict, default_tissue, annotated: dict, partial: str,
                 **kw):
    """One subject of `root` -> (compact map [K, R, C] uint8, entry dict without the file name)."""
    d = root / source / sub if sub else root / source
    gen_name = {'icrp110': 'labels_icrp', 'totalseg': 'labels117', 'deepmind-hn': 'labels_all'}.get(source, 'labels_all')
    g_arr, g_ras = read_nifti(d / f'{gen_name}.nii.gz')
    l_arr, l_ras = read_nifti(d / 'labels33.nii.gz')
    return subject_from_arrays(g_arr, g_ras, l_arr, l_ras, source, sub, names, default_tissue, annotated, partial, **kw)


def subject_from_arrays(g_arr, g_ras, l_arr, l_ras, source: str, sub: str, names: dict, default_tissue,
                        annotated: dict, partial: str, hu_table=None, outline=None, interior='residual', scale=1.0,
                        skull=False, body_missing=None, add_labels=None):
    """In-memory arrays -> (compact map, entry): generation labels g_arr [i, j, k] and labels33 l_arr, each with
    its voxel -> RAS affine. body_missing: apply the body rule (default: by source, BODY_MISSING);
    add_labels(gen, lab, spacing) -> gen: extra generation labels painted on the canonical, padded grid
    before the bone, skull and body rules (the FLARE spine, anatomy_more.py)."""
    gen, origin = resample_to_canonical(np.asarray(g_arr).astype(np.int32), g_ras, scale=scale)
    lab, _ = resample_to_canonical(np.asarray(l_arr).astype(np.uint8), l_ras, scale=scale, grid=(origin, gen.shape))
    sp = SPACING
    if body_missing is None:
        body_missing = source in BODY_MISSING
    # room for the body layers and the couch
    pad_vox = (0, int(np.ceil(60 / sp[1])), int(np.ceil(40 / sp[0])))
    if body_missing:
        gen, lab = _pad(gen, pad_vox), _pad(lab, pad_vox)
        origin = origin - np.array([pad_vox[2] * sp[0], pad_vox[1] * sp[1], 0])
    if add_labels is not None:
        gen = add_labels(gen, lab, sp)
    tissue = {}
    for g in np.unique(gen):
        g = int(g)
        tissue[g] = tissue_of(names.get(g, ''), default_tissue(g)) if g else 'air'
    whole_bones = [g for g, t in tissue.items() if t == 'bone']
    gen = bone_shell(gen, whole_bones, sp)
    if skull:
        brain = np.isin(gen, [g for g, t in tissue.items() if t in ('brain', 'water') and 'canal' not in names.get(g, '').lower()])
        if source == 'deepmind-hn':  # the brain label; not the cord or brainstem below the foramen magnum
            brain = np.isin(gen, [g for g, n in names.items() if n.lower() == 'brain'])
        # the intracranial space: the brain labels closed (6 mm) and filled per slice; its unlabelled voxels
        # (sulci, gaps between atlas labels) are CSF, so that the skull forms only outside it
        brain = body_hull(brain, sp, 6.0) if brain.any() else brain
        gen[brain & (gen == 0)] = SYN['csf']
        free = gen == 0
        gen[free & (_dist_outside(brain, sp, reach_mm=SKULL_MM) <= SKULL_MM)] = SYN['skull']
        coch = np.isin(gen, [g for g, n in names.items() if 'cochlea' in n.lower()])
        gen[(gen == 0) & (_dist_outside(coch, sp, reach_mm=PETROUS_MM) <= PETROUS_MM)] = SYN['petrous']
        canal = np.isin(gen, [g for g, n in names.items() if 'canal' in n.lower()])
        gen[(gen == 0) & (_dist_outside(canal, sp, reach_mm=VERTEBRA_MM) <= VERTEBRA_MM)] = SYN['vertebra']
        gen = bone_shell(gen, [SYN['skull'], SYN['vertebra']], sp)
    if body_missing:
        hull = None
        if outline is not None:
            o_arr, o_ras = outline
            hull, _ = resample_to_canonical(o_arr.astype(np.uint8), o_ras, grid=(origin, gen.shape))
            hull = hull > 0
            hull = hull | body_hull(gen > 0, sp, 5.0)
        muscle = MUSCLE_MM
        if source == 'deepmind-hn':  # neck slices (no brain): the neck muscles are unlabelled, a thicker band
            has_brain = np.isin(gen, [g for g, n in names.items() if n.lower() == 'brain']).reshape(gen.shape[0], -1).any(1)
            muscle = np.where(has_brain, 3.0, NECK_MUSCLE_MM)
        gen = build_body(gen, sp, interior, hull, muscle)
    gen = add_table(gen, sp)
    (gen, lab), start = _crop([gen, lab], (0, 2, 2))
    origin = origin + np.array([start[2] * sp[0], start[1] * sp[1], start[0] * sp[2]])
    # annotation: '1'/'t' annotated; 'p' by the partial policy
    ann, drop = [], []
    for c in range(1, NUM_CHANNELS):
        v = annotated.get(CHANNEL_NAMES[c], '0')
        if v in ('1', 't') or (v == 'p' and partial == 'annotate'):
            ann.append(c)
        else:
            drop.append(c)
    lab = np.where(np.isin(lab, drop), 0, lab).astype(np.uint8)
    counts = np.bincount(lab.ravel(), minlength=NUM_CHANNELS)[:NUM_CHANNELS]
    ann = [c for c in ann if counts[c] > 0]

    def tissue_of_gen(g):
        if g >= SHELL_OFFSET:
            return 'cortical'
        for k, v in SYN.items():
            if g == v:
                return {'skull': 'bone', 'petrous': 'cortical', 'vertebra': 'spongiosa', 'csf': 'water'}.get(k, k) \
                    .replace('bone', 'spongiosa')
        t = tissue.get(g, 'soft')
        return 'spongiosa' if t == 'bone' else t

    hu_of = None
    if hu_table is not None:
        hu_of = lambda g: hu_table.get(g)  # noqa: E731
    cmap, rows = compact(gen, lab, tissue_of_gen, hu_of)
    regions = regions_from_labels(lab, sp[2])
    organ_slice = (lab.reshape(lab.shape[0], -1) > 0).any(axis=1)
    entry = {'source': source, 'subject': sub or source, 'shape': list(cmap.shape), 'spacing': list(sp),
             'origin': [round(float(v), 3) for v in origin], 'table': [list(r) for r in rows],
             'annotated': ann, 'regions': [int(r) for r in regions], 'labelCounts': [int(c) for c in counts],
             'organSlices': int(organ_slice.sum())}
    return cmap, entry


def _names_from_tsv(path, value_col=0, name_col=1):
    rows = list(csv.reader(open(path), delimiter='\t'))[1:]
    return {int(r[value_col]): r[name_col] for r in rows if r and r[value_col].strip().lstrip('-').isdigit()}


def subjects(root: Path, deepmind_limit: int = 0):
    """(source, subject, kwargs) of every subject, in a fixed order."""
    out = []
    icrp_names = _names_from_tsv(root / 'icrp110/organs_icrp.tsv')
    icrp_rows = list(csv.reader(open(root / 'icrp110/organs_icrp.tsv'), delimiter='\t'))
    h = icrp_rows[0]
    hu = {int(r[0]): (float(r[h.index('hu_min')]), float(r[h.index('hu_max')])) for r in icrp_rows[1:] if r[h.index('hu_min')]}
    for s in ('AM', 'AF'):
        out.append(('icrp110', s, dict(names=icrp_names, default_tissue=lambda g: 'soft', hu_table=hu)))
    ts_names = _names_from_tsv(root / 'totalseg/classes117.tsv')
    for s in ('s0327', 's0328'):
        out.append(('totalseg', s, dict(names=ts_names, default_tissue=lambda g: 'soft', interior='residual')))
    dm_names = _names_from_tsv(root / 'deepmind-hn/structures21.tsv')
    dms = sorted(p.parent for p in (root / 'deepmind-hn').glob('*/*/labels_all.nii.gz'))
    if deepmind_limit:
        dms = dms[:deepmind_limit]
    for p in dms:
        out.append(('deepmind-hn', f'{p.parent.name}/{p.name}', dict(names=dm_names, default_tissue=lambda g: 'soft',
                                                                     interior='soft', skull=True)))
    sh_names = _names_from_tsv(root / 'spl-head/labels.tsv')
    out.append(('spl-head', '', dict(names=sh_names, default_tissue=lambda g: 'brain' if g < 4000 else 'soft',
                                     interior='soft', skull=True, outline=read_nifti(root / 'spl-head/head_outline.nii.gz'))))
    sa_names = _names_from_tsv(root / 'spl-abdomen/labels.tsv')
    out.append(('spl-abdomen', '', dict(names=sa_names, default_tissue=lambda g: 'soft', interior='residual',
                                        scale=SPL_ABDOMEN_SCALE)))
    return out


def annotation_key(source: str, sub: str) -> str:
    return f'totalseg/{sub}' if source == 'totalseg' else source


def _jobs(root: Path, partial: str, deepmind_limit: int, only, more, flare_limit: int):
    """(source, subject, loader) of every subject to pack; loader() -> (compact map, entry)."""
    if not only or any(s in only for s in SOURCE_LICENCES if s not in MORE_SOURCES):
        table = read_annotation_table(root)
        for source, sub, kw in subjects(root, deepmind_limit):
            if only and source not in only:
                continue
            yield source, sub, lambda source=source, sub=sub, kw=kw: load_subject(
                root, source, sub, annotated=table[annotation_key(source, sub)], partial=partial, **kw)
    if more:
        from .anatomy_more import more_jobs
        yield from more_jobs(Path(more), root, partial, only, flare_limit)


def _pack_one(cache_dir: Path, source: str, sub: str, loader) -> tuple[dict, tuple, float]:
    """Load one subject, write its compressed map; (index entry, map shape, seconds)."""
    t1 = time.time()
    cmap, e = loader()
    sid = f'{source}-{sub.replace("/", "-")}' if sub else source
    name = f'anatomy-{sid}.xz'
    (cache_dir / name).write_bytes(lzma.compress(np.ascontiguousarray(cmap).tobytes(), preset=6))
    e.update(id=sid, file=name, bytes=(cache_dir / name).stat().st_size)
    return e, cmap.shape, time.time() - t1


def pack(cache_dir, root, partial: str = 'ignore', deepmind_limit: int = 0, log=print, only=None, more=None,
         flare_limit: int = 0, workers: int = 1) -> dict:
    """Pack every subject (or only the sources in `only`, keeping the other sources' packed subjects).
    more: the `anatomy-more` folder (sources MORE_SOURCES, anatomy_more.py); flare_limit: at most N FLARE maps;
    workers: subjects packed side by side (parallel.ordered_map; the index is the same for any number)."""
    cache_dir, root = Path(cache_dir), Path(root)
    cache_dir.mkdir(parents=True, exist_ok=True)
    kept = []
    old_idx = read_anatomy(cache_dir) if only else None
    if old_idx:
        kept = [e for e in old_idx['subjects'] if e['source'] not in only]
    for old in cache_dir.glob('anatomy-*.xz'):
        if old.name not in {e['file'] for e in kept}:
            old.unlink()
    entries = list(kept)
    t0 = time.time()
    tasks = [lambda source=source, sub=sub, loader=loader: _pack_one(cache_dir, source, sub, loader)
             for source, sub, loader in _jobs(root, partial, deepmind_limit, only, more, flare_limit)]
    for e, shape, seconds in ordered_map(tasks, workers):
        entries.append(e)
        log(f'{e["id"]}: {shape} {len(e["table"])} labels, annotated {len(e["annotated"])}, '
            f'{e["bytes"] / 1e3:.0f} kB, {seconds:.1f} s ({time.time() - t0:.0f} s)')
        _write_index(cache_dir, entries, partial, complete=False)  # progress survives an interruption
    idx = _write_index(cache_dir, entries, partial, complete=True)
    total = sum(e['bytes'] for e in entries)
    log(f'{len(entries)} anatomy subjects, {total / 1e6:.2f} MB in {cache_dir}')
    return idx


def _write_index(cache_dir: Path, entries: list, partial: str, complete: bool) -> dict:
    idx = {'format': ANATOMY_FORMAT, 'partial': partial, 'spacing': list(SPACING), 'complete': complete,
           'tissues': {k: list(v) for k, v in TISSUES.items()}, 'licences': SOURCE_LICENCES, 'subjects': entries}
    (cache_dir / 'anatomy.json').write_text(json.dumps(idx))
    return idx


SOURCE_LICENCES = {
    'icrp110': 'ICRP Publication 110 adult reference phantoms (ICRP copyright; distributed with Geant4 by permission; '
               'used for research, never committed to the repository)',
    'totalseg': 'TotalSegmentator data set subjects s0327, s0328 (CC BY 4.0)',
    'deepmind-hn': 'DeepMind TCIA head & neck segmentations (CC BY 4.0)',
    'spl-head': 'SPL / NAC head and neck atlas (3D Slicer License)',
    'spl-abdomen': 'SPL abdominal atlas (licence not stated upstream)',
    'totalseg-more': 'TotalSegmentator data set subjects s0000-s0004, s0006, s0009 (CC BY 4.0)',
    'flare22': 'FLARE22 challenge training labels (research use only; never committed)',
}
MORE_SOURCES = ('totalseg-more', 'flare22')  # packed from the `anatomy-more` folder (anatomy_more.py)


def read_anatomy(cache_dir) -> dict | None:
    p = Path(cache_dir) / 'anatomy.json'
    if not p.exists():
        return None
    idx = json.loads(p.read_text())
    if idx.get('format') != ANATOMY_FORMAT:
        raise ValueError(f'{p}: not an anatomy index')
    return idx


def read_subject(cache_dir, entry: dict) -> np.ndarray:
    raw = lzma.decompress((Path(cache_dir) / entry['file']).read_bytes())
    return np.frombuffer(raw, np.uint8).reshape(entry['shape'])


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.anatomy', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cache', default='.train-cache', help='cache folder (anatomy files are replaced, the rest kept)')
    ap.add_argument('--root', default='../shared/data/anatomy')
    ap.add_argument('--partial', choices=['ignore', 'annotate'], default='ignore',
                    help="annotated33.tsv 'p' channels: ignore (HPA, default) or annotate")
    ap.add_argument('--deepmind-limit', type=int, default=0, help='at most N DeepMind scans (0 = all 35)')
    ap.add_argument('--only', default='', help='comma-separated sources to (re)pack, keeping the others')
    ap.add_argument('--more', help='the anatomy-more folder (e.g. ../shared/data/anatomy-more): (re)packs its sources '
                                   f'{", ".join(MORE_SOURCES)}, keeping the others (or those named by --only)')
    ap.add_argument('--flare-limit', type=int, default=0, help='at most N FLARE22 maps (0 = all 50; smoke runs)')
    ap.add_argument('--workers', type=int, default=default_workers(), help='subjects packed side by side (default: '
                    'one per usable core)')
    args = ap.parse_args(argv)
    only = [x for x in args.only.split(',') if x] or (list(MORE_SOURCES) if args.more else None)
    pack(args.cache, args.root, args.partial, args.deepmind_limit, only=only, more=args.more,
         flare_limit=args.flare_limit, workers=args.workers)
    return 0


if __name__ == '__main__':
    sys.exit(main())
