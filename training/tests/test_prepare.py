"""prepare.py on tiny phantom cases: the cache (index and compressed files) is the same with one worker and two,
and the held-out cases go to --test-out only."""
import json

import numpy as np

from attention_anatomy import prepare
from attention_anatomy.nifti import write_nifti

RAS = np.array([[2.0, 0, 0, -20.0], [0, 2.0, 0, -20.0], [0, 0, 2.5, 0.0], [0, 0, 0, 1]])


def _phantom(d, source, seed):
    d.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    ct = rng.integers(-1000, 400, (20, 20, 6 + seed % 3)).astype(np.int16)
    lab = np.zeros(ct.shape, np.uint8)
    lab[5:12, 6:14, 1:5] = 22  # Heart
    write_nifti(d / 'ct.nii.gz', ct, RAS)
    write_nifti(d / 'labels.nii.gz', lab, RAS)
    (d / 'case.json').write_text(json.dumps({'source': source, 'seed': seed, 'annotated': ['Heart']}))


def test_cache_is_the_same_with_two_workers(tmp_path):
    for i in range(4):
        _phantom(tmp_path / 'train' / f'c{i}', 'phantom-thorax', i)
    _phantom(tmp_path / 'test' / 'c9', 'phantom-whole', 9)
    outs = []
    for workers in (1, 2):
        out, test_out = tmp_path / f'cache{workers}', tmp_path / f'test{workers}'
        assert prepare.main(['--out', str(out), '--phantom', str(tmp_path / 'train'), '--phantom-test',
                             str(tmp_path / 'test'), '--test-out', str(test_out), '--workers', str(workers)]) == 0
        outs.append((out, test_out))
    (one, one_test), (two, two_test) = outs
    idx = json.loads((two / 'index.json').read_text())
    assert [c['id'] for c in idx['cases']] == [f'phantom-thorax-c{i}' for i in range(4)]
    assert [c['id'] for c in json.loads((two_test / 'index.json').read_text())['cases']] == ['phantom-whole-c9']
    assert idx['sources'][0]['cases'] == 4 and idx['sources'][0]['annotated'] == ['Heart']
    for a, b in ((one, two), (one_test, two_test)):
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir())
        for p in a.iterdir():
            if p.name != 'prepare.json':  # the stamp names its own folders (--out, --test-out)
                assert p.read_bytes() == (b / p.name).read_bytes(), p.name


def test_reuse_keeps_a_cache_built_by_the_same_options_and_code(tmp_path, capsys):
    for i in range(2):
        _phantom(tmp_path / 'train' / f'c{i}', 'phantom-thorax', i)
    out = tmp_path / 'cache'
    argv = ['--out', str(out), '--phantom', str(tmp_path / 'train'), '--workers', '1', '--reuse']
    assert prepare.main(argv) == 0
    stamp = json.loads((out / 'prepare.json').read_text())
    assert 'prepare.py' in stamp['code'] and 'cache.py' in stamp['code']
    built = (out / 'index.json').stat().st_mtime_ns
    capsys.readouterr()
    assert prepare.main(argv[:-2] + ['2', '--reuse']) == 0  # another worker count builds the same cache
    assert 'up to date' in capsys.readouterr().out and (out / 'index.json').stat().st_mtime_ns == built
    # other options: rebuilt
    assert prepare.main(argv + ['--phantom-limit', '1']) == 0
    assert len(json.loads((out / 'index.json').read_text())['cases']) == 1
    # the same options but other code (a module's hash differs): rebuilt
    stamp = json.loads((out / 'prepare.json').read_text())
    stamp['code']['cache.py'] = '0' * 64
    (out / 'prepare.json').write_text(json.dumps(stamp))
    capsys.readouterr()
    assert prepare.main(argv + ['--phantom-limit', '1']) == 0
    assert 'up to date' not in capsys.readouterr().out
    # without --reuse: always rebuilt
    assert prepare.main(argv[:-1] + ['--phantom-limit', '1']) == 0
    assert 'up to date' not in capsys.readouterr().out
