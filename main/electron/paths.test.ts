import { DESKTOP_CHANNEL } from '../../preload/ipc-channels.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { REQUEST_NAMES } from '../../shared/contract.js';
import type { TesseraWindowApi } from '../../preload/window-api.js';
import { shellPaths } from './paths.js';

/** dist/main/electron/paths.test.js → dist/. */
const DIST = fileURLToPath(new URL('../../', import.meta.url));

test('shell paths point at the bundled preload and the renderer build', () => {
  const paths = shellPaths();
  assert.equal(paths.preload, path.join(DIST, 'preload', 'electron-preload.cjs'));
  assert.equal(path.resolve(paths.rendererDir), path.join(DIST, 'renderer'));
  assert.ok(path.isAbsolute(paths.preload));
  // The window icon is the committed 256 px render of assets/icon.svg, beside dist/ as in the package.
  assert.equal(paths.windowIcon, path.join(DIST, '..', 'assets', 'icons', '256x256.png'));
  assert.ok(existsSync(paths.windowIcon), paths.windowIcon);
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

/** The built preload bundle's text, or null (the test skipped) when it has not been built. */
function builtPreload(t: { skip(message: string): void }): { file: string; bundle: string } | null {
  const { preload } = shellPaths();
  if (!existsSync(preload)) {
    t.skip(`not built: run vite build --config preload/vite.config.ts (${preload})`);
    return null;
  }
  return { file: preload, bundle: readFileSync(preload, 'utf8') };
}

test('the preload bundle touches electron only to expose window.tessera, wrap ipcRenderer (contract and desktop) and ask webUtils.getPathForFile', (t) => {
  const built = builtPreload(t);
  if (!built) return;
  const bindings = [...built.bundle.matchAll(/\b(?:let|const|var)\s+([\w$]+)\s*=\s*require\(\s*["']electron["']\s*\)/g)].map((m) => m[1]!);
  assert.equal(bindings.length, 1, 'electron is required once, into one binding');
  const uses = [...built.bundle.matchAll(new RegExp(`(?<![\\w$.])${bindings[0]!.replace(/\$/g, '\\$')}\\.([\\w$]+)(?:\\.([\\w$]+))?`, 'g'))].map((m) =>
    m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`,
  );
  // ipcRenderer twice: wrapped by the contract's transport and by the desktop bridge, nothing else.
  assert.deepEqual(uses.sort(), ['contextBridge.exposeInMainWorld', 'ipcRenderer', 'ipcRenderer', 'webUtils.getPathForFile']);
  assert.equal(built.bundle.split('exposeInMainWorld(').length - 1, 1, 'one exposeInMainWorld call');
});

test('the preload bundle, run, exposes one object: the contract, on(), files.pathFor and desktop pick/reveal, nothing else', (t) => {
  const built = builtPreload(t);
  if (!built) return;
  // Electron cannot run under Node: the bundle runs as Electron would run it, against an electron
  // module that records what the preload takes from it and what it exposes.
  const exposed: [string, unknown][] = [];
  const taken = new Set<string>();
  const asked: File[] = [];
  const invoked: unknown[][] = [];
  const onDisk = new File(['0'], 'roads.shp');
  const electron = new Proxy(
    {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => void exposed.push([key, value]) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, result: ['/srv/dem.tif'] };
        },
        on: () => undefined,
      },
      webUtils: {
        getPathForFile: (file: File) => {
          asked.push(file);
          // As Electron does: a File made in script has no file on disk, and its path is ''.
          return file === onDisk ? '/home/gis/roads.shp' : '';
        },
      },
    },
    {
      get(target, property, receiver) {
        taken.add(String(property));
        return Reflect.get(target, property, receiver);
      },
    },
  );
  const required: string[] = [];
  const module = { exports: {} };
  const run = vm.compileFunction(built.bundle, ['require', 'module', 'exports'], { filename: built.file });
  run(
    (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`the sandboxed preload cannot require ${id}`);
      return electron;
    },
    module,
    module.exports,
  );

  assert.deepEqual(required, ['electron']);
  assert.equal(exposed.length, 1, 'exactly one exposeInMainWorld call');
  const [key, value] = exposed[0]!;
  assert.equal(key, 'tessera');
  const api = value as TesseraWindowApi;
  const namespaces = [...new Set(REQUEST_NAMES.map((name) => name.split('.')[0]!))];
  assert.deepEqual(Object.keys(api).sort(), [...namespaces, 'desktop', 'files', 'on'].sort());
  assert.deepEqual(Object.keys(api.desktop ?? {}).sort(), ['pick', 'reveal']);
  assert.ok(api.files, 'files is exposed');
  assert.deepEqual(Object.keys(api.files), ['pathFor']);

  const madeInScript = new File(['{}'], 'drawn.geojson');
  assert.equal(api.files.pathFor(onDisk), '/home/gis/roads.shp');
  assert.equal(api.files.pathFor(madeInScript), null, "webUtils' empty string is no path");
  assert.equal(asked.length, 2);
  assert.ok(asked[0] === onDisk && asked[1] === madeInScript, 'webUtils is asked about the very File dropped');
  assert.deepEqual([...taken].sort(), ['contextBridge', 'ipcRenderer', 'webUtils'], 'nothing else of electron is taken');
});

test('the preload bundle, run: desktop.pick goes over the desktop channel, not the contract’s', async (t) => {
  const built = builtPreload(t);
  if (!built) return;
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (_key: string, value: unknown) => void (exposedApi = value as TesseraWindowApi) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, result: ['/srv/dem.tif'] };
      },
      on: () => undefined,
    },
    webUtils: { getPathForFile: () => '' },
  };
  let exposedApi: TesseraWindowApi | null = null;
  const module = { exports: {} };
  vm.compileFunction(built.bundle, ['require', 'module', 'exports'], { filename: built.file })(() => electron, module, module.exports);
  assert.deepEqual(await exposedApi!.desktop!.pick({ purpose: 'raster' }), ['/srv/dem.tif']);
  assert.deepEqual(invoked, [[DESKTOP_CHANNEL, 'pick', { purpose: 'raster' }]]);
});
