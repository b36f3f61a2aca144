/**
 * Debian Chromium for the batch CLI (src/batch/run.ts), end-to-end tests and scripts (DESIGN 6). playwright.config.ts uses
 * CHROMIUM_ARGS; standalone scripts (screenshots, benchmarks) call launchChromium().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type LaunchOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** No sandbox (containers), no background traffic to Google, and GPU paths that work without a GPU. */
export const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/**
 * WebGL and WebGPU on Mesa llvmpipe (OpenGL ES): WebGL for Cornerstone3D, WebGPU in compatibility mode
 * for the engine. Without --ignore-gpu-blocklist WebGL is refused on llvmpipe.
 */
export const GPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-angle=gl-egl',
  '--use-webgpu-adapter=opengles',
  '--ignore-gpu-blocklist',
];

export const CHROMIUM_ARGS = [...BASE_ARGS, ...GPU_ARGS];

export const launchOptions = (extra: LaunchOptions = {}): LaunchOptions => ({
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
  headless: true,
  ...extra,
});

/** A persistent context in a fresh user-data dir (removed on close). */
export async function launchChromium(
  extra: LaunchOptions = {},
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'aa-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    ...launchOptions(extra),
    viewport: { width: 1440, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
