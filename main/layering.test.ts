/**
 * Holds the process layers apart by reading the SOURCE tree (main/, preload/, workers/, renderer/):
 *
 * 1. Only main/electron/ and preload/electron-preload.ts import `electron` (or `electron/*`).
 *    Type-only imports count too: outside the shell nothing should even know Electron's types
 *    (preload/ipc-transport.ts describes the three ipcRenderer methods it needs instead). Inside
 *    main/electron/ type-only imports are the norm (see security.test.ts).
 * 2. renderer/ and preload/ (the Electron preload included: it is sandboxed and cannot load Node
 *    modules) import no Node built-in and no native module. Build configs (*.config.*) and tests
 *    run in Node and are exempt.
 * 3. workers/ import nothing from main/ or renderer/; renderer/ and preload/ nothing from main/
 *    or workers/.
 * 4. shared/ (the contract, errors, formatters, tile grid: the core every process imports) imports
 *    nothing but itself and plain packages (zod): no Node built-in, no native module, no layer.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importsOf, sourceFilesUnder } from './testing/source-imports.js';

/** dist/main/layering.test.js → the repository root. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['main', 'shared', 'preload', 'workers', 'renderer'] as const;

const ELECTRON_ALLOWED = (file: string) => file.startsWith('main/electron/') || file === 'preload/electron-preload.ts';
const NATIVE_MODULES = ['better-sqlite3', 'gdal-async', 'sharp', '@img', 'original-fs'];
const RUNS_IN_NODE = (file: string) => /\.config\.[cm]?[jt]s$/.test(file) || /\.test\.[cm]?[jt]sx?$/.test(file);

function isElectron(specifier: string): boolean {
  return specifier === 'electron' || specifier.startsWith('electron/');
}

function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return builtinModules.includes(specifier) || builtinModules.includes(specifier.split('/')[0]!);
}

function isNative(specifier: string): boolean {
  return NATIVE_MODULES.some((name) => specifier === name || specifier.startsWith(`${name}/`));
}

/** The repo-relative layer a relative specifier of `file` points into, or null. */
function layerOf(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return target.split('/')[0] ?? null;
}

interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

/** Every layering violation of one file's source. */
function violationsOf(file: string, source: string): Violation[] {
  const out: Violation[] = [];
  const layer = file.split('/')[0];
  for (const { specifier, line } of importsOf(source)) {
    const add = (rule: string) => out.push({ file, line, specifier, rule });
    if (isElectron(specifier) && !ELECTRON_ALLOWED(file)) add('only main/electron/ and preload/electron-preload.ts may import electron');
    if ((layer === 'renderer' || layer === 'preload') && !RUNS_IN_NODE(file)) {
      if (isNodeBuiltin(specifier)) add(`${layer}/ must not import Node built-ins`);
      if (isNative(specifier)) add(`${layer}/ must not import native modules`);
    }
    if (layer === 'shared' && !RUNS_IN_NODE(file)) {
      if (isNodeBuiltin(specifier) || isNative(specifier)) add('shared/ runs in every process: no Node built-ins, no native modules');
    }
    const target = layerOf(file, specifier);
    if (layer === 'shared' && target !== null && target !== 'shared') add('shared/ imports nothing from the layers that use it');
    if (layer === 'workers' && (target === 'main' || target === 'renderer')) add('workers/ must not import from main/ or renderer/');
    if ((layer === 'renderer' || layer === 'preload') && (target === 'main' || target === 'workers')) {
      add(`${layer}/ must not import from main/ or workers/`);
    }
  }
  return out;
}

function format(violations: Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line} imports '${v.specifier}': ${v.rule}`).join('\n');
}

test('the source tree keeps its process layers apart', () => {
  const files = LAYERS.flatMap((layer) => sourceFilesUnder(REPO, layer));
  assert.ok(files.includes('main/layering.test.ts'), `the walk did not find this test's own source under ${REPO}`);
  assert.ok(files.includes('shared/contract.ts'));
  const violations = files.flatMap((file) => violationsOf(file, readFileSync(path.join(REPO, file), 'utf8')));
  assert.deepEqual(violations, [], `layering violations:\n${format(violations)}`);
});

