/**
 * truncate end to end: a real Engine (worker pool, SQLite store) over caches Tessera's own raster
 * preseed made from real data (the SRTM hillshade, Blue Marble) in each container, and GDAL's own
 * MBTiles; read back by GDAL, by Tessera's readers and by a verify job.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { JobSummary, TruncateParams } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { Engine, type EngineOptions } from '../engine/engine.js';
import { bindKind } from '../kinds/index.js';
import { createLogger } from '../logging/logger.js';
import { openTileCache } from '../tile-cache/open-tile-cache.js';
import { blueMarbleTif, hillshadeMbtiles, largeRasterMbtiles, srtmHillshadeTif } from '../testing/real-data.js';
import { BATCH_TILES, truncateKind } from './truncate-kind.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'tessera-truncate-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

async function withEngine<T>(fn: (engine: Engine) => Promise<T>, extra: Partial<EngineOptions> = {}): Promise<T> {
  const engine = await Engine.open({
    dataDir: join(root, `d${++dirs}`),
    host: 'headless',
    logger: createLogger('silent'),
    threads: 2,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

async function runJob(engine: Engine, input: Parameters<Engine['start']>[0]): Promise<JobSummary> {
  const job = await engine.start(input);
  return engine.waitFor(job.id);
}

async function truncate(engine: Engine, params: TruncateParams): Promise<JobSummary> {
  return runJob(engine, { kind: 'truncate', params });
}

/** Tiles per zoom, and every tile's name, read back by Tessera's reader. */
async function contents(path: string): Promise<{ perZoom: Map<number, number>; names: Set<string> }> {
  const reader = await openTileCache(path);
  try {
    const perZoom = new Map<number, number>();
    const names = new Set<string>();
    for (const { z, count } of await reader.zoomLevels()) {
      if (count === 0) continue;
      perZoom.set(z, count);
      for (const t of await reader.readBatch(z, null, 1_000_000)) names.add(`${t.z}/${t.x}/${t.y}`);
    }
    return { perZoom, names };
  } finally {
    await reader.close();
  }
}

/** GDAL's view of a raster MBTiles: band 1's checksum at each zoom level, opened at that level (the driver's ZOOM_LEVEL). */
async function gdalChecksums(path: string, zooms: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const z of zooms) {
    const { stdout } = await run('gdalinfo', ['-json', '-checksum', '-oo', `ZOOM_LEVEL=${z}`, path]);
    out.set(z, (JSON.parse(stdout) as { bands: { checksum: number }[] }).bands[0]!.checksum);
  }
  return out;
}

async function verifyJob(engine: Engine, cache: string): Promise<JobSummary> {
  return runJob(engine, { kind: 'verify', params: { cache } });
}

