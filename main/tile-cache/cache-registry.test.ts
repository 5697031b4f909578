import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { Compression, TileType } from 'pmtiles';
import type { TesseraError } from '../../shared/errors.js';
import { CacheRegistry, cacheIdFor, tileResponse } from './cache-registry.js';
import { boundsOfTiles, layersFromMetadata, parseBounds } from './cache-summary.js';
import { DEM_BOUNDS, gdal, makeRasterMbtiles, makeTempDir, makeVectorMbtiles } from './testing/gdal-fixtures.js';
import { openMbtiles } from './mbtiles-reader.js';
import { buildPmtiles, type FixtureTile } from './testing/pmtiles-fixture.js';
import type { TileCacheReader } from './tile-cache.js';

let dir: string;
let cleanup: () => Promise<void>;
let raster: string;
let vector: string;
/** An MVT directory with three single-type layers and no metadata.json: everything must be sampled. */
let layered: string;
let rasterTiles: FixtureTile[];
let vectorTiles: FixtureTile[];
const registries: CacheRegistry[] = [];

/** A registry closed after the tests. */
function registry(options?: ConstructorParameters<typeof CacheRegistry>[0]): CacheRegistry {
  const r = new CacheRegistry(options);
  registries.push(r);
  return r;
}

before(async () => {
  ({ dir, cleanup } = await makeTempDir('registry'));
  raster = await makeRasterMbtiles(dir, 'dem.mbtiles');
  vector = await makeVectorMbtiles(dir, 'sample.mbtiles');

  const feature = (geometry: unknown, properties: Record<string, unknown>) => ({ type: 'Feature', properties, geometry });
  const collections = {
    places: [
      feature({ type: 'Point', coordinates: [2.35, 48.85] }, { name: 'Paris', pop: 2.1 }),
      feature({ type: 'Point', coordinates: [-70, 40] }, { name: 'sea', pop: 0 }),
    ],
    roads: [
      feature(
        {
          type: 'LineString',
          coordinates: [
            [-70, 40],
            [10, 50],
            [120, -30],
          ],
        },
        { ref: 'A1', paved: true },
      ),
    ],
    land: [
      feature(
        {
          type: 'Polygon',
          coordinates: [
            [
              [-10, -10],
              [30, -10],
              [30, 20],
              [-10, 20],
              [-10, -10],
            ],
          ],
        },
        { kind: 'park' },
      ),
    ],
  };
  const gpkg = join(dir, 'layers.gpkg');
  for (const [name, features] of Object.entries(collections)) {
    const file = join(dir, `${name}.geojson`);
    await writeFile(file, JSON.stringify({ type: 'FeatureCollection', features }));
    gdal('ogr2ogr', ['-f', 'GPKG', ...(name === 'places' ? [] : ['-update']), gpkg, file, '-nln', name]);
  }
  layered = join(dir, 'layered');
  gdal('ogr2ogr', ['-f', 'MVT', layered, gpkg, '-dsco', 'MAXZOOM=3', '-dsco', 'COMPRESS=NO']);
  await rm(join(layered, 'metadata.json'));

  const all = async (path: string) => {
    const reader = await openMbtiles(path);
    const tiles: FixtureTile[] = [];
    for (const { z } of await reader.zoomLevels()) tiles.push(...(await reader.readBatch(z, null, 1000)));
    await reader.close();
    return tiles;
  };
  rasterTiles = await all(raster);
  vectorTiles = await all(vector);
});

after(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await cleanup();
});

function assertBoundsNear(got: number[] | null, expected: readonly number[], tolerance: number): void {
  assert.ok(got, 'bounds');
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `bounds ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`));
}

test('opens a GDAL raster MBTiles: summary from its metadata, PNG tiles by XYZ', async () => {
  const caches = registry();
  const s = await caches.open(raster);
  assert.equal(s.id, cacheIdFor(raster));
  assert.match(s.id, /^[0-9a-f]{12}$/);
  assert.equal(s.path, raster);
  assert.equal(s.kind, 'mbtiles');
  assert.equal(s.format, 'png');
  assert.equal(s.name, 'dem');
  assert.equal(s.minZoom, 7);
  assert.equal(s.maxZoom, 10);
  // GDAL writes the extent of its Web Mercator grid back in degrees: within a pixel of the DEM's.
  assertBoundsNear(s.bounds, DEM_BOUNDS, 1e-3);
  assert.deepEqual(s.vectorLayers, []);
  assert.equal(s.tileUrlTemplate, `tiles/${s.id}/{z}/{x}/{y}`);

  for (const t of rasterTiles) {
    const tile = await caches.tile(s.id, t.z, t.x, t.y);
    assert.ok(tile, `${t.z}/${t.x}/${t.y}`);
    assert.equal(tile.contentType, 'image/png');
    assert.equal(tile.contentEncoding, undefined);
    assert.deepEqual(Buffer.from(tile.data), Buffer.from(t.data));
  }
  // A tile the cache lacks within its zooms (7–10) is an empty tile; beyond them, none at all.
  assert.deepEqual(await caches.tile(s.id, 10, 0, 0), { data: new Uint8Array(0), contentType: 'application/octet-stream' }, 'absent within the zooms');
  assert.equal(await caches.tile(s.id, 11, 0, 0), null, 'deeper than the cache goes');
  assert.equal(await caches.tile(s.id, 6, 0, 0), null, 'above its first zoom');
  assert.equal(await caches.tile('000000000000', 10, 517, 351), null, 'no such cache');
});

