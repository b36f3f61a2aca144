"""Recover a PyTorch checkpoint from an exported TF.js model package (the inverse of export.py).

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.recover public/models/aa-hpa-v1 \\
        training/checkpoints/aa-hpa-v1.pt

The export folds batch norm into the convolutions (export._fold: w' = w * g / sqrt(v + eps),
b' = beta - mean * g / sqrt(v + eps)). The folded network is rebuilt exactly by loading w' into the conv and
giving every batch norm the identity statistics: gamma = 1, beta = b', running mean 0 and a running variance
`IDENTITY_VAR` with float32(IDENTITY_VAR + eps) == 1, so that the fold of the recovered model is w' * 1.0 and
a re-export writes the same bytes. Batch norm must then stay in eval mode (train.py --freeze-bn): batch
statistics would replace the folded ones. Weights are the float16 values of the package, widened to float32.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from .model import AttentionAnatomy, ConvBN, ModelConfig, ResBlock, build_model

BN_EPS = 1e-5  # torch.nn.BatchNorm2d default, as in model.py
# float32(1 - 1e-5) + float32(1e-5) rounds to exactly 1.0 (checked in identity_var()).
IDENTITY_VAR = 1.0 - BN_EPS


def identity_var() -> torch.Tensor:
    v = torch.tensor([IDENTITY_VAR], dtype=torch.float32)
    if float(torch.sqrt(v + BN_EPS)) != 1.0:
        raise AssertionError('identity batch-norm variance does not give an exact scale of 1')
    return v


def read_package(folder) -> tuple[dict, dict[str, np.ndarray]]:
    """(manifest, {weight name: float32/int32 array}) of a model package written by export.py."""
    folder = Path(folder)
    manifest = json.loads((folder / 'manifest.json').read_text())
    model_json = json.loads((folder / 'model.json').read_text())
    group = model_json['weightsManifest']
    if len(group) != 1:
        raise ValueError(f'{folder}: expected one weight group, found {len(group)}')
    payload = b''.join((folder / p).read_bytes() for p in group[0]['paths'])
    out, off = {}, 0
    for spec in group[0]['weights']:
        n = int(np.prod(spec['shape'])) if spec['shape'] else 1
        q = (spec.get('quantization') or {}).get('dtype')
        if q == 'float16':
            arr, size = np.frombuffer(payload, '<f2', n, off).astype(np.float32), 2 * n
        elif spec['dtype'] == 'int32':
            arr, size = np.frombuffer(payload, '<i4', n, off).copy(), 4 * n
        elif spec['dtype'] == 'float32' and q is None:
            arr, size = np.frombuffer(payload, '<f4', n, off).copy(), 4 * n
        else:
            raise ValueError(f'{folder}: weight {spec["name"]}: unsupported encoding {spec}')
        out[spec['name']] = arr.reshape(spec['shape'])
        off += size
    if off != len(payload):
        raise ValueError(f'{folder}: {len(payload) - off} bytes of the shards not described by the manifest')
    return manifest, out


def _set_conv(cbn: ConvBN, w: dict, name: str, used: set) -> None:
    filt, bias = w[f'{name}/filter'], w[f'{name}/bias']
    used.update((f'{name}/filter', f'{name}/bias'))
    conv = torch.from_numpy(np.ascontiguousarray(filt.transpose(3, 2, 0, 1)))  # HWIO -> OIHW
    if conv.shape != cbn.conv.weight.shape:
        raise ValueError(f'{name}: filter {tuple(conv.shape)} does not fit {tuple(cbn.conv.weight.shape)}')
    with torch.no_grad():
        cbn.conv.weight.copy_(conv)
        cbn.bn.weight.fill_(1.0)
        cbn.bn.bias.copy_(torch.from_numpy(bias))
        cbn.bn.running_mean.zero_()
        cbn.bn.running_var.copy_(identity_var().expand_as(cbn.bn.running_var))
    cbn.bn.eps = BN_EPS


def _set_block(blk: ResBlock, w: dict, name: str, used: set) -> None:
    _set_conv(blk.c1, w, f'{name}/c1', used)
    _set_conv(blk.c2, w, f'{name}/c2', used)
    if blk.skip is not None:
        _set_conv(blk.skip, w, f'{name}/skip', used)


def _set_linear(lin: torch.nn.Linear, w: dict, name: str, weights_key: str, used: set) -> None:
    mat, bias = w[f'{name}/{weights_key}'], w[f'{name}/bias']
    used.update((f'{name}/{weights_key}', f'{name}/bias'))
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(mat.T)))
        lin.bias.copy_(torch.from_numpy(bias))


# Graph constants that carry no learnt value (shapes, axes, the attention keep mask).
_STRUCTURAL = ('/up/size', '/concat/axis', 'region/gap/axes', 'attention/keep', 'attention/fill')


def model_from_package(folder) -> tuple[AttentionAnatomy, dict]:
    """The network of an exported package, in eval mode, with identity batch norm (module docstring)."""
    manifest, w = read_package(folder)
    size = int(manifest['input']['size'])
    base = int(w['enc0/c1/filter'].shape[3])
    cfg = ModelConfig(size=size, base=base, in_planes=int(manifest['input']['slices']), variant=manifest['variant'],
                      fc_hidden=int(w['fc2/weights'].shape[1]))
    if cfg.fc_hidden == 8 * base:
        cfg.fc_hidden = 0  # the default, as train.py writes it
    model = build_model(cfg)
    used: set = set()
    for i, blk in enumerate(model.enc):
        _set_block(blk, w, f'enc{i}', used)
    for j, up in enumerate(model.dec):
        _set_conv(up.reduce, w, f'dec{j}/reduce', used)
        _set_block(up.block, w, f'dec{j}', used)
    with torch.no_grad():
        model.head.weight.copy_(torch.from_numpy(np.ascontiguousarray(w['seg/filter'].transpose(3, 2, 0, 1))))
        model.head.bias.copy_(torch.from_numpy(w['seg/bias']))
    used.update(('seg/filter', 'seg/bias'))
    _set_linear(model.fc1, w, 'fc1', 'weights', used)
    _set_linear(model.fc2, w, 'fc2', 'weights', used)
    _set_linear(model.fc4, w, 'fc4', 'weights', used)
    _set_linear(model.fc3, w, 'region', 'weights', used)
    left = [k for k in w if k not in used and not k.endswith(_STRUCTURAL)]
    if left:
        raise ValueError(f'{folder}: weights not mapped onto the model: {left}')
    return model.eval(), manifest


def checkpoint_dict(model: AttentionAnatomy, manifest: dict, half: bool = True) -> dict:
    """A train.py-compatible checkpoint (weights-only; float16 weights, float32 batch-norm statistics so that
    the identity variance survives)."""
    state = {}
    for k, v in model.state_dict().items():
        v = v.detach().cpu()
        if half and v.is_floating_point() and not k.endswith(('running_mean', 'running_var')):
            v = v.half()
        state[k] = v
    return {'format': 'attention-anatomy-checkpoint/1', 'model': state, 'config': model.cfg.to_dict(),
            'train': {'recoveredFrom': manifest.get('id'), 'freezeBn': True},
            'sources': manifest.get('sources', []),
            'grid': {'size': model.cfg.size},
            'summary': {'recoveredFrom': manifest.get('id'), 'version': manifest.get('version'),
                        'note': 'weights recovered from the TF.js package; batch norm = identity statistics'}}


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.recover', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('package', help='model package folder (model.json, shards, manifest.json)')
    ap.add_argument('out', help='checkpoint to write (.pt)')
    args = ap.parse_args(argv)
    model, manifest = model_from_package(args.package)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint_dict(model, manifest), args.out)
    n = sum(p.numel() for p in model.parameters())
    print(f'wrote {args.out}: {manifest.get("id")} ({manifest["variant"]}, S={model.cfg.size}, base={model.cfg.base}, '
          f'{n} parameters, {Path(args.out).stat().st_size} bytes)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
