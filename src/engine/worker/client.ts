/**
 * The page's side of the engine worker: `WorkerHost` (an EngineHost for the EngineController) and
 * `segmentInWorker`, segmentVolume's shape for other callers. The worker starts on first use; if it dies,
 * pending calls fail with a retryable EngineError and the next call starts a fresh one (selecting the last
 * backend again first). The CT goes in once: copied in chunks (a few ms each, with a turn for the page in
 * between) and transferred; label slices come back transferred and are written into the page's own result
 * volume (assembler.ts, which also gives a cancel its main-thread semantics).
 */
import type { CtVolume } from '../../volume/volume';
import type { BackendNotice, BackendOptions } from '../backend';
import type { SegmentOptions, SegmentReport, SegmentResult } from '../engine';
import { EngineError } from '../errors';
import type { FetchFunc } from '../model';
import { gridGeometry, slabRange } from '../grid';
import { runRange } from '../batch';
import { RunAssembler, type RunTarget } from './assembler';
import type { EngineHost, EngineModel, LoadOptions } from './host';
import {
  fromWireError,
  type CallRequest,
  type PortLike,
  type ToPage,
  type ToWorker,
  type WireBackendOptions,
  type WireModel,
} from './protocol';

/** Voxels per CT chunk sent to the worker: 4 Mi (8 MiB of int16, a copy of a few ms). */
export const CT_CHUNK = 4 * 1024 * 1024;

/** A dedicated module worker running serve.ts (Vite bundles it as its own chunk). */
export function startEngineWorker(): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'aa-engine' });
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onMessage?: (m: ToPage) => void;
}

const absolute = (u: string) => (typeof location !== 'undefined' ? new URL(u, location.href).href : u);
const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

function wireOptions(o: BackendOptions): WireBackendOptions {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  // The page's own view of WebGPU decides (a page without navigator.gpu does not use the worker's either).
  const noGpu = o.gpu === null || (o.gpu === undefined && !nav?.gpu);
  return {
    ...(o.order ? { order: o.order } : {}),
    ...(noGpu ? { noGpu: true } : {}),
    ...(o.adapterOptions ? { adapterOptions: o.adapterOptions } : {}),
    ...(o.wasmPaths ? { wasmPaths: Object.fromEntries(Object.entries(o.wasmPaths).map(([k, v]) => [k, absolute(v!)])) } : {}),
    ...(o.wasmThreads !== undefined ? { wasmThreads: o.wasmThreads } : {}),
    ...(o.wasmSpareCores !== undefined ? { wasmSpareCores: o.wasmSpareCores } : {}),
  };
}

export interface WorkerHostOptions {
  /** Model files are fetched on the page with this (default: fetch). */
  fetchFunc?: FetchFunc;
  /** Creates the channel to the engine (default: startEngineWorker). Tests pass a MessagePort. */
  connect?: () => PortLike & { terminate?: () => void };
}

export class WorkerHost implements EngineHost {
  readonly kind = 'worker';
  private port: (PortLike & { terminate?: () => void }) | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** the last backend selected: a fresh worker selects it again before anything else */
  private backend: WireBackendOptions | null = null;
  private generation = 0;
  private readonly fetchFunc: FetchFunc;
  private readonly connect: NonNullable<WorkerHostOptions['connect']>;

  constructor(opts: WorkerHostOptions = {}) {
    this.fetchFunc = opts.fetchFunc ?? ((input, init) => globalThis.fetch(input, init));
    this.connect = opts.connect ?? startEngineWorker;
  }

