/**
 * WebGPU in Node through Dawn (`webgpu` npm package), for GPU tests, the benchmark and the lent NVIDIA
 * machine (DESIGN 6, ../shared/tools/device-webgpu/README.md). Node only: never imported by the app.
 *
 * Adapter choice: AA_DAWN=vulkan | opengles | auto (default). `auto` tries Vulkan first (the NVIDIA
 * driver on the device, or SwiftShader when VK_ICD_FILENAMES points at Chromium's ICD and
 * LD_LIBRARY_PATH=/usr/lib/chromium), then Mesa llvmpipe over OpenGL ES in compatibility mode.
 */
import { create, globals } from 'webgpu';

export interface DawnGpu {
  gpu: GPU;
  /** 'vulkan' or 'opengles' */
  kind: string;
  adapterDescription: string;
  /** requestAdapter options that found the adapter (the engine's WebGPU factory reuses them). */
  adapterOptions: GPURequestAdapterOptions;
}

let installed: DawnGpu | null = null;

function describeAdapter(a: GPUAdapter): string {
  const i = a.info;
  return [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
}

/** Installs WebGPU globals and navigator.gpu. Returns null when no adapter is available. */
export async function installDawn(): Promise<DawnGpu | null> {
  if (installed) return installed;
  Object.assign(globalThis, globals);
  const want = (process.env.AA_DAWN ?? 'auto').toLowerCase();
  const tries: { kind: string; opts: string[]; adapter: GPURequestAdapterOptions }[] = [];
  if (want === 'auto' || want === 'vulkan')
    tries.push({ kind: 'vulkan', opts: [], adapter: { powerPreference: 'high-performance' } });
  if (want === 'auto' || want === 'opengles') {
    // Mesa picks its EGL platform from the environment when Dawn initialises EGL.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    tries.push({ kind: 'opengles', opts: ['backend=opengles'], adapter: { featureLevel: 'compatibility' } });
  }
  for (const t of tries) {
    const gpu = create(t.opts) as unknown as GPU;
    const adapter = await gpu.requestAdapter(t.adapter).catch(() => null);
    if (!adapter) continue;
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu, hardwareConcurrency: 2, userAgent: 'node' },
      configurable: true,
      writable: true,
    });
    installed = { gpu, kind: t.kind, adapterDescription: describeAdapter(adapter), adapterOptions: t.adapter };
    return installed;
  }
  return null;
}
