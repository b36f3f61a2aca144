import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { patchBackendWasm } from '../../../src/node/tfjsWasmThreads';

const require = createRequire(import.meta.url);
const backendFile = require.resolve('@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js');
const factoryFile = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

describe('tfjsWasmThreads plugin', () => {
  const code = readFileSync(backendFile, 'utf8');
  const factory = readFileSync(factoryFile, 'utf8');

  it('leaves every other module alone', () => {
    expect(patchBackendWasm(code, '/x/node_modules/@tensorflow/tfjs-core/dist/engine.js', factory)).toBeNull();
  });

  it("replaces the factory's toString() in the installed tfjs-backend-wasm with a self-contained thread script", () => {
    const out = patchBackendWasm(code, backendFile, factory)!;
    expect(out).not.toContain('wasmFactoryThreadedSimd.toString()');
    // what the thread worker evaluates: `var WasmBackendModuleThreadedSimd = ` + the string the patch put in
    const literal = /`var WasmBackendModuleThreadedSimd = ` \+\s*("(?:[^"\\]|\\.)*")/.exec(out);
    expect(literal).not.toBeNull();
    const script = 'var WasmBackendModuleThreadedSimd = ' + (JSON.parse(literal![1]) as string);
    // a worker-like global without a bundle around it: no require, module, exports or document
    const sandbox: Record<string, unknown> = { self: {}, location: { href: 'blob:x' } };
    runInNewContext(script, sandbox);
    expect(typeof sandbox.WasmBackendModuleThreadedSimd).toBe('function');
    // and it is Emscripten's factory (takes the module config), not the CommonJS wrapper
    expect(String(sandbox.WasmBackendModuleThreadedSimd)).toMatch(/^function\s*\(WasmBackendModuleThreadedSimd\)/);
  });

  it('fails the build when tfjs no longer has the expression', () => {
    expect(() => patchBackendWasm('export const x = 1;', backendFile, factory)).toThrow(/tfjs-backend-wasm changed/);
  });
});
