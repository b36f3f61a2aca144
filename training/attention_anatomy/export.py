"""Export a model to a TF.js graph model + manifest.json (docs/CONTRACTS.md section 4).

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.export --help

Batch norm is folded into the preceding conv; conv + bias (+ ReLU) become one _FusedConv2D; FC layers
_FusedMatMul. Graph input `ct` [B, S, S, 5] NHWC; outputs `seg` [B, S, S, 34], `attention` [B, 34], `region` [B, 5].
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path

import numpy as np
import torch

from .model import AttentionAnatomy, ConvBN, ModelConfig, ResBlock, build_model, calibrate_batchnorm
from .organs import CHANNEL_NAMES, NUM_CHANNELS, REGIONS, REPO_ROOT
from .tfjs_graph import GraphBuilder

FORMAT = 'attention-anatomy-model/1'
VARIANT_NAMES = {'unet': 'U-Net', 'unet_hpa': 'U-Net + HPA', 'attention': 'AttentionAnatomy',
                 'attention_hpa': 'AttentionAnatomy + HPA'}
INTENDED_USE = ('Research and demonstration: automatic contouring of 33 organs at risk on CT in the browser, '
                'to be reviewed and edited by a qualified person.')
DISCLAIMER = ('Not a medical device. Not cleared or approved for clinical use; every contour must be checked by a '
              'qualified person before any use in treatment planning.')


def _fold(cbn: ConvBN) -> tuple[np.ndarray, np.ndarray]:
    """conv weight [O, I, kh, kw] and BN -> TF filter [kh, kw, I, O] and bias [O]."""
    bn = cbn.bn
    scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach().double()
    w = cbn.conv.weight.detach().double() * scale[:, None, None, None]
    b = bn.bias.detach().double() - bn.running_mean.detach().double() * scale
    return w.permute(2, 3, 1, 0).float().numpy(), b.float().numpy()


def _conv(g: GraphBuilder, name: str, x: str, cbn: ConvBN) -> str:
    w, b = _fold(cbn)
    return g.fused_conv2d(name, x, w, b, 'relu' if cbn.relu else None)


def _resblock(g: GraphBuilder, name: str, x: str, blk: ResBlock) -> str:
    h = _conv(g, f'{name}/c1', x, blk.c1)
    h = _conv(g, f'{name}/c2', h, blk.c2)
    s = x if blk.skip is None else _conv(g, f'{name}/skip', x, blk.skip)
    return g.unary('Relu', f'{name}/out', g.binary('AddV2', f'{name}/add', h, s))


def _linear(g: GraphBuilder, name: str, x: str, lin: torch.nn.Linear, act: str | None) -> str:
    return g.fused_matmul(name, x, lin.weight.detach().t().contiguous().numpy(), lin.bias.detach().numpy(), act)


def build_graph(model: AttentionAnatomy) -> GraphBuilder:
    cfg = model.cfg
    g = GraphBuilder()
    x = g.placeholder('ct', [-1, cfg.size, cfg.size, cfg.in_planes])
    skips, size = [], cfg.size
    for i, blk in enumerate(model.enc):
        if i > 0:
            x = g.max_pool2x2(f'enc{i}/pool', x)
            size //= 2
        x = _resblock(g, f'enc{i}', x, blk)
        skips.append((x, size))
    bottleneck = x
    for j, up in enumerate(model.dec):
        skip, skip_size = skips[-2 - j]
        r = _conv(g, f'dec{j}/reduce', x, up.reduce)
        u = g.resize_nearest(f'dec{j}/up', r, [skip_size, skip_size])
        x = _resblock(g, f'dec{j}', g.concat(f'dec{j}/concat', [u, skip], 3), up.block)
    head_w = model.head.weight.detach().permute(2, 3, 1, 0).contiguous().numpy()
    g.fused_conv2d('seg', x, head_w, model.head.bias.detach().numpy(), None)
    h = g.mean('region/gap', bottleneck, [1, 2])
    h = _linear(g, 'fc1', h, model.fc1, 'relu')
    h = _linear(g, 'fc2', h, model.fc2, 'relu')
    z = _linear(g, 'fc4', h, model.fc4, None)
    # a = sigmoid(fc4) * keep + (1 - keep): keep = [0, 1, ..., 1] gives a_0 = 1; all zeros (plain U-Net) gives a = 1.
    keep = np.ones(NUM_CHANNELS, np.float32) if cfg.uses_attention else np.zeros(NUM_CHANNELS, np.float32)
    keep[0] = 0.0
    s = g.binary('Mul', 'attention/mul', g.unary('Sigmoid', 'attention/sigmoid', z), g.const('attention/keep', keep))
    g.binary('AddV2', 'attention', s, g.const('attention/fill', 1.0 - keep))
    _linear(g, 'region', h, model.fc3, None)
    return g


def make_manifest(cfg: ModelConfig, model_id: str, name: str, version: str, weights: dict,
                  sources: list, metrics: list) -> dict:
    return {
        'format': FORMAT,
        'id': model_id,
        'version': version,
        'name': name,
        'variant': cfg.variant,
        'created': _dt.date.today().isoformat(),
        'input': {'name': 'ct', 'size': cfg.size, 'pixelSpacingMm': 2.0, 'sliceSpacingMm': 2.5, 'slices': cfg.in_planes,
                  'huMin': -1000, 'huMax': 1500, 'huOffset': 0, 'huScale': 1000, 'centre': 'image-centre'},
        'outputs': {'seg': 'seg', 'attention': 'attention', 'region': 'region'},
        'channels': list(CHANNEL_NAMES),
        'regions': list(REGIONS),
        'sources': sources,
        'metrics': metrics,
        'weights': weights,
        'intendedUse': INTENDED_USE,
        'disclaimer': DISCLAIMER,
    }


def export_model(model: AttentionAnatomy, out_dir, *, model_id: str, name: str | None = None, version: str = '1.0.0',
                 weight_dtype: str = 'float16', sources: list | None = None, metrics: list | None = None) -> dict:
    model = model.eval().float().cpu()
    g = build_graph(model)
    info = g.save(out_dir, weight_dtype, generated_by=f'AttentionAnatomy {model.cfg.variant}')
    manifest = make_manifest(model.cfg, model_id, name or VARIANT_NAMES[model.cfg.variant], version,
                             {'dtype': weight_dtype, 'bytes': info['bytes']}, sources or [], metrics or [])
    (Path(out_dir) / 'manifest.json').write_text(json.dumps(manifest, indent=1) + '\n')
    return manifest


def update_index(index_path, model_id: str, name: str, default: bool) -> dict:
    """Adds or replaces the entry for model_id in public/models/index.json (CONTRACTS 4)."""
    p = Path(index_path)
    index = json.loads(p.read_text()) if p.exists() else {'models': []}
    models = [m for m in index.get('models', []) if m.get('id') != model_id]
    if default:
        for m in models:
            m['default'] = False
    models.append({'id': model_id, 'name': name, 'path': f'models/{model_id}/', 'default': default or not models})
    index['models'] = models
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(index, indent=1) + '\n')
    return index


def load_checkpoint_dict(path) -> dict:
    """The saved dict (weights, config, focal weights, summary). torch >= 2.6 defaults to weights_only=True,
    which refuses the plain-Python metadata; our own checkpoints are trusted input."""
    try:
        return torch.load(path, map_location='cpu', weights_only=False)  # torch >= 1.13
    except TypeError:
        return torch.load(path, map_location='cpu')


def load_checkpoint(path) -> tuple[AttentionAnatomy, dict]:
    ckpt = load_checkpoint_dict(path)
    model = build_model(ModelConfig.from_dict(ckpt['config']))
    model.load_state_dict(ckpt['model'])
    return model.eval(), ckpt


def random_model(size: int, base: int, variant: str, seed: int) -> AttentionAnatomy:
    """Random weights with calibrated batch-norm statistics (well-scaled outputs) and a non-trivial attention."""
    torch.manual_seed(seed)
    model = build_model(ModelConfig(size=size, base=base, variant=variant))
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
        torch.nn.init.normal_(model.fc4.weight, std=0.3)
        torch.nn.init.normal_(model.fc4.bias, std=1.0)
        model.head.weight.mul_(0.2)  # logits of a few units rather than saturated ones
    calibrate_batchnorm(model, seed=seed)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.export', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--checkpoint', help='checkpoint .pt written by attention_anatomy.train')
    src.add_argument('--random', action='store_true', help='random weights (development model / test fixture)')
    ap.add_argument('--out', required=True, help='output folder, e.g. public/models/aa-hpa-v1')
    ap.add_argument('--id', required=True, help='model id (manifest id, folder name in index.json)')
    ap.add_argument('--name', help='display name (default from the variant)')
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--dtype', choices=['float16', 'float32'], default='float16', help='weight storage (default float16)')
    ap.add_argument('--size', type=int, default=192, help='--random: model grid size S (default 192)')
    ap.add_argument('--base', type=int, default=16, help='--random: base channels (default 16)')
    ap.add_argument('--variant', default='attention_hpa', help='--random: variant (default attention_hpa)')
    ap.add_argument('--seed', type=int, default=0, help='--random: seed')
    ap.add_argument('--metrics', help='metrics JSON written by attention_anatomy.evaluate (--json); the entries for this variant go into the manifest')
    ap.add_argument('--index', help='also add the model to this index.json (e.g. public/models/index.json)')
    ap.add_argument('--default', action='store_true', help='make it the default model in --index')
    args = ap.parse_args(argv)

    if args.random:
        model = random_model(args.size, args.base, args.variant, args.seed)
        sources, metrics = [], []
        name = args.name or f'Random weights ({VARIANT_NAMES[args.variant]}, development only)'
    else:
        model, ckpt = load_checkpoint(args.checkpoint)
        sources = ckpt.get('sources', [])
        metrics = []
        name = args.name or VARIANT_NAMES[model.cfg.variant]
    if args.metrics:
        data = json.loads(Path(args.metrics).read_text())
        metrics = [m for m in data.get('results', []) if m.get('variant') == model.cfg.variant]
        # The manifest (src/engine/manifest.ts) needs numbers: organs whose predictions were all empty (no HD95)
        # stay in RESULTS.md only.
        metrics = [{'dataset': m['dataset'], 'meanDsc': m['meanDsc'], 'meanHd95Mm': m['meanHd95Mm'],
                    'perOrgan': {k: {'dsc': v['dsc'], 'hd95Mm': v['hd95Mm']} for k, v in m['perOrgan'].items()
                                 if v['hd95Mm'] is not None}}
                   for m in metrics if m['meanDsc'] is not None and m['meanHd95Mm'] is not None]
    manifest = export_model(model, args.out, model_id=args.id, name=name, version=args.version,
                            weight_dtype=args.dtype, sources=sources, metrics=metrics)
    if args.index:
        update_index(args.index, args.id, name, args.default)
    print(f'wrote {args.out}: {manifest["weights"]["bytes"]} weight bytes ({args.dtype}), variant {model.cfg.variant}, '
          f'S={model.cfg.size}, base={model.cfg.base}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
