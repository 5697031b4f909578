/**
 * The architecture issue's "done when", held by the source tree itself (read from the SOURCE, as
 * main/layering.test.ts does; the shells' rules are in main/hosts/host-layering.test.ts):
 *
 * 1. The layers point one way inside main/: the store imports nothing from the engine, and no
 *    capability (catalogue, ingest, preseed, Esri, tile caches, disk, paths, reports…) imports the
 *    engine's internals. The engine drives capabilities through their kinds' plug-ins.
 * 2. No production module is over 450 lines; no source file holds data over 60 KB (data lives in
 *    data files, made by committed scripts).
 * 3. At most two production modules cast through `unknown` (`as unknown as`), each saying why.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importsOf, sourceFilesUnder } from './testing/source-imports.js';

/** dist/main/architecture.test.js → the repository root. */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const isTestCode = (file: string) => /\.(test|reference)\.tsx?$/.test(file) || file.includes('/testing/');
const production = (...layers: string[]) =>
  layers.flatMap((layer) => sourceFilesUnder(REPO, layer)).filter((f) => !isTestCode(f) && !/\.config\.[cm]?ts$/.test(f));

/** The folders under main/ that are capabilities, not the engine, its process, its shells or the CLI. */
const NOT_CAPABILITIES = new Set(['engine', 'engine-process', 'hosts', 'electron', 'cli', 'testing']);

function importedSources(file: string): string[] {
  return importsOf(readFileSync(path.join(REPO, file), 'utf8')).flatMap(({ specifier }) =>
    specifier.startsWith('.') ? [path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))] : [],
  );
}

test('the store imports nothing from the engine, and no capability imports the engine', () => {
  const files = production('main');
  assert.ok(files.includes('main/store/job-store.ts') && files.includes('main/ingest/ingest-kind.ts'), `the walk found main/ under ${REPO}`);
  const violations = files.flatMap((file) => {
    const folder = file.split('/')[1]!;
    if (NOT_CAPABILITIES.has(folder) || !file.includes('/', 'main/'.length)) return [];
    return importedSources(file)
      .filter((target) => target.startsWith('main/engine/'))
      .map((target) => `${file} imports ${target}`);
  });
  assert.deepEqual(violations, []);
});

test('no production module is over 450 lines, and no source file holds data over 60 KB', () => {
  const files = production('main', 'shared', 'preload', 'workers', 'renderer');
  const long = files.map((file) => [file, readFileSync(path.join(REPO, file), 'utf8').split('\n').length] as const).filter(([, lines]) => lines > 450);
  assert.deepEqual(long, [], 'split these modules');
  const heavy = files.map((file) => [file, statSync(path.join(REPO, file)).size] as const).filter(([, bytes]) => bytes > 60 * 1024);
  assert.deepEqual(heavy, [], 'data belongs in a data file made by a committed script');
});

test('at most two production modules cast through unknown', () => {
  const casting = production('main', 'shared', 'preload', 'workers', 'renderer').filter((file) =>
    /\bas unknown as\b/.test(readFileSync(path.join(REPO, file), 'utf8')),
  );
  assert.ok(casting.length <= 2, `modules that cast through unknown: ${casting.join(', ')}`);
});
