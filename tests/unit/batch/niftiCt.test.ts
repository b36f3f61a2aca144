import { describe, expect, it } from 'vitest';
import { readNifti, writeNifti, type Mat4 } from '../../../src/nifti/nifti';
import { ctFromNifti, ctFromNiftiImage, labelsToNiftiOrder, niftiCaseName } from '../../../src/nifti/ct';

const value = (i: number, j: number, k: number) => i + 10 * j + 100 * k - 1000;

function volume(dims: [number, number, number]): Int16Array {
  const [nx, ny, nz] = dims;
  const d = new Int16Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) d[i + j * nx + k * nx * ny] = value(i, j, k);
  return d;
}

describe('NIfTI CT -> CtVolume', () => {
  it('OpenKBP axes (i right->left, j anterior->posterior, k head->feet): LPS geometry, slices sorted along the normal', () => {
    const dims: [number, number, number] = [4, 3, 5];
    // RAS: i runs towards -x (left), j towards -y (posterior), k towards -z (inferior)
    const affine: Mat4 = [
      [-2, 0, 0, 10],
      [0, -3, 0, 20],
      [0, 0, -2.5, 30],
      [0, 0, 0, 1],
    ];
    const { volume: ct, sliceOrder } = ctFromNifti(writeNifti({ dims, affine, data: volume(dims) }), 'pt_1');
    expect(ct.dims).toEqual([4, 3, 5]);
    expect(ct.spacing).toEqual([2, 3, 2.5]);
    expect(ct.rowCosines).toEqual([1, 0, 0]);
    expect(ct.colCosines).toEqual([0, 1, 0]);
    expect(ct.normal).toEqual([0, 0, 1]);
    expect(sliceOrder).toEqual([4, 3, 2, 1, 0]);
    // slice 0 of the volume is the most inferior NIfTI slice (k = 4): LPS = (-10, -20, 30 - 4 * 2.5)
    expect(ct.slices[0].position).toEqual([-10, -20, 20]);
    expect(ct.origin).toEqual([-10, -20, 20]);
    expect(ct.slices[4].position).toEqual([-10, -20, 30]);
    expect(ct.slices.map((s) => s.normalOffset)).toEqual([20, 22.5, 25, 27.5, 30]);
    // voxel (i, j, k) of the CtVolume holds NIfTI voxel (i, j, 4 - k)
    for (const [i, j, k] of [
      [0, 0, 0],
      [3, 2, 0],
      [1, 2, 4],
      [2, 1, 3],
    ])
      expect(ct.hu[i + 4 * j + 12 * k]).toBe(value(i, j, 4 - k));
    expect(ct.warnings).toEqual([]);
    expect(ct.meta.modality).toBe('CT');
    expect(ct.meta.patientID).toBe('pt_1');
  });

  it('applies scl_slope / scl_inter and rounds to int16 HU', () => {
    const dims: [number, number, number] = [2, 2, 5];
    const raw = new Float32Array(20).map((_, n) => n * 0.5 + 0.2);
    const img = readNifti(
      writeNifti({
        dims,
        affine: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
        data: raw,
        sclSlope: 2,
        sclInter: -1024,
      }),
    );
    const { volume: ct, sliceOrder } = ctFromNiftiImage(img, 'x');
    expect(sliceOrder).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(ct.hu.subarray(0, 4))).toEqual([
      Math.round(0.4 - 1024),
      Math.round(1.4 - 1024),
      Math.round(2.4 - 1024),
      Math.round(3.4 - 1024),
    ]);
  });

  it('labels go back onto the NIfTI grid (inverse of the slice order)', () => {
    const dims: [number, number, number] = [2, 1, 3];
    const labels = Uint8Array.from([1, 2, 3, 4, 5, 6]); // CtVolume slices 0, 1, 2
    expect(Array.from(labelsToNiftiOrder(labels, [2, 1, 0], dims))).toEqual([5, 6, 3, 4, 1, 2]);
    expect(Array.from(labelsToNiftiOrder(labels, [0, 1, 2], dims))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => labelsToNiftiOrder(labels, [0, 1], dims)).toThrow(RangeError);
  });

  it('a sagittal volume is flagged as not segmentable, like a sagittal DICOM series', () => {
    const dims: [number, number, number] = [3, 3, 5];
    // i along anterior-posterior, j along superior-inferior, k along left-right: slice normal is x
    const affine: Mat4 = [
      [0, 0, 1, 0],
      [-1, 0, 0, 0],
      [0, -1, 0, 0],
      [0, 0, 0, 1],
    ];
    const { volume: ct } = ctFromNifti(writeNifti({ dims, affine, data: volume(dims) }), 's');
    expect(ct.warnings.map((w) => [w.code, w.severity])).toContainEqual(['non-axial', 'error']);
  });

  it('case names: file stem, or the folder for generic names', () => {
    expect(niftiCaseName('/data/openkbp/val/pt_201/ct.nii.gz')).toBe('pt_201');
    expect(niftiCaseName('scans/case_0001.nii')).toBe('case_0001');
    expect(niftiCaseName('ct.nii.gz')).toBe('ct');
  });
});
