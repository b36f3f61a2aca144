/**
 * One labelling rule for every export path (issue 22): the requests below are the ones Export RTSTRUCT,
 * Visible only, Send to PACS, Export SEG and the batch make (src/overlay/ExportControls.tsx,
 * src/pacs/SendPanel.tsx, src/review/ReviewPanel.tsx, src/batch/outputs.ts). Each is checked on the written
 * DICOM (read back with dcmjs) for an edited, a partial, a label-map and a complete set.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import type { Provenance } from '../../../src/labels/provenance';
import { exportOrgans, type OrganExportRequest } from '../../../src/pipeline/organExport';
import { makeVolume } from '../contours/fixtures';
import { DCIODVFY, dciodvfy } from '../rtstruct/tools';

function read(bytes: Uint8Array): NaturalDataset {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const ct = makeVolume({ dims: [12, 10, 4], spacing: [0.75, 0.75], origin: [-4.125, -3.375, -20], offsets: [0, 2, 4, 6] });
const labels = new Uint8Array(12 * 10 * 4);
for (let k = 1; k < 3; k++) {
  for (let j = 2; j < 6; j++) for (let i = 2; i < 6; i++) labels[i + j * 12 + k * 120] = 22; // Heart
  for (let j = 6; j < 9; j++) for (let i = 7; i < 11; i++) labels[i + j * 12 + k * 120] = 24; // Lung_R
}
const date = new Date(2024, 4, 6);

const complete: Provenance = { source: 'model', state: 'complete', model: 'Tiny v9', slicesDone: 4, slices: 4 };
const partial: Provenance = {
  source: 'model',
  state: 'incomplete',
  model: 'Tiny v9',
  slicesDone: 2,
  slices: 4,
  reason: 'cancelled',
};
const labelmap: Provenance = { source: 'labelmap', file: 'ref.nii.gz', legend: 'TotalSegmentator' };
const running: Provenance = { source: 'model', state: 'running', model: 'Tiny v9', slicesDone: 1, slices: 4 };

/** The request each path makes (the UI paths confirm an incomplete run in a dialog first). */
const PATHS: Record<string, OrganExportRequest> = {
  'Export RTSTRUCT': { format: 'rtstruct', date },
  'Visible only': { format: 'rtstruct', channels: [22], tag: 'visible', date },
  'Send to PACS': { format: 'rtstruct', date },
  'Export SEG': { format: 'seg', date },
  'batch seg.dcm': { format: 'seg', date },
};

/** Per organ ROI/segment name -> generation algorithm (RTSTRUCT) or segment algorithm type (SEG). */
function algorithms(ds: NaturalDataset): Map<string, string> {
  const out = new Map<string, string>();
  if (ds.Modality === 'SEG') {
    for (const s of asList(ds.SegmentSequence as NaturalDataset[]))
      out.set(String(s.SegmentLabel), String(s.SegmentAlgorithmType));
    return out;
  }
  const names = new Map(asList(ds.StructureSetROISequence as NaturalDataset[]).map((r) => [r.ROINumber, String(r.ROIName)]));
  for (const r of asList(ds.StructureSetROISequence as NaturalDataset[])) {
    out.set(names.get(r.ROINumber) ?? '?', String(r.ROIGenerationAlgorithm ?? ''));
  }
  return out;
}

function written(p: Provenance, request: OrganExportRequest, edited = new Set<number>()) {
  const first = exportOrgans(ct, { labels, provenance: p, edited }, request);
  const r =
    first.kind === 'confirm' ? exportOrgans(ct, { labels, provenance: p, edited }, { ...request, confirmed: true }) : first;
  if (r.kind !== 'written') throw new Error(`expected a file, got ${r.kind}`);
  return { first, r, ds: read(r.bytes) };
}

describe.each(Object.entries(PATHS))('%s', (_path, request) => {
  it('a complete run: AUTOMATIC, the model named, no confirmation, no tag', () => {
    const { first, r, ds } = written(complete, request);
    expect(first.kind).toBe('written');
    expect(String(ds.SeriesDescription)).toContain('Tiny v9');
    expect(String(ds.SeriesDescription)).not.toMatch(/INCOMPLETE|Label map/);
    expect([...algorithms(ds).entries()].filter(([n]) => n !== 'External').every(([, a]) => a === 'AUTOMATIC')).toBe(true);
    expect(r.fileName).not.toContain('INCOMPLETE');
  });

  it('hand-edited organs are SEMIAUTOMATIC, the others AUTOMATIC', () => {
    const { ds } = written(complete, request, new Set([22]));
    const a = algorithms(ds);
    expect(a.get('Heart')).toBe('SEMIAUTOMATIC');
    if (!request.channels) expect(a.get('Lung_R')).toBe('AUTOMATIC');
  });

  it('a partial run asks first, then writes INCOMPLETE in the description and the file name', () => {
    const { first, r, ds } = written(partial, request);
    expect(first.kind).toBe('confirm');
    if (first.kind === 'confirm') expect(first.question).toMatch(/cancelled after 2 of 4 slices/);
    expect(String(ds.SeriesDescription)).toMatch(/^INCOMPLETE/);
    expect(r.fileName).toContain('_INCOMPLETE');
    if (ds.Modality === 'RTSTRUCT') expect(ds.StructureSetLabel).toBe('INCOMPLETE');
    else expect(ds.ContentLabel).toBe('INCOMPLETE');
  });

  it('a loaded label map is never written as the model output', () => {
    const { r, ds } = written(labelmap, request);
    expect(String(ds.SeriesDescription)).toMatch(/^Label map ref\.nii\.gz/);
    expect(r.fileName).toContain('labelmap');
    const organs = [...algorithms(ds).entries()].filter(([n]) => n !== 'External');
    expect(organs.length).toBeGreaterThan(0);
    for (const [, a] of organs) expect(a).not.toBe('AUTOMATIC');
  });

  it('nothing is written while the model runs', () => {
    const r = exportOrgans(ct, { labels, provenance: running }, request);
    expect(r.kind).toBe('blocked');
    if (r.kind === 'blocked') expect(r.message).toMatch(/running/);
  });

  it('no organ: no file', () => {
    const r = exportOrgans(ct, { labels: new Uint8Array(labels.length), provenance: complete }, request);
    expect(r.kind).toBe('no-organ');
  });
});

describe.skipIf(!existsSync(DCIODVFY))('dciodvfy on the labelled files', () => {
  it.each([
    ['partial RTSTRUCT', partial, 'rtstruct'],
    ['partial SEG', partial, 'seg'],
    ['label-map RTSTRUCT', labelmap, 'rtstruct'],
    ['label-map SEG', labelmap, 'seg'],
    ['edited SEG', complete, 'seg'],
  ] as const)('%s: no error', (_name, p, format) => {
    const { r } = written(p, { format, date }, new Set([24]));
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'organ-export-')), r.fileName);
    writeFileSync(file, r.bytes);
    const v = dciodvfy(file);
    expect(v.output.length).toBeGreaterThan(0);
    expect(v.errors).toEqual([]);
  });
});
