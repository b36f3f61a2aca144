"""anatomy_more.py (TotalSegmentator masks, FLARE22 maps, the synthetic spine), the in-memory packing path of
anatomy.py and the TotalSegmentator real-CT loader, on tiny synthetic arrays and NIfTI files in tmp_path."""
import json

import numpy as np
import pytest

from attention_anatomy import anatomy as A
from attention_anatomy import anatomy_more as M
from attention_anatomy.nifti import write_nifti
from attention_anatomy.organs import channel_of
from attention_anatomy.sources import load_totalseg_ct, totalseg_ct_dirs
from attention_anatomy.tissues import TISSUE_INDEX, tissue_of

RAS = np.array([[1.5, 0, 0, -30.0], [0, 1.5, 0, -30.0], [0, 0, 1.5, 0.0], [0, 0, 0, 1]])
CLASSES = {1: 'liver', 2: 'duodenum', 3: 'pancreas', 4: 'small_bowel', 5: 'colon', 6: 'kidney_left',
           7: 'kidney_cyst_left', 8: 'vertebrae_L1', 9: 'aorta'}
MAP33 = {'Kidney_L': ['kidney_left', 'kidney_cyst_left'], 'Bag_Bowel': ['small_bowel', 'duodenum', 'colon'],
         'Liver': ['liver'], 'Pancreas': ['pancreas']}
SHAPE = (40, 40, 12)


def flat(mask):
    return np.flatnonzero(mask)


def box(i0, i1, j0, j1, k0, k1, shape=SHAPE):
    m = np.zeros(shape, bool)
    m[i0:i1, j0:j1, k0:k1] = True
    return m


def fake_masks():
    """Liver (big) overlapped by the duodenum (small); Bag_Bowel (duodenum + small bowel + colon) bigger than the
    liver, so the liver channel wins the overlap in labels33 while the duodenum wins it in labels117; pancreas
    overlaps the duodenum too; an empty cyst mask; a vertebra; an aorta."""
    return {'liver': box(5, 20, 5, 20, 2, 10), 'duodenum': box(18, 24, 10, 16, 3, 8),
            'pancreas': box(22, 26, 12, 15, 4, 6), 'small_bowel': box(20, 38, 20, 36, 0, 12),
            'colon': box(2, 18, 24, 38, 1, 11), 'kidney_left': box(28, 34, 5, 12, 3, 9),
            'kidney_cyst_left': np.zeros(SHAPE, bool), 'vertebrae_L1': box(16, 24, 30, 38, 0, 12),
            'aorta': box(24, 28, 24, 28, 0, 12)}


def test_paint_smaller_wins_regardless_of_order():
    big, small = box(0, 10, 0, 10, 0, 4, (12, 12, 4)), box(5, 8, 5, 8, 1, 3, (12, 12, 4))
    for masks in ({'big': flat(big), 'small': flat(small)}, {'small': flat(small), 'big': flat(big)}):
        out = M.paint_smaller_wins(big.shape, masks, {'big': 1, 'small': 2})
        assert (out[small] == 2).all() and (out[big & ~small] == 1).all() and (out[~big] == 0).all()


def test_totalseg_maps_labels117_and_map33():
    masks = fake_masks()
    gen, lab = M.totalseg_maps({n: flat(m) for n, m in masks.items()}, SHAPE, CLASSES, MAP33)
    ov = masks['liver'] & masks['duodenum'] & ~masks['pancreas']
    assert ov.any()
    assert (gen[ov] == 2).all()  # labels117: the duodenum (smaller than the liver) wins
    assert (lab[ov] == channel_of('Liver')).all()  # labels33: the liver channel (smaller than Bag_Bowel) wins
    pd = masks['pancreas'] & masks['duodenum']
    assert (gen[pd] == 3).all() and (lab[pd] == channel_of('Pancreas')).all()
    assert (lab[masks['colon'] & ~masks['liver']] == channel_of('Bag_Bowel')).all()
    assert (lab[masks['kidney_left']] == channel_of('Kidney_L')).all()
    assert (lab[masks['vertebrae_L1'] & ~masks['small_bowel'] & ~masks['colon']] == 0).all()  # not mapped
    assert (gen[masks['vertebrae_L1'] & ~masks['small_bowel'] & ~masks['colon'] & ~masks['aorta']] == 8).all()
    with pytest.raises(ValueError):
        M.totalseg_maps({n: flat(m) for n, m in masks.items() if n != 'colon'}, SHAPE, CLASSES, MAP33)


