/**
 * TF.js backend selection: ranked by what the machine offers (backendRank.ts: a GPU first, wasm before a
 * software renderer; DESIGN 2, 6), with a notice that says
 * which backend runs and why. The WebGPU backend is created by our own factory (not tfjs' default) so
 * that we can (1) fall back to a compatibility-mode adapter (Mesa llvmpipe in headless Chromium),
 * (2) watch `device.lost` and uncaptured errors, and (3) read the device limits for batch sizing.
 * DOM-free: runs in the browser and in Node (Dawn).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { emptyWebGpuBufferPool, WebGPUBackend, webglContext } from './tfjsInternals';
import { EngineError } from './errors';
import { probeEnvironment } from './backendProbe';
import { rankBackends, type BackendRanking } from './backendRank';
import { planWasmThreads, type WasmThreadPlan } from './wasmThreads';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm'];

/**
 * The backend order a page URL asks for: `?backend=wasm` or a list, `?backend=webgl,wasm` (for a machine
 * whose GPU is slow or broken). Unknown names are dropped; undefined (the default order) when none is left.
 */
export function backendOrderFromQuery(search: string): readonly BackendName[] | undefined {
  const raw = new URLSearchParams(search).get('backend');
  if (!raw) return undefined;
  const known: readonly string[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  const order = [...new Set(raw.split(',').map((s) => s.trim().toLowerCase()))].filter((s) => known.includes(s)) as BackendName[];
  return order.length ? order : undefined;
}

/**
 * The WebAssembly thread count a page URL asks for: `?threads=1` (single-threaded, e.g. to compare) or a count;
 * undefined (one per core where allowed) when absent or not a whole number >= 1.
 */
export function wasmThreadsFromQuery(search: string): number | undefined {
  return countFromQuery(search, 'threads');
}

/** The engine worker count a page URL asks for: `?workers=1` (one worker, as before) or a count (shards.ts). */
export function wasmWorkersFromQuery(search: string): number | undefined {
  return countFromQuery(search, 'workers');
}

function countFromQuery(search: string, key: string): number | undefined {
  const raw = new URLSearchParams(search).get(key);
  const n = raw && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return n >= 1 ? n : undefined;
}

export interface BackendNotice {
  backend: BackendName;
  /** The GPU adapter (WebGPU) or renderer (WebGL) when known. */
  device: string;
  /** One line for the UI: which backend runs and why (noticeMessage of the fields below). */
  message: string;
  /** Why this backend, the clause after the device: ", chosen automatically: ..." or " (as requested)". */
  why: string;
  /** A sentence warning that this backend will be slow (a software renderer), or ''. */
  warning: string;
  /** Backends tried before this one, with the reason each was skipped. */
  skipped: { backend: BackendName; reason: string }[];
  /** 'auto': ranked from what the machine offers (backendRank.ts); 'requested': an explicit order. */
  choice: 'auto' | 'requested';
  /** The automatic ranking (choice 'auto'). */
  ranking?: BackendRanking;
  /** WebAssembly only: the threads it runs on and why (wasmThreads.ts); per worker when there are several. */
  threads?: WasmThreadPlan;
  /** WebAssembly in engine workers: how many split the slices and why (worker/shards.ts). */
  workers?: { count: number; reason: string };
}

export interface BackendOptions {
  order?: readonly BackendName[];
  /** navigator.gpu by default; Node passes Dawn's GPU. */
  gpu?: GPU | null;
  /** Extra requestAdapter options tried first (e.g. Dawn's compatibility mode). */
  adapterOptions?: GPURequestAdapterOptions;
  /** URLs of the tfjs-backend-wasm .wasm files on the app's own origin (browser only). */
  wasmPaths?: Partial<
    Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>
  >;
  /** WebAssembly threads: undefined = one per core where the page allows it (wasmThreads.ts), 1 = single-threaded. */
  wasmThreads?: number;
  /** Cores the automatic thread count leaves to the page (the app: 1, for the viewer; default 0). */
  wasmSpareCores?: number;
  /**
   * Engine workers that split the slices on WebAssembly (worker/shards.ts; wasmThreads.ts planWasmWorkers):
   * undefined = one per usable core, 1 = a single worker. Only hosts with workers use it.
   */
  wasmWorkers?: number;
}

/** State of the WebGPU device created by our factory. */
interface GpuState {
  device: GPUDevice;
  adapterDescription: string;
  /** SwiftShader, llvmpipe and the like: WebGPU without GPU acceleration */
  software: boolean;
  lost: GPUDeviceLostInfo | null;
  /** First uncaptured error (validation / out-of-memory) since the last check. */
  error: GPUError | null;
  /** Set when the engine itself destroys the device (tests simulate loss this way). */
}
let gpuState: GpuState | null = null;
let lastFactoryError = '';

function describeAdapter(a: GPUAdapter): string {
  const i = a.info;
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ').trim() || 'unnamed adapter';
  // Core adapters expose 'core-features-and-limits'; compatibility-mode ones (llvmpipe over GL ES) do not.
  return a.features.has('core-features-and-limits' as GPUFeatureName) ? name : `${name}, compatibility mode`;
}

function isSwiftShader(a: GPUAdapter): boolean {
  const i = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return !!i.isFallbackAdapter || /swiftshader/i.test(`${i.vendor} ${i.architecture} ${i.description}`);
}

function webgpuFactory(gpu: GPU, extra?: GPURequestAdapterOptions) {
  return async (): Promise<WebGPUBackend> => {
    lastFactoryError = '';
    try {
      const request = (o: GPURequestAdapterOptions) => gpu.requestAdapter(o).catch(() => null);
      let adapter: GPUAdapter | null = extra ? await request(extra) : null;
      if (!adapter) {
        const core = await request({ powerPreference: 'high-performance' });
        // Without a usable GPU Chromium offers SwiftShader in core mode, while Mesa llvmpipe (about 10x
        // faster, DESIGN 6) only appears in compatibility mode: prefer it over SwiftShader.
        if (core && !isSwiftShader(core)) adapter = core;
        else {
          const compat = await request({ featureLevel: 'compatibility' });
          adapter = compat && !isSwiftShader(compat) ? compat : (core ?? compat);
        }
      }
      if (!adapter) throw new Error('no WebGPU adapter (requestAdapter returned null)');
      const l = adapter.limits;
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      const desc = describeAdapter(adapter);
      const software =
        isSwiftShader(adapter) ||
        /llvmpipe|lavapipe|softpipe|software/i.test(desc) ||
        (!adapter.features.has('core-features-and-limits' as GPUFeatureName) &&
          !/nvidia|amd|intel|apple|qualcomm|arm/i.test(desc));
      const state: GpuState = { device, adapterDescription: desc, software, lost: null, error: null };
      void device.lost.then((info) => {
        state.lost = info;
      });
      device.addEventListener('uncapturederror', (ev) => {
        state.error ??= (ev as GPUUncapturedErrorEvent).error;
      });
      gpuState = state;
      return new WebGPUBackend(device, adapter.info);
    } catch (e) {
      lastFactoryError = e instanceof Error ? e.message : String(e);
      throw e;
    }
  };
}

/** Smoke test: a small convolution read back and checked, to catch backends that load but compute garbage. */
async function smokeTest(): Promise<void> {
  const y = tf.tidy(() => tf.conv2d(tf.ones([1, 6, 6, 5]) as tf.Tensor4D, tf.ones([3, 3, 5, 2]) as tf.Tensor4D, 1, 'same'));
  try {
    const v = await y.data();
    // centre pixel sees 3x3x5 ones = 45, corner 2x2x5 = 20
    if (v[(2 * 6 + 2) * 2] !== 45 || v[0] !== 20)
      throw new Error(`smoke test returned ${v[(2 * 6 + 2) * 2]}, ${v[0]} instead of 45, 20`);
  } finally {
    y.dispose();
  }
}

function registerWebGpu(gpu: GPU, extra?: GPURequestAdapterOptions) {
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', webgpuFactory(gpu, extra), 3);
}

/**
 * tfjs-backend-wasm caps its thread pool at navigator.hardwareConcurrency / 2 (it assumes two hyper-threads per
 * core; on a 2-core machine that is one thread, whatever setThreadsCount asks) and reads the value once, while
 * the module starts. This reports `n` logical cores for that moment; the returned function puts the real value
 * back (the getter of Navigator.prototype).
 */
function reportLogicalCores(n: number): () => void {
  const nav = globalThis.navigator as Navigator | undefined;
  if (!nav) return () => {};
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => n });
  } catch {
    return () => {};
  }
  return () => void Reflect.deleteProperty(nav, 'hardwareConcurrency');
}

