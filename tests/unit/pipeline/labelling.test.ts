/** Labelling of a model run: running blocks the export, incomplete asks and is labelled INCOMPLETE. */
import { describe, expect, it } from 'vitest';
import { exportAllowed, exportLabelling, outcomeProvenance, runningProvenance } from '../../../src/pipeline/labelling';

describe('labelling', () => {
  it('a running model run: export disabled with a reason', () => {
    const g = exportAllowed(runningProvenance('Tiny', 10), true);
    expect(g.enabled).toBe(false);
    expect(g.why).not.toBe('');
  });

  it('a complete run: AutoOAR, no question', () => {
    const p = outcomeProvenance('Tiny', { kind: 'complete', slicesDone: 3, slices: 10 });
    expect(p).toMatchObject({ source: 'model', state: 'complete', slicesDone: 10, slices: 10 });
    expect(exportAllowed(p, true)).toMatchObject({ enabled: true, confirm: null });
    expect(exportLabelling(p).label).toBe('AutoOAR');
    expect(exportLabelling(p).generation.description).toContain('Tiny');
  });

  it('a failed run: a question before the export, labelled INCOMPLETE with the slices done', () => {
    const p = outcomeProvenance('Tiny', { kind: 'incomplete', reason: 'error', slicesDone: 3, slices: 10 });
    const g = exportAllowed(p, true);
    expect(g.enabled).toBe(true);
    expect(g.confirm).toMatch(/failed after 3 of 10 slices/);
    const l = exportLabelling(p);
    expect(l.label).toBe('INCOMPLETE');
    expect(l.fileTag).toBe('INCOMPLETE');
    expect(l.name).toContain('3 of 10 slices');
  });

  it('no organ present: nothing to export, whatever the provenance', () => {
    expect(exportAllowed(outcomeProvenance('Tiny', { kind: 'complete', slicesDone: 10, slices: 10 }), false).enabled).toBe(false);
  });
});
