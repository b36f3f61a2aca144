"""PNG previews of synthesized CT: a grid of samples per anatomy source, with the labels33 outlines.

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.preview --cache .train-cache --out docs/images/synth-preview.png

Each row is one source; each tile the centre plane of a synthesized window (window -250..350 HU, lungs
visible as dark grey), with the target organs outlined in colour. Written with zlib only (no Pillow).
"""
from __future__ import annotations

import argparse
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import torch

from .grid import GridSpec
from .synth import AnatomyBank, SynthParams


def write_png(path, rgb: np.ndarray) -> None:
    """Minimal RGB8 PNG writer."""
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[r].astype(np.uint8).tobytes() for r in range(h))

    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + \
        chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    Path(path).write_bytes(png)


def _palette(n=34):
    rng = np.random.RandomState(3)
    pal = rng.randint(60, 256, size=(n, 3))
    pal[0] = 0
    return pal


def tile(hu: np.ndarray, y: np.ndarray, lo=-250.0, hi=350.0) -> np.ndarray:
    g = np.clip((hu - lo) / (hi - lo), 0, 1) * 255
    rgb = np.repeat(g[..., None], 3, axis=2)
    edge = np.zeros_like(y, bool)
    edge[1:] |= y[1:] != y[:-1]
    edge[:, 1:] |= y[:, 1:] != y[:, :-1]
    edge &= y > 0
    rgb[edge] = _palette()[y[edge]]
    return rgb


def render(bank: AnatomyBank, per_source: int, params: SynthParams, seed: int = 0, organ_only: bool = True):
    spec = bank.spec
    gen = torch.Generator(device=bank.device).manual_seed(seed)
    rows = []
    for src in bank.sources:
        idx = torch.nonzero(torch.tensor([bank.entries[s]['source'] == src for s in bank.slice_sub.tolist()]))[:, 0]
        w = bank.slice_w[idx].clone()
        if organ_only:
            organ = torch.tensor([bool(len(bank.entries[s]['annotated'])) for s in bank.slice_sub[idx].tolist()])
            w = w * organ
        g = idx[torch.multinomial(w, per_source, replacement=True, generator=gen)]
        out = bank.batch(per_source, params, gen, g=g)
        hu = (out['x'][:, spec.planes // 2] * spec.hu_scale + spec.hu_offset).cpu().numpy()
        tiles = [tile(hu[b], out['y'][b].cpu().numpy()) for b in range(per_source)]
        rows.append(np.concatenate(tiles, axis=1))
    return np.concatenate(rows, axis=0), bank.sources


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.preview', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cache', default='.train-cache')
    ap.add_argument('--out', required=True)
    ap.add_argument('--per-source', type=int, default=6)
    ap.add_argument('--size', type=int, default=192)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--clean', action='store_true', help='no augmentation besides the HU draw')
    args = ap.parse_args(argv)
    bank = AnatomyBank(args.cache, 'cpu', GridSpec(size=args.size))
    img, sources = render(bank, args.per_source, SynthParams.clean() if args.clean else SynthParams(), args.seed)
    write_png(args.out, img)
    print(f'{args.out}: rows {sources}, {img.shape[1]}x{img.shape[0]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
