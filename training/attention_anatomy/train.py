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

CPU fine-tuning (training/cpu/run.sh; issue 21): --freeze-bn keeps batch norm in eval mode (required for weights
recovered from a TF.js package, recover.py, and stable at batch 8), --bf16 autocasts to bfloat16 with
channels_last (CPUs with avx512_bf16), --loss ce_dice (cross-entropy on the recalibrated q + batch Dice over the
organs present in the batch; the paper's losses over-predict or wipe out absent organs at batch 8),
--focus-slots N draws N synthesized samples of every batch among slices showing --focus-organs (default the
lungs), --resume continues weights, optimiser state and counters of an earlier run, --warmup N ramps the
learning rate linearly over the first N steps when the Adam state is fresh (a fresh Adam at full rate on trained
weights cost the real sets in cpu-s4; training/RESULTS.md), --area-weight adds the slice-area prior on the
organs a sample does not annotate (size_prior.py), --ema D keeps a moving average of the weights and writes it
as the checkpoint (ema.py; the trained weights go to the .opt file for --resume).
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

from .attention import attended_log_probs, attention_from_fc4, recalibrate_log_probs
from .export import load_checkpoint_dict
from .grid import GridSpec
from .cache import class_weights
from .ema import WeightEma
from .losses import (batch_dice_loss, cap_focal_weights, cross_entropy_q, dice_classes, focal_loss,
                     present_dice_loss, region_loss)
from .model import VARIANTS, ModelConfig, build_model
from .organs import CHANNEL_NAMES, channel_of
from .sampler import Augment, DeviceData
from .size_prior import area_cap_loss, area_caps
from .synth import AnatomyBank, SynthParams

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
    # Model v2 mix (training/README.md "Model v2"): shares of every batch; synthesized anatomy gets the rest
    real_share: float = 0.5  # OpenKBP real CT
    phantom_share: float = 0.15  # project phantoms (0 = none)
    organ_weight: float = 3.0  # slices showing an annotated organ are drawn this many times as often
    focal_cap: float = 50.0  # focal weight of an organ <= focal_cap x the median organ weight (0 = no cap)
    compile: bool = False  # torch.compile the model (torch >= 2; ignored with a note on 1.13)
    synth: dict = field(default_factory=dict)  # SynthParams overrides
    weights_out: str = ''  # also write a float16 weights-only checkpoint here (for continuation)
    # CPU fine-tuning (module docstring)
    freeze_bn: bool = False  # batch norm in eval mode (running statistics; gamma and beta still learn)
    bf16: bool = False  # bfloat16 autocast + channels_last on the CPU (always on with CUDA)
    loss: str = 'paper'  # 'paper' (batch Dice + focal by stage) | 'ce_dice' (CE on q + Dice of present organs)
    dice_weight: float = 1.0  # ce_dice: weight of the Dice term
    focus_slots: int = 0  # synthesized samples per batch drawn among slices showing focus_organs
    focus_organs: tuple = ('Lung_L', 'Lung_R')
    real_sources: tuple = ('openkbp',)  # cache sources that count as real CT (the real share)
    threads: int = 0  # torch CPU threads (0 = torch's default)
    resume: str = ''  # continue this run (checkpoint + <checkpoint>.opt: optimiser state and counters)
    warmup: int = 0  # steps of linear learning-rate warm-up when the Adam state is fresh (0 = none)
    area_weight: float = 0.0  # weight of the slice-area prior on unannotated organs (size_prior.py; 0 = off)
    area_margin: float = 1.5  # its cap: this x the largest annotated slice area of the organ in the training data
    ema: float = 0.0  # decay of the weights' moving average (ema.py; 0 = off): the checkpoint holds the average
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


def warmup_factor(step: int, warmup: int) -> float:
    """Learning-rate multiplier of optimiser step `step` (0-based): (step + 1) / warmup for the first `warmup`
    steps, then 1."""
    if warmup <= 0 or step >= warmup:
        return 1.0
    return (step + 1) / warmup


def autocast_ctx(device_type: str | None):
    """bf16 autocast on 'cuda' or 'cpu'; None: none. (torch 1.13 checks bf16 support even for a disabled CUDA
    autocast: only enter one when asked.)"""
    if device_type is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device_type, dtype=torch.bfloat16)