  private ensure(): PortLike {
    if (this.port) return this.port;
    const port = this.connect();
    const generation = ++this.generation;
    port.addEventListener('message', (ev) => this.onMessage(ev.data as ToPage));
    const dead = (ev: Event) => {
      if (this.generation !== generation) return;
      const why =
        typeof ErrorEvent !== 'undefined' && ev instanceof ErrorEvent && ev.message
          ? ev.message
          : 'it could not start or crashed';
      this.fail(new EngineError('internal', `The engine worker stopped (${why}). Press Retry to start it again.`));
    };
    (port as unknown as EventTarget).addEventListener?.('error', dead);
    (port as unknown as EventTarget).addEventListener?.('messageerror', dead);
    port.start?.();
    this.port = port;
    return port;
  }

  /** Every pending call fails; the next call starts a fresh worker. */
  private fail(e: Error) {
    this.port?.terminate?.();
    this.port = null;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  private onMessage(m: ToPage) {
    if (m.t === 'fetch') {
      void this.serveFetch(m.fid, m.url, m.method);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'reply') {
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(fromWireError(m.error));
    } else p.onMessage?.(m);
  }

  private async serveFetch(fid: number, url: string, method?: string) {
    const port = this.port;
    const reply = (m: ToWorker, transfer: Transferable[] = []) => port?.postMessage(m, transfer);
    try {
      const res = await this.fetchFunc(url, method ? { method } : undefined);
      const body = await res.arrayBuffer();
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => headers.push([k, v]));
      reply({ t: 'fetch-reply', fid, ok: true, status: res.status, statusText: res.statusText, headers, body }, [body]);
    } catch (e) {
      reply({ t: 'fetch-reply', fid, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Posts a call (after `before`, e.g. the CT chunks) and waits for its reply. */
  private call<T>(req: CallRequest, extra: { onMessage?: (m: ToPage) => void; id?: number } = {}): Promise<T> {
    const port = this.ensure();
    const id = extra.id ?? this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onMessage: extra.onMessage });
      port.postMessage({ t: 'call', id, ...req } satisfies ToWorker);
    });
  }

  /** A fresh worker has no backend yet: select the last one again. */
  private async ready(): Promise<void> {
    if (!this.port && this.backend) await this.call<BackendNotice>({ method: 'select', opts: this.backend });
  }

  async selectBackend(opts: BackendOptions): Promise<BackendNotice> {
    const wire = wireOptions(opts);
    const notice = await this.call<BackendNotice>({ method: 'select', opts: wire });
    this.backend = wire;
    return notice;
  }

  async resetWebGpu(opts: BackendOptions): Promise<BackendNotice> {
    const wire = wireOptions(opts);
    const notice = await this.call<BackendNotice>({ method: 'reset-webgpu', opts: wire });
    this.backend = { ...wire, order: wire.order ?? ['webgpu', 'webgl', 'wasm'] };
    return notice;
  }

  async loadModel(packageUrl: string, opts: LoadOptions): Promise<EngineModel> {
    await this.ready();
    const id = this.nextId++;
    const w = await this.call<WireModel>(
      { method: 'load', url: packageUrl, cache: opts.cache ?? true, label: opts.label ?? packageUrl },
      { id, onMessage: (m) => m.t === 'load-progress' && opts.onProgress?.(m.fraction) },
    );
    const generation = this.generation;
    return new WorkerModel(
      w,
      () => {
        // a model of a worker that has gone needs no release
        if (this.port && this.generation === generation)
          void this.call({ method: 'dispose-model', handle: w.handle }).catch(() => {});
      },
      generation,
    );
  }