def test_annotation_marks_truncated_channels():
    masks = fake_masks()
    _, lab = M.totalseg_maps({n: flat(m) for n, m in masks.items()}, SHAPE, CLASSES, MAP33)
    ann = M.annotation_of(lab, RAS)
    assert ann == {'Bag_Bowel': 't', 'Liver': '1', 'Pancreas': '1', 'Kidney_L': '1'}
    # the slice axis is the one closest to z: with i and k swapped, 't' follows
    ras_swapped = RAS[:, [2, 1, 0, 3]]
    ann2 = M.annotation_of(np.ascontiguousarray(lab.transpose(2, 1, 0)), ras_swapped)
    assert ann2 == ann


def test_flare_mapping_and_tissues():
    arr = np.arange(15, dtype=np.uint16).reshape(15, 1, 1)
    gen, lab = M.flare_maps(arr)
    assert gen.ravel().tolist() == list(range(14)) + [0]
    expect = {1: 'Liver', 2: 'Kidney_R', 3: 'Spleen', 4: 'Pancreas', 9: 'Gallbladder', 10: 'Esophagus',
              11: 'Stomach', 13: 'Kidney_L'}
    for v in range(15):
        assert lab.ravel()[v] == (channel_of(expect[v]) if v in expect else 0)
    assert lab.ravel()[12] == 0 and channel_of('Bag_Bowel') not in lab  # duodenum: channel 0, no bowel bag
    tissue = {v: tissue_of(n) for v, n in {**M.FLARE_NAMES, **M.SPINE}.items()}
    assert tissue == {1: 'liver', 2: 'kidney', 3: 'spleen', 4: 'pancreas', 5: 'blood', 6: 'blood', 7: 'soft',
                      8: 'soft', 9: 'bile', 10: 'gi_wall', 11: 'gi_wall', 12: 'gi_wall', 13: 'kidney',
                      20: 'bone', 21: 'water', 22: 'muscle'}


def test_spine_is_posterior_to_the_aorta_and_never_over_organs():
    K, R, C = 4, 120, 120
    sp = A.SPACING
    gen = np.zeros((K, R, C), np.int32)
    rr, cc = np.ogrid[:R, :C]
    aorta = (rr - 40) ** 2 + (cc - 60) ** 2 <= 64  # 12 mm radius, centre row 40, col 60
    gen[:3][:, aorta] = M.FLARE_AORTA  # no aorta on the top slice
    organ = np.zeros((R, C), bool)
    organ[55:62, 45:60] = True  # a kidney-sized block where the vertebral body goes
    gen[:, organ] = 2
    out = M.add_spine(gen, np.zeros_like(gen, np.uint8), sp)
    assert (out[gen != 0] == gen[gen != 0]).all()  # nothing labelled is overwritten
    assert (out[3] == gen[3]).all()  # no aorta, no spine
    bone, canal, muscle = 20, 21, 22
    r0 = 40 + M.SPINE_MM['body_dy'] / sp[1]
    c0 = 60 + M.SPINE_MM['body_dx'] / sp[0]
    assert out[0, int(round(r0)) + 6, int(round(c0))] == bone and out[0, 58, 55] == 2
    rc = int(round(r0 + M.SPINE_MM['canal_dy'] / sp[1]))
    assert out[0, rc, int(round(c0))] == canal
    assert (out[:3] == bone).sum() > 3 * np.pi * (16 / 1.5) ** 2 * 0.8 and (out[:3] == muscle).any()
    rows = np.nonzero((out[0] == bone).any(axis=1))[0]
    assert rows.min() > 40 + 8  # posterior (larger rows) of the aorta's centre and edge


def _write_masks(d, masks, ras=RAS, dtype=np.uint8):
    (d / 'segmentations').mkdir(parents=True)
    for n, m in masks.items():
        write_nifti(d / 'segmentations' / f'{n}.nii.gz', m.astype(dtype), ras)


