import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shellPaths } from './paths.js';

/** dist/main/electron/paths.test.js → dist/. */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

test('shell paths point at the bundled preload and the renderer build', () => {
  const paths = shellPaths();
  assert.equal(paths.preload, path.join(DIST, 'preload', 'electron-preload.cjs'));
  assert.equal(path.resolve(paths.rendererDir), path.join(DIST, 'renderer'));
  assert.ok(path.isAbsolute(paths.preload));
});

test('the preload bundle is one CommonJS file that requires only electron', (t) => {
  const { preload } = shellPaths();
  if (!existsSync(preload)) {
    t.skip(`not built: run vite build --config preload/vite.config.ts (${preload})`);
    return;
  }
  const bundle = readFileSync(preload, 'utf8');
  const required = [...bundle.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
  // A sandboxed preload can require only electron (and a few polyfilled modules); a relative
  // require would fail at run time and leave the page without window.tessera.
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.doesNotMatch(bundle, /^\s*(import|export)\s/m, 'no ES module syntax left');
  assert.match(bundle, /exposeInMainWorld\("tessera"/);
});
