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
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { emptyWebGpuBufferPool, WebGPUBackend, webglContext } from './tfjsInternals';
import { EngineError } from './errors';
import { probeEnvironment } from './backendProbe';
import { rankBackends, type BackendRanking } from './backendRank';

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

export interface BackendNotice {
  backend: BackendName;
  /** The GPU adapter (WebGPU) or renderer (WebGL) when known. */
  device: string;
  /** One line for the UI: which backend runs and why. */
  message: string;
  /** Backends tried before this one, with the reason each was skipped. */
  skipped: { backend: BackendName; reason: string }[];
  /** 'auto': ranked from what the machine offers (backendRank.ts); 'requested': an explicit order. */
  choice: 'auto' | 'requested';
  /** The automatic ranking (choice 'auto'). */
  ranking?: BackendRanking;
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

async function tryBackend(name: BackendName, opts: BackendOptions): Promise<string> {
  if (name === 'webgpu') {
    const gpu = opts.gpu !== undefined ? opts.gpu : (globalThis.navigator as Navigator | undefined)?.gpu;
    if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
    registerWebGpu(gpu, opts.adapterOptions);
  } else if (name === 'wasm') {
    // Threads gave no speed-up here and hang setBackend in a minified build (DESIGN 6).
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (opts.wasmPaths) setWasmPaths(opts.wasmPaths);
  }
  if (!tf.findBackendFactory(name)) throw new Error(`${name} is not available in this environment`);
  const ok = await tf.setBackend(name).catch((e: unknown) => {
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
  return name === 'wasm' ? `WebAssembly${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' SIMD' : ''}` : 'CPU (JavaScript)';
}

const LABEL: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'plain JavaScript (CPU)',
};

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
      const slow = soft
        ? ' This adapter is a software renderer (no GPU acceleration): segmentation will be slow; WebAssembly is usually faster here.'
        : '';
      return {
        backend: name,
        device,
        message: `Running on ${LABEL[name]} (${device})${why}.${slow}`,
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