def test_totalseg_more_in_memory_equals_file_path(tmp_path):
    masks = fake_masks()
    sub = tmp_path / 'more' / 's0001'
    _write_masks(sub, masks)
    cmap, e = M.load_totalseg_more(sub, CLASSES, MAP33)
    # hand-made maps through the in-memory path
    gen = np.zeros(SHAPE, np.uint8)
    for n in sorted(masks, key=lambda n: -masks[n].sum()):
        gen[masks[n]] = {v: k for k, v in CLASSES.items()}[n]
    ch = {c: np.any([masks[n] for n in ns], axis=0) for c, ns in MAP33.items()}
    lab = np.zeros(SHAPE, np.uint8)
    for c in sorted(ch, key=lambda c: -ch[c].sum()):
        lab[ch[c]] = channel_of(c)
    ann = {'Bag_Bowel': 't', 'Liver': '1', 'Pancreas': '1', 'Kidney_L': '1'}
    cmap2, e2 = A.subject_from_arrays(gen, RAS, lab, RAS, 'totalseg-more', 's0001', CLASSES, lambda g: 'soft', ann,
                                      'ignore')
    # and the file path of anatomy.load_subject on the same maps written as NIfTI
    root = tmp_path / 'root'
    (root / 'totalseg-more' / 's0001').mkdir(parents=True)
    write_nifti(root / 'totalseg-more' / 's0001' / 'labels_all.nii.gz', gen, RAS)
    write_nifti(root / 'totalseg-more' / 's0001' / 'labels33.nii.gz', lab, RAS)
    cmap3, e3 = A.load_subject(root, 'totalseg-more', 's0001', CLASSES, lambda g: 'soft', ann, 'ignore')
    assert np.array_equal(cmap, cmap2) and np.array_equal(cmap, cmap3)
    for k in ('table', 'annotated', 'origin', 'shape', 'labelCounts'):
        assert e[k] == e2[k] == e3[k], k
    assert sorted(e['annotated']) == sorted(channel_of(c) for c in ann)
    assert e['truncated'] == [channel_of('Bag_Bowel')]
    rows = np.array(e['table'])
    assert TISSUE_INDEX['cortical'] in rows[:, 0]  # the vertebra got its shell
    assert TISSUE_INDEX['residual'] in rows[:, 0] and TISSUE_INDEX['skin'] in rows[:, 0]  # body rule
    assert len(e['regions']) == cmap.shape[0]


def test_read_masks_majority_affine_and_mismatch(tmp_path):
    d = tmp_path / 's'
    masks = {n: m for n, m in list(fake_masks().items())[:3]}
    _write_masks(d, masks)
    near = RAS.copy()
    near[0, 3] += 5e-5
    write_nifti(d / 'segmentations' / 'extra.nii.gz', box(0, 2, 0, 2, 0, 2).astype(np.uint8), near)
    m, shape, ras = M.read_masks(d / 'segmentations')
    assert shape == SHAPE and np.abs(ras - RAS).max() < 1e-5 and m['extra'].size == 8
    far = RAS.copy()
    far[0, 3] += 1.0
    write_nifti(d / 'segmentations' / 'far.nii.gz', box(0, 2, 0, 2, 0, 2).astype(np.uint8), far)
    with pytest.raises(ValueError):
        M.read_masks(d / 'segmentations')


def test_flare_subject_bag_bowel_not_annotated_and_spine(tmp_path):
    shape = (60, 60, 10)
    arr = np.zeros(shape, np.uint16)
    arr[5:25, 10:30, 2:9] = 1  # liver
    arr[35:45, 15:25, 3:7] = 3  # spleen
    arr[20:30, 5:12, 3:7] = 12  # duodenum
    arr[28:32, 20:24, :] = 5  # aorta, every slice
    arr[30:36, 32:40, 2:6] = 13  # kidney_left
    ras = np.diag([-1.5, -1.5, 2.5, 1.0])
    ras[:3, 3] = (45, 45, 0)
    p = tmp_path / 'FLARE22_Tr_0007.nii.gz'
    write_nifti(p, arr, ras)
    cmap, e = M.load_flare(p)
    assert e['subject'] == '0007' and e['source'] == 'flare22'
    assert sorted(e['annotated']) == sorted(channel_of(n) for n in ('Liver', 'Spleen', 'Kidney_L'))
    assert channel_of('Bag_Bowel') not in e['annotated'] and e['labelCounts'][channel_of('Bag_Bowel')] == 0
    rows = np.array(e['table'])
    gi = rows[rows[:, 0] == TISSUE_INDEX['gi_wall']]
    assert len(gi) == 1 and gi[0, 5] == 0  # the duodenum: a generation label of channel 0
    assert TISSUE_INDEX['cortical'] in rows[:, 0] and TISSUE_INDEX['spongiosa'] in rows[:, 0]  # the spine
    assert TISSUE_INDEX['water'] in rows[:, 0]  # its canal
    _, e_no = M.load_flare(p, spine=False)
    assert TISSUE_INDEX['cortical'] not in np.array(e_no['table'])[:, 0]


def _fake_root(tmp_path):
    root = tmp_path / 'anatomy'
    (root / 'totalseg').mkdir(parents=True)
    (root / 'totalseg' / 'classes117.tsv').write_text(
        'index\tname\tchannel33\n' + ''.join(f'{i}\t{n}\t\n' for i, n in CLASSES.items()))
    (root / 'totalseg' / 'map33.tsv').write_text(
        'channel\ttg263\ttotalseg_classes\n'
        + ''.join(f'{channel_of(c)}\t{c}\t{"+".join(ns)}\n' for c, ns in MAP33.items()))
    return root


