/**
 * Cross-origin isolation: the two response headers that make a page `crossOriginIsolated`, which the browser
 * requires before it lets the page (and its workers) share memory between threads. The engine's multi-threaded
 * WebAssembly (tfjs-backend-wasm's threaded SIMD build, XNNPACK's thread pool) needs it; without the headers the
 * engine still runs, on one thread, and says why (src/engine/backend.ts).
 *
 * Every server of the app sends them: the Vite dev and preview servers (vite.config.ts), the static server of
 * the tests and scripts (staticServer.mjs), the batch CLI's server (src/batch/server.ts), and the deployment
 * examples in the README. Under `require-corp` a cross-origin resource loads only with CORS or a
 * Cross-Origin-Resource-Policy header: a DICOMweb server on another origin needs CORS anyway (the viewer reads it
 * with fetch), so nothing changes for a PACS that works today.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
