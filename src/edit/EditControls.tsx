/**
 * Edit tools of the organ panel, for the selected organ in all three views: brush / eraser (radius in mm, a
 * circle follows the pointer), an HU limit for the brush and the fill, a freehand region filled or cut,
 * "clear on this slice" per view, interpolation between drawn axial slices, undo / redo (Ctrl+Z,
 * Ctrl+Shift+Z or Ctrl+Y). Pointer handling: pointer.ts.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CtVolume } from '../volume/volume';
import { organByChannel } from '../organs';
import { useProvenance } from '../ui/useLabelStore';
import type { LabelStore } from '../store/labelStore';
import type { PlaneId, ViewerApi } from '../viewer/viewer';
import { attachBrush, attachFreehand, currentPlane, PLANES } from './pointer';
import { editSessionFor, type EditSession, type EditSnapshot, type EditTool } from './session';
import { ThresholdControl } from './ThresholdControl';

const EMPTY: EditSnapshot = { tool: 'none', radiusMm: 5, canUndo: false, canRedo: false, edited: new Set(), threshold: null };
const noop = () => () => {};

export function useEditSession(store: LabelStore | null, ct: CtVolume): [EditSession | null, EditSnapshot] {
  const session = store ? editSessionFor(store, ct.dims, ct.spacing, ct.hu) : null;
  const snap = useSyncExternalStore(session?.subscribe ?? noop, session?.snapshot ?? (() => EMPTY));
  return [session, snap];
}

export interface EditControlsProps {
  ct: CtVolume;
  viewer: ViewerApi | null;
  /** The CT's label store (null before the viewer is up). */
  store: LabelStore | null;
  selected: number | null;
}

function isTyping(t: EventTarget | null): boolean {
  return (
    t instanceof HTMLInputElement ||
    t instanceof HTMLTextAreaElement ||
    t instanceof HTMLSelectElement ||
    (t instanceof HTMLElement && t.isContentEditable)
  );
}

export function EditControls({ ct, viewer, store, selected }: EditControlsProps) {
  const [session, snap] = useEditSession(store, ct);
  const prov = useProvenance(store);
  // the engine writes whole slices while it runs: no hand edits then (they would be overwritten)
  const running = prov.source === 'model' && prov.state === 'running';
  useEffect(() => {
    if (running && session && session.tool !== 'none') session.setTool('none');
  }, [running, session]);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const runningRef = useRef(running);
  runningRef.current = running;

  // undo / redo keys
  useEffect(() => {
    if (!session) return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target) || runningRef.current) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) session.undo();
      else if ((k === 'z' && e.shiftKey) || k === 'y') session.redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  // pointer handler + brush circle on each viewport
  useEffect(() => {
    if (!session || !viewer || snap.tool === 'none') return;
    const attach = snap.tool === 'fill' || snap.tool === 'cut' ? attachFreehand : attachBrush;
    const cleanups = PLANES.map((plane) => attach(plane, viewer, ct, session, () => selectedRef.current));
    return () => cleanups.forEach((c) => c());
  }, [session, viewer, snap.tool, ct]);

  if (!session || !store) return null;
  return <EditRows session={session} snap={snap} viewer={viewer} selected={selected} running={running} />;
}

const TOOLS: { tool: Exclude<EditTool, 'none'>; label: string; title: string }[] = [
  { tool: 'brush', label: 'Brush', title: 'Paint the selected organ (any view; limited by the HU window when set)' },
  { tool: 'erase', label: 'Eraser', title: 'Erase the selected organ (any view)' },
  {
    tool: 'fill',
    label: 'Fill',
    title: 'Draw a closed region in a view: it is filled with the selected organ (limited by the HU window when set)',
  },
  { tool: 'cut', label: 'Cut', title: 'Scissors: draw a closed region in a view; the selected organ is erased inside it' },
];

const VIEW_LABEL: Record<PlaneId, string> = { axial: 'Ax', coronal: 'Cor', sagittal: 'Sag' };

