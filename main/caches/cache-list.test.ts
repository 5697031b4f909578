/**
 * caches.list/add/remove/delete through a real Engine's contract handlers (the dispatcher both
 * hosts use), over caches made by real jobs from real data: a raster preseed into MBTiles, a vector
 * preseed into PMTiles, a verify of GDAL's own MBTiles; and a tile folder added by hand.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { CacheEntry, JobStartInput, Reply } from '../../shared/contract.js';
import { Engine } from '../engine/engine.js';
import { createDispatcher } from '../engine/handlers.js';
import { directoryBytes, fileBytes } from '../disk/storage.js';
import { createLogger } from '../logging/logger.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import { blueMarbleTif, hillshadeMbtiles, worldMapGpkg } from '../testing/real-data.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-caches-'));
let engine: Engine;
let call: (name: string, input: unknown) => Promise<Reply<unknown>>;
const raster = join(root, 'out', 'world.mbtiles');
const vector = join(root, 'out', 'countries.pmtiles');
const gdalMade = join(root, 'hillshade.mbtiles');
const folder = join(root, 'out', 'world-tiles');

before(async () => {
  mkdirSync(join(root, 'out'));
  hillshadeMbtiles(root);
  engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent'), threads: 2 });
  call = createDispatcher(engine.handlers);
  const jobs: JobStartInput[] = [
    { kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 2, output: raster } },
    { kind: 'preseed-vector', params: { sources: [worldMapGpkg()], layers: [{ name: 'countries' }], minZoom: 0, maxZoom: 3, output: vector } },
    { kind: 'verify', params: { cache: gdalMade } },
    { kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 1, output: folder } },
  ];
  for (const input of jobs) {
    const job = await engine.waitFor((await engine.start(input)).id);
    assert.equal(job.state, 'succeeded', `${input.kind}: ${JSON.stringify(job.error)}`);
  }
});
after(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

async function ok<T>(name: string, input: unknown = {}): Promise<T> {
  const reply = await call(name, input);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

async function refused(name: string, input: unknown): Promise<{ code: string; message: string }> {
  const reply = await call(name, input);
  assert.equal(reply.ok, false, `${name} should be refused`);
  return (reply as { ok: false; error: { code: string; message: string } }).error;
}

/** Tiles the cache holds, counted by Tessera's own reader. */
async function tilesIn(path: string): Promise<number> {
  const reader = await openTileCache(path);
  try {
    return (await reader.zoomLevels()).reduce((n, l) => n + l.count, 0);
  } finally {
    await reader.close();
  }
}

test('caches.list: the caches of three kinds of job, with their tiles counted, bytes on disk and last job', async () => {
  const list = await ok<CacheEntry[]>('caches.list');
  const byPath = new Map(list.map((c) => [c.path, c]));
  assert.deepEqual([...byPath.keys()].sort(), [raster, vector, gdalMade, folder].sort());

  const world = byPath.get(raster)!;
  assert.equal(world.kind, 'mbtiles');
  assert.equal(world.format, 'png');
  assert.equal(world.tileCount, 1 + 4 + 16);
  assert.deepEqual(world.zooms, [
    { z: 0, count: 1 },
    { z: 1, count: 4 },
    { z: 2, count: 16 },
  ]);
  assert.equal(world.sizeBytes, await fileBytes(raster));
  assert.equal(world.device, String(statSync(raster).dev), 'its volume, as storage.status names it');
  assert.equal(world.lastJob?.kind, 'preseed-raster');
  assert.equal(world.lastJob?.state, 'succeeded');
  assert.equal(world.origin, 'job');
  assert.ok(world.bounds && world.bounds[0] <= -179 && world.bounds[2] >= 179, JSON.stringify(world.bounds));

  const countries = byPath.get(vector)!;
  assert.equal(countries.kind, 'pmtiles');
  assert.equal(countries.format, 'pbf');
  assert.equal(countries.tileCount, await tilesIn(vector));
  assert.equal(countries.minZoom, 0);
  assert.equal(countries.maxZoom, 3);
  assert.equal(countries.sizeBytes, await fileBytes(vector));

  const shade = byPath.get(gdalMade)!;
  assert.equal(shade.lastJob?.kind, 'verify');
  assert.equal(shade.tileCount, await tilesIn(gdalMade));

  const tiles = byPath.get(folder)!;
  assert.equal(tiles.kind, 'directory');
  assert.equal(tiles.tileCount, 5);
  assert.equal(tiles.sizeBytes, await directoryBytes(folder));

  // A verify of the raster cache becomes its last job; the count of jobs that named it grows.
  const verify = await engine.waitFor((await engine.start({ kind: 'verify', params: { cache: raster } })).id);
  const again = (await ok<CacheEntry[]>('caches.list')).find((c) => c.path === raster)!;
  assert.equal(again.lastJob?.id, verify.id);
  assert.equal(again.jobCount, 2);
  assert.equal(again.preseedJobId, world.lastJob?.id, 'the preseed that made it, for "Preseed more"');
  assert.equal(shade.preseedJobId, null);
});

