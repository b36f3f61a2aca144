/** The structure-set step: written only with an organ; a writer error is an outcome, not a throw. */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { exportLabelling, outcomeProvenance } from '../../../src/pipeline/labelling';
import { buildStructureSet, NO_ORGAN_MESSAGE } from '../../../src/pipeline/structureSet';
import { boxLabels, tinyCt } from './fakes';

function read(bytes: Uint8Array): NaturalDataset {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

describe('buildStructureSet', () => {
  it('one organ: an RTSTRUCT with that ROI (and BODY only when asked)', () => {
    const ct = tinyCt();
    const step = buildStructureSet(ct, boxLabels(22), { body: false, date: new Date(2024, 4, 6) });
    expect(step.kind).toBe('written');
    if (step.kind !== 'written') return;
    expect(step.result.roiCount).toBe(1);
    const ds = read(step.result.bytes);
    expect(ds.Modality).toBe('RTSTRUCT');
    const rois = ds.StructureSetROISequence as Array<{ ROINumber: number }>;
    expect(rois.map((r) => r.ROINumber)).toEqual([22]);
  });

  it('the labelling of an incomplete run reaches the file', () => {
    const labelling = exportLabelling(
      outcomeProvenance('Tiny', { kind: 'incomplete', reason: 'cancelled', slicesDone: 2, slices: 4 }),
    );
    const step = buildStructureSet(tinyCt(), boxLabels(22), { body: false, labelling });
    expect(step.kind).toBe('written');
    if (step.kind === 'written') {
      expect(read(step.result.bytes).StructureSetLabel).toBe('INCOMPLETE');
      expect(step.result.fileName).toContain('INCOMPLETE');
    }
  });

  it('no organ: no file, the named reason', () => {
    expect(buildStructureSet(tinyCt(), new Uint8Array(12 * 10 * 4))).toEqual({ kind: 'no-organ', message: NO_ORGAN_MESSAGE });
  });

  it('a writer error becomes an outcome', () => {
    const step = buildStructureSet(tinyCt(), boxLabels(22), {}, () => {
      throw new Error('disk on fire');
    });
    expect(step).toEqual({ kind: 'error', message: expect.stringContaining('disk on fire') });
  });
});
