"""Model grid (CONTRACTS 3) against hand-computed cases, the NIfTI reader, and the GPU sampler against the
numpy reference."""
import numpy as np
import pytest
import torch

from attention_anatomy.cache import code_lut, hu_to_code, write_case, write_index
from attention_anatomy.grid import GridSpec, Volume, ct_pixel_model_coords, model_to_ct, sample_window
from attention_anatomy.nifti import read_nifti, write_nifti
from attention_anatomy.sampler import Augment, DeviceData
from attention_anatomy.sources import Case, canonical

SPEC3 = GridSpec(size=3, spacing=10.0, slice_spacing=10.0, planes=3)


def marker_volume(affine, marker_ijk, shape=(3, 5, 5)):
    data = np.full(shape, 0.0)
    i, j, k = marker_ijk
    data[k, j, i] = 1000.0
    return Volume(data, np.asarray(affine, float))


def hfs_affine():
    # columns along +x (patient left), rows along +y (posterior), slices along +z, 10 mm, origin chosen so
    # that the image centre (pixel 2, 2) sits at x = 100, y = -50
    return [[10, 0, 0, 80], [0, 10, 0, -70], [0, 0, 10, 0], [0, 0, 0, 1]]


def ffs_affine():
    # FFS display: columns run towards the patient's right (-x), slices ascend along -z
    return [[-10, 0, 0, 120], [0, 10, 0, -70], [0, 0, -10, 0], [0, 0, 0, 1]]


def test_hfs_marker_lands_on_hand_computed_pixel():
    # voxel (i=3, j=2, k=1) is 10 mm to the patient's left of the image centre -> model (u=2, v=1), plane d=0
    vol = marker_volume(hfs_affine(), (3, 2, 1))
    w = sample_window(vol, 1, SPEC3)  # [planes, S, S], normalised HU / 1000
    assert w.shape == (3, 3, 3)
    assert w[1, 1, 2] == pytest.approx(1.0)
    assert w[1].sum() == pytest.approx(1.0)  # nothing else
    # plane d=+1 (superior, z + 10 mm) is slice k=2: empty
    assert w[2].max() == pytest.approx(0.0)


def test_ffs_orientation_and_plane_order():
    # FFS: i = 3 lies 10 mm towards the patient's RIGHT -> model column u = 0; slice k = 0 is at z = 0,
    # k = 1 at z = -10: the window for k = 1 has k = 0 in its superior plane (index 2)
    vol = marker_volume(ffs_affine(), (3, 2, 0))
    w = sample_window(vol, 1, SPEC3)
    assert w[2, 1, 0] == pytest.approx(1.0)
    assert w[1].max() == pytest.approx(0.0) and w[0].max() == pytest.approx(0.0)


def test_window_interpolates_between_slices_and_repeats_edges():
    spec = GridSpec(size=3, spacing=10.0, slice_spacing=2.5, planes=5)
    aff = hfs_affine()
    vol = Volume(np.arange(3, dtype=float)[:, None, None] * 100 + np.zeros((3, 5, 5)), np.asarray(aff, float))
    w = sample_window(vol, 0, spec)[:, 1, 1] * 1000  # HU at the centre pixel, planes at z = -5 .. +5 mm
    np.testing.assert_allclose(w, [0, 0, 0, 25, 50], atol=1e-6)  # below slice 0: edge repeated


def test_outside_image_gets_hu_min_and_back_mapping():
    spec = GridSpec(size=9, spacing=10.0, slice_spacing=10.0, planes=1)
    vol = Volume(np.zeros((1, 5, 5)), np.asarray(hfs_affine(), float))
    w = sample_window(vol, 0, spec)[0]
    assert w[4, 4] == 0.0 and w[0, 0] == -1.0  # 40 mm from the centre is outside the 50 mm image
    u, v = ct_pixel_model_coords(vol, 0, spec)
    assert (u[2, 2], v[2, 2]) == (4.0, 4.0) and (u[2, 3], v[2, 3]) == (5.0, 4.0)
    vals = np.arange(81, dtype=float).reshape(1, 9, 9)
    out, inside = model_to_ct(vals, u, v)
    assert inside.all() and out[0, 2, 3] == vals[0, 4, 5]


