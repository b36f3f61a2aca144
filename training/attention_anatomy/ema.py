"""Exponential moving average of the weights (Polyak averaging) for the CPU fine-tuning (issue 21).

At batch 8 and a fixed learning rate, the weights at the end of a session are one noisy point of a random walk:
two runs from the same start with another sample order (cpu-s9 and its repeat) can differ by more than the gain
the gate looks for. The average over the last ~1/(1 - decay) steps is a steadier estimate of where the run went
(Polyak & Juditsky 1992; the EMA of Tarvainen & Valpola 2017 and of most segmentation training recipes):

    e_t = decay * e_{t-1} + (1 - decay) * w_t,   e_0 = the starting weights.

Only floating-point parameters are averaged; buffers (the frozen batch-norm statistics) are copied from the
model. With --ema the run's checkpoint (<variant>.pt, the one evaluated and shipped) holds the average and the
optimiser file (<variant>.pt.opt) the raw training weights, so that --resume continues both.
"""
from __future__ import annotations

import torch


class WeightEma:
    """The running average of `model`'s parameters (float32, on the model's device)."""

    def __init__(self, model: torch.nn.Module, decay: float, start: dict | None = None):
        if not 0.0 <= decay <= 1.0:
            raise ValueError(f'EMA decay must be in [0, 1], got {decay}')
        self.decay = decay
        src = start if start is not None else model.state_dict()
        names = {n for n, _ in model.named_parameters()}
        self.avg = {n: src[n].detach().to(p.device, torch.float32).clone() for n, p in model.state_dict().items()
                    if n in names and p.is_floating_point()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        for n, p in model.named_parameters():
            if n in self.avg:
                self.avg[n].mul_(self.decay).add_(p.detach().float(), alpha=1.0 - self.decay)

    def state_dict(self, model: torch.nn.Module) -> dict:
        """The model's state dict with the averaged parameters in place of the trained ones (buffers as trained)."""
        return {n: (self.avg[n].to(v.dtype) if n in self.avg else v) for n, v in model.state_dict().items()}
