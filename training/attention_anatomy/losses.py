"""Losses of the paper (DESIGN 1): batch Dice, spatially balanced focal loss, region cross-entropy.

All segmentation losses take log q [B, C, H, W] (attention.recalibrated_log_probs: after attention and the
HPA recalibration) and integer labels y [B, H, W].
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

DICE_SMOOTH = 1.0  # voxels; keeps classes absent from a batch finite and pushes their predicted mass to 0


def batch_dice_loss(log_q: torch.Tensor, y: torch.Tensor, classes: torch.Tensor | None = None,
                    smooth: float = DICE_SMOOTH) -> torch.Tensor:
    """1 - mean over classes c of (2 sum_n q_nc y_nc + smooth) / (sum_n q_nc + sum_n y_nc + smooth), where the
    sums run over every voxel of every sample in the batch (one map). `classes`: bool [C] of the channels
    to average (default: all foreground channels 1..C-1)."""
    q = log_q.exp()
    C = q.shape[1]
    onehot = F.one_hot(y, C).permute(0, 3, 1, 2).to(q.dtype)
    inter = (q * onehot).sum(dim=(0, 2, 3))
    denom = q.sum(dim=(0, 2, 3)) + onehot.sum(dim=(0, 2, 3))
    dice = (2 * inter + smooth) / (denom + smooth)
    if classes is None:
        classes = torch.zeros(C, dtype=torch.bool, device=q.device)
        classes[1:] = True
    return 1 - dice[classes].mean()


def focal_loss(log_q: torch.Tensor, y: torch.Tensor, weights: torch.Tensor, gamma: float = 2.0) -> torch.Tensor:
    """Spatially balanced focal loss: mean over voxels of -w_y (1 - q_y)^gamma log q_y (w from inverse size)."""
    lq = log_q.gather(1, y[:, None]).squeeze(1)
    return (-(weights[y]) * (1 - lq.exp()).pow(gamma) * lq).mean()


def region_loss(logits: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on the slice's region class; -1 (unknown) is ignored. 0 if the whole batch is unknown.
    (The mean over the known slices, written without a data-dependent branch: no host round trip.)"""
    valid = (region >= 0).to(logits.dtype if logits.is_floating_point() else torch.float32)
    ce = F.cross_entropy(logits.float(), region.clamp(min=0), reduction='none')
    return (ce * valid).sum() / valid.sum().clamp(min=1.0)


def cap_focal_weights(w, cap: float):
    """Cap the size-balanced focal weights of the organs at cap x their median (w[0], background, kept), so
    that a tiny organ's weight cannot make the network over-predict it. cap <= 0: unchanged."""
    w = torch.as_tensor(w, dtype=torch.float32).clone()
    if cap and cap > 0:
        med = w[1:].median()
        w[1:] = torch.minimum(w[1:], med * cap)
    return w


def dice_classes(m: torch.Tensor, hpa: bool) -> torch.Tensor:
    """Channels the batch Dice averages: with HPA those annotated by at least one sample of the batch (an
    organ nobody annotated has neither labels nor probability mass after recalibration), else all organs."""
    if hpa:
        cls = m.amax(dim=0) > 0.5
    else:
        cls = torch.ones(m.shape[1], dtype=torch.bool, device=m.device)
    cls = cls.clone()
    cls[0] = False
    return cls


def present_classes(y: torch.Tensor, m: torch.Tensor, C: int) -> torch.Tensor:
    """bool [C]: the organ channels with at least one target voxel in the batch (and annotated by its sample,
    which HPA targets are by construction). Background excluded."""
    cls = torch.bincount(y.reshape(-1), minlength=C)[:C] > 0
    cls = cls & (m.amax(dim=0) > 0.5)
    cls = cls.clone()
    cls[0] = False
    return cls


def present_dice_loss(log_q: torch.Tensor, y: torch.Tensor, m: torch.Tensor, smooth: float = 1e-3) -> torch.Tensor:
    """Batch Dice averaged over the organs present in the batch only. Unlike batch_dice_loss over all annotated
    organs, an organ absent from a small batch adds no term, so the many organs missing from any 8 slices are not
    pushed to zero every step (the cross-entropy handles their false positives). 0 when no organ is present."""
    C = log_q.shape[1]
    cls = present_classes(y, m, C)
    q = log_q.exp()
    # intersection and target sizes per class without a one-hot [B, C, H, W] (index_add of q at the target
    # class; bincount): the same sums as batch_dice_loss, about half the time on the CPU
    q_y = q.gather(1, y[:, None]).reshape(-1)
    inter = torch.zeros(C, dtype=q.dtype, device=q.device).index_add(0, y.reshape(-1), q_y)
    denom = q.sum(dim=(0, 2, 3)) + torch.bincount(y.reshape(-1), minlength=C)[:C].to(q.dtype)
    dice = (2 * inter + smooth) / (denom + smooth)
    w = cls.to(dice.dtype)
    return (w * (1 - dice)).sum() / w.sum().clamp(min=1.0)


def cross_entropy_q(log_q: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean voxel cross-entropy on the recalibrated log q (HPA: unannotated organs count as background)."""
    return F.nll_loss(log_q, y)
