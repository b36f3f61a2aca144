/** Test doubles of the pipeline: a tiny CT with chosen geometry findings and an engine without TF.js. */
import type { CtVolume, GeometryWarning, LabelVolume } from '../../../src/volume/volume';
import type { EngineState, RunRequest } from '../../../src/engine/controller';
import type { SegmentReport, SegmentResult } from '../../../src/engine/engine';
import type { SegmentEngine } from '../../../src/pipeline/segment';
import { makeVolume } from '../contours/fixtures';

/** 12 x 10 x 4 voxels, 0.75 mm pixels, 2 mm slices, with the given findings. */
export function tinyCt(warnings: GeometryWarning[] = []): CtVolume {
  return {
    ...makeVolume({ dims: [12, 10, 4], spacing: [0.75, 0.75], origin: [-4.125, -3.375, -20], offsets: [0, 2, 4, 6] }),
    warnings,
  };
}

export const TOO_FEW: GeometryWarning = { code: 'too-few-slices', severity: 'error', message: 'Only 4 slices.' };
export const GAP: GeometryWarning = { code: 'missing-slices', severity: 'warning', message: 'A gap of 4 mm.' };

/** A box of `channel` on slice 1 of tinyCt. */
export function boxLabels(channel: number): LabelVolume {
  const labels = new Uint8Array(12 * 10 * 4);
  for (let j = 2; j < 6; j++) for (let i = 2; i < 7; i++) labels[i + j * 12 + 12 * 10] = channel;
  return labels;
}

export const report = (slices: number, slicesDone: number): SegmentReport =>
  ({
    backend: 'wasm',
    modelId: 'tiny',
    protocol: 'whole',
    slices,
    slicesDone,
    completed: slicesDone === slices,
  }) as SegmentReport;

const baseState = {
  status: 'ready',
  notice: { backend: 'wasm', device: 'cpu', message: 'wasm', skipped: [] },
  models: [],
  modelId: 'tiny',
  manifest: { id: 'tiny', name: 'Tiny' },
  loadFraction: 1,
  weightsSource: null,
  cacheNote: '',
  progress: null,
  error: null,
  lastReport: null,
} as unknown as EngineState;

export type Behaviour =
  | { kind: 'complete'; labels: (ct: CtVolume) => LabelVolume }
  | { kind: 'cancel'; after: number }
  | { kind: 'fail'; after: number; code: 'device-lost' | 'internal' };

/** An engine that runs like the EngineController (state after the run), recording the CTs it was given. */
export function fakeEngine(behaviour: Behaviour): SegmentEngine & { calls: Array<{ ct: CtVolume; req: RunRequest }> } {
  let state: EngineState = baseState;
  const calls: Array<{ ct: CtVolume; req: RunRequest }> = [];
  return {
    calls,
    getState: () => state,
    segment: async (ct: CtVolume, req: RunRequest): Promise<SegmentResult | null> => {
      calls.push({ ct, req });
      const n = ct.dims[2];
      if (behaviour.kind === 'complete') {
        const r = report(n, n);
        state = { ...state, lastReport: r, progress: null, error: null };
        return { labels: behaviour.labels(ct), report: r };
      }
      if (behaviour.kind === 'cancel') {
        state = { ...state, lastReport: report(n, behaviour.after), error: null };
        return null;
      }
      // a failed run leaves no report, only the progress it reached and the error
      state = {
        ...state,
        status: 'error',
        progress: { done: behaviour.after, total: n } as EngineState['progress'],
        error: { code: behaviour.code, message: `fake ${behaviour.code}`, retry: true },
      };
      return null;
    },
  };
}
