import { describe, expect, it } from 'vitest';
import { analyzeStack, directionLetters, parseDS, type SliceGeometryInput } from '../../../src/dicom/geometry';
import { segmentationAllowed } from '../../../src/volume/volume';

const AXIAL = '1\\0\\0\\0\\1\\0';
const slice = (z: number, extra: Partial<SliceGeometryInput> = {}): SliceGeometryInput => ({
  imagePositionPatient: `-100\\-120\\${z}`,
  imageOrientationPatient: AXIAL,
  rows: 4,
  columns: 3,
  pixelSpacing: '0.5\\0.8',
  ...extra,
});
const codes = (g: ReturnType<typeof analyzeStack>) => g.warnings.map((w) => `${w.severity}:${w.code}`);

describe('parseDS', () => {
  it('reads backslash-separated decimal strings with padding and exponents', () => {
    expect(parseDS(' -249.51171875\\-437.5\\-7.665E2 ')).toEqual([-249.51171875, -437.5, -766.5]);
    expect(parseDS('1\\0\\-1.224647e-16\\0\\1\\0 ')).toEqual([1, 0, -1.224647e-16, 0, 1, 0]);
    expect(parseDS('')).toEqual([]);
    expect(parseDS(undefined)).toEqual([]);
    expect(parseDS([1, 2])).toEqual([1, 2]);
  });
});

describe('analyzeStack: sorting and spacing', () => {
  it('sorts by position along the normal, not by input order (reversed files)', () => {
    const zs = [8, 6, 4, 2, 0];
    const g = analyzeStack(zs.map((z) => slice(z)));
    expect(g.order).toEqual([4, 3, 2, 1, 0]);
    expect(g.offsets).toEqual([0, 2, 4, 6, 8]);
    expect(g.sliceSpacing).toBe(2);
    expect(g.normal).toEqual([0, 0, 1]);
    expect(g.warnings).toEqual([]);
  });

  it('gives in-plane spacing as [column spacing, row spacing] (DICOM PixelSpacing is row\\column)', () => {
    const g = analyzeStack([0, 1, 2, 3, 4].map((z) => slice(z)));
    expect(g.pixelSpacing).toEqual([0.8, 0.5]);
  });

  it('feet-first (IOP -1 0 0 0 1 0): normal points inferior, offsets still ascend', () => {
    const ff = '-1\\0\\0\\0\\1\\0';
    const zs = [0, -2.5, -5, -7.5, -10];
    const g = analyzeStack([...zs].reverse().map((z) => slice(z, { imageOrientationPatient: ff })));
    expect(g.normal[2]).toBe(-1);
    // Ascending along -z = descending z: the first slice is the most superior one.
    expect(g.positions.map((p) => p[2])).toEqual([0, -2.5, -5, -7.5, -10]);
    expect(g.offsets).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(g.sliceSpacing).toBe(2.5);
    expect(g.warnings).toEqual([]);
  });

  it('reports a gap as missing slices (a warning, segmentation allowed)', () => {
    const g = analyzeStack([0, 2, 4, 10, 12, 14].map((z) => slice(z)));
    expect(codes(g)).toEqual(['warning:missing-slices']);
    expect(g.warnings[0].message).toMatch(/About 2 slices missing/);
    expect(g.warnings[0].message).toMatch(/between 4 mm and 10 mm/);
    expect(segmentationAllowed(g.warnings)).toBe(true);
  });

  it('reports non-uniform spacing without calling it a gap', () => {
    const g = analyzeStack([0, 2.2, 4.7, 7.0, 9.5, 11.7].map((z) => slice(z)));
    expect(codes(g)).toEqual(['warning:non-uniform-spacing']);
    expect(g.warnings[0].message).toMatch(/2\.2 mm to 2\.5 mm/);
  });

  it('ignores sub-micron jitter in positions', () => {
    const g = analyzeStack([0, 2.0004, 3.9998, 6.0001, 8].map((z) => slice(z)));
    expect(g.warnings).toEqual([]);
  });

  it('blocks segmentation below 5 slices and takes one slice spacing from SliceThickness', () => {
    const three = analyzeStack([0, 1, 2].map((z) => slice(z)));
    expect(codes(three)).toEqual(['error:too-few-slices']);
    const one = analyzeStack([slice(5, { sliceThickness: '3.0 ' })]);
    expect(one.sliceSpacing).toBe(3);
    expect(codes(one)).toEqual(['error:too-few-slices']);
    expect(segmentationAllowed(one.warnings)).toBe(false);
  });

  it('drops duplicate positions and blocks segmentation', () => {
    const g = analyzeStack([0, 2, 2, 4, 6, 8].map((z) => slice(z)));
    expect(g.order).toEqual([0, 1, 3, 4, 5]);
    expect(g.excluded.map((e) => e.index)).toEqual([2]);
    expect(codes(g)).toEqual(['error:duplicate-positions']);
  });
});

