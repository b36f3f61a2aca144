"""The compact training cache (`.train-cache/`, gitignored; small enough to travel to the GPU machine).

Each case is stored on its own canonical grid (axes +x, +y, +z; native in-plane spacing, cropped to the
model's field of view plus a margin, native slices) rather than on the 2 mm model grid: OpenKBP's 4-5 mm
pixels would otherwise grow 4-6 fold, and the trainer resamples onto the model grid on the GPU anyway,
with the augmentation folded into the same sampling.

`<id>.xz` = lzma(CT codes uint8 [K, R, C] || labels uint8 [K, R, C]). CT codes quantise HU piecewise
linearly: -1000..-200 HU in 16 HU steps, -200..250 HU (soft tissue) in 3 HU steps ('fine', real CT) or 9 HU
steps ('coarse', noisy phantoms), 250..1500 HU in 8-23 HU steps; below the CT noise where organs differ. `index.json` holds geometry, annotated channels,
per-slice regions, splits, the focal-loss class weights and the source summary for the manifest.
"""
from __future__ import annotations

import json
import lzma
from pathlib import Path

import numpy as np

from .grid import GridSpec
from .organs import CHANNEL_NAMES, NUM_CHANNELS
from .sources import Case

CACHE_FORMAT = 'attention-anatomy-cache/1'
_KNOTS_HU = np.array([-1000.0, -200.0, 250.0, 1500.0])
# 'fine': soft tissue in 3 HU steps (real CT, little noise); 'coarse': 9 HU steps, for the noisy phantoms, whose
# ~17 HU image noise makes finer steps cost 20 % more bytes for nothing (quantisation sd 2.6 HU).
CODECS = {'fine': np.array([0.0, 50.0, 200.0, 255.0]), 'coarse': np.array([0.0, 50.0, 100.0, 255.0])}
CODEC_IDS = {'fine': 0, 'coarse': 1}
FOV_MARGIN_MM = 32.0  # room for the augmentation's shifts and zooms


def hu_to_code(hu, codec: str = 'fine') -> np.ndarray:
    h = np.clip(np.asarray(hu, np.float64), _KNOTS_HU[0], _KNOTS_HU[-1])
    return np.rint(np.interp(h, _KNOTS_HU, CODECS[codec])).astype(np.uint8)


def code_lut(codec: str = 'fine') -> np.ndarray:
    """HU of each of the 256 codes (float32)."""
    return np.interp(np.arange(256, dtype=np.float64), CODECS[codec], _KNOTS_HU).astype(np.float32)


def crop_to_fov(case: Case, spec: GridSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """(ct [K, R', C'], labels, affine of the crop, LPS (x, y) of the ORIGINAL image centre)."""
    K, R, C = case.ct.data.shape
    centre = case.ct.slice_centre(0)[:2].tolist()
    sx, sy = case.ct.spacing()[:2]
    half = spec.size * spec.spacing / 2 + FOV_MARGIN_MM
    # symmetric about the centre, so a crop never moves the model grid
    ni = min(C, 2 * int(np.ceil(half / sx)) + (C % 2))
    nj = min(R, 2 * int(np.ceil(half / sy)) + (R % 2))
    i0, j0 = (C - ni) // 2, (R - nj) // 2
    aff = case.ct.affine.copy()
    aff[:3, 3] += aff[:3, 0] * i0 + aff[:3, 1] * j0
    return (case.ct.data[:, j0:j0 + nj, i0:i0 + ni], case.labels.data[:, j0:j0 + nj, i0:i0 + ni], aff, centre)


def write_case(out_dir, case: Case, split: str, spec: GridSpec, codec: str = 'fine') -> dict:
    ct, lab, aff, centre = crop_to_fov(case, spec)
    if case.ct.affine[2, 2] <= 0:
        raise ValueError(f'{case.id}: slices must run inferior -> superior')
    payload = hu_to_code(ct, codec).tobytes() + np.ascontiguousarray(lab, np.uint8).tobytes()
    name = f'{case.id}.xz'
    (Path(out_dir) / name).write_bytes(lzma.compress(payload, preset=6))
    sx, sy, sz = np.linalg.norm(aff[:3, :3], axis=0)
    counts = np.bincount(lab.ravel(), minlength=NUM_CHANNELS)[:NUM_CHANNELS]
    return {'id': case.id, 'source': case.source, 'split': split, 'file': name, 'codec': codec, 'shape': list(ct.shape),
            'affine': np.round(aff, 6).tolist(), 'centre': centre, 'spacing': [float(sx), float(sy), float(sz)],
            'annotated': [int(c) for c in case.annotated], 'regions': [int(r) for r in case.regions],
            'labelCounts': [int(c) for c in counts], **({'meta': case.meta} if case.meta else {})}


def class_weights(entries: list, spec: GridSpec, w_max: float = 1000.0) -> tuple[list, list]:
    """Spatially balanced focal weights w_c = 1 / (34 f_c), clipped to w_max, from training cases.

    f_c = area fraction of class c on model planes, over the slices of the cases that annotate c:
    sum(count_c * pixel area) / sum(K * (S s)^2). Background: 1 - sum of the organ fractions.
    Classes no training case annotates get the median organ weight (they are never labelled anyway)."""
    plane = (spec.size * spec.spacing) ** 2
    frac = np.full(NUM_CHANNELS, np.nan)
    for c in range(1, NUM_CHANNELS):
        es = [e for e in entries if c in e['annotated']]
        if es:
            num = sum(e['labelCounts'][c] * e['spacing'][0] * e['spacing'][1] for e in es)
            den = sum(e['shape'][0] * plane for e in es)
            frac[c] = max(num / den, 1e-7)
    frac[0] = 1.0 - np.nansum(frac[1:])
    w = np.minimum(1.0 / (NUM_CHANNELS * frac), w_max)
    med = float(np.nanmedian(w[1:])) if np.isfinite(w[1:]).any() else 1.0
    w = np.where(np.isfinite(w), w, med)
    return [float(v) for v in w], [None if not np.isfinite(v) else float(v) for v in frac]


def write_index(out_dir, entries: list, spec: GridSpec, sources: list) -> dict:
    train = [e for e in entries if e['split'] == 'train']
    weights, frac = class_weights(train, spec)
    index = {'format': CACHE_FORMAT, 'grid': spec.__dict__, 'channels': CHANNEL_NAMES, 'focalWeights': weights,
             'classFractions': frac, 'sources': sources, 'cases': entries}
    (Path(out_dir) / 'index.json').write_text(json.dumps(index, indent=1))
    return index


def read_index(cache_dir) -> dict:
    index = json.loads((Path(cache_dir) / 'index.json').read_text())
    if index.get('format') != CACHE_FORMAT:
        raise ValueError(f'{cache_dir}: not a training cache ({index.get("format")})')
    return index


def read_case_arrays(cache_dir, entry: dict) -> tuple[np.ndarray, np.ndarray]:
    """(CT codes uint8 [K, R, C], labels uint8 [K, R, C])."""
    raw = lzma.decompress((Path(cache_dir) / entry['file']).read_bytes())
    K, R, C = entry['shape']
    n = K * R * C
    arr = np.frombuffer(raw, np.uint8)
    if arr.size != 2 * n:
        raise ValueError(f'{entry["file"]}: {arr.size} bytes, expected {2 * n}')
    return arr[:n].reshape(K, R, C), arr[n:].reshape(K, R, C)
