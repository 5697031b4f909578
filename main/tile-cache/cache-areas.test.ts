import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { flipY } from '../../shared/tile-grid.js';
import { MAX_AREAS, areaZoom, clusterTiles, findAreas } from './cache-areas.js';
import { CacheRegistry } from './cache-registry.js';
import { makeTempDir, tileAt } from './testing/gdal-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
const registry = new CacheRegistry();

before(async () => {
  ({ dir, cleanup } = await makeTempDir('cache-areas'));
});

after(async () => {
  await registry.close();
  await cleanup();
});

/** Every tile of zoom z within a box (w, s, e, n). */
function tilesOf(z: number, [w, s, e, n]: [number, number, number, number]): { x: number; y: number }[] {
  const a = tileAt(z, w, n);
  const b = tileAt(z, e, s);
  const tiles: { x: number; y: number }[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) tiles.push({ x, y });
  return tiles;
}

const CHICAGO: [number, number, number, number] = [-88.0, 41.6, -87.5, 42.1];
const SWEDEN: [number, number, number, number] = [11.0, 55.3, 24.2, 69.1];

const contains = (outer: readonly number[], inner: readonly number[]) =>
  outer[0]! <= inner[0]! && outer[1]! <= inner[1]! && outer[2]! >= inner[2]! && outer[3]! >= inner[3]!;

test('two far-apart boxes are two areas, the larger first, each covering its box', () => {
  const z = 8;
  const areas = clusterTiles([...tilesOf(z, CHICAGO), ...tilesOf(z, SWEDEN)], z);
  assert.equal(areas.length, 2);
  assert.ok(contains(areas[0]!.bounds, SWEDEN), `Sweden first (more tiles): ${areas[0]!.bounds}`);
  assert.ok(contains(areas[1]!.bounds, CHICAGO), `then Chicago: ${areas[1]!.bounds}`);
  assert.equal(areas[0]!.tiles, tilesOf(z, SWEDEN).length);
  // Tight: an area is its tiles' box, not the world.
  assert.ok(areas[1]!.bounds[2] - areas[1]!.bounds[0] < 3);
});

test('tiles a gap apart (skipped empty tiles: a lake, a strait) stay one area; further apart they split', () => {
  const row = (xs: number[]) => xs.map((x) => ({ x, y: 10 }));
  assert.equal(clusterTiles(row([0, 1, 3, 4]), 5).length, 1, 'one empty tile between');
  assert.equal(clusterTiles(row([0, 1, 4, 5]), 5).length, 1, 'two empty tiles between');
  assert.equal(clusterTiles(row([0, 1, 5, 6]), 5).length, 2, 'three empty tiles between');
  assert.equal(
    clusterTiles(
      [
        { x: 0, y: 0 },
        { x: 2, y: 2 },
      ],
      5,
    ).length,
    1,
    'diagonal neighbours within the gap',
  );
  assert.deepEqual(clusterTiles([], 5), []);
});

test('at most MAX_AREAS areas, largest first; ties keep a stable order', () => {
  const specks = Array.from({ length: 30 }, (_, i) => ({ x: i * 10, y: 100 }));
  const big = [0, 1, 2].map((dy) => ({ x: 500, y: 300 + dy }));
  const areas = clusterTiles([...specks, ...big], 10);
  assert.equal(areas.length, MAX_AREAS);
  assert.equal(areas[0]!.tiles, 3);
  const west = areas.slice(1).map((a) => a.bounds[0]);
  assert.deepEqual(
    west,
    [...west].sort((a, b) => a - b),
  );
});

test('areas are found at the deepest zoom with few enough tiles', () => {
  const levels = [
    { z: 0, count: 1 },
    { z: 5, count: 40 },
    { z: 9, count: 900 },
    { z: 10, count: 3600 },
  ];
  assert.equal(areaZoom(levels), 9);
  assert.equal(areaZoom(levels, 10), 0);
  assert.equal(areaZoom([{ z: 12, count: 5000 }]), null);
  assert.equal(areaZoom([]), null);
});

test('findAreas reads that zoom in small batches, each after the last', async () => {
  const asked: { z: number; after: string }[] = [];
  const all = [...tilesOf(8, CHICAGO), ...tilesOf(8, SWEDEN)].sort((a, b) => a.x - b.x || a.y - b.y);
  const reader = {
    readBatch: async (z: number, after: { x: number; y: number } | null, limit: number) => {
      asked.push({ z, after: after ? `${after.x}/${after.y}` : 'start' });
      const from = after ? all.findIndex((t) => t.x > after.x || (t.x === after.x && t.y > after.y)) : 0;
      return (from === -1 ? [] : all.slice(from, from + limit)).map((t) => ({ z, ...t, data: new Uint8Array(1) }));
    },
  };
  const areas = await findAreas(reader, [
    { z: 4, count: 1 },
    { z: 8, count: all.length },
  ]);
  assert.ok(all.length > 64, `${all.length} tiles: more than one batch`);
  assert.equal(asked.length, Math.floor(all.length / 64) + 1);
  assert.ok(asked.every((a) => a.z === 8));
  assert.equal(areas.length, 2);
  assert.equal(areas[0]!.tiles + areas[1]!.tiles, all.length);
  assert.deepEqual(await findAreas(reader, [{ z: 14, count: 1e6 }]), []);
});

test('a real MBTiles of two areas opens with both in its summary, the larger first', async () => {
  const path = join(dir, 'two-areas.mbtiles');
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
  const db = new Database(path);
  db.exec(`CREATE TABLE metadata (name TEXT, value TEXT);
           CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
           CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);`);
  const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
  for (const z of [4, 5, 6, 7]) {
    for (const box of [CHICAGO, SWEDEN]) for (const t of tilesOf(z, box)) insert.run(z, t.x, flipY(z, t.y), png);
  }
  for (const [k, v] of Object.entries({ name: 'two areas', format: 'png', minzoom: '4', maxzoom: '7' }))
    db.prepare('INSERT INTO metadata VALUES (?, ?)').run(k, v);
  db.close();

  const summary = await registry.open(path);
  assert.equal(summary.areas?.length, 2);
  assert.equal(summary.areas![0]!.z, 7);
  assert.ok(contains(summary.areas![0]!.bounds, SWEDEN));
  assert.ok(contains(summary.areas![1]!.bounds, CHICAGO));
  // The combined bounds are mid-Atlantic-wide; each area is far smaller.
  assert.ok(summary.bounds !== null && summary.bounds[2] - summary.bounds[0] > 100);
});