def test_nifti_round_trip_honours_the_affine(tmp_path):
    # RAS affine of an LPS-canonical HFS volume: x and y flip sign
    lps = np.asarray(hfs_affine(), float)
    ras = np.diag([-1, -1, 1, 1]) @ lps
    data = np.zeros((5, 5, 3), np.int16)  # [i, j, k]
    data[3, 2, 1] = 1000
    write_nifti(tmp_path / 'x.nii.gz', data, ras)
    arr, aff = read_nifti(tmp_path / 'x.nii.gz')
    np.testing.assert_array_equal(arr, data)
    np.testing.assert_allclose(aff, ras)
    vol = Volume.from_nifti(tmp_path / 'x.nii.gz')
    assert sample_window(vol, 1, SPEC3)[1, 1, 2] == pytest.approx(1.0)


def test_canonical_reorients_ffs_to_model_axes():
    vol = marker_volume(ffs_affine(), (3, 2, 0))
    can = canonical(vol)
    A = can.affine
    assert A[0, 0] > 0 and A[1, 1] > 0 and A[2, 2] > 0
    # same physical point
    k, j, i = np.argwhere(can.data == 1000.0)[0]
    np.testing.assert_allclose(A @ [i, j, k, 1], np.asarray(ffs_affine()) @ [3, 2, 0, 1])
    np.testing.assert_allclose(sample_window(can, 1, SPEC3), sample_window(vol, 1, SPEC3))


def test_hu_codes_quantise_within_bounds():
    hu = np.linspace(-1000, 1500, 5001)
    back = code_lut()[hu_to_code(hu)]
    err = np.abs(back - hu)
    assert err[(hu > -200) & (hu < 250)].max() <= 1.6
    assert err.max() <= 12
    coarse = np.abs(code_lut('coarse')[hu_to_code(hu, 'coarse')] - hu)
    assert coarse[(hu > -200) & (hu < 250)].max() <= 4.6 and coarse.max() <= 8.1


def test_sampler_without_augmentation_matches_reference(tmp_path):
    """The GPU sampler (grid_sample, padded batches) reproduces grid.sample_window inside the image."""
    rng = np.random.RandomState(0)
    spec = GridSpec(size=32, spacing=3.0, slice_spacing=2.5)
    cases = []
    for n, (shape, sp) in enumerate([((9, 20, 24), (4.0, 4.0, 2.0)), ((7, 30, 30), (2.5, 2.5, 3.0))]):
        K, R, C = shape
        hu = (rng.rand(K, R, C) * 1400 - 600).astype(np.int16)
        lab = rng.randint(0, 4, size=shape).astype(np.uint8)
        aff = np.diag([*sp, 1.0])
        aff[:3, 3] = [-40.0 + n, 13.0, -100.0]
        cases.append(Case(f'c{n}', 'synthetic', Volume(hu, aff), Volume(lab, aff.copy()), [1, 2, 3],
                          np.zeros(K, np.int8)))
    codecs = ['fine', 'coarse']
    entries = [write_case(tmp_path, c, 'train', spec, codecs[n]) for n, c in enumerate(cases)]
    write_index(tmp_path, entries, spec, [])
    data = DeviceData(tmp_path, ('train',), 'cpu', spec)
    for ci, c in enumerate(cases):
        quantised = Volume(code_lut(codecs[ci])[hu_to_code(c.ct.data, codecs[ci])].astype(np.float64), c.ct.affine)
        for k in (0, 3, c.ct.data.shape[0] - 1):
            b = data.batch(torch.tensor([ci]), torch.tensor([k]), Augment.none())
            ref = sample_window(quantised, k, spec)
            got = b['x'][0].numpy()
            # compare where the model pixel is at least one CT pixel inside the image (edge rules differ by
            # half a pixel between grid_sample's zero padding and the contract's clamp)
            K, R, C = c.ct.data.shape
            h = (spec.size - 1) / 2
            off = (np.arange(spec.size) - h) * spec.spacing
            sx, sy = c.ct.spacing()[:2]
            ok_u = np.abs(off) <= (C / 2 - 1.5) * sx
            ok_v = np.abs(off) <= (R / 2 - 1.5) * sy
            sel = np.ix_(range(5), np.nonzero(ok_v)[0], np.nonzero(ok_u)[0])
            np.testing.assert_allclose(got[sel], ref[sel], atol=2e-4)
            assert b['m'][0].tolist() == [1, 1, 1, 1] + [0] * 30
