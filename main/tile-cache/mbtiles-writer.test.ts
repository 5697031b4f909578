import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { TesseraError } from '../../shared/errors.js';
import { flipY } from '../../shared/tile-grid.js';
import { countriesTopoJson } from '../testing/real-data.js';
import { gdal } from './testing/gdal-fixtures.js';
import { openMbtiles } from './mbtiles-reader.js';
import { type MbtilesWriter, openMbtilesWriter } from './mbtiles-writer.js';
import { openTileWriter } from './open-tile-writer.js';
import { type TileToWrite, tileKey } from './tile-writer.js';
import {
  COUNTRIES_LAYER,
  assertFailsWhenFull,
  assertSameTiles,
  fingerprint,
  gdalInfo,
  ogrLayers,
  readBack,
  realTileBed,
  withSmallVolume,
} from './testing/writer-fixtures.js';

const require = createRequire(import.meta.url);
const bed = realTileBed('mbtiles-writer');
const { at } = bed;

/** Four batches written at once, as a kind's concurrent items do. */
async function writeInBatches(write: (tiles: TileToWrite[]) => Promise<void>, tiles: readonly TileToWrite[], batches = 4): Promise<void> {
  const size = Math.ceil(tiles.length / batches);
  await Promise.all(Array.from({ length: batches }, (_, i) => write(tiles.slice(i * size, (i + 1) * size))));
}

test('a raster MBTiles of real PNG tiles reads in GDAL exactly as the file GDAL itself wrote', async () => {
  const path = join(bed.dir, 'hillshade-copy.mbtiles');
  const writer = await openTileWriter(path, { format: 'png' });
  assert.equal(writer.kind, 'mbtiles');
  await writeInBatches((b) => writer.write(b), bed.hillshade.tiles);
  await writer.finish({
    name: 'SRTM hillshade',
    format: 'png',
    bounds: bed.hillshade.bounds,
    minzoom: 7,
    maxzoom: 10,
    type: 'overlay',
    description: 'hillshade',
    attribution: 'SRTM',
  });
  await writer.close();

  const [ours, gdals] = [await gdalInfo(path), await gdalInfo(bed.hillshade.source)];
  assert.equal(ours.driverShortName, 'MBTiles');
  assert.deepEqual(ours.size, gdals.size);
  // Same pixels at every level: tiles in the right rows (TMS flip) and the same extent from `bounds`.
  assert.deepEqual(
    ours.bands.map((b) => [b.checksum, b.overviews?.map((o) => o.checksum)]),
    gdals.bands.map((b) => [b.checksum, b.overviews?.map((o) => o.checksum)]),
  );
  assert.equal(ours.bands[0]!.overviews!.length, 3, 'zooms 9, 8 and 7 as overviews of 10');
  ours.geoTransform.forEach((v, i) => assert.ok(Math.abs(v - gdals.geoTransform[i]!) < 0.01, `geoTransform[${i}] ${v}`));
  assert.equal(ours.metadata['']!.name, 'SRTM hillshade');

  const { tiles, metadata } = await readBack(openMbtiles(path));
  assertSameTiles(tiles, bed.hillshade.tiles);
  assert.deepEqual(
    { ...metadata, bounds: metadata.bounds!.split(',').map(Number) },
    {
      name: 'SRTM hillshade',
      format: 'png',
      bounds: bed.hillshade.bounds.map((v) => Number(v.toFixed(7))),
      center: '11.5001479,57.5001818,7',
      minzoom: '7',
      maxzoom: '10',
      type: 'overlay',
      description: 'hillshade',
      attribution: 'SRTM',
    },
  );
  // close() left WAL mode: nothing beside the file, and read-only readers need no -shm.
  assert.deepEqual(
    (await readdir(bed.dir)).filter((n) => n.startsWith('hillshade-copy')),
    ['hillshade-copy.mbtiles'],
  );
  assert.equal((await readFile(path))[18], 1, 'rollback-journal file format, not WAL');
});

