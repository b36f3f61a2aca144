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
    # CKPT_DIR: no committed checkpoint (the repository's are the product size; this run is from scratch)
    env = {**os.environ, 'OUT': str(out), 'CACHE': str(cache), 'TEST_CACHE': str(test_cache), 'PYTHON': '/usr/bin/python3',
           'CKPT_DIR': str(tmp_path / 'none')}
    env['EVAL_RESERVE'] = '180'  # generous: a loaded CI machine needs ~15 s just to import torch
    r = subprocess.run(['bash', 'training/device/run_train.sh', '120', '--batch', '2', '--variants', 'unet attention_hpa',
                        '--size', '32', '--base', '4'], cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    files = sorted(p.name for p in out.iterdir())
    assert {'unet.pt', 'attention_hpa.pt', 'logs.tar.gz', 'summary.txt'} <= set(files)
    assert len(files) <= 12 and all(p.stat().st_size < 16 * 2 ** 20 for p in out.iterdir())
    report = json.loads((out / 'eval.json').read_text())
    assert {(r['variant'], r['split']) for r in report['results']} == {
        (v, s) for v in ('unet', 'attention_hpa') for s in ('val', 'test')}
    assert '| organ |' in (out / 'RESULTS.md').read_text()


@pytest.mark.skipif(shutil.which('bash') is None, reason='needs bash')
def test_run_train_script_with_synthesized_anatomy_continues_from_the_committed_checkpoint(tmp_path):
    """Model v2: a cache with anatomy.json (real + synthesized mix), run 1 from scratch writes the float16
    checkpoint and the export; run 2 with CKPT_DIR holding that checkpoint continues from it."""
    import torch
    from attention_anatomy.export import load_checkpoint_dict
    from test_synth import write_tiny_anatomy
    (tmp_path / 'cache').mkdir()
    cache = tiny_cache(tmp_path / 'cache', GridSpec(size=32, spacing=2.0))
    idx = json.loads((cache / 'index.json').read_text())
    idx['cases'][0]['source'] = 'openkbp'
    idx['cases'][1]['split'] = 'val'
    (cache / 'index.json').write_text(json.dumps(idx))
    write_tiny_anatomy(cache)
    base = {**os.environ, 'CACHE': str(cache), 'PYTHON': '/usr/bin/python3', 'CKPT_DIR': str(tmp_path / 'none'),
            'EVAL_RESERVE': '180'}
    args = ['bash', 'training/device/run_train.sh', '120', '--batch', '4', '--size', '32', '--base', '4',
            '--real-share', '0.5', '--phantom-share', '0', '--log-every', '1']
    out1 = tmp_path / 'out1'
    r = subprocess.run(args, cwd=REPO, env={**base, 'OUT': str(out1)}, capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    summary = (out1 / 'summary.txt').read_text()
    assert 'training from scratch' in summary and 'export exit 0' in summary, summary
    log = [json.loads(l) for l in (out1 / 'attention_hpa.log.jsonl').read_text().splitlines()]
    assert log[-1]['summary']['batchMix'] == {'real': 2, 'phantom': 0, 'synth': 2}
    assert any('slicesPerS' in rec for rec in log[:-1])
    ck = load_checkpoint_dict(out1 / 'checkpoints' / 'attention_hpa.pt')
    # float16 weights; batch-norm statistics float32 (train.save_checkpoint)
    assert all(v.dtype == (torch.float32 if k.endswith(('running_mean', 'running_var')) else torch.float16)
               for k, v in ck['model'].items() if v.is_floating_point())
    manifest = json.loads((out1 / 'model' / 'aa-hpa-v2' / 'manifest.json').read_text())
    assert any(s['id'].startswith('synth-') for s in manifest['sources'])
    out2 = tmp_path / 'out2'
    env2 = {**base, 'OUT': str(out2), 'CKPT_DIR': str(out1 / 'checkpoints')}
    r = subprocess.run(args[:2] + ['60', '--no-eval', '--no-export'] + args[3:], cwd=REPO, env=env2,
                       capture_output=True, text=True, timeout=400)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert 'continuing from' in (out2 / 'summary.txt').read_text()
    assert load_checkpoint_dict(out2 / 'checkpoints' / 'attention_hpa.pt')['summary']['init']