test('opens a vector MBTiles: layers, fields and geometry types from its metadata; gzipped MVT', async () => {
  const caches = registry();
  const s = await caches.open(vector);
  assert.equal(s.format, 'pbf');
  assert.equal(s.minZoom, 0);
  assert.equal(s.maxZoom, 5);
  // GDAL's tilestats name one type for the mixed layer (a point, a line and a polygon): its choice is kept.
  assert.deepEqual(s.vectorLayers, [{ id: 'sample', fields: { name: 'String', n: 'Number' }, geometryType: 'line', minZoom: 0, maxZoom: 5 }]);
  const t = vectorTiles[0]!;
  const tile = await caches.tile(s.id, t.z, t.x, t.y);
  assert.ok(tile);
  assert.equal(tile.contentType, 'application/x-protobuf');
  assert.equal(tile.contentEncoding, 'gzip');
  assert.deepEqual(Buffer.from(tile.data), Buffer.from(t.data));
});

test('derives bounds from the tile range at the lowest zoom when the metadata has none', async () => {
  const copy = join(dir, 'no-bounds.mbtiles');
  await copyFile(raster, copy);
  const db = new Database(copy);
  db.prepare(`DELETE FROM metadata WHERE name IN ('bounds', 'minzoom', 'maxzoom')`).run();
  db.close();
  const s = await registry().open(copy);
  assert.equal(s.minZoom, 7);
  assert.equal(s.maxZoom, 10);
  // The z7 tiles' box: it holds the DEM, and is at most one z7 tile (2.8°) wider on each side.
  const b = s.bounds!;
  assert.ok(b[0] <= DEM_BOUNDS[0] && b[1] <= DEM_BOUNDS[1] && b[2] >= DEM_BOUNDS[2] && b[3] >= DEM_BOUNDS[3], JSON.stringify(b));
  assert.ok(DEM_BOUNDS[0] - b[0] < 2.82 && b[2] - DEM_BOUNDS[2] < 2.82, JSON.stringify(b));
  assert.deepEqual(b, boundsOfTiles(rasterTiles.filter((t) => t.z === 7)));
});

test('samples the tiles of a folder without metadata for its layers, fields and geometry types', async () => {
  const s = await registry().open(layered);
  assert.equal(s.kind, 'directory');
  assert.equal(s.format, 'pbf');
  assert.equal(s.name, 'layered');
  assert.equal(s.minZoom, 0);
  assert.equal(s.maxZoom, 3);
  const byId = Object.fromEntries(s.vectorLayers.map((l) => [l.id, l]));
  assert.deepEqual(Object.keys(byId).sort(), ['land', 'places', 'roads']);
  assert.deepEqual(byId.places, { id: 'places', fields: { name: 'String', pop: 'Number' }, geometryType: 'point', minZoom: 0, maxZoom: 3 });
  assert.equal(byId.roads!.geometryType, 'line');
  assert.deepEqual(byId.roads!.fields, { ref: 'String', paved: 'Boolean' });
  assert.equal(byId.land!.geometryType, 'polygon');
  // The whole world at zoom 0 (one tile).
  assertBoundsNear(s.bounds, [-180, -85.0511287798066, 180, 85.0511287798066], 1e-9);
});

