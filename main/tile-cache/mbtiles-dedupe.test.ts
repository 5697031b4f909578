/**
 * De-duplicated MBTiles (map + images behind a tiles view): identical tiles stored once, read back
 * by GDAL (raster and MVT drivers) and by our reader, shared images kept while any position uses
 * them and deleted at finish when none does. Real tiles only: the SRTM hillshade's (its sea tiles
 * repeat) and Natural Earth countries cut by GDAL's MVT writer (inland tiles repeat).
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import gdal from 'gdal-async';
import { countriesMbtiles } from '../testing/real-data.js';
import { openMbtiles } from './mbtiles-reader.js';
import { contentHashOf, openMbtilesWriter } from './mbtiles-writer.js';
import { type TileRecord, isTileInGrid } from './tile-cache.js';
import type { TileToWrite, TilesetMetadata } from './tile-writer.js';
import { COUNTRIES_LAYER, allTiles, assertSameTiles, gdalInfo, ogrLayers, readBack, realTileBed } from './testing/writer-fixtures.js';

const bed = realTileBed('mbtiles-dedupe');

function distinct(tiles: readonly TileToWrite[]): number {
  return new Set(tiles.map((t) => Buffer.from(t.data).toString('base64'))).size;
}

/** Rows of map and images, the file's size and whether it still has a tiles view. */
async function storage(path: string): Promise<{ positions: number; images: number; bytes: number; view: boolean }> {
  const db = new Database(path, { readonly: true });
  try {
    return {
      positions: db.prepare('SELECT count(*) FROM map').pluck().get() as number,
      images: db.prepare('SELECT count(*) FROM images').pluck().get() as number,
      view: db.prepare(`SELECT type FROM sqlite_master WHERE name = 'tiles'`).pluck().get() === 'view',
      bytes: (await stat(path)).size,
    };
  } finally {
    db.close();
  }
}

/** Writes `tiles` to a new file, de-duplicated or flat, and finishes it. */
async function writeFile(path: string, tiles: readonly TileToWrite[], metadata: TilesetMetadata, deduplicate: boolean): Promise<void> {
  const writer = await openMbtilesWriter(path, { format: metadata.format, deduplicate });
  await writer.write(tiles);
  await writer.finish(metadata);
  await writer.close();
}

test('a raster MBTiles stores each distinct tile once, and GDAL reads it pixel for pixel as the flat file', async () => {
  const tiles = bed.hillshade.tiles;
  const copies = distinct(tiles);
  assert.ok(copies < tiles.length, `the hillshade's sea tiles repeat (${copies} distinct of ${tiles.length})`);
  const metadata: TilesetMetadata = { name: 'hillshade', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 10 };
  const [deduplicated, flat] = [join(bed.dir, 'hillshade-dedup.mbtiles'), join(bed.dir, 'hillshade-flat.mbtiles')];
  await writeFile(deduplicated, tiles, metadata, true);
  await writeFile(flat, tiles, metadata, false);

  const held = await storage(deduplicated);
  assert.deepEqual({ ...held, bytes: 0 }, { positions: tiles.length, images: copies, view: true, bytes: 0 });
  assertSameTiles((await readBack(openMbtiles(deduplicated))).tiles, tiles);

  const [ours, theirs] = [await gdalInfo(deduplicated), await gdalInfo(flat)];
  assert.equal(ours.driverShortName, 'MBTiles');
  assert.deepEqual(ours.size, theirs.size);
  assert.deepEqual(ours.geoTransform, theirs.geoTransform);
  assert.deepEqual(ours.bands, theirs.bands, 'every level, overviews included, has the same pixels');

  // A repeated tile read back through GDAL's raster API: its window holds the same pixels in both.
  const dataset = await gdal.openAsync(deduplicated);
  const reference = await gdal.openAsync(flat);
  try {
    const [width, height] = [dataset.rasterSize.x, dataset.rasterSize.y];
    for (let b = 1; b <= 4; b++) {
      const [mine, theirPixels] = [
        await dataset.bands.get(b).pixels.readAsync(0, 0, width, height),
        await reference.bands.get(b).pixels.readAsync(0, 0, width, height),
      ];
      assert.ok(Buffer.from(mine.buffer).equals(Buffer.from(theirPixels.buffer)), `band ${b}`);
    }
  } finally {
    dataset.close();
    reference.close();
  }
});