test('caches.add lists a cache by hand (persisted), refuses what is not a cache; caches.remove takes it off, touching nothing', async () => {
  const copy = join(root, 'copy.mbtiles');
  writeFileSync(copy, '');
  const notCache = await refused('caches.add', { path: copy });
  assert.equal(notCache.code, 'BAD_INPUT');
  assert.equal((await refused('caches.add', { path: 'relative/path.mbtiles' })).code, 'BAD_INPUT');
  rmSync(copy);

  const added = await ok<CacheEntry>('caches.add', { path: hillshadeMbtiles(join(root)) });
  assert.equal(added.origin, 'both');
  const hand = join(root, 'other');
  mkdirSync(hand);
  const hillCopy = join(hand, 'hill.mbtiles');
  writeFileSync(hillCopy, await (await import('node:fs/promises')).readFile(gdalMade));
  const other = await ok<CacheEntry>('caches.add', { path: hillCopy });
  assert.equal(other.origin, 'added');
  assert.equal(other.lastJob, null);
  assert.equal(other.tileCount, await tilesIn(gdalMade));

  await ok('caches.remove', { path: hillCopy });
  await ok('caches.remove', { path: raster });
  const list = (await ok<CacheEntry[]>('caches.list')).map((c) => c.path);
  assert.ok(!list.includes(hillCopy) && !list.includes(raster), list.join(', '));
  assert.ok(existsSync(hillCopy) && existsSync(raster), 'nothing on disk is touched');
  assert.equal((await refused('caches.remove', { path: hillCopy })).code, 'NOT_FOUND');

  // A newer job on a removed cache lists it again.
  await engine.waitFor((await engine.start({ kind: 'verify', params: { cache: raster } })).id);
  assert.ok((await ok<CacheEntry[]>('caches.list')).some((c) => c.path === raster));
});

test('caches.delete removes only that cache; refuses what is not listed and a folder holding other files', async () => {
  assert.equal((await refused('caches.delete', { path: join(root, 'data', 'jobs.sqlite') })).code, 'NOT_FOUND');

  // A tile folder with a stranger inside is not deleted whole.
  const stranger = join(folder, 'notes.txt');
  writeFileSync(stranger, 'mine');
  const foreign = await refused('caches.delete', { path: folder });
  assert.equal(foreign.code, 'BAD_INPUT');
  assert.match(foreign.message, /notes\.txt/);
  assert.ok(existsSync(join(folder, '0', '0', '0.png')));
  rmSync(stranger);

  const neighbour = join(root, 'out', 'neighbour.txt');
  writeFileSync(neighbour, 'kept');
  const freed = await ok<{ path: string; freedBytes: number }>('caches.delete', { path: folder });
  assert.ok(freed.freedBytes > 0);
  assert.ok(!existsSync(folder));
  const deleted = await ok<{ path: string; freedBytes: number }>('caches.delete', { path: vector });
  assert.equal(deleted.path, vector);
  assert.ok(!existsSync(vector));
  assert.ok(existsSync(neighbour) && existsSync(raster), 'its neighbours are kept');
  const list = (await ok<CacheEntry[]>('caches.list')).map((c) => c.path);
  assert.ok(!list.includes(vector) && !list.includes(folder));
});

test("caches.list: a cache being written shows its job's bbox, not the world its zoom-0 tile covers", { timeout: 120_000 }, async () => {
  const output = join(root, 'out', 'bm3.mbtiles');
  const bbox = [-12, 35, -0.5, 60] as const;
  // Deep enough that it is still writing when listed; cancelled once seen.
  const job = await engine.start({ kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 11, bbox: [...bbox], output } });
  try {
    let entry: CacheEntry | undefined;
    const end = Date.now() + 60_000;
    while (!(entry && (entry.tileCount ?? 0) > 0)) {
      assert.ok(Date.now() < end, 'the cache to hold tiles while its job runs');
      await new Promise((r) => setTimeout(r, 50));
      entry = (await ok<CacheEntry[]>('caches.list')).find((c) => c.path === output);
    }
    assert.equal((await ok<{ state: string }>('jobs.get', { id: job.id })).state, 'running', 'listed while its job was still writing');
    assert.equal(entry.kind, 'mbtiles');
    assert.deepEqual(entry.bounds, [...bbox]);
  } finally {
    await ok('jobs.cancel', { ids: [job.id] });
    await engine.waitFor(job.id);
  }
});
