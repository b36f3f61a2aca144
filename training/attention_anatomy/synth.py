"""SynthSeg-style CT synthesis from real-anatomy label maps, on the training device (Billot et al. 2023).

The label maps of `anatomy.py` (compact uint8 labels, one flat buffer for all subjects) stay on the device.
A batch: pick (subject, slice) pairs (slices with annotated organs more often), build a sampling grid for the
5 window planes on the model grid (S x S pixels of `spec.spacing`, planes `spec.slice_spacing` apart, as the
sampler delivers real CT) with a random affine (in-plane rotation, small tilt, anisotropic scale = habitus and
organ size, shift) and a smooth elastic displacement, gather the labels (nearest neighbour, the same grid for
image and target, so they stay aligned), and turn them into a CT:
  HU = per-sample draw per tissue class within its range (unenhanced or contrast-enhanced), per-label jitter,
       now and then far outside the ranges ("wild" samples);
  slice thickness: the mean over `sub` sub-planes spread over a random thickness (0.5-5 mm);
  smooth additive bias field (cupping / beam hardening), low-frequency texture;
  blur: a per-sample Gaussian that also stands for a random pixel size (0.5-5 mm: a box of the pixel size);
  CT-like Gaussian noise; clipping to [hu_min, hu_max] and the model's normalisation.
The target is the labels33 channel of the centre plane's centre sub-plane; `m` the subject's annotated set
(HPA); `region` the region class of the centre slice. Output dict: x [B, P, S, S] float, y [B, S, S] long,
m [B, 34], region [B] long, exactly the keys and contract of sampler.DeviceData.batch.
All functions are pure given a torch.Generator; no host round trips (no .item(), no CPU tensors).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .anatomy import read_anatomy, read_subject
from .grid import GridSpec
from .organs import NUM_CHANNELS
from .size_prior import max_slice_area_mm2, slice_channel_counts
from .tissues import TISSUE_INDEX, TISSUE_NAMES


@dataclass
class SynthParams:
    rotate_deg: float = 12.0
    tilt_deg: float = 4.0
    scale_min: float = 0.85  # in-plane scale of the anatomy (body habitus, organ size)
    scale_max: float = 1.2
    zscale: float = 0.1  # z scale 1 +- zscale
    shift_mm: float = 25.0
    elastic_mm: float = 4.0  # sigma of the coarse displacement (mm)
    elastic_grid: int = 5
    p_enhanced: float = 0.4
    p_wild: float = 0.1  # a sample whose classes draw HU far outside their ranges
    jitter_hu: float = 6.0
    noise_min: float = 5.0
    noise_max: float = 35.0
    bias_hu: float = 30.0
    texture_hu: float = 12.0
    blur_px: float = 0.8  # max extra Gaussian sigma, model pixels
    pixel_min: float = 0.5  # mm
    pixel_max: float = 5.0
    thick_min: float = 0.5  # mm
    thick_max: float = 5.0
    sub: int = 3  # sub-planes per plane for the slice thickness

    @staticmethod
    def clean() -> 'SynthParams':
        """No randomness besides the HU draw: identity geometry, no noise, blur, bias or thickness."""
        return SynthParams(rotate_deg=0, tilt_deg=0, scale_min=1, scale_max=1, zscale=0, shift_mm=0, elastic_mm=0,
                           p_enhanced=0, p_wild=0, jitter_hu=0, noise_min=0, noise_max=0, bias_hu=0, texture_hu=0,
                           blur_px=0, pixel_min=0.5, pixel_max=0.5, thick_min=0.5, thick_max=0.5, sub=1)


def _u(shape, gen, dev, lo=0.0, hi=1.0):
    return torch.rand(shape, device=dev, generator=gen) * (hi - lo) + lo


def draw_hu_tables(cls: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor, elo: torch.Tensor, ehi: torch.Tensor,
                   p: SynthParams, gen=None) -> torch.Tensor:
    """HU per compact label for each sample: [B, L] from per-sample tables cls/lo/hi/elo/ehi [B, L].

    One uniform draw per (sample, tissue class) places every label of that class at the same relative
    position in its range; per-label jitter on top; class 0 (outside air) stays -1000."""
    B, L = cls.shape
    dev = cls.device
    enh = _u((B, 1), gen, dev) < p.p_enhanced
    a = torch.where(enh, elo, lo)
    b = torch.where(enh, ehi, hi)
    u = _u((B, len(TISSUE_NAMES)), gen, dev).gather(1, cls)
    hu = a + u * (b - a) + torch.randn((B, L), device=dev, generator=gen) * p.jitter_hu
    wild = (_u((B, 1), gen, dev) < p.p_wild) & (_u((B, len(TISSUE_NAMES)), gen, dev) < 0.5).gather(1, cls)
    hu = torch.where(wild, _u((B, L), gen, dev, -400.0, 500.0), hu)
    return torch.where(cls == TISSUE_INDEX['air'], torch.full_like(hu, -1000.0), hu)


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor, radius: int = 3) -> torch.Tensor:
    """Separable Gaussian per sample: x [B, P, S, S], sigma [B] (pixels; ~0 = identity)."""
    B, P, H, W = x.shape
    t = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    s = sigma.clamp(min=1e-3)[:, None]
    k = torch.exp(-0.5 * (t[None] / s) ** 2)
    k = k / k.sum(1, keepdim=True)  # [B, 2r+1]
    k = k[:, None].expand(B, P, 2 * radius + 1).reshape(B * P, 1, 1, 2 * radius + 1)
    y = F.pad(x.reshape(1, B * P, H, W), (radius, radius, radius, radius), mode='replicate')
    y = F.conv2d(y, k, groups=B * P)
    y = F.conv2d(y, k.transpose(2, 3), groups=B * P)
    return y.reshape(B, P, H, W)


def smooth_field(B: int, S: int, n: int, amp: torch.Tensor, gen, dev) -> torch.Tensor:
    """[B, 1, S, S] smooth random field (bicubic from an n x n grid), scaled per sample by amp [B]."""
    coarse = torch.randn((B, 1, n, n), device=dev, generator=gen)
    return F.interpolate(coarse, size=(S, S), mode='bicubic', align_corners=True) * amp[:, None, None, None]


class AnatomyBank:
    """All anatomy subjects of a cache on one device, and the synthesis of batches from them."""

    def __init__(self, cache_dir, device='cpu', spec: GridSpec | None = None, organ_weight: float = 3.0,
                 sources=None, index: dict | None = None, maps: list | None = None):
        idx = index or read_anatomy(cache_dir)
        if idx is None:
            raise ValueError(f'{cache_dir}: no anatomy.json (run attention_anatomy.anatomy)')
        subs = [e for e in idx['subjects'] if sources is None or e['source'] in sources]
        if not subs:
            raise ValueError('no anatomy subjects selected')
        self.entries, self.spec, self.device = subs, spec or GridSpec(), torch.device(device)
        dev = self.device
        arrs = maps if maps is not None else [read_subject(cache_dir, e) for e in subs]
        Ns, L = len(subs), 256
        cls = np.zeros((Ns, L), np.int64)
        tab = np.zeros((4, Ns, L), np.float32)
        tab[:] = -1000
        ch = np.zeros((Ns, L), np.int64)
        for s, e in enumerate(subs):
            rows = np.array(e['table'], np.float64)
            n = len(rows)
            cls[s, :n] = rows[:, 0]
            tab[:, s, :n] = rows[:, 1:5].T
            ch[s, :n] = rows[:, 5]
        self.cls, self.ch = torch.from_numpy(cls).to(dev), torch.from_numpy(ch).to(dev)
        self.lo, self.hi, self.elo, self.ehi = (torch.from_numpy(t).to(dev) for t in tab)
        masks = np.zeros((Ns, NUM_CHANNELS), np.float32)
        masks[:, 0] = 1
        for s, e in enumerate(subs):
            masks[s, e['annotated']] = 1
        self.masks = torch.from_numpy(masks).to(dev)
        sizes = [a.size for a in arrs]
        self.flat = torch.from_numpy(np.concatenate([a.ravel() for a in arrs])).to(dev)
        self.start = torch.tensor(np.cumsum([0] + sizes[:-1]), dtype=torch.long, device=dev)
        shp = np.array([a.shape for a in arrs])
        self.K, self.R, self.C = (torch.tensor(shp[:, i], dtype=torch.long, device=dev) for i in range(3))
        sp = np.array([e['spacing'] for e in subs], np.float32)
        self.sx, self.sy, self.sz = (torch.from_numpy(sp[:, i].copy()).to(dev) for i in range(3))
        # slices: subject id, slice number, region, weight (each source an equal share, organ slices x organ_weight)
        sub_of, k_of, reg, w = [], [], [], []
        src = [e['source'] for e in subs]
        n_src = {x: src.count(x) for x in set(src)}
        for s, (e, a) in enumerate(zip(subs, arrs)):
            K = a.shape[0]
            organ = (ch[s][a.reshape(K, -1)] > 0).any(axis=1)
            ws = np.where(organ, organ_weight, 1.0)
            ws = ws / ws.sum() / n_src[e['source']] / len(n_src)
            sub_of.append(np.full(K, s))
            k_of.append(np.arange(K))
            reg.append(np.asarray(e['regions'], np.int64))
            w.append(ws)
        self.slice_sub = torch.from_numpy(np.concatenate(sub_of)).to(dev)
        self.slice_k = torch.from_numpy(np.concatenate(k_of)).to(dev)
        self.slice_region = torch.from_numpy(np.concatenate(reg)).to(dev)
        self.slice_w = torch.from_numpy(np.concatenate(w).astype(np.float32)).to(dev)
        self.sources = sorted(set(src))
        # which target channels each slice shows (for focused draws: pick(..., channels=...))
        # and the largest slice area of each annotated channel, mm^2 (size_prior.area_caps)
        present = []
        self.max_slice_area_mm2 = np.zeros(NUM_CHANNELS)
        for s, a in enumerate(arrs):
            counts = slice_channel_counts(ch[s][a])
            present.append(counts > 0)
            area = max_slice_area_mm2(counts, float(sp[s, 0]) * float(sp[s, 1]), masks[s])
            self.max_slice_area_mm2 = np.maximum(self.max_slice_area_mm2, area)
        self.slice_channels = torch.from_numpy(np.concatenate(present)).to(dev)
        self._focus: dict = {}

    @property
    def num_slices(self) -> int:
        return int(self.slice_sub.shape[0])

    def pick(self, B: int, gen=None, channels: tuple = ()) -> torch.Tensor:
        """B slice indices by the slice weights; with `channels`, only among the slices that show one of them
        (a batch slot that always holds, e.g., the lungs), with the same slice weights."""
        if not channels:
            return torch.multinomial(self.slice_w, B, replacement=True, generator=gen)
        key = tuple(sorted(channels))
        if key not in self._focus:
            w = self.slice_w * self.slice_channels[:, list(key)].any(dim=1)
            if float(w.sum()) <= 0:
                raise ValueError(f'no anatomy slice shows channels {key}')
            self._focus[key] = w / w.sum()
        return torch.multinomial(self._focus[key], B, replacement=True, generator=gen)

    def sample_labels(self, g: torch.Tensor, p: SynthParams, gen=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Compact labels on the window grid: [B, P, J, S, S] (J = sub-planes), the subjects [B], the
        per-sample sub-plane offsets (mm) [B, J]."""
        spec, dev = self.spec, self.device
        B, S, P, J = g.shape[0], spec.size, spec.planes, max(1, p.sub)
        s = self.slice_sub[g]
        k = self.slice_k[g].float()
        r = (torch.arange(S, device=dev, dtype=torch.float32) - (S - 1) / 2) * spec.spacing
        vv, uu = torch.meshgrid(r, r, indexing='ij')
        d = (torch.arange(P, device=dev, dtype=torch.float32) - P // 2) * spec.slice_spacing
        thick = _u((B,), gen, dev, p.thick_min, p.thick_max)
        jj = (torch.arange(J, device=dev, dtype=torch.float32) - (J - 1) / 2) / max(J, 1)
        zoff = jj[None] * thick[:, None]  # [B, J] spread over the slice thickness
        # offsets in the output frame (mm): [B, P, J, S, S]
        ox = uu[None, None, None].expand(B, P, J, S, S)
        oy = vv[None, None, None].expand(B, P, J, S, S)
        oz = (d[None, :, None] + zoff[:, None, :])[..., None, None].expand(B, P, J, S, S)
        if p.elastic_mm > 0:
            n = p.elastic_grid
            disp = F.interpolate(torch.randn((B, 3, n, n), device=dev, generator=gen) * p.elastic_mm, size=(S, S),
                                 mode='bicubic', align_corners=True)
            ox = ox + disp[:, 0, None, None]
            oy = oy + disp[:, 1, None, None]
            oz = oz + 0.3 * disp[:, 2, None, None]
        th = (_u((B,), gen, dev) * 2 - 1) * math.radians(p.rotate_deg)
        ta = (_u((B,), gen, dev) * 2 - 1) * math.radians(p.tilt_deg)
        tb = (_u((B,), gen, dev) * 2 - 1) * math.radians(p.tilt_deg)
        sc_x = _u((B,), gen, dev, p.scale_min, p.scale_max)
        sc_y = sc_x * _u((B,), gen, dev, 0.92, 1.08)
        sc_z = 1 + (_u((B,), gen, dev) * 2 - 1) * p.zscale
        # source mm = R(th) R_tilt diag(1/scale) o ; tilt: small rotations about x (ta) and y (tb), linearised
        ax, ay, az = ox / sc_x.view(B, 1, 1, 1, 1), oy / sc_y.view(B, 1, 1, 1, 1), oz / sc_z.view(B, 1, 1, 1, 1)
        c, sn = torch.cos(th).view(B, 1, 1, 1, 1), torch.sin(th).view(B, 1, 1, 1, 1)
        ta, tb = ta.view(B, 1, 1, 1, 1), tb.view(B, 1, 1, 1, 1)
        X = c * ax - sn * ay + tb * az
        Y = sn * ax + c * ay + ta * az
        Z = az - tb * ax - ta * ay
        shift = (_u((B, 2), gen, dev) * 2 - 1) * p.shift_mm
        sx, sy, sz = (t[s].view(B, 1, 1, 1, 1) for t in (self.sx, self.sy, self.sz))
        Kc, Rc, Cc = (t[s].view(B, 1, 1, 1, 1) for t in (self.K, self.R, self.C))
        i = torch.round((Cc - 1) / 2 + (X + shift[:, 0].view(B, 1, 1, 1, 1)) / sx).long()
        j = torch.round((Rc - 1) / 2 + (Y + shift[:, 1].view(B, 1, 1, 1, 1)) / sy).long()
        kk = torch.round(k.view(B, 1, 1, 1, 1) + Z / sz).long()
        ok = (i >= 0) & (i < Cc) & (j >= 0) & (j < Rc) & (kk >= 0) & (kk < Kc)
        flat_idx = self.start[s].view(B, 1, 1, 1, 1) + (kk.clamp(min=0) * Rc + j.clamp(min=0)) * Cc + i.clamp(min=0)
        flat_idx = torch.where(ok, flat_idx, torch.zeros_like(flat_idx))
        lab = torch.where(ok, self.flat[flat_idx].long(), torch.zeros_like(flat_idx))
        return lab, s, zoff

    def batch(self, B: int, p: SynthParams, gen=None, g: torch.Tensor | None = None) -> dict:
        spec, dev = self.spec, self.device
        if g is None:
            g = self.pick(B, gen)
        lab, s, _ = self.sample_labels(g, p, gen)
        _, P, J, S, _ = lab.shape
        hu_tab = draw_hu_tables(self.cls[s], self.lo[s], self.hi[s], self.elo[s], self.ehi[s], p, gen)  # [B, 256]
        hu = hu_tab.gather(1, lab.view(B, -1)).view(B, P, J, S, S).mean(2)  # thickness: mean over sub-planes
        if p.bias_hu > 0:
            hu = hu + smooth_field(B, S, 3, _u((B,), gen, dev) * p.bias_hu, gen, dev)
        if p.texture_hu > 0:
            hu = hu + smooth_field(B, S, max(4, S // 8), _u((B,), gen, dev) * p.texture_hu, gen, dev)
        pix = _u((B,), gen, dev, p.pixel_min, p.pixel_max)
        f = (pix / spec.spacing).clamp(min=1.0)
        sigma = torch.sqrt(_u((B,), gen, dev) ** 2 * p.blur_px ** 2 + (f ** 2 - 1) / 12)
        if p.blur_px > 0 or p.pixel_max > spec.spacing:
            hu = gaussian_blur(hu, sigma)
        if p.noise_max > 0:
            hu = hu + torch.randn(hu.shape, device=dev, generator=gen) * _u((B, 1, 1, 1), gen, dev, p.noise_min, p.noise_max)
        x = (hu.clamp(spec.hu_min, spec.hu_max) - spec.hu_offset) / spec.hu_scale
        centre = lab[:, P // 2, J // 2]
        y = self.ch[s].gather(1, centre.view(B, -1)).view(B, S, S)
        return {'x': x, 'y': y, 'm': self.masks[s], 'region': self.slice_region[g], 'subject': s}
