"""Loss of the CPU run's model before (seed-0 initialisation, as train() builds it) and after training on one
fixed mixed batch (16 OpenKBP + 16 synthesized samples, seed 123), batch statistics in both (BN train mode).

    PYTHONPATH=training /usr/bin/python3 training/runs-cpu/fixed_batch_loss.py .cpu-cache training/runs-cpu/attention_hpa.pt
"""
import json
import sys

import torch

from attention_anatomy.export import load_checkpoint
from attention_anatomy.grid import GridSpec
from attention_anatomy.model import ModelConfig, build_model
from attention_anatomy.train import Mixer, TrainConfig, mixed_focal_weights, step_losses
from attention_anatomy.sampler import Augment, DeviceData
from attention_anatomy.synth import AnatomyBank

cache, ckpt = sys.argv[1], sys.argv[2]
trained, ck = load_checkpoint(ckpt)
mc = trained.cfg
spec = GridSpec(size=mc.size)
cfg = TrainConfig(variant=mc.variant, size=mc.size, base=mc.base, batch=32, real_share=0.5, phantom_share=0.0)
data = DeviceData(cache, ('train',), 'cpu', spec, organ_weight=3.0)
bank = AnatomyBank(cache, 'cpu', spec, organ_weight=3.0)
mixer = Mixer(data, bank, cfg)
batch = mixer.batch(Augment.none(), torch.Generator().manual_seed(123))
w = torch.tensor(ck['focal_weights'])
torch.manual_seed(0)
init = build_model(ModelConfig(size=mc.size, base=mc.base, variant=mc.variant))
out = {}
for name, model in (('initial', init), ('trained', trained)):
    model.train()
    with torch.no_grad():
        out[name] = {k: round(float(v), 4) for k, v in step_losses(model, batch, 1, cfg, w, False).items()}
print(json.dumps({'batch': {'real': mixer.counts[0], 'synth': mixer.counts[2]}, **out}))
