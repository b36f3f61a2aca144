/** runPipeline: the steps in their order, each step's output feeding the next, failures naming their step. */
import { describe, expect, it } from 'vitest';
import type { ExportOptions } from '../../../src/rtstruct/export';
import { PIPELINE_STEPS, PipelineError } from '../../../src/pipeline/errors';
import { runPipeline } from '../../../src/pipeline/run';
import type { Exporter } from '../../../src/pipeline/structureSet';
import { exportRtStruct } from '../../../src/rtstruct/export';
import { boxLabels, fakeEngine, GAP, tinyCt } from './fakes';

describe('runPipeline', () => {
  it('every step in order; the labels of the run go to the structure set, labelled as a complete run', async () => {
    const labels = boxLabels(22);
    const engine = fakeEngine({ kind: 'complete', labels: () => labels });
    const steps: string[] = [];
    const seen: Array<{ labels: Uint8Array; options?: ExportOptions }> = [];
    const exporter: Exporter = (ct, l, options) => {
      seen.push({ labels: l, options });
      return exportRtStruct(ct, l, options);
    };
    const ct = tinyCt([GAP]);
    const run = await runPipeline(async () => ct, {
      engine,
      protocol: 'whole',
      structureSet: { body: false },
      exporter,
      onStep: (s) => steps.push(s),
    });
    expect(steps).toEqual([...PIPELINE_STEPS]);
    expect(engine.calls).toEqual([{ ct, req: { protocol: 'whole', cleanup: true } }]);
    expect(run.labels).toBe(labels);
    expect(seen).toHaveLength(1);
    expect(seen[0].labels).toBe(labels);
    expect(seen[0].options?.body).toBe(false);
    expect(seen[0].options?.labelling?.label).toBe('AutoOAR');
    expect(run.structureSet?.kind).toBe('written');
    expect(run.manifest.name).toBe('Tiny');
    for (const k of ['load', 'inference', 'rtstruct'] as const) expect(run.timesMs[k]).toBeGreaterThanOrEqual(0);
  });

  it('no structure set asked (a NIfTI input): none is built', async () => {
    let exported = 0;
    const run = await runPipeline(async () => tinyCt(), {
      engine: fakeEngine({ kind: 'complete', labels: () => boxLabels(22) }),
      protocol: 'whole',
      structureSet: null,
      cleanup: false,
      exporter: () => {
        exported++;
        throw new Error('not reached');
      },
    });
    expect(run.structureSet).toBeNull();
    expect(exported).toBe(0);
  });

  it('a failed run stops at the segment step with the engine error code', async () => {
    const err = await runPipeline(async () => tinyCt(), {
      engine: fakeEngine({ kind: 'fail', after: 1, code: 'device-lost' }),
      protocol: 'whole',
      structureSet: { body: true },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ step: 'segment', code: 'device-lost', message: 'fake device-lost' });
  });

  it('a cancelled run: the segment step says it did not complete', async () => {
    const err = await runPipeline(async () => tinyCt(), {
      engine: fakeEngine({ kind: 'cancel', after: 2 }),
      protocol: 'whole',
      structureSet: { body: true },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ step: 'segment', code: undefined, message: 'the segmentation did not complete' });
  });

  it('a load failure passes through untouched', async () => {
    const boom = new Error('unreadable');
    const err = await runPipeline(
      async () => {
        throw boom;
      },
      {
        engine: fakeEngine({ kind: 'complete', labels: () => boxLabels(1) }),
        protocol: 'whole',
        structureSet: null,
      },
    ).catch((e: unknown) => e);
    expect(err).toBe(boom);
  });
});
