/**
 * Auto-contouring panel: backend notice, model and protocol selectors, Segment / Cancel, progress
 * (slices done, slices/s, time left), errors (once, with Retry where it helps) and a run summary with
 * the longest main-thread task. Results go out slice by slice through `onSliceLabels`.
 *
 * Mount it in the sidebar (src/app/panels.ts) and connect it to the CT's label store (src/store), e.g.
 *   Component: (p) => <SegmentPanel {...p}
 *     onStart={() => labelStoreFor(p.ct).clear()}
 *     onSliceLabels={(k, labels) => labelStoreFor(p.ct).setSlice(k, labels)} />
 * (src/overlay/panels.tsx does this and keeps the run's provenance in the store.)
 */
import { useEffect, useRef, useState } from 'react';
import type { CtVolume, LabelVolume } from '../../volume/volume';
import { PROTOCOLS, type ProtocolId } from '../../organs';
import type { SegmentReport } from '../../engine/engine';
import { checkGeometry } from '../geometry';
import { segment, segmentOutcome, type SegmentOutcome } from '../segment';
import { watchLongTasks, type LongTaskSummary } from '../../engine/ui/longTasks';
import { BackendSelect } from '../../engine/ui/BackendSelect';
import { useEngine } from '../../engine/ui/useEngine';
import './segment.css';

export interface SegmentRunReport extends SegmentReport {
  /** Longest main-thread task during the run (ms). */
  longestTaskMs: number;
  longTaskMethod: LongTaskSummary['method'];
}

export interface SegmentPanelProps {
  ct: CtVolume;
  /** False blocks the Segment button (blocking geometry findings). Default: from ct.warnings. */
  segmentationAllowed?: boolean;
  /** Asked before a run: a question (e.g. edits would be lost) the user must confirm, or null. */
  confirmStart?: () => string | null;
  /** A run starts: clear any previous result. */
  onStart?: () => void;
  /** Labels of CT slice k (cols x rows, channel numbers) as soon as they are read back. */
  onSliceLabels?: (k: number, labels: Uint8Array) => void;
  /** The whole label volume after a complete run. */
  onDone?: (labels: LabelVolume, report: SegmentRunReport) => void;
  /** The run was cancelled or failed; slices already delivered stay with the caller. */
  onAbort?: (reason: 'cancelled' | 'error', done: { slicesDone: number; slices: number }) => void;
}

const fmtS = (s: number) =>
  !Number.isFinite(s) ? '…' : s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

