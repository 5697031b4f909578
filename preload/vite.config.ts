/**
 * Bundles the sandboxed Electron preload into dist/preload/electron-preload.cjs.
 *
 * A sandboxed preload cannot require its sibling modules (contract.js, zod), so everything but
 * `electron` is inlined into one CommonJS file. The output directory is shared with tsc's output
 * of preload/, so it must not be emptied.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  // Paths below are relative to the repository root (npm scripts run there).
  root: '.',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist/preload',
    emptyOutDir: false,
    // Electron 45 ships Chromium 140 and Node 22.
    target: 'chrome140',
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    lib: {
      entry: 'preload/electron-preload.ts',
      formats: ['cjs'],
      fileName: () => 'electron-preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
