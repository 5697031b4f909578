import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { TesseraError } from '../../shared/errors.js';
import { openMbtiles } from './mbtiles-reader.js';
import type { TileRecord } from './tile-cache.js';
import { gdal, makeRasterMbtiles, makeTempDir, makeVectorMbtiles, names, readInSteps, tileAt } from './testing/gdal-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let raster: string;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('mbtiles'));
  raster = await makeRasterMbtiles(dir, 'dem.mbtiles');
});
after(() => cleanup());

/** The XYZ tiles that GDAL's reported extent covers at zoom z, in (x, y) order. */
function expectedTiles(z: number): string[] {
  const info = JSON.parse(gdal('gdalinfo', ['-json', raster])) as { wgs84Extent: { coordinates: number[][][] } };
  const ring = info.wgs84Extent.coordinates[0]!;
  const lons = ring.map((p) => p[0]!);
  const lats = ring.map((p) => p[1]!);
  const nw = tileAt(z, Math.min(...lons), Math.max(...lats));
  const se = tileAt(z, Math.max(...lons) - 1e-9, Math.min(...lats) + 1e-9);
  const out: string[] = [];
  for (let x = nw.x; x <= se.x; x++) for (let y = nw.y; y <= se.y; y++) out.push(`${z}/${x}/${y}`);
  return out;
}

test('reads format, metadata and zoom levels of a GDAL raster MBTiles', async () => {
  const reader = await openMbtiles(raster);
  try {
    assert.equal(reader.kind, 'mbtiles');
    assert.equal(reader.path, raster);
    assert.equal(reader.format, 'png');
    assert.equal(reader.metadata.name, 'dem');
    assert.deepEqual(await reader.zoomLevels(), [
      { z: 7, count: 4 },
      { z: 8, count: 4 },
      { z: 9, count: 9 },
      { z: 10, count: 20 },
    ]);
  } finally {
    await reader.close();
  }
});

test('flips TMS rows: the tiles read are the XYZ tiles over the extent gdalinfo reports', async () => {
  const reader = await openMbtiles(raster);
  try {
    for (const { z } of await reader.zoomLevels()) {
      assert.deepEqual(names(await reader.readBatch(z, null, 1000)), expectedTiles(z), `zoom ${z}`);
    }
    // And a known tile's bytes are those of its TMS row: north-west corner at z10 = XYZ (517, 351) = TMS row 1023 - 351.
    const [nw] = await reader.readBatch(10, null, 1);
    assert.deepEqual({ x: nw!.x, y: nw!.y }, { x: 517, y: 351 });
    const db = new Database(raster, { readonly: true });
    const row = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = 10 AND tile_column = 517 AND tile_row = 672').get() as { tile_data: Buffer };
    db.close();
    assert.deepEqual(Buffer.from(nw!.data), row.tile_data);
  } finally {
    await reader.close();
  }
});

test('batches come in (x, y) order and resume exactly after `after`, whatever the batch size', async () => {
  const reader = await openMbtiles(raster);
  try {
    for (const { z, count } of await reader.zoomLevels()) {
      const all = await reader.readBatch(z, null, 10_000);
      assert.equal(all.length, count);
      const keys = all.map((t) => [t.x, t.y] as const);
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1]!, keys[i]!];
        assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `zoom ${z}: ${a} before ${b}`);
      }
      for (const step of [1, 2, 3, 7]) {
        const stepped = await readInSteps(reader, z, step);
        assert.deepEqual(names(stepped), names(all), `zoom ${z}, step ${step}`);
        assert.deepEqual(
          stepped.map((t) => Buffer.from(t.data)),
          all.map((t) => Buffer.from(t.data)),
        );
      }
    }
    // `after` need not be a tile of the cache: resume from the next tile in order.
    assert.deepEqual(names(await reader.readBatch(10, { x: 518, y: 0 }, 2)), ['10/518/351', '10/518/352']);
    assert.deepEqual(names(await reader.readBatch(10, { x: 518, y: 353 }, 3)), ['10/518/354', '10/518/355', '10/519/351']);
    assert.deepEqual(await reader.readBatch(10, { x: 520, y: 355 }, 5), []);
    assert.deepEqual(await reader.readBatch(10, null, 0), []);
    assert.deepEqual(await reader.readBatch(3, null, 5), []);
  } finally {
    await reader.close();
  }
});

