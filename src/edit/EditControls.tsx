/**
 * Edit tools of the organ panel: brush / eraser for the selected organ (radius in mm, a circle follows the
 * pointer) in all three views, "clear on this slice" (axial), undo / redo (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y).
 * The pointer handler sits on each viewport in the capture phase, so while a tool is on, Cornerstone's own tools do not see the drag;
 * canvas points become voxels through the viewer's probe (viewport canvasToWorld).
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { CtVolume } from '../volume/volume';
import { organByChannel } from '../organs';
import { useProvenance } from '../overlay/ExportControls';
import type { OrganOverlay } from '../overlay/segmentation';
import type { PlaneId, ViewerApi } from '../viewer/viewer';
import { editSessionFor, type EditSession, type EditSnapshot } from './session';

const EMPTY: EditSnapshot = { tool: 'none', radiusMm: 5, canUndo: false, canRedo: false, edited: new Set() };
const noop = () => () => {};

export function useEditSession(overlay: OrganOverlay | null, ct: CtVolume): [EditSession | null, EditSnapshot] {
  const session = overlay ? editSessionFor(overlay, ct.dims, ct.spacing) : null;
  const snap = useSyncExternalStore(session?.subscribe ?? noop, session?.snapshot ?? (() => EMPTY));
  return [session, snap];
}

export interface EditControlsProps {
  ct: CtVolume;
  viewer: ViewerApi | null;
  overlay: OrganOverlay | null;
  selected: number | null;
}

function isTyping(t: EventTarget | null): boolean {
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
}

const PLANES: PlaneId[] = ['axial', 'coronal', 'sagittal'];

/**
 * The voxel axis normal to a view, from three probes around a canvas point: the axis whose index stays the
 * same (null for an oblique view).
 */
function normalAxis(viewer: ViewerApi, plane: PlaneId, p: [number, number]): 0 | 1 | 2 | null {
  const a = viewer.probe(plane, p);
  const b = viewer.probe(plane, [p[0] + 40, p[1]]);
  const c = viewer.probe(plane, [p[0], p[1] + 40]);
  if (!a || !b || !c) return null;
  const same = ([0, 1, 2] as const).filter((d) => a.voxel[d] === b.voxel[d] && a.voxel[d] === c.voxel[d]);
  return same.length === 1 ? same[0] : null;
}

