/** The segment step: one injectable engine call, and the outcome rule (complete / cancelled / failed). */
import { describe, expect, it } from 'vitest';
import type { EngineSegment } from '../../../src/pipeline/segment';
import { segment, segmentOutcome } from '../../../src/pipeline/segment';
import { boxLabels, fakeEngine, report, tinyCt } from './fakes';

describe('segment', () => {
  it('a complete run gives the labels and its report; the request reaches the engine', async () => {
    const labels = boxLabels(7);
    const engine = fakeEngine({ kind: 'complete', labels: () => labels });
    const o = await segment(engine, tinyCt(), { protocol: 'thorax', cleanup: false });
    expect(o.kind).toBe('complete');
    if (o.kind !== 'complete') return;
    expect(o.labels).toBe(labels);
    expect(o.report.slicesDone).toBe(4);
    expect(engine.calls[0].req).toEqual({ protocol: 'thorax', cleanup: false });
  });

  it('a cancelled run: incomplete, cancelled, with the slices of its report', async () => {
    const o = await segment(fakeEngine({ kind: 'cancel', after: 2 }), tinyCt(), { protocol: 'whole' });
    expect(o).toMatchObject({ kind: 'incomplete', reason: 'cancelled', slicesDone: 2, slices: 4, error: null });
  });

  it('a failed run: incomplete, error, with the progress reached and the engine error', async () => {
    const o = await segment(fakeEngine({ kind: 'fail', after: 3, code: 'device-lost' }), tinyCt(), { protocol: 'whole' });
    expect(o).toMatchObject({ kind: 'incomplete', reason: 'error', slicesDone: 3, slices: 4, report: null });
    if (o.kind === 'incomplete') expect(o.error?.code).toBe('device-lost');
  });

  it('the engine is reached through the one injectable call', async () => {
    const engine = fakeEngine({ kind: 'complete', labels: () => boxLabels(1) });
    const seen: string[] = [];
    const call: EngineSegment = (e, ct, req) => {
      seen.push(req.protocol);
      return e.segment(ct, req);
    };
    await segment(engine, tinyCt(), { protocol: 'abdomen' }, call);
    expect(seen).toEqual(['abdomen']);
    expect(engine.calls).toHaveLength(1);
  });
});

describe('segmentOutcome', () => {
  it('a result without a report of this run (the old report still in the state) is not complete', () => {
    const old = report(4, 4);
    const o = segmentOutcome({ labels: boxLabels(1) }, old, { lastReport: old, error: null, progress: null }, 4);
    expect(o.kind).toBe('incomplete');
  });

  it('no report and no progress: zero slices done', () => {
    const o = segmentOutcome(null, null, { lastReport: null, error: null, progress: null }, 9);
    expect(o).toMatchObject({ kind: 'incomplete', reason: 'cancelled', slicesDone: 0, slices: 9 });
  });
});
