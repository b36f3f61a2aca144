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
    include: ['dicom-parser', 'comlink', 'pako'],
  },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
  server: { port: 5173 },
  preview: { port: 4173 },
});
