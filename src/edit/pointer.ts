/**
 * Pointer handling of the edit tools on one viewport (DOM + the viewer's probe, no React): the brush / eraser
 * (disks along the drag, a circle follows the pointer) and the freehand region (a closed path drawn as an SVG
 * outline, filled or erased on release). The handlers sit on the viewport element in the capture phase, so
 * while a tool is on, Cornerstone's own tools do not see the drag. Canvas points become voxels through
 * viewport.canvasToWorld (viewer.probe) and the CT's LPS -> voxel mapping.
 */
import { lpsToVoxel } from '../dicom/coords';
import type { CtVolume } from '../volume/volume';
import type { PlaneId, ViewerApi } from '../viewer/viewer';
import { toPlane, type Point2 } from './freehand';
import type { EditSession } from './session';

export const PLANES: PlaneId[] = ['axial', 'coronal', 'sagittal'];

/**
 * The voxel axis normal to a view, from three probes around a canvas point: the axis whose index stays the
 * same (null for an oblique view).
 */
export function normalAxis(viewer: ViewerApi, plane: PlaneId, p: [number, number]): 0 | 1 | 2 | null {
  const a = viewer.probe(plane, p);
  const b = viewer.probe(plane, [p[0] + 40, p[1]]);
  const c = viewer.probe(plane, [p[0], p[1] + 40]);
  if (!a || !b || !c) return null;
  const same = ([0, 1, 2] as const).filter((d) => a.voxel[d] === b.voxel[d] && a.voxel[d] === c.voxel[d]);
  return same.length === 1 ? same[0] : null;
}

/** The plane a view shows now: its normal voxel axis and the index along it (from the viewport's centre). */
export function currentPlane(viewer: ViewerApi, plane: PlaneId): { normal: 0 | 1 | 2; fixed: number } | null {
  const el = viewer.renderingEngine.getViewport(viewer.viewportIds[plane])?.element;
  if (!el) return null;
  const c: [number, number] = [el.clientWidth / 2, el.clientHeight / 2];
  const normal = normalAxis(viewer, plane, c);
  const info = viewer.probe(plane, c);
  if (normal === null || !info) return null;
  const fixed = info.voxel[normal];
  return fixed >= 0 && fixed < viewer.ct.dims[normal] ? { normal, fixed } : null;
}

function viewportElement(viewer: ViewerApi, plane: PlaneId): HTMLDivElement | undefined {
  return viewer.renderingEngine.getViewport(viewer.viewportIds[plane])?.element as HTMLDivElement | undefined;
}

const canvasXY = (el: HTMLElement, e: PointerEvent | MouseEvent): [number, number] => {
  const r = el.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
};

const block = (e: Event) => {
  e.stopPropagation();
  e.preventDefault();
};

/** Installs capture-phase listeners; returns their removal. */
function listen(
  el: HTMLElement,
  handlers: Partial<
    Record<'pointerdown' | 'pointermove' | 'pointerup' | 'pointercancel' | 'mousedown', (e: PointerEvent) => void>
  >,
  leave: () => void,
): () => void {
  const entries = Object.entries(handlers) as [string, (e: PointerEvent) => void][];
  for (const [t, h] of entries) el.addEventListener(t, h as EventListener, true);
  el.addEventListener('pointerleave', leave);
  return () => {
    for (const [t, h] of entries) el.removeEventListener(t, h as EventListener, true);
    el.removeEventListener('pointerleave', leave);
  };
}

