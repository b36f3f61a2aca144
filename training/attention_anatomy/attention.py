"""Attention and recalibration (DESIGN 3.4), the math shared by training, evaluation and the browser shader.

For voxel n and channel c, with attention a (a_0 = 1) and protocol / source mask m (m_0 = 1, m_c in {0,1}):
    p_{n,c} = a_c exp(f_{n,c}) / sum_k a_k exp(f_{n,k})              = softmax(f + log a)
    q_{n,c} = m_c p_{n,c} (c >= 1),   q_{n,0} = p_{n,0} + sum_{c>=1} (1 - m_c) p_{n,c}
Everything is done in log space so that losses on q stay finite for tiny probabilities.
Tensors are channel-first: f [B, C, H, W], log_a [B, C], m [B, C].
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def attention_from_fc4(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(a, log a) from the fc4 output z [B, C]: a = sigmoid(z) with a_0 forced to 1."""
    keep = torch.ones_like(z)
    keep[:, 0] = 0.0
    log_a = F.logsigmoid(z) * keep  # log a_0 = 0
    return log_a.exp(), log_a


def attended_logits(f: torch.Tensor, log_a: torch.Tensor | None) -> torch.Tensor:
    """g = f + log a, so that softmax(g) = p."""
    if log_a is None:
        return f
    return f + log_a[:, :, None, None]


def attended_log_probs(f: torch.Tensor, log_a: torch.Tensor | None) -> torch.Tensor:
    """log p [B, C, H, W] = log softmax(f + log a), in float32 (or float64) whatever the logits' precision."""
    up = (lambda t: t if t.dtype == torch.float64 else t.float())  # noqa: E731  (bf16 logits -> float32)
    g = attended_logits(up(f), up(log_a) if log_a is not None else None)
    return torch.log_softmax(g, dim=1)


def recalibrated_log_probs(f: torch.Tensor, log_a: torch.Tensor | None, m: torch.Tensor | None) -> torch.Tensor:
    """log q [B, C, H, W]; channels with m_c = 0 get a large negative value (q_c = 0)."""
    log_p = attended_log_probs(f, log_a)
    return log_p if m is None else recalibrate_log_probs(log_p, m)


def recalibrate_log_probs(log_p: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """log q from log p: the unannotated channels' mass moves into background (log space)."""
    m4 = m[:, :, None, None].to(log_p.dtype)
    unannotated = (m4 < 0.5)
    unannotated = torch.cat([torch.ones_like(unannotated[:, :1]), unannotated[:, 1:]], dim=1)
    # log q_0 = log(p_0 + sum of the unannotated p_c): a logsumexp over channel 0 and the masked channels.
    neg = torch.finfo(log_p.dtype).min / 4
    # masked_fill, not torch.where with a full_like tensor: the same values without two extra [B, C, H, W] buffers
    # (the loss is a third of a CPU training step)
    log_q0 = torch.logsumexp(log_p.masked_fill(~unannotated, neg), dim=1, keepdim=True)
    rest = log_p[:, 1:].masked_fill(m4[:, 1:] <= 0.5, neg)
    return torch.cat([log_q0, rest], dim=1)


def recalibrate_probs(p: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """q from p directly (the plain formula of DESIGN 3.4; the reference the log-space version is tested against)."""
    m4 = m[:, :, None, None].to(p.dtype)
    q = p * m4
    moved = (p[:, 1:] * (1 - m4[:, 1:])).sum(dim=1, keepdim=True)
    return torch.cat([q[:, :1] + moved, q[:, 1:]], dim=1)