def step_losses(model, batch: dict, stage: int, cfg: TrainConfig, focal_w: torch.Tensor, amp,
                caps: torch.Tensor | None = None) -> dict:
    """amp: None (float32), 'cuda' or 'cpu' (bf16 autocast + channels_last); True means 'cuda' (older callers).
    caps: per-organ slice-area caps (size_prior.area_caps) for the area prior when cfg.area_weight > 0."""
    mcfg = getattr(model, 'cfg', None) or model._orig_mod.cfg
    amp = 'cuda' if amp is True else (amp or None)
    x = batch['x']
    if amp is not None:
        x = x.contiguous(memory_format=torch.channels_last)
    with autocast_ctx(amp):
        f, z, region = model(x, with_seg=stage > 0)
    out = {}
    if stage < 3 or not mcfg.uses_attention:
        out['region'] = region_loss(region, batch['region'])
    if stage > 0:
        log_a = attention_from_fc4(z.float())[1] if mcfg.uses_attention else None
        m = batch['m'] if mcfg.uses_hpa else None
        log_p = attended_log_probs(f, log_a)
        log_q = log_p if m is None else recalibrate_log_probs(log_p, m)
        if cfg.area_weight > 0 and m is not None and caps is not None:
            out['area'] = cfg.area_weight * area_cap_loss(log_p, m, caps)
        if cfg.loss == 'ce_dice':
            out['ce'] = cross_entropy_q(log_q, batch['y'])
            out['dice'] = cfg.dice_weight * present_dice_loss(log_q, batch['y'], batch['m'])
        else:
            out['dice'] = batch_dice_loss(log_q, batch['y'], dice_classes(batch['m'], mcfg.uses_hpa))
            if stage == 1:
                out['focal'] = focal_loss(log_q, batch['y'], focal_w, cfg.focal_gamma)
    out['total'] = sum(out.values())
    return out


def freeze_batchnorm(model: torch.nn.Module) -> None:
    """Batch norm layers to eval mode (running statistics), the rest unchanged; call after model.train()."""
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.eval()


def save_checkpoint(path, model, cfg: TrainConfig, data: DeviceData, summary: dict, focal_weights=None,
                    sources=None, half: bool = False, weights: dict | None = None) -> None:
    """Checkpoint (weights + config + metadata); half: float16 weights only, a few MB, for continuation.
    `weights`: this state dict instead of the model's (the moving average, ema.py)."""
    dt = torch.float16 if half else torch.float32
    # batch-norm statistics stay float32: the identity variance of recovered weights (recover.py) must survive
    keep = ('running_mean', 'running_var')
    state = {k: v.detach().to(dt).cpu() if v.is_floating_point() and not k.endswith(keep) else v.detach().cpu()
             for k, v in (weights if weights is not None else model.state_dict()).items()}
    tmp = Path(str(path) + '.tmp')
    torch.save({'format': 'attention-anatomy-checkpoint/1', 'model': state, 'config': model.cfg.to_dict(),
                'train': asdict(cfg), 'focal_weights': list(focal_weights or data.index['focalWeights']),
                'sources': sources if sources is not None else data.index['sources'],
                'grid': data.index['grid'], 'summary': summary}, tmp)
    tmp.replace(path)


def save_optimizer(ckpt_path, opt, start: dict, step: int, slices: int, seconds: float, raw: dict | None = None) -> None:
    """<checkpoint>.opt: Adam state + counters (cumulative over resumed runs), for --resume. Not committed
    (16 MB); the weights-only checkpoint alone continues with a fresh optimiser. `raw`: the trained weights when
    the checkpoint holds their moving average (--ema), so that a resumed run trains on from them."""
    p = Path(str(ckpt_path) + '.opt')
    tmp = Path(str(p) + '.tmp')
    saved = {'optimizer': opt.state_dict(), 'counters': {'step': start['step'] + step, 'slices': start['slices'] + slices,
                                                         'seconds': round(start['seconds'] + seconds, 1)}}
    if raw is not None:
        saved['raw_model'] = {k: v.detach().cpu() for k, v in raw.items()}
    torch.save(saved, tmp)
    tmp.replace(p)


