/**
 * Engine state machine for the UI (DOM-free, so it also runs under Node): backend selection, model
 * list and loading, runs, cancel, and recovery after a WebGPU device loss. The React panel subscribes
 * to it; one controller per page (getEngineController), so remounting the panel keeps the backend and
 * the loaded model. In a page the engine itself runs in a dedicated Web Worker (worker/client.ts); in
 * Node (and with `host: 'main-thread'`) on the calling thread (worker/host.ts). The state, the events and
 * the onSlice / onProgress deliveries are the same either way.
 */
import type { CtVolume } from '../volume/volume';
import type { ProtocolId } from '../organs';
import type { BackendName, BackendNotice, BackendOptions } from './backend';
import type { SegmentProgress, SegmentReport, SegmentResult } from './engine';
import { EngineError, isEngineError, type EngineErrorCode } from './errors';
import { defaultModel, type ModelIndexEntry, type ModelManifest } from './manifest';
import { loadModelIndex, type FetchFunc, type LoadedModel } from './model';
import { dispatchProgress, dispatchRunEnd } from './progressEvent';
import { throttleProgress } from './progressThrottle';
import { sharedWorkerHost, WorkerHost } from './worker/client';
import { runUsesEveryCore } from './wasmThreads';
import { ShardedHost } from './worker/shards';
import { InProcessHost, type EngineHost, type EngineModel } from './worker/host';

export type EngineStatus = 'idle' | 'starting' | 'loading-model' | 'ready' | 'running' | 'cancelling' | 'error';

export interface EngineState {
  status: EngineStatus;
  notice: BackendNotice | null;
  models: ModelIndexEntry[];
  modelId: string | null;
  manifest: ModelManifest | null;
  /** 0..1 while weights download */
  loadFraction: number;
  weightsSource: LoadedModel['source'] | null;
  cacheNote: string;
  progress: SegmentProgress | null;
  error: { code: EngineErrorCode; message: string; retry: boolean } | null;
  lastReport: SegmentReport | null;
}

export interface ControllerOptions {
  /** App base URL ('/' or Vite's BASE_URL); models are under `${baseUrl}models/`. */
  baseUrl: string;
  backend?: BackendOptions;
  fetchFunc?: FetchFunc;
  /** Cache weights in IndexedDB (browser). */
  cache?: boolean;
  /**
   * Where the engine runs: 'worker' (a dedicated Web Worker, the default where there is one and a DOM),
   * 'main-thread' (the calling thread: Node, the benchmark's "before"), or a host object.
   */
  host?: 'worker' | 'main-thread' | EngineHost;
  /** The panel's progress figures change at most this often, in ms (default PROGRESS_DISPLAY_MS). */
  progressDisplayMs?: number;
}

function makeHost(opts: ControllerOptions): EngineHost {
  const h = opts.host ?? (typeof Worker !== 'undefined' && typeof document !== 'undefined' ? 'worker' : 'main-thread');
  if (typeof h === 'object') return h;
  if (h === 'main-thread') return new InProcessHost(opts.fetchFunc);
  // the page's shared worker unless this controller fetches its own way; on wasm more workers beside it
  const fetchFunc = opts.fetchFunc;
  const primary = fetchFunc ? new WorkerHost({ fetchFunc }) : sharedWorkerHost();
  return new ShardedHost(primary, () => new WorkerHost(fetchFunc ? { fetchFunc } : {}));
}

export interface RunRequest {
  protocol: ProtocolId;
  confidence?: boolean;
  onSlice?: (k: number, labels: Uint8Array, confidence?: Uint8Array) => void;
  /** Connected-component clean-up after the run (default on; engine.ts SegmentOptions.cleanup). */
  cleanup?: boolean;
}

/** The panel's progress figures change at most this often (progressThrottle.ts); the DOM event stays per batch. */
const PROGRESS_DISPLAY_MS = 250;

const initial: EngineState = {
  status: 'idle',
  notice: null,
  models: [],
  modelId: null,
  manifest: null,
  loadFraction: 0,
  weightsSource: null,
  cacheNote: '',
  progress: null,
  error: null,
  lastReport: null,
};

function toError(e: unknown): EngineState['error'] {
  const err = isEngineError(e) ? e : new EngineError('internal', e instanceof Error ? e.message : String(e));
  return {
    code: err.code,
    message: err.message,
    retry: err.code === 'device-lost' || err.code === 'model-load' || err.code === 'backend' || err.code === 'internal',
  };
}

export class EngineController {
  private state: EngineState = initial;
  private readonly listeners = new Set<() => void>();
  private model: EngineModel | null = null;
  private abort: AbortController | null = null;
  private starting: Promise<void> | null = null;
  /** Where the engine runs (worker/host.ts). */
  readonly host: EngineHost;

  constructor(private readonly opts: ControllerOptions) {
    this.host = makeHost(opts);
  }

