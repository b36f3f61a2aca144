"""training/device/run_train.sh end to end on the CPU with a tiny budget: the same script the GPU run uses."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import REPO
from attention_anatomy.grid import GridSpec
from test_model import tiny_cache


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_run_train_script_trains_evaluates_and_packs(tmp_path):
    (tmp_path / "cache").mkdir()
    cache = tiny_cache(tmp_path / "cache", GridSpec(size=32, spacing=2.0))
    idx = json.loads((cache / 'index.json').read_text())
    idx['cases'][1]['split'] = 'val'  # one held-out case so that the evaluation has something to score
    (cache / 'index.json').write_text(json.dumps(idx))
    test_cache = tmp_path / 'test-cache'  # the held-out phantoms' own cache (TEST_CACHE), split test
    shutil.copytree(cache, test_cache)
    idx['cases'] = [{**c, 'split': 'test'} for c in idx['cases'][:1]]
    (test_cache / 'index.json').write_text(json.dumps(idx))
    out = tmp_path / 'out'
    env = {**os.environ, 'OUT': str(out), 'CACHE': str(cache), 'TEST_CACHE': str(test_cache), 'PYTHON': '/usr/bin/python3'}
    r = subprocess.run(['bash', 'training/device/run_train.sh', '75', '--batch', '2', '--variants', 'unet attention_hpa',
                        '--size', '32', '--base', '4'], cwd=REPO, env=env, capture_output=True, text=True, timeout=150)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    files = sorted(p.name for p in out.iterdir())
    assert {'unet.pt', 'attention_hpa.pt', 'logs.tar.gz', 'summary.txt'} <= set(files)
    assert len(files) <= 8 and all(p.stat().st_size < 16 * 2 ** 20 for p in out.iterdir())
    report = json.loads((out / 'eval.json').read_text())
    assert {(r['variant'], r['split']) for r in report['results']} == {
        (v, s) for v in ('unet', 'attention_hpa') for s in ('val', 'test')}
    assert '| organ |' in (out / 'RESULTS.md').read_text()
