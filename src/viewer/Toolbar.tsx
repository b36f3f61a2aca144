/** Viewer toolbar: left-button tool, window presets, reset. Keyboard shortcuts are shown on hover. */
import { useEffect, useState } from 'react';
import { WINDOW_PRESETS } from './presets';
import type { PrimaryTool, ViewerApi } from './viewer';

const TOOLS: { id: PrimaryTool; label: string; key: string; hint: string }[] = [
  { id: 'windowLevel', label: 'W/L', key: 'w', hint: 'Window / level: drag left-right for width, up-down for level' },
  { id: 'crosshairs', label: 'Crosshairs', key: 'c', hint: 'Click or drag to move the linked crosshairs' },
  { id: 'pan', label: 'Pan', key: 'p', hint: 'Pan (also: middle button)' },
  { id: 'zoom', label: 'Zoom', key: 'z', hint: 'Zoom (also: right button)' },
];

export function Toolbar({ api }: { api: ViewerApi | null }) {
  const [tool, setTool] = useState<PrimaryTool>('windowLevel');
  const [preset, setPreset] = useState<string>(WINDOW_PRESETS[0].id);

  useEffect(() => {
    setTool('windowLevel');
    setPreset(WINDOW_PRESETS[0].id);
  }, [api]);

  useEffect(() => {
    if (!api) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.target instanceof HTMLInputElement) return;
      const p = WINDOW_PRESETS.find((w) => w.key === e.key);
      if (p) {
        api.setPreset(p);
        setPreset(p.id);
        return;
      }
      const t = TOOLS.find((x) => x.key === e.key.toLowerCase());
      if (t) {
        api.setPrimaryTool(t.id);
        setTool(t.id);
      } else if (e.key.toLowerCase() === 'r') api.resetView();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [api]);

  return (
    <div className="toolbar" role="toolbar" aria-label="Viewer tools">
      <div className="tb-group" aria-label="Left mouse button">
        {TOOLS.map((t) => (
          <button
            key={t.id}
            className={tool === t.id ? 'active' : ''}
            disabled={!api}
            title={`${t.hint} (${t.key.toUpperCase()})`}
            aria-pressed={tool === t.id}
            data-testid={`tool-${t.id}`}
            onClick={() => {
              api?.setPrimaryTool(t.id);
              setTool(t.id);
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tb-sep" />
      <div className="tb-group" aria-label="Window presets">
        {WINDOW_PRESETS.map((p) => (
          <button
            key={p.id}
            className={preset === p.id ? 'active' : ''}
            disabled={!api}
            title={`W ${p.window} / L ${p.level} (${p.key})`}
            aria-pressed={preset === p.id}
            data-testid={`preset-${p.id}`}
            onClick={() => {
              api?.setPreset(p);
              setPreset(p.id);
            }}
          >
            {p.label}
          </button>
        ))}
      </div>
      <div className="tb-sep" />
      <button disabled={!api} title="Reset zoom, pan and slices (R)" data-testid="reset-view" onClick={() => api?.resetView()}>
        Reset
      </button>
      <span className="tb-hint">Wheel: slices · Middle: pan · Right: zoom</span>
    </div>
  );
}
