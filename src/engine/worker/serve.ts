/**
 * The worker's side (engine.worker.ts calls `serveEngine(self)`): backend selection, model loading and
 * segmentVolume on this thread, driven by the page's messages (protocol.ts). Model files are fetched through the
 * page (a `fetch` message) so they come from the same place as before; the weights are cached in IndexedDB
 * from here (IndexedDB works in workers). The CT arrives in `ct-part` chunks before its `segment` call; label
 * slices go back one message each, transferred. DOM-free: also runs in Node over a MessageChannel (unit tests).
 */
import type { CtVolume } from '../../volume/volume';
import { resetWebGpu, selectBackend, type BackendOptions } from '../backend';
import { segmentVolume } from '../engine';
import { EngineError } from '../errors';
import { loadModel, type LoadedModel } from '../model';
import { toWireError, type PortLike, type ToPage, type ToWorker, type WireBackendOptions } from './protocol';

export function serveEngine(port: PortLike): void {
  const post = (m: ToPage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  const models = new Map<number, LoadedModel>();
  let nextHandle = 1;
  const aborts = new Map<number, AbortController>();
  /** CT voxels arriving for a segment call (call id -> buffer) */
  const incoming = new Map<number, Int16Array | Float32Array>();
  const fetches = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void }>();
  let nextFetch = 1;

  const pageFetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const fid = nextFetch++;
      fetches.set(fid, { resolve, reject });
      const url = input instanceof Request ? input.url : String(input);
      post({ t: 'fetch', fid, url, ...(init?.method ? { method: init.method } : {}) });
    })) as typeof fetch;

  const backendOptions = (o: WireBackendOptions): BackendOptions => ({
    ...(o.order ? { order: o.order } : {}),
    ...(o.noGpu ? { gpu: null } : {}),
    ...(o.adapterOptions ? { adapterOptions: o.adapterOptions } : {}),
    ...(o.wasmPaths ? { wasmPaths: o.wasmPaths } : {}),
    ...(o.wasmThreads !== undefined ? { wasmThreads: o.wasmThreads } : {}),
    ...(o.wasmSpareCores !== undefined ? { wasmSpareCores: o.wasmSpareCores } : {}),
  });

  async function call(m: Extract<ToWorker, { t: 'call' }>): Promise<void> {
    try {
      switch (m.method) {
        case 'select':
          post({ t: 'reply', id: m.id, ok: true, value: await selectBackend(backendOptions(m.opts)) });
          return;
        case 'reset-webgpu':
          for (const model of models.values()) model.dispose();
          models.clear();
          post({ t: 'reply', id: m.id, ok: true, value: await resetWebGpu(backendOptions(m.opts)) });
          return;
        case 'load': {
          const model = await loadModel(m.url, {
            fetchFunc: pageFetch,
            cache: m.cache,
            label: m.label,
            onProgress: (fraction) => post({ t: 'load-progress', id: m.id, fraction }),
          });
          const handle = nextHandle++;
          models.set(handle, model);
          post({
            t: 'reply',
            id: m.id,
            ok: true,
            value: { handle, manifest: model.manifest, source: model.source, cacheNote: model.cacheNote },
          });
          return;
        }
        case 'dispose-model':
          models.get(m.handle)?.dispose();
          models.delete(m.handle);
          post({ t: 'reply', id: m.id, ok: true, value: null });
          return;
        case 'segment': {
          const model = models.get(m.handle);
          const hu = incoming.get(m.id);
          incoming.delete(m.id);
          if (!model)
            throw new EngineError('model-load', 'The model is not loaded in the engine worker (it was released); load it again.');
          const { huType: _t, huLength, ...rest } = m.ct;
          if (!hu || hu.length !== huLength)
            throw new EngineError(
              'internal',
              `The CT reached the engine worker incomplete (${hu?.length ?? 0} of ${huLength} voxels).`,
            );
          const ct: CtVolume = { ...rest, hu };
          const abort = new AbortController();
          aborts.set(m.id, abort);
          try {
            const r = await segmentVolume(model, ct, {
              ...m.opts,
              signal: abort.signal,
              onProgress: (p) => post({ t: 'progress', id: m.id, p }),
              onSlice: (k, labels, confidence) => {
                const l = labels.slice();
                const c = confidence?.slice();
                post(
                  { t: 'slice', id: m.id, k, labels: l, ...(c ? { confidence: c } : {}) },
                  c ? [l.buffer, c.buffer] : [l.buffer],
                );
              },
            });
            post({ t: 'reply', id: m.id, ok: true, value: r.report });
          } finally {
            aborts.delete(m.id);
          }
          return;
        }
      }
    } catch (e) {
      post({ t: 'reply', id: m.id, ok: false, error: toWireError(e) });
    }
  }

  port.addEventListener('message', (ev: MessageEvent) => {
    const m = ev.data as ToWorker;
    switch (m.t) {
      case 'call':
        void call(m);
        break;
      case 'ct-part': {
        let hu = incoming.get(m.id);
        if (!hu) {
          hu = m.huType === 'int16' ? new Int16Array(m.huLength) : new Float32Array(m.huLength);
          incoming.set(m.id, hu);
        }
        hu.set(m.data, m.offset);
        break;
      }
      case 'cancel': {
        // Messages keep their order: the run's call registered its controller; a late cancel finds none.
        aborts.get(m.id)?.abort();
        break;
      }
      case 'fetch-reply': {
        const f = fetches.get(m.fid);
        fetches.delete(m.fid);
        if (!f) break;
        const nullBody = [101, 204, 205, 304].includes(m.ok ? m.status : 0);
        if (m.ok)
          f.resolve(new Response(nullBody ? null : m.body, { status: m.status, statusText: m.statusText, headers: m.headers }));
        else f.reject(new TypeError(m.message));
        break;
      }
    }
  });
  port.start?.();
}
