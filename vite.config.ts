import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { ISOLATION_HEADERS } from './src/node/isolation.mjs';
import { tfjsWasmThreads } from './src/node/tfjsWasmThreads.ts';

// Cornerstone3D 5 under Vite: see DESIGN.md section 6. Both servers send the cross-origin isolation headers and
// tfjsWasmThreads patches tfjs-backend-wasm, so the engine's WebAssembly runs on all cores (src/node/isolation.mjs).
export default defineConfig({
  plugins: [react(), tfjsWasmThreads()],
  resolve: {
    alias: { events: 'events' },
  },
  optimizeDeps: {
    // the dev server pre-bundles tfjs-backend-wasm: patch it there too
    rolldownOptions: { plugins: [tfjsWasmThreads()] },
    exclude: ['@cornerstonejs/dicom-image-loader'],
    // The loader is excluded, so its CommonJS codec builds must be pre-bundled explicitly (dev server).
    include: [
      'dicom-parser',
      'comlink',
      'pako',
      '@cornerstonejs/codec-charls/decodewasmjs',
      '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
      '@cornerstonejs/codec-openjpeg/decodewasmjs',
      '@cornerstonejs/codec-openjph/wasmjs',
      '@cornerstonejs/codec-libjxl/decodewasmjs',
    ],
  },
  // the engine worker is bundled on its own: it needs the patch too (that is where the wasm backend runs)
  worker: { format: 'es', plugins: () => [tfjsWasmThreads()] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    // batch.html: the no-click page of `npm run segment` (src/batch/page.ts).
    rolldownOptions: { input: { index: 'index.html', batch: 'batch.html' } },
  },
  server: { port: 5173, headers: ISOLATION_HEADERS },
  preview: { port: 4173, headers: ISOLATION_HEADERS },
});