/** How long the wasm thread workers may take to start before the engine falls back to one thread. */
const THREAD_START_MS = 60_000;
let wasmThreads: WasmThreadPlan | null = null;

/**
 * The WebAssembly backend, multi-threaded where the page allows it. A threaded start that never settles (thread
 * workers that cannot run, e.g. a bundle built without src/node/tfjsWasmThreads.ts) falls back to one thread
 * after THREAD_START_MS instead of hanging the engine. The plan stays as it was chosen: tfjs initialises wasm
 * once per JavaScript realm (page or worker).
 */
async function startWasm(opts: BackendOptions): Promise<boolean> {
  if (tf.findBackend('wasm') && wasmThreads) return tf.setBackend('wasm');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  // outside a browser (Node: the unit tests) there is no page to isolate: the single-threaded build
  const plan: WasmThreadPlan =
    typeof isolated !== 'boolean'
      ? { threads: 1, reason: '1 thread (not in a browser)' }
      : planWasmThreads(
          {
            crossOriginIsolated: isolated,
            sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
            simd,
            logicalCores: (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency ?? 1,
          },
          opts.wasmThreads,
          opts.wasmSpareCores,
        );
  if (plan.threads > 1) {
    const factory = tf.findBackendFactory('wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    setThreadsCount(plan.threads);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((ok) => (timer = setTimeout(() => ok('timeout'), THREAD_START_MS)));
    const restoreCores = reportLogicalCores(2 * plan.threads);
    const ok = await Promise.race([tf.setBackend('wasm'), timeout]).finally(() => {
      clearTimeout(timer);
      restoreCores();
    });
    if (ok !== 'timeout') {
      const actual = ok ? getThreadsCount() : plan.threads;
      wasmThreads =
        actual === plan.threads
          ? plan
          : {
              threads: actual,
              reason: `${actual} thread${actual === 1 ? '' : 's'}, not the ${plan.threads} planned (${plan.reason})`,
              limited: true,
            };
      return ok;
    }
    // tfjs ignores the abandoned start once the backend is registered again
    tf.removeBackend('wasm');
    if (factory) tf.registerBackend('wasm', factory, 2);
    wasmThreads = {
      threads: 1,
      reason: `1 thread: the thread workers did not start within ${THREAD_START_MS / 1000} s`,
      limited: true,
    };
  } else wasmThreads = plan;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return tf.setBackend('wasm');
}

async function tryBackend(name: BackendName, opts: BackendOptions): Promise<string> {
  if (name === 'webgpu') {
    const gpu = opts.gpu !== undefined ? opts.gpu : (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
    registerWebGpu(gpu, opts.adapterOptions);
  } else if (name === 'wasm' && opts.wasmPaths && !tf.findBackend('wasm')) setWasmPaths(opts.wasmPaths);
  if (!tf.findBackendFactory(name)) throw new Error(`${name} is not available in this environment`);
  const start = name === 'wasm' ? startWasm(opts) : tf.setBackend(name);
  const ok = await start.catch((e: unknown) => {
    throw new Error(e instanceof Error ? e.message : String(e));
  });
  if (!ok) throw new Error(name === 'webgpu' && lastFactoryError ? lastFactoryError : `${name} failed to initialise`);
  await tf.ready();
  await smokeTest();
  if (name === 'webgpu') return gpuState?.adapterDescription ?? 'WebGPU';
  if (name === 'webgl') {
    const gl = webglContext();
    const ext = gl?.getExtension('WEBGL_debug_renderer_info');
    return (ext && gl ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : '') || 'WebGL';
  }
  if (name === 'wasm') {
    const n = wasmThreads?.threads ?? 1;
    return `WebAssembly${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}, ${n} thread${n === 1 ? '' : 's'}`;
  }
  return 'CPU (JavaScript)';
}

const LABEL: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'plain JavaScript (CPU)',
};

/**
 * The notice's line (pure): the backend and device, why it was chosen, a warning, then for WebAssembly the
 * reason for its threads and, when several engine workers split the slices, theirs (worker/shards.ts). With
 * single-threaded workers the workers' reason replaces the threads' ("1 thread (as requested)" says nothing
 * then).
 */
export function noticeMessage(n: Pick<BackendNotice, 'backend' | 'device' | 'why' | 'warning' | 'threads' | 'workers'>): string {
  const sharded = !!n.workers && n.workers.count > 1;
  const reasons = [
    n.threads && !(sharded && n.threads.threads === 1) ? n.threads.reason : '',
    sharded ? n.workers!.reason : '',
  ].filter(Boolean);
  return [`Running on ${LABEL[n.backend]} (${n.device})${n.why}.`, n.warning, ...reasons.map((r) => `${r}.`)]
    .filter(Boolean)
    .join(' ');
}

/**
 * Picks the first backend that initialises and passes the smoke test. Without `order`, the order comes
 * from what the machine really offers (rankBackends: a software WebGPU adapter or WebGL renderer goes
 * after wasm). Throws EngineError('backend').
 */
export async function selectBackend(opts: BackendOptions = {}): Promise<BackendNotice> {
  let ranking: BackendRanking | undefined;
  if (!opts.order) {
    const gpu = opts.gpu !== undefined ? opts.gpu : (globalThis.navigator as Navigator | undefined)?.gpu;
    ranking = rankBackends(await probeEnvironment(gpu));
  }
  const order = opts.order ?? ranking!.order;
  const skipped: BackendNotice['skipped'] = [];
  for (const name of order) {
    try {
      const device = await tryBackend(name, opts);
      const failed = skipped.length
        ? ` because ${skipped.map((s) => `${LABEL[s.backend]} failed (${s.reason})`).join('; ')}`
        : '';
      const why = ranking
        ? `, chosen automatically: ${ranking.reason}${failed ? `;${failed}` : ''}`
        : failed || ' (as requested)';
      const soft =
        (name === 'webgpu' && gpuState?.software) ||
        (name === 'webgl' && /swiftshader|llvmpipe|lavapipe|softpipe|software/i.test(device));
      const warning = soft
        ? 'This adapter is a software renderer (no GPU acceleration): segmentation will be slow; WebAssembly is usually faster here.'
        : '';
      const threads = name === 'wasm' && wasmThreads ? wasmThreads : undefined;
      const parts = { backend: name, device, why, warning, ...(threads ? { threads } : {}) };
      return {
        ...parts,
        message: noticeMessage(parts),
        skipped,
        choice: ranking ? 'auto' : 'requested',
        ranking,
      };
    } catch (e) {
      skipped.push({ backend: name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new EngineError(
    'backend',
    `No TF.js backend could start: ${skipped.map((s) => `${LABEL[s.backend]}: ${s.reason}`).join('; ')}.`,
  );
}

/** The WebGPU device of the active backend, or null when the active backend is not WebGPU. */
export function activeGpuDevice(): GPUDevice | null {
  return tf.getBackend() === 'webgpu' && gpuState ? gpuState.device : null;
}

/** Device lost or an uncaptured GPU error since the last call (cleared by the call). */
export function takeGpuFault(): { lost: boolean; message: string } | null {
  if (!gpuState || tf.getBackend() !== 'webgpu') return null;
  if (gpuState.lost) return { lost: true, message: gpuState.lost.message || `reason: ${gpuState.lost.reason}` };
  const err = gpuState.error;
  gpuState.error = null;
  return err ? { lost: false, message: err.message } : null;
}

/**
 * After a device loss: drop the dead backend (its tensors are gone with the device) and re-create
 * WebGPU on a fresh device. Models must be loaded again afterwards.
 */
export async function resetWebGpu(opts: BackendOptions = {}): Promise<BackendNotice> {
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  gpuState = null;
  return selectBackend({ ...opts, order: opts.order ?? DEFAULT_BACKEND_ORDER });
}

/**
 * Frees the GPU buffers that tfjs keeps in its reuse pool after tensors are disposed, so that memory
 * goes back to the system after a run or a cancel (tfjsInternals.ts: tfjs has no public API for this).
 */
export function releasePooledGpuMemory(): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  return emptyWebGpuBufferPool();
}