def batch_counts(B: int, real: float, phantom: float, has_real: bool, has_phantom: bool, has_synth: bool) -> tuple:
    """(real, phantom, synth) samples of a batch of B: fixed counts (every batch holds its shares); a missing
    group's share goes to the others in proportion."""
    shares = [real if has_real else 0.0, phantom if has_phantom else 0.0,
              max(0.0, 1 - real - phantom) if has_synth else 0.0]
    tot = sum(shares)
    if tot <= 0:
        shares = [float(has_real), float(has_phantom), float(has_synth)]
        tot = sum(shares)
    if tot <= 0:
        raise ValueError('no training data')
    n = [int(round(B * v / tot)) for v in shares]
    n[max(range(3), key=lambda i: shares[i])] += B - sum(n)
    return tuple(n)


class Mixer:
    """Draws the mixed batches: real CT + phantoms (DeviceData) + synthesized anatomy (AnatomyBank)."""

    def __init__(self, data: DeviceData | None, bank: AnatomyBank | None, cfg: TrainConfig):
        self.data, self.bank, self.cfg = data, bank, cfg
        self.synth = SynthParams(**cfg.synth)
        self.counts = batch_counts(cfg.batch, cfg.real_share, cfg.phantom_share,
                                   data is not None and data.has_group('real'),
                                   data is not None and data.has_group('phantom'), bank is not None)
        self.focus = min(cfg.focus_slots, self.counts[2]) if bank is not None else 0
        self.focus_channels = tuple(channel_of(n) for n in cfg.focus_organs)

    def batch(self, aug: Augment, gen=None) -> dict:
        parts = []
        for n, group in zip(self.counts[:2], ('real', 'phantom')):
            if n:
                case, k = self.data.pick(n, gen, group)
                parts.append(self.data.batch(case, k, aug, gen))
        if self.counts[2] - self.focus:
            parts.append(self.bank.batch(self.counts[2] - self.focus, self.synth, gen))
        if self.focus:
            g = self.bank.pick(self.focus, gen, self.focus_channels)
            parts.append(self.bank.batch(self.focus, self.synth, gen, g=g))
        if len(parts) == 1:
            return parts[0]
        return {key: torch.cat([p[key] for p in parts]) for key in ('x', 'y', 'm', 'region')}


def mixed_focal_weights(data: DeviceData | None, bank: AnatomyBank | None, spec: GridSpec, cap: float) -> torch.Tensor:
    """Size-balanced focal weights over every training source (cases and anatomy subjects), capped."""
    entries = list(data.entries) if data is not None else []
    if bank is not None:
        entries += [{'annotated': e['annotated'], 'labelCounts': e['labelCounts'], 'spacing': e['spacing'],
                     'shape': e['shape']} for e in bank.entries]
    w, _ = class_weights(entries, spec)
    return cap_focal_weights(w, cap)


