/**
 * Model registry and loading (CONTRACTS 4): public/models/index.json lists the installed models, each
 * package has manifest.json (validated) and a TF.js graph model. Weights are cached by the browser in
 * IndexedDB through tf.io (`indexeddb://attention-anatomy/<id>@<version>/<bytes>`) after the first
 * load, so a second visit loads them without the network. DOM-free: Node passes its own fetchFunc.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { EngineError, ManifestError } from './errors';
import { validateManifest, validateModelIndex, type ModelIndex, type ModelManifest } from './manifest';

export type FetchFunc = typeof fetch;

export interface ModelOutputs {
  seg: tf.Tensor4D;
  attention: tf.Tensor2D;
  region: tf.Tensor2D;
}

export interface LoadedModel {
  manifest: ModelManifest;
  /** Where the weights came from on this load. */
  source: 'network' | 'indexeddb';
  /** Why the weights were not cached, if they were not (quota, private mode, Node). */
  cacheNote: string;
  execute(x: tf.Tensor4D): ModelOutputs;
  dispose(): void;
}

async function fetchJson(url: string, fetchFunc: FetchFunc, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetchFunc(url);
  } catch (e) {
    throw new EngineError('model-load', `Could not fetch ${what} (${url}): ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) throw new EngineError('model-load', `Could not fetch ${what} (${url}): HTTP ${res.status}`);
  try {
    return await res.json();
  } catch (e) {
    throw new EngineError('model-load', `${what} (${url}) is not valid JSON`, { cause: e });
  }
}

const defaultFetch: FetchFunc = (input, init) => globalThis.fetch(input, init);

/** Loads and validates `<baseUrl>models/index.json`. */
export async function loadModelIndex(baseUrl: string, fetchFunc: FetchFunc = defaultFetch): Promise<ModelIndex> {
  return validateModelIndex(await fetchJson(`${baseUrl}models/index.json`, fetchFunc, 'the model list'), 'models/index.json');
}

function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined' && tf.env().getBool('IS_BROWSER');
}

export function cacheKey(m: ModelManifest): string {
  return `indexeddb://attention-anatomy/${m.id}@${m.version}/${m.weights.bytes}`;
}

/** Graph node name without the ':0' output suffix. */
const nodeName = (n: string) => n.replace(/:\d+$/, '');

function checkGraph(graph: GraphModel, m: ModelManifest, source: string) {
  const inputs = graph.inputs.map((t) => nodeName(t.name));
  if (!inputs.includes(m.input.name))
    throw new ManifestError('input.name', `is "${m.input.name}" but model.json has inputs ${inputs.join(', ')}`, source);
  const shape = graph.inputs.find((t) => nodeName(t.name) === m.input.name)?.shape;
  if (shape && shape.length === 4 && (shape[1] ?? -1) > 0 && shape[1] !== m.input.size) {
    throw new ManifestError('input.size', `is ${m.input.size} but model.json expects ${shape[1]}`, source);
  }
  const outputs = new Set(graph.outputNodes.map(nodeName));
  for (const key of ['seg', 'attention', 'region'] as const) {
    if (!outputs.has(m.outputs[key])) {
      throw new ManifestError(
        `outputs.${key}`,
        `names node "${m.outputs[key]}" that model.json does not output (it has ${[...outputs].join(', ')})`,
        source,
      );
    }
  }
}

/**
 * Loads the model package at `baseUrl + path` (path from index.json, ending with '/').
 * `cache`: use the IndexedDB copy when present and store one after a network load (browser only).
 */
export async function loadModel(
  packageUrl: string,
  opts: { fetchFunc?: FetchFunc; cache?: boolean; onProgress?: (fraction: number) => void; label?: string } = {},
): Promise<LoadedModel> {
  const fetchFunc = opts.fetchFunc ?? defaultFetch;
  const label = opts.label ?? packageUrl;
  const manifest = validateManifest(
    await fetchJson(`${packageUrl}manifest.json`, fetchFunc, 'the model manifest'),
    `${label}manifest.json`,
  );
  let graph: GraphModel | null = null;
  let source: LoadedModel['source'] = 'network';
  let cacheNote = '';
  const useCache = (opts.cache ?? true) && hasIndexedDb();
  if (!useCache) cacheNote = hasIndexedDb() ? 'cache disabled' : 'no IndexedDB here';
  const key = cacheKey(manifest);
  if (useCache) {
    try {
      const stored = await tf.io.listModels();
      if (key in stored) {
        graph = await loadGraphModel(key);
        source = 'indexeddb';
      }
    } catch {
      graph = null; // a broken cache entry: fall back to the network and overwrite it
    }
  }
  if (!graph) {
    try {
      graph = await loadGraphModel(tf.io.http(`${packageUrl}model.json`, { fetchFunc, onProgress: opts.onProgress }));
    } catch (e) {
      throw new EngineError(
        'model-load',
        `Could not load the model weights of "${manifest.name}" (${packageUrl}model.json): ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (useCache) {
      try {
        await graph.save(key);
        cacheNote = 'stored in IndexedDB for the next visit';
      } catch (e) {
        cacheNote = `not cached: ${(e as Error).message}`;
      }
    }
  } else {
    cacheNote = 'loaded from IndexedDB';
  }
  checkGraph(graph, manifest, `${label}manifest.json`);
  const g = graph;
  const outNames = [manifest.outputs.seg, manifest.outputs.attention, manifest.outputs.region];
  return {
    manifest,
    source,
    cacheNote,
    execute(x) {
      const [seg, attention, region] = g.execute({ [manifest.input.name]: x }, outNames) as tf.Tensor[];
      return { seg: seg as tf.Tensor4D, attention: attention as tf.Tensor2D, region: region as tf.Tensor2D };
    },
    dispose() {
      g.dispose();
    },
  };
}

/** Removes every cached copy of a model (all versions), e.g. from a "clear cache" button. */
export async function clearModelCache(id?: string): Promise<number> {
  if (!hasIndexedDb()) return 0;
  const keys = Object.keys(await tf.io.listModels()).filter((k) =>
    k.startsWith(`indexeddb://attention-anatomy/${id ? `${id}@` : ''}`),
  );
  for (const k of keys) await tf.io.removeModel(k);
  return keys.length;
}
