"""Train one AttentionAnatomy variant from the training cache, with the paper's staged schedule.

    PYTHONPATH=training /usr/bin/python3 -m attention_anatomy.train --help

Stages (paper section 2.5; the paper's epochs 20 / 30 / 20 / +20 become fractions of the budget):
  0 region   region cross-entropy only (encoder + region branch; the decoder is skipped)   lr 1e-3
  1 all      batch Dice + spatially balanced focal + region CE                               lr 1e-3
  2 nofocal  batch Dice + region CE                                                          lr 5e-4
  3 finetune batch Dice only, 2D elastic augmentation                                        lr 1e-4
The plain U-Net variants skip stage 0 (their region head only watches detached features) and keep the
region CE to the end, so their `region` output stays meaningful without shaping the segmentation.
The budget is --steps or --seconds (wall clock, for the GPU run); stage boundaries scale with it.
On CUDA: bf16 autocast, channels_last, TF32; the data never leaves the GPU (sampler.py).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from .attention import attention_from_fc4, recalibrated_log_probs
from .export import load_checkpoint_dict
from .grid import GridSpec
from .losses import batch_dice_loss, dice_classes, focal_loss, region_loss
from .model import VARIANTS, ModelConfig, build_model
from .sampler import Augment, DeviceData

STAGES = ('region', 'all', 'nofocal', 'finetune')


@dataclass
class TrainConfig:
    variant: str = 'attention_hpa'
    size: int = 192
    base: int = 16
    batch: int = 16
    steps: int = 0  # budget in steps (0: use seconds)
    seconds: float = 0.0  # wall-clock budget
    deadline: float = 0.0  # Unix time; overrides seconds (set after data loading)
    stage_weights: tuple = (20.0, 30.0, 20.0, 20.0)  # the paper's epochs per stage
    lr: tuple = (1e-3, 1e-3, 5e-4, 1e-4)
    focal_gamma: float = 2.0
    elastic_px: float = 3.0
    seed: int = 0
    log_every: int = 20
    checkpoint_every_s: float = 120.0
    init: str = ''  # continue from this checkpoint's weights (same variant, size and base)
    extra: dict = field(default_factory=dict)

    def fractions(self) -> list[float]:
        w = list(self.stage_weights)
        if not self.variant.startswith('attention'):
            w[0] = 0.0
        total = sum(w)
        acc, out = 0.0, []
        for x in w:
            acc += x / total
            out.append(acc)
        return out  # cumulative end of each stage

    def stage_at(self, progress: float) -> int:
        for i, end in enumerate(self.fractions()):
            if progress < end:
                return i
        return len(STAGES) - 1


def step_losses(model, batch: dict, stage: int, cfg: TrainConfig, focal_w: torch.Tensor, amp: bool) -> dict:
    mcfg = model.cfg
    x = batch['x']
    if x.is_cuda:
        x = x.contiguous(memory_format=torch.channels_last)
    # torch 1.13 checks bf16 support even for a disabled CUDA autocast: only enter it on CUDA.
    ctx = torch.autocast(device_type='cuda', dtype=torch.bfloat16) if amp else contextlib.nullcontext()
    with ctx:
        f, z, region = model(x, with_seg=stage > 0)
    out = {}
    if stage < 3 or not mcfg.uses_attention:
        out['region'] = region_loss(region, batch['region'])
    if stage > 0:
        log_a = attention_from_fc4(z.float())[1] if mcfg.uses_attention else None
        m = batch['m'] if mcfg.uses_hpa else None
        log_q = recalibrated_log_probs(f.float(), log_a, m)
        out['dice'] = batch_dice_loss(log_q, batch['y'], dice_classes(batch['m'], mcfg.uses_hpa))
        if stage == 1:
            out['focal'] = focal_loss(log_q, batch['y'], focal_w, cfg.focal_gamma)
    out['total'] = sum(out.values())
    return out


def save_checkpoint(path, model, cfg: TrainConfig, data: DeviceData, summary: dict) -> None:
    state = {k: v.detach().float().cpu() if v.is_floating_point() else v.detach().cpu()
             for k, v in model.state_dict().items()}
    tmp = Path(str(path) + '.tmp')
    torch.save({'format': 'attention-anatomy-checkpoint/1', 'model': state, 'config': model.cfg.to_dict(),
                'train': asdict(cfg), 'focal_weights': data.index['focalWeights'], 'sources': data.index['sources'],
                'grid': data.index['grid'], 'summary': summary}, tmp)
    tmp.replace(path)


def train(cache: str, out_dir: str, cfg: TrainConfig, device: str = 'auto', log=print) -> dict:
    if cfg.variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}')
    if not (cfg.steps or cfg.seconds or cfg.deadline):
        raise ValueError('give a budget: steps, seconds or deadline')
    dev = torch.device('cuda' if device == 'auto' and torch.cuda.is_available() else ('cpu' if device == 'auto' else device))
    cuda = dev.type == 'cuda'
    torch.manual_seed(cfg.seed)
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_load = time.time()
    data = DeviceData(cache, ('train',), dev, GridSpec(size=cfg.size))
    model = build_model(ModelConfig(size=cfg.size, base=cfg.base, variant=cfg.variant)).to(dev)
    if cfg.init:
        ck = load_checkpoint_dict(cfg.init)
        if ck['config'] != model.cfg.to_dict():
            raise ValueError(f'--init {cfg.init}: model config {ck["config"]} differs from {model.cfg.to_dict()}')
        model.load_state_dict(ck['model'])
    if cuda:
        model = model.to(memory_format=torch.channels_last)
    focal_w = torch.tensor(data.index['focalWeights'], dtype=torch.float32, device=dev)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr[0])
    log_path = out / f'{cfg.variant}.log.jsonl'
    ckpt_path = out / f'{cfg.variant}.pt'
    logf = log_path.open('w')
    log(f'[{cfg.variant}] {len(data.entries)} training cases ({data.num_slices} slices, sources {data.sources}) '
        f'on {dev}, loaded in {time.time() - t_load:.1f} s; budget {cfg.steps or ""} steps {cfg.seconds or ""} s')
    if cfg.deadline:
        cfg.seconds = max(cfg.deadline - time.time(), 1.0)
    aug_base = Augment()
    aug_ft = Augment(elastic_px=cfg.elastic_px)
    t0 = time.time()
    last_ckpt = t0
    step, stage, slices = 0, -1, 0
    model.train()
    while True:
        elapsed = time.time() - t0
        progress = step / cfg.steps if cfg.steps else elapsed / cfg.seconds
        if progress >= 1.0:
            break
        new_stage = cfg.stage_at(progress)
        if new_stage != stage:
            stage = new_stage
            for g in opt.param_groups:
                g['lr'] = cfg.lr[stage]
            log(f'[{cfg.variant}] step {step}: stage {stage} {STAGES[stage]}, lr {cfg.lr[stage]}')
        case, k = data.pick(cfg.batch)
        batch = data.batch(case, k, aug_ft if stage == 3 else aug_base)
        losses = step_losses(model, batch, stage, cfg, focal_w, cuda)
        opt.zero_grad(set_to_none=True)
        losses['total'].backward()
        opt.step()
        step += 1
        slices += cfg.batch
        if step % cfg.log_every == 0:
            rec = {'step': step, 'stage': STAGES[stage], 't': round(time.time() - t0, 1),
                   'slicesPerS': round(slices / max(time.time() - t0, 1e-6), 1),
                   **{key: round(float(v.detach()), 5) for key, v in losses.items()}}
            logf.write(json.dumps(rec) + '\n')
            logf.flush()
            log(f'[{cfg.variant}] ' + ' '.join(f'{a}={b}' for a, b in rec.items()))
        if time.time() - last_ckpt > cfg.checkpoint_every_s:
            save_checkpoint(ckpt_path, model, cfg, data, {'steps': step, 'partial': True})
            last_ckpt = time.time()
    seconds = time.time() - t0
    summary = {'steps': step, 'seconds': round(seconds, 1), 'slices': slices,
               'slicesPerS': round(slices / max(seconds, 1e-6), 1), 'device': str(dev),
               'gpu': torch.cuda.get_device_name(dev) if cuda else None, 'torch': torch.__version__,
               'finalLosses': {key: round(float(v.detach()), 5) for key, v in losses.items()} if step else {},
               'trainingCases': len(data.entries), 'trainingSlices': data.num_slices}
    model.eval()
    save_checkpoint(ckpt_path, model, cfg, data, summary)
    logf.write(json.dumps({'summary': summary}) + '\n')
    logf.close()
    log(f'[{cfg.variant}] done: {summary}')
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m attention_anatomy.train', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cache', default='.train-cache', help='training cache from attention_anatomy.prepare')
    ap.add_argument('--out', required=True, help='folder for <variant>.pt and <variant>.log.jsonl')
    ap.add_argument('--variant', choices=VARIANTS, default='attention_hpa')
    ap.add_argument('--steps', type=int, default=0, help='budget in optimiser steps')
    ap.add_argument('--seconds', type=float, default=0.0, help='budget in wall-clock seconds (after data loading)')
    ap.add_argument('--deadline', type=float, default=0.0,
                    help='stop at this Unix time (the budget becomes deadline - end of data loading); for concurrent runs')
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--size', type=int, default=192, help='model grid S (192 for the product)')
    ap.add_argument('--base', type=int, default=16, help='base channels (16 for the product)')
    ap.add_argument('--stage-weights', default='20,30,20,20', help='relative length of the 4 stages (paper epochs)')
    ap.add_argument('--lr', default='1e-3,1e-3,5e-4,1e-4', help='learning rate per stage')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--device', default='auto', help='auto | cpu | cuda | cuda:N')
    ap.add_argument('--log-every', type=int, default=20)
    ap.add_argument('--init', default='', help='start from this checkpoint (continued training; e.g. with '
                    '--stage-weights 0,30,20,20 to skip region pre-training)')
    args = ap.parse_args(argv)
    cfg = TrainConfig(variant=args.variant, size=args.size, base=args.base, batch=args.batch, steps=args.steps,
                      seconds=args.seconds, deadline=args.deadline, stage_weights=tuple(float(v) for v in args.stage_weights.split(',')),
                      lr=tuple(float(v) for v in args.lr.split(',')), seed=args.seed, log_every=args.log_every,
                      init=args.init)
    train(args.cache, args.out, cfg, args.device)
    return 0


if __name__ == '__main__':
    sys.exit(main())
