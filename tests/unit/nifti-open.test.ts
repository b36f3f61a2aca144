import { describe, expect, it } from 'vitest';
import { isNiftiName, loadNiftiCt, niftiSources } from '../../src/app/niftiOpen';
import { bytesSource } from '../../src/ui/fileSources';
import { VolumeLoadError } from '../../src/dicom/build';
import { writeNifti } from '../../src/nifti/nifti';

describe('opening a NIfTI CT in the app', () => {
  it('picks .nii / .nii.gz among the opened files', () => {
    expect(['a/ct.nii.gz', 'b.NII', 'c.dcm', 'd.nii.txt'].filter(isNiftiName)).toEqual(['a/ct.nii.gz', 'b.NII']);
    expect(niftiSources([bytesSource('x.dcm', new Uint8Array(1))])).toEqual([]);
    // a label map next to the CT is passed over, whatever the order
    const names = niftiSources(
      ['case/segmentations.nii.gz', 'case/x.dcm', 'case/ct.nii.gz', 'case/mask_liver.nii'].map((n) =>
        bytesSource(n, new Uint8Array(1)),
      ),
    ).map((s) => s.name);
    expect(names).toEqual(['case/ct.nii.gz', 'case/segmentations.nii.gz', 'case/mask_liver.nii']);
  });

  it('a RAS-stored volume becomes an LPS CtVolume (row direction towards patient right, column towards anterior)', async () => {
    const hu = new Int16Array(4 * 3 * 2).map((_, i) => i - 1000);
    const bytes = writeNifti({
      dims: [4, 3, 2],
      affine: [
        [2, 0, 0, -10],
        [0, 2, 0, 20],
        [0, 0, 3, 5],
        [0, 0, 0, 1],
      ],
      data: hu,
    });
    const ct = await loadNiftiCt(bytesSource('case7/ct.nii.gz', bytes));
    expect(ct.dims).toEqual([4, 3, 2]);
    expect(ct.spacing).toEqual([2, 2, 3]);
    expect(ct.rowCosines).toEqual([-1, 0, 0]); // RAS +x (right) is LPS -x
    expect(ct.colCosines).toEqual([0, -1, 0]); // RAS +y (anterior) is LPS -y
    expect(ct.origin).toEqual([10, -20, 5]);
    expect(ct.meta.seriesDescription).toBe('NIfTI case7'); // generic stem "ct": the folder names the case
    expect(ct.hu[5]).toBe(-995);
  });

  it('a file that is not NIfTI is a VolumeLoadError naming the file', async () => {
    const bad = loadNiftiCt(bytesSource('broken.nii.gz', new TextEncoder().encode('not gzip at all')));
    await expect(bad).rejects.toBeInstanceOf(VolumeLoadError);
    await expect(loadNiftiCt(bytesSource('broken.nii.gz', new TextEncoder().encode('not gzip at all')))).rejects.toThrow(
      /broken\.nii\.gz/,
    );
    // an 8-bit label map is not a CT
    const labels = writeNifti({
      dims: [2, 2, 2],
      affine: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
      ],
      data: new Uint8Array(8),
    });
    await expect(loadNiftiCt(bytesSource('ct.nii.gz', labels))).rejects.toThrow(/8-bit NIfTI is a label map/);
    // gzip magic, then garbage
    await expect(loadNiftiCt(bytesSource('cut.nii.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3])))).rejects.toBeInstanceOf(
      VolumeLoadError,
    );
  });
});
