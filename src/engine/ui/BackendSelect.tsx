/**
 * Backend choice in the panel: Automatic (ranked by what the machine offers, backendRank.ts) or one
 * backend. The choice goes into the page URL (`?backend=`), so a reload keeps it.
 */
import type { BackendName } from '../backend';
import type { EngineController, EngineState } from '../controller';

const OPTIONS: { value: BackendName | 'auto'; label: string }[] = [
  { value: 'auto', label: 'Automatic' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WebAssembly (CPU)' },
];

export function BackendSelect({ state, engine, disabled }: { state: EngineState; engine: EngineController; disabled: boolean }) {
  const notice = state.notice;
  const value = !notice ? 'auto' : notice.choice === 'auto' ? 'auto' : notice.backend;
  // WebAssembly says how many workers and threads it runs on (wasmThreads.ts); the notice above says why
  const t = notice?.threads?.threads;
  const w = notice?.workers?.count ?? 1;
  const label = (v: BackendName | 'auto') => {
    const base = OPTIONS.find((x) => x.value === v)?.label ?? v;
    if (v !== 'wasm' || !t) return base;
    const threads = `${t} thread${t === 1 ? '' : 's'}`;
    return `WebAssembly (CPU, ${w > 1 ? `${w} workers x ${threads}` : threads})`;
  };
  function choose(v: BackendName | 'auto') {
    const url = new URL(window.location.href);
    if (v === 'auto') url.searchParams.delete('backend');
    else url.searchParams.set('backend', v);
    window.history.replaceState(null, '', url);
    void engine.setBackend(v).catch((e: unknown) => console.warn(e));
  }
  return (
    <label className="seg-row">
      <span>Backend</span>
      <select
        data-testid="backend-select"
        value={value}
        disabled={disabled || state.status === 'starting' || state.status === 'loading-model'}
        onChange={(e) => choose(e.target.value as BackendName | 'auto')}
        title={`Automatic: a GPU when there is one, WebAssembly when the GPU APIs run on a software renderer${notice?.workers ? `\nWebAssembly: ${notice.workers.reason}` : ''}${notice?.threads ? `\nWebAssembly threads: ${notice.threads.reason}` : ''}`}
      >
        {OPTIONS.map((o) => (
          <option key={o.value} value={o.value}>
            {o.value === 'auto' && notice?.choice === 'auto' ? `Automatic: ${label(notice.backend)}` : label(o.value)}
          </option>
        ))}
      </select>
    </label>
  );
}
