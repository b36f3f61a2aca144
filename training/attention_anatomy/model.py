"""AttentionAnatomy network: 2.5D residual U-Net + region classification branch + attention head fc4.

Input  x [B, 5, S, S] (channel-first in PyTorch; the TF.js export is NHWC), 5 planes inferior to superior.
Output f [B, 34, S, S] segmentation logits, fc4 [B, 34] attention pre-activations, region [B, 5] logits.

Only layers the exporter can map onto TF.js graph ops that every tfjs backend runs: 3x3 / 1x1 convs with
batch norm (folded at export), ReLU, residual add, 2x2 max pooling, nearest x2 upsampling, concat, global
mean, fully connected layers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .organs import NUM_CHANNELS, NUM_REGIONS

VARIANTS = ('unet', 'unet_hpa', 'attention', 'attention_hpa')


@dataclass
class ModelConfig:
    size: int = 192  # S, model grid pixels
    base: int = 16  # channels of the first level; doubles per level
    levels: int = 5  # 16-32-64-128-256
    in_planes: int = 5
    fc_hidden: int = 0  # 0: 8 x base (128 for base 16)
    variant: str = 'attention_hpa'

    @property
    def uses_attention(self) -> bool:
        return self.variant.startswith('attention')

    @property
    def uses_hpa(self) -> bool:
        return self.variant.endswith('_hpa')

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> 'ModelConfig':
        return ModelConfig(**{k: d[k] for k in ModelConfig.__dataclass_fields__ if k in d})


class ConvBN(nn.Module):
    """conv (no bias) + batch norm (+ ReLU): exported as one _FusedConv2D with BN folded into its bias."""

    def __init__(self, cin: int, cout: int, k: int, relu: bool):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y) if self.relu else y


class ResBlock(nn.Module):
    """relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)); shortcut = 1x1 conv + BN when channels change."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.c1 = ConvBN(cin, cout, 3, relu=True)
        self.c2 = ConvBN(cout, cout, 3, relu=False)
        self.skip = ConvBN(cin, cout, 1, relu=False) if cin != cout else None

    def forward(self, x):
        s = x if self.skip is None else self.skip(x)
        return F.relu(self.c2(self.c1(x)) + s)


class Up(nn.Module):
    """1x1 conv at the coarse level (halves channels, cheap), nearest x2, concat with the skip, ResBlock."""

    def __init__(self, cin: int, cskip: int, cout: int):
        super().__init__()
        self.reduce = ConvBN(cin, cskip, 1, relu=True)
        self.block = ResBlock(2 * cskip, cout)

    def forward(self, x, skip):
        y = F.interpolate(self.reduce(x), scale_factor=2, mode='nearest')
        return self.block(torch.cat([y, skip], dim=1))


class AttentionAnatomy(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        ch = [cfg.base * 2 ** i for i in range(cfg.levels)]
        self.channels = ch
        self.enc = nn.ModuleList([ResBlock(cfg.in_planes if i == 0 else ch[i - 1], ch[i]) for i in range(cfg.levels)])
        self.dec = nn.ModuleList([Up(ch[i + 1], ch[i], ch[i]) for i in reversed(range(cfg.levels - 1))])
        self.head = nn.Conv2d(ch[0], NUM_CHANNELS, 1)
        # Region branch: shared fc1, fc2; fc3 -> region logits, fc4 -> attention (DESIGN 1).
        hidden = cfg.fc_hidden or 8 * cfg.base
        self.fc1 = nn.Linear(ch[-1], 2 * hidden)
        self.fc2 = nn.Linear(2 * hidden, hidden)
        self.fc3 = nn.Linear(hidden, NUM_REGIONS)
        self.fc4 = nn.Linear(hidden, NUM_CHANNELS)
        # Start with attention close to 1 (sigmoid(3) = 0.95) so that the segmentation is not damped early.
        nn.init.zeros_(self.fc4.weight)
        nn.init.constant_(self.fc4.bias, 3.0)
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, nonlinearity='relu')

    def encode(self, x):
        skips = []
        for i, block in enumerate(self.enc):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        return skips

    def region_head(self, bottleneck):
        # A plain U-Net must not be shaped by the region loss: its region head sees detached features.
        feat = bottleneck if self.cfg.uses_attention else bottleneck.detach()
        h = feat.float().mean(dim=(2, 3)) if feat.dtype != torch.float32 else feat.mean(dim=(2, 3))
        h = F.relu(self.fc1(h))
        h = F.relu(self.fc2(h))
        return self.fc3(h), self.fc4(h)

    def decode(self, skips):
        x = skips[-1]
        for j, up in enumerate(self.dec):
            x = up(x, skips[-2 - j])
        return self.head(x)

    def forward(self, x, with_seg: bool = True):
        """Returns (seg logits f or None, fc4 z, region logits). with_seg=False skips the decoder
        (region pre-training stage)."""
        skips = self.encode(x)
        region, z = self.region_head(skips[-1])
        f = self.decode(skips) if with_seg else None
        return f, z, region

    def attention(self, z: torch.Tensor) -> torch.Tensor:
        """a [B, 34] as exported: sigmoid(fc4) with a_0 = 1; all ones for the plain U-Net variants."""
        if not self.cfg.uses_attention:
            return torch.ones_like(z)
        a = torch.sigmoid(z)
        return torch.cat([torch.ones_like(a[:, :1]), a[:, 1:]], dim=1)


def build_model(cfg: ModelConfig) -> AttentionAnatomy:
    if cfg.variant not in VARIANTS:
        raise ValueError(f'unknown variant {cfg.variant!r}; expected one of {VARIANTS}')
    if cfg.size % 2 ** (cfg.levels - 1):
        raise ValueError(f'size {cfg.size} must be divisible by {2 ** (cfg.levels - 1)}')
    return AttentionAnatomy(cfg)


def calibrate_batchnorm(model: AttentionAnatomy, batches: int = 4, batch_size: int = 2, seed: int = 0) -> None:
    """Give an untrained model realistic BN statistics by running it in train mode on CT-like random input
    (air, soft tissue and bone in blobs), so that random-weight exports produce well-scaled outputs."""
    g = torch.Generator().manual_seed(seed)
    s = model.cfg.size
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            coarse = torch.randn(batch_size, 1, max(s // 16, 2), max(s // 16, 2), generator=g)
            x = F.interpolate(coarse, size=(s, s), mode='bilinear', align_corners=False)
            x = x.repeat(1, model.cfg.in_planes, 1, 1) + 0.05 * torch.randn(batch_size, model.cfg.in_planes, s, s, generator=g)
            model(x.clamp(-1.0, 1.5))
    for m, mom in zip(bns, saved):
        m.momentum = mom
    model.eval()
