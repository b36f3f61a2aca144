"""CT synthesis from label maps (synth.py) and the anatomy packer's rules (anatomy.py), on tiny tensors."""
import numpy as np
import pytest
import torch

from attention_anatomy import anatomy as A
from attention_anatomy.grid import GridSpec
from attention_anatomy.organs import NUM_CHANNELS
from attention_anatomy.synth import AnatomyBank, SynthParams, draw_hu_tables, gaussian_blur
from attention_anatomy.tissues import TISSUE_INDEX, TISSUES, tissue_of

SPEC = GridSpec(size=24, spacing=2.0)


def tiny_bank(organ_weight=3.0, n=2):
    """n subjects 12 x 20 x 20 at 2 mm: fat body, a muscle block annotated as organ 30 (Liver) on slices 4..7,
    bone (cortical) column; compact labels 0 air, 1 fat, 2 liver, 3 cortical."""
    maps, subs = [], []
    for s in range(n):
        a = np.zeros((12, 20, 20), np.uint8)
        a[:, 3:17, 3:17] = 1
        a[4:8, 5:11, 5:11 + s] = 2
        a[:, 12:15, 9:12] = 3
        maps.append(a)
        rows = [[TISSUE_INDEX['air'], -1000, -1000, -1000, -1000, 0],
                [TISSUE_INDEX['fat'], *TISSUES['fat'], 0],
                [TISSUE_INDEX['liver'], *TISSUES['liver'], 30],
                [TISSUE_INDEX['cortical'], *TISSUES['cortical'], 0]]
        subs.append({'source': f'src{s}', 'subject': f's{s}', 'shape': list(a.shape), 'spacing': [2.0, 2.0, 2.5],
                     'table': rows, 'annotated': [30], 'regions': [3] * 12})
    return AnatomyBank(None, 'cpu', SPEC, organ_weight, index={'subjects': subs}, maps=maps)


def test_clean_synthesis_is_the_label_map_with_drawn_hu():
    bank = tiny_bank()
    g = torch.tensor([5, 12 + 5])  # slice 5 of each subject (inside the liver block)
    out = bank.batch(2, SynthParams.clean(), torch.Generator().manual_seed(0), g=g)
    assert out['x'].shape == (2, 5, 24, 24) and out['y'].shape == (2, 24, 24)
    assert out['m'].shape == (2, NUM_CHANNELS) and out['m'][:, [0, 30]].eq(1).all() and out['m'].sum() == 4
    hu = out['x'] * SPEC.hu_scale + SPEC.hu_offset
    # model pixel (u, v) at 2 mm = map voxel (u - 2, v - 2) (map 20 px, grid 24 px, both 2 mm, same centre)
    assert hu[0, 2, 0, 0] == -1000  # outside the map: air
    fat = hu[0, 2, 2 + 4, 2 + 4]
    liver = hu[0, 2, 2 + 7, 2 + 7]
    bone = hu[0, 2, 2 + 13, 2 + 10]
    assert -120 <= fat <= -80 and 45 <= liver <= 70 and 700 <= bone <= 1500
    # labels aligned with the image: the organ is exactly where the liver HU is
    liver_px = (hu[:, 2] - liver).abs() < 1e-3
    assert torch.equal(out['y'][0] == 30, liver_px[0])
    assert out['region'].tolist() == [3, 3]


def test_hu_ranges_and_air_under_random_draws():
    bank = tiny_bank()
    p = SynthParams.clean()
    p.p_enhanced = 0.5
    s = torch.zeros(400, dtype=torch.long)
    hu = draw_hu_tables(bank.cls[s], bank.lo[s], bank.hi[s], bank.elo[s], bank.ehi[s], p, torch.Generator().manual_seed(1))
    assert (hu[:, 0] == -1000).all()
    assert hu[:, 1].min() >= -120 and hu[:, 1].max() <= -80
    assert hu[:, 2].min() >= 45 and hu[:, 2].max() <= 140 and hu[:, 2].max() > 90  # enhanced liver sometimes
    p.p_wild = 1.0
    wild = draw_hu_tables(bank.cls[s], bank.lo[s], bank.hi[s], bank.elo[s], bank.ehi[s], p, torch.Generator().manual_seed(1))
    assert ((wild[:, 1] < -120) | (wild[:, 1] > -80)).float().mean() > 0.3  # far outside the fat range
    assert (wild[:, 0] == -1000).all()


