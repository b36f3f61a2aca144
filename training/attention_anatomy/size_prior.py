"""Slice-area prior for the organs a sample does not annotate (partial labels, DESIGN 3.4).

With HPA recalibration an organ that a sample does not annotate counts as background in the loss, so nothing
stops the network from painting it over neighbouring tissue on sources that never label it (the sublingual gland,
annotated only by the ICRP and project phantoms, reaches 13-20 ml on real head & neck CT; a real one is 2-4 ml).

The prior bounds what the labels do say: the largest area the organ ever covers on one slice of any training
source that annotates it (times a margin for the augmentation's zoom and anatomical variation). On the
unannotated organs of each sample, the loss is the relative excess of the predicted soft area over that cap,
a hinge that is zero for every plausible prediction (in the spirit of Kervadec et al., "Constrained-CNN losses
for weakly supervised segmentation", MedIA 2019):

    L = (1 / B) sum_b sum_{c >= 1, m_bc = 0} max(0, A_bc / cap_c - 1),   A_bc = sum_n p_{b,n,c}

p is the attended probability before recalibration (recalibration moves exactly this mass into background).
Organs no source annotates have no cap (infinite): nothing to bound them by.

What it cannot do: bound an organ's craniocaudal extent. A 2.5D network sees a few millimetres in z, so a gland of
plausible area painted on too many slices passes (cpu-s8's sublingual gland on OpenKBP pt_201, training grid:
16 slices x 3 mm at 3-5 cm^2 each against a 6.4 cm^2 cap).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .grid import GridSpec
from .organs import NUM_CHANNELS


def slice_channel_counts(lab: np.ndarray) -> np.ndarray:
    """[K, NUM_CHANNELS] voxel counts of each channel on each slice of a channel-id volume `lab` [K, ...]."""
    K = lab.shape[0]
    idx = np.arange(K)[:, None] * NUM_CHANNELS + lab.reshape(K, -1)
    return np.bincount(idx.ravel(), minlength=K * NUM_CHANNELS).reshape(K, NUM_CHANNELS)


def max_slice_area_mm2(counts: np.ndarray, pixel_mm2: float, annotated: np.ndarray) -> np.ndarray:
    """[NUM_CHANNELS] largest slice area of each channel (mm^2) from `slice_channel_counts`, 0 where `annotated`
    (a 0/1 mask over the channels) says the source does not label it."""
    return counts.max(axis=0) * pixel_mm2 * annotated


def area_caps(max_slice_area_mm2, spec: GridSpec, margin: float) -> torch.Tensor:
    """cap_c in model pixels [C]: margin x the largest annotated slice area over the given sources (arrays of
    mm^2, one per source, 0 where a source does not annotate c); inf for background and unannotated organs."""
    mm2 = np.max(np.stack([np.asarray(a, np.float64) for a in max_slice_area_mm2]), axis=0)
    px = mm2 * margin / (spec.spacing ** 2)
    px[px <= 0] = math.inf
    px[0] = math.inf
    return torch.tensor(px, dtype=torch.float32)


def area_cap_loss(log_p: torch.Tensor, m: torch.Tensor, caps: torch.Tensor) -> torch.Tensor:
    """log_p [B, C, H, W] (attended, not recalibrated), m [B, C] (1 = annotated), caps [C] (model pixels)."""
    area = log_p[:, 1:].exp().sum(dim=(2, 3))  # [B, C-1] soft area
    unannotated = (m[:, 1:] < 0.5).to(area.dtype)
    excess = torch.relu(area / caps[1:].to(area.device) - 1) * unannotated  # inf cap -> 0
    return excess.sum() / log_p.shape[0]
