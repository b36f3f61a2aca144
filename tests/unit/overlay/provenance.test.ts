import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { exportRtStruct } from '../../../src/rtstruct/export';
import { exportGate, exportLabelling, type Provenance } from '../../../src/labels/provenance';
import { makeVolume } from '../contours/fixtures';

function read(bytes: Uint8Array): NaturalDataset {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

const v = makeVolume({ dims: [12, 10, 4], spacing: [0.75, 0.75], origin: [-4.125, -3.375, -20], offsets: [0, 2, 4, 6] });
const labels = new Uint8Array(12 * 10 * 4);
for (let j = 2; j < 6; j++) for (let i = 2; i < 7; i++) labels[i + j * 12 + 12 * 10] = 22; // Heart, slice 1
const date = new Date(2024, 4, 6);

describe('exportGate', () => {
  it('no export while the model runs; an incomplete run needs a confirmation; a complete one does not', () => {
    expect(exportGate({ source: 'model', state: 'running', model: 'm', slicesDone: 3, slices: 10 }).enabled).toBe(false);
    const inc = exportGate({ source: 'model', state: 'incomplete', model: 'm', slicesDone: 3, slices: 10, reason: 'cancelled' });
    expect(inc.enabled).toBe(true);
    expect(inc.confirm).toMatch(/cancelled after 3 of 10 slices/);
    expect(exportGate({ source: 'model', state: 'complete', model: 'm', slicesDone: 10, slices: 10 }).confirm).toBeNull();
  });
});

describe('export labelling', () => {
  it('an incomplete run is labelled INCOMPLETE in label, name, description, ROI generation and file name', () => {
    const p: Provenance = { source: 'model', state: 'incomplete', model: 'Tiny', slicesDone: 3, slices: 10, reason: 'error' };
    const r = exportRtStruct(v, labels, { date, labelling: exportLabelling(p) });
    const ds = read(r.bytes);
    expect(ds.StructureSetLabel).toBe('INCOMPLETE');
    expect(ds.StructureSetName).toMatch(/^INCOMPLETE.*3 of 10 slices, failed/);
    expect(ds.SeriesDescription).toMatch(/^INCOMPLETE/);
    expect((ds.StructureSetROISequence as NaturalDataset[])[0].ROIGenerationDescription).toMatch(/^INCOMPLETE/);
    expect(r.fileName).toBe('RS_TEST001_20240506_INCOMPLETE.dcm');
  });
  it('a complete run: AUTOMATIC with the model name; the visible-only file has its own name', () => {
    const p: Provenance = { source: 'model', state: 'complete', model: 'Tiny', slicesDone: 10, slices: 10 };
    const all = exportRtStruct(v, labels, { date, labelling: exportLabelling(p) });
    const vis = exportRtStruct(v, labels, { date, labelling: exportLabelling(p), channels: [22], tag: 'visible' });
    expect(all.fileName).not.toBe(vis.fileName);
    expect(vis.fileName).toBe('RS_TEST001_20240506_visible.dcm');
    const roi = (read(all.bytes).StructureSetROISequence as NaturalDataset[])[0];
    expect(roi.ROIGenerationAlgorithm).toBe('AUTOMATIC');
    expect(roi.ROIGenerationDescription).toContain('Tiny');
  });
  it('a loaded label map is not AUTOMATIC and names its file and legend', () => {
    const p: Provenance = { source: 'labelmap', file: 'seg.nii.gz', legend: 'TotalSegmentator class map' };
    const ds = read(exportRtStruct(v, labels, { date, labelling: exportLabelling(p) }).bytes);
    const roi = (ds.StructureSetROISequence as NaturalDataset[])[0];
    expect(roi.ROIGenerationAlgorithm ?? '').toBe('');
    expect(roi.ROIGenerationDescription).toContain('seg.nii.gz');
    expect(ds.SeriesDescription).toContain('seg.nii.gz');
    expect(ds.SeriesDescription).not.toContain('AttentionAnatomy');
  });
});