def test_deformation_keeps_labels_aligned_with_the_image():
    bank = tiny_bank()
    p = SynthParams.clean()
    p.rotate_deg, p.scale_min, p.scale_max, p.shift_mm, p.elastic_mm, p.tilt_deg = 30, 0.8, 1.25, 6, 3, 5
    out = bank.batch(8, p, torch.Generator().manual_seed(3), g=torch.full((8,), 5))
    hu = out['x'][:, 2] * SPEC.hu_scale
    for b in range(8):
        organ = out['y'][b] == 30
        assert organ.any()
        liver_hu = hu[b][organ]
        assert torch.allclose(liver_hu, liver_hu[0].expand_as(liver_hu))  # one tissue under the organ label
        assert not (hu[b][~organ] == liver_hu[0]).any()
    # the geometry differs between samples
    assert not torch.equal(out['y'][0], out['y'][1])


def test_determinism_under_a_seed_and_full_augmentation_ranges():
    bank = tiny_bank()
    p = SynthParams()
    a = bank.batch(4, p, torch.Generator().manual_seed(7))
    b = bank.batch(4, p, torch.Generator().manual_seed(7))
    c = bank.batch(4, p, torch.Generator().manual_seed(8))
    assert torch.equal(a['x'], b['x']) and torch.equal(a['y'], b['y'])
    assert not torch.equal(a['x'], c['x'])
    lo, hi = SPEC.normalise(SPEC.hu_min), SPEC.normalise(SPEC.hu_max)
    assert a['x'].min() >= lo and a['x'].max() <= hi and torch.isfinite(a['x']).all()


def test_organ_slices_are_drawn_more_often():
    for w, expect in ((1.0, 4 / 12), (5.0, 20 / 28)):
        bank = tiny_bank(organ_weight=w)
        g = bank.pick(20000, torch.Generator().manual_seed(0))
        frac = ((bank.slice_k[g] >= 4) & (bank.slice_k[g] < 8)).float().mean().item()
        assert abs(frac - expect) < 0.02, (w, frac)
    # each source an equal share
    assert abs((bank.slice_sub[g] == 0).float().mean().item() - 0.5) < 0.02


def test_gaussian_blur_preserves_mean_and_is_identity_at_zero_sigma():
    x = torch.zeros(2, 1, 9, 9)
    x[:, :, 4, 4] = 1
    y = gaussian_blur(x, torch.tensor([1e-6, 1.5]))
    assert torch.allclose(y[0], x[0], atol=1e-6)
    assert abs(y[1].sum().item() - 1) < 1e-4 and y[1, 0, 4, 4] < 0.2


def test_tissue_rules():
    assert tissue_of('vertebrae_L3') == 'bone' and tissue_of('Ribs, cortical') == 'cortical'
    assert tissue_of('Muscle, trunk') == 'muscle' and tissue_of('Lung, left, tissue') == 'lung'
    assert tissue_of('Heart contents (blood)') == 'heart' and tissue_of('aorta') == 'blood'
    assert tissue_of('Residual tissue, trunk') == 'fat' and tissue_of('Cochlea-Lt') == 'water'
    for lo, hi, elo, ehi in TISSUES.values():
        assert -1000 <= lo <= hi <= 3000 and elo <= ehi


def test_body_rule_builds_muscle_fat_skin_and_table():
    gen = np.zeros((2, 80, 60), np.int64)
    gen[:, 25:35, 25:35] = 7  # an organ, no body outline
    sp = (1.5, 1.5, 2.5)
    g = A.add_table(A.build_body(gen, sp, 'residual'), sp)
    row = g[0, 30]
    assert (row == A.SYN['residual']).sum() <= 2  # the hull is computed on a 2x coarser grid
    row = row[row != A.SYN['residual']]
    labels_along = [v for i, v in enumerate(row) if i == 0 or v != row[i - 1]]
    assert labels_along == [0, A.SYN['skin'], A.SYN['fat'], A.SYN['muscle'], 7, A.SYN['muscle'], A.SYN['fat'],
                            A.SYN['skin'], 0]
    fat_px = (row == A.SYN['fat']).sum() / 2
    assert abs(fat_px * 1.5 - A.FAT_MM) <= 1.5
    body_rows = np.nonzero((g[0] > 0) & (g[0] != A.SYN['table']))[0]
    table_rows = np.nonzero((g[0] == A.SYN['table']).any(axis=1))[0]
    assert table_rows.size and table_rows.min() > body_rows.max()  # posterior to the body


