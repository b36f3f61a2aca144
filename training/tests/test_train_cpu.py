"""The CPU fine-tuning options of train.py (issue 21): present-organ Dice, frozen batch norm, the focus slot,
bf16 autocast and resuming with the optimiser state. Tiny caches and models; seconds on the CPU."""
import json

import numpy as np
import torch
import torch.nn.functional as F

from attention_anatomy.losses import batch_dice_loss, cross_entropy_q, present_classes, present_dice_loss
from attention_anatomy.model import ModelConfig, build_model
from attention_anatomy.train import TrainConfig, freeze_batchnorm, step_losses, train, warmup_factor
from test_model import tiny_cache
from test_synth import SPEC, tiny_bank, write_tiny_anatomy

C = 34


def _logq(p_fg: torch.Tensor, organ: int) -> torch.Tensor:
    """log q [B, C, H, W] with probability p_fg on `organ` and the rest on background."""
    B, H, W = p_fg.shape
    q = torch.full((B, C, H, W), 1e-12)
    q[:, 0] = 1 - p_fg
    q[:, organ] = p_fg
    return (q / q.sum(1, keepdim=True)).log()


def test_present_dice_ignores_annotated_organs_absent_from_the_batch():
    y = torch.zeros(2, 4, 4, dtype=torch.long)
    y[0, :2, :2] = 5  # organ 5: 4 voxels in sample 0
    p = torch.zeros(2, 4, 4)
    p[0, :2, :2] = 1.0  # perfect on organ 5
    p[1, 2:, 2:] = 0.5  # some mass elsewhere, still organ 5's channel
    log_q = _logq(p, 5)
    m = torch.zeros(2, C)
    m[:, [0, 5, 7]] = 1  # organs 5 and 7 annotated; 7 has no voxel in the batch
    assert present_classes(y, m, C).nonzero().flatten().tolist() == [5]
    # by hand: inter 4, sum q 4 + 4 * 0.5 = 6, sum y 4 -> Dice = (8 + s) / (10 + s)
    s = 1e-3
    expect = 1 - (8 + s) / (10 + s)
    assert abs(float(present_dice_loss(log_q, y, m, smooth=s)) - expect) < 1e-5
    # mass on organ 7 (annotated, absent from the batch): the paper's batch Dice over the annotated organs pushes it
    # to zero (Dice 0 for organ 7), the present-organ Dice leaves it to the cross-entropy
    q = log_q.exp()
    q[1, 7, 2:, 2:] = q[1, 5, 2:, 2:]
    q[1, 5, 2:, 2:] = 1e-12
    both = q.log()
    assert float(present_dice_loss(both, y, m, smooth=s)) < 1e-3  # organ 5 is perfect
    cls = torch.zeros(C, dtype=torch.bool)
    cls[[5, 7]] = True
    # organ 5: Dice 1; organ 7: (0 + 1) / (2 + 1) with the paper's smooth 1 -> loss (0 + 2/3) / 2
    assert abs(float(batch_dice_loss(both, y, cls)) - 1 / 3) < 1e-3


def test_present_dice_is_zero_without_organs_and_ce_is_nll_on_q():
    y = torch.zeros(1, 3, 3, dtype=torch.long)
    m = torch.ones(1, C)
    log_q = _logq(torch.full((1, 3, 3), 0.2), 3)
    assert float(present_dice_loss(log_q, y, m)) == 0.0
    assert abs(float(cross_entropy_q(log_q, y)) - (-np.log(0.8))) < 1e-5
    assert abs(float(cross_entropy_q(log_q, y)) - float(F.nll_loss(log_q, y))) < 1e-7


