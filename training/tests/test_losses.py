"""Losses and the attention / recalibration math (DESIGN 3.4) on hand-computed tiny examples."""
import math

import numpy as np
import pytest
import torch

from attention_anatomy.attention import attention_from_fc4, recalibrate_probs, recalibrated_log_probs
from attention_anatomy.cache import class_weights
from attention_anatomy.grid import GridSpec
from attention_anatomy.losses import batch_dice_loss, dice_classes, focal_loss, region_loss


def log_probs(p_class1):
    """Two-channel log-probabilities [B, 2, 1, W] from the class-1 probabilities [B, W]."""
    p1 = torch.tensor(p_class1, dtype=torch.float64)[:, None, None, :]
    return torch.log(torch.cat([1 - p1, p1], dim=1))


def test_batch_dice_is_one_dice_over_the_whole_batch():
    lq = log_probs([[0.8, 0.1], [0.6, 0.3]])
    y = torch.tensor([[[1, 0]], [[0, 1]]])
    # by hand: intersection 0.8 + 0.3 = 1.1, sum q = 1.8, sum y = 2, smooth 1 -> (2.2 + 1) / (3.8 + 1) = 2/3
    assert float(batch_dice_loss(lq, y)) == pytest.approx(1 - 3.2 / 4.8, abs=1e-12)
    # a per-sample mean would be 1 - (2.6/2.9 + 1.6/2.9)/2: the batch version must differ from it
    assert float(batch_dice_loss(lq, y)) != pytest.approx(1 - (2.6 / 2.9 + 1.6 / 2.9) / 2, abs=1e-3)
    assert float(batch_dice_loss(lq, y, smooth=0.0)) == pytest.approx(1 - 2.2 / 3.8, abs=1e-12)


def test_dice_classes_with_and_without_hpa():
    m = torch.tensor([[1, 1, 0, 0], [1, 0, 0, 1]], dtype=torch.float32)
    assert dice_classes(m, True).tolist() == [False, True, False, True]
    assert dice_classes(m, False).tolist() == [False, True, True, True]


def test_focal_loss_formula():
    lq = log_probs([[0.8, 0.1]])
    y = torch.tensor([[[1, 0]]])
    w = torch.tensor([0.5, 4.0], dtype=torch.float64)
    # voxel 0: class 1, q = 0.8 -> 4 * 0.2^2 * -log 0.8; voxel 1: class 0, q = 0.9 -> 0.5 * 0.1^2 * -log 0.9
    expected = (4 * 0.04 * -math.log(0.8) + 0.5 * 0.01 * -math.log(0.9)) / 2
    assert float(focal_loss(lq, y, w, gamma=2.0)) == pytest.approx(expected, rel=1e-12)


def test_focal_weights_from_inverse_organ_size():
    spec = GridSpec(size=10, spacing=1.0)  # model plane = 100 mm^2
    counts = [0] * 34
    counts[1] = 20  # 20 pixels of 0.5 x 0.5 mm = 5 mm^2 over 2 slices x 100 mm^2 -> f_1 = 0.025
    e1 = {'annotated': [1], 'labelCounts': counts, 'spacing': [0.5, 0.5, 2.0], 'shape': [2, 8, 8]}
    counts2 = [0] * 34
    counts2[2] = 30  # 30 mm^2 over 3 slices -> f_2 = 0.1; case 2 does not annotate organ 1
    e2 = {'annotated': [2], 'labelCounts': counts2, 'spacing': [1.0, 1.0, 2.0], 'shape': [3, 8, 8]}
    w, f = class_weights([e1, e2], spec)
    assert f[1] == pytest.approx(0.025) and f[2] == pytest.approx(0.1)
    assert f[0] == pytest.approx(1 - 0.125)
    assert w[1] == pytest.approx(1 / (34 * 0.025)) and w[2] == pytest.approx(1 / (34 * 0.1))
    assert w[0] == pytest.approx(1 / (34 * 0.875))
    assert f[3] is None and w[3] == pytest.approx(np.median([w[1], w[2]]))  # never annotated


def test_region_loss_ignores_unknown_slices():
    logits = torch.tensor([[2.0, 0.0, 0, 0, 0], [0.0, 3.0, 0, 0, 0]])
    ce0 = -math.log(math.exp(2) / (math.exp(2) + 4))
    assert float(region_loss(logits, torch.tensor([0, -1]))) == pytest.approx(ce0, rel=1e-6)
    assert float(region_loss(logits, torch.tensor([-1, -1]))) == 0.0


@pytest.fixture
def random_outputs():
    g = torch.Generator().manual_seed(0)
    f = torch.randn(3, 34, 4, 5, generator=g, dtype=torch.float64) * 3
    z = torch.randn(3, 34, generator=g, dtype=torch.float64) * 2
    m = (torch.rand(3, 34, generator=g) > 0.5).double()
    m[:, 0] = 1
    return f, z, m


def test_attention_matches_design_formula(random_outputs):
    f, z, _ = random_outputs
    a, log_a = attention_from_fc4(z)
    assert torch.all(a[:, 0] == 1.0)
    assert torch.allclose(a[:, 1:], torch.sigmoid(z[:, 1:]))
    p = torch.softmax(f + log_a[:, :, None, None], dim=1)
    direct = a[:, :, None, None] * f.exp() / (a[:, :, None, None] * f.exp()).sum(dim=1, keepdim=True)
    assert torch.allclose(p, direct, atol=1e-12)


def test_recalibration_sums_to_one_and_moves_exactly_the_unannotated_mass(random_outputs):
    f, z, m = random_outputs
    _, log_a = attention_from_fc4(z)
    p = torch.softmax(f + log_a[:, :, None, None], dim=1)
    q = recalibrate_probs(p, m)
    assert torch.allclose(q.sum(dim=1), torch.ones_like(q[:, 0]), atol=1e-12)
    unannotated = (p * (1 - m[:, :, None, None]))[:, 1:].sum(dim=1)
    assert torch.allclose(q[:, 0] - p[:, 0], unannotated, atol=1e-12)
    keep = m[:, :, None, None].expand_as(p) > 0.5
    keep[:, 0] = False
    assert torch.equal(q[keep], p[keep])  # annotated organs untouched
    assert torch.all(q[~(m[:, :, None, None].expand_as(p) > 0.5)] == 0)
    # the log-space version used by the losses agrees
    lq = recalibrated_log_probs(f, log_a, m)
    assert torch.allclose(lq.exp(), q, atol=1e-12)


def test_no_hpa_means_plain_softmax(random_outputs):
    f, z, _ = random_outputs
    assert torch.allclose(recalibrated_log_probs(f, None, None), torch.log_softmax(f, dim=1))


def test_focal_weight_cap_limits_tiny_organs_to_a_multiple_of_the_median():
    from attention_anatomy.losses import cap_focal_weights
    w = torch.tensor([0.03, 1.0, 2.0, 3.0, 4.0, 5000.0])  # median organ weight 3
    c = cap_focal_weights(w, 50.0)
    assert c.tolist() == pytest.approx([0.03, 1.0, 2.0, 3.0, 4.0, 150.0])
    assert torch.equal(cap_focal_weights(w, 0), w)
    assert cap_focal_weights(w, 1.0)[1:].max() == 3.0


def test_region_loss_has_no_data_dependent_branch_and_keeps_gradients():
    logits = torch.randn(3, 5, requires_grad=True)
    loss = region_loss(logits, torch.tensor([-1, -1, -1]))
    loss.backward()
    assert float(loss) == 0.0 and logits.grad is not None and float(logits.grad.abs().sum()) == 0.0