def test_bone_shell_and_compact_table():
    gen = np.zeros((3, 12, 12), np.int64)
    gen[:, 2:10, 2:10] = 5
    g = A.bone_shell(gen, [5], (1.5, 1.5, 2.5))
    assert (g[1, 2, 2:10] == 5 + A.SHELL_OFFSET).all() and (g[1, 5, 5] == 5)
    lab = np.zeros(gen.shape, np.uint8)
    cmap, rows = A.compact(g, lab, lambda v: 'cortical' if v > A.SHELL_OFFSET else 'spongiosa')
    assert cmap.dtype == np.uint8 and len(rows) == 3 and rows[0][5] == 0
    assert {TISSUE_INDEX['cortical'], TISSUE_INDEX['spongiosa']} == {r[0] for r in rows[1:]}


def test_regions_from_labels():
    from attention_anatomy.organs import channel_of
    lab = np.zeros((40, 4, 4), np.uint8)
    lab[20:35, 0, 0] = channel_of('Lung_L')  # apex at 34
    lab[28:39, 1, 1] = channel_of('Trachea')  # carina at 28
    lab[8:22, 2, 2] = channel_of('Liver')  # dome at 21
    lab[1:12, 3, 3] = channel_of('Kidney_R')  # lower pole at 1
    reg = A.regions_from_labels(lab, 2.5)
    assert reg[35:].tolist() == [0] * 5 and reg[29:35].tolist() == [1] * 6
    assert reg[22:29].tolist() == [2] * 7 and reg[1:22].tolist() == [3] * 21 and reg[0] == 4


def test_device_data_groups_and_organ_slice_weight(tmp_path):
    """Real (openkbp) / phantom groups draw only their own cases; organ slices drawn organ_weight x as often."""
    import json
    from attention_anatomy.sampler import DeviceData
    from test_model import tiny_cache
    cache = tiny_cache(tmp_path, SPEC)
    idx = json.loads((cache / 'index.json').read_text())
    idx['cases'][0]['source'] = 'openkbp'
    (cache / 'index.json').write_text(json.dumps(idx))
    import lzma
    e = idx['cases'][1]  # blank the labels of slices 0..2 of case 1
    raw = bytearray(lzma.decompress((cache / e['file']).read_bytes()))
    K, R, C = e['shape']
    raw[K * R * C:K * R * C + 3 * R * C] = bytes(3 * R * C)
    (cache / e['file']).write_bytes(lzma.compress(bytes(raw)))
    for w in (1.0, 4.0):
        data = DeviceData(cache, ('train',), 'cpu', SPEC, organ_weight=w)
        case, k = data.pick(4000, torch.Generator().manual_seed(0), 'real')
        assert (case == 0).all()
        case, k = data.pick(8000, torch.Generator().manual_seed(0), 'phantom')
        assert (case == 1).all() and k.min() >= 0 and k.max() < K
        frac_empty = (k < 3).float().mean().item()
        assert abs(frac_empty - 3 / (3 + 3 * w)) < 0.03, (w, frac_empty)


def write_tiny_anatomy(cache_dir):
    """Write tiny_bank()'s subjects as an anatomy.json + .xz pair into a cache folder."""
    import json
    import lzma
    bank = tiny_bank()
    subs = []
    for s, e in enumerate(bank.entries):
        K, R, C = e['shape']
        a = bank.flat[int(bank.start[s]):int(bank.start[s]) + K * R * C].numpy()
        name = f'anatomy-{e["subject"]}.xz'
        (cache_dir / name).write_bytes(lzma.compress(a.tobytes()))
        counts = np.bincount(np.asarray(e['table'])[:, 5].astype(int)[a], minlength=NUM_CHANNELS)
        subs.append({**e, 'id': e['subject'], 'file': name, 'labelCounts': counts.tolist()})
    (cache_dir / 'anatomy.json').write_text(json.dumps({'format': A.ANATOMY_FORMAT, 'subjects': subs}))
    return cache_dir


def test_batch_counts_hold_the_shares_and_redistribute_missing_groups():
    from attention_anatomy.train import batch_counts
    assert batch_counts(32, 0.5, 0.15, True, True, True) == (16, 5, 11)
    assert batch_counts(32, 0.5, 0.0, True, True, True) == (16, 0, 16)
    assert batch_counts(32, 0.5, 0.15, True, False, True) == (16 + 2, 0, 14) or \
        sum(batch_counts(32, 0.5, 0.15, True, False, True)) == 32
    assert batch_counts(10, 0.5, 0.15, True, True, False) == (8, 2, 0)
    assert batch_counts(8, 1.0, 0.0, True, True, True) == (8, 0, 0)


