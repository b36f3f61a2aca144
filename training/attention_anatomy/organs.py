"""The organ table (DESIGN 3.1) read from src/organs.json, the single source of truth shared with TypeScript."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
_TABLE = json.loads((REPO_ROOT / 'src' / 'organs.json').read_text())

ORGANS: list[dict] = _TABLE['organs']
NUM_ORGANS = len(ORGANS)  # 33
NUM_CHANNELS = NUM_ORGANS + 1  # 34, background first
CHANNEL_NAMES: list[str] = [_TABLE['background']] + [o['tg263'] for o in ORGANS]
REGIONS: list[str] = list(_TABLE['regions'])
NUM_REGIONS = len(REGIONS)
PROTOCOLS: dict[str, list[int]] = {k: list(v['channels']) for k, v in _TABLE['protocols'].items()}

_BY_NAME = {n.lower(): c for c, n in enumerate(CHANNEL_NAMES)}


def channel_of(name: str) -> int:
    """Channel number of a TG-263 organ name (case-insensitive); KeyError for unknown names."""
    c = _BY_NAME.get(name.lower())
    if c is None or c == 0:
        raise KeyError(f'unknown organ name {name!r}')
    return c


def mask_from_channels(channels) -> np.ndarray:
    """Recalibration mask m (length 34, m_0 = 1) with m_c = 1 for the given organ channels."""
    m = np.zeros(NUM_CHANNELS, dtype=np.float32)
    m[0] = 1.0
    for c in channels:
        m[int(c)] = 1.0
    return m


def mask_from_names(names) -> np.ndarray:
    return mask_from_channels(channel_of(n) for n in names)


def protocol_mask(protocol: str) -> np.ndarray:
    return mask_from_channels(PROTOCOLS[protocol])