test('reads a deduplicating MBTiles whose tiles are a view over map and images', async () => {
  const viewPath = join(dir, 'view.mbtiles');
  const source = new Database(raster, { readonly: true });
  const target = new Database(viewPath);
  target.exec(`
    CREATE TABLE metadata (name TEXT, value TEXT);
    CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);
    CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
    CREATE TABLE images (tile_data BLOB, tile_id TEXT);
    CREATE UNIQUE INDEX images_id ON images (tile_id);
    CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row,
      images.tile_data AS tile_data FROM map JOIN images ON images.tile_id = map.tile_id;`);
  for (const m of source.prepare('SELECT name, value FROM metadata').all()) target.prepare('INSERT INTO metadata VALUES (@name, @value)').run(m);
  const insertImage = target.prepare('INSERT OR IGNORE INTO images VALUES (?, ?)');
  const insertMap = target.prepare('INSERT INTO map VALUES (?, ?, ?, ?)');
  for (const t of source.prepare('SELECT * FROM tiles').all() as { zoom_level: number; tile_column: number; tile_row: number; tile_data: Buffer }[]) {
    const id = t.tile_data.toString('base64');
    insertImage.run(t.tile_data, id);
    insertMap.run(t.zoom_level, t.tile_column, t.tile_row, id);
  }
  source.close();
  target.close();

  const [plain, viewed] = [await openMbtiles(raster), await openMbtiles(viewPath)];
  try {
    assert.deepEqual(await viewed.zoomLevels(), await plain.zoomLevels());
    assert.equal(viewed.format, 'png');
    for (const { z } of await plain.zoomLevels()) {
      const strip = (tiles: TileRecord[]) => tiles.map((t) => ({ ...t, data: Buffer.from(t.data) }));
      assert.deepEqual(strip(await readInSteps(viewed, z, 3)), strip(await plain.readBatch(z, null, 1000)));
    }
  } finally {
    await plain.close();
    await viewed.close();
  }
});

test('reads a vector MBTiles from ogr2ogr: format pbf, tiles as stored (gzip)', async () => {
  const reader = await openMbtiles(await makeVectorMbtiles(dir, 'vector.mbtiles', 3));
  try {
    assert.equal(reader.format, 'pbf');
    assert.deepEqual(await reader.zoomLevels(), [
      { z: 0, count: 1 },
      { z: 1, count: 4 },
      { z: 2, count: 5 },
      { z: 3, count: 11 },
    ]);
    // The point in Paris is in the north-east quarter of the world at z1, the polygon in the south-east: XYZ y 0 is north.
    assert.ok(names(await reader.readBatch(1, null, 10)).includes('1/1/0'));
    const [tile] = await reader.readBatch(0, null, 1);
    assert.deepEqual([...tile!.data.subarray(0, 2)], [0x1f, 0x8b]);
  } finally {
    await reader.close();
  }
});

test('normalises format "jpeg" to jpg and survives a missing metadata table', async () => {
  const jpeg = join(dir, 'jpeg.mbtiles');
  await copyFile(raster, jpeg);
  const db = new Database(jpeg);
  db.exec(`UPDATE metadata SET value = 'JPEG' WHERE name = 'format'`);
  db.close();
  const reader = await openMbtiles(jpeg);
  assert.equal(reader.format, 'jpg');
  await reader.close();

  const bare = join(dir, 'bare.mbtiles');
  await copyFile(raster, bare);
  const db2 = new Database(bare);
  db2.exec('DROP TABLE metadata');
  db2.close();
  const reader2 = await openMbtiles(bare);
  assert.equal(reader2.format, 'unknown');
  assert.deepEqual(reader2.metadata, {});
  assert.equal((await reader2.readBatch(10, null, 100)).length, 20);
  await reader2.close();
});

test('a missing file, a file that is not SQLite and an SQLite file without tiles are CACHE_UNREADABLE', async () => {
  const missing = join(dir, 'nope.mbtiles');
  await assert.rejects(openMbtiles(missing), (e: TesseraError) => e.code === 'CACHE_UNREADABLE' && e.message.includes(missing));

  const garbage = join(dir, 'garbage.mbtiles');
  await writeFile(garbage, Buffer.alloc(4096, 'this is not a database '));
  await assert.rejects(openMbtiles(garbage), (e: TesseraError) => {
    assert.equal(e.code, 'CACHE_UNREADABLE');
    assert.equal(e.message, `not an SQLite database: ${garbage} (file is not a database)`);
    return true;
  });

  const other = join(dir, 'other.sqlite');
  const db = new Database(other);
  db.exec('CREATE TABLE jobs (id INTEGER)');
  db.close();
  await assert.rejects(openMbtiles(other), (e: TesseraError) => {
    assert.equal(e.code, 'CACHE_UNREADABLE');
    assert.equal(e.message, `not an MBTiles file: ${other} (no tiles table or view)`);
    return true;
  });
});

test('readTile flips the TMS row: it returns the bytes readBatch gives for the same XYZ tile', async () => {
  const reader = await openMbtiles(raster);
  try {
    for (const { z } of await reader.zoomLevels()) {
      for (const t of await reader.readBatch(z, null, 1000)) {
        const got = await reader.readTile(t.z, t.x, t.y);
        assert.ok(got, `${t.z}/${t.x}/${t.y}`);
        assert.deepEqual(Buffer.from(got), Buffer.from(t.data));
      }
    }
    // z10 x517: XYZ row 351 exists; TMS row 351 (XYZ 672) does not, nor do off-grid coordinates.
    assert.ok(await reader.readTile(10, 517, 351));
    for (const [z, x, y] of [
      [10, 517, 1023 - 351],
      [11, 0, 0],
      [10, 1024, 351],
      [10, 517, -1],
      [1.5, 0, 0],
    ] as const) {
      assert.equal(await reader.readTile(z, x, y), null, `${z}/${x}/${y}`);
    }
  } finally {
    await reader.close();
  }
});
