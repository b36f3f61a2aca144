import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, test } from 'vitest';
import { type CtSeriesInput, formatDS, uidFromParts, writeCtSlice } from '../../../src/dicom/ctSeriesWriter';

function series(): CtSeriesInput {
  const cols = 6,
    rows = 4,
    n = 3;
  const hu = new Int16Array(cols * rows * n);
  for (let i = 0; i < hu.length; i++) hu[i] = -1024 + ((i * 97) % 3000);
  hu[5] = 3071;
  return {
    cols,
    rows,
    pixelSpacing: [0.7, 0.9],
    sliceThickness: 2.5,
    sliceSpacing: 2.5,
    rowCosines: [-1, 0, 0],
    colCosines: [0, 1, 0],
    positions: [
      [10.5, -20.25, -100],
      [10.5, -20.25, -102.5],
      [10.5, -20.25, -105],
    ],
    hu,
    sopInstanceUIDs: [0, 1, 2].map((k) => uidFromParts('t', k)),
    instanceNumbers: [3, 2, 1],
    meta: {
      patientName: 'TEST^ONE',
      patientID: 'T1',
      patientBirthDate: '19700101',
      patientSex: 'F',
      patientAge: '055Y',
      studyInstanceUID: uidFromParts('study'),
      seriesInstanceUID: uidFromParts('series'),
      frameOfReferenceUID: uidFromParts('for'),
      studyDate: '20240102',
      studyTime: '101112',
      studyID: '1',
      accessionNumber: '',
      studyDescription: 'd',
      seriesDescription: 's',
      seriesNumber: 3,
      manufacturer: 'm',
      modelName: 'x',
      softwareVersion: '1',
      bodyPartExamined: 'CHEST',
      patientPosition: 'FFS',
      kvp: 120,
      convolutionKernel: 'STANDARD',
      windowCenter: 40,
      windowWidth: 400,
    },
  };
}

describe('DICOM CT series writer (src/io/dicomCtSeries.ts)', () => {
  test('decimal strings fit 16 characters and keep their value', () => {
    for (const v of [0, 1, -1024, 0.976562, -123.456789012345, 1e-7, 123456789.123456, -0.000123456789]) {
      const s = formatDS(v);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-6 + 1e-9);
    }
  });

  test('UIDs: 2.25 root, valid syntax, at most 64 characters, deterministic, distinct', () => {
    const a = uidFromParts('x', 1),
      b = uidFromParts('x', 2);
    for (const u of [a, b]) {
      expect(u).toMatch(/^2\.25\.[1-9][0-9]*$/);
      expect(u.length).toBeLessThanOrEqual(64);
    }
    expect(uidFromParts('x', 1)).toBe(a);
    expect(a).not.toBe(b);
  });

  test('dicom-parser (independent reader) reads geometry, rescale and pixels back', () => {
    const s = series();
    for (let k = 0; k < 3; k++) {
      const bytes = writeCtSlice(s, k);
      const ds = dicomParser.parseDicom(bytes);
      expect(ds.string('x00020010')).toBe('1.2.840.10008.1.2.1');
      expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.2');
      expect(ds.string('x00080018')).toBe(s.sopInstanceUIDs[k]);
      expect(ds.string('x00020003')).toBe(s.sopInstanceUIDs[k]);
      expect([0, 1, 2].map((i) => ds.floatString('x00200032', i))).toEqual(s.positions[k]);
      expect([0, 1, 2, 3, 4, 5].map((i) => ds.floatString('x00200037', i))).toEqual([-1, 0, 0, 0, 1, 0]);
      // PixelSpacing = row spacing \ column spacing
      expect([ds.floatString('x00280030', 0), ds.floatString('x00280030', 1)]).toEqual([0.9, 0.7]);
      expect(ds.uint16('x00280010')).toBe(4);
      expect(ds.uint16('x00280011')).toBe(6);
      expect(ds.intString('x00200013')).toBe(s.instanceNumbers[k]);
      expect(ds.string('x00185100')).toBe('FFS');
      const slope = ds.floatString('x00281053') ?? NaN,
        icpt = ds.floatString('x00281052') ?? NaN;
      expect(ds.uint16('x00280103')).toBe(1);
      const el = ds.elements.x7fe00010;
      const px = new Int16Array(
        bytes.buffer.slice(bytes.byteOffset + el.dataOffset, bytes.byteOffset + el.dataOffset + el.length),
      );
      const want = s.hu.subarray(k * 24, (k + 1) * 24);
      expect(Array.from(px, (v) => v * slope + icpt)).toEqual(Array.from(want));
    }
  });

  test('same input, same bytes', () => {
    expect(Buffer.from(writeCtSlice(series(), 1)).equals(Buffer.from(writeCtSlice(series(), 1)))).toBe(true);
  });

  test('rejects malformed UIDs and mismatched sizes', () => {
    const s = series();
    s.meta.seriesInstanceUID = '1.2.03';
    expect(() => writeCtSlice(s, 0)).toThrow(/invalid UID/);
    const t = series();
    t.hu = new Int16Array(10);
    expect(() => writeCtSlice(t, 0)).toThrow(/expected/);
  });

  const tool = '/usr/bin/dciodvfy';
  test.skipIf(!existsSync(tool))(
    'dciodvfy reports no errors and no warnings (skipped: dicom3tools not installed; .ci/run installs it)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'ct-'));
      try {
        const f = join(dir, 'a.dcm');
        writeFileSync(f, writeCtSlice(series(), 0));
        const r = spawnSync(tool, [f], { encoding: 'utf8' });
        const out = `${r.stdout}\n${r.stderr}`;
        expect(out).not.toMatch(/^Error/m);
        expect(out).not.toMatch(/^Warning/m);
        expect(out).toMatch(/CTImage/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