describe('analyzeStack: orientation problems', () => {
  it('detects gantry tilt from positions that drift across the slice plane', () => {
    // 15 degrees: y moves tan(15°) * 2 mm per 2 mm step along z.
    const t = Math.tan((15 * Math.PI) / 180);
    const g = analyzeStack([0, 2, 4, 6, 8].map((z) => slice(z, { imagePositionPatient: [-100, -120 + t * z, z] })));
    expect(codes(g)).toEqual(['error:gantry-tilt']);
    expect(g.warnings[0].message).toMatch(/15\.0°/);
  });

  it('a tilted slice plane (IOP) is oblique and blocks segmentation', () => {
    const a = (10 * Math.PI) / 180;
    const iop = [1, 0, 0, 0, Math.cos(a), Math.sin(a)];
    const n = [0, -Math.sin(a), Math.cos(a)];
    const g = analyzeStack(
      [0, 2, 4, 6, 8].map((d) =>
        slice(0, {
          imageOrientationPatient: iop,
          imagePositionPatient: [0, n[1] * d, n[2] * d],
        }),
      ),
    );
    expect(codes(g)).toEqual(['error:oblique']);
    expect(g.warnings[0].message).toMatch(/10\.0°/);
  });

  it('rows rotated within the axial plane: oblique warning only', () => {
    const a = (5 * Math.PI) / 180;
    const iop = [Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a), 0];
    const g = analyzeStack([0, 2, 4, 6, 8].map((z) => slice(z, { imageOrientationPatient: iop })));
    expect(codes(g)).toEqual(['warning:oblique']);
  });

  it('a sagittal series is non-axial', () => {
    const sag = '0\\1\\0\\0\\0\\-1';
    const g = analyzeStack(
      [0, 2, 4, 6, 8].map((x) => slice(0, { imageOrientationPatient: sag, imagePositionPatient: [x, 0, 0] })),
    );
    expect(codes(g)).toEqual(['error:non-axial']);
    expect(g.warnings[0].message).toMatch(/sagittal/);
  });

  it('leaves out images with another matrix size (mixed matrix) and keeps the main stack', () => {
    const stack = [0, 2, 4, 6, 8].map((z) => slice(z));
    stack.splice(2, 0, slice(100, { rows: 256, columns: 256 }));
    const g = analyzeStack(stack);
    expect(g.excluded).toEqual([{ index: 2, reason: 'matrix 256x256 differs from 3x4' }]);
    expect(g.order).toEqual([0, 1, 3, 4, 5]);
    expect(codes(g)).toEqual(['warning:mixed-matrix']);
  });

  it('throws a GeometryError when positions are missing', () => {
    expect(() => analyzeStack([slice(0, { imagePositionPatient: undefined })])).toThrow(/ImagePositionPatient/);
    expect(() => analyzeStack([slice(0, { imageOrientationPatient: '' })])).toThrow(/ImageOrientationPatient/);
  });
});

describe('directionLetters', () => {
  it('names LPS directions', () => {
    expect(directionLetters([1, 0, 0])).toBe('L');
    expect(directionLetters([-1, 0, 0])).toBe('R');
    expect(directionLetters([0, -1, 0])).toBe('A');
    expect(directionLetters([0, 0, -1])).toBe('I');
    expect(directionLetters([0.3, 0, 0.95])).toBe('SL');
  });
});