def _fake_more(tmp_path, flare: int, grow: bool = False):
    """(anatomy root, anatomy-more folder) with one TotalSegmentator subject and `flare` FLARE22 maps (grow: the
    pancreas spans n slices in map n, so that the maps differ)."""
    root = _fake_root(tmp_path)
    more = tmp_path / 'more'
    _write_masks(more / 'totalseg-more' / 's0001', fake_masks())
    (more / 'flare22').mkdir(parents=True)
    arr = np.zeros((40, 40, 8), np.uint16)
    arr[5:20, 5:20, 1:7] = 1
    for n in range(1, flare + 1):
        arr[22:26, 20:24, :n if grow else None] = 5
        write_nifti(more / 'flare22' / f'FLARE22_Tr_000{n}.nii.gz', arr, RAS)
    return root, more


def test_cli_packs_the_more_sources_and_only_keeps_others(tmp_path):
    root, more = _fake_more(tmp_path, 2)
    cache = tmp_path / 'cache'
    assert A.main(['--cache', str(cache), '--root', str(root), '--more', str(more), '--flare-limit', '1']) == 0
    idx = json.loads((cache / 'anatomy.json').read_text())
    assert [e['id'] for e in idx['subjects']] == ['totalseg-more-s0001', 'flare22-0001']
    assert 'FLARE22' in idx['licences']['flare22'] and 'CC BY 4.0' in idx['licences']['totalseg-more']
    assert A.main(['--cache', str(cache), '--root', str(root), '--more', str(more), '--only', 'flare22']) == 0
    idx = json.loads((cache / 'anatomy.json').read_text())
    assert [e['id'] for e in idx['subjects']] == ['totalseg-more-s0001', 'flare22-0001', 'flare22-0002']
    assert sorted(p.name for p in cache.glob('anatomy-*.xz')) == sorted(e['file'] for e in idx['subjects'])


def test_totalseg_ct_case(tmp_path):
    masks = fake_masks()
    d = tmp_path / 's0009'
    _write_masks(d, masks)
    ct = np.full(SHAPE, -50, np.int16)
    ct[masks['small_bowel'] | masks['colon'] | masks['duodenum'] | masks['pancreas'] | masks['kidney_left']] = 0
    ct[masks['vertebrae_L1']] = 400
    ct[masks['liver']] = 60  # the liver channel wins its overlap with the duodenum
    write_nifti(d / 'ct.nii.gz', ct, RAS)
    case = load_totalseg_ct(d, MAP33)
    assert case.source == 'totalseg-ct' and case.id == 'totalseg-ct-s0009'
    assert case.annotated == sorted(channel_of(c) for c in ('Liver', 'Pancreas', 'Kidney_L', 'Bag_Bowel'))
    assert case.ct.data.shape == case.labels.data.shape == SHAPE[::-1] and case.ct.data.dtype == np.int16
    assert np.array_equal(case.ct.affine, case.labels.affine) and case.ct.affine[2, 2] > 0
    liver = case.labels.data == channel_of('Liver')
    assert np.array_equal(case.ct.data == 60, liver)  # aligned voxel for voxel
    assert len(case.regions) == SHAPE[2]
    bad = RAS.copy()
    bad[0, 3] += 1.5
    write_nifti(d / 'ct.nii.gz', ct, bad)
    with pytest.raises(ValueError):
        load_totalseg_ct(d, MAP33)
    assert totalseg_ct_dirs(tmp_path) == [d] and totalseg_ct_dirs(d) == [d]
    ex = tmp_path / 'real' / 'totalseg-example'
    ex.mkdir(parents=True)
    with pytest.raises(ValueError):
        totalseg_ct_dirs(ex)


def test_cli_packs_the_same_cache_with_two_workers(tmp_path):
    root, more = _fake_more(tmp_path, 3, grow=True)
    caches = []
    for workers in (1, 2):
        cache = tmp_path / f'cache{workers}'
        assert A.main(['--cache', str(cache), '--root', str(root), '--more', str(more), '--workers', str(workers)]) == 0
        caches.append(cache)
    one, two = (json.loads((c / 'anatomy.json').read_text()) for c in caches)
    assert [e['id'] for e in two['subjects']] == ['totalseg-more-s0001', 'flare22-0001', 'flare22-0002', 'flare22-0003']
    assert one == two
    for e in one['subjects']:
        assert (caches[0] / e['file']).read_bytes() == (caches[1] / e['file']).read_bytes()
