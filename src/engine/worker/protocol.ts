/**
 * Messages between the page (client.ts) and the engine worker (serve.ts). Everything is structured-cloneable;
 * CT chunks and label slices travel as transferables (no copies across the boundary).
 *
 * page -> worker: `call` (an RPC: select / reset-webgpu / load / dispose-model / segment), `ct-part` (a chunk of
 * the CT's voxels for the next segment call, transferred), `cancel` (of a segment call), `fetch-reply`.
 * worker -> page: `reply` (of a call), `slice` / `progress` (of a segment call), `load-progress`, `fetch` (the
 * worker asks the page to fetch a URL, so that model files come through the page's own fetch: the same
 * origin, the same service workers and test routes as before the engine moved into a worker).
 */
import type { CtVolume } from '../../volume/volume';
import type { BackendName, BackendNotice } from '../backend';
import type { SegmentOptions, SegmentProgress, SegmentReport } from '../engine';
import { EngineError, type EngineErrorCode } from '../errors';
import type { ModelManifest } from '../manifest';

/** BackendOptions without the GPU object (not cloneable): the worker uses its own navigator.gpu unless `noGpu`. */
export interface WireBackendOptions {
  order?: readonly BackendName[];
  /** The page has no WebGPU (or the caller passed gpu: null): the worker does not use its own either. */
  noGpu?: boolean;
  adapterOptions?: GPURequestAdapterOptions;
  /** Absolute URLs of the tfjs-backend-wasm binaries. */
  wasmPaths?: Record<string, string>;
  /** BackendOptions.wasmThreads, wasmSpareCores */
  wasmThreads?: number;
  wasmSpareCores?: number;
}

export interface WireModel {
  handle: number;
  manifest: ModelManifest;
  source: 'network' | 'indexeddb';
  cacheNote: string;
}

/** The CT without its voxels (they come as `ct-part` messages before the call). */
export type WireCt = Omit<CtVolume, 'hu'> & { huType: 'int16' | 'float32'; huLength: number };

/** Segment options that cross the boundary (no callbacks, no signal). */
export type WireSegmentOptions = Omit<SegmentOptions, 'signal' | 'onProgress' | 'onSlice'>;

export type CallRequest =
  | { method: 'select'; opts: WireBackendOptions }
  | { method: 'reset-webgpu'; opts: WireBackendOptions }
  | { method: 'load'; url: string; cache: boolean; label: string }
  | { method: 'dispose-model'; handle: number }
  | { method: 'segment'; handle: number; ct: WireCt; opts: WireSegmentOptions };

export type ToWorker =
  | ({ t: 'call'; id: number } & CallRequest)
  | { t: 'ct-part'; id: number; offset: number; data: Int16Array | Float32Array; huType: 'int16' | 'float32'; huLength: number }
  | { t: 'cancel'; id: number }
  | {
      t: 'fetch-reply';
      fid: number;
      ok: true;
      status: number;
      statusText: string;
      headers: [string, string][];
      body: ArrayBuffer;
    }
  | { t: 'fetch-reply'; fid: number; ok: false; message: string };

export interface WireError {
  name: string;
  message: string;
  code?: EngineErrorCode;
  field?: string;
}

export type ToPage =
  | { t: 'reply'; id: number; ok: true; value: BackendNotice | WireModel | SegmentReport | null }
  | { t: 'reply'; id: number; ok: false; error: WireError }
  | { t: 'slice'; id: number; k: number; labels: Uint8Array; confidence?: Uint8Array }
  | { t: 'progress'; id: number; p: SegmentProgress }
  | { t: 'load-progress'; id: number; fraction: number }
  | { t: 'fetch'; fid: number; url: string; method?: string };

/** The two ends of a channel: a Worker, the worker's global scope, a MessagePort. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener?(type: 'message', listener: (ev: MessageEvent) => void): void;
  start?(): void;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof EngineError) {
    const field = (e as EngineError & { field?: unknown }).field;
    return { name: e.name, message: e.message, code: e.code, ...(typeof field === 'string' ? { field } : {}) };
  }
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** The error again on the page side: an EngineError keeps its code (and a ManifestError its field). */
export function fromWireError(w: WireError): Error {
  if (!w.code) return new EngineError('internal', w.message);
  const e = new EngineError(w.code, w.message);
  e.name = w.name;
  if (w.field !== undefined) Object.defineProperty(e, 'field', { value: w.field, enumerable: true });
  return e;
}