test('opens PMTiles: bounds from the header, layers from the JSON metadata, types from sampling', async () => {
  const caches = registry();
  const rasterPath = join(dir, 'dem.pmtiles');
  await writeFile(
    rasterPath,
    buildPmtiles(rasterTiles, { tileType: TileType.Png, leafSize: 4, bounds: [2, 48, 3.024, 49.024], metadata: { name: 'dem archive' } }),
  );
  const r = await caches.open(rasterPath);
  assert.equal(r.kind, 'pmtiles');
  assert.equal(r.format, 'png');
  assert.equal(r.name, 'dem archive');
  assertBoundsNear(r.bounds, DEM_BOUNDS, 1e-6);
  assert.equal(r.minZoom, 7);
  assert.equal(r.maxZoom, 10);
  const t = rasterTiles[5]!;
  assert.deepEqual(Buffer.from((await caches.tile(r.id, t.z, t.x, t.y))!.data), Buffer.from(t.data));

  const vectorPath = join(dir, 'sample.pmtiles');
  await writeFile(
    vectorPath,
    buildPmtiles(vectorTiles, {
      tileType: TileType.Mvt,
      tileCompression: Compression.Gzip,
      metadata: { vector_layers: [{ id: 'sample', fields: { name: 'String' }, minzoom: 0, maxzoom: 5 }] },
    }),
  );
  const v = await caches.open(vectorPath);
  assert.equal(v.name, 'sample');
  // Declared fields are kept; the type (not declared) comes from the tiles: the sample layer mixes
  // a point, a line and a polygon, and the line, crossing the world, is in more sampled tiles.
  assert.deepEqual(v.vectorLayers, [{ id: 'sample', fields: { name: 'String' }, geometryType: 'line', minZoom: 0, maxZoom: 5 }]);
  const vt = await caches.tile(v.id, vectorTiles[0]!.z, vectorTiles[0]!.x, vectorTiles[0]!.y);
  assert.equal(vt!.contentEncoding, 'gzip');
});

test('missing, not a cache, a folder without tiles: one NOT_FOUND, the same words, no errno (no file-existence oracle)', async () => {
  const caches = registry();
  const text = join(dir, 'notes.txt');
  await writeFile(text, 'hello, not tiles');
  const empty = join(dir, 'empty-folder');
  await mkdir(empty, { recursive: true });
  const answers: string[] = [];
  for (const path of [join(dir, 'missing.mbtiles'), join(dir, 'no-folder', 'x.pmtiles'), text, empty, bin()]) {
    await assert.rejects(caches.open(path), (e: TesseraError) => {
      assert.equal(e.code, 'NOT_FOUND');
      assert.ok(e.message.includes(path), e.message);
      assert.doesNotMatch(JSON.stringify(e.toJSON()), /E[A-Z]{3,}|SQLITE|errno/);
      answers.push(JSON.stringify(e.toJSON()).replace(path, '<path>'));
      return true;
    });
  }
  assert.equal(new Set(answers).size, 1, `one answer for all: ${[...new Set(answers)].join(' | ')}`);
  assert.equal(caches.size, 0, 'nothing stays open');
});

/** This compiled test file itself: a file that exists and is no cache. */
function bin(): string {
  return fileURLToPath(import.meta.url);
}

/** A reader that counts its closes and can hold a read open until released. */
function fakeReader(path: string, log: string[], gate?: Promise<void>): TileCacheReader {
  return {
    kind: 'mbtiles',
    path,
    format: 'png',
    metadata: { minzoom: '0', maxzoom: '2', bounds: '-10,-10,10,10' },
    zoomLevels: async () => [{ z: 0, count: 1 }],
    readBatch: async () => [],
    readTile: async () => {
      await gate;
      return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    },
    close: async () => {
      log.push(`close ${path}`);
    },
  };
}

test('keeps at most maxOpen readers: the least recently used is closed, and opened again when asked', async () => {
  const log: string[] = [];
  const caches = registry({ maxOpen: 2, openCache: async (path) => (log.push(`open ${path}`), fakeReader(path, log)) });
  const a = await caches.open('/caches/a.mbtiles');
  const b = await caches.open('/caches/b.mbtiles');
  assert.equal((await caches.open('/caches/a.mbtiles')).id, a.id, 'reused');
  assert.ok(await caches.tile(a.id, 0, 0, 0), 'a is now the most recently used');
  await caches.open('/caches/c.mbtiles');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['open /caches/a.mbtiles', 'open /caches/b.mbtiles', 'open /caches/c.mbtiles', 'close /caches/b.mbtiles']);
  assert.equal(caches.size, 2);
  assert.equal(await caches.tile(b.id, 0, 0, 0), null, 'a closed cache has no tiles until opened again');
  await caches.open('/caches/b.mbtiles');
  assert.ok(await caches.tile(b.id, 0, 0, 0));
  await caches.close();
  assert.deepEqual(log.slice(4).sort(), ['close /caches/a.mbtiles', 'close /caches/c.mbtiles', 'open /caches/b.mbtiles', 'close /caches/b.mbtiles'].sort());
});

