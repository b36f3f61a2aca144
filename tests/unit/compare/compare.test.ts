/**
 * The comparison table (src/compare): figures by hand on a tiny grid, pairing fixes, CSV, bad input; and the
 * same figures as the batch CLI's `--reference` path on an hnscc-rtai case (RTSTRUCT) and an OpenKBP case
 * (NIfTI reference in the CLI, the same organs as a DICOM SEG in the app).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctFromNifti } from '../../../src/nifti/ct';
import { classifyReference, loadReference } from '../../../src/batch/reference';
import { scoreLabels } from '../../../src/compare/score';
import { compareWithReference, comparisonCsv } from '../../../src/compare/compare';
import { namePairing } from '../../../src/compare/reference';
import type { CtVolume } from '../../../src/volume/volume';
import { organByTg263 } from '../../../src/organs';
import { importStructureSet, RtStructImportError, type ImportedStructureSet } from '../../../src/rtstruct/import';
import { readRtStruct } from '../../../src/rtstruct/reader';
import { importSeg } from '../../../src/seg/import';
import { readSeg } from '../../../src/seg/reader';
import { buildSeg } from '../../../src/seg/writer';
import { ctGeometry, dataRoot, hnsccCases } from '../rtstruct/ct';

const ch = (name: string) => organByTg263(name)!.channel;

/** A hand-made reference: "Rt Parotid" a 2x2x1 block, "Cord" with no voxels, "Tumour" matching no organ. */
function tinySet(): { set: ImportedStructureSet; dims: [number, number, number] } {
  const dims: [number, number, number] = [4, 4, 2];
  const layer = new Uint8Array(32);
  for (const i of [5, 6, 9, 10]) layer[i] = 1; // Rt Parotid, slice 0
  layer[16 + 15] = 3; // Tumour, slice 1
  const roi = (label: number, name: string, voxels: number) => ({
    number: label,
    name,
    organ: organByTg263(name === 'Rt Parotid' ? 'Parotid_R' : name === 'Cord' ? 'SpinalCord' : '_none_'),
    color: [1, 2, 3] as [number, number, number],
    label,
    layer: voxels ? 0 : -1,
    voxels,
    volumeMl: voxels / 1000,
    sliceRange: null,
    centre: null,
    contoursUsed: 1,
    contoursSkipped: 0,
  });
  return {
    dims,
    set: {
      label: 'ref',
      sopInstanceUID: '1.2',
      rois: [roi(1, 'Rt Parotid', 4), roi(2, 'Cord', 0), roi(3, 'Tumour', 1)],
      layers: [layer],
      warnings: [],
    },
  };
}

describe('comparison table on a hand-made reference', () => {
  const { set, dims } = tinySet();
  const spacing: [number, number, number] = [1, 1, 2];
  // prediction: Parotid_R on 3 of the 4 reference voxels plus one outside
  const pred = new Uint8Array(32);
  for (const i of [5, 6, 9, 0]) pred[i] = ch('Parotid_R');

  it('pairs names across schemes, one row per organ with voxels, notes for the rest', () => {
    const pairing = namePairing(set);
    expect(pairing.get(1)).toBe(ch('Parotid_R'));
    expect(pairing.get(2)).toBe(ch('SpinalCord'));
    expect(pairing.get(3)).toBeNull();
    const c = compareWithReference(pred, set, { dims, spacing }, pairing);
    expect(c.rows.map((r) => r.organ)).toEqual(['Parotid_R']);
    const r = c.rows[0];
    expect(r.dsc).toBeCloseTo((2 * 3) / (4 + 4), 12);
    expect(r.referenceMl).toBeCloseTo((4 * 2) / 1000, 12);
    expect(r.predictedMl).toBeCloseTo((4 * 2) / 1000, 12);
    expect(r.diffMl).toBeCloseTo(0, 12);
    expect(r.referenceNames).toEqual(['Rt Parotid']);
    expect(r.hd95Mm).not.toBeNull();
    expect(r.msdMm).toBeGreaterThan(0);
    expect(c.notes).toEqual(['Cord: no contour on this series, no row.', 'Tumour: paired with no organ, not compared.']);
  });

  it('the user can fix a pairing: Tumour compared as SpinalCord, Rt Parotid left out', () => {
    const pairing = new Map(namePairing(set));
    pairing.set(3, ch('SpinalCord'));
    pairing.set(1, null);
    const c = compareWithReference(pred, set, { dims, spacing }, pairing);
    expect(c.rows.map((r) => [r.organ, r.dsc, r.hd95Mm, r.referenceNames])).toEqual([['SpinalCord', 0, null, ['Tumour']]]);
    expect(c.notes).toContain('Rt Parotid: paired with no organ, not compared.');
  });

  it('exports CSV with a header and one line per row', () => {
    const csv = comparisonCsv(compareWithReference(pred, set, { dims, spacing }, namePairing(set)));
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('organ,reference_roi,dsc,hd95_mm,msd_mm,auto_ml,reference_ml,difference_ml');
    expect(lines[1]).toMatch(/^Parotid_R,Rt Parotid,0\.7500,[0-9.]+,[0-9.]+,0\.008,0\.008,0\.000$/);
    expect(lines).toHaveLength(2);
  });

  it('refuses a label map of another size', () => {
    expect(() => compareWithReference(new Uint8Array(31), set, { dims, spacing }, namePairing(set))).toThrow(RangeError);
  });
});