test('truncate z5–6 of a Tessera MBTiles (de-duplicated layout): the other zooms intact, read back by GDAL and by verify', async () => {
  await withEngine(async (engine) => {
    const output = join(root, 'shade.mbtiles');
    const made = await runJob(engine, { kind: 'preseed-raster', params: { datasets: [srtmHillshadeTif(root)], minZoom: 3, maxZoom: 8, output } });
    assert.equal(made.state, 'succeeded');
    const before = await contents(output);
    const gdalBefore = await gdalChecksums(output, [3, 4, 5, 6, 7, 8]);
    assert.deepEqual([...before.perZoom.keys()], [3, 4, 5, 6, 7, 8]);

    const estimate = await engine.estimate({ kind: 'truncate', params: { cache: output, minZoom: 5, maxZoom: 6 } });
    assert.equal(estimate.totalTiles, before.perZoom.get(5)! + before.perZoom.get(6)!);
    assert.deepEqual(
      estimate.zooms.map((z) => z.z),
      [5, 6],
    );

    const job = await truncate(engine, { cache: output, minZoom: 5, maxZoom: 6 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.progress.done, estimate.totalTiles);

    const afterwards = await contents(output);
    assert.deepEqual([...afterwards.perZoom.keys()], [3, 4, 7, 8]);
    for (const name of before.names) assert.equal(afterwards.names.has(name), !/^[56]\//.test(name), name);

    // GDAL reads the same pixels at z8 (full resolution), z7, z4 and z3; z5–6 have none left.
    const gdalAfter = await gdalChecksums(output, [3, 4, 5, 6, 7, 8]);
    for (const z of [3, 4, 7, 8]) assert.equal(gdalAfter.get(z), gdalBefore.get(z), `z${z}`);
    for (const z of [5, 6]) {
      assert.notEqual(gdalBefore.get(z), 0, `z${z} had pixels`);
      assert.equal(gdalAfter.get(z), 0, `z${z} has none`);
    }
    // No image is left that no tile uses (the de-duplicated layout's images table).
    const db = new Database(output, { readonly: true });
    try {
      assert.equal(db.prepare('SELECT count(*) FROM images WHERE tile_id NOT IN (SELECT tile_id FROM map)').pluck().get(), 0);
      assert.equal(db.prepare("SELECT value FROM metadata WHERE name = 'minzoom'").pluck().get(), '3');
    } finally {
      db.close();
    }

    const verified = await verifyJob(engine, output);
    assert.equal(verified.state, 'succeeded');
    assert.equal(
      verified.progress.done,
      [...afterwards.perZoom.values()].reduce((a, b) => a + b, 0),
    );
  });
});

test('a truncate gives the space back: the MBTiles file shrinks to what it holds (VACUUM), and reads back whole', async () => {
  await withEngine(async (engine) => {
    const output = join(root, 'west.mbtiles');
    // West of Greenwich, as the newcomer trial had it: z4–5 are most of the file.
    const made = await runJob(engine, {
      kind: 'preseed-raster',
      params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 5, bbox: [-100, 20, -60, 50], output },
    });
    assert.equal(made.state, 'succeeded', JSON.stringify(made.error));
    const sizeBefore = statSync(output).size;
    const before = await contents(output);
    const job = await truncate(engine, { cache: output, minZoom: 4, maxZoom: 5 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const sizeAfter = statSync(output).size;
    assert.ok(sizeAfter < sizeBefore / 2, `${sizeBefore} → ${sizeAfter} bytes`);
    const db = new Database(output, { readonly: true });
    try {
      assert.equal(db.pragma('freelist_count', { simple: true }), 0, 'no free pages left inside');
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    const afterwards = await contents(output);
    assert.deepEqual([...afterwards.perZoom.keys()], [0, 1, 2, 3]);
    for (const z of [0, 1, 2, 3]) assert.equal(afterwards.perZoom.get(z), before.perZoom.get(z), `z${z}`);
  });
});

test("truncate of GDAL's own MBTiles (a tiles table): z8–9 gone, z7 and z10 as GDAL wrote them", async () => {
  await withEngine(async (engine) => {
    const cache = join(root, 'gdal-shade.mbtiles');
    rmSync(cache, { force: true });
    await run('cp', [hillshadeMbtiles(join(root)), cache]);
    const before = await contents(cache);
    const gdalBefore = await gdalChecksums(cache, [7, 8, 10]);
    const job = await truncate(engine, { cache, minZoom: 8, maxZoom: 9 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const afterwards = await contents(cache);
    assert.deepEqual(
      [...afterwards.perZoom.keys()],
      [...before.perZoom.keys()].filter((z) => z < 8 || z > 9),
    );
    const gdalAfter = await gdalChecksums(cache, [7, 8, 10]);
    assert.equal(gdalAfter.get(8), 0);
    for (const z of [7, 10]) assert.equal(gdalAfter.get(z), gdalBefore.get(z), `z${z}`);
    assert.equal((await verifyJob(engine, cache)).state, 'succeeded');
  });
});

for (const container of ['mbtiles', 'pmtiles', 'directory'] as const) {
  test(`truncate by a bbox west of Greenwich (${container}): only the western tiles of z2–3 go`, async () => {
    await withEngine(async (engine) => {
      const output = join(root, container === 'directory' ? 'world-tiles' : `world.${container}`);
      const made = await runJob(engine, { kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 3, output } });
      assert.equal(made.state, 'succeeded');
      const before = await contents(output);
      assert.equal(before.names.size, 1 + 4 + 16 + 64);

      const job = await truncate(engine, { cache: output, minZoom: 2, maxZoom: 3, bbox: [-180, -85, 0, 85] });
      assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
      assert.equal(job.progress.done, 8 + 32);

      const afterwards = await contents(output);
      for (const name of before.names) {
        const [z, x] = name.split('/').map(Number) as [number, number];
        const west = z >= 2 && x < 2 ** z / 2;
        assert.equal(afterwards.names.has(name), !west, name);
      }
      assert.deepEqual(
        [...afterwards.perZoom],
        [
          [0, 1],
          [1, 4],
          [2, 8],
          [3, 32],
        ],
      );
      assert.equal((await verifyJob(engine, output)).state, 'succeeded');
    });
  });
}

test('cancel mid-truncate: stops between batches and leaves a whole, valid MBTiles', async () => {
  const cache = largeRasterMbtiles(root, 3000);
  let engineRef: Engine | undefined;
  // The real kind, with a cancel pressed once its first batch is committed (checkpointed).
  const cancelling = {
    ...truncateKind,
    runItem: ((params, item, context) =>
      truncateKind.runItem(params, item, {
        ...context,
        checkpoint: (c) => {
          context.checkpoint(c);
          if (c.deleted >= BATCH_TILES) engineRef!.cancel([item.jobId]);
        },
      })) satisfies typeof truncateKind.runItem,
  };
  await withEngine(
    async (engine) => {
      engineRef = engine;
      const job = await truncate(engine, { cache, minZoom: 16, maxZoom: 16, bbox: [-180, -85, -15.06, 85] });
      assert.equal(job.state, 'cancelled');
      const db = new Database(cache, { readonly: true });
      let left: number;
      try {
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        left = db.prepare('SELECT count(*) FROM tiles').pluck().get() as number;
      } finally {
        db.close();
      }
      // The grid's western 27 of 55 columns are asked for. Whole batches only: at least one deleted, and the cancel stopped it before the end.
      assert.ok(left < 3000 && left > 0, `left ${left}`);
      assert.equal((3000 - left) % BATCH_TILES, 0, `left ${left}`);
      const verified = await verifyJob(engine, cache);
      assert.equal(verified.state, 'succeeded');
      assert.equal(verified.progress.done, left);
    },
    { plugins: { truncate: cancelling } },
  );
});

test('refused before it starts: not a cache, no tiles in the range, every tile of the cache', async () => {
  await withEngine(async (engine) => {
    const cache = join(root, 'gdal-shade-2.mbtiles');
    await run('cp', [hillshadeMbtiles(root), cache]);
    const refused = async (params: TruncateParams, pattern: RegExp) =>
      assert.rejects(truncate(engine, params), (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT' && pattern.test(e.message));
    await refused({ cache: join(root, 'nothing.mbtiles'), minZoom: 0, maxZoom: 3 }, /no such file/);
    await refused({ cache: srtmHillshadeTif(root), minZoom: 0, maxZoom: 3 }, /not a tile cache/);
    await refused({ cache, minZoom: 0, maxZoom: 3 }, /holds no tiles at z0–3/);
    await refused({ cache, minZoom: 0, maxZoom: 20 }, /delete the cache instead/);
    // The kind's bound view is what the engine uses: a truncate job's default name says what it does.
    assert.match(bindKind({ kind: 'truncate', params: { cache, minZoom: 1, maxZoom: 2 } }).describe(), /truncate gdal-shade-2\.mbtiles z1–2/);
  });
});
