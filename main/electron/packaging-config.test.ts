/**
 * electron-builder.yml checked without packaging (which needs the network): electron-builder's
 * own schema validation accepts it, every production package holding a native binary is unpacked
 * from app.asar, the fuses are burnt as the security model needs, and the icons it names exist at
 * the sizes its targets need (issue 18, items 3 and 5). main/packaging.test.ts checks the file list.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import sharp, { type Metadata } from 'sharp';
import { parse } from 'yaml';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  directories?: { buildResources?: string };
  linux?: { icon?: string };
  mac?: { icon?: string };
  win?: { icon?: string };
  files?: string[];
}

function builderConfig(): BuilderConfig {
  return parse(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

/** electron-builder's configuration validation (app-builder-lib, the library `electron-builder` runs). */
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, debugLogger: { isEnabled: boolean; add(key: string, value: unknown): void }): Promise<void>;
};
const quietLogger = { isEnabled: false, add: () => {} };

test("electron-builder's own schema accepts electron-builder.yml, and refuses a misspelt option", async () => {
  await validateConfiguration(builderConfig(), quietLogger);
  // The validator is live: the same file with a misspelt option is refused, naming it.
  const { asarUnpack, ...rest } = builderConfig();
  await assert.rejects(validateConfiguration({ ...rest, asarUnpak: asarUnpack }, quietLogger), /asarUnpak/);
});

/** Production packages (package-lock.json entries not marked dev) by their node_modules path. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true && existsSync(join(repo, path)))
    .map(([path]) => path);
}

/** Whether a package folder (its nested node_modules aside: they are packages of their own) holds a native binary. */
function holdsNativeBinary(dir: string): boolean {
  for (const entry of readdirSync(join(repo, dir), { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && holdsNativeBinary(join(dir, entry.name))) return true;
    } else if (/\.(node|so(\.\d+)*|dylib|dll)$/.test(entry.name)) return true;
  }
  return false;
}

test('every production package with a native binary is unpacked from app.asar', () => {
  const unpack = builderConfig().asarUnpack ?? [];
  const packages = productionPackages();
  assert.ok(packages.length > 20, `${packages.length} production packages (is package-lock.json there?)`);
  const native = packages.filter(holdsNativeBinary);
  // The three the engine is built on are found (sharp's binaries live in its @img/ packages):
  // the walk sees what it looks for.
  assert.ok(native.includes('node_modules/better-sqlite3'), native.join(', '));
  assert.ok(native.includes('node_modules/gdal-async'), native.join(', '));
  assert.ok(
    native.some((p) => p.startsWith('node_modules/@img/sharp-')),
    native.join(', '),
  );
  const packed = native.filter((dir) => !unpack.some((pattern) => minimatch(`${dir}/binary.node`, pattern, { dot: true })));
  assert.deepEqual(packed, [], 'native packages left inside app.asar (the OS loader cannot open them there)');
});

test('the fuses close Electron as a plain Node and pin the app to its integrity-checked asar', () => {
  const fuses = builderConfig().electronFuses;
  assert.ok(fuses, 'electron-builder.yml sets electronFuses');
  assert.deepEqual(
    {
      runAsNode: fuses.runAsNode,
      enableNodeOptionsEnvironmentVariable: fuses.enableNodeOptionsEnvironmentVariable,
      enableNodeCliInspectArguments: fuses.enableNodeCliInspectArguments,
      enableEmbeddedAsarIntegrityValidation: fuses.enableEmbeddedAsarIntegrityValidation,
      onlyLoadAppFromAsar: fuses.onlyLoadAppFromAsar,
      grantFileProtocolExtraPrivileges: fuses.grantFileProtocolExtraPrivileges,
    },
    {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    },
  );
});

test('the icons the targets name exist at the sizes they need, and match assets/icon.svg', async () => {
  const config = builderConfig();
  for (const target of ['mac', 'win'] as const) {
    const icon = config[target]?.icon;
    assert.ok(icon, `${target}.icon is set`);
    // electron-builder derives .icns and .ico from one PNG; it needs at least 512 px, 1024 for Retina.
    const meta = await sharp(join(repo, icon)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1024, 1024], `${target}: ${icon}`);
  }
  const linuxDir = config.linux?.icon;
  assert.ok(linuxDir, 'linux.icon names the hicolor folder');
  const names = readdirSync(join(repo, linuxDir)).sort();
  assert.ok(names.length >= 6, names.join(', '));
  for (const name of names) {
    const [, size] = /^(\d+)x\1\.png$/.exec(name) ?? [];
    assert.ok(size, `${name} is named NxN.png`);
    const meta: Metadata = await sharp(join(repo, linuxDir, name)).metadata();
    assert.deepEqual([meta.width, meta.height, meta.hasAlpha], [Number(size), Number(size), true], name);
  }
  // The tray's template images are one colour (black) with alpha, as macOS requires.
  const { data, info } = await sharp(join(repo, 'assets/tray/trayTemplate@2x.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, 32);
  for (let i = 0; i < data.length; i += 4)
    assert.ok(data[i + 3] === 0 || (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0), 'template pixels are black or clear');
  // What is run time's (the window and tray icons) is in the package's files.
  const files = config.files ?? [];
  for (const runtime of ['assets/icons/256x256.png', 'assets/tray/trayTemplate.png', 'assets/tray/tray.png']) {
    assert.ok(
      files.some((p) => minimatch(runtime, p)),
      `${runtime} is shipped`,
    );
  }
  // The committed PNGs are what the script renders from the drawings now.
  const check = spawnSync(process.execPath, [join(repo, 'scripts/make-icons.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});
