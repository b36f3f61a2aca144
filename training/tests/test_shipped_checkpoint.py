"""The committed CPU checkpoint is the start of the next run and the weights the app ships (issue 21).

`training/checkpoints/attention_hpa.pt` (float16, weights only, written by training/cpu/ship.sh) must export to
the default package of `public/models/index.json`: the same graph and the same weights up to one float16 step
(the package is exported from the float32 run checkpoint, with batch norm folded into the convolutions before
rounding; the float16 checkpoint rounds first).
"""
from __future__ import annotations

import json

import numpy as np

from attention_anatomy.export import export_model, load_checkpoint
from conftest import REPO

INDEX = REPO / 'public/models/index.json'
CHECKPOINT = REPO / 'training/checkpoints/attention_hpa.pt'


def default_package():
    models = json.loads(INDEX.read_text())['models']
    (default,) = [m for m in models if m.get('default')]
    return default, REPO / 'public' / default['path']


def test_checkpoint_exports_to_the_default_package(tmp_path):
    entry, package = default_package()
    model, _ = load_checkpoint(CHECKPOINT)
    export_model(model, tmp_path, model_id=entry['id'])
    ref = json.loads((package / 'model.json').read_text())
    new = json.loads((tmp_path / 'model.json').read_text())
    assert new['modelTopology'] == ref['modelTopology']
    assert new['weightsManifest'] == ref['weightsManifest']
    for p in ref['weightsManifest'][0]['paths']:
        a = np.frombuffer((package / p).read_bytes(), np.float16).astype(np.float32)
        b = np.frombuffer((tmp_path / p).read_bytes(), np.float16).astype(np.float32)
        assert a.shape == b.shape
        # one float16 step: relative spacing 2^-10 .. 2^-9; below 2^-14 the subnormal step 2^-24
        step = np.maximum(np.maximum(np.abs(a), np.abs(b)) * 2.0**-9, 2.0**-24)
        assert np.all(np.abs(a - b) <= step * 1.0001), p
        assert np.mean(a != b) < 0.5, p  # most weights identical: the same run, not merely a similar one


def test_default_package_reports_its_real_set_accuracy():
    _, package = default_package()
    manifest = json.loads((package / 'manifest.json').read_text())
    text = json.dumps(manifest.get('metrics', {}))
    for name in ('TotalSegmentator', 'OpenKBP', 'hnscc'):
        assert name in text, f'{name} missing from the manifest metrics'
