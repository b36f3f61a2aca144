"""Metrics (CONTRACTS 6) on a hand-computed case, and the evaluator's fast resampling against grid.py."""
import json

import numpy as np
import pytest
import torch

from attention_anatomy.evaluate import logits_to_ct, volume_windows
from attention_anatomy.grid import GridSpec, Volume, ct_pixel_model_coords, model_to_ct, sample_window
from attention_anatomy.metrics import dice, hd95, score_case


def test_dice_and_hd95_hand_computed():
    a = np.zeros((5, 5, 6), bool)  # [K, R, C]
    b = np.zeros_like(a)
    a[1:4, 1:4, 1:4] = True  # 3x3x3 cube
    b[1:4, 1:4, 2:5] = True  # shifted by one column (2 mm along x)
    assert dice(a, b) == pytest.approx(2 * 18 / 54)
    # A's surface -> B's surface: 9 voxels of A's first column layer are 2 mm away, the centre of its last
    # layer is 1 mm (one row) from B's surface, the other 16 surface voxels lie on B's surface:
    # sorted 16 x 0, 1, 9 x 2 -> P95 (linear, index 23.75) = 2; symmetric -> HD95 = 2 mm
    assert hd95(a, b, (2.0, 1.0, 1.0)) == pytest.approx(2.0)
    assert hd95(a, a, (2.0, 1.0, 1.0)) == 0.0
    assert hd95(a, np.zeros_like(a), (1, 1, 1)) is None


def test_border_voxels_count_as_surface():
    a = np.ones((1, 1, 5), bool)  # a full row touching the volume border everywhere
    b = a.copy()
    b[0, 0, 4] = False
    # every voxel of A is surface (border), B too; A's voxel 4 is 1 mm from B's voxel 3
    d = hd95(a, b, (1.0, 1.0, 1.0))
    assert d == pytest.approx(np.percentile([0, 0, 0, 0, 1], 95))


def test_score_case_skips_absent_and_scores_empty_predictions():
    ref = np.zeros((3, 4, 4), np.uint8)
    ref[1, 1:3, 1:3] = 5
    ref[1, 0, 0] = 7
    pred = np.zeros_like(ref)
    pred[1, 1:3, 1:3] = 5
    s = score_case(pred, ref, (1, 1, 1), [5, 6, 7])
    assert s[5] == {'dsc': 1.0, 'hd95Mm': 0.0}
    assert 6 not in s
    assert s[7] == {'dsc': 0.0, 'hd95Mm': None}


def test_fast_windows_and_back_mapping_match_the_reference():
    rng = np.random.RandomState(1)
    spec = GridSpec(size=24, spacing=3.0, slice_spacing=2.5)
    hu = rng.rand(7, 17, 20) * 1500 - 700
    aff = np.diag([4.1, 3.7, 2.0, 1.0])
    aff[:3, 3] = [-30.0, 12.0, 5.0]
    vol = Volume(hu, aff)
    fast = volume_windows(torch.tensor(hu, dtype=torch.float64), vol.spacing(), spec).numpy()
    for k in range(7):
        np.testing.assert_allclose(fast[k], sample_window(vol, k, spec), atol=1e-6)
    f = torch.tensor(rng.randn(1, 3, 24, 24))
    got, inside = logits_to_ct(f.float(), 17, 20, vol.spacing(), spec)
    u, v = ct_pixel_model_coords(vol, 0, spec)
    ref, ref_inside = model_to_ct(f[0].numpy(), u, v)
    np.testing.assert_array_equal(inside.numpy(), ref_inside)
    np.testing.assert_allclose(got[0].numpy(), ref, atol=1e-5)


def test_results_markdown_table_and_appended_section():
    from attention_anatomy.evaluate import results_markdown
    row = lambda v, d: {'variant': v, 'split': 'val', 'dataset': 'OpenKBP val (n=2)', 'cases': 2, 'meanDsc': d,
                        'meanHd95Mm': 4.3, 'emptyPredictions': 0, 'perOrgan': {'Brainstem': {'dsc': d, 'hd95Mm': 4.3}}}
    report = {'results': [row('unet', 0.5), row('attention_hpa', 0.75)], 'trained': {}}
    md = results_markdown(report, 'cmd', {'sources': []})
    assert md.startswith('# AttentionAnatomy: evaluation results')
    assert '## OpenKBP val (n=2)' in md
    brainstem = next(line for line in md.splitlines() if line.startswith('| Brainstem'))
    assert brainstem == '| Brainstem | 0.500 | 4.3 | 0.750 | 4.3 |'
    sec = results_markdown({'results': [row('attention_hpa', 0.8)], 'trained': {}}, 'cmd2', {'sources': []}, 'Shipped')
    assert sec.startswith('## Shipped') and '### OpenKBP val (n=2)' in sec and '# AttentionAnatomy' not in sec
    assert '0.800' in sec and '0.500' not in sec


def test_evaluate_cleanup_scores_before_and_after(tmp_path, monkeypatch):
    """--cleanup: every case scored as predicted and after the clean-up; the island a prediction adds to the
    reference costs DSC before and nothing after (the rule drops a fragment under 10 % of the organ)."""
    import attention_anatomy.evaluate as ev
    from attention_anatomy.cache import read_case_arrays, read_index
    from attention_anatomy.grid import GridSpec
    from test_model import tiny_cache

    cache = tiny_cache(tmp_path, GridSpec(size=32, spacing=2.0))
    idx = json.loads((cache / 'index.json').read_text())
    for c in idx['cases']:
        c['split'] = 'val'
    (cache / 'index.json').write_text(json.dumps(idx))
    refs = [read_case_arrays(str(cache), e)[1] for e in read_index(str(cache))['cases']]

    class Dummy:
        cfg = type('Cfg', (), {'variant': 'attention_hpa', 'size': 32})()
        def to(self, *a, **k):
            return self

    calls = iter(range(2))
    def fake_predict(model, hu, spacing, spec, dev):
        pred = refs[next(calls)].copy()
        pred[0, 0:2, 0:2] = 1  # a 4-voxel island of organ 1 away from its disc
        return pred

    monkeypatch.setattr(ev, 'load_checkpoint', lambda p: (Dummy(), {}))
    monkeypatch.setattr(ev, 'predict_case', fake_predict)
    report = ev.evaluate(['x.pt'], str(cache), splits=('val',), device='cpu', workers=1, cleanup=True)
    (r,) = report['results']
    before, after = r['perOrgan']['Brainstem'], r['cleanup']['perOrgan']['Brainstem']
    assert before['dsc'] < 0.995 and after['dsc'] == 1.0 and after['hd95Mm'] == 0.0
    assert r['perOrgan']['Musc_Constrict']['dsc'] == r['cleanup']['perOrgan']['Musc_Constrict']['dsc'] == 1.0
    md = ev.results_markdown(report, 'cmd', {'sources': []})
    assert '### OpenKBP val (n=2): before / after the connected-component clean-up' in md
    line = next(x for x in md.splitlines() if x.startswith('| Brainstem') and x.count('|') == 6)
    assert line.split(' | ')[2] == '1.000'
