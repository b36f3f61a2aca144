"""Export parity: the same random input through PyTorch and through the exported TF.js graph (Node, tfjs cpu)."""
import json
import shutil
import subprocess

import numpy as np
import pytest
import torch

from conftest import REPO
from attention_anatomy.export import export_model, random_model

NODE = shutil.which('node')
pytestmark = pytest.mark.skipif(NODE is None or not (REPO / 'node_modules/@tensorflow/tfjs-converter').exists(),
                                reason='node and node_modules/@tensorflow/* are needed to run the exported graph')
S, BASE, B = 64, 4, 2


def run_tfjs(model_dir, x_nhwc, tmp_path, backend='cpu'):
    inp = tmp_path / 'in.bin'
    x_nhwc.astype('<f4').tofile(inp)
    out = tmp_path / f'out-{backend}'
    out.mkdir(exist_ok=True)
    r = subprocess.run([NODE, str(REPO / 'training/tests/parity.mjs'), str(model_dir), str(inp), str(x_nhwc.shape[0]),
                        str(x_nhwc.shape[1]), str(out), backend], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    shapes = json.loads((out / 'shapes.json').read_text())['shapes']
    return {k: np.fromfile(out / f'{k}.bin', '<f4').reshape(shapes[k]) for k in ('seg', 'attention', 'region')}


def run_torch(model, x_nhwc):
    with torch.no_grad():
        f, z, region = model(torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous())
        return {'seg': f.permute(0, 2, 3, 1).numpy(), 'attention': model.attention(z).numpy(), 'region': region.numpy()}


@pytest.fixture(scope='module')
def ct_like_input():
    rng = np.random.RandomState(7)
    return np.clip(rng.randn(B, S, S, 5) * 0.5, -1.0, 1.5).astype(np.float32)


@pytest.mark.parametrize('variant', ['attention_hpa', 'unet'])
def test_float32_parity(tmp_path, ct_like_input, variant):
    model = random_model(S, BASE, variant, seed=3)
    export_model(model, tmp_path / 'm', model_id='t', weight_dtype='float32')
    js, pt = run_tfjs(tmp_path / 'm', ct_like_input, tmp_path), run_torch(model, ct_like_input)
    assert js['seg'].shape == (B, S, S, 34) and js['attention'].shape == (B, 34) and js['region'].shape == (B, 5)
    for k in ('seg', 'attention', 'region'):
        err = np.abs(js[k] - pt[k]).max()
        assert err < 1e-3, f'{k}: max abs error {err}'
    assert np.all(js['attention'][:, 0] == 1.0)
    if variant == 'unet':
        assert np.all(js['attention'] == 1.0)
    # The random model must not be trivially constant, or parity would prove little.
    assert pt['seg'].std() > 0.1
    if variant == 'attention_hpa':
        assert np.ptp(pt['attention'][:, 1:]) > 0.1


def test_float16_parity(tmp_path, ct_like_input):
    """float16 weights (the shipped format): measured max abs error 0.027 on seg logits of magnitude up to 17.6
    (1.5e-3 relative), 8e-4 on attention, 1.4e-3 on region logits. Bound: 4e-3 of the logit range, 0.01 on
    attention, and the argmax label agrees on at least 99% of pixels."""
    model = random_model(S, BASE, 'attention_hpa', seed=3)
    manifest = export_model(model, tmp_path / 'm', model_id='t', weight_dtype='float16')
    js, pt = run_tfjs(tmp_path / 'm', ct_like_input, tmp_path), run_torch(model, ct_like_input)
    scale = np.abs(pt['seg']).max()
    err = {k: float(np.abs(js[k] - pt[k]).max()) for k in ('seg', 'attention', 'region')}
    print(f'float16 max abs error {err}, logit scale {scale:.2f}')
    assert err['seg'] < 4e-3 * scale and err['region'] < 4e-3 * np.abs(pt['region']).max() + 1e-3
    assert err['attention'] < 0.01
    agree = (js['seg'].argmax(-1) == pt['seg'].argmax(-1)).mean()
    assert agree > 0.99
    spec = json.loads((tmp_path / 'm/model.json').read_text())['weightsManifest'][0]['weights']
    assert all(w.get('quantization', {}).get('dtype') == 'float16' for w in spec if w['dtype'] == 'float32')
    assert manifest['weights']['dtype'] == 'float16'


def test_graph_uses_fused_ops_only(tmp_path):
    model = random_model(S, BASE, 'attention_hpa', seed=0)
    export_model(model, tmp_path / 'm', model_id='t')
    nodes = json.loads((tmp_path / 'm/model.json').read_text())['modelTopology']['node']
    ops = {n['op'] for n in nodes}
    assert ops <= {'Placeholder', 'Const', '_FusedConv2D', '_FusedMatMul', 'AddV2', 'Relu', 'MaxPool',
                   'ResizeNearestNeighbor', 'ConcatV2', 'Mean', 'Sigmoid', 'Mul'}
    assert 'FusedBatchNorm' not in ops and 'Conv2D' not in ops
    names = {n['name'] for n in nodes}
    assert {'ct', 'seg', 'attention', 'region'} <= names


def test_fixture_matches_contract(tmp_path):
    """tests/fixtures/models/tiny-random is what other modules' tests load; keep it loadable and on contract."""
    d = REPO / 'tests/fixtures/models/tiny-random'
    if not d.exists():
        pytest.skip('fixture not generated')
    m = json.loads((d / 'manifest.json').read_text())
    assert m['format'] == 'attention-anatomy-model/1' and m['input']['size'] == S and len(m['channels']) == 34
    size = sum(p.stat().st_size for p in d.iterdir())
    assert size < 500_000
    x = np.full((1, S, S, 5), -1.0, np.float32)
    out = run_tfjs(d, x, tmp_path)
    assert out['seg'].shape == (1, S, S, 34) and out['attention'].shape == (1, 34) and out['region'].shape == (1, 5)