// The checks on the checker. The module name is assembled so this file does not trip itself.
const E = ['elec', 'tron'].join('');

test('the scanner sees every form of import', () => {
  const source = [
    `import x from '${E}';`,
    `import type { BrowserWindow } from "${E}";`,
    `import {\n  app,\n  type Menu,\n} from '${E}/main';`,
    `export * from '${E}';`,
    `export type { App } from '${E}';`,
    `import '${E}';`,
    `const a = await import('${E}');`,
    `const b = require('${E}');`,
    `import c = require('${E}');`,
    `const d = import(\`${E}\`);`,
  ].join('\n');
  const found = importsOf(source).map((i) => [i.specifier, i.kind, i.typeOnly, i.line]);
  assert.deepEqual(found, [
    [E, 'static', false, 1],
    [E, 'static', true, 2],
    [`${E}/main`, 'static', false, 3],
    [E, 'static', false, 7],
    [E, 'static', true, 8],
    [E, 'static', false, 9],
    [E, 'dynamic', false, 10],
    [E, 'require', false, 11],
    [E, 'require', false, 12],
    [E, 'dynamic', false, 13],
  ]);
});

test('the scanner ignores imports that are only in comments or are not imports', () => {
  const source = [
    `// import x from '${E}';`,
    `/* const y = require('${E}'); */`,
    `/**\n * import { app } from '${E}'\n */`,
    `const url = 'tessera://app'; // import z from '${E}'`,
    `const meta = import.meta.url;`,
    `export const name = '${E}';`,
  ].join('\n');
  assert.deepEqual(importsOf(source), []);
});

test('electron is refused outside the shell, type-only imports included', () => {
  const value = `import { app } from '${E}';`;
  const typeOnly = `import type { App } from '${E}';`;
  const dynamic = `const { app } = await import('${E}');`;
  const required = `const { app } = require('${E}');`;
  for (const file of ['main/engine/engine.ts', 'main/hosts/headless-host.ts', 'workers/pool-entry.ts', 'renderer/app.tsx', 'preload/browser-bridge.ts']) {
    for (const source of [value, typeOnly, dynamic, required]) {
      assert.equal(violationsOf(file, source).length, 1, `${file}: ${source}`);
    }
  }
  for (const file of ['main/electron/main.ts', 'main/electron/window.ts', 'preload/electron-preload.ts']) {
    assert.deepEqual(violationsOf(file, `${value}\n${typeOnly}\n${dynamic}`), []);
  }
});

test('Node built-ins and native modules are refused in the renderer and the preloads', () => {
  for (const specifier of [
    'node:fs',
    'fs',
    'fs/promises',
    'path',
    'worker_threads',
    'child_process',
    'better-sqlite3',
    'gdal-async',
    'sharp',
    '@img/sharp-linux-x64',
  ]) {
    const source = `import x from '${specifier}';`;
    for (const file of ['renderer/app.tsx', 'preload/browser-bridge.ts', 'preload/electron-preload.ts']) {
      assert.equal(violationsOf(file, source).length, 1, `${file} importing ${specifier}`);
    }
    assert.deepEqual(violationsOf('main/store/database.ts', source), []);
    assert.deepEqual(violationsOf('renderer/vite.config.ts', source), []);
  }
  assert.deepEqual(violationsOf('renderer/app.tsx', `import maplibregl from 'maplibre-gl';\nimport { z } from 'zod';`), []);
});

test('workers stay out of main/ and renderer/, the renderer out of main/ and workers/', () => {
  assert.equal(violationsOf('workers/verify/run.ts', `import { x } from '../../main/engine/engine.js';`).length, 1);
  assert.equal(violationsOf('workers/run.ts', `import { x } from '../renderer/app.js';`).length, 1);
  assert.deepEqual(violationsOf('workers/run.ts', `import { TesseraError } from '../shared/errors.js';`), []);
  assert.equal(violationsOf('renderer/jobs/list.tsx', `import { x } from '../../main/store/job-store.js';`).length, 1);
  assert.equal(violationsOf('preload/x.ts', `import { x } from '../workers/task.js';`).length, 1);
  assert.deepEqual(violationsOf('main/engine/handlers.ts', `import { x } from '../../preload/contract.js';`), []);
});
