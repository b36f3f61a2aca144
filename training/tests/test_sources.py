"""Phantom case loading (CONTRACTS 5) for HFS and FFS geometry, and OpenKBP loading when the data is there."""
import json

import numpy as np
import pytest

from conftest import REPO
from attention_anatomy.grid import GridSpec, sample_window
from attention_anatomy.nifti import write_nifti
from attention_anatomy.sources import load_openkbp, load_phantom, openkbp_dirs

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def write_phantom(d, position):
    """6 slices of 8 x 8 pixels, 5 mm; organ 22 (Heart) at one voxel 7.5 mm to the patient's left of and 7.5 mm
    posterior to the image centre, on the most superior slice; region head on that slice, chest elsewhere."""
    d.mkdir()
    K, R, C = 6, 8, 8
    hfs = position == 'HFS'
    # LPS affine for voxel (i, j, k): DICOM rows (+-1, 0, 0), columns (0, 1, 0), k along the normal
    aff = np.eye(4)
    aff[:3, 0] = [5.0 if hfs else -5.0, 0, 0]
    aff[:3, 1] = [0, 5.0, 0]
    aff[:3, 2] = [0, 0, 5.0 if hfs else -5.0]
    aff[:3, 3] = [-17.5 if hfs else 17.5, -17.5, 100.0 if hfs else 125.0]
    # the image centre (pixel 3.5, 3.5) is at x = 0, y = 0; z runs 100..125 (HFS: k=5 top; FFS: k=0 top)
    top = K - 1 if hfs else 0
    ct = np.full((C, R, K), 40, np.int16)  # NIfTI order [i, j, k]
    lab = np.zeros((C, R, K), np.uint8)
    i = 5 if hfs else 2  # x = 7.5 mm either way: -17.5 + 5 * 5 (HFS), 17.5 - 5 * 2 (FFS)
    assert aff[0, 0] * i + aff[0, 3] == 7.5
    j = 5  # y = 7.5 mm
    lab[i, j, top] = 22
    ct[i, j, top] = 1000
    write_nifti(d / 'ct.nii.gz', ct, LPS_TO_RAS @ aff)
    write_nifti(d / 'labels.nii.gz', lab, LPS_TO_RAS @ aff)
    regions = [2] * K
    regions[top] = 0
    (d / 'case.json').write_text(json.dumps({'seed': 1, 'source': 'phantom-thorax', 'annotated': ['Heart', 'Lung_L'],
                                             'regions': ['head', 'upper_chest', 'chest', 'upper_abdomen', 'abdomen'],
                                             'sliceRegions': regions}))


@pytest.mark.parametrize('position', ['HFS', 'FFS'])
def test_phantom_case_lands_in_model_orientation(tmp_path, position):
    write_phantom(tmp_path / 'c', position)
    case = load_phantom(tmp_path / 'c')
    assert case.source == 'phantom-thorax' and case.annotated == [22, 23]
    A = case.ct.affine
    assert A[0, 0] > 0 and A[1, 1] > 0 and A[2, 2] > 0  # +x, +y, +z
    assert case.regions.tolist() == [2, 2, 2, 2, 2, 0]  # inferior -> superior: head on the top slice
    k, j, i = np.argwhere(case.labels.data == 22)[0]
    assert k == 5
    np.testing.assert_allclose((A @ [i, j, k, 1])[:3], [7.5, 7.5, 125.0])
    # model grid of 8 pixels of 5 mm (h = 3.5): x = y = 7.5 mm is pixel u = v = 3.5 + 1.5 = 5
    spec = GridSpec(size=8, spacing=5.0, slice_spacing=5.0)
    w = sample_window(case.ct, 5, spec)
    assert np.unravel_index(np.argmax(w[2]), w[2].shape) == (5, 5)  # (v, u): 7.5 mm right/down of the centre


OPENKBP = REPO.parent / 'shared' / 'data' / 'openkbp'


@pytest.mark.skipif(not OPENKBP.exists(), reason='OpenKBP data (../shared/data/openkbp) not present')
def test_openkbp_case_is_canonical_with_partial_annotation():
    case = load_openkbp(openkbp_dirs(OPENKBP, 'train')[0])
    meta = json.loads((openkbp_dirs(OPENKBP, 'train')[0] / 'meta.json').read_text())
    assert case.ct.affine[2, 2] > 0 and case.ct.data.dtype == np.int16
    assert set(np.unique(case.labels.data)) <= {0, *case.annotated} | {1, 8, 9, 11, 12, 15, 25}
    assert len(case.annotated) == len(meta['annotated'])
    # the brainstem lies above the spinal cord (slices ascend inferior -> superior)
    ks = lambda c: np.nonzero((case.labels.data == c).reshape(case.labels.data.shape[0], -1).any(1))[0]  # noqa: E731
    if 1 in case.annotated and 15 in case.annotated:
        assert ks(1).mean() > ks(15).mean()
    # parotid L lies to the patient's left (+x) of parotid R
    if 11 in case.annotated and 12 in case.annotated:
        xs = lambda c: np.nonzero(case.labels.data == c)[2].mean()  # noqa: E731
        assert xs(11) > xs(12)
    assert len(case.regions) == case.ct.data.shape[0] and case.regions[-1] == 0
