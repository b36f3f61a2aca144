/**
 * `npm run segment -- --seg`: the Node side writes seg.dcm beside RS.dcm from the labels the page sent, and
 * report.json names it. The page is not needed for this step: a finished job is built by hand.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SeriesJob } from '../../../src/batch/discover';
import { writeSeriesOutputs } from '../../../src/batch/outputs';
import type { JobResult } from '../../../src/batch/protocol';
import { importSeg, organLabelMap } from '../../../src/seg/import';
import { readSeg } from '../../../src/seg/reader';
import { makeVolume } from '../contours/fixtures';

function finished(withSeg: boolean, labels: Uint8Array) {
  const volume = makeVolume({ dims: [16, 12, 6], spacing: [1.5, 1.5] });
  const { hu: _hu, ...ct } = volume;
  const result = {
    ct,
    engine: {
      backend: 'wasm',
      modelId: 'm',
      protocol: 'whole',
      slices: 6,
      slicesDone: 6,
      completed: true,
      batchSize: 1,
      seconds: 1,
      slicesPerS: 6,
      postprocess: 'tfjs-ops',
      preprocess: 'cpu',
      bytesReadBack: 0,
      bytesReadBackPerVoxel: 0,
      bytesUploaded: 0,
      memoryBefore: {},
      memoryAfter: {},
      gpuBytesReleased: 0,
    },
    backend: { backend: 'wasm', device: 'cpu', message: '', skipped: [] },
    model: { id: 'm', name: 'm', version: '1', variant: 'attention_hpa', inputSize: 64, pixelSpacingMm: 2, metrics: [] },
    timesMs: { load: 1, inference: 1, rtstruct: 1, upload: 1 },
    labelBytes: labels.length,
  } as unknown as JobResult;
  const job: SeriesJob = { name: 'ct1', input: 'in', kind: 'dicom', files: [], label: 'CT', reference: null };
  return {
    volume,
    f: {
      job,
      result,
      labels,
      rtstruct: new Uint8Array([1, 2, 3]),
      seg: withSeg,
      protocol: 'whole' as const,
      startedAt: 0,
      receivedAt: 1,
    },
  };
}

describe('batch outputs with --seg', () => {
  const labels = new Uint8Array(16 * 12 * 6);
  for (let k = 1; k < 5; k++) for (let j = 3; j < 8; j++) for (let i = 2; i < 9; i++) labels[i + j * 16 + k * 192] = 22; // Heart
  for (let k = 2; k < 4; k++) labels[12 + 6 * 16 + k * 192] = 24; // Lung_R

  it('writes seg.dcm beside RS.dcm with every voxel of the labels, and names it in report.json', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'batch-seg-'));
    const { volume, f } = finished(true, labels);
    writeSeriesOutputs(out, f);
    const dir = path.join(out, 'ct1');
    expect(readdirSync(dir).sort()).toEqual(['RS.dcm', 'labels.nii.gz', 'report.json', 'seg.dcm']);
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.outputs.seg).toBe('seg.dcm');
    expect(report.seg.segments).toBe(2);
    const seg = readSeg(readFileSync(path.join(dir, 'seg.dcm')));
    expect(seg.referencedSeriesUIDs).toEqual([volume.meta.seriesInstanceUID]);
    expect(organLabelMap(importSeg(seg, volume), labels.length)).toEqual(labels);
    // labelled by the one export rule as the RS.dcm beside it: a complete run of model 'm', AUTOMATIC
    const text = readFileSync(path.join(dir, 'seg.dcm')).toString('latin1');
    expect(text).toContain('Auto OARs (m, not reviewed)');
    expect(text).toContain('AUTOOAR');
    expect(text).not.toContain('SEMIAUTOMATIC');
  });

  it('without --seg, or without any organ, no seg.dcm', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'batch-seg-'));
    writeSeriesOutputs(out, finished(false, labels).f);
    expect(existsSync(path.join(out, 'ct1', 'seg.dcm'))).toBe(false);
    const empty = finished(true, new Uint8Array(labels.length)).f;
    empty.job = { ...empty.job, name: 'ct2' };
    writeSeriesOutputs(out, empty);
    expect(existsSync(path.join(out, 'ct2', 'seg.dcm'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(out, 'ct2', 'report.json'), 'utf8')).seg.error).toMatch(/no organ has voxels/);
  });
});