test('an evicted reader is closed only after the reads it is serving have finished', async () => {
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const caches = registry({ maxOpen: 1, openCache: async (path) => fakeReader(path, log, path.endsWith('a') ? gate : undefined) });
  const a = await caches.open('/caches/a');
  const reading = caches.tile(a.id, 0, 0, 0);
  await caches.open('/caches/b');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, [], 'a is still being read');
  release();
  assert.ok(await reading);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['close /caches/a']);
});

test('a cache rewritten on disk is opened afresh; an unchanged one is not', async () => {
  const copy = join(dir, 'rewritten.mbtiles');
  await copyFile(raster, copy);
  let opens = 0;
  const caches = registry({ openCache: async (path) => (opens++, openMbtiles(path)) });
  const first = await caches.open(copy);
  await caches.open(copy);
  assert.equal(opens, 1);
  const later = new Date(Date.now() + 5000);
  await utimes(copy, later, later);
  const second = await caches.open(copy);
  assert.equal(opens, 2);
  assert.equal(second.id, first.id, "the id is the path's, so open maps keep working");
});

test('tile content types come from the bytes; gzip is flagged, brotli inflated', async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
  const webp = new Uint8Array([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP')]);
  const mvt = new Uint8Array([0x1a, 0x02, 0x78, 0x01]);
  assert.equal((await tileResponse(png, 'jpg')).contentType, 'image/png', 'a PNG in a "jpg" cache is still a PNG');
  assert.equal((await tileResponse(jpeg, 'png')).contentType, 'image/jpeg');
  assert.equal((await tileResponse(webp, 'unknown')).contentType, 'image/webp');
  assert.deepEqual(await tileResponse(mvt, 'pbf'), { data: mvt, contentType: 'application/x-protobuf' });
  const zipped = new Uint8Array(gzipSync(mvt));
  assert.deepEqual(await tileResponse(zipped, 'pbf'), { data: zipped, contentType: 'application/x-protobuf', contentEncoding: 'gzip' });
  assert.deepEqual(await tileResponse(zipped, 'unknown'), { data: zipped, contentType: 'application/x-protobuf', contentEncoding: 'gzip' });
  const br = await tileResponse(new Uint8Array(brotliCompressSync(mvt)), 'pbf', 'brotli');
  assert.deepEqual([...br.data], [...mvt]);
  assert.equal(br.contentEncoding, undefined);
  assert.equal((await tileResponse(new Uint8Array([1, 2, 3]), 'unknown')).contentType, 'application/octet-stream');
});

test('bounds and layer metadata parsing', () => {
  assert.deepEqual(parseBounds('2,48,3.024,49.024'), [2, 48, 3.024, 49.024]);
  assert.deepEqual(parseBounds('[2, 48, 3.024, 49.024]'), [2, 48, 3.024, 49.024], 'TileJSON array form');
  assertBoundsNear(parseBounds('-180,-90,180,90'), [-180, -85.0511287798066, 180, 85.0511287798066], 1e-9);
  for (const bad of [undefined, '', '0,0,0,0', '1,2,3', 'a,b,c,d', '10,50,20,40']) assert.equal(parseBounds(bad), null, String(bad));
  assertBoundsNear(boundsOfTiles([{ z: 1, x: 1, y: 0 }]), [0, 0, 180, 85.0511287798066], 1e-9);
  assert.equal(boundsOfTiles([]), null);

  // PMTiles keeps vector_layers at the top level, MBTiles inside `json`; tilestats gives the types.
  assert.deepEqual(layersFromMetadata({ vector_layers: JSON.stringify([{ id: 'roads', fields: { ref: 'String' }, minzoom: 4, maxzoom: 14 }]) }), [
    { id: 'roads', fields: { ref: 'String' }, geometryType: 'unknown', minZoom: 4, maxZoom: 14 },
  ]);
  const json = JSON.stringify({
    vector_layers: [{ id: 'water' }, { id: 'poi' }],
    tilestats: {
      layers: [
        { layer: 'water', geometry: 'MultiPolygon' },
        { layer: 'poi', geometry: 'Point' },
      ],
    },
  });
  assert.deepEqual(
    layersFromMetadata({ json })!.map((l) => [l.id, l.geometryType, l.minZoom, l.maxZoom]),
    [
      ['water', 'polygon', 0, 30],
      ['poi', 'point', 0, 30],
    ],
  );
  assert.equal(layersFromMetadata({}), null);
  assert.equal(layersFromMetadata({ json: 'not json' }), null);
  assert.equal(layersFromMetadata({ json: '{"vector_layers":[]}' }), null);
});
