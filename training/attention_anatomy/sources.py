"""Training / evaluation cases from the project's sources, in one canonical form.

A Case holds the CT (HU) and the label map (channel numbers 0..33) as Volumes reoriented so that voxel
axes run along +x (patient left), +y (posterior) and +z (superior): the model grid's orientation, so
that the trainer's resampling is a scale and shift. `annotated` lists the organ channels the case's
source contoured (the HPA mask); `regions` the region class of every slice (-1 = unknown).

Sources:
- OpenKBP (`../shared/data/openkbp/{train,val}`): bitmask labels -> channel map, per-patient annotated
  sets from meta.json, regions derived from the CT (regions.py); padding slices (all -1024) dropped.
- Phantom cases (docs/CONTRACTS.md section 5): ct.nii.gz + labels.nii.gz + case.json.
- TotalSegmentator real CT (`../shared/data/anatomy-more/totalseg-more/s0002|s0003|s0009`, source
  `totalseg-ct`): ct.nii.gz + segmentations/*.nii.gz, labels33 as the anatomy packer maps them (map33.tsv,
  smaller wins), annotated = the mapped channels with voxels, regions from the labels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .grid import Volume
from .organs import channel_of
from .regions import derive_regions

# Bitmask organs are painted largest first so that the smaller organ wins where contours overlap.
OPENKBP_PAINT_ORDER = ['Bone_Mandible', 'Parotid_L', 'Parotid_R', 'Esophagus', 'Larynx', 'SpinalCord', 'Brainstem']
OPENKBP_ORGANS = sorted(OPENKBP_PAINT_ORDER, key=channel_of)
HEAD_LANDMARKS = ['Brainstem', 'Parotid_L', 'Parotid_R', 'Bone_Mandible', 'Larynx']


@dataclass
class Case:
    id: str
    source: str
    ct: Volume  # HU, int16
    labels: Volume  # uint8 channel numbers, same grid
    annotated: list[int]
    regions: np.ndarray  # int8 per slice
    meta: dict = field(default_factory=dict)


def canonical(vol: Volume) -> Volume:
    """Permute / flip voxel axes so that i -> +x, j -> +y, k -> +z (requires an axis-aligned affine)."""
    A = vol.affine[:3, :3]
    data = vol.data.transpose(2, 1, 0)  # [i, j, k]
    dominant = np.argmax(np.abs(A), axis=0)  # LPS axis of each voxel axis
    if sorted(dominant) != [0, 1, 2]:
        raise ValueError('volume is not axis aligned')
    unit = np.abs(A) / np.linalg.norm(A, axis=0)
    if unit.max(axis=0).min() < 0.999:
        raise ValueError('oblique volume: training data must be axis aligned')
    perm = [int(np.nonzero(dominant == ax)[0][0]) for ax in range(3)]
    data = data.transpose(perm)
    new = vol.affine.copy()
    new[:, :3] = vol.affine[:, perm]
    for ax in range(3):
        if new[ax, ax] < 0:
            n = data.shape[ax]
            data = np.flip(data, axis=ax)
            new[:3, 3] += new[:3, ax] * (n - 1)
            new[:3, ax] *= -1
    return Volume(np.ascontiguousarray(data.transpose(2, 1, 0)), new, dict(vol.meta))


def _crop_slices(ct: Volume, lab: Volume, keep: np.ndarray) -> tuple[Volume, Volume]:
    idx = np.nonzero(keep)[0]
    k0, k1 = int(idx[0]), int(idx[-1]) + 1
    aff = ct.affine.copy()
    aff[:3, 3] += aff[:3, 2] * k0
    return Volume(ct.data[k0:k1], aff, ct.meta), Volume(lab.data[k0:k1], aff.copy(), lab.meta)


def load_openkbp(case_dir) -> Case:
    d = Path(case_dir)
    meta = json.loads((d / 'meta.json').read_text())
    ct = canonical(Volume.from_nifti(d / 'ct.nii.gz'))
    bits = canonical(Volume.from_nifti(d / 'labels.nii.gz'))
    if not np.allclose(ct.affine, bits.affine, atol=1e-3):
        raise ValueError(f'{d}: CT and labels grids differ')
    bit_of = {v['tg263']: int(b) for b, v in meta['bits'].items()}
    lab = np.zeros(bits.data.shape, np.uint8)
    for name in OPENKBP_PAINT_ORDER:
        lab[(bits.data >> bit_of[name]) & 1 == 1] = channel_of(name)
    labels = Volume(lab, bits.affine)
    keep = (ct.data > -1000).reshape(ct.data.shape[0], -1).any(axis=1)
    ct, labels = _crop_slices(ct, labels, keep)
    annotated = sorted(channel_of(n) for n in meta['annotated'])
    regions = derive_regions(ct.data, ct.spacing(), labels.data, [channel_of(n) for n in HEAD_LANDMARKS])
    split = d.parent.name
    return Case(f'openkbp-{split}-{d.name}', 'openkbp', Volume(ct.data.astype(np.int16), ct.affine), labels,
                annotated, regions, {'split': split})


def openkbp_dirs(root, split: str) -> list[Path]:
    base = Path(root) / split
    return sorted((p for p in base.glob('pt_*') if (p / 'meta.json').exists()), key=lambda p: int(p.name[3:]))


def _region_list(info: dict):
    for key in ('sliceRegions', 'regions', 'slice_regions', 'regionPerSlice'):
        if key in info:
            return info[key]
    geo = info.get('geometry', {})
    for key in ('sliceRegions', 'regions'):
        if key in geo:
            return geo[key]
    return None


def load_phantom(case_dir) -> Case:
    """A phantom case (CONTRACTS 5). Per-slice regions follow the NIfTI k order of labels.nii.gz."""
    d = Path(case_dir)
    info = json.loads((d / 'case.json').read_text())
    raw_ct = Volume.from_nifti(d / 'ct.nii.gz')
    raw_lab = Volume.from_nifti(d / 'labels.nii.gz')
    K = raw_ct.data.shape[0]
    regs = _region_list(info)
    regions = np.full(K, -1, np.int8)
    if regs is not None:
        vals = [r if isinstance(r, int) else (r.get('region', -1) if isinstance(r, dict) else r) for r in regs]
        from .organs import REGIONS
        vals = [REGIONS.index(v) if isinstance(v, str) else int(v) for v in vals]
        if len(vals) != K:
            raise ValueError(f'{d}: {len(vals)} region entries for {K} slices')
        regions = np.asarray(vals, np.int8)
    ct, labels = canonical(raw_ct), canonical(raw_lab)
    if ct.data.shape[0] != K:
        raise ValueError(f'{d}: not an axial volume')
    # canonical() orders slices inferior -> superior: the region list follows.
    order = np.arange(K)[::-1] if raw_ct.affine[2, 2] < 0 else np.arange(K)
    names = info.get('annotated') or info.get('annotatedOrgans') or []
    source = info.get('source') or info.get('dataset') or 'phantom'
    if isinstance(source, dict):
        source = source.get('id') or source.get('name') or 'phantom'
    cid = d.name if d.name.startswith(str(source)) else f'{source}-{d.name}'
    return Case(cid, str(source), Volume(np.asarray(ct.data).astype(np.int16), ct.affine),
                Volume(np.asarray(labels.data).astype(np.uint8), labels.affine),
                sorted(channel_of(n) for n in names), regions[order], {'seed': info.get('seed')})


TOTALSEG_TABLES = Path(__file__).resolve().parents[3] / 'shared' / 'data' / 'anatomy' / 'totalseg'
GRID_TOL_MM = 0.01


def load_totalseg_ct(subject_dir, map33: dict | None = None, tables_dir=None) -> Case:
    """A TotalSegmentator subject with its CT (`ct.nii.gz`, int16 HU, and `segmentations/<class>.nii.gz` on the
    same grid) -> a real training case, source `totalseg-ct`. map33: channel name -> class names (default:
    `map33.tsv` of tables_dir, `../shared/data/anatomy/totalseg`). Regions: `anatomy.regions_from_labels`."""
    from .anatomy import regions_from_labels
    from .anatomy_more import read_masks, read_totalseg_tables, totalseg_maps
    from .grid import RAS_TO_LPS
    from .nifti import read_nifti
    d = Path(subject_dir)
    if map33 is None:
        _, map33 = read_totalseg_tables(tables_dir or TOTALSEG_TABLES)
    masks, shape, ras = read_masks(d / 'segmentations')
    ct, ct_ras = read_nifti(d / 'ct.nii.gz')
    if ct.shape != shape or np.abs(ct_ras - ras).max() > GRID_TOL_MM:
        raise ValueError(f'{d}: CT and masks differ in grid ({ct.shape} vs {shape}, '
                         f'affine {np.abs(ct_ras - ras).max():.3g} mm)')
    classes = {i + 1: n for i, n in enumerate(sorted({n for ns in map33.values() for n in ns}))}
    _, lab = totalseg_maps({n: masks.get(n, np.zeros(0, np.int64)) for n in classes.values()}, shape, classes, map33)
    aff = RAS_TO_LPS @ ct_ras
    ctv = canonical(Volume(np.ascontiguousarray(np.asarray(ct).transpose(2, 1, 0)), aff))
    labv = canonical(Volume(np.ascontiguousarray(lab.transpose(2, 1, 0)), aff))
    annotated = sorted(int(c) for c in np.unique(labv.data) if c)
    regions = regions_from_labels(labv.data, float(ctv.spacing()[2]))
    return Case(f'totalseg-ct-{d.name}', 'totalseg-ct', Volume(np.asarray(ctv.data).astype(np.int16), ctv.affine),
                Volume(np.asarray(labv.data).astype(np.uint8), labv.affine), annotated, regions, {'subject': d.name})


def totalseg_ct_dirs(path) -> list[Path]:
    """A subject folder (with ct.nii.gz and segmentations/) or a folder of them."""
    p = Path(path)
    if 'totalseg-example' in p.resolve().parts:
        raise ValueError(f'{p}: the TotalSegmentator example is an evaluation set, never training data')
    if (p / 'ct.nii.gz').exists():
        return [p]
    return sorted(q.parent for q in p.glob('*/ct.nii.gz') if (q.parent / 'segmentations').is_dir())