def test_frozen_batchnorm_keeps_the_running_statistics():
    model = build_model(ModelConfig(size=32, base=4))
    before = {k: v.clone() for k, v in model.state_dict().items() if 'running' in k}
    model.train()
    freeze_batchnorm(model)
    assert all(not m.training for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert model.enc[0].c1.conv.training  # the rest stays in train mode
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    f, _, _ = model(torch.randn(4, 5, 32, 32))
    f.mean().backward()
    opt.step()
    after = {k: v for k, v in model.state_dict().items() if 'running' in k}
    assert all(torch.equal(before[k], after[k]) for k in before)
    # without the freeze, one forward in train mode moves them
    model.train()
    model(torch.randn(4, 5, 32, 32))
    assert any(not torch.equal(before[k], model.state_dict()[k]) for k in before)


def test_focus_pick_draws_only_slices_that_show_the_organs():
    bank = tiny_bank()  # organ 30 on slices 4..7 of each 12-slice subject
    g = bank.pick(400, torch.Generator().manual_seed(0), channels=(30,))
    k = bank.slice_k[g]
    assert ((k >= 4) & (k <= 7)).all()
    free = bank.pick(400, torch.Generator().manual_seed(0))
    assert ((bank.slice_k[free] < 4) | (bank.slice_k[free] > 7)).any()


def test_bf16_step_losses_are_close_to_float32():
    torch.manual_seed(0)
    model = build_model(ModelConfig(size=32, base=4)).eval()
    y = torch.zeros(4, 32, 32, dtype=torch.long)
    y[:, 8:20, 10:22] = 30
    batch = {'x': torch.randn(4, 5, 32, 32) * 0.3, 'y': y, 'm': torch.ones(4, C), 'region': torch.tensor([0, 1, 3, -1])}
    cfg = TrainConfig(loss='ce_dice')
    w = torch.ones(C)
    with torch.no_grad():
        a = step_losses(model, batch, 2, cfg, w, None)
        b = step_losses(model.to(memory_format=torch.channels_last), batch, 2, cfg, w, 'cpu')
    assert set(a) == {'region', 'ce', 'dice', 'total'}
    for k in a:
        assert abs(float(a[k]) - float(b[k])) < 0.05 * max(1.0, abs(float(a[k]))), k


def _cache(tmp_path):
    cache = tiny_cache(tmp_path / 'c' if (tmp_path / 'c').mkdir() is None else None, SPEC)
    idx = json.loads((cache / 'index.json').read_text())
    idx['cases'][0]['source'] = 'openkbp'
    (cache / 'index.json').write_text(json.dumps(idx))
    write_tiny_anatomy(cache)
    return cache


def test_cpu_fine_tuning_resumes_weights_optimiser_and_counters(tmp_path):
    cache = _cache(tmp_path)
    base = dict(variant='attention_hpa', size=32, base=4, batch=8, log_every=1, real_share=0.5, phantom_share=0.25,
                stage_weights=(0, 0, 1, 0), freeze_bn=True, bf16=True, loss='ce_dice', focus_slots=1,
                focus_organs=('Liver',))
    s1 = train(str(cache), str(tmp_path / 'run'), TrainConfig(steps=3, **base), 'cpu', log=lambda *_: None)
    assert s1['batchMix'] == {'real': 4, 'phantom': 2, 'synth': 2} and s1['total']['steps'] == 3
    opt = torch.load(tmp_path / 'run' / 'attention_hpa.pt.opt')
    assert opt['counters'] == {'step': 3, 'slices': 24, 'seconds': opt['counters']['seconds']}
    assert next(iter(opt['optimizer']['state'].values()))['step'] == 3
    logs = []
    s2 = train(str(cache), str(tmp_path / 'run'), TrainConfig(steps=2, resume=str(tmp_path / 'run' / 'attention_hpa.pt'),
                                                               **base), 'cpu', log=logs.append)
    assert any('optimiser state and counters' in x for x in logs)
    assert s2['before']['step'] == 3 and s2['total'] == {'steps': 5, 'slices': 40, 'seconds': s2['total']['seconds']}
    opt2 = torch.load(tmp_path / 'run' / 'attention_hpa.pt.opt')
    assert next(iter(opt2['optimizer']['state'].values()))['step'] == 5  # Adam continued, not restarted
    lines = (tmp_path / 'run' / 'attention_hpa.log.jsonl').read_text().splitlines()
    assert sum('summary' in x for x in lines) == 2  # the resumed run appends to the log
    assert json.loads([x for x in lines if 'slicesSeen' in x][-1])['slicesSeen'] == 40


def test_warmup_factor_ramps_linearly_then_holds():
    assert [warmup_factor(s, 4) for s in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert warmup_factor(0, 0) == 1.0


def test_warmup_ramps_a_fresh_adam_and_is_skipped_when_resuming_one(tmp_path):
    cache = _cache(tmp_path)
    base = dict(variant='attention_hpa', size=32, base=4, batch=8, log_every=1, real_share=0.5, phantom_share=0.25,
                stage_weights=(0, 0, 1, 0), lr=(1e-3, 1e-3, 4e-4, 1e-4), freeze_bn=True, loss='ce_dice', warmup=2)
    run = tmp_path / 'run'
    train(str(cache), str(run), TrainConfig(steps=3, **base), 'cpu', log=lambda *_: None)
    lrs = [json.loads(x)['lr'] for x in (run / 'attention_hpa.log.jsonl').read_text().splitlines() if '"lr"' in x]
    assert lrs == [2e-4, 4e-4, 4e-4]  # the stage's 4e-4, ramped over 2 steps
    train(str(cache), str(run), TrainConfig(steps=2, resume=str(run / 'attention_hpa.pt'), **base), 'cpu',
          log=lambda *_: None)
    lrs = [json.loads(x)['lr'] for x in (run / 'attention_hpa.log.jsonl').read_text().splitlines() if '"lr"' in x]
    assert lrs[3:] == [4e-4, 4e-4]  # Adam state resumed: no second warm-up
