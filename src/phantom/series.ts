/**
 * DICOM and NIfTI outputs of a phantom case: series metadata (UIDs and dates derived from the seed
 * and scan options, never from the clock), the CT series, ct.nii.gz and labels.nii.gz on the same grid.
 */
import { type CtSeriesInput, type CtSeriesMeta, uidFromParts, writeCtSlice } from '../dicom/ctSeriesWriter';
import { affineFromLps, type Mat4, writeNifti } from '../nifti/nifti';
import type { PhantomCase } from './generate';
import { hash32 } from './rng';
import type { ScanOptions } from './scan';

const BODY_PART: Record<string, string> = { whole: 'WHOLEBODY', 'head-neck': 'HEADNECK', thorax: 'CHEST', abdomen: 'ABDOMEN' };

function dateFromDays(days: number): string {
  const d = new Date(Date.UTC(2020, 0, 1) + days * 86400000);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Everything that determines the pixels: two runs with the same key give the same UIDs. */
function caseKey(o: ScanOptions & { region: string }): string {
  return JSON.stringify([o.seed, o.region, o.matrix ?? null, o.spacing ?? null, o.slice ?? null, o.position ?? null]);
}

/** Instance numbers run craniocaudally (the usual acquisition order), files CT0001.dcm ... in that order. */
export function instanceOrder(c: PhantomCase): number[] {
  const pos = c.plan.geometry.positions;
  const order = pos.map((_, k) => k).sort((a, b) => pos[b][2] - pos[a][2]);
  const inst = new Array<number>(pos.length);
  order.forEach((k, n) => (inst[k] = n + 1));
  return inst;
}

export function seriesInput(c: PhantomCase): CtSeriesInput {
  const p = c.plan,
    g = p.geometry,
    s = p.subject,
    o = p.options;
  const key = caseKey(o);
  const h = hash32(key, 0x5eed);
  const studyDays = h % 2000;
  const studyDate = dateFromDays(studyDays);
  const birth = dateFromDays(studyDays - Math.round(s.ageYears * 365.25) - (hash32(key, 7) % 300));
  const t = hash32(key, 11) % (10 * 3600);
  const studyTime = `${String(8 + Math.floor(t / 3600)).padStart(2, '0')}${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}${String(t % 60).padStart(2, '0')}`;
  const meta: CtSeriesMeta = {
    patientName: `PHANTOM^${g.region.toUpperCase()}^SEED${o.seed}`,
    patientID: `PH${String(o.seed).padStart(6, '0')}`,
    patientBirthDate: birth,
    patientSex: s.sex,
    patientAge: `${String(s.ageYears).padStart(3, '0')}Y`,
    studyInstanceUID: uidFromParts('study', key),
    seriesInstanceUID: uidFromParts('series', key),
    frameOfReferenceUID: uidFromParts('frame', key),
    studyDate,
    studyTime,
    studyID: String(1 + (h % 9999)),
    accessionNumber: `A${String(hash32(key, 3) % 10000000).padStart(7, '0')}`,
    studyDescription: `Synthetic phantom (${g.region})`,
    seriesDescription: `Phantom CT ${g.sliceThickness} mm, seed ${o.seed}, ${s.phase}${s.phase === 'native' ? '' : ' contrast'}`,
    seriesNumber: 2,
    manufacturer: 'attention-anatomy-web',
    modelName: 'Synthetic CT phantom',
    softwareVersion: 'phantom 1',
    bodyPartExamined: BODY_PART[g.region],
    patientPosition: g.patientPosition,
    kvp: 120,
    convolutionKernel: 'STANDARD',
    windowCenter: 40,
    windowWidth: 400,
  };
  const inst = instanceOrder(c);
  return {
    cols: g.cols,
    rows: g.rows,
    pixelSpacing: g.pixelSpacing,
    sliceThickness: g.sliceThickness,
    sliceSpacing: g.sliceSpacing,
    rowCosines: g.rowCosines,
    colCosines: g.colCosines,
    positions: g.positions,
    hu: c.hu,
    sopInstanceUIDs: inst.map((n) => uidFromParts('image', key, n)),
    instanceNumbers: inst,
    meta,
  };
}

/** The DICOM files of the case: [file name, bytes] in instance order (CT0001.dcm first). */
export function* dicomFiles(c: PhantomCase): Generator<[string, Uint8Array]> {
  const input = seriesInput(c);
  const byInstance = input.instanceNumbers.map((n, k) => [n, k]).sort((a, b) => a[0] - b[0]);
  for (const [n, k] of byInstance) yield [`CT${String(n).padStart(4, '0')}.dcm`, writeCtSlice(input, k)];
}

export function caseAffine(c: PhantomCase): Mat4 {
  const g = c.plan.geometry;
  return affineFromLps({
    origin: g.positions[0],
    rowCosines: g.rowCosines,
    colCosines: g.colCosines,
    normal: g.normal,
    spacing: [g.pixelSpacing[0], g.pixelSpacing[1], g.sliceSpacing],
  });
}

export function labelsNifti(c: PhantomCase): Uint8Array {
  const g = c.plan.geometry;
  return writeNifti({
    dims: [g.cols, g.rows, g.positions.length],
    affine: caseAffine(c),
    data: c.labels,
    description: `phantom labels seed ${c.plan.options.seed} ${g.region}`,
  });
}

export function ctNifti(c: PhantomCase): Uint8Array {
  const g = c.plan.geometry;
  return writeNifti(
    {
      dims: [g.cols, g.rows, g.positions.length],
      affine: caseAffine(c),
      data: c.hu,
      description: `phantom CT (HU) seed ${c.plan.options.seed} ${g.region}`,
    },
    { level: 3 },
  );
}
