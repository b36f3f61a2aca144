"""The slice-area prior on unannotated organs (size_prior.py): caps from the training labels, the hinge loss, and
its place in a training step. Tiny arrays; the expected values are worked out by hand from the inputs."""
import json
import math

import numpy as np
import torch

from attention_anatomy.grid import GridSpec
from attention_anatomy.sampler import DeviceData
from attention_anatomy.size_prior import area_cap_loss, area_caps, max_slice_area_mm2, slice_channel_counts
from attention_anatomy.train import TrainConfig, train
from test_model import tiny_cache
from test_synth import tiny_bank
from test_train_cpu import _cache

C = 34


def test_caps_take_the_largest_source_times_the_margin_in_model_pixels():
    a = np.zeros(C)
    b = np.zeros(C)
    a[1], b[1] = 100.0, 40.0  # organ 1: 100 mm^2 largest
    b[2] = 80.0  # organ 2: only source b
    caps = area_caps([a, b], GridSpec(size=32, spacing=2.0), margin=1.5)
    assert caps[1].item() == 100.0 * 1.5 / 4 and caps[2].item() == 80.0 * 1.5 / 4
    assert math.isinf(caps[0].item()) and math.isinf(caps[3].item())  # background; organ nobody annotates


def test_slice_channel_counts_and_the_largest_annotated_slice_area():
    lab = np.zeros((2, 3, 4), np.uint8)  # 2 slices of 3 x 4 voxels
    lab[0, 0, :3] = 7  # slice 0: 3 voxels of channel 7
    lab[1, :, 0] = 7  # slice 1: 3 voxels of channel 7 ...
    lab[1, 2, 1:] = 9  # ... and 3 of channel 9
    counts = slice_channel_counts(lab)
    assert counts.shape == (2, C)
    assert counts[0, 0] == 9 and counts[0, 7] == 3 and counts[0].sum() == 12
    assert counts[1, 0] == 6 and counts[1, 7] == 3 and counts[1, 9] == 3
    annotated = np.zeros(C)
    annotated[[0, 7]] = 1  # the source labels channel 7, not 9
    area = max_slice_area_mm2(counts, 2.5, annotated)
    assert area[7] == 3 * 2.5 and area[9] == 0 and area[0] == 9 * 2.5


def _log_p(p_organ: float, organ: int, B=2, H=4, W=4) -> torch.Tensor:
    p = torch.full((B, C, H, W), 1e-9)
    p[:, 0] = 1 - p_organ
    p[:, organ] = p_organ
    return (p / p.sum(1, keepdim=True)).log()


def test_loss_is_the_relative_excess_over_the_cap_on_unannotated_organs_only():
    caps = torch.full((C,), math.inf)
    caps[5] = 4.0
    m = torch.zeros(2, C)
    m[:, 0] = 1
    m[1, 5] = 1  # sample 1 annotates organ 5: its labels decide, no prior
    log_p = _log_p(0.5, 5).requires_grad_()  # soft area 0.5 x 16 = 8 px on both samples
    loss = area_cap_loss(log_p, m, caps)
    assert abs(loss.item() - (8 / 4 - 1) / 2) < 1e-5  # sample 0 only, averaged over the batch of 2
    loss.backward()
    g = log_p.grad
    assert g[0, 5].abs().sum() > 0 and g[1].abs().sum() == 0 and g[0, :5].abs().sum() == 0
    assert area_cap_loss(_log_p(0.2, 5), m, caps).item() == 0.0  # 3.2 px <= cap: no penalty


def test_device_data_and_anatomy_bank_record_the_largest_annotated_slice_area(tmp_path):
    spec = GridSpec(size=32, spacing=2.0)
    data = DeviceData(tiny_cache(tmp_path, spec), ('train',), 'cpu', spec)
    jj, ii = np.mgrid[:24, :24]
    disc = max(int(((ii - 8 - 2 * n) ** 2 + (jj - 12) ** 2 < 16).sum()) for n in range(2))
    assert data.max_slice_area_mm2[1] == disc * 4.0  # organ 1, a disc, 2 x 2 mm pixels
    assert data.max_slice_area_mm2[2] == 36 * 4.0  # organ 2, the 6 x 6 square
    assert data.max_slice_area_mm2[3:].sum() == 0
    bank = tiny_bank()
    assert bank.max_slice_area_mm2[30] == 6 * 7 * 4.0  # Liver block, 6 x 7 voxels in subject 1
    assert bank.max_slice_area_mm2[1:][np.arange(1, C) != 30].sum() == 0  # organs only (0: background)


def test_a_training_run_with_the_prior_logs_its_term(tmp_path):
    cache = _cache(tmp_path)
    logs = []
    train(str(cache), str(tmp_path / 'run'), TrainConfig(
        variant='attention_hpa', size=32, base=4, batch=8, log_every=1, real_share=0.5, phantom_share=0.25,
        stage_weights=(0, 0, 1, 0), freeze_bn=True, loss='ce_dice', steps=2, area_weight=0.1), 'cpu',
        log=logs.append)
    assert any('slice-area prior' in x and 'Liver' in x for x in logs)
    recs = [json.loads(x) for x in (tmp_path / 'run' / 'attention_hpa.log.jsonl').read_text().splitlines()
            if '"slicesSeen"' in x]
    assert len(recs) == 2 and all('area' in r and r['area'] >= 0 for r in recs)
