/**
 * `tessera truncate` and `tessera caches list` as a user runs them: a real child process over a
 * copy of GDAL's own MBTiles; exit 2 with one clear line for a bad command line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { CacheEntry } from '../../shared/contract.js';
import { hillshadeMbtiles } from '../testing/real-data.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-caches-'));
const dataDir = join(dir, 'data');
let cache = '';

before(() => {
  cache = join(dir, 'shade.mbtiles');
  copyFileSync(hillshadeMbtiles(dir), cache);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function tessera(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args, '--data-dir', dataDir], { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    );
  });
}

function perZoom(file: string): Map<number, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level z, count(*) n FROM tiles GROUP BY zoom_level ORDER BY z').all() as { z: number; n: number }[];
    return new Map(rows.map((r) => [r.z, r.n]));
  } finally {
    db.close();
  }
}

test('bad command lines exit 2 with one line that says what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [['truncate', cache], /needs --min-zoom and --max-zoom/],
    [['truncate', cache, '--min-zoom', 'five', '--max-zoom', '6'], /--min-zoom must be a zoom level/],
    [['truncate', cache, '--min-zoom', '5', '--max-zoom', '6', '--bbox', '1,2,3'], /--bbox needs 4 comma-separated numbers/],
    [['truncate', cache, '--min-zoom', '9', '--max-zoom', '8'], /minZoom must not be greater than maxZoom|--min-zoom/],
    [['truncate', join(dir, 'missing.mbtiles'), '--min-zoom', '8', '--max-zoom', '9'], /no such file or directory/],
    [['truncate', cache, '--min-zoom', '0', '--max-zoom', '30'], /delete the cache instead/],
    [['caches', 'purge'], /unknown caches command: purge/],
  ];
  for (const [args, message] of cases) {
    const run = await tessera(...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
  assert.deepEqual([...perZoom(cache).keys()].length > 2, true, 'the cache is untouched');
});

test('tessera truncate --bbox west of Greenwich parses; a dry run counts; the job deletes z8–9 only; caches list shows it', async () => {
  const before = perZoom(cache);
  // The hillshade lies east of Greenwich (11–12°E): a box west of it holds none of its tiles.
  const west = await tessera('truncate', cache, '--min-zoom', '8', '--max-zoom', '9', '--bbox', '-10,40,-5,50');
  assert.equal(west.code, 2, west.stderr);
  assert.match(west.stderr, /holds no tiles at z8–9 in the bbox/);
  // Its dry run says why too, as the job would, with the same exit code.
  const westDry = await tessera('truncate', cache, '--min-zoom', '8', '--max-zoom', '9', '--bbox', '-10,40,-5,50', '--dry-run');
  assert.equal(westDry.code, 2, westDry.stderr);
  assert.match(westDry.stdout, /holds no tiles at z8–9 in that box: nothing to delete/);

  const dry = await tessera('truncate', cache, '--min-zoom', '8', '--max-zoom', '9', '--dry-run');
  assert.equal(dry.code, 0, dry.stderr);
  const expected = before.get(8)! + before.get(9)!;
  assert.match(dry.stdout, new RegExp(`would delete ${expected} tiles`));

  const run = await tessera('truncate', cache, '--min-zoom', '8', '--max-zoom', '9');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /deleted/);
  const afterwards = perZoom(cache);
  assert.deepEqual(
    [...afterwards.keys()],
    [...before.keys()].filter((z) => z !== 8 && z !== 9),
  );
  for (const [z, n] of afterwards) assert.equal(n, before.get(z), `z${z}`);

  const list = await tessera('caches', 'list', '--json');
  assert.equal(list.code, 0, list.stderr);
  const caches = JSON.parse(list.stdout) as CacheEntry[];
  assert.equal(caches.length, 1);
  assert.equal(caches[0]!.path, cache);
  assert.equal(
    caches[0]!.tileCount,
    [...afterwards.values()].reduce((a, b) => a + b, 0),
  );
  assert.equal(caches[0]!.lastJob?.kind, 'truncate');
  const table = await tessera('caches', 'list');
  assert.match(table.stdout, /NAME +FORMAT +ZOOMS +TILES +SIZE +LAST JOB/);
  assert.match(table.stdout, /job \d+ truncate succeeded/);
});