/** The label map shifted by `d` columns (a prediction with known, non-trivial errors). */
function shifted(labels: Uint8Array, volume: CtVolume, d: number): Uint8Array {
  const [c] = volume.dims;
  const out = new Uint8Array(labels.length);
  for (let n = 0; n < labels.length; n++) {
    const i = n % c;
    if (i + d >= 0 && i + d < c) out[n + d] = labels[n];
  }
  return out;
}

/** The CLI's scores and the table's rows, field by field. */
function expectSameFigures(cli: ReturnType<typeof scoreLabels>, rows: ReturnType<typeof compareWithReference>['rows']) {
  expect(rows.map((r) => r.organ)).toEqual(cli.map((s) => s.organ));
  rows.forEach((r, i) => {
    expect(r.dsc).toBe(cli[i].dsc);
    expect(r.hd95Mm).toBe(cli[i].hd95Mm);
    expect(r.msdMm).toBe(cli[i].msdMm);
    expect(r.referenceMl).toBe(cli[i].referenceMl);
    expect(r.predictedMl).toBe(cli[i].predictedMl);
  });
}

const hn = hnsccCases().find((c) => c.patient === 'HNSCC-01-0001');
describe.skipIf(!hn)('agrees with the batch CLI on hnscc-rtai 01-0001 (skipped if ../shared/data is absent)', () => {
  it('RTSTRUCT reference: same organs (Cord, Brainstem, Rt/Lt Parotid) and the same figures', () => {
    const { volume } = ctGeometry(hn!.ctDir);
    const cliRef = loadReference({ kind: 'rtstruct', path: hn!.rtstruct }, volume);
    // a prediction: the reference organs shifted by 1 column
    const n = volume.dims[0] * volume.dims[1] * volume.dims[2];
    const truth = new Uint8Array(n);
    for (const c of cliRef.annotated) {
      const m = cliRef.mask(c);
      if (m) for (let i = 0; i < n; i++) if (m[i]) truth[i] = c;
    }
    const pred = shifted(truth, volume, 1);
    const cli = scoreLabels(pred, cliRef, volume.dims, volume.spacing);
    const set = importStructureSet(readRtStruct(readFileSync(hn!.rtstruct)), volume);
    const table = compareWithReference(pred, set, volume, namePairing(set));
    expect(table.rows.map((r) => r.organ).sort()).toEqual(['Brainstem', 'Parotid_L', 'Parotid_R', 'SpinalCord']);
    expect(table.rows.find((r) => r.organ === 'SpinalCord')!.referenceNames).toEqual(['Cord']);
    expectSameFigures(cli, table.rows);
    // the shift makes real errors: no organ is perfect, the large ones still overlap
    for (const r of table.rows) expect(r.dsc).toBeLessThan(1);
    expect(table.rows.filter((r) => r.dsc > 0.3).length).toBeGreaterThanOrEqual(2);
  });

  it('a reference of another series is refused with the reason', () => {
    const other = hnsccCases().find((c) => c.patient !== 'HNSCC-01-0001')!;
    const { volume } = ctGeometry(other.ctDir);
    expect(() => importStructureSet(readRtStruct(readFileSync(hn!.rtstruct)), volume)).toThrow(RtStructImportError);
    expect(() => importStructureSet(readRtStruct(readFileSync(hn!.rtstruct)), volume)).toThrow(
      /frame of reference|references no image/,
    );
  });
});

const kbp = path.join(dataRoot, 'openkbp/val/pt_201');
describe.skipIf(!existsSync(path.join(kbp, 'ct.nii.gz')))(
  'agrees with the batch CLI on OpenKBP pt_201 (skipped if ../shared/data is absent)',
  () => {
    it('the CLI scores the NIfTI reference, the table the same organs as a SEG: same figures', () => {
      const { volume } = ctFromNifti(new Uint8Array(readFileSync(path.join(kbp, 'ct.nii.gz'))), 'pt_201');
      const cliRef = loadReference(classifyReference(path.join(kbp, 'labels.nii.gz')), volume);
      expect(cliRef.annotated.length).toBeGreaterThanOrEqual(4);
      const n = volume.dims[0] * volume.dims[1] * volume.dims[2];
      const truth = new Uint8Array(n);
      for (const c of cliRef.annotated) {
        const m = cliRef.mask(c);
        if (m) for (let i = 0; i < n; i++) if (m[i]) truth[i] = c;
      }
      const pred = shifted(truth, volume, -1);
      const cli = scoreLabels(pred, cliRef, volume.dims, volume.spacing);
      const set = importSeg(readSeg(buildSeg(volume, truth).bytes), volume);
      const table = compareWithReference(pred, set, volume, namePairing(set));
      expectSameFigures(cli, table.rows);
      expect(table.rows.length).toBe(cli.length);
    });
  },
);
