"""Pack the raw real-anatomy sources of `../shared/data/anatomy-more` (see its README) like `anatomy.py` packs
`../shared/data/anatomy`, building their generation and labels33 maps in memory (nothing is written to shared/).

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.anatomy --cache .train-cache \\
        --more ../shared/data/anatomy-more [--only flare22,totalseg-more] [--flare-limit N]

(`prepare --anatomy-more DIR` calls the same.) Sources:

- `totalseg-more` (7 TotalSegmentator v2 subjects, `sXXXX/segmentations/<class>.nii.gz`, 117 binary masks):
  exactly the conversion of `../shared/data/anatomy/scripts/totalseg_convert.py`: the generation map holds the
  class index of `totalseg/classes117.tsv`, painted in order of decreasing mask volume (the smaller structure
  wins where masks overlap); labels33 is the union of each channel's classes (`totalseg/map33.tsv`), channels
  painted by decreasing volume too. A subject whose masks carry slightly different affines gets the majority
  affine (as the converter; they differ by < 1e-3 mm, else an error). Packed with the rules of the `totalseg`
  source (body hull, bone shells, couch). Annotated: every channel of map33 with voxels ('t' when the organ
  touches the map's top or bottom slice: truncated, but annotated, as in `annotated33.tsv`).
- `flare22` (50 FLARE22 training label maps, 512 x 512 at 0.6-1 mm, 2.5-5 mm slices): generation labels are
  the FLARE values, named as TotalSegmentator names them (tissue classes via `tissues.tissue_of`: liver, kidney,
  spleen, pancreas, blood (aorta, IVC), soft (adrenals), bile, gi_wall (oesophagus, stomach, duodenum)).
  labels33: Liver, Kidney_R, Spleen, Pancreas, Gallbladder, Esophagus, Stomach, Kidney_L (annotated where
  they have voxels). The duodenum is a generation label of channel 0 and Bag_Bowel is NOT annotated (the
  duodenum alone is not the bowel bag; the unlabelled bowel is `residual` there). No body and no bone: the
  body hull rule with a `residual` interior, plus a crude spine (`add_spine`) so that the synthesized CT is not
  boneless: on every slice with aorta, centred on the most posterior aorta component, a vertebral body disc
  (radius 16 mm, centre 28 mm posterior and 8 mm to the patient's right of the aorta's centre: the medians
  measured on totalseg-more s0001, s0004, s0006 were 29-33 mm and 1-18 mm), a spinal canal disc (radius 8 mm,
  25 mm posterior of the body's centre, CSF), a posterior arch ring (8-14 mm around the canal) and a spinous
  process (6 mm wide, to 40 mm behind the canal), bone with the usual 1.5 mm cortical shell; and two
  paraspinal muscle discs (radius 20 mm, 25 mm behind the canal, 25 mm either side). Painted only on
  unlabelled voxels (never over an organ). Below the aortic bifurcation there is no spine (no iliac labels).
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

from .nifti import read_nifti
from .organs import CHANNEL_NAMES, channel_of

FLARE_NAMES = {1: 'liver', 2: 'kidney_right', 3: 'spleen', 4: 'pancreas', 5: 'aorta', 6: 'inferior_vena_cava',
               7: 'adrenal_gland_right', 8: 'adrenal_gland_left', 9: 'gallbladder', 10: 'esophagus', 11: 'stomach',
               12: 'duodenum', 13: 'kidney_left'}
FLARE_CHANNELS = {1: 'Liver', 2: 'Kidney_R', 3: 'Spleen', 4: 'Pancreas', 9: 'Gallbladder', 10: 'Esophagus',
                  11: 'Stomach', 13: 'Kidney_L'}
FLARE_AORTA = 5
# synthetic spine of the FLARE maps (generation labels beyond FLARE's 1..13; names give the tissue class)
SPINE = {20: 'vertebra (synthetic)', 21: 'spinal canal (synthetic)', 22: 'autochthon (synthetic paraspinal muscle)'}
SPINE_MM = dict(body_r=16.0, body_dy=28.0, body_dx=-8.0, canal_r=8.0, canal_dy=25.0, arch_r=14.0, spinous_w=6.0,
                spinous_len=40.0, muscle_r=20.0, muscle_dy=25.0, muscle_dx=25.0)
AFFINE_TOL_MM = 1e-3


def read_totalseg_tables(tables_dir) -> tuple[dict[int, str], dict[str, list[str]]]:
    """(classes117 index -> name, map33 channel name -> class names) from `anatomy/totalseg/*.tsv`."""
    d = Path(tables_dir)
    rows = list(csv.reader(open(d / 'classes117.tsv'), delimiter='\t'))[1:]
    classes = {int(r[0]): r[1] for r in rows if r and r[0].strip().isdigit()}
    rows = list(csv.reader(open(d / 'map33.tsv'), delimiter='\t'))[1:]
    map33 = {r[1]: r[2].split('+') for r in rows if r}
    for ch in map33:
        channel_of(ch)  # KeyError on an unknown channel name
    return classes, map33


def read_masks(seg_dir) -> tuple[dict[str, np.ndarray], tuple, np.ndarray]:
    """Binary masks `<name>.nii.gz` of a folder -> ({name: flat indices of its voxels}, shape, majority RAS affine).

    Flat indices (C order of the [i, j, k] array) keep 117 masks of a whole-body subject in little memory."""
    masks, affs, shape = {}, Counter(), None
    for p in sorted(Path(seg_dir).glob('*.nii.gz')):
        arr, ras = read_nifti(p)
        if shape is None:
            shape = arr.shape
        elif arr.shape != shape:
            raise ValueError(f'{p}: shape {arr.shape}, other masks {shape}')
        masks[p.name[:-7]] = np.flatnonzero(np.asarray(arr) > 0)
        affs[tuple(np.asarray(ras, float).ravel())] += 1
    if not masks:
        raise FileNotFoundError(f'{seg_dir}: no masks')
    ras = np.array(affs.most_common(1)[0][0]).reshape(4, 4)
    dev = max(np.abs(np.array(a).reshape(4, 4) - ras).max() for a in affs)
    if dev > AFFINE_TOL_MM:
        raise ValueError(f'{seg_dir}: mask affines differ by {dev:.2g} mm')
    return masks, shape, ras


def paint_smaller_wins(shape, masks: dict[str, np.ndarray], value_of: dict[str, int], dtype=np.uint8) -> np.ndarray:
    """Label map: masks (flat indices) painted in order of decreasing voxel count, so the smaller one wins where
    they overlap (ties: dict order). Masks not in value_of are skipped."""
    names = [n for n in masks if n in value_of]
    order = sorted(names, key=lambda n: -int(masks[n].size))
    out = np.zeros(int(np.prod(shape)), dtype)
    for n in order:
        out[masks[n]] = value_of[n]
    return out.reshape(shape)


def totalseg_maps(masks, shape, classes: dict[int, str], map33: dict[str, list[str]]):
    """(labels117 [i, j, k] uint8: class index, labels33 uint8: channel) as totalseg_convert.py builds them."""
    missing = set(classes.values()) - set(masks)
    if missing:
        raise ValueError(f'masks missing: {sorted(missing)[:5]}...')
    gen = paint_smaller_wins(shape, masks, {n: i for i, n in classes.items()})
    unions = {ch: np.unique(np.concatenate([masks[n] for n in names if n in masks] or [np.zeros(0, np.int64)]))
              for ch, names in map33.items()}
    lab = paint_smaller_wins(shape, unions, {ch: channel_of(ch) for ch in map33})
    return gen, lab


def flare_maps(arr: np.ndarray):
    """FLARE22 label map -> (generation labels = the FLARE values, labels33 of the 8 mapped organs)."""
    gen = np.asarray(arr).astype(np.int32)
    gen[(gen < 0) | (gen > max(FLARE_NAMES))] = 0
    lut = np.zeros(max(FLARE_NAMES) + 1, np.uint8)
    for v, ch in FLARE_CHANNELS.items():
        lut[v] = channel_of(ch)
    return gen, lut[gen]


def annotation_of(lab33: np.ndarray, ras: np.ndarray) -> dict[str, str]:
    """{channel name: '1' or 't'} for the channels with voxels; 't' = touches the map's top or bottom slice
    (along the array axis closest to z). Both are annotated (annotated33.tsv)."""
    zax = int(np.argmax(np.abs(np.asarray(ras)[2, :3])))
    ends = np.concatenate([np.take(lab33, [0], axis=zax).ravel(), np.take(lab33, [-1], axis=zax).ravel()])
    cut = set(np.unique(ends).tolist())
    return {CHANNEL_NAMES[c]: ('t' if c in cut else '1') for c in np.unique(lab33).tolist() if c}


def more_regions(cmap: np.ndarray, entry: dict, ras, src_shape, head: bool, pelvis: bool) -> list[int]:
    """Per-slice regions of a packed subject: `regions_from_labels` on the slices that lie wholly inside the source
    grid (an oblique source leaves partly covered slices at its top and bottom, where a landmark would look
    untruncated; they get -1). A map with no lung, liver or heart is head only in `regions_from_labels` (SPL head);
    here that holds only when the subject has head labels (`head`), else such slices are abdomen (4: below the
    kidneys) when `pelvis` (hip bones / sacrum / bladder, no kidney) or unknown."""
    from .anatomy import regions_from_labels, resample_to_canonical
    lab = np.array([r[5] for r in entry['table']], np.uint8)[cmap]
    cov, _ = resample_to_canonical(np.ones(src_shape, np.uint8), ras, grid=(np.array(entry['origin']), cmap.shape))
    foot = (lab > 0).any(axis=0) & cov.any(axis=0)
    valid = np.array([cov[k][foot].mean() > 0.99 if foot.any() else False for k in range(cmap.shape[0])])
    reg = np.full(cmap.shape[0], -1, np.int64)
    if valid.any():
        k0, k1 = np.nonzero(valid)[0][[0, -1]]
        reg[k0:k1 + 1] = regions_from_labels(lab[k0:k1 + 1], entry['spacing'][2])
    chs = set(np.unique(lab).tolist())
    if not head and not chs & {channel_of(n) for n in ('Lung_L', 'Lung_R', 'Liver', 'Heart')}:
        kid = chs & {channel_of('Kidney_L'), channel_of('Kidney_R')}
        reg[reg == 0] = 4 if pelvis and not kid else -1
    return [int(r) for r in reg]


def _disc(shape, r0, c0, radius_r, radius_c):
    rr, cc = np.ogrid[:shape[0], :shape[1]]
    return ((rr - r0) / radius_r) ** 2 + ((cc - c0) / radius_c) ** 2 <= 1.0


def add_spine(gen: np.ndarray, lab: np.ndarray, sp, aorta: int = FLARE_AORTA) -> np.ndarray:
    """The crude FLARE spine of the module docstring on a canonical [K, R, C] map (rows +y posterior, columns
    +x patient left). Painted only where gen == 0."""
    g = gen.copy()
    sx, sy = sp[0], sp[1]
    m = SPINE_MM
    bone, canal, muscle = (next(k for k, v in SPINE.items() if w in v) for w in ('vertebra', 'canal', 'autochthon'))
    min_px = 30.0 / (sx * sy)
    for k in range(g.shape[0]):
        a = g[k] == aorta
        if not a.any():
            continue
        comp, n = ndi.label(a)
        best = None
        for i in range(1, n + 1):
            pts = np.argwhere(comp == i)
            if len(pts) >= min_px and (best is None or pts[:, 0].mean() > best[0]):
                best = pts.mean(0)
        if best is None:
            continue
        r0, c0 = best[0] + m['body_dy'] / sy, best[1] + m['body_dx'] / sx
        rc = r0 + m['canal_dy'] / sy
        sl = g[k]
        free = sl == 0
        can = _disc(sl.shape, rc, c0, m['canal_r'] / sy, m['canal_r'] / sx)
        sl[free & can] = canal
        cols = np.arange(sl.shape[1])[None, :]
        rows = np.arange(sl.shape[0])[:, None]
        spinous = (np.abs(cols - c0) * sx <= m['spinous_w'] / 2) & (rows >= rc) & \
                  ((rows - rc) * sy <= m['arch_r'] + m['spinous_len'])
        b = _disc(sl.shape, r0, c0, m['body_r'] / sy, m['body_r'] / sx) | \
            _disc(sl.shape, rc, c0, m['arch_r'] / sy, m['arch_r'] / sx) | spinous
        sl[(sl == 0) & b & ~can] = bone
        rm = rc + m['muscle_dy'] / sy
        mus = _disc(sl.shape, rm, c0 - m['muscle_dx'] / sx, m['muscle_r'] / sy, m['muscle_r'] / sx) | \
            _disc(sl.shape, rm, c0 + m['muscle_dx'] / sx, m['muscle_r'] / sy, m['muscle_r'] / sx)
        sl[(sl == 0) & mus] = muscle
    return g


def load_totalseg_more(subject_dir, classes, map33, partial: str = 'ignore'):
    """One totalseg-more subject folder -> (compact map, entry) as the `totalseg` source is packed."""
    from .anatomy import subject_from_arrays
    d = Path(subject_dir)
    masks, shape, ras = read_masks(d / 'segmentations')
    gen, lab = totalseg_maps(masks, shape, classes, map33)
    ann = annotation_of(lab, ras)
    cmap, e = subject_from_arrays(gen, ras, lab, ras, 'totalseg-more', d.name, classes, lambda g: 'soft', ann,
                                  partial, interior='residual')
    e['truncated'] = sorted(channel_of(n) for n, v in ann.items() if v == 't')
    has = {n for n, ix in masks.items() if ix.size}
    e['regions'] = more_regions(cmap, e, ras, shape, head=bool(has & {'brain', 'skull'}),
                                pelvis=bool(has & {'hip_left', 'hip_right', 'sacrum', 'urinary_bladder'}))
    return cmap, e


def load_flare(path, partial: str = 'ignore', spine: bool = True):
    """One FLARE22 label map -> (compact map, entry); subject id = the case number ('0001')."""
    from .anatomy import subject_from_arrays
    arr, ras = read_nifti(path)
    gen, lab = flare_maps(arr)
    ann = annotation_of(lab, ras)
    sub = flare_id(path)
    cmap, e = subject_from_arrays(gen, ras, lab, ras, 'flare22', sub, {**FLARE_NAMES, **SPINE}, lambda g: 'soft',
                                  ann, partial, interior='residual', add_labels=add_spine if spine else None)
    e['truncated'] = sorted(channel_of(n) for n, v in ann.items() if v == 't')
    e['regions'] = more_regions(cmap, e, ras, arr.shape, head=False, pelvis=False)
    return cmap, e


def flare_id(path) -> str:
    return Path(path).name.split('.')[0].rsplit('_', 1)[-1]


def flare_files(more_root) -> list[Path]:
    return sorted(Path(more_root, 'flare22').glob('FLARE22_Tr_*.nii.gz'))


def totalseg_more_dirs(more_root) -> list[Path]:
    return sorted(p.parent for p in Path(more_root, 'totalseg-more').glob('s*/segmentations'))


def more_jobs(more_root: Path, root: Path, partial: str, only=None, flare_limit: int = 0):
    """(source, subject, loader) for anatomy.pack; the TotalSegmentator tables come from root/totalseg."""
    if not only or 'totalseg-more' in only:
        classes, map33 = read_totalseg_tables(Path(root) / 'totalseg')
        for d in totalseg_more_dirs(more_root):
            yield 'totalseg-more', d.name, lambda d=d: load_totalseg_more(d, classes, map33, partial)
    if not only or 'flare22' in only:
        files = flare_files(more_root)
        for p in files[:flare_limit or None]:
            yield 'flare22', flare_id(p), lambda p=p: load_flare(p, partial)

