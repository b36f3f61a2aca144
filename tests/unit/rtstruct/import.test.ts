import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractContours } from '../../../src/contours';
import {
  buildRtStruct,
  importStructureSet,
  matchStructureSet,
  organForRoiName,
  organRois,
  readRtStruct,
  RtStructImportError,
  RtStructReadError,
  type RoiInput,
} from '../../../src/rtstruct';
import { makeVolume } from '../contours/fixtures';
import { ctGeometry, hnsccCases } from './ct';

describe('organForRoiName', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Parotid_L', 'Parotid_L'],
    ['parotid_r', 'Parotid_R'],
    ['Rt Parotid', 'Parotid_R'],
    ['RT Parotid', 'Parotid_R'],
    ['R parotid', 'Parotid_R'],
    ['Right parotid', 'Parotid_R'],
    ['Lt Parotid', 'Parotid_L'],
    ['LT Parotid', 'Parotid_L'],
    ['L parotid', 'Parotid_L'],
    ['Left parotid', 'Parotid_L'],
    ['Cord', 'SpinalCord'],
    ['cord', 'SpinalCord'],
    ['Spinal cord', 'SpinalCord'],
    ['Spinal Cord', 'SpinalCord'],
    ['spinal_cord', 'SpinalCord'],
    ['SpinalCord', 'SpinalCord'],
    ['Brainstem', 'Brainstem'],
    ['brainstem', 'Brainstem'],
    ['Brain stem', 'Brainstem'],
    ['BrainStem', 'Brainstem'],
    ['Lt Lung', 'Lung_L'],
    ['Heart', 'Heart'],
    ['Esophagus', 'Esophagus'],
    ['Oesophagus', 'Esophagus'],
    ['Mandible', 'Bone_Mandible'],
    ['Eye R', 'Eye_R'],
    ['Kidney L', 'Kidney_L'],
    ['Glnd_Submand_L', 'Glnd_Submand_L'],
    ['SMG R', 'Glnd_Submand_R'],
    ['Hypophysis', 'Pituitary'],
    // unknown or ambiguous: kept as their own structures
    ['BODY', undefined],
    ['Parotid', undefined], // which side?
    ['Lungs', undefined],
    ['PTV_70', undefined],
    ['Tumor Bed', undefined],
    ['Cord R', undefined], // the cord has no sides
    ['', undefined],
  ];
  it.each(cases)('%s -> %s', (name, tg) => {
    expect(organForRoiName(name)?.tg263).toBe(tg);
  });
});