export function SegmentPanel({
  ct,
  segmentationAllowed,
  confirmStart,
  onStart,
  onSliceLabels,
  onDone,
  onAbort,
}: SegmentPanelProps) {
  const [state, engine] = useEngine();
  const [protocol, setProtocol] = useState<ProtocolId>('whole');
  const [summary, setSummary] = useState<SegmentRunReport | null>(null);
  const runCt = useRef<CtVolume | null>(null);
  const allowed = segmentationAllowed ?? checkGeometry(ct).allowed;
  const running = state.status === 'running' || state.status === 'cancelling';
  const canRun = allowed && state.status === 'ready';

  // A new series (or closing the panel) cancels the run of the old one and stops its deliveries.
  useEffect(
    () => () => {
      if (runCt.current === ct) {
        runCt.current = null;
        engine.cancel();
      }
    },
    [ct, engine],
  );

  async function run() {
    const question = confirmStart?.();
    if (question && !window.confirm(question)) return;
    setSummary(null);
    runCt.current = ct;
    onStart?.();
    const previous = engine.getState().lastReport;
    const watch = watchLongTasks();
    let outcome: SegmentOutcome | null = null;
    try {
      // the pipeline's segment step (src/pipeline/segment.ts): the geometry gate, then the engine
      outcome = await segment(engine, ct, {
        protocol,
        onSlice: (k, labels) => {
          if (runCt.current === ct) onSliceLabels?.(k, labels);
        },
      });
    } catch (e) {
      console.warn('segmentation did not start:', e); // busy / not ready: the button state prevents this
    }
    const current = runCt.current === ct;
    runCt.current = null;
    const lt = watch.stop();
    if (!current) return; // the series changed meanwhile
    // the run did not start (busy, not ready): its outcome from the state, as for a run that failed
    outcome ??= segmentOutcome(null, previous, engine.getState(), ct.dims[2]);
    const withTasks = (r: SegmentReport): SegmentRunReport => ({ ...r, longestTaskMs: lt.longestMs, longTaskMethod: lt.method });
    const full = outcome.report ? withTasks(outcome.report) : null;
    if (full) setSummary(full);
    if (outcome.kind === 'complete') onDone?.(outcome.labels, full ?? withTasks(outcome.report));
    else onAbort?.(outcome.reason, { slicesDone: outcome.slicesDone, slices: outcome.slices });
  }

  const p = state.progress;
  const pct = p && p.total ? (100 * p.done) / p.total : 0;
  const notice = state.notice;
  const fallback = notice && (notice.skipped.length > 0 || / software renderer/.test(notice.message) || notice.threads?.limited);

  return (
    <div
      className="seg-panel"
      data-testid="segment-panel"
      data-status={state.status}
      data-backend={notice?.backend ?? ''}
      data-threads={notice?.threads?.threads ?? ''}
      data-workers={notice?.workers?.count ?? ''}
    >
      {notice && (
        <p
          className={`seg-notice ${fallback ? 'seg-warn' : ''}`}
          data-testid="backend-notice"
          title={notice.skipped.map((s) => `${s.backend}: ${s.reason}`).join('\n')}
        >
          {notice.message}
        </p>
      )}
      {state.status === 'starting' && <p className="muted">Starting the backend…</p>}
      <BackendSelect state={state} engine={engine} disabled={running} />

      <label className="seg-row">
        <span>Model</span>
        {state.models.length > 1 ? (
          <select
            data-testid="model-select"
            value={state.modelId ?? ''}
            disabled={running || state.status === 'loading-model'}
            onChange={(e) => void engine.selectModel(e.target.value)}
          >
            {state.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        ) : (
          <span className="seg-value" data-testid="model-name">
            {state.manifest?.name ?? state.models[0]?.name ?? '–'}
          </span>
        )}
      </label>
      {state.status === 'loading-model' && (
        <p className="muted" data-testid="model-loading">
          Loading model weights… {Math.round(state.loadFraction * 100)}%
        </p>
      )}
      {state.manifest && state.status !== 'loading-model' && (
        <p className="muted seg-small" data-testid="model-info">
          v{state.manifest.version} · {state.manifest.input.size}² grid at {state.manifest.input.pixelSpacingMm} mm · weights{' '}
          {state.cacheNote}
        </p>
      )}

      <label className="seg-row">
        <span>Protocol</span>
        <select
          data-testid="protocol-select"
          value={protocol}
          disabled={running}
          onChange={(e) => setProtocol(e.target.value as ProtocolId)}
        >
          {PROTOCOLS.map((q) => (
            <option key={q.id} value={q.id}>
              {q.label}
            </option>
          ))}
        </select>
      </label>

      <div className="seg-actions">
        {!running ? (
          <button
            className="primary"
            data-testid="segment-button"
            disabled={!canRun}
            onClick={() => void run()}
            title={allowed ? '' : 'This series cannot be segmented (see Geometry).'}
          >
            Segment
          </button>
        ) : (
          <button data-testid="cancel-button" disabled={state.status === 'cancelling'} onClick={() => engine.cancel()}>
            {state.status === 'cancelling' ? 'Stopping…' : 'Cancel'}
          </button>
        )}
      </div>

      {running && (
        <div className="seg-progress" data-testid="segment-progress" data-done={p?.done ?? 0} data-total={p?.total ?? ct.dims[2]}>
          <div className="seg-bar">
            <div style={{ width: `${pct}%` }} />
          </div>
          <p className="seg-small">
            {p?.done ?? 0} / {p?.total ?? ct.dims[2]} slices
            {p && p.done > 0 && ` · ${p.slicesPerS.toFixed(1)} slices/s`}
            {p && p.done > 0 && (p.done < p.total ? ` · ${fmtS(p.secondsLeft)} left` : ' · removing islands (clean-up)…')}
          </p>
        </div>
      )}

      {state.error && (
        <div className="seg-error" role="alert" data-testid="segment-error" data-code={state.error.code}>
          <p>{state.error.message}</p>
          {state.error.retry && <button onClick={() => void engine.retry()}>Retry</button>}
        </div>
      )}

      {summary && !running && (
        <p
          className="seg-small"
          data-testid="segment-summary"
          data-completed={summary.completed}
          data-longest-task-ms={summary.longestTaskMs.toFixed(0)}
          data-slices-per-s={summary.slicesPerS.toFixed(2)}
          data-share-seconds={summary.shareSeconds?.map((s) => s.toFixed(2)).join(' ') ?? ''}
          data-cleanup-removed={summary.cleanup?.voxelsRemoved ?? ''}
        >
          {summary.completed ? 'Done' : 'Cancelled'}: {summary.slicesDone} of {summary.slices} slices in {fmtS(summary.seconds)} (
          {summary.slicesPerS.toFixed(1)} slices/s, {summary.backend}
          {summary.postprocess === 'fused-wgsl' ? ', fused WGSL post-processing' : ''}). Longest main-thread task{' '}
          {summary.longestTaskMs.toFixed(0)} ms.
          {summary.cleanup &&
            ` Clean-up: ${summary.cleanup.voxelsRemoved ? `${summary.cleanup.voxelsRemoved} island voxels removed from ${summary.cleanup.organs.length} organs` : 'nothing to remove'} (${summary.cleanup.ms.toFixed(0)} ms CPU, ${summary.cleanup.finalMs.toFixed(0)} ms after the last slice).`}
        </p>
      )}
      {state.manifest && <p className="muted seg-small seg-disclaimer">{state.manifest.disclaimer}</p>}
    </div>
  );
}
