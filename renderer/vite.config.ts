import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The renderer is built into dist/renderer, which both hosts serve (Electron through the tessera://
// protocol, the headless host over loopback HTTP). Relative asset URLs work under both.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  test: {
    root: '.',
    // Only the renderer's component tests: Node tests run from dist/ with node --test.
    include: ['renderer/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
  },
});
