import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { exportRtStruct } from '../../../src/rtstruct/export';
import { exportLabelling } from '../../../src/labels/provenance';
import { makeVolume } from '../contours/fixtures';

function rois(bytes: Uint8Array): NaturalDataset[] {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict).StructureSetROISequence as NaturalDataset[];
}

const v = makeVolume({ dims: [12, 10, 4], spacing: [0.75, 0.75], origin: [-4.125, -3.375, -20], offsets: [0, 2, 4, 6] });
const labels = new Uint8Array(12 * 10 * 4);
for (let j = 2; j < 6; j++) for (let i = 2; i < 5; i++) labels[i + j * 12 + 12 * 10] = 22; // Heart
for (let j = 2; j < 6; j++) for (let i = 7; i < 10; i++) labels[i + j * 12 + 12 * 10] = 23; // next organ
const labelling = exportLabelling({ source: 'model', state: 'complete', model: 'Tiny', slicesDone: 4, slices: 4 });

describe('export of edited organs', () => {
  it('edited organs are SEMIAUTOMATIC, the others stay AUTOMATIC', () => {
    const out = rois(exportRtStruct(v, labels, { labelling, body: false, edited: new Set([22]) }).bytes);
    const by = new Map(out.map((r) => [Number(r.ROINumber), r]));
    expect(by.get(22)!.ROIGenerationAlgorithm).toBe('SEMIAUTOMATIC');
    expect(by.get(22)!.ROIGenerationDescription).toMatch(/edited/);
    expect(by.get(23)!.ROIGenerationAlgorithm).toBe('AUTOMATIC');
  });
  it('without edits every organ is AUTOMATIC', () => {
    const out = rois(exportRtStruct(v, labels, { labelling, body: false }).bytes);
    expect(out.map((r) => r.ROIGenerationAlgorithm)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
  });
});