test("a vector MBTiles of GDAL's countries tiles stores each distinct tile once, smaller than flat, and GDAL's MVT driver reads every feature", async () => {
  const source = countriesMbtiles(bed.dir, 6);
  const reader = await openMbtiles(source);
  // GDAL's MVT writer leaves a few tiles outside the grid at z0–2: not tiles a preseed makes.
  const tiles: TileRecord[] = (await allTiles(reader)).filter((t) => isTileInGrid(t.z, t.x, t.y));
  await reader.close();
  const copies = distinct(tiles);
  assert.ok(copies < tiles.length * 0.9, `inland tiles repeat (${copies} distinct of ${tiles.length})`);
  const metadata: TilesetMetadata = {
    name: 'countries',
    format: 'pbf',
    bounds: [-180, -60, 180, 84],
    minzoom: 0,
    maxzoom: 6,
    vectorLayers: [{ ...COUNTRIES_LAYER, maxzoom: 6 }],
  };
  const [deduplicated, flat] = [join(bed.dir, 'countries-dedup.mbtiles'), join(bed.dir, 'countries-flat.mbtiles')];
  await writeFile(deduplicated, tiles, metadata, true);
  await writeFile(flat, tiles, metadata, false);

  const held = await storage(deduplicated);
  assert.equal(held.positions, tiles.length);
  assert.equal(held.images, copies);
  const flatBytes = (await stat(flat)).size;
  assert.ok(held.bytes < flatBytes, `${held.bytes} bytes de-duplicated, ${flatBytes} flat`);
  assertSameTiles((await readBack(openMbtiles(deduplicated))).tiles, tiles);

  const layers = await ogrLayers(deduplicated);
  assert.deepEqual(layers, await ogrLayers(flat));
  assert.equal(layers[0]?.name, 'countries');
  assert.ok(layers[0]!.features > 100, JSON.stringify(layers));
  // Features read through GDAL's API at the deepest zoom: the same names in both files.
  const names = async (path: string) => {
    const dataset = await gdal.openAsync(path, 'r', ['MVT', 'MBTiles']);
    try {
      const found = new Set<string>();
      for (const feature of dataset.layers.get(0).features) found.add(String(feature.fields.get('name')));
      return [...found].sort();
    } finally {
      dataset.close();
    }
  };
  const [ours, theirs] = [await names(deduplicated), await names(flat)];
  assert.ok(ours.includes('Brazil') && ours.length > 100, `${ours.length} countries`);
  assert.deepEqual(ours, theirs);
});

test('replacing or removing a tile keeps the image other positions share; finish deletes the images no position uses', async () => {
  const path = join(bed.dir, 'shared.mbtiles');
  const [a, b] = bed.at(10).map((t) => t.data);
  const at = (x: number, data: Uint8Array): TileToWrite => ({ z: 10, x, y: 300, data });
  const writer = await openMbtilesWriter(path, { format: 'png' });
  await writer.write([at(1, a!), at(2, a!), at(3, b!)]);
  assert.deepEqual(await storage(path).then((s) => [s.positions, s.images]), [3, 2]);

  await writer.remove([at(1, a!)]);
  assert.deepEqual(await writer.readTile(10, 2, 300), new Uint8Array(a!), 'the other position still shows it');
  await writer.write([at(2, b!)]);
  assert.deepEqual(await writer.readTile(10, 2, 300), new Uint8Array(b!));
  assert.deepEqual(await storage(path).then((s) => [s.positions, s.images]), [2, 2], 'no image is looked up or deleted per tile');

  await writer.finish({ name: 'shared', format: 'png', bounds: [-1, -1, 1, 1], minzoom: 10, maxzoom: 10 });
  assert.deepEqual(await storage(path).then((s) => [s.positions, s.images]), [2, 1], 'the image nothing uses is gone');
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT content_hash FROM images').pluck().get(), contentHashOf(b!), 'found by its content hash');
  db.close();

  // Written again after the clean-up, the content is stored again.
  await writer.write([at(1, a!)]);
  assert.deepEqual(await writer.readTile(10, 1, 300), new Uint8Array(a!));
  await writer.close();
  assertSameTiles((await readBack(openMbtiles(path))).tiles, [at(1, a!), at(2, b!), at(3, b!)]);
});

test('two contents that share a content hash stay two images: the bytes decide, not the hash', async () => {
  const path = join(bed.dir, 'collision.mbtiles');
  const [a, b] = bed.at(10).map((t) => t.data);
  const writer = await openMbtilesWriter(path, { format: 'png' });
  await writer.write([{ z: 10, x: 1, y: 300, data: a! }]);
  // A SHA-256 collision cannot be made: give the stored image the hash b will have instead.
  const db = new Database(path);
  db.prepare('UPDATE images SET content_hash = ?').run(contentHashOf(b!));
  db.close();
  await writer.write([{ z: 10, x: 2, y: 300, data: b! }]);
  assert.deepEqual(await writer.readTile(10, 1, 300), new Uint8Array(a!));
  assert.deepEqual(await writer.readTile(10, 2, 300), new Uint8Array(b!));
  assert.equal((await storage(path)).images, 2);
  await writer.close();
});
