/** The rule "an error-level geometry finding blocks segmentation", written once, enforced by every path. */
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../../../src/pipeline/errors';
import { assertSegmentable, checkGeometry } from '../../../src/pipeline/geometry';
import { runPipeline } from '../../../src/pipeline/run';
import { segment } from '../../../src/pipeline/segment';
import { boxLabels, fakeEngine, GAP, tinyCt, TOO_FEW } from './fakes';

describe('checkGeometry', () => {
  it('a warning-level finding is shown but does not block', () => {
    const g = checkGeometry(tinyCt([GAP]));
    expect(g.allowed).toBe(true);
    expect(g.blocking).toEqual([]);
    expect(g.warnings).toEqual([GAP]);
  });

  it('an error-level finding blocks and is named', () => {
    const g = checkGeometry(tinyCt([GAP, TOO_FEW]));
    expect(g.allowed).toBe(false);
    expect(g.blocking).toEqual([TOO_FEW]);
    expect(() => assertSegmentable(tinyCt([TOO_FEW]))).toThrow(PipelineError);
    expect(() => assertSegmentable(tinyCt([GAP]))).not.toThrow();
  });
});

describe('a geometry error blocks segmentation', () => {
  it('the segment step refuses before the engine is called', async () => {
    const engine = fakeEngine({ kind: 'complete', labels: () => boxLabels(22) });
    const err = await segment(engine, tinyCt([TOO_FEW]), { protocol: 'whole' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).step).toBe('geometry');
    expect((err as PipelineError).code).toBe('geometry');
    expect((err as PipelineError).message).toContain('This series cannot be segmented: Only 4 slices.');
    expect(engine.calls).toHaveLength(0);
  });

  it('the whole pipeline stops at the geometry step: no engine call, no structure set', async () => {
    const engine = fakeEngine({ kind: 'complete', labels: () => boxLabels(22) });
    const steps: string[] = [];
    let exported = 0;
    const err = await runPipeline(async () => tinyCt([TOO_FEW]), {
      engine,
      protocol: 'whole',
      structureSet: { body: false },
      onStep: (s) => steps.push(s),
      exporter: () => {
        exported++;
        throw new Error('not reached');
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).step).toBe('geometry');
    expect(steps).toEqual(['load', 'geometry']);
    expect(engine.calls).toHaveLength(0);
    expect(exported).toBe(0);
  });

  it('a warning-level finding lets the same CT through to the engine', async () => {
    const engine = fakeEngine({ kind: 'complete', labels: () => boxLabels(22) });
    const o = await segment(engine, tinyCt([GAP]), { protocol: 'whole' });
    expect(o.kind).toBe('complete');
    expect(engine.calls).toHaveLength(1);
  });
});