/** Brush / eraser pointer handling and the brush circle on one viewport. Returns the cleanup. */
export function attachBrush(
  plane: PlaneId,
  viewer: ViewerApi,
  ct: CtVolume,
  session: EditSession,
  selected: () => number | null,
): () => void {
  const el = viewportElement(viewer, plane);
  if (!el) return () => {};
  const circle = document.createElement('div');
  circle.className = 'edit-brush-circle';
  circle.dataset.testid = `brush-circle-${plane}`;
  Object.assign(circle.style, {
    position: 'absolute',
    pointerEvents: 'none',
    border: '1px solid #ffeb3b',
    borderRadius: '50%',
    display: 'none',
    zIndex: '5',
    boxSizing: 'border-box',
  });
  el.appendChild(circle);
  const pxPerMm = (p: [number, number]): number => {
    const a = viewer.probe(plane, p);
    const b = viewer.probe(plane, [p[0] + 20, p[1]]);
    if (!a || !b) return 1;
    const d = Math.hypot(a.lps[0] - b.lps[0], a.lps[1] - b.lps[1], a.lps[2] - b.lps[2]);
    return d > 0 ? 20 / d : 1;
  };
  const showCircle = (p: [number, number]) => {
    const d = 2 * session.radiusMm * pxPerMm(p);
    Object.assign(circle.style, {
      display: 'block',
      width: `${d}px`,
      height: `${d}px`,
      left: `${p[0] - d / 2}px`,
      top: `${p[1] - d / 2}px`,
      borderStyle: session.threshold ? 'dashed' : 'solid',
    });
  };
  const voxel = (p: [number, number]) => {
    const info = viewer.probe(plane, p);
    return info && info.voxel.every((x, a) => x >= 0 && x < ct.dims[a]) ? info.voxel : null;
  };
  let active = false;
  const down = (e: PointerEvent) => {
    const channel = selected();
    if (e.button !== 0 || channel === null) return;
    block(e);
    const p = canvasXY(el, e);
    const v = voxel(p);
    const normal = normalAxis(viewer, plane, p);
    if (!v || normal === null) return;
    active = true;
    el.setPointerCapture?.(e.pointerId);
    session.strokeStart(normal, v, channel);
  };
  const move = (e: PointerEvent) => {
    const p = canvasXY(el, e);
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
  const off = listen(
    el,
    { pointerdown: down, pointermove: move, pointerup: up, pointercancel: up, mousedown: mouse },
    () => (circle.style.display = 'none'),
  );
  return () => {
    if (active) session.strokeEnd();
    off();
    circle.remove();
  };
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * Freehand region on one viewport: press, draw a closed path, release; the region inside (on the plane
 * shown) is filled with the organ (tool 'fill') or erased from it ('cut'). The path shows as an outline.
 */
export function attachFreehand(
  plane: PlaneId,
  viewer: ViewerApi,
  ct: CtVolume,
  session: EditSession,
  selected: () => number | null,
): () => void {
  const el = viewportElement(viewer, plane);
  if (!el) return () => {};
  const svg = document.createElementNS(SVG, 'svg');
  svg.dataset.testid = `freehand-${plane}`;
  Object.assign(svg.style, {
    position: 'absolute',
    left: '0',
    top: '0',
    width: '100%',
    height: '100%',
    pointerEvents: 'none',
    zIndex: '5',
  });
  const path = document.createElementNS(SVG, 'polygon');
  path.setAttribute('fill', 'rgba(255, 235, 59, 0.15)');
  path.setAttribute('stroke', '#ffeb3b');
  path.setAttribute('stroke-width', '1.5');
  svg.appendChild(path);
  el.appendChild(svg);
  let drawing: { normal: 0 | 1 | 2; fixed: number; channel: number; canvas: [number, number][]; points: Point2[] } | null = null;
  const continuous = (p: [number, number]) => {
    const info = viewer.probe(plane, p);
    return info ? lpsToVoxel(ct, info.lps) : null;
  };
  const redraw = () =>
    path.setAttribute('points', drawing ? drawing.canvas.map((q) => `${q[0].toFixed(1)},${q[1].toFixed(1)}`).join(' ') : '');
  const down = (e: PointerEvent) => {
    const channel = selected();
    if (e.button !== 0 || channel === null) return;
    block(e);
    const p = canvasXY(el, e);
    const normal = normalAxis(viewer, plane, p);
    const info = viewer.probe(plane, p);
    const v = continuous(p);
    if (normal === null || !info || !v) return;
    const fixed = info.voxel[normal];
    if (fixed < 0 || fixed >= ct.dims[normal]) return;
    drawing = { normal, fixed, channel, canvas: [p], points: [toPlane(normal, v)] };
    el.setPointerCapture?.(e.pointerId);
    redraw();
  };
  const move = (e: PointerEvent) => {
    if (!drawing) return;
    block(e);
    const p = canvasXY(el, e);
    const v = continuous(p);
    if (!v) return;
    drawing.canvas.push(p);
    drawing.points.push(toPlane(drawing.normal, v));
    redraw();
  };
  const up = (e: PointerEvent) => {
    if (!drawing) return;
    block(e);
    const d = drawing;
    drawing = null;
    redraw();
    session.fillRegion(d.normal, d.fixed, d.points, d.channel, session.tool === 'cut' ? 'erase' : 'brush');
  };
  const mouse = (e: MouseEvent) => {
    if (selected() !== null && e.button === 0) block(e);
  };
  const off = listen(el, { pointerdown: down, pointermove: move, pointerup: up, pointercancel: up, mousedown: mouse }, () => {});
  return () => {
    off();
    svg.remove();
  };
}
