#!/usr/bin/env node
/**
 * `npm start`: runs the desktop app from the source tree (after `npm run build`).
 *
 * 1. Finds the Electron binary the `electron` package downloads; without it, says in one line
 *    what is missing and how to get it, and exits 1 (it never downloads by itself).
 * 2. Builds the native modules for Electron's ABI once, beside the Node builds that the tests,
 *    the CLI and `tessera serve` use (main/native/native-builds.ts says where each one goes).
 *    This fetches Electron's headers, so the first start needs network access.
 * 3. Starts Electron on the app, naming better-sqlite3's Electron build in TESSERA_SQLITE_BINDING.
 *
 *   node scripts/start-desktop.mjs           # check, build what is missing, start
 *   node scripts/start-desktop.mjs --check   # print what it would do; exit 1 if it cannot start
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { electronBinary, electronNativeDir, nativeBuilds } = await import(join(root, 'dist/main/native/native-builds.js')).catch(() => {
  process.stderr.write('tessera: the app is not built: run `npm run build` first (npm start does)\n');
  process.exit(1);
});
const { SQLITE_BINDING_ENV } = await import(join(root, 'dist/main/native/sqlite-binding.js'));
const checkOnly = process.argv.includes('--check');

const electron = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const runtime = { electron, nodeModules: process.versions.modules, platform: process.platform, arch: process.arch };

const binary = electronBinary(root);
if (!binary.ok) {
  process.stderr.write(`tessera: cannot start the desktop app: ${binary.missing}\n`);
  process.exit(1);
}

const missing = nativeBuilds(root, runtime).filter((build) => !build.present);
if (checkOnly) {
  process.stdout.write(`Electron ${electron}: ${binary.path}\n`);
  for (const build of missing) process.stdout.write(`to build for Electron: ${build.module}: ${build.build}\n`);
  process.exit(0);
}

/** Runs a command and stops the start with its output when it fails. */
function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`tessera: ${[command, ...args].join(' ')} failed in ${cwd} (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

const headers = [`--target=${electron}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`];
const nodeGyp = join(root, 'node_modules/node-gyp/bin/node-gyp.js');
for (const build of missing) {
  process.stderr.write(`building ${build.module} for Electron ${electron} (once; needs network access for Electron's headers)…\n`);
  if (build.module === 'better-sqlite3') {
    // In a copy: node-gyp always writes build/Release, which the Node runtime loads.
    const scratch = mkdtempSync(join(tmpdir(), 'tessera-electron-sqlite-'));
    try {
      cpSync(join(root, 'node_modules/better-sqlite3'), scratch, { recursive: true, filter: (path) => !path.includes('/build/') });
      run(process.execPath, [nodeGyp, 'rebuild', ...headers], scratch);
      mkdirSync(electronNativeDir(root, runtime), { recursive: true });
      copyFileSync(join(scratch, 'build/Release/better_sqlite3.node'), build.binary);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } else if (build.module === 'gdal-async') {
    // node-pre-gyp puts the binary in the ABI's own folder; shared_gdal as in .npmrc (Debian's libgdal).
    const preGyp = join(root, 'node_modules/gdal-async/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp');
    run(process.execPath, [preGyp, 'rebuild', '--build-from-source', '--shared_gdal', '--runtime=electron', ...headers], join(root, 'node_modules/gdal-async'));
  }
}

const sqlite = nativeBuilds(root, runtime).find((build) => build.module === 'better-sqlite3').binary;
const started = spawnSync(binary.path, [root, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [SQLITE_BINDING_ENV]: sqlite } });
process.exit(started.status ?? 1);