/** Brush / eraser pointer handling and the brush circle on one viewport. Returns the cleanup. */
function attachBrush(plane: PlaneId, viewer: ViewerApi, ct: CtVolume, session: EditSession, selected: () => number | null): () => void {
  const el = viewer.renderingEngine.getViewport(viewer.viewportIds[plane])?.element as HTMLDivElement | undefined;
  if (!el) return () => {};
  const circle = document.createElement('div');
  circle.className = 'edit-brush-circle';
  circle.dataset.testid = `brush-circle-${plane}`;
  Object.assign(circle.style, { position: 'absolute', pointerEvents: 'none', border: '1px solid #ffeb3b', borderRadius: '50%', display: 'none', zIndex: '5', boxSizing: 'border-box' });
  el.appendChild(circle);
  const xy = (e: PointerEvent | MouseEvent): [number, number] => {
    const r = el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const pxPerMm = (p: [number, number]): number => {
    const a = viewer.probe(plane, p);
    const b = viewer.probe(plane, [p[0] + 20, p[1]]);
    if (!a || !b) return 1;
    const d = Math.hypot(a.lps[0] - b.lps[0], a.lps[1] - b.lps[1], a.lps[2] - b.lps[2]);
    return d > 0 ? 20 / d : 1;
  };
  const showCircle = (p: [number, number]) => {
    const d = 2 * session.radiusMm * pxPerMm(p);
    Object.assign(circle.style, { display: 'block', width: `${d}px`, height: `${d}px`, left: `${p[0] - d / 2}px`, top: `${p[1] - d / 2}px` });
  };
  const voxel = (p: [number, number]) => {
    const info = viewer.probe(plane, p);
    return info && info.voxel.every((x, a) => x >= 0 && x < ct.dims[a]) ? info.voxel : null;
  };
  let active = false;
  const block = (e: Event) => {
    e.stopPropagation();
    e.preventDefault();
  };
  const down = (e: PointerEvent) => {
    const channel = selected();
    if (e.button !== 0 || channel === null) return;
    block(e);
    const p = xy(e);
    const v = voxel(p);
    const normal = normalAxis(viewer, plane, p);
    if (!v || normal === null) return;
    active = true;
    el.setPointerCapture?.(e.pointerId);
    session.strokeStart(normal, v, channel);
  };
  const move = (e: PointerEvent) => {
    const p = xy(e);
    showCircle(p);
    if (!active) return;
    block(e);
    const v = voxel(p);
    if (v) session.strokeMove(v);
  };
  const up = (e: PointerEvent) => {
    if (!active) return;
    block(e);
    active = false;
    session.strokeEnd();
  };
  const mouse = (e: MouseEvent) => {
    if (selected() !== null && e.button === 0) block(e);
  };
  const leave = () => (circle.style.display = 'none');
  el.addEventListener('pointerdown', down, true);
  el.addEventListener('pointermove', move, true);
  el.addEventListener('pointerup', up, true);
  el.addEventListener('pointercancel', up, true);
  el.addEventListener('mousedown', mouse, true);
  el.addEventListener('pointerleave', leave);
  return () => {
    if (active) session.strokeEnd();
    el.removeEventListener('pointerdown', down, true);
    el.removeEventListener('pointermove', move, true);
    el.removeEventListener('pointerup', up, true);
    el.removeEventListener('pointercancel', up, true);
    el.removeEventListener('mousedown', mouse, true);
    el.removeEventListener('pointerleave', leave);
    circle.remove();
  };
}

export function EditControls({ ct, viewer, overlay, selected }: EditControlsProps) {
  const [session, snap] = useEditSession(overlay, ct);
  const prov = useProvenance(overlay);
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
    const cleanups = PLANES.map((plane) => attachBrush(plane, viewer, ct, session, () => selectedRef.current));
    return () => cleanups.forEach((c) => c());
  }, [session, viewer, snap.tool, ct]);

  if (!session || !overlay) return null;
  const organ = selected !== null && !running ? organByChannel(selected) : undefined;
  const clear = () => {
    if (!viewer || selected === null) return;
    // the slice under the viewport's centre (voxel k, whatever the display order of the planes)
    const el = viewer.renderingEngine.getViewport(viewer.viewportIds.axial)?.element;
    const info = el ? viewer.probe('axial', [el.clientWidth / 2, el.clientHeight / 2]) : null;
    if (info) session.clearSlice(info.voxel[2], selected);
  };
  const toggle = (t: 'brush' | 'erase') => session.setTool(snap.tool === t ? 'none' : t);
  return (
    <div className="oar-controls edit-controls" data-testid="edit-controls" data-tool={snap.tool}>
      <div className="oar-row">
        <span className="muted small" data-testid="edit-target">{running ? 'Editing waits for the segmentation to finish' : organ ? `Edit ${organ.tg263}` : 'Select an organ to edit'}</span>
      </div>
      <div className="oar-row">
        <div className="oar-seg" role="group" aria-label="Edit tool">
          <button className={snap.tool === 'brush' ? 'active' : ''} aria-pressed={snap.tool === 'brush'} disabled={!organ} onClick={() => toggle('brush')} data-testid="tool-brush"
            title="Paint the selected organ (any view)">Brush</button>
          <button className={snap.tool === 'erase' ? 'active' : ''} aria-pressed={snap.tool === 'erase'} disabled={!organ} onClick={() => toggle('erase')} data-testid="tool-erase"
            title="Erase the selected organ (any view)">Eraser</button>
        </div>
        <label className="small" title="Brush radius in mm">
          r <input type="number" min={0.5} max={100} step={0.5} value={snap.radiusMm} style={{ width: '4em' }} data-testid="brush-radius"
            onChange={(e) => session.setRadius(Number(e.target.value))} /> mm
        </label>
      </div>
      <div className="oar-row">
        <button disabled={!organ} onClick={clear} data-testid="clear-slice" title="Remove the selected organ from the axial slice shown">Clear on slice</button>
        <button disabled={!snap.canUndo || running} onClick={() => session.undo()} data-testid="edit-undo" title="Undo (Ctrl+Z)">Undo</button>
        <button disabled={!snap.canRedo || running} onClick={() => session.redo()} data-testid="edit-redo" title="Redo (Ctrl+Shift+Z)">Redo</button>
      </div>
    </div>
  );
}
