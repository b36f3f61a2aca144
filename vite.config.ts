import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cornerstone3D 5 under Vite: see DESIGN.md section 6.
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { events: 'events' },
  },
  optimizeDeps: {
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
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    // batch.html: the no-click page of `npm run segment` (src/batch/page.ts).
    rolldownOptions: { input: { index: 'index.html', batch: 'batch.html' } },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
