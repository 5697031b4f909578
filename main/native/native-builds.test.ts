import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { abiName, electronBinary, electronNativeDir, nativeBuilds } from './native-builds.js';
import { SQLITE_BINDING_ENV, withSqliteBinding } from './sqlite-binding.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tessera-native-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const node = { nodeModules: process.versions.modules, platform: process.platform, arch: process.arch };
const electron = { ...node, electron: '45.5.0' };

test("ABI names are node-pre-gyp's: Node by module version, Electron by major.minor", () => {
  assert.equal(abiName(node), `node-v${process.versions.modules}`);
  assert.equal(abiName(electron), 'electron-v45.5');
  assert.equal(abiName({ ...electron, electron: '45.6.1' }), 'electron-v45.6');
  assert.throws(() => abiName({ ...electron, electron: 'x' }), /not an Electron version/);
});

test('under Node every module loads the build npm ci made, and those builds are there', () => {
  const builds = nativeBuilds(repo, node);
  assert.deepEqual(
    builds.map((b) => [b.module, b.present]),
    [
      ['better-sqlite3', true],
      ['gdal-async', true],
      ['sharp', true],
    ],
  );
  // gdal-async's binary is the one gdal-async itself loads here (node-pre-gyp's ABI folder).
  const gdal = builds.find((b) => b.module === 'gdal-async')!;
  assert.ok(gdal.binary!.endsWith(join('lib', 'binding', `node-v${process.versions.modules}-${process.platform}-${process.arch}`, 'gdal.node')), gdal.binary!);
  assert.equal(builds.find((b) => b.module === 'sharp')!.binary, null, 'sharp is Node-API: one build for both runtimes');
});

test("under Electron the builds are kept apart from Node's, and say how they are made", () => {
  const builds = nativeBuilds(repo, electron);
  const sqlite = builds.find((b) => b.module === 'better-sqlite3')!;
  assert.equal(sqlite.binary, join(electronNativeDir(repo, electron), 'better_sqlite3.node'));
  assert.ok(sqlite.binary!.includes(`${join('.electron-native', `electron-v45.5-${process.platform}-${process.arch}`)}`));
  assert.match(sqlite.build!, /--target=45\.5\.0 --dist-url=https:\/\/electronjs\.org\/headers/);
  const gdal = builds.find((b) => b.module === 'gdal-async')!;
  assert.ok(gdal.binary!.includes(join('lib', 'binding', `electron-v45.5-${process.platform}-${process.arch}`)), gdal.binary!);
  assert.match(gdal.build!, /--runtime=electron --target=45\.5\.0/);
  // Neither Electron path is a Node build's path: building one cannot overwrite the other.
  const nodePaths = new Set(nativeBuilds(repo, node).map((b) => b.binary));
  for (const build of builds) if (build.binary !== null) assert.ok(!nodePaths.has(build.binary), build.module);
});

test('the Electron binary is found as the electron package finds it, or named as missing in one line', () => {
  const root = join(scratch, 'app');
  const pkg = join(root, 'node_modules', 'electron');
  assert.match((electronBinary(root, {}) as { missing: string }).missing, /npm ci/);
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"version":"45.5.0"}');
  writeFileSync(join(pkg, 'path.txt'), 'electron');
  const missing = electronBinary(root, {});
  assert.equal(missing.ok, false);
  assert.ok(
    !missing.ok && !missing.missing.includes('\n') && /install\.js/.test(missing.missing) && /npm run serve/.test(missing.missing),
    JSON.stringify(missing),
  );
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist', 'electron'), '');
  assert.deepEqual(electronBinary(root, {}), { ok: true, path: join(pkg, 'dist', 'electron') });
  // An unpacked Electron elsewhere, as the electron package itself honours.
  const elsewhere = join(scratch, 'unpacked');
  mkdirSync(elsewhere);
  assert.equal(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere }).ok, false);
  writeFileSync(join(elsewhere, 'electron'), '');
  assert.deepEqual(electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere }), { ok: true, path: join(elsewhere, 'electron') });
});

test('better-sqlite3 opens with the binary the environment names, and fails on one that is not there', () => {
  const nodeBuild = nativeBuilds(repo, node).find((b) => b.module === 'better-sqlite3')!.binary!;
  assert.deepEqual(withSqliteBinding({ readonly: true }, {}), { readonly: true });
  const options = withSqliteBinding({}, { [SQLITE_BINDING_ENV]: nodeBuild });
  assert.equal(options.nativeBinding, nodeBuild);
  const db = new Database(join(scratch, 'a.sqlite'), options);
  assert.equal((db.prepare('SELECT 1 + 1 AS two').get() as { two: number }).two, 2);
  db.close();
  assert.throws(() => new Database(join(scratch, 'b.sqlite'), withSqliteBinding({}, { [SQLITE_BINDING_ENV]: join(scratch, 'none.node') })));
});

test('every SQLite file the app opens goes through withSqliteBinding', () => {
  const unbound: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repo, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing') walk(path);
      } else if (/\.ts$/.test(entry.name) && !/\.(test|reference)\.ts$/.test(entry.name)) {
        const source = readFileSync(join(repo, path), 'utf8');
        for (const match of source.matchAll(/new Database\(([^;]*)/g)) if (!match[1]!.includes('withSqliteBinding(')) unbound.push(`${path}: ${match[0]}`);
      }
    }
  };
  for (const layer of ['main', 'workers']) walk(layer);
  assert.deepEqual(unbound, []);
});

test('npm start names the missing Electron binary in one line and exits 1, or says what it would build', () => {
  const run = spawnSync(process.execPath, [join(repo, 'scripts', 'start-desktop.mjs'), '--check'], { encoding: 'utf8' });
  const installed = electronBinary(repo);
  if (installed.ok) {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Electron \d+\.\d+\.\d+: /);
  } else {
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `tessera: cannot start the desktop app: ${installed.missing}\n`);
  }
});
