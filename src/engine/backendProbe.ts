/**
 * Probes what GPU APIs the page really has, without creating a tfjs backend: the WebGPU adapter
 * (core, then compatibility mode) and the WebGL renderer (WEBGL_debug_renderer_info). Feeds
 * rankBackends (backendRank.ts). Never throws: a failed probe is reported as "not available".
 */
import type { EnvironmentProbe, GpuApiProbe } from './backendRank';

function describe(a: GPUAdapter, compatibility: boolean): GpuApiProbe {
  const i = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ').trim();
  return { name, fallback: !!i.isFallbackAdapter, compatibility };
}

export async function probeWebGpu(gpu: GPU | null | undefined): Promise<{ probe: GpuApiProbe | null; note?: string }> {
  if (!gpu) return { probe: null, note: 'navigator.gpu is missing' };
  try {
    const core = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
    if (core && !core.info?.isFallbackAdapter && !/swiftshader/i.test(describe(core, false).name))
      return { probe: describe(core, false) };
    const compat = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions).catch(() => null);
    // The factory in backend.ts prefers a compatibility adapter over SwiftShader; judge the one it will use.
    if (compat && !/swiftshader/i.test(describe(compat, true).name)) return { probe: describe(compat, true) };
    if (core) return { probe: describe(core, false) };
    return { probe: null, note: 'requestAdapter returned null' };
  } catch (e) {
    return { probe: null, note: e instanceof Error ? e.message : String(e) };
  }
}

export function probeWebGl(): { probe: GpuApiProbe | null; note?: string } {
  try {
    const canvas: HTMLCanvasElement | OffscreenCanvas | null =
      typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(1, 1)
        : typeof document !== 'undefined'
          ? document.createElement('canvas')
          : null;
    if (!canvas) return { probe: null, note: 'no canvas in this environment' };
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return { probe: null, note: 'no WebGL context' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { probe: { name } };
  } catch (e) {
    return { probe: null, note: e instanceof Error ? e.message : String(e) };
  }
}

export async function probeEnvironment(gpu: GPU | null | undefined): Promise<EnvironmentProbe> {
  const [g, l] = [await probeWebGpu(gpu), probeWebGl()];
  const notes: EnvironmentProbe['notes'] = {};
  if (g.note) notes.webgpu = g.note;
  if (l.note) notes.webgl = l.note;
  return { webgpu: g.probe, webgl: l.probe, notes };
}