  /**
   * `into`: the page's result volumes to write into (default: new ones). With `opts.slices` only the CT slices that
   * range reads go to the worker (the rest of its copy stays zero, pages never touched).
   */
  async segment(model: EngineModel, ct: CtVolume, opts: SegmentOptions, into?: RunTarget): Promise<SegmentResult> {
    if (!(model instanceof WorkerModel) || model.generation !== this.generation || !this.port) {
      throw new EngineError(
        'model-load',
        'The engine worker was restarted since this model was loaded; load the model again (Retry).',
      );
    }
    const [cols, rows, nSlices] = ct.dims;
    const asm = new RunAssembler(cols * rows, nSlices, !!opts.confidence, opts.onSlice, opts.onProgress, into);
    const id = this.nextId++;
    const port = this.port;
    const { hu, ...header } = ct;
    const huType = hu instanceof Int16Array ? 'int16' : 'float32';
    const [from, to] = voxelsRead(ct, model.manifest.input, opts.slices);
    // The CT goes in once, in chunks copied between page tasks (the viewer keeps its own buffer).
    for (let offset = from; offset < to; offset += CT_CHUNK) {
      const data = hu.slice(offset, Math.min(to, offset + CT_CHUNK));
      port.postMessage({ t: 'ct-part', id, offset, data, huType, huLength: hu.length } satisfies ToWorker, [data.buffer]);
      if (offset + CT_CHUNK < to) await nextTask();
      if (this.port !== port)
        throw new EngineError(
          'internal',
          'The engine worker stopped while the CT was sent to it. Press Retry to start it again.',
        );
    }
    const signal = opts.signal;
    const onAbort = () => {
      asm.stop();
      this.port?.postMessage({ t: 'cancel', id } satisfies ToWorker);
    };
    signal?.addEventListener('abort', onAbort);
    try {
      const { signal: _s, onSlice: _o, onProgress: _p, ...wireOpts } = opts;
      const reply = this.call<SegmentReport>(
        { method: 'segment', handle: model.handle, ct: { ...header, huType, huLength: hu.length }, opts: wireOpts },
        {
          id,
          onMessage: (m) => {
            if (m.t === 'slice') asm.slice(m.k, m.labels, m.confidence);
            else if (m.t === 'progress') asm.progress(m.p);
          },
        },
      );
      // cancelled while the CT was being sent: the call is posted, so the worker gets the cancel after it
      if (signal?.aborted) onAbort();
      const report = await reply;
      return asm.finish(report);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  dispose(): void {
    this.backend = null;
    this.fail(new EngineError('cancelled', 'The engine was closed.'));
  }
}

/** Voxel range [from, to) of the CT that the predictions of `slices` read (all of it when not a range). */
export function voxelsRead(
  ct: CtVolume,
  input: EngineModel['manifest']['input'],
  slices: SegmentOptions['slices'],
): [number, number] {
  const npx = ct.dims[0] * ct.dims[1];
  if (!slices) return [0, ct.hu.length];
  try {
    const r = runRange(slices, ct.dims[2]);
    const [first, last] = slabRange(gridGeometry(ct, input), r.start, r.end - r.start);
    return [first * npx, Math.min(ct.hu.length, (last + 1) * npx)];
  } catch {
    return [0, ct.hu.length]; // the worker reports what is wrong with the range or the geometry
  }
}

class WorkerModel implements EngineModel {
  readonly handle: number;
  readonly manifest: WireModel['manifest'];
  readonly source: WireModel['source'];
  readonly cacheNote: string;
  constructor(
    w: WireModel,
    private readonly release: () => void,
    readonly generation: number,
  ) {
    this.handle = w.handle;
    this.manifest = w.manifest;
    this.source = w.source;
    this.cacheNote = w.cacheNote;
  }
  dispose(): void {
    this.release();
  }
}

let shared: WorkerHost | null = null;
/** The page's engine worker (shared with the EngineController of the page when it runs in a worker). */
export function sharedWorkerHost(opts?: WorkerHostOptions): WorkerHost {
  shared ??= new WorkerHost(opts);
  return shared;
}

/**
 * segmentVolume's shape, in the worker: `model` comes from `host.loadModel` of the same host (default: the
 * page's shared one, see sharedWorkerHost), the backend from `host.selectBackend`.
 */
export function segmentInWorker(
  model: EngineModel,
  ct: CtVolume,
  opts: SegmentOptions,
  host: WorkerHost = sharedWorkerHost(),
): Promise<SegmentResult> {
  return host.segment(model, ct, opts);
}
