"""The moving average of the weights (ema.py, train.py --ema): the update by hand on a tiny module, and in a
training run: the checkpoint holds the average, the .opt file the trained weights, and --resume goes on from both."""
import pytest
import torch

from attention_anatomy.ema import WeightEma
from attention_anatomy.export import load_checkpoint_dict
from attention_anatomy.train import TrainConfig, train
from test_train_cpu import _cache


def _net():
    return torch.nn.Sequential(torch.nn.Linear(2, 1, bias=False), torch.nn.BatchNorm1d(1))


def test_the_average_follows_e_t_equals_d_e_t_minus_1_plus_1_minus_d_w_t():
    net = _net()
    with torch.no_grad():
        net[0].weight.fill_(0.0)
    ema = WeightEma(net, 0.75)
    with torch.no_grad():
        net[0].weight.fill_(4.0)
    ema.update(net)
    assert torch.equal(ema.state_dict(net)['0.weight'], torch.full((1, 2), 1.0))  # 0.75 * 0 + 0.25 * 4
    with torch.no_grad():
        net[0].weight.fill_(8.0)
        net[1].running_mean.fill_(5.0)  # a buffer: copied as it is, never averaged
    ema.update(net)
    sd = ema.state_dict(net)
    assert torch.equal(sd['0.weight'], torch.full((1, 2), 2.75))  # 0.75 * 1 + 0.25 * 8
    assert torch.equal(sd['1.running_mean'], torch.tensor([5.0]))
    assert torch.equal(net[0].weight, torch.full((1, 2), 8.0))  # the model keeps its trained weights


def test_decay_outside_0_1_is_refused():
    with pytest.raises(ValueError):
        WeightEma(_net(), 1.5)


def _close(a: dict, b: dict) -> bool:
    return all(torch.allclose(a[k].float(), b[k].float(), atol=1e-6) for k in a)


def test_the_checkpoint_holds_the_average_and_resume_trains_on_from_the_raw_weights(tmp_path):
    cache = _cache(tmp_path)
    base = dict(variant='attention_hpa', size=32, base=4, batch=8, log_every=1, real_share=0.5, phantom_share=0.25,
                stage_weights=(0, 0, 1, 0), lr=(1e-2, 1e-2, 1e-2, 1e-2), freeze_bn=True, loss='ce_dice')
    train(str(cache), str(tmp_path / 'start'), TrainConfig(steps=1, **base), 'cpu', log=lambda *_: None)
    init = load_checkpoint_dict(tmp_path / 'start' / 'attention_hpa.pt')['model']
    run = tmp_path / 'run'
    # decay 1: the average never leaves the starting weights, while training moves the raw ones
    s = train(str(cache), str(run), TrainConfig(steps=3, init=str(tmp_path / 'start' / 'attention_hpa.pt'), ema=1.0,
                                                weights_out=str(run / 'w.f16.pt'), **base), 'cpu', log=lambda *_: None)
    assert s['ema'] == 1.0
    ckpt = load_checkpoint_dict(run / 'attention_hpa.pt')['model']
    raw = torch.load(run / 'attention_hpa.pt.opt')['raw_model']
    assert _close(ckpt, init)
    assert not _close(raw, init)
    half = load_checkpoint_dict(run / 'w.f16.pt')['model']
    assert all(torch.allclose(half[k].float(), init[k].float(), atol=2e-3, rtol=2e-3) for k in init)
    # resumed: the average starts from the checkpoint (still the start), training from the raw weights
    logs = []
    train(str(cache), str(run), TrainConfig(steps=2, resume=str(run / 'attention_hpa.pt'), ema=1.0, **base), 'cpu',
          log=logs.append)
    assert any('resumed the trained weights' in x for x in logs)
    assert _close(load_checkpoint_dict(run / 'attention_hpa.pt')['model'], init)
    raw2 = torch.load(run / 'attention_hpa.pt.opt')['raw_model']
    assert not _close(raw2, raw)  # two more steps from the raw weights


def test_decay_near_zero_writes_the_trained_weights(tmp_path):
    cache = _cache(tmp_path)
    base = dict(variant='attention_hpa', size=32, base=4, batch=8, log_every=1, real_share=0.5, phantom_share=0.25,
                stage_weights=(0, 0, 1, 0), freeze_bn=True, loss='ce_dice')
    run = tmp_path / 'run'
    train(str(cache), str(run), TrainConfig(steps=2, ema=1e-12, **base), 'cpu', log=lambda *_: None)
    assert _close(load_checkpoint_dict(run / 'attention_hpa.pt')['model'], torch.load(run / 'attention_hpa.pt.opt')['raw_model'])
