"""The connected-component clean-up in Python (attention_anatomy.cleanup) on hand-made volumes, and the
same output as the engine's TypeScript (src/engine/cleanup.ts via scripts/cleanup-raw.ts) on random
blobby volumes with many components of every rule class."""
import json
import os
import subprocess

import numpy as np
import pytest
from scipy import ndimage as ndi

from conftest import REPO
from attention_anatomy.cleanup import RULES, box_gap_squared_mm, cleanup_labels
from attention_anatomy.organs import channel_of

TSX = REPO / 'node_modules' / '.bin' / 'tsx'


def vol(slices, legend):
    """[K, R, C] from strings per slice ('.' = 0), as the TypeScript test writes them."""
    return np.array([[[0 if c == '.' else legend[c] for c in line] for line in s] for s in slices], dtype=np.uint8)


def test_rule_table():
    assert len(RULES) == 33
    assert RULES[channel_of('Pituitary')].max_components == 1
    assert RULES[channel_of('Bag_Bowel')].max_components is None
    assert RULES[channel_of('Liver')].max_gap_mm == 20
    assert box_gap_squared_mm([0, 2, 0, 0, 0, 0], [4, 4, 0, 0, 3, 3], (2, 3, 5)) == 104


def test_far_island_dropped_other_labels_kept():
    L, S = channel_of('Liver'), channel_of('Spleen')
    pred = vol([['LLL....L.', 'LLL......', '.........', 'L.L...SS.'],
                ['LLL......', 'LLL......', '.........', '......S..']], {'L': L, 'S': S})
    report = []
    out = cleanup_labels(pred, (10, 10, 10), report=report)
    expected = vol([['LLL......', 'LLL......', '.........', '......SS.'],
                    ['LLL......', 'LLL......', '.........', '......S..']], {'L': L, 'S': S})
    np.testing.assert_array_equal(out, expected)
    assert report == [{'channel': L, 'components': 4, 'kept': 1, 'voxelsRemoved': 3},
                      {'channel': S, 'components': 1, 'kept': 1, 'voxelsRemoved': 0}]
    assert (pred != expected).sum() == 3  # input untouched


def test_tiny_pair_and_bowel_rules():
    P, E, G, B = (channel_of(n) for n in ('Pituitary', 'Ear_Internal_R', 'Glnd_Sublingual', 'Bag_Bowel'))
    out = cleanup_labels(vol([['P..P', '....', 'EE.E']], {'P': P, 'E': E}), (0.5, 0.5, 0.5))
    np.testing.assert_array_equal(out, vol([['P...', '....', 'EE..']], {'P': P, 'E': E}))
    out = cleanup_labels(vol([['GGG.GG.G', '........', 'BB.B.BBB']], {'G': G, 'B': B}), (10, 10, 10))
    np.testing.assert_array_equal(out, vol([['GGG.GG..', '........', 'BB...BBB']], {'G': G, 'B': B}))
    # blobs over 1.5 ml cannot be a pituitary: at 1 ml voxels only the single voxel stays, at 8 ml none
    pit = vol([['PP..P', '.....', 'PPP..']], {'P': P})
    np.testing.assert_array_equal(cleanup_labels(pit, (10, 10, 10)), vol([['....P', '.....', '.....']], {'P': P}))
    report = []
    assert not cleanup_labels(pit, (20, 20, 20), report=report).any()
    assert report == [{'channel': P, 'components': 3, 'kept': 0, 'voxelsRemoved': 6}]


def test_cord_chain():
    C = channel_of('SpinalCord')
    column = 'CC.....CC...CCCCC...CC...CC...'
    pred = np.array([[[1 if c == 'C' else 0]] for c in column], dtype=np.uint8) * C
    report = []
    out = cleanup_labels(pred, (10, 10, 10), report=report)
    assert ''.join('C' if v else '.' for v in out.ravel()) == '.......CC...CCCCC...CC...CC...'
    assert report == [{'channel': C, 'components': 5, 'kept': 4, 'voxelsRemoved': 2}]


def random_labels(seed, shape, channels):
    rng = np.random.default_rng(seed)
    fields = np.stack([ndi.gaussian_filter(rng.standard_normal(shape), 1.2) for _ in channels])
    best = fields.argmax(0)
    top = fields.max(0)
    lab = np.asarray(channels, dtype=np.uint8)[best]
    lab[top < np.quantile(top, 0.55)] = 0
    return lab


CASES = [
    (1, (9, 17, 23), (1.0, 1.0, 1.0), ['Liver', 'Pituitary', 'Glnd_Sublingual', 'Bag_Bowel']),
    (2, (12, 20, 16), (3.0, 3.0, 5.0), ['SpinalCord', 'Lung_L', 'Ear_Internal_L', 'Bag_Bowel', 'Kidney_R']),
    (3, (20, 14, 18), (0.8, 0.8, 2.5), ['Brainstem', 'Parotid_L', 'Glnd_Sublingual', 'Esophagus', 'Stomach', 'Heart']),
    (4, (6, 30, 33), (7.8, 7.8, 2.5), ['Parotid_R', 'Pituitary', 'Bag_Bowel', 'Pancreas']),
    (5, (60, 8, 9), (4.0, 4.0, 3.0), ['SpinalCord', 'Esophagus', 'Trachea', 'Musc_Constrict']),  # chains along z
]


@pytest.mark.skipif(not TSX.exists(), reason='needs node_modules (npm ci) for tsx')
@pytest.mark.parametrize('seed,shape,spacing,names', CASES)
def test_same_output_as_typescript(tmp_path, seed, shape, spacing, names):
    pred = random_labels(seed, shape, [channel_of(n) for n in names])
    report = []
    py = cleanup_labels(pred, spacing, report=report)
    assert sum(r['voxelsRemoved'] for r in report) > 0  # the case exercises the rule
    assert any(r['kept'] > 1 for r in report)
    src, dst = tmp_path / 'in.u8', tmp_path / 'out.u8'
    src.write_bytes(np.ascontiguousarray(pred).tobytes())  # [K, R, C] C order = x fastest
    k, r, c = shape
    res = subprocess.run([str(TSX), 'scripts/cleanup-raw.ts', str(src), str(dst), str(c), str(r), str(k), *map(str, spacing)],
                         cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, 'NODE_OPTIONS': ''})
    assert res.returncode == 0, res.stderr[-2000:]
    ts = np.frombuffer(dst.read_bytes(), dtype=np.uint8).reshape(shape)
    np.testing.assert_array_equal(ts, py)
    ts_report = json.loads(res.stdout)
    assert ts_report['organs'] == report
    assert ts_report['voxelsRemoved'] == sum(r['voxelsRemoved'] for r in report)