def train(cache: str, out_dir: str, cfg: TrainConfig, device: str = 'auto', log=print) -> dict:
    if cfg.variant not in VARIANTS:
        raise ValueError(f'variant must be one of {VARIANTS}')
    if not (cfg.steps or cfg.seconds or cfg.deadline):
        raise ValueError('give a budget: steps, seconds or deadline')
    dev = torch.device('cuda' if device == 'auto' and torch.cuda.is_available() else ('cpu' if device == 'auto' else device))
    cuda = dev.type == 'cuda'
    amp = 'cuda' if cuda else ('cpu' if cfg.bf16 else None)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    if not cuda:
        # denormal floats (tiny gradients, Adam moments) are up to 100x slower on x86: flush them to zero
        torch.set_flush_denormal(True)
    torch.manual_seed(cfg.seed)
    if cuda:
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_load = time.time()
    spec = GridSpec(size=cfg.size)
    data = DeviceData(cache, ('train',), dev, spec, organ_weight=cfg.organ_weight, real_sources=tuple(cfg.real_sources))
    bank = None
    if cfg.real_share + cfg.phantom_share < 1.0 and (Path(cache) / 'anatomy.json').exists():
        bank = AnatomyBank(cache, dev, spec, organ_weight=cfg.organ_weight)
    mixer = Mixer(data, bank, cfg)
    model = build_model(ModelConfig(size=cfg.size, base=cfg.base, variant=cfg.variant)).to(dev)
    start = {'step': 0, 'slices': 0, 'seconds': 0.0}
    for path in filter(None, (cfg.resume or cfg.init,)):
        ck = load_checkpoint_dict(path)
        if ck['config'] != model.cfg.to_dict():
            raise ValueError(f'{path}: model config {ck["config"]} differs from {model.cfg.to_dict()}')
        model.load_state_dict(ck['model'])
    if amp is not None:
        model = model.to(memory_format=torch.channels_last)
    focal_w = mixed_focal_weights(data, bank, spec, cfg.focal_cap).to(dev)
    caps = None
    if cfg.area_weight > 0:
        caps = area_caps([data.max_slice_area_mm2] + ([bank.max_slice_area_mm2] if bank is not None else []),
                         spec, cfg.area_margin).to(dev)
        log(f'[{cfg.variant}] slice-area prior x{cfg.area_weight} on unannotated organs, caps (cm^2): '
            + ', '.join(f'{CHANNEL_NAMES[c]} {caps[c].item() * spec.spacing ** 2 / 100:.1f}'
                        for c in range(1, len(caps)) if torch.isfinite(caps[c])))
    sources = list(data.index['sources'])
    if bank is not None:
        from .anatomy import SOURCE_LICENCES
        sources += [{'id': f'synth-{s}', 'description': f'CT synthesized from {SOURCE_LICENCES.get(s, s)}',
                     'cases': sum(e['source'] == s for e in bank.entries),
                     'annotated': sorted({CHANNEL_NAMES[c] for e in bank.entries if e['source'] == s for c in e['annotated']},
                                         key=CHANNEL_NAMES.index)} for s in bank.sources]
    fwd = model
    if cfg.compile:
        if hasattr(torch, 'compile'):
            fwd = torch.compile(model)
        else:
            log(f'[{cfg.variant}] torch {torch.__version__} has no torch.compile: running eagerly')
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr[0])
    ema_start = None
    opt_path = Path(str(cfg.resume) + '.opt') if cfg.resume else None
    resumed_opt = opt_path is not None and opt_path.exists()
    if resumed_opt:
        saved = torch.load(opt_path, map_location=dev)
        opt.load_state_dict(saved['optimizer'])
        start = saved['counters']
        log(f'[{cfg.variant}] resumed {cfg.resume}: optimiser state and counters {start}')
        if 'raw_model' in saved:  # the checkpoint holds the moving average; training goes on from the raw weights
            ema_start = {k: v.detach().clone() for k, v in model.state_dict().items()}
            model.load_state_dict(saved['raw_model'])
            log(f'[{cfg.variant}] resumed the trained weights from {opt_path.name} (the checkpoint holds their average)')
    elif cfg.resume:
        log(f'[{cfg.variant}] resumed {cfg.resume}: weights only (no {opt_path.name}: a fresh Adam state)')
    warmup = 0 if resumed_opt else cfg.warmup
    ema = WeightEma(model, cfg.ema, ema_start) if cfg.ema > 0 else None
    if ema is not None:
        log(f'[{cfg.variant}] weights averaged with decay {cfg.ema} (about the last {f"{1 / (1 - cfg.ema):.0f}" if cfg.ema < 1 else "all"} steps; '
            f'starting from the {"saved average" if ema_start is not None else "starting weights"}); the checkpoint holds the average')
    if warmup:
        log(f'[{cfg.variant}] fresh Adam state: learning rate ramps up over the first {warmup} steps')
    log_path = out / f'{cfg.variant}.log.jsonl'
    ckpt_path = out / f'{cfg.variant}.pt'
    logf = log_path.open('a' if cfg.resume else 'w')
    log(f'[{cfg.variant}] {len(data.entries)} training cases ({data.num_slices} slices, sources {data.sources}) '
        + (f'+ {len(bank.entries)} anatomy subjects ({bank.num_slices} slices, {bank.sources}) ' if bank else '')
        + f'on {dev}, loaded in {time.time() - t_load:.1f} s; batch {cfg.batch} = real/phantom/synth {mixer.counts}; '
        f'budget {cfg.steps or ""} steps {cfg.seconds or ""} s')
    if cfg.deadline:
        cfg.seconds = max(cfg.deadline - time.time(), 1.0)
    aug_base = Augment()
    aug_ft = Augment(elastic_px=cfg.elastic_px)
    t0 = time.time()
    last_ckpt = t0
    step, stage, slices = 0, -1, 0
    model.train()
    if cfg.freeze_bn:
        freeze_batchnorm(model)
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
        if step <= warmup:  # one more pass at step == warmup restores the stage's full rate
            for g in opt.param_groups:
                g['lr'] = cfg.lr[stage] * warmup_factor(step, warmup)
        batch = mixer.batch(aug_ft if stage == 3 else aug_base)
        losses = step_losses(fwd, batch, stage, cfg, focal_w, amp, caps)
        opt.zero_grad(set_to_none=True)
        losses['total'].backward()
        opt.step()
        if ema is not None:
            ema.update(model)
        step += 1
        slices += cfg.batch
        if step % cfg.log_every == 0:
            rec = {'step': step, 'stage': STAGES[stage], 't': round(time.time() - t0, 1),
                   'slicesPerS': round(slices / max(time.time() - t0, 1e-6), 1),
                   'slicesSeen': start['slices'] + slices,
                   'lr': opt.param_groups[0]['lr'],
                   **{key: round(float(v.detach()), 5) for key, v in losses.items()}}
            logf.write(json.dumps(rec) + '\n')
            logf.flush()
            log(f'[{cfg.variant}] ' + ' '.join(f'{a}={b}' for a, b in rec.items()))
        if time.time() - last_ckpt > cfg.checkpoint_every_s:
            save_checkpoint(ckpt_path, model, cfg, data, {'steps': step, 'partial': True}, focal_w.tolist(), sources,
                            weights=ema and ema.state_dict(model))
            save_optimizer(ckpt_path, opt, start, step, slices, time.time() - t0, raw=ema and model.state_dict())
            last_ckpt = time.time()
    seconds = time.time() - t0
    summary = {'steps': step, 'seconds': round(seconds, 1), 'slices': slices,
               'slicesPerS': round(slices / max(seconds, 1e-6), 1), 'device': str(dev),
               'gpu': torch.cuda.get_device_name(dev) if cuda else None, 'torch': torch.__version__,
               'finalLosses': {key: round(float(v.detach()), 5) for key, v in losses.items()} if step else {},
               'trainingCases': len(data.entries), 'trainingSlices': data.num_slices,
               'batchMix': {'real': mixer.counts[0], 'phantom': mixer.counts[1], 'synth': mixer.counts[2]},
               'anatomySubjects': len(bank.entries) if bank else 0, 'init': cfg.init or None,
               'resume': cfg.resume or None, 'ema': cfg.ema or None, 'before': start,
               'total': {'steps': start['step'] + step, 'slices': start['slices'] + slices,
                         'seconds': round(start['seconds'] + seconds, 1)}}
    model.eval()
    save_checkpoint(ckpt_path, model, cfg, data, summary, focal_w.tolist(), sources, weights=ema and ema.state_dict(model))
    save_optimizer(ckpt_path, opt, start, step, slices, seconds, raw=ema and model.state_dict())
    if cfg.weights_out:
        save_checkpoint(cfg.weights_out, model, cfg, data, summary, focal_w.tolist(), sources, half=True,
                        weights=ema and ema.state_dict(model))
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
    ap.add_argument('--real-share', type=float, default=0.5, help='share of every batch from OpenKBP real CT')
    ap.add_argument('--phantom-share', type=float, default=0.15, help='share from the phantoms (0 = none); '
                    'synthesized anatomy (cache anatomy.json) gets the rest')
    ap.add_argument('--organ-weight', type=float, default=3.0, help='slices with an annotated organ are drawn this '
                    'many times as often as empty slices (1 = uniform)')
    ap.add_argument('--focal-cap', type=float, default=50.0, help='cap organ focal weights at this multiple of the '
                    'median organ weight (0 = no cap)')
    ap.add_argument('--compile', action='store_true', help='torch.compile the model (torch >= 2)')
    ap.add_argument('--synth', default='', help='SynthParams overrides, e.g. "noise_max=20,p_wild=0"')
    ap.add_argument('--weights-out', default='', help='also write a float16 weights-only checkpoint here')
    ap.add_argument('--freeze-bn', action='store_true', help='batch norm in eval mode (needed for recovered weights)')
    ap.add_argument('--bf16', action='store_true', help='CPU: bfloat16 autocast + channels_last (avx512_bf16)')
    ap.add_argument('--loss', choices=['paper', 'ce_dice'], default='paper',
                    help='paper: batch Dice (+ focal in stage 1); ce_dice: CE on q + Dice of the organs present')
    ap.add_argument('--dice-weight', type=float, default=1.0, help='ce_dice: weight of the Dice term')
    ap.add_argument('--focus-slots', type=int, default=0,
                    help='synthesized samples per batch drawn among slices that show --focus-organs')
    ap.add_argument('--focus-organs', default='Lung_L,Lung_R', help='organs of the focus slots (comma-separated)')
    ap.add_argument('--real-sources', default='openkbp', help='cache sources counted as real CT (comma-separated)')
    ap.add_argument('--threads', type=int, default=0, help='torch CPU threads (0 = default)')
    ap.add_argument('--resume', default='', help='continue from this checkpoint (+ its .opt file if present)')
    ap.add_argument('--warmup', type=int, default=0, help='linear learning-rate warm-up over this many steps when '
                    'the Adam state is fresh (ignored when resuming one)')
    ap.add_argument('--area-weight', type=float, default=0.0, help='weight of the slice-area prior on the organs a '
                    'sample does not annotate (size_prior.py; 0 = off)')
    ap.add_argument('--ema', type=float, default=0.0, help='average the weights with this decay (e.g. 0.999; 0 = off): '
                    'the checkpoint and --weights-out hold the average, <checkpoint>.opt the trained weights')
    ap.add_argument('--area-margin', type=float, default=1.5, help='area prior cap: this x the largest annotated '
                    'slice area of the organ in the training data')
    args = ap.parse_args(argv)
    synth = {}
    for kv in filter(None, args.synth.split(',')):
        k, v = kv.split('=')
        synth[k.strip()] = type(getattr(SynthParams(), k.strip()))(float(v))
    cfg = TrainConfig(variant=args.variant, size=args.size, base=args.base, batch=args.batch, steps=args.steps,
                      seconds=args.seconds, deadline=args.deadline, stage_weights=tuple(float(v) for v in args.stage_weights.split(',')),
                      lr=tuple(float(v) for v in args.lr.split(',')), seed=args.seed, log_every=args.log_every,
                      init=args.init, real_share=args.real_share, phantom_share=args.phantom_share,
                      organ_weight=args.organ_weight, focal_cap=args.focal_cap, compile=args.compile, synth=synth,
                      weights_out=args.weights_out, freeze_bn=args.freeze_bn, bf16=args.bf16, loss=args.loss,
                      dice_weight=args.dice_weight, focus_slots=args.focus_slots,
                      focus_organs=tuple(filter(None, args.focus_organs.split(','))),
                      real_sources=tuple(filter(None, args.real_sources.split(','))), threads=args.threads,
                      resume=args.resume, warmup=args.warmup, area_weight=args.area_weight,
                      area_margin=args.area_margin, ema=args.ema)
    train(args.cache, args.out, cfg, args.device)
    return 0


if __name__ == '__main__':
    sys.exit(main())