test('a vector MBTiles of real MVT tiles shows its layer and features in ogrinfo, with the 1.3 json row', async () => {
  const path = join(bed.dir, 'countries-copy.mbtiles');
  const writer = await openTileWriter(path, { format: 'pbf' });
  await writeInBatches((b) => writer.write(b), bed.countries.tiles, 3);
  const tilestats = { layerCount: 1, layers: [{ layer: 'countries', count: 176, geometry: 'Polygon', attributeCount: 2, attributes: [] }] };
  await writer.finish({ name: 'countries', format: 'pbf', bounds: bed.countries.bounds, minzoom: 0, maxzoom: 4, vectorLayers: [COUNTRIES_LAYER], tilestats });
  await writer.close();

  const layers = await ogrLayers(path);
  assert.deepEqual(layers, await ogrLayers(bed.countries.source));
  assert.deepEqual(
    layers.map((l) => [l.name, l.geometry]),
    [['countries', 'Multi Polygon']],
  );
  assert.ok(layers[0]!.features > 100, `${layers[0]!.features} features`);
  assert.deepEqual(layers[0]!.fields, ['mvt_id', 'id', 'name']);

  const { tiles, metadata } = await readBack(openMbtiles(path));
  assertSameTiles(tiles, bed.countries.tiles);
  assert.equal(metadata.format, 'pbf');
  assert.deepEqual(JSON.parse(metadata.json!), {
    vector_layers: [{ id: 'countries', minzoom: 0, maxzoom: 4, fields: { id: 'String', name: 'String' } }],
    tilestats,
  });
});

test('a job stopped before finish leaves a file readers can identify: name and format are written at open', async () => {
  const path = join(bed.dir, 'stopped.mbtiles');
  const writer = await openTileWriter(path, { format: 'png' });
  await writer.write(at(10));
  await writer.close();
  assert.deepEqual((await readBack(openMbtiles(path))).metadata, { name: 'stopped', format: 'png' });
  const info = await gdalInfo(path);
  assert.equal(info.driverShortName, 'MBTiles');
  assert.ok(info.size[0] > 0 && info.bands.length === 4);
});

test('a file whose writer was killed mid-transaction (a hot rollback journal) is taken up again, not refused as "not MBTiles"', async () => {
  const path = join(bed.dir, 'killed.mbtiles');
  const first = await openTileWriter(path, { format: 'png' });
  await first.write(at(10));
  await first.close();
  const committed = (await readBack(openMbtiles(path))).tiles.length;
  // A writer SIGKILLed inside a transaction that had spilled to the file: a hot -journal remains.
  const script = `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(path)}); db.pragma('journal_mode = DELETE'); db.pragma('cache_size = 1'); db.exec('BEGIN'); const ins = db.prepare('INSERT INTO images (content_hash, tile_data) VALUES (?, ?)'); for (let i = 0; i < 2000; i++) ins.run(i, Buffer.alloc(1000, 1)); process.kill(process.pid, 'SIGKILL');`;
  spawnSync(process.execPath, ['-e', script]);
  assert.ok(existsSync(`${path}-journal`), 'the killed writer left a hot journal');
  assert.throws(() => new Database(path, { readonly: true }).prepare('SELECT 1 FROM tiles').get(), /readonly/, 'a read-only look cannot get past it');

  const writer = await openTileWriter(path, { format: 'png' });
  await writer.close();
  assert.equal((await readBack(openMbtiles(path))).tiles.length, committed, 'back at its last commit, nothing of the killed transaction');
});