def test_training_with_synthesized_anatomy_in_the_mix(tmp_path):
    """A few steps of train() on a tiny cache with anatomy: the batch mixes real, phantom and synthesized
    samples, the focal weights are capped, the float16 weights-only checkpoint is written and reloads."""
    import json
    from attention_anatomy.export import load_checkpoint_dict
    from attention_anatomy.train import TrainConfig, train
    from test_model import tiny_cache
    cache = tiny_cache(tmp_path / 'c' if (tmp_path / 'c').mkdir() is None else None, SPEC)
    idx = json.loads((cache / 'index.json').read_text())
    idx['cases'][0]['source'] = 'openkbp'
    (cache / 'index.json').write_text(json.dumps(idx))
    write_tiny_anatomy(cache)
    cfg = TrainConfig(variant='attention_hpa', size=32, base=4, batch=8, steps=6, log_every=2, real_share=0.5,
                      phantom_share=0.25, focal_cap=2.0, weights_out=str(tmp_path / 'latest.pt'))
    logs = []
    summary = train(str(cache), str(tmp_path / 'run'), cfg, 'cpu', log=logs.append)
    assert summary['batchMix'] == {'real': 4, 'phantom': 2, 'synth': 2} and summary['anatomySubjects'] == 2
    assert any('slicesPerS' in l for l in logs)
    ck = load_checkpoint_dict(tmp_path / 'run' / 'attention_hpa.pt')
    w = torch.tensor(ck['focal_weights'])
    assert w[1:].max() <= 2.0 * w[1:].median() + 1e-6
    assert any(s['id'].startswith('synth-') for s in ck['sources'])
    half = load_checkpoint_dict(tmp_path / 'latest.pt')
    # float16 weights; batch-norm statistics stay float32 (the identity variance of recovered weights)
    assert all(v.dtype == (torch.float32 if k.endswith(('running_mean', 'running_var')) else torch.float16)
               for k, v in half['model'].items() if v.is_floating_point())
    cfg2 = TrainConfig(variant='attention_hpa', size=32, base=4, batch=4, steps=2, init=str(tmp_path / 'latest.pt'),
                       stage_weights=(0, 1, 0, 0), compile=True)
    assert train(str(cache), str(tmp_path / 'run2'), cfg2, 'cpu', log=logs.append)['init']
    if not hasattr(torch, 'compile'):  # torch 1.13: the flag is accepted and the model runs eagerly
        assert any('has no torch.compile' in l for l in logs)


def test_compact_merges_rare_pairs_by_tissue_and_channel():
    gen = np.arange(300 * 4).reshape(300, 4, 1) // 4 + 1  # 300 labels, 4 voxels each
    gen = np.concatenate([gen, np.zeros((300, 4, 1), np.int64)], axis=2)
    lab = (gen % 2).astype(np.uint8)  # odd labels in channel 1
    cmap, rows = A.compact(gen, lab, lambda g: 'muscle' if g % 3 else 'fat')
    assert len(rows) <= 255 and cmap.max() == len(rows) - 1
    ch = np.array([r[5] for r in rows])[cmap]
    assert np.array_equal(ch, lab)  # the target channel survives the merge
    t = np.array([r[0] for r in rows])[cmap]
    expect = np.where(gen == 0, TISSUE_INDEX['air'], np.where(gen % 3, TISSUE_INDEX['muscle'], TISSUE_INDEX['fat']))
    assert np.array_equal(t, expect)


def test_preview_png_is_valid_and_outlines_the_organs(tmp_path):
    import struct
    import zlib
    from attention_anatomy.preview import render, tile, write_png
    hu = np.full((8, 8), 40.0)
    y = np.zeros((8, 8), np.int64)
    y[2:6, 2:6] = 30
    t = tile(hu, y)
    assert t.shape == (8, 8, 3) and (t[2, 3] != t[0, 0]).any() and (t[4, 4] == t[0, 0]).all()
    img, sources = render(tiny_bank(), 3, SynthParams())
    assert img.shape == (2 * 24, 3 * 24, 3) and sources == ['src0', 'src1']
    write_png(tmp_path / 'p.png', img)
    raw = (tmp_path / 'p.png').read_bytes()
    assert raw[:8] == b'\x89PNG\r\n\x1a\n'
    w, h = struct.unpack('>II', raw[16:24])
    assert (w, h) == (72, 48)
    n = struct.unpack('>I', raw[33:37])[0]
    data = zlib.decompress(raw[41:41 + n])
    assert len(data) == h * (1 + 3 * w)


def test_body_rule_muscle_band_per_slice():
    gen = np.zeros((2, 90, 90), np.int64)
    gen[:, 40:50, 40:50] = 7
    g = A.build_body(gen, (1.5, 1.5, 2.5), 'soft', muscle_mm=np.array([3.0, 20.0]))
    thick = [(g[k, 45] == A.SYN['muscle']).sum() / 2 * 1.5 for k in range(2)]
    assert thick[0] <= 4.5 and 18 <= thick[1] <= 22
