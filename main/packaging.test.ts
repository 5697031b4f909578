/**
 * The desktop package's file list (electron-builder.yml `files:`) against the compiled tree:
 * no test, test helper, fixture or test tooling is shipped, and what is shipped is
 * self-contained (nothing it imports is left out). Patterns are matched with minimatch, the
 * matcher electron-builder itself uses. Needs a built dist/ (the test runs from it).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { minimatch } from 'minimatch';
import { parse } from 'yaml';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The `files:` patterns of electron-builder.yml, in order. */
function filePatterns(): string[] {
  const config = parse(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as { files?: unknown };
  assert.ok(Array.isArray(config.files) && config.files.every((p) => typeof p === 'string'), 'electron-builder.yml has a files: list of strings');
  return config.files as string[];
}

/**
 * Whether a repo-relative path (POSIX separators) goes into the package: electron-builder takes
 * a file when a positive pattern matches it and no negated (`!`) pattern does.
 */
function shipped(path: string, patterns: string[]): boolean {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return include.some((p) => minimatch(path, p, { dot: true })) && !exclude.some((p) => minimatch(path, p, { dot: true }));
}

/** Every file under dist/, repo-relative with POSIX separators. */
function distFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(repo, path).split(sep).join('/'));
    }
  };
  walk(join(repo, 'dist'));
  return files.sort();
}

/** A file that belongs to tests only: a test, a reference test, a helper or fixture, or test tooling. */
function testOnly(path: string): boolean {
  return /\/testing\//.test(path) || /\.test\.js(\.map)?$/.test(path) || /\.reference\.js(\.map)?$/.test(path) || /^dist\/(e2e|bench|reliability)\//.test(path);
}

/** The relative module specifiers a compiled ES module loads: static and dynamic imports, re-exports, `new URL(…, import.meta.url)`. */
function relativeImports(source: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+\.js)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}

test('minimatch reads the yml patterns as electron-builder means them', () => {
  const patterns = ['dist/**', 'package.json', '!dist/**/*.test.js', '!dist/**/testing/**', '!dist/e2e/**'];
  assert.ok(shipped('dist/main/engine/engine.js', patterns));
  assert.ok(shipped('package.json', patterns));
  assert.ok(!shipped('dist/main/engine/engine.test.js', patterns));
  assert.ok(!shipped('dist/main/preseed/raster/testing/gdal2tiles-reference.js', patterns));
  assert.ok(!shipped('dist/main/testing/real-data.js', patterns));
  assert.ok(!shipped('dist/e2e/app.js', patterns));
  assert.ok(!shipped('README.md', patterns));
});

test('relativeImports finds every way a compiled module loads another', () => {
  const source = [
    "import { a } from './a.js';",
    "import * as b from '../b/b.js';",
    "import './side-effect.js';",
    "export { c } from './c.js';",
    "export * from './d.js';",
    "const e = await import('./e.js');",
    "const worker = fileURLToPath(new URL('../../workers/pool-entry.js', import.meta.url));",
    "import sharp from 'sharp';",
    "const pkg = new URL('../../package.json', import.meta.url);",
  ].join('\n');
  assert.deepEqual(relativeImports(source).sort(), ['../../workers/pool-entry.js', '../b/b.js', './a.js', './c.js', './d.js', './e.js', './side-effect.js']);
});

test('the package leaves out every test, test helper, fixture and test tool, and keeps the app', () => {
  const patterns = filePatterns();
  const files = distFiles();
  assert.ok(
    files.some((f) => /\/testing\/.+\.js$/.test(f)),
    'dist/ holds compiled test helpers (is it built?)',
  );
  assert.ok(
    files.some((f) => f.endsWith('.test.js')),
    'dist/ holds compiled tests (is it built?)',
  );
  const leaked = files.filter((f) => testOnly(f) && shipped(f, patterns));
  assert.deepEqual(leaked, [], 'test-only files the package would ship');
  // The app itself is in: its entry points and the worker pool.
  for (const entry of ['dist/main/electron/main.js', 'dist/main/cli/bin.js', 'dist/workers/pool-entry.js', 'package.json']) {
    assert.ok(shipped(entry, patterns), `${entry} is shipped`);
  }
  const app = files.filter((f) => f.endsWith('.js') && !testOnly(f));
  assert.ok(app.length > 50, `${app.length} app modules`);
  const missing = app.filter((f) => !shipped(f, patterns));
  assert.deepEqual(missing, [], 'app modules the package would leave out');
});

test('no shipped module imports a test helper, and everything a shipped module imports is shipped', () => {
  const patterns = filePatterns();
  const problems: string[] = [];
  for (const file of distFiles()) {
    if (!file.endsWith('.js') || !shipped(file, patterns)) continue;
    for (const specifier of relativeImports(readFileSync(join(repo, file), 'utf8'))) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      if (/\/testing\//.test(target)) problems.push(`${file} imports the test helper ${target}`);
      else if (!shipped(target, patterns)) problems.push(`${file} imports ${target}, which is not shipped`);
    }
  }
  assert.deepEqual(problems, []);
});

test('outside testing/ folders, only tests import test helpers (in the sources, type imports included)', () => {
  const problems: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repo, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'testing') walk(path);
        continue;
      }
      if (!/\.tsx?$/.test(entry.name) || /\.(test|reference)\.tsx?$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
      const source = readFileSync(join(repo, path), 'utf8');
      for (const match of source.matchAll(/\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
        const specifier = match[1] ?? match[2]!;
        const target = posix.normalize(posix.join(dir, specifier));
        if (/(^|\/)testing\//.test(target)) problems.push(`${path} imports ${target}`);
      }
    }
  };
  // The app's layers; e2e, bench and reliability are test tooling and may use the helpers.
  for (const layer of ['main', 'workers', 'shared', 'preload', 'renderer']) walk(layer);
  assert.deepEqual(problems, []);
});

test('the offline basemap the build makes is shipped', () => {
  // The map draws it under every cache (main/hosts/basemap-tiles.ts); without it the map has no land.
  assert.ok(existsSync(join(repo, 'dist/basemap/world.pmtiles')), 'dist/basemap/world.pmtiles (npm run build makes it)');
  assert.ok(shipped('dist/basemap/world.pmtiles', filePatterns()));
});
