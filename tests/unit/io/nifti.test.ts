import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { affineFromLps, applyAffine, NiftiError, readNifti, writeNifti } from '../../../src/nifti/nifti';

// An oblique-free HFS grid and its RAS affine worked out by hand: x and y flip sign (LPS -> RAS).
const HFS = {
  origin: [-100.5, -80.25, 20],
  rowCosines: [1, 0, 0],
  colCosines: [0, 1, 0],
  normal: [0, 0, 1],
  spacing: [0.5, 0.75, 2.5],
};
const HFS_RAS = [
  [-0.5, 0, 0, 100.5],
  [0, -0.75, 0, 80.25],
  [0, 0, 2.5, 20],
  [0, 0, 0, 1],
];
// FFS: rows run towards the patient's right, slices towards the feet
const FFS = {
  origin: [120, -60, 300],
  rowCosines: [-1, 0, 0],
  colCosines: [0, 1, 0],
  normal: [0, 0, -1],
  spacing: [0.8, 0.8, 3],
};
const FFS_RAS = [
  [0.8, 0, 0, -120],
  [0, -0.8, 0, 60],
  [0, 0, -3, 300],
  [0, 0, 0, 1],
];

function ramp<T extends Int16Array | Uint8Array | Float32Array>(a: T): T {
  for (let i = 0; i < a.length; i++) a[i] = (i * 37) % 251;
  return a;
}

describe('NIfTI-1 (src/nifti/nifti.ts)', () => {
  test('affine from DICOM LPS geometry (HFS and FFS, hand-computed)', () => {
    expect(affineFromLps(HFS)).toEqual(HFS_RAS);
    expect(affineFromLps(FFS)).toEqual(FFS_RAS);
    // voxel (2, 3, 4) of the HFS grid: LPS (-99.5, -78, 30) -> RAS (99.5, 78, 30)
    expect(applyAffine(affineFromLps(HFS) as never, [2, 3, 4])).toEqual([99.5, 78, 30]);
  });

  for (const [name, geom, want] of [
    ['HFS', HFS, HFS_RAS],
    ['FFS', FFS, FFS_RAS],
  ] as const) {
    for (const gzip of [true, false]) {
      test(`write/read round trip, int16 and uint8, ${name}, gzip ${gzip}`, () => {
        const dims = [5, 4, 3];
        for (const data of [
          ramp(new Int16Array(60)).map((v) => v - 1000),
          ramp(new Uint8Array(60)),
          ramp(new Float32Array(60)).map((v) => v / 7),
        ]) {
          const bytes = writeNifti({ dims, affine: affineFromLps(geom), data }, { gzip });
          expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
          const img = readNifti(bytes);
          expect(img.dims).toEqual(dims);
          expect(img.data.constructor).toBe(data.constructor);
          expect(Array.from(img.data)).toEqual(Array.from(data));
          expect(img.affineSource).toBe('sform');
          img.affine.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(want[r][c], 4)));
          expect(img.pixdim.slice(0, 3)).toEqual(geom.spacing.map((v) => Math.fround(v)));
        }
      });
    }
    test(`qform alone gives the same affine (${name})`, () => {
      const bytes = writeNifti({ dims: [2, 2, 2], affine: affineFromLps(geom), data: new Uint8Array(8) }, { gzip: false });
      new DataView(bytes.buffer).setInt16(254, 0, true); // sform_code = 0: readers must use the quaternion
      const img = readNifti(bytes);
      expect(img.affineSource).toBe('qform');
      img.affine.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(want[r][c], 4)));
    });
  }

  test('same image, same bytes (gzip without a timestamp)', () => {
    const a = writeNifti({ dims: [4, 4, 4], affine: affineFromLps(HFS), data: ramp(new Uint8Array(64)) });
    const b = writeNifti({ dims: [4, 4, 4], affine: affineFromLps(HFS), data: ramp(new Uint8Array(64)) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(gunzipSync(a).length).toBe(352 + 64);
  });

  test('rejects bad input with NiftiError', () => {
    expect(() => readNifti(new Uint8Array(100))).toThrow(NiftiError);
    const ok = writeNifti({ dims: [4, 4, 4], affine: affineFromLps(HFS), data: new Int16Array(64) }, { gzip: false });
    expect(() => readNifti(ok.subarray(0, 400))).toThrow(/truncated/);
    expect(() => writeNifti({ dims: [4, 4, 4], affine: affineFromLps(HFS), data: new Int16Array(10) })).toThrow(NiftiError);
  });

  const py = '/usr/bin/python3';
  const hasNibabel = existsSync(py) && spawnSync(py, ['-c', 'import nibabel, numpy'], { stdio: 'ignore' }).status === 0;
  test.skipIf(!hasNibabel)(
    'nibabel reads our file with the same affine and voxels (independent reader; skipped without Debian python3-nibabel)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'nifti-'));
      try {
        const data = ramp(new Int16Array(60)).map((v) => v * 3 - 500);
        writeFileSync(join(dir, 'a.nii.gz'), writeNifti({ dims: [5, 4, 3], affine: affineFromLps(FFS), data }));
        const r = spawnSync(
          py,
          [
            '-c',
            `import nibabel as nib, json, numpy as np
img = nib.load('${dir}/a.nii.gz'); a = np.asarray(img.dataobj)
print(json.dumps({"affine": img.affine.tolist(), "q": img.get_qform().tolist(), "shape": a.shape, "dtype": str(a.dtype), "v": int(a[1, 2, 1]), "sum": int(a.sum())}))`,
          ],
          { encoding: 'utf8' },
        );
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout);
        expect(out.shape).toEqual([5, 4, 3]);
        expect(out.dtype).toBe('int16');
        expect(out.v).toBe(data[1 + 2 * 5 + 1 * 20]);
        expect(out.sum).toBe(Array.from(data).reduce((s, v) => s + v, 0));
        for (const m of [out.affine, out.q])
          (m as number[][]).forEach((row, r2) => row.forEach((v, c) => expect(v).toBeCloseTo(FFS_RAS[r2][c], 4)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
