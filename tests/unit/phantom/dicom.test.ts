/**
 * The phantom's DICOM series read back by the project's own loader (src/dicom): geometry (positions,
 * spacing, orientation, slice order) and HU for head-first and feet-first cases; labels.nii.gz on the
 * same grid (affine = the loader's LPS geometry in RAS); dciodvfy on generated files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildCtVolume, scanDicomFiles, voxelToLps } from '../../../src/dicom';
import { applyAffine, readNifti } from '../../../src/nifti/nifti';
import { generateCase } from '../../../src/phantom/generate';
import { ctNifti, dicomFiles, labelsNifti } from '../../../src/phantom/series';

for (const position of ['HFS', 'FFS'] as const) {
  describe(`DICOM round trip through src/dicom (${position})`, () => {
    const c = generateCase({ seed: 8, region: 'thorax', matrix: 64, spacing: 7, slice: 7.5, position });
    const g = c.plan.geometry;
    const files = [...dicomFiles(c)].map(([name, bytes]) => ({ name, bytes }));

    test('one series; geometry and HU as generated', () => {
      const scan = scanDicomFiles(files);
      expect(scan.series).toHaveLength(1);
      const ct = buildCtVolume(scan.series[0], files);
      expect(ct.dims).toEqual([g.cols, g.rows, g.positions.length]);
      expect(ct.spacing[0]).toBeCloseTo(g.pixelSpacing[0], 6);
      expect(ct.spacing[1]).toBeCloseTo(g.pixelSpacing[1], 6);
      expect(ct.spacing[2]).toBeCloseTo(g.sliceSpacing, 6);
      expect(ct.rowCosines).toEqual(g.rowCosines);
      expect(ct.colCosines).toEqual(g.colCosines);
      expect(ct.normal.map((v) => v + 0)).toEqual(g.normal);
      expect(ct.slices.map((s) => s.position)).toEqual(g.positions);
      expect(ct.meta.patientPosition).toBe(position);
      expect(ct.warnings.filter((w) => w.severity === 'error')).toEqual([]);
      expect(Array.from(ct.hu)).toEqual(Array.from(c.hu));
    });

    test('labels.nii.gz and ct.nii.gz: same grid, affine = loader geometry (LPS -> RAS)', () => {
      const ct = buildCtVolume(scanDicomFiles(files).series[0], files);
      const lab = readNifti(labelsNifti(c)),
        img = readNifti(ctNifti(c));
      expect(lab.dims).toEqual(ct.dims);
      expect(Array.from(lab.data)).toEqual(Array.from(c.labels));
      expect(Array.from(img.data)).toEqual(Array.from(ct.hu));
      for (const ijk of [
        [0, 0, 0],
        [g.cols - 1, 3, 1],
        [5, g.rows - 1, g.positions.length - 1],
      ] as [number, number, number][]) {
        const lps = voxelToLps(ct, ...ijk);
        const ras = applyAffine(lab.affine, ijk);
        expect(ras[0]).toBeCloseTo(-lps[0], 3);
        expect(ras[1]).toBeCloseTo(-lps[1], 3);
        expect(ras[2]).toBeCloseTo(lps[2], 3);
      }
    });
  });
}

const tool = '/usr/bin/dciodvfy';
test.skipIf(!existsSync(tool))(
  'dciodvfy: no errors or warnings on generated phantom slices (skipped: dicom3tools not installed; .ci/run installs it)',
  () => {
    const c = generateCase({ seed: 9, region: 'abdomen', matrix: 48, spacing: 9, slice: 20 });
    const dir = mkdtempSync(join(tmpdir(), 'phantom-dcm-'));
    try {
      const files = [...dicomFiles(c)];
      for (const [name, bytes] of [files[0], files[files.length - 1]]) {
        writeFileSync(join(dir, name), bytes);
        const r = spawnSync(tool, [join(dir, name)], { encoding: 'utf8' });
        const out = `${r.stdout}\n${r.stderr}`;
        expect(out, out).not.toMatch(/^Error/m);
        expect(out, out).not.toMatch(/^Warning/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