describe('import of our own export', () => {
  // FFS-like orientation (rows run towards patient right) and non-uniform slice gaps
  const v = makeVolume({
    dims: [20, 16, 5],
    spacing: [1.5, 1.25],
    origin: [14, -10, 30],
    rowCosines: [-1, 0, 0],
    colCosines: [0, 1, 0],
    offsets: [0, 2, 4.5, 7, 9],
  });
  const labels = new Uint8Array(20 * 16 * 5);
  for (let k = 1; k <= 3; k++)
    for (let j = 2; j < 12; j++)
      for (let i = 3; i < 15; i++) {
        const ring = (i - 9) ** 2 + (j - 7) ** 2;
        if (ring <= 20 && ring > 2) labels[i + j * 20 + k * 320] = 11; // Parotid_L with a hole
      }
  labels[18 + 14 * 20 + 2 * 320] = 27; // a one-voxel Kidney_L

  it('restores the label map voxel for voxel, with organs, colours, volumes and slice ranges', () => {
    const r = buildRtStruct(v, organRois(extractContours(v, labels)));
    const imported = importStructureSet(readRtStruct(r.bytes), v);
    expect(imported.warnings).toEqual([]);
    expect(imported.layers).toHaveLength(1);
    const byName = new Map(imported.rois.map((x) => [x.name, x]));
    const p = byName.get('Parotid_L')!;
    const kid = byName.get('Kidney_L')!;
    expect(p.organ?.channel).toBe(11);
    expect(kid.organ?.channel).toBe(27);
    expect(p.sliceRange).toEqual([1, 3]);
    expect(kid.sliceRange).toEqual([2, 2]);
    expect(kid.voxels).toBe(1);
    const layer = imported.layers[0];
    for (let n = 0; n < labels.length; n++) {
      const want = labels[n] === 11 ? p.label : labels[n] === 27 ? kid.label : 0;
      if (layer[n] !== want) throw new Error(`voxel ${n}: got ${layer[n]}, want ${want}`);
    }
    let count = 0;
    for (const x of labels) if (x === 11) count++;
    expect(p.voxels).toBe(count);
    expect(p.volumeMl).toBeCloseTo((count * 1.5 * 1.25 * v.spacing[2]) / 1000, 12);
  });

  it('packs overlapping ROIs into separate layers', () => {
    const outer = extractContours(
      v,
      labels.map((x) => (x === 11 ? 1 : 0)),
    )[0].contours;
    const rois: RoiInput[] = [
      { number: 1, name: 'BODY', color: [200, 200, 200], contours: outer, interpretedType: 'EXTERNAL' },
      { number: 2, name: 'Cord', color: [255, 0, 0], contours: outer },
      {
        number: 3,
        name: 'Mystery',
        color: [1, 2, 3],
        contours: extractContours(
          v,
          labels.map((x) => (x === 27 ? 1 : 0)),
        )[0].contours,
      },
    ];
    const imported = importStructureSet(readRtStruct(buildRtStruct(v, rois).bytes), v);
    expect(imported.rois.map((x) => x.layer)).toEqual([0, 1, 0]);
    expect(imported.layers).toHaveLength(2);
    const [body, cord, mystery] = imported.rois;
    expect(body.organ).toBeUndefined();
    expect(body.color).toEqual([200, 200, 200]); // unknown ROI keeps the file's colour
    expect(cord.organ?.tg263).toBe('SpinalCord');
    expect(cord.color).toEqual(cord.organ!.color); // known organ: the organ table's colour
    expect(mystery.color).toEqual([1, 2, 3]);
    expect(body.voxels).toBe(cord.voxels);
  });

  it('refuses a structure set of another series and a file that is not an RTSTRUCT', () => {
    const r = buildRtStruct(v, organRois(extractContours(v, labels)));
    const other = makeVolume({ dims: [20, 16, 5], uids: ['9.1', '9.2', '9.3', '9.4', '9.5'] });
    other.meta.frameOfReferenceUID = '9.9.9';
    const ss = readRtStruct(r.bytes);
    expect(matchStructureSet(ss, other).ok).toBe(false);
    expect(() => importStructureSet(ss, other)).toThrow(RtStructImportError);
    expect(() => readRtStruct(new Uint8Array(300))).toThrow(RtStructReadError);
  });
});

const cases = hnsccCases();
describe.skipIf(cases.length === 0)(
  'import of the clinical hnscc-rtai structure sets (skipped if ../shared/data is absent)',
  () => {
    it.each(cases.map((c) => [c.patient, c] as const))('%s: every ROI maps to an organ and lands on the CT grid', (_p, c) => {
      const { volume } = ctGeometry(c.ctDir);
      const ss = readRtStruct(new Uint8Array(readFileSync(c.rtstruct)));
      const m = matchStructureSet(ss, volume);
      expect(m.ok).toBe(true);
      expect(m.contoursByUid).toBeGreaterThan(0);
      const imported = importStructureSet(ss, volume);
      // the hnscc-rtai vocabulary is brainstem, cord and the parotids in many spellings (SOURCE.md)
      expect(imported.rois.map((r) => r.organ?.tg263).sort()).toEqual(['Brainstem', 'Parotid_L', 'Parotid_R', 'SpinalCord']);
      for (const r of imported.rois) {
        expect(r.contoursSkipped, r.name).toBe(0);
        expect(r.voxels, r.name).toBeGreaterThan(0);
      }
      // clinical contours on their planes: parotids lateral to the cord, left parotid at larger x (LPS: +x = left)
      const get = (tg: string) => imported.rois.find((r) => r.organ?.tg263 === tg)!;
      const x = (tg: string) => volume.origin[0] + get(tg).centre![0] * volume.spacing[0] * volume.rowCosines[0];
      expect(x('Parotid_L')).toBeGreaterThan(x('SpinalCord'));
      expect(x('Parotid_R')).toBeLessThan(x('SpinalCord'));
    });
  },
);
