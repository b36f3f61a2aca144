/**
 * Vite / Rolldown plugin: lets tfjs-backend-wasm's multi-threaded SIMD build start its threads from a bundled app.
 *
 * tfjs-backend-wasm 4.x starts each pthread worker from a Blob made of `wasmFactoryThreadedSimd.toString()`: the
 * source text of the Emscripten factory as the bundler left it. After bundling (and above all after minification)
 * that text refers to helpers that live only in the bundle's scope (CommonJS wrappers, renamed `require`), so the
 * thread workers throw on start and `tf.setBackend('wasm')` never settles (DESIGN.md section 6). This plugin
 * replaces that one expression with the factory's original file, as a string literal that no minifier rewrites:
 * the thread workers then evaluate exactly what Emscripten emitted.
 *
 * Used for the build (plugins) and for the dev server's dependency pre-bundling (optimizeDeps.rolldownOptions),
 * see vite.config.ts. It fails the build when tfjs changes the expression, instead of shipping threads that hang.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const TARGET = /tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/;
const EXPRESSION = 'wasmFactoryThreadedSimd.toString()';
const FACTORY_FILE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

/**
 * The source of an expression that evaluates to the threaded factory: Emscripten's file (which declares
 * `var WasmBackendModuleThreadedSimd` and exports it only where `module` / `define` exist) wrapped in a function.
 */
export function threadedFactoryExpression(fileText: string): string {
  return `(function () {\n${fileText}\nreturn WasmBackendModuleThreadedSimd;\n})()`;
}

/** Replaces the factory's `toString()` in backend_wasm.js; null for every other module. */
export function patchBackendWasm(code: string, id: string, fileText: string): string | null {
  if (!TARGET.test(id.split('?')[0])) return null;
  const at = code.indexOf(EXPRESSION);
  if (at < 0 || code.indexOf(EXPRESSION, at + 1) >= 0)
    throw new Error(
      `tfjs-wasm-threads: expected one "${EXPRESSION}" in ${id}; tfjs-backend-wasm changed, check src/node/tfjsWasmThreads.ts`,
    );
  return code.slice(0, at) + JSON.stringify(threadedFactoryExpression(fileText)) + code.slice(at + EXPRESSION.length);
}

export function tfjsWasmThreads(): Plugin {
  let fileText: string | undefined;
  return {
    name: 'tfjs-wasm-threads',
    transform(code, id) {
      if (!TARGET.test(id.split('?')[0])) return null;
      fileText ??= readFileSync(createRequire(import.meta.url).resolve(FACTORY_FILE), 'utf8');
      const out = patchBackendWasm(code, id, fileText);
      return out === null ? null : { code: out, map: null };
    },
  };
}
