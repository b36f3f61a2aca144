/**
 * Which backend to try first, from what the machine really offers (issue 16). A WebGPU adapter or a
 * WebGL renderer that is a software rasteriser (SwiftShader, Mesa llvmpipe / lavapipe / softpipe, a
 * "fallback" adapter, Microsoft Basic Render) runs shaders on the CPU, where WebAssembly SIMD is several
 * times faster (DESIGN 6: about 10x vs llvmpipe, 100x vs SwiftShader). Pure: the probing (navigator.gpu,
 * WEBGL_debug_renderer_info) is in backendProbe.ts.
 */
import type { BackendName } from './backend';

/** What a probe found for one GPU API: null when the API is missing or gave no adapter/context. */
export interface GpuApiProbe {
  /** Adapter (vendor architecture device description) or unmasked WebGL renderer string. */
  name: string;
  /** WebGPU's adapter.info.isFallbackAdapter. */
  fallback?: boolean;
  /** A compatibility-mode WebGPU adapter (no 'core-features-and-limits'). */
  compatibility?: boolean;
}

export interface EnvironmentProbe {
  webgpu: GpuApiProbe | null;
  webgl: GpuApiProbe | null;
  /** Why a probe found nothing (e.g. 'navigator.gpu is missing'). */
  notes?: Partial<Record<'webgpu' | 'webgl', string>>;
}

const SOFTWARE: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render/i, 'Microsoft Basic Render Driver'],
  [/\bsoftware\b/i, 'software renderer'],
];

const GPU_VENDOR = /nvidia|amd|ati\b|radeon|intel|apple|qualcomm|adreno|arm|mali|imagination|powervr|broadcom|samsung/i;

/** The software rasteriser a WebGPU adapter or WebGL renderer string names, or null for a real GPU. */
export function softwareRenderer(p: GpuApiProbe): string | null {
  for (const [re, label] of SOFTWARE) if (re.test(p.name)) return label;
  if (p.fallback) return 'fallback adapter';
  // Mesa llvmpipe reached through Chromium's OpenGL ES WebGPU path is a compatibility-mode adapter with
  // an empty adapter.info; a real GPU names its vendor.
  if (p.compatibility && !GPU_VENDOR.test(p.name)) return 'compatibility-mode adapter with no GPU vendor';
  return null;
}

export interface BackendRanking {
  order: BackendName[];
  /** Per backend: what the probe found ('llvmpipe (software)', 'NVIDIA …', 'not available: …'). */
  found: Partial<Record<BackendName, string>>;
  /** One clause for the notice: why the first backend leads. */
  reason: string;
}

const LABEL: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

/**
 * Hardware WebGPU, then hardware WebGL, then wasm; software GPU backends last (still tried, in case wasm
 * cannot start). A missing API is left out of the order.
 */
export function rankBackends(p: EnvironmentProbe): BackendRanking {
  const hardware: BackendName[] = [];
  const software: BackendName[] = [];
  const found: BackendRanking['found'] = {};
  const soft: Partial<Record<BackendName, string>> = {};
  for (const api of ['webgpu', 'webgl'] as const) {
    const probe = p[api];
    if (!probe) {
      found[api] = `not available${p.notes?.[api] ? ` (${p.notes[api]})` : ''}`;
      continue;
    }
    let sw = softwareRenderer(probe);
    // An unnamed WebGPU adapter next to a software WebGL renderer sits on the same (CPU) driver stack.
    const glSoft = p.webgl ? softwareRenderer(p.webgl) : null;
    if (!sw && api === 'webgpu' && !GPU_VENDOR.test(probe.name) && glSoft) sw = `unnamed adapter beside ${glSoft} WebGL`;
    found[api] = sw ? `${probe.name || 'unnamed'}: software (${sw})` : probe.name || 'unnamed GPU';
    if (sw) {
      software.push(api);
      soft[api] = sw;
    } else hardware.push(api);
  }
  const order: BackendName[] = [...hardware, 'wasm', ...software];
  let reason: string;
  if (hardware.length) {
    reason = `${LABEL[hardware[0]]} runs on a GPU (${found[hardware[0]]})`;
  } else {
    const parts = (['webgpu', 'webgl'] as const).map((api) =>
      soft[api] ? `${LABEL[api]} is ${soft[api]} (software)` : `${LABEL[api]} ${found[api]}`,
    );
    reason = `no GPU acceleration found (${parts.join('; ')}): WebAssembly is faster on the CPU`;
  }
  return { order, found, reason };
}