  getState = (): EngineState => this.state;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  private set(patch: Partial<EngineState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  /** Backend, model list and the default model. Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.doStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async doStart() {
    if (this.state.status !== 'idle' && this.state.status !== 'error') return;
    this.set({ status: 'starting', error: null });
    try {
      const notice = this.state.notice ?? (await this.host.selectBackend(this.opts.backend ?? {}));
      this.set({ notice });
      const index = await loadModelIndex(this.opts.baseUrl, this.opts.fetchFunc);
      if (index.models.length === 0)
        throw new EngineError('model-load', 'No segmentation model is installed (public/models/index.json lists none).');
      this.set({ models: index.models });
      const entry = (this.state.modelId && index.models.find((m) => m.id === this.state.modelId)) || defaultModel(index)!;
      await this.load(entry);
    } catch (e) {
      this.set({ status: 'error', error: toError(e) });
    }
  }

  private async load(entry: ModelIndexEntry) {
    this.set({ status: 'loading-model', modelId: entry.id, manifest: null, loadFraction: 0, error: null });
    this.model?.dispose();
    this.model = null;
    const m = await this.host.loadModel(`${this.opts.baseUrl}${entry.path}`, {
      cache: this.opts.cache,
      label: entry.path,
      onProgress: (f) => this.set({ loadFraction: f }),
    });
    this.model = m;
    this.set({ status: 'ready', manifest: m.manifest, loadFraction: 1, weightsSource: m.source, cacheNote: m.cacheNote });
  }

  async selectModel(id: string): Promise<void> {
    if (this.state.status === 'running' || this.state.status === 'cancelling')
      throw new EngineError('busy', 'Wait for the running segmentation to finish before switching models.');
    const entry = this.state.models.find((m) => m.id === id);
    if (!entry) throw new EngineError('model-load', `Unknown model "${id}".`);
    try {
      await this.load(entry);
    } catch (e) {
      this.set({ status: 'error', error: toError(e) });
    }
  }

  /** Runs one segmentation; null when it was cancelled or failed (the state says why). */
  async segment(ct: CtVolume, req: RunRequest): Promise<SegmentResult | null> {
    if (this.state.status === 'running' || this.state.status === 'cancelling')
      throw new EngineError('busy', 'A segmentation is already running.');
    if (!this.model || this.state.status !== 'ready') throw new EngineError('model-load', 'The model is not loaded yet.');
    this.abort = new AbortController();
    this.set({ status: 'running', error: null, progress: null });
    const cores = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1;
    const usesEveryCore = runUsesEveryCore(this.state.notice, cores);
    const showProgress = throttleProgress(
      (progress) => this.set({ progress }),
      this.opts.progressDisplayMs ?? PROGRESS_DISPLAY_MS,
    );
    try {
      const r = await this.host.segment(this.model, ct, {
        protocol: req.protocol,
        confidence: req.confidence,
        signal: this.abort.signal,
        onSlice: req.onSlice,
        ...(req.cleanup === false ? { cleanup: false } : {}),
        onProgress: (progress) => {
          showProgress(progress);
          dispatchProgress({ ...progress, usesEveryCore });
        },
      });
      this.set({ status: 'ready', lastReport: r.report });
      return r.report.completed ? r : null;
    } catch (e) {
      const error = toError(e);
      this.set({ status: 'error', error });
      return null;
    } finally {
      showProgress.cancel();
      this.abort = null;
      dispatchRunEnd();
    }
  }

  cancel(): void {
    if (this.abort && !this.abort.signal.aborted) {
      this.abort.abort();
      this.set({ status: 'cancelling' });
    }
  }

  /**
   * The user picks a backend (or 'auto', the ranked order): switch to it and load the model again on it
   * (weights come from the IndexedDB cache). Not while a run is going.
   */
  async setBackend(choice: BackendName | 'auto'): Promise<void> {
    if (this.state.status === 'running' || this.state.status === 'cancelling')
      throw new EngineError('busy', 'Wait for the running segmentation to finish before switching backends.');
    if (this.starting) await this.starting;
    this.opts.backend = { ...this.opts.backend, order: choice === 'auto' ? undefined : [choice] };
    this.model?.dispose();
    this.model = null;
    this.set({ status: 'starting', error: null, notice: null });
    try {
      const notice = await this.host.selectBackend(this.opts.backend ?? {});
      this.set({ notice });
      if (this.state.models.length === 0) {
        this.set({ status: 'idle' });
        await this.start();
        return;
      }
      await this.loadSelected();
    } catch (e) {
      this.set({ status: 'error', error: toError(e) });
    }
  }

  /** Loads the selected model (or the first one listed). */
  private async loadSelected(): Promise<void> {
    const entry = this.state.models.find((m) => m.id === this.state.modelId) ?? this.state.models[0];
    await this.load(entry);
  }

  /** After an error: a device loss re-creates the WebGPU device; then the model is loaded again. */
  async retry(): Promise<void> {
    const err = this.state.error;
    this.set({ error: null });
    try {
      if (err?.code === 'device-lost') {
        this.model = null; // its weights died with the device
        this.set({ status: 'starting', notice: await this.host.resetWebGpu(this.opts.backend ?? {}) });
      }
      if (!this.state.notice || this.state.models.length === 0) {
        this.set({ status: 'idle' });
        await this.start();
        return;
      }
      await this.loadSelected();
    } catch (e) {
      this.set({ status: 'error', error: toError(e) });
    }
  }

  dispose(): void {
    this.cancel();
    this.model?.dispose();
    this.model = null;
  }
}

let shared: EngineController | null = null;
/** The page's controller (created on first use with these options). */
export function getEngineController(opts: ControllerOptions): EngineController {
  shared ??= new EngineController(opts);
  return shared;
}
