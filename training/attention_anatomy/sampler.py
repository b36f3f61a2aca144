"""Batches on the model grid, sampled and augmented on the training device (GPU or CPU).

All cases live on the device as uint8 CT codes and labels, padded to a common in-plane size. A batch picks
(case, slice) pairs, gathers the two CT slices around each of the 5 window planes (z_k + d t, linear in z,
edge slices repeated), and resamples them onto the S x S model grid with one grid_sample whose sampling
grid folds in the case's geometry and the augmentation (rotation, zoom, shift; a smooth elastic
displacement in fine-tuning). Labels of slice k take the same grid with nearest-neighbour sampling.
Without augmentation this is exactly CONTRACTS 3 (tested against grid.sample_window).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .cache import CODEC_IDS, code_lut, read_case_arrays, read_index
from .grid import GridSpec
from .organs import NUM_CHANNELS
from .size_prior import max_slice_area_mm2, slice_channel_counts


@dataclass
class Augment:
    rotate_deg: float = 10.0
    zoom: float = 0.10  # scale in [1 - zoom, 1 + zoom]
    shift_mm: float = 16.0
    hu_shift: float = 20.0  # HU, uniform +-
    contrast: float = 0.04  # multiplicative, uniform +-
    noise_hu: float = 10.0  # Gaussian sigma, HU
    elastic_px: float = 0.0  # sigma of the coarse displacement (model pixels); 0 = off
    elastic_grid: int = 6

    @staticmethod
    def none() -> 'Augment':
        return Augment(0, 0, 0, 0, 0, 0, 0)


class DeviceData:
    def __init__(self, cache_dir, splits=('train',), device='cpu', spec: GridSpec | None = None,
                 source_balance: bool = True, case_filter=None, organ_weight: float = 1.0,
                 real_sources=('openkbp',)):
        self.index = read_index(cache_dir)
        self.spec = spec or GridSpec(**self.index['grid'])
        self.device = torch.device(device)
        entries = [e for e in self.index['cases'] if e['split'] in splits and (case_filter is None or case_filter(e))]
        if not entries:
            raise ValueError(f'no cases for splits {splits} in {cache_dir}')
        self.entries = entries
        H = max(e['shape'][1] for e in entries)
        W = max(e['shape'][2] for e in entries)
        N = sum(e['shape'][0] for e in entries)
        ct = np.zeros((N, H, W), np.uint8)
        lab = np.zeros((N, H, W), np.uint8)
        start, n = [], 0
        for e in entries:
            c, l = read_case_arrays(cache_dir, e)
            K, R, C = c.shape
            ct[n:n + K, :R, :C] = c
            lab[n:n + K, :R, :C] = l
            start.append(n)
            n += K
        dev = self.device
        self.H, self.W = H, W
        self.ct = torch.from_numpy(ct).to(dev)
        self.lab = torch.from_numpy(lab).to(dev)
        self.start = torch.tensor(start, device=dev)
        self.K = torch.tensor([e['shape'][0] for e in entries], device=dev)
        self.dz = torch.tensor([e['spacing'][2] for e in entries], dtype=torch.float32, device=dev)
        # model pixel (u, v) -> crop pixel: i = (cx - x0 + (u - h) s) / sx (canonical axes, no rotation)
        aff = np.array([e['affine'] for e in entries])
        cen = np.array([e['centre'] for e in entries])
        self.ioff = torch.tensor((cen[:, 0] - aff[:, 0, 3]) / aff[:, 0, 0], dtype=torch.float32, device=dev)
        self.joff = torch.tensor((cen[:, 1] - aff[:, 1, 3]) / aff[:, 1, 1], dtype=torch.float32, device=dev)
        self.iscale = torch.tensor(self.spec.spacing / aff[:, 0, 0], dtype=torch.float32, device=dev)
        self.jscale = torch.tensor(self.spec.spacing / aff[:, 1, 1], dtype=torch.float32, device=dev)
        masks = np.zeros((len(entries), NUM_CHANNELS), np.float32)
        masks[:, 0] = 1
        for i, e in enumerate(entries):
            masks[i, e['annotated']] = 1
        # the largest slice area of each annotated channel, mm^2 (size_prior.area_caps)
        self.max_slice_area_mm2 = np.zeros(NUM_CHANNELS)
        for i, (e, n0) in enumerate(zip(entries, start)):
            counts = slice_channel_counts(lab[n0:n0 + e['shape'][0]])
            area = max_slice_area_mm2(counts, e['spacing'][0] * e['spacing'][1], masks[i])
            self.max_slice_area_mm2 = np.maximum(self.max_slice_area_mm2, area)
        self.masks = torch.from_numpy(masks).to(dev)
        self.regions = torch.tensor(np.concatenate([e['regions'] for e in entries]), dtype=torch.long, device=dev)
        luts = np.stack([self.spec.normalise(code_lut(c)) for c in CODEC_IDS]).astype(np.float32)
        self.lut = torch.from_numpy(luts).to(dev)  # [codecs, 256]
        self.codec = torch.tensor([CODEC_IDS[e.get('codec', 'fine')] for e in entries], device=dev)
        # Each source gets the same share of samples (the sources differ a lot in size); uniform within.
        src = [e['source'] for e in entries]
        if source_balance:
            counts = {s: src.count(s) for s in set(src)}
            w = np.array([1.0 / counts[s] for s in src])
        else:
            w = np.ones(len(entries))
        self.case_weights = torch.tensor(w / w.sum(), dtype=torch.float32, device=dev)
        self.sources = sorted(set(src))
        # Per-slice probabilities: a case keeps its share, and within it slices that show an organ are drawn
        # organ_weight times as often as empty ones. Groups: 'real' (real_sources) and 'phantom' (the rest).
        slice_case = np.concatenate([np.full(e['shape'][0], i) for i, e in enumerate(entries)])
        organ = (lab.reshape(N, -1) > 0).any(axis=1)
        sw = np.where(organ, float(organ_weight), 1.0)
        per_case = np.bincount(slice_case, weights=sw, minlength=len(entries))
        base = (w / w.sum())[slice_case] * sw / per_case[slice_case]
        self.slice_case = torch.from_numpy(slice_case).to(dev)
        real = np.array([e['source'] in real_sources for e in entries])
        self.group_probs = {}
        for name, sel in (('all', np.ones(len(entries), bool)), ('real', real), ('phantom', ~real)):
            p = base * sel[slice_case]
            if p.sum() > 0:
                self.group_probs[name] = torch.tensor(p / p.sum(), dtype=torch.float32, device=dev)

    def has_group(self, group: str) -> bool:
        return group in self.group_probs

    @property
    def num_slices(self) -> int:
        return int(self.ct.shape[0])

    def pick(self, batch: int, gen: torch.Generator | None = None, group: str | None = None):
        """(case, slice) pairs; with a group ('all', 'real', 'phantom'), by the per-slice probabilities."""
        if group is not None:
            n = torch.multinomial(self.group_probs[group], batch, replacement=True, generator=gen)
            case = self.slice_case[n]
            return case, n - self.start[case]
        case = torch.multinomial(self.case_weights, batch, replacement=True, generator=gen)
        k = (torch.rand(batch, device=self.device, generator=gen) * self.K[case]).long()
        return case, torch.minimum(k, self.K[case] - 1)

    def batch(self, case: torch.Tensor, k: torch.Tensor, aug: Augment, gen: torch.Generator | None = None) -> dict:
        spec, dev = self.spec, self.device
        B, S = case.shape[0], spec.size
        P = spec.planes
        d = torch.arange(P, device=dev, dtype=torch.float32) - P // 2
        fk = k[:, None].float() + d[None] * spec.slice_spacing / self.dz[case][:, None]
        fk = torch.minimum(fk.clamp(min=0), (self.K[case] - 1)[:, None].float())
        k0 = fk.floor().long()
        k1 = torch.minimum(k0 + 1, (self.K[case] - 1)[:, None])
        wk = (fk - k0.float())[:, :, None, None]
        g0, g1 = self.start[case][:, None] + k0, self.start[case][:, None] + k1
        x_lo = spec.normalise(spec.hu_min)
        flat, base = self.lut.view(-1), (self.codec[case] * 256)[:, None, None, None]
        dec = lambda codes: flat[codes.long() + base]  # noqa: E731  (per-case codec)
        planes = (1 - wk) * dec(self.ct[g0]) + wk * dec(self.ct[g1])  # [B, P, H, W]

        grid = self._grid(case, B, S, aug, gen)
        x = F.grid_sample(planes - x_lo, grid, mode='bilinear', padding_mode='zeros', align_corners=True) + x_lo
        lab = self.lab[self.start[case] + k].float()[:, None]
        y = F.grid_sample(lab, grid, mode='nearest', padding_mode='zeros', align_corners=True)[:, 0].round().long()
        if aug.contrast or aug.hu_shift or aug.noise_hu:
            scale = 1 + (torch.rand(B, 1, 1, 1, device=dev, generator=gen) * 2 - 1) * aug.contrast
            shift = (torch.rand(B, 1, 1, 1, device=dev, generator=gen) * 2 - 1) * aug.hu_shift / spec.hu_scale
            noise = torch.randn(x.shape, device=dev, generator=gen) * (aug.noise_hu / spec.hu_scale)
            hi = spec.normalise(spec.hu_max)
            x = (x * scale + shift + noise).clamp(x_lo, hi)
        return {'x': x, 'y': y, 'm': self.masks[case], 'region': self.regions[self.start[case] + k], 'case': case, 'k': k}

    def _grid(self, case, B, S, aug: Augment, gen) -> torch.Tensor:
        dev = self.device
        h = (S - 1) / 2
        r = torch.arange(S, device=dev, dtype=torch.float32) - h
        vv, uu = torch.meshgrid(r, r, indexing='ij')  # [S, S] model offsets from the centre, pixels
        u = uu[None].expand(B, S, S)
        v = vv[None].expand(B, S, S)
        if aug.rotate_deg or aug.zoom or aug.shift_mm:
            rnd = lambda: torch.rand(B, 1, 1, device=dev, generator=gen) * 2 - 1  # noqa: E731
            th = rnd() * math.radians(aug.rotate_deg)
            sc = 1 + rnd() * aug.zoom
            tu, tv = rnd() * aug.shift_mm / self.spec.spacing, rnd() * aug.shift_mm / self.spec.spacing
            c, s = torch.cos(th) * sc, torch.sin(th) * sc
            u, v = c * u - s * v + tu, s * u + c * v + tv
        if aug.elastic_px > 0:
            n = aug.elastic_grid
            coarse = torch.randn(B, 2, n, n, device=dev, generator=gen) * aug.elastic_px
            disp = F.interpolate(coarse, size=(S, S), mode='bicubic', align_corners=True)
            u, v = u + disp[:, 0], v + disp[:, 1]
        i = self.ioff[case][:, None, None] + u * self.iscale[case][:, None, None]
        j = self.joff[case][:, None, None] + v * self.jscale[case][:, None, None]
        gx = 2 * i / (self.W - 1) - 1
        gy = 2 * j / (self.H - 1) - 1
        return torch.stack([gx, gy], dim=-1)
