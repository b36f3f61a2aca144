import { describe, expect, it } from 'vitest';
import { rankBackends, softwareRenderer } from '../../../src/engine/backendRank';

// Renderer strings as Chromium reports them (WEBGL_debug_renderer_info, WebGPU adapter.info).
const SWIFTSHADER_GL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const LLVMPIPE_GL = 'ANGLE (Mesa, llvmpipe (LLVM 15.0.6, 256 bits), OpenGL ES 3.2)';
const NVIDIA_GL = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)';

describe('softwareRenderer', () => {
  it('names software rasterisers and fallback adapters, not real GPUs', () => {
    expect(softwareRenderer({ name: SWIFTSHADER_GL })).toBe('SwiftShader');
    expect(softwareRenderer({ name: LLVMPIPE_GL })).toBe('llvmpipe');
    expect(softwareRenderer({ name: 'mesa lavapipe' })).toBe('lavapipe');
    expect(softwareRenderer({ name: 'Microsoft Basic Render Driver' })).toBe('Microsoft Basic Render Driver');
    expect(softwareRenderer({ name: 'google', fallback: true })).toBe('fallback adapter');
    expect(softwareRenderer({ name: NVIDIA_GL })).toBeNull();
    expect(softwareRenderer({ name: 'apple metal-3 Apple M2' })).toBeNull();
  });
});

describe('rankBackends', () => {
  it('no GPU (llvmpipe WebGPU, SwiftShader WebGL): wasm first, software backends after it', () => {
    const r = rankBackends({ webgpu: { name: 'mesa llvmpipe', compatibility: true }, webgl: { name: SWIFTSHADER_GL } });
    expect(r.order).toEqual(['wasm', 'webgpu', 'webgl']);
    expect(r.reason).toMatch(/no GPU acceleration/);
    expect(r.reason).toMatch(/WebGPU is llvmpipe/);
    expect(r.reason).toMatch(/WebGL is SwiftShader/);
  });
  it('Chromium on llvmpipe (compat adapter with empty info, llvmpipe WebGL): wasm first', () => {
    const r = rankBackends({ webgpu: { name: '', compatibility: true }, webgl: { name: LLVMPIPE_GL } });
    expect(r.order[0]).toBe('wasm');
    const core = rankBackends({ webgpu: { name: '' }, webgl: { name: LLVMPIPE_GL } });
    expect(core.order[0]).toBe('wasm');
  });
  it('a hardware GPU leads: WebGPU, then WebGL, then wasm', () => {
    const r = rankBackends({ webgpu: { name: 'nvidia ampere' }, webgl: { name: NVIDIA_GL } });
    expect(r.order).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(r.reason).toMatch(/WebGPU runs on a GPU/);
  });
  it('hardware WebGL but a fallback WebGPU adapter: WebGL, wasm, then WebGPU', () => {
    const r = rankBackends({ webgpu: { name: 'google swiftshader', fallback: true }, webgl: { name: NVIDIA_GL } });
    expect(r.order).toEqual(['webgl', 'wasm', 'webgpu']);
  });
  it('no GPU APIs at all: wasm only, and the reason says they are missing', () => {
    const r = rankBackends({ webgpu: null, webgl: null, notes: { webgpu: 'navigator.gpu is missing' } });
    expect(r.order).toEqual(['wasm']);
    expect(r.found.webgpu).toContain('navigator.gpu is missing');
  });
});
