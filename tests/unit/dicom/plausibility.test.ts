/**
 * Issue 17 point 2: pixel-metadata plausibility before inference, on mutated headers and pixels of small
 * generated series: missing PixelSpacing (fallback to Imager Pixel Spacing, named), missing Rescale Intercept,
 * an absurd Rescale Slope, signed data declared unsigned, non CT-like HU; each a named warning or block.
 */
import { describe, expect, it } from 'vitest';
import { buildCtVolume, scanDicomFiles, segmentationAllowed } from '../../../src/dicom';
import { checkHuValues, checkInPlaneSize, countNonFinite, withSegmentabilityChecks } from '../../../src/dicom/plausibility';
import { ctSlice, type El, type SliceSpec } from './fixtures';

/** Six 8x8 slices: air around a soft-tissue square (stored = HU + 1024, intercept -1024). */
function series(spec: Partial<SliceSpec> = {}, extra: El[] = [], drop: number[] = []) {
  const px = new Int16Array(64).map((_, i) => (i % 8 > 1 && i % 8 < 6 && i > 16 && i < 48 ? 40 + 1024 : 0 + 24));
  const files = [0, 2, 4, 6, 8, 10].map((z, k) => {
    const bytes = ctSlice({
      position: [0, 0, z],
      instanceNumber: k + 1,
      rows: 8,
      columns: 8,
      pixels: px,
      rescaleIntercept: -1024,
      ...spec,
      extra,
    });
    return { name: `s${k}.dcm`, bytes: drop.length ? stripTags(bytes, drop) : bytes };
  });
  const scan = scanDicomFiles(files);
  return buildCtVolume(scan.series[0], files);
}

/** Removes elements by overwriting their tag with a private one the reader ignores (same length). */
function stripTags(bytes: Uint8Array, tags: number[]): Uint8Array {
  const out = bytes.slice();
  for (const tag of tags) {
    const g = tag >>> 16;
    const e = tag & 0xffff;
    for (let i = 132; i < out.length - 4; i += 2) {
      if (out[i] === (g & 0xff) && out[i + 1] === g >> 8 && out[i + 2] === (e & 0xff) && out[i + 3] === e >> 8) {
        out[i] = 0x09; // group 0x0009: private, unknown
        out[i + 1] = 0x00;
        break;
      }
    }
  }
  return out;
}

const codes = (v: { warnings: { code: string; severity: string }[] }) => v.warnings.map((w) => `${w.severity}:${w.code}`);

describe('pixel metadata plausibility', () => {
  it('a plain series has no finding', () => {
    expect(codes(series())).toEqual([]);
  });

  it('missing PixelSpacing: blocked, or Imager Pixel Spacing used and named', () => {
    const none = series({}, [], [0x00280030]);
    expect(codes(none)).toContain('error:no-pixel-spacing');
    expect(segmentationAllowed(none.warnings)).toBe(false);
    const imager = series({}, [{ tag: 0x00181164, vr: 'DS', value: '0.7\\0.7' }], [0x00280030]);
    expect(codes(imager)).toEqual(['warning:pixel-spacing-fallback']);
    expect(imager.spacing.slice(0, 2)).toEqual([0.7, 0.7]);
  });

  it('missing Rescale Intercept is named; the HU then do not look like CT', () => {
    const v = series({}, [], [0x00281052]);
    expect(codes(v)).toContain('warning:no-rescale');
  });

  it('an absurd Rescale Slope blocks segmentation', () => {
    const v = series({ rescaleSlope: 1e5 });
    expect(codes(v)).toContain('error:implausible-rescale');
    expect(segmentationAllowed(v.warnings)).toBe(false);
  });

  it("signed data declared unsigned (negative HU stored as two's complement, read as > 60000)", () => {
    const px = new Int16Array(64).map((_, i) => (i < 40 ? -1000 : 40)); // HU stored signed with intercept 0
    const v = series({ pixels: px, rescaleIntercept: 0 }, [{ tag: 0x00280103, vr: 'US', value: 0 }]);
    expect(codes(v)).toContain('error:implausible-hu');
  });

  it('HU values: CT-like, not CT-like, NaN count', () => {
    expect(checkHuValues(Int16Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1000 : 40)))).toEqual([]);
    expect(checkHuValues(Int16Array.from({ length: 1000 }, (_, i) => 300 + (i % 500))).map((w) => w.code)).toEqual([
      'not-ct-like',
    ]);
    expect(countNonFinite([1, Number.NaN, Number.POSITIVE_INFINITY, 3])).toBe(2);
  });
});

describe('NIfTI plausibility (issue 17 point 2)', () => {
  it('NaN / Inf voxels block the volume with a named reason instead of reading as 0 HU', async () => {
    const { readNifti, writeNifti } = await import('../../../src/nifti/nifti');
    const { ctFromNiftiImage } = await import('../../../src/nifti/ct');
    const dims = [8, 8, 6];
    const data = Float32Array.from({ length: 8 * 8 * 6 }, (_, i) => (i % 2 ? -1000 : 40));
    data[5] = Number.NaN;
    data[9] = Number.POSITIVE_INFINITY;
    const img = readNifti(
      writeNifti({
        dims,
        affine: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
        data,
      }),
    );
    const { volume } = ctFromNiftiImage(img, 'nan');
    const w = volume.warnings.find((x) => x.code === 'non-finite-values');
    expect(w?.message).toMatch(/^2 voxels are NaN or infinite/);
    expect(segmentationAllowed(volume.warnings)).toBe(false);
  });
});

describe('in-plane size before segmentation (issue 16: the corpus 1x1 series)', () => {
  it('blocks a 1x1 matrix and names its size, and a 16 x 16 matrix of 0.5 mm pixels for its 8 mm field of view', () => {
    const one = checkInPlaneSize([1, 1, 8], [2.5, 2.5, 3]);
    expect(one.map((w) => [w.code, w.severity])).toEqual([['too-small-matrix', 'error']]);
    expect(one[0].message).toContain('1 x 1 pixels');
    const small = checkInPlaneSize([16, 16, 8], [0.5, 0.5, 3]);
    expect(small[0].message).toContain('8 x 8 mm');
    expect(segmentationAllowed(small)).toBe(false);
  });
  it('lets a 48 x 48 matrix of 2.5 mm pixels (120 mm) and a 512 x 512 CT through', () => {
    expect(checkInPlaneSize([48, 48, 12], [2.5, 2.5, 3])).toEqual([]);
    expect(checkInPlaneSize([512, 512, 100], [0.98, 0.98, 3])).toEqual([]);
    expect(checkInPlaneSize([15, 512, 100], [4, 0.98, 3])).toHaveLength(1);
  });
  it('is added to a loaded volume once, and the loader itself leaves tiny test volumes alone', () => {
    const ct = series();
    expect(ct.warnings.some((w) => w.code === 'too-small-matrix')).toBe(false);
    withSegmentabilityChecks(ct);
    withSegmentabilityChecks(ct);
    expect(ct.warnings.filter((w) => w.code === 'too-small-matrix')).toHaveLength(1);
  });
});
