/**
 * Which build of each native module a runtime loads, and where it lives (issue 18, item 2).
 *
 * `npm ci` builds better-sqlite3 and gdal-async for Node's ABI: the tests, the CLI and
 * `tessera serve` need exactly those. Electron has its own ABI, so the desktop app under
 * `npm start` needs second builds, kept apart so that neither runtime breaks the other:
 * - gdal-async loads through node-pre-gyp, whose binary folder is named by the ABI
 *   (lib/binding/node-v115-linux-x64, lib/binding/electron-v45.5-linux-x64): both builds sit side
 *   by side and each runtime finds its own.
 * - better-sqlite3 loads build/Release/better_sqlite3.node whatever the runtime, so its Electron
 *   build lives in .electron-native/<abi>/ and is handed over as `nativeBinding` (sqlite-binding.ts),
 *   through an environment variable that the worker threads inherit.
 * - sharp is built on Node-API, whose ABI is the same in both: one build serves both.
 * A packaged app needs none of this: electron-builder rebuilds its own copy of node_modules.
 * Pure but for existence checks, so scripts/start-desktop.mjs and its test share one answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The runtime the native modules are loaded into. */
export interface NativeRuntime {
  /** Electron's version (process.versions.electron), or undefined under plain Node. */
  electron?: string;
  /** Node's module ABI (process.versions.modules) under plain Node. */
  nodeModules: string;
  platform: string;
  arch: string;
}

export type NativeModuleName = 'better-sqlite3' | 'gdal-async' | 'sharp';

export interface NativeBuild {
  module: NativeModuleName;
  /** The binary this runtime loads, or null when the package finds it itself for every runtime (Node-API). */
  binary: string | null;
  /** Whether that binary is there. */
  present: boolean;
  /** How it is made when it is not (a command line, for the start script to run and to print). */
  build: string | null;
}

/** node-pre-gyp's name of a runtime's ABI: node-v115, or electron-v45.5 (major.minor: Electron keeps its ABI within a minor). */
export function abiName(runtime: NativeRuntime): string {
  if (runtime.electron === undefined) return `node-v${runtime.nodeModules}`;
  const [major, minor] = runtime.electron.split('.');
  if (!major || minor === undefined) throw new Error(`not an Electron version: ${runtime.electron}`);
  return `electron-v${major}.${minor}`;
}

/** The folder for Electron builds of modules that cannot keep two builds side by side themselves. */
export function electronNativeDir(root: string, runtime: NativeRuntime): string {
  return join(root, '.electron-native', `${abiName(runtime)}-${runtime.platform}-${runtime.arch}`);
}

/** Where each native module's binary for `runtime` is, whether it is there, and how to build it. */
export function nativeBuilds(root: string, runtime: NativeRuntime): NativeBuild[] {
  const modules = join(root, 'node_modules');
  const electron = runtime.electron;
  const headers = electron === undefined ? '' : ` --runtime=electron --target=${electron} --dist-url=https://electronjs.org/headers`;
  const sqlite =
    electron === undefined
      ? join(modules, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
      : join(electronNativeDir(root, runtime), 'better_sqlite3.node');
  const gdal = join(modules, 'gdal-async', 'lib', 'binding', `${abiName(runtime)}-${runtime.platform}-${runtime.arch}`, 'gdal.node');
  return [
    {
      module: 'better-sqlite3',
      binary: sqlite,
      present: existsSync(sqlite),
      // Built in a copy of the package, so the Node build in node_modules stays as it is.
      build:
        electron === undefined
          ? 'npm rebuild better-sqlite3'
          : `node-gyp rebuild --target=${electron} --dist-url=https://electronjs.org/headers (in a copy of better-sqlite3)`,
    },
    {
      module: 'gdal-async',
      binary: gdal,
      present: existsSync(gdal),
      // node-pre-gyp writes the binary into its ABI's folder; shared_gdal builds against the system GDAL, as .npmrc does for Node.
      build: `node-pre-gyp rebuild --build-from-source --shared_gdal${headers} (in node_modules/gdal-async)`,
    },
    { module: 'sharp', binary: null, present: true, build: null },
  ];
}

export type ElectronBinary = { ok: true; path: string } | { ok: false; missing: string };

/**
 * Whether the Electron binary is installed, read the way the `electron` package does (path.txt
 * names the executable inside dist/), without its fallback of downloading on require.
 */
export function electronBinary(root: string, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { ok: false, missing: 'the electron package is not installed (run npm ci)' };
  const pathFile = join(pkg, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable ?? 'electron');
    return existsSync(path) ? { ok: true, path } : { ok: false, missing: `ELECTRON_OVERRIDE_DIST_PATH names no Electron binary (${path})` };
  }
  const path = executable === null ? null : join(pkg, 'dist', executable);
  if (path !== null && existsSync(path)) return { ok: true, path };
  return {
    ok: false,
    missing:
      "Electron's binary is not downloaded (node_modules/electron/dist is empty): run `node node_modules/electron/install.js` where github.com is reachable, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron; `npm run serve` runs the same console in a browser",
  };
}
