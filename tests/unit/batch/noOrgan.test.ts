/**
 * Issue 17 point 3, never write an invalid file: with no organ found the batch writes no RS.dcm (report.json
 * and the summary say so, exit code 3), and a series whose RTSTRUCT cannot be written keeps labels and report.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSeriesOutputs, type SeriesOutcome } from '../../../src/batch/outputs';
import type { JobResult } from '../../../src/batch/protocol';
import { EXIT, exitCode } from '../../../src/batch/run';
import { renderSummary } from '../../../src/batch/summary';
import { buildStructureSet } from '../../../src/pipeline/structureSet';
import { loadSeries, writeSeries } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'no-organ-'));
writeSeries(join(work, 'ct'), { id: 'noorgan' });
const ct = loadSeries(join(work, 'ct'));
const n = ct.dims[0] * ct.dims[1] * ct.dims[2];

function jobResult(extra: Partial<JobResult>): JobResult {
  const { hu: _hu, ...geometry } = ct;
  return {
    ct: geometry,
    engine: {
      slices: ct.dims[2],
      slicesPerS: 10,
      seconds: 1,
      batchSize: 4,
      preprocess: 'cpu',
      postprocess: 'tfjs-ops',
      bytesReadBackPerVoxel: 1,
    },
    backend: { backend: 'wasm', device: 'cpu', message: '', skipped: [] },
    model: { id: 'tiny', name: 'tiny', version: '1', variant: 'fp32', inputSize: 64, pixelSpacingMm: 2, metrics: [] },
    timesMs: { load: 1, inference: 1, rtstruct: 1, upload: 1 },
    labelBytes: n,
    ...extra,
  } as unknown as JobResult;
}

const job = (name: string) => ({
  name,
  input: join(work, 'ct'),
  kind: 'dicom' as const,
  files: [],
  label: 'CT test',
  reference: null,
});

describe('RTSTRUCT step of the batch page', () => {
  it('no organ: no structure set, a named reason', () => {
    const step = buildStructureSet(ct, new Uint8Array(n));
    expect(step.kind).toBe('no-organ');
  });

  it('an organ with voxels: written', () => {
    const labels = new Uint8Array(n);
    const [c, r] = ct.dims;
    for (let k = 0; k < ct.dims[2]; k++)
      for (let j = 3; j < 8; j++) for (let i = 4; i < 10; i++) labels[i + j * c + k * c * r] = 1;
    const step = buildStructureSet(ct, labels);
    expect(step.kind).toBe('written');
  });

  it('a writer error becomes a note, not a lost series', () => {
    const step = buildStructureSet(ct, new Uint8Array(n), {}, () => {
      throw new Error('disk on fire');
    });
    expect(step).toEqual({ kind: 'error', message: expect.stringContaining('disk on fire') });
  });
});

describe('outputs without an RS.dcm', () => {
  it('no organ: labels and report written, no RS.dcm, report and summary say why', () => {
    const out = join(work, 'out1');
    const outcome = writeSeriesOutputs(out, {
      job: job('s1'),
      result: jobResult({ rtstructMissing: { reason: 'no-organ', message: 'no organ was found' } }),
      labels: new Uint8Array(n),
      rtstruct: new Uint8Array(10),
      protocol: 'whole',
      startedAt: 0,
      receivedAt: 1,
    });
    expect(existsSync(join(out, 's1', 'RS.dcm'))).toBe(false);
    expect(existsSync(join(out, 's1', 'labels.nii.gz'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 's1', 'report.json'), 'utf8'));
    expect(report.rtstruct).toEqual({ written: false, reason: 'no-organ', message: 'no organ was found' });
    expect(report.outputs.rtstruct).toBeUndefined();
    const md = renderSummary([outcome], {
      command: 'x',
      date: new Date(0),
      protocol: 'whole',
      model: null,
      backend: null,
      problems: [],
      notes: [],
    });
    expect(md).toMatch(/no organ found, no RS\.dcm/);
    expect(exitCode([outcome], 0, false)).toBe(EXIT.noOrgan);
  });

  it('writer error: labels and report kept, exit code 1', () => {
    const out = join(work, 'out2');
    const outcome = writeSeriesOutputs(out, {
      job: job('s2'),
      result: jobResult({ rtstructMissing: { reason: 'error', message: 'the RTSTRUCT could not be written: x' } }),
      labels: new Uint8Array(n),
      protocol: 'whole',
      startedAt: 0,
      receivedAt: 1,
    });
    expect(existsSync(join(out, 's2', 'labels.nii.gz'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 's2', 'report.json'), 'utf8')).rtstruct.reason).toBe('error');
    expect(exitCode([outcome], 0, false)).toBe(EXIT.failed);
  });

  it('exit codes: 0 all written, 1 failure wins over 3, 2 nothing ran', () => {
    const done: SeriesOutcome = { name: 'a', input: 'a', label: 'a', status: 'done' };
    const none: SeriesOutcome = { ...done, rtstructMissing: { reason: 'no-organ', message: '' } };
    const failed: SeriesOutcome = { ...done, status: 'failed', failure: { stage: 'load', message: 'x' } };
    expect(exitCode([done], 0, false)).toBe(EXIT.ok);
    expect(exitCode([done, none], 0, false)).toBe(EXIT.noOrgan);
    expect(exitCode([none, failed], 0, false)).toBe(EXIT.failed);
    expect(exitCode([none], 1, false)).toBe(EXIT.failed);
    expect(exitCode([failed], 0, true)).toBe(EXIT.nothingRan);
  });
});