function EditRows({
  session,
  snap,
  viewer,
  selected,
  running,
}: {
  session: EditSession;
  snap: EditSnapshot;
  viewer: ViewerApi | null;
  selected: number | null;
  running: boolean;
}) {
  const [message, setMessage] = useState<string | null>(null);
  const organ = selected !== null && !running ? organByChannel(selected) : undefined;
  const clear = (plane: PlaneId) => {
    if (!viewer || selected === null) return;
    const at = currentPlane(viewer, plane);
    if (!at) return setMessage(`The ${plane} view is oblique: nothing cleared.`);
    const n = session.clearPlane(at.normal, at.fixed, selected);
    setMessage(n ? `Cleared ${n} voxels on the ${plane} slice.` : `No ${organ?.tg263 ?? 'organ'} on the ${plane} slice shown.`);
  };
  const interpolate = () => {
    if (selected === null) return;
    const r = session.interpolate(selected);
    setMessage(
      r.filled.length
        ? `Interpolated ${r.filled.length} slice${r.filled.length > 1 ? 's' : ''} between ${r.pairs.map(([a, b]) => `${a + 1}–${b + 1}`).join(', ')}.`
        : 'Nothing to interpolate: draw the organ on two axial slices with empty slices between them.',
    );
  };
  const toggle = (t: Exclude<EditTool, 'none'>) => session.setTool(snap.tool === t ? 'none' : t);
  return (
    <div className="oar-controls edit-controls" data-testid="edit-controls" data-tool={snap.tool}>
      <div className="oar-row">
        <span className="muted small" data-testid="edit-target">
          {running ? 'Editing waits for the segmentation to finish' : organ ? `Edit ${organ.tg263}` : 'Select an organ to edit'}
        </span>
      </div>
      <div className="oar-row">
        <div className="oar-seg" role="group" aria-label="Edit tool">
          {TOOLS.map((t) => (
            <button
              key={t.tool}
              className={snap.tool === t.tool ? 'active' : ''}
              aria-pressed={snap.tool === t.tool}
              disabled={!organ}
              onClick={() => toggle(t.tool)}
              data-testid={`tool-${t.tool}`}
              title={t.title}
            >
              {t.label}
            </button>
          ))}
        </div>
        <label className="small" title="Brush radius in mm">
          r{' '}
          <input
            type="number"
            min={0.5}
            max={100}
            step={0.5}
            value={snap.radiusMm}
            style={{ width: '4em' }}
            data-testid="brush-radius"
            onChange={(e) => session.setRadius(Number(e.target.value))}
          />{' '}
          mm
        </label>
      </div>
      <ThresholdControl session={session} snap={snap} disabled={!organ} />
      <div className="oar-row">
        <span className="small" title="Remove the selected organ from the slice shown in a view">
          Clear on slice
        </span>
        <div className="oar-seg" role="group" aria-label="Clear on slice">
          {PLANES.map((p) => (
            <button
              key={p}
              disabled={!organ}
              onClick={() => clear(p)}
              data-testid={p === 'axial' ? 'clear-slice' : `clear-slice-${p}`}
              title={`Remove the selected organ from the ${p} slice shown`}
            >
              {VIEW_LABEL[p]}
            </button>
          ))}
        </div>
      </div>
      <div className="oar-row">
        <button
          disabled={!organ}
          onClick={interpolate}
          data-testid="edit-interpolate"
          title="Fill the empty axial slices between drawn slices of the selected organ (shape-based interpolation, background voxels only)"
        >
          Interpolate
        </button>
        <button disabled={!snap.canUndo || running} onClick={() => session.undo()} data-testid="edit-undo" title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button
          disabled={!snap.canRedo || running}
          onClick={() => session.redo()}
          data-testid="edit-redo"
          title="Redo (Ctrl+Shift+Z)"
        >
          Redo
        </button>
      </div>
      {message && (
        <div className="muted small" role="status" data-testid="edit-message">
          {message}
        </div>
      )}
    </div>
  );
}
