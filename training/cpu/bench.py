"""Training throughput on the CPU, configuration by configuration (issue 21; a benchmark, not a test).

    bash training/cpu/bench.sh [CACHE] [SECONDS_PER_CONFIG]

For each configuration: the same mixed batches (real + synthesized, batch 8, 192 px), a few warm-up steps, then
timed optimiser steps; prints slices/s of the whole step (batch drawing + synthesis + forward + backward + Adam)
and of the data part alone. Run it on an idle machine: the figures are only comparable within one run.
"""
from __future__ import annotations

import argparse
import time

import torch

from attention_anatomy.export import load_checkpoint_dict
from attention_anatomy.grid import GridSpec
from attention_anatomy.model import ModelConfig, build_model
from attention_anatomy.sampler import Augment, DeviceData
from attention_anatomy.synth import AnatomyBank
from attention_anatomy.train import Mixer, TrainConfig, freeze_batchnorm, mixed_focal_weights, step_losses

CONFIGS = [
    # name, freeze_bn, bf16, loss
    ('float32, train-mode BN, paper loss', False, False, 'paper'),
    ('float32, frozen BN, ce_dice', True, False, 'ce_dice'),
    ('bf16 + channels_last, frozen BN, ce_dice (run.sh)', True, True, 'ce_dice'),
]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cache', default='.train-cache')
    ap.add_argument('--init', default='training/checkpoints/aa-hpa-v1.pt')
    ap.add_argument('--seconds', type=float, default=40.0, help='timed seconds per configuration')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    spec = GridSpec(size=192)
    data = DeviceData(args.cache, ('train',), 'cpu', spec, organ_weight=3.0)
    bank = AnatomyBank(args.cache, 'cpu', spec, organ_weight=3.0)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, S=192; '
          f'{len(data.entries)} cases, {len(bank.entries)} anatomy subjects')
    base_cfg = TrainConfig(batch=args.batch, real_share=0.375, phantom_share=0.125, focus_slots=1)
    mixer = Mixer(data, bank, base_cfg)
    gen = torch.Generator().manual_seed(0)
    aug = Augment()
    t = time.time()
    n = 0
    while time.time() - t < min(10.0, args.seconds):
        mixer.batch(aug, gen)
        n += 1
    data_rate = n * args.batch / (time.time() - t)
    print(f'data alone (sampling + synthesis, mix {mixer.counts}): {data_rate:.1f} slices/s')
    focal_w = mixed_focal_weights(data, bank, spec, 50.0)
    for name, freeze, bf16, loss in CONFIGS:
        cfg = TrainConfig(batch=args.batch, freeze_bn=freeze, bf16=bf16, loss=loss)
        model = build_model(ModelConfig(size=192, base=16))
        model.load_state_dict(load_checkpoint_dict(args.init)['model'])
        if bf16:
            model = model.to(memory_format=torch.channels_last)
        model.train()
        if freeze:
            freeze_batchnorm(model)
        opt = torch.optim.Adam(model.parameters(), lr=1e-5)
        amp = 'cpu' if bf16 else None
        stage = 1 if loss == 'paper' else 2
        steps, t0 = 0, None
        warm = 3
        while True:
            batch = mixer.batch(aug, gen)
            losses = step_losses(model, batch, stage, cfg, focal_w, amp)
            opt.zero_grad(set_to_none=True)
            losses['total'].backward()
            opt.step()
            steps += 1
            if steps == warm:
                t0 = time.time()
            elif t0 is not None and time.time() - t0 >= args.seconds:
                break
        rate = (steps - warm) * args.batch / (time.time() - t0)
        print(f'{name}: {rate:.1f} slices/s ({steps - warm} steps)', flush=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
