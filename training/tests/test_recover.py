"""recover.py: the shipped TF.js package back to PyTorch, exactly (issue 21).

The package `public/models/aa-hpa-v1` is the reference: its weights are what the app runs. The tests check that
(1) the recovered model re-exports to the same bytes, (2) its logits equal the shipped graph's on real CT
windows (TF.js cpu backend in Node), (3) the committed checkpoint `training/checkpoints/aa-hpa-v1.pt` holds
exactly those weights and (4) the identity batch norm gives a fold scale of exactly 1.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from attention_anatomy.export import export_model, load_checkpoint
from attention_anatomy.grid import GridSpec, sample_window
from attention_anatomy.recover import BN_EPS, IDENTITY_VAR, model_from_package, read_package
from attention_anatomy.sources import load_openkbp, openkbp_dirs
from conftest import REPO
from test_export import run_tfjs, run_torch

PACKAGE = REPO / 'public/models/aa-hpa-v1'
CHECKPOINT = REPO / 'training/checkpoints/aa-hpa-v1.pt'
OPENKBP = REPO.parent / 'shared/data/openkbp'


@pytest.fixture(scope='module')
def recovered():
    return model_from_package(PACKAGE)[0]


def test_reexport_is_byte_identical(tmp_path, recovered):
    export_model(recovered, tmp_path, model_id='aa-hpa-v1')
    ref = json.loads((PACKAGE / 'model.json').read_text())
    new = json.loads((tmp_path / 'model.json').read_text())
    assert new['modelTopology'] == ref['modelTopology']
    assert new['weightsManifest'] == ref['weightsManifest']
    for p in ref['weightsManifest'][0]['paths']:
        assert (tmp_path / p).read_bytes() == (PACKAGE / p).read_bytes(), p


def test_identity_batchnorm_scale_is_exactly_one():
    v = torch.tensor([IDENTITY_VAR], dtype=torch.float32)
    assert float(torch.sqrt(v + BN_EPS)) == 1.0


def test_every_package_weight_is_used(recovered):
    _, w = read_package(PACKAGE)
    learnt = [k for k, a in w.items() if a.dtype == np.float32 and not k.startswith('attention/')]
    n_learnt = sum(w[k].size for k in learnt)
    # model parameters = package weights + one batch-norm gamma per folded conv channel (all 1)
    n_gamma = sum(m.weight.numel() for m in recovered.modules() if isinstance(m, torch.nn.BatchNorm2d))
    assert sum(p.numel() for p in recovered.parameters()) == n_learnt + n_gamma


def test_committed_checkpoint_holds_the_shipped_weights(recovered):
    model, ck = load_checkpoint(CHECKPOINT)
    assert ck['format'] == 'attention-anatomy-checkpoint/1'
    assert CHECKPOINT.stat().st_size < 5_000_000  # float16 weights only
    ref = recovered.state_dict()
    for k, v in model.state_dict().items():
        assert torch.equal(v, ref[k]), k


def _real_windows(spec: GridSpec) -> tuple[np.ndarray, str]:
    """Middle and lower-quarter windows of two OpenKBP val patients on the model grid (NHWC)."""
    dirs = openkbp_dirs(OPENKBP, 'val')[:2]
    xs = []
    for d in dirs:
        case = load_openkbp(d)
        K = case.ct.data.shape[0]
        for k in (K // 2, K // 4):
            xs.append(sample_window(case.ct, k, spec))
    x = np.stack(xs).astype(np.float32)
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)), ', '.join(d.name for d in dirs)  # [N, P, S, S] -> NHWC


@pytest.mark.skipif(not OPENKBP.exists(), reason='needs ../shared/data/openkbp (real CT slices)')
def test_logits_match_the_shipped_graph_on_real_ct(tmp_path, recovered):
    spec = GridSpec(size=recovered.cfg.size)
    x, names = _real_windows(spec)
    assert x.shape == (4, spec.size, spec.size, spec.planes)
    js, pt = run_tfjs(PACKAGE, x, tmp_path), run_torch(recovered, x)
    scale = float(np.abs(js['seg']).max())
    err = float(np.abs(js['seg'] - pt['seg']).max())
    # both sides run the same float16 weights in float32: only summation order differs
    assert err < 1e-4 * max(scale, 1.0), f'seg logits differ by {err} (logits up to {scale}; {names})'
    assert np.abs(js['attention'] - pt['attention']).max() < 1e-5
    assert np.abs(js['region'] - pt['region']).max() < 1e-4
    assert (js['seg'].argmax(-1) == pt['seg'].argmax(-1)).mean() > 0.9999
