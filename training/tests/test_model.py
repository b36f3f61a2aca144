"""Model shapes per variant, the plain U-Net's detached region head, and that training lowers the loss."""
import numpy as np
import pytest
import torch

from attention_anatomy.cache import write_case, write_index
from attention_anatomy.grid import GridSpec, Volume
from attention_anatomy.model import VARIANTS, ModelConfig, build_model
from attention_anatomy.sampler import Augment, DeviceData
from attention_anatomy.sources import Case
from attention_anatomy.train import TrainConfig, step_losses


@pytest.mark.parametrize('variant', VARIANTS)
def test_output_shapes(variant):
    model = build_model(ModelConfig(size=32, base=4, variant=variant)).eval()
    with torch.no_grad():
        f, z, region = model(torch.randn(3, 5, 32, 32))
        a = model.attention(z)
    assert f.shape == (3, 34, 32, 32) and z.shape == (3, 34) and region.shape == (3, 5) and a.shape == (3, 34)
    assert torch.all(a[:, 0] == 1)
    if variant.startswith('unet'):
        assert torch.all(a == 1)
    with torch.no_grad():
        f2, _, _ = model(torch.randn(3, 5, 32, 32), with_seg=False)
    assert f2 is None


def test_full_size_shapes_and_size_check():
    model = build_model(ModelConfig()).eval()
    assert model.channels == [16, 32, 64, 128, 256]
    with torch.no_grad():
        f, z, region = model(torch.zeros(1, 5, 192, 192))
    assert f.shape == (1, 34, 192, 192)
    with pytest.raises(ValueError):
        build_model(ModelConfig(size=100))


def test_unet_region_loss_does_not_reach_the_encoder():
    for variant, expect_grad in (('unet', False), ('attention', True)):
        model = build_model(ModelConfig(size=32, base=4, variant=variant))
        _, _, region = model(torch.randn(2, 5, 32, 32), with_seg=False)
        region.sum().backward()
        g = model.enc[0].c1.conv.weight.grad
        assert (g is not None and g.abs().sum() > 0) == expect_grad, variant


def tiny_cache(tmp_path, spec):
    """Two synthetic 'patients': a bright disc (organ 1) and a dark square (organ 2) in soft tissue."""
    cases = []
    for n in range(2):
        K, R, C = 6, 24, 24
        hu = np.full((K, R, C), 40, np.int16)
        lab = np.zeros((K, R, C), np.uint8)
        jj, ii = np.mgrid[:R, :C]
        disc = (ii - 8 - 2 * n) ** 2 + (jj - 12) ** 2 < 16
        hu[:, disc] = 400
        lab[:, disc] = 1
        hu[:, 14:20, 14:20] = -300
        lab[:, 14:20, 14:20] = 2
        aff = np.diag([2.0, 2.0, 2.5, 1.0])
        cases.append(Case(f'syn{n}', 'synthetic', Volume(hu, aff), Volume(lab, aff.copy()), [1, 2],
                          np.full(K, n, np.int8)))
    entries = [write_case(tmp_path, c, 'train', spec) for c in cases]
    write_index(tmp_path, entries, spec, [])
    return tmp_path


@pytest.mark.parametrize('variant,stage', [('attention_hpa', 1), ('unet', 2)])
def test_a_few_training_steps_lower_the_loss(tmp_path, variant, stage):
    torch.manual_seed(0)
    spec = GridSpec(size=32, spacing=2.0)
    data = DeviceData(tiny_cache(tmp_path, spec), ('train',), 'cpu', spec)
    batch = data.batch(torch.tensor([0, 1, 0, 1]), torch.tensor([0, 2, 4, 5]), Augment.none())
    assert set(batch['y'].unique().tolist()) == {0, 1, 2}
    model = build_model(ModelConfig(size=32, base=4, variant=variant))
    cfg = TrainConfig(variant=variant, size=32, base=4)
    w = torch.tensor(data.index['focalWeights'])
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    def loss():  # batch statistics (train-mode BN): 15 steps are too few for settled running averages
        model.train()
        with torch.no_grad():
            return {k: float(v) for k, v in step_losses(model, batch, stage, cfg, w, False).items()}

    before = loss()
    model.train()
    for _ in range(15):
        opt.zero_grad()
        step_losses(model, batch, stage, cfg, w, False)['total'].backward()
        opt.step()
    after = loss()
    assert after['total'] < 0.8 * before['total'], (before, after)
    assert after['dice'] < before['dice']


def test_init_continues_from_a_checkpoint_and_rejects_another_shape(tmp_path):
    from attention_anatomy.train import train
    spec = GridSpec(size=32, spacing=2.0)
    (tmp_path / 'cache').mkdir()
    cache = tiny_cache(tmp_path / 'cache', spec)
    first = TrainConfig(variant='attention_hpa', size=32, base=4, batch=2, steps=3, log_every=1)
    train(str(cache), str(tmp_path / 'a'), first, 'cpu', log=lambda *_: None)
    ck_a = torch.load(tmp_path / 'a' / 'attention_hpa.pt')
    # zero steps of a continued run leave the weights exactly as loaded
    cont = TrainConfig(variant='attention_hpa', size=32, base=4, batch=2, steps=1, log_every=1,
                       stage_weights=(0, 30, 20, 20), lr=(0, 0, 0, 0), init=str(tmp_path / 'a' / 'attention_hpa.pt'))
    train(str(cache), str(tmp_path / 'b'), cont, 'cpu', log=lambda *_: None)
    ck_b = torch.load(tmp_path / 'b' / 'attention_hpa.pt')
    w = 'enc.0.c1.conv.weight'
    assert torch.equal(ck_a['model'][w], ck_b['model'][w])
    fresh = build_model(ModelConfig(size=32, base=4, variant='attention_hpa')).state_dict()[w]
    assert not torch.equal(fresh, ck_a['model'][w])
    with pytest.raises(ValueError, match='differs'):
        train(str(cache), str(tmp_path / 'c'), TrainConfig(variant='attention_hpa', size=32, base=8, batch=2, steps=1,
                                                           init=str(tmp_path / 'a' / 'attention_hpa.pt')), 'cpu')