test('writtenAt: each tile of the range asked with its written time (rows flipped); a rewrite refreshes it', async () => {
  const path = join(bed.dir, 'times.mbtiles');
  const writer = (await openMbtilesWriter(path, { format: 'png' })) as MbtilesWriter;
  const z10 = at(10);
  const [older, newer] = [z10.slice(0, 12), z10.slice(12)];
  writer.writeAt(older, 1_000);
  const before = Date.now();
  await writer.write(newer);
  const afterWrite = Date.now();

  const xs = z10.map((t) => t.x);
  const ys = z10.map((t) => t.y);
  const all = await writer.writtenAt(10, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  assert.deepEqual([...all.keys()].sort(), z10.map((t) => tileKey(t.x, t.y)).sort());
  for (const t of older) assert.equal(all.get(tileKey(t.x, t.y)), 1_000);
  for (const t of newer) {
    const time = all.get(tileKey(t.x, t.y))!;
    assert.ok(time >= before && time <= afterWrite, `${t.x}/${t.y} written at ${time}`);
  }

  // One row and one column of the range: nothing outside it comes back.
  const one = z10[0]!;
  assert.deepEqual([...(await writer.writtenAt(10, one.x, one.y, one.x, one.y)).keys()], [tileKey(one.x, one.y)]);
  const column = await writer.writtenAt(10, one.x, 0, one.x, 1023);
  assert.deepEqual(
    [...column.keys()].sort(),
    z10
      .filter((t) => t.x === one.x)
      .map((t) => tileKey(t.x, t.y))
      .sort(),
  );
  assert.equal((await writer.writtenAt(9, 0, 0, 511, 511)).size, 0);

  // refresh: the old tiles are made again and their time moves on.
  const refreshed = Date.now();
  await writer.write(older);
  for (const t of older) assert.ok((await writer.writtenAt(10, t.x, t.y, t.x, t.y)).get(tileKey(t.x, t.y))! >= refreshed);
  await writer.close();
});

test("tiles of a file made by another tool count as written at 0, and the tool's file stays readable", async () => {
  const path = join(bed.dir, 'gdal-made.mbtiles');
  await copyFile(bed.hillshade.source, path);
  const writer = await openTileWriter(path, { format: 'png' });
  const times = await writer.writtenAt(10, 0, 0, 1023, 1023);
  assert.equal(times.size, 24);
  assert.deepEqual(new Set(times.values()), new Set([0]));
  const [first] = at(10);
  await writer.write([first!]);
  const after = await writer.writtenAt(10, 0, 0, 1023, 1023);
  assert.ok(after.get(tileKey(first!.x, first!.y))! > 0);
  assert.equal([...after.values()].filter((v) => v === 0).length, 23);
  await writer.close();
  assert.deepEqual(
    (await gdalInfo(path)).bands.map((b) => b.checksum),
    (await gdalInfo(bed.hillshade.source)).bands.map((b) => b.checksum),
  );
});

test("rewrites and removals keep one tile per position with its own time, with a unique position index (one statement) and without (another tool's file)", async () => {
  const withoutUniqueIndex = join(bed.dir, 'no-unique-index.mbtiles');
  const made = new Database(withoutUniqueIndex);
  made.exec(`CREATE TABLE metadata (name TEXT, value TEXT); INSERT INTO metadata VALUES ('format', 'png');
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);`);
  made.close();
  const cases = [
    [join(bed.dir, 'deduplicated.mbtiles'), true],
    [join(bed.dir, 'unique-index.mbtiles'), false],
    [withoutUniqueIndex, false],
  ] as const;
  for (const [path, deduplicate] of cases) {
    const writer = (await openMbtilesWriter(path, { format: 'png', deduplicate })) as MbtilesWriter;
    const tiles = at(10).slice(0, 12);
    writer.writeAt(tiles, 1_000);
    // The two newest rows go, so the next batch's rows reuse their rowids.
    const removed = tiles.slice(10);
    await writer.remove(removed);
    const again = tiles.slice(0, 3).map((t, i) => ({ ...t, data: tiles[11 - i]!.data }));
    writer.writeAt([...removed, ...again], 2_000);
    writer.writeAt(again.slice(0, 1), 3_000);

    const times = await writer.writtenAt(10, 0, 0, 1023, 1023);
    const expected = new Map(tiles.map((t) => [tileKey(t.x, t.y), 1_000]));
    for (const t of [...removed, ...again]) expected.set(tileKey(t.x, t.y), 2_000);
    expected.set(tileKey(again[0]!.x, again[0]!.y), 3_000);
    assert.deepEqual(new Map([...times].sort()), new Map([...expected].sort()), path);
    assert.deepEqual(await writer.readTile(10, again[1]!.x, again[1]!.y), new Uint8Array(again[1]!.data), 'the rewritten data, not the first');
    await writer.close();

    const db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT count(*) FROM tiles').pluck().get(), tiles.length, `${path}: one row per position`);
    const marked = deduplicate ? 'SELECT count(written_at) FROM map' : 'SELECT count(*) FROM tessera_tile_written';
    assert.equal(db.prepare(marked).pluck().get(), tiles.length);
    db.close();
  }
});

test('writtenAt answers a 100,000-tile range with one query', async (t) => {
  const path = join(bed.dir, 'many.mbtiles');
  const writer = await openTileWriter(path, { format: 'png' });
  const side = 320;
  const data = new Uint8Array([1, 2, 3]);
  for (let x0 = 0; x0 < side; x0 += 32) {
    const batch: TileToWrite[] = [];
    for (let x = x0; x < x0 + 32; x++) for (let y = 0; y < side; y++) batch.push({ z: 9, x, y, data });
    await writer.write(batch);
  }
  const started = performance.now();
  const times = await writer.writtenAt(9, 0, 0, 511, 511);
  t.diagnostic(`writtenAt over ${times.size} tiles: ${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(times.size, side * side);
  assert.ok(times.has(tileKey(side - 1, side - 1)) && !times.has(tileKey(side, 0)));
  assert.equal((await writer.writtenAt(9, 100, 100, 109, 119)).size, 200);
  await writer.close();
});

test('remove deletes tiles and their times', async () => {
  for (const deduplicate of [true, false]) {
    const path = join(bed.dir, `remove-${deduplicate}.mbtiles`);
    const writer = await openMbtilesWriter(path, { format: 'png', deduplicate });
    await writer.write(at(9));
    const [gone, kept] = [at(9).slice(0, 4), at(9).slice(4)];
    await writer.remove(gone);
    assert.deepEqual([...(await writer.writtenAt(9, 0, 0, 511, 511)).keys()].sort(), kept.map((t) => tileKey(t.x, t.y)).sort());
    await writer.close();
    assertSameTiles((await readBack(openMbtiles(path))).tiles, kept);
    const db = new Database(path, { readonly: true });
    const times = deduplicate ? 'SELECT count(written_at) FROM map' : 'SELECT count(*) FROM tessera_tile_written';
    assert.equal(db.prepare(times).pluck().get(), kept.length);
    db.close();
  }
});

test("writtenTimes: false makes a flat file of the spec's two tables alone; a file that has the side table keeps it up", async () => {
  const path = join(bed.dir, 'untracked.mbtiles');
  const tables = () => {
    const db = new Database(path, { readonly: true });
    const names = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    db.close();
    return names;
  };
  const writer = await openMbtilesWriter(path, { format: 'png', name: 'preview', writtenTimes: false, deduplicate: false });
  await writer.write(at(9));
  await writer.write(at(9).slice(0, 3)); // a rewrite replaces in place
  await writer.remove(at(9).slice(0, 1));
  const times = await writer.writtenAt(9, 0, 0, 511, 511);
  assert.equal(times.size, at(9).length - 1, 'every tile held is there');
  assert.ok(
    [...times.values()].every((t) => t === 0),
    "written at 0, as another tool's tiles",
  );
  await writer.finish({ name: 'preview', format: 'png', bounds: [-10, -10, 10, 10], minzoom: 9, maxzoom: 9 });
  await writer.close();
  assert.deepEqual(tables(), ['metadata', 'tiles']);
  assertSameTiles((await readBack(openMbtiles(path))).tiles, at(9).slice(1));

  // Continued as a preseed does: the side table comes, and stays kept up even when asked for none.
  const resumed = await openMbtilesWriter(path, { format: 'png' });
  await resumed.write(at(9).slice(0, 1));
  await resumed.close();
  assert.deepEqual(tables(), ['metadata', 'tessera_tile_written', 'tiles']);
  const again = await openMbtilesWriter(path, { format: 'png', writtenTimes: false });
  await again.remove(at(9).slice(0, 1));
  const left = await again.writtenAt(9, 0, 0, 511, 511);
  assert.equal(left.size, at(9).length - 1);
  await again.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM tessera_tile_written').pluck().get(), 0, 'the removed tile is unmarked');
  db.close();
});

test('writtenTimes: false leaves a de-duplicated file its written times NULL; a preseed continuing it records them', async () => {
  const path = join(bed.dir, 'untracked-deduplicated.mbtiles');
  const writer = await openMbtilesWriter(path, { format: 'png', name: 'preview', writtenTimes: false });
  await writer.write(at(9));
  const times = await writer.writtenAt(9, 0, 0, 511, 511);
  assert.equal(times.size, at(9).length);
  assert.ok([...times.values()].every((t) => t === 0));
  await writer.close();
  const resumed = await openMbtilesWriter(path, { format: 'png' });
  const before = Date.now();
  await resumed.write(at(9).slice(0, 1));
  const [first] = at(9);
  assert.ok((await resumed.writtenAt(9, first!.x, first!.y, first!.x, first!.y)).get(tileKey(first!.x, first!.y))! >= before);
  await resumed.close();
  const db = new Database(path, { readonly: true });
  assert.deepEqual(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all(), ['images', 'map', 'metadata']);
  assert.equal(db.prepare('SELECT count(written_at) FROM map').pluck().get(), 1);
  db.close();
});

test('an existing file of another format, or one that is not MBTiles, is refused (BAD_INPUT naming it) and left untouched', async () => {
  const vector = join(bed.dir, 'vector-cache.mbtiles');
  await copyFile(bed.countries.source, vector);
  const notes = join(bed.dir, 'notes.mbtiles');
  await writeFile(notes, 'not a database\n');
  const gpkg = join(bed.dir, 'countries-gpkg.mbtiles');
  gdal('ogr2ogr', ['-f', 'GPKG', gpkg, countriesTopoJson()]);
  const folder = join(bed.dir, 'folder.mbtiles');
  await mkdir(folder);

  for (const [path, why] of [
    [vector, /holds pbf tiles, not png/],
    [notes, /not an MBTiles file \(not SQLite\)/],
    [gpkg, /SQLite database without a tiles table/],
    [folder, /not a file/],
  ] as const) {
    const before = await fingerprint(path).catch(() => 'folder');
    const names = await readdir(bed.dir);
    await assert.rejects(openTileWriter(path, { format: 'png' }), (e: TesseraError) => {
      assert.equal(e.code, 'BAD_INPUT');
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, why);
      return true;
    });
    assert.equal(await fingerprint(path).catch(() => 'folder'), before, `${path} unchanged`);
    assert.deepEqual(await readdir(bed.dir), names, 'no -wal or -shm left beside it');
  }
});

test("writes through mbutil's layout, where tiles is a view over map and images", async () => {
  const path = join(bed.dir, 'mbutil.mbtiles');
  const db = new Database(path);
  db.exec(`CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT, grid_id TEXT);
           CREATE TABLE images (tile_data blob, tile_id text);
           CREATE TABLE metadata (name text, value text);
           CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
             FROM map JOIN images ON images.tile_id = map.tile_id;
           CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
           CREATE UNIQUE INDEX images_id ON images (tile_id);`);
  const insertImage = db.prepare('INSERT INTO images VALUES (?, ?)');
  const insertMap = db.prepare('INSERT INTO map VALUES (?, ?, ?, ?, NULL)');
  for (const [i, t] of bed.hillshade.tiles.filter((t) => t.z < 10).entries()) {
    insertImage.run(Buffer.from(t.data), `mbutil-${i}`);
    insertMap.run(t.z, t.x, flipY(t.z, t.y), `mbutil-${i}`);
  }
  db.prepare("INSERT INTO metadata VALUES ('format', 'png'), ('bounds', ?)").run(bed.hillshade.bounds.join(','));
  db.close();

  const writer = await openTileWriter(path, { format: 'png' });
  const [victim] = at(9);
  await writer.write([{ ...victim!, data: at(10)[0]!.data }]);
  await writer.write(at(10));
  await writer.write([victim!]);
  const extra = { z: 9, x: 0, y: 0, data: new Uint8Array([9, 9, 9]) };
  await writer.write([extra]);
  await writer.remove([extra]);
  await writer.finish({ name: 'mbutil', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 10 });
  await writer.close();

  assertSameTiles((await readBack(openMbtiles(path))).tiles, bed.hillshade.tiles);
  const check = new Database(path, { readonly: true });
  assert.equal(check.prepare(`SELECT type FROM sqlite_master WHERE name = 'tiles'`).pluck().get(), 'view');
  assert.equal(check.prepare('SELECT count(*) FROM images WHERE tile_id NOT IN (SELECT tile_id FROM map)').pluck().get(), 0, 'no orphaned images');
  check.close();
  assert.deepEqual(
    (await gdalInfo(path)).bands.map((b) => b.checksum),
    (await gdalInfo(bed.hillshade.source)).bands.map((b) => b.checksum),
  );
});

test('a write on a full disk is WRITE_FAILED naming the file; earlier batches stay, the failed one leaves nothing', (t) =>
  withSmallVolume(t, bed.dir, 2, async (volume) => {
    const path = join(volume.path, 'full.mbtiles');
    const writer = await openTileWriter(path, { format: 'png' });
    await writer.write(at(7));
    await assertFailsWhenFull(volume, () => writer.write(at(10)), path, /^SQLITE_FULL/);
    assert.equal((await writer.writtenAt(10, 0, 0, 1023, 1023)).size, 0, 'none of the failed batch');
    assert.equal((await writer.writtenAt(7, 0, 0, 127, 127)).size, at(7).length, 'the earlier batch intact');
    await volume.free();
    await writer.write(at(10));
    await writer.close();
    assertSameTiles((await readBack(openMbtiles(path))).tiles, [...at(7), ...at(10)]);
  }));

test('finish keeps covering what an earlier job left: zooms and bounds widen, never shrink', async () => {
  const path = join(bed.dir, 'extended.mbtiles');
  const first = await openTileWriter(path, { format: 'png' });
  await first.write([...at(7), ...at(8)]);
  await first.finish({ name: 'first', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 8 });
  await first.close();

  const second = await openTileWriter(path, { format: 'png' });
  assert.equal((await second.writtenAt(8, 0, 0, 255, 255)).size, at(8).length, 'resume sees the first job');
  await second.write([...at(9), ...at(10)]);
  await second.finish({ name: 'second', format: 'png', bounds: [11, 57, 11.5, 57.5], minzoom: 9, maxzoom: 10 });
  await second.close();

  const { metadata } = await readBack(openMbtiles(path));
  assert.equal(metadata.name, 'second');
  assert.deepEqual([metadata.minzoom, metadata.maxzoom], ['7', '10']);
  assert.deepEqual(
    metadata.bounds!.split(',').map(Number),
    bed.hillshade.bounds.map((v) => Number(v.toFixed(7))),
  );
});
