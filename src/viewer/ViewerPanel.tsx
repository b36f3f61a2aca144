/**
 * The MPR layout: a large axial viewport and sagittal + coronal beside it, each with orientation labels,
 * slice position and window readouts, and the HU under the cursor.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { CtVolume, Vec3 } from '../volume/volume';
import { edgeLabels, type EdgeLabels } from './orientation';
import { createViewer, PLANE_COLOURS, PLANES, type CursorInfo, type PlaneId, type ViewerApi } from './viewer';

const TITLES: Record<PlaneId, string> = { axial: 'Axial', sagittal: 'Sagittal', coronal: 'Coronal' };
const AXIS_NAME: Record<PlaneId, string> = { axial: 'Z', sagittal: 'X', coronal: 'Y' };

// Viewers are created one after another: two engines must never attach to the same elements at once
// (React StrictMode mounts, unmounts and remounts effects).
let queue: Promise<unknown> = Promise.resolve();

/** Re-render on every viewer change (camera, window, crosshairs). */
function useViewerVersion(api: ViewerApi | null): number {
  const version = useRef(0);
  const subscribe = useCallback(
    (cb: () => void) =>
      api
        ? api.subscribe(() => {
            version.current++;
            cb();
          })
        : () => {},
    [api],
  );
  return useSyncExternalStore(subscribe, () => version.current);
}

const fmt = (v: number, d = 1) => (Object.is(v, -0) ? 0 : v).toFixed(d);

function ViewportOverlay({ api, plane, cursor }: { api: ViewerApi; plane: PlaneId; cursor: CursorInfo | null }) {
  useViewerVersion(api);
  const vp = api.renderingEngine.getViewport(api.viewportIds[plane]);
  if (!vp) return null;
  const cam = vp.getCamera();
  const labels: EdgeLabels | null =
    cam.viewUp && cam.viewPlaneNormal ? edgeLabels(cam.viewUp as Vec3, cam.viewPlaneNormal as Vec3) : null;
  const info = api.sliceInfo(plane);
  const { window, level } = api.getWindow();
  return (
    <div className="vp-overlay">
      <div className="vp-corner tl">
        <span className="vp-title" style={{ color: PLANE_COLOURS[plane] }}>
          {TITLES[plane]}
        </span>
        <span data-testid={`slice-index-${plane}`}>
          Im {info.index + 1} / {info.count}
        </span>
        <span data-testid={`slice-pos-${plane}`}>
          {AXIS_NAME[plane]} {fmt(info.positionMm, 2)} mm
        </span>
      </div>
      <div className="vp-corner tr">
        <span data-testid={`window-${plane}`}>
          W {Math.round(window)} L {Math.round(level)}
        </span>
      </div>
      {cursor && (
        <div className="vp-corner bl" data-testid={`hu-${plane}`}>
          <span className="vp-hu">{cursor.hu === null ? 'outside' : `${cursor.hu} HU`}</span>
          <span>
            ({fmt(cursor.lps[0])}, {fmt(cursor.lps[1])}, {fmt(cursor.lps[2])}) mm
          </span>
        </div>
      )}
      {labels && (
        <>
          <span className="vp-orient top" data-testid={`orient-${plane}-top`}>
            {labels.top}
          </span>
          <span className="vp-orient bottom" data-testid={`orient-${plane}-bottom`}>
            {labels.bottom}
          </span>
          <span className="vp-orient left" data-testid={`orient-${plane}-left`}>
            {labels.left}
          </span>
          <span className="vp-orient right" data-testid={`orient-${plane}-right`}>
            {labels.right}
          </span>
        </>
      )}
    </div>
  );
}

export interface ViewerPanelProps {
  ct: CtVolume;
  /** Called with the API once the viewports show the volume, and with null when they go away. */
  onViewer: (api: ViewerApi | null) => void;
  onError: (message: string) => void;
}

export function ViewerPanel({ ct, onViewer, onError }: ViewerPanelProps) {
  const refs = useRef<Partial<Record<PlaneId, HTMLDivElement | null>>>({});
  const gridRef = useRef<HTMLDivElement>(null);
  const [api, setApi] = useState<ViewerApi | null>(null);
  const [cursor, setCursor] = useState<CursorInfo | null>(null);
  const hovered = useRef<PlaneId>('axial');

  useEffect(() => {
    let cancelled = false;
    let created: ViewerApi | null = null;
    queue = queue.then(async () => {
      if (cancelled) return;
      const els = refs.current;
      try {
        const a = await createViewer({ axial: els.axial!, sagittal: els.sagittal!, coronal: els.coronal! }, ct);
        if (cancelled) {
          a.destroy();
          return;
        }
        created = a;
        setApi(a);
        onViewer(a);
      } catch (e) {
        console.error(e);
        if (!cancelled)
          onError(
            `The viewer could not start: ${e instanceof Error ? e.message : String(e)}. WebGL may be disabled in this browser.`,
          );
      }
    });
    const grid = gridRef.current;
    const ro = new ResizeObserver(() => created?.renderingEngine.resize(true, true));
    if (grid) ro.observe(grid);
    return () => {
      cancelled = true;
      ro.disconnect();
      queue = queue.then(() => {
        if (created) {
          onViewer(null);
          created.destroy();
        }
      });
      setApi(null);
    };
    // The viewer is rebuilt only for a new volume; callbacks are stable refs in the app.
    // (so the hook deliberately lists only ct)
  }, [ct]);

  // Keyboard: arrows / page keys scroll the viewport under the mouse.
  useEffect(() => {
    if (!api) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
      const step = { ArrowUp: -1, ArrowDown: 1, PageUp: -10, PageDown: 10 }[e.key];
      if (step === undefined) return;
      api.scroll(hovered.current, step);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api]);

  const onMove = (plane: PlaneId) => (e: React.MouseEvent<HTMLDivElement>) => {
    hovered.current = plane;
    if (!api) return;
    const r = e.currentTarget.getBoundingClientRect();
    setCursor(api.probe(plane, [e.clientX - r.left, e.clientY - r.top]));
  };

  return (
    <div className="mpr-grid" ref={gridRef} data-testid="mpr-grid" data-ready={api ? 'true' : 'false'}>
      {PLANES.map((plane) => (
        <div
          key={plane}
          className={`vp vp-${plane}`}
          style={{ borderColor: PLANE_COLOURS[plane] }}
          onMouseMove={onMove(plane)}
          onMouseLeave={() => setCursor((c) => (c?.plane === plane ? null : c))}
          onContextMenu={(e) => e.preventDefault()}
        >
          <div
            className="vp-element"
            data-testid={`viewport-${plane}`}
            ref={(el) => {
              refs.current[plane] = el;
            }}
          />
          {api && <ViewportOverlay api={api} plane={plane} cursor={cursor?.plane === plane ? cursor : null} />}
        </div>
      ))}
    </div>
  );
}
