import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { TileType } from 'pmtiles';
import type { JobItem, JobSummary } from '../../shared/contract.js';
import { buildPmtiles } from '../tile-cache/testing/pmtiles-fixture.js';
import {
  type Bounds,
  type Thumbnail,
  extentOf,
  flattenParams,
  formatBounds,
  formatBytes,
  formatDuration,
  formatTime,
  parseBounds,
  reportModel,
  thumbnail,
  tileRangeBounds,
} from './report-parts.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-report-parts-'));
after(() => rmSync(root, { recursive: true, force: true }));

const job = (params: Record<string, unknown>, kind: JobSummary['kind'] = 'verify', items: JobItem[] = []) => ({
  job: { kind, params } as unknown as JobSummary,
  items,
  datasets: null,
});
const footprintItem = (label: string, bounds: number[]) => ({ label, result: { bounds } }) as unknown as JobItem;

/** Even-odd point-in-land test on the projected rings, as the reports fill them. */
function isLand(t: Thumbnail, x: number, y: number): boolean {
  let inside = false;
  for (const ring of t.land) {
    for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
      const [xi, yi, xj, yj] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Box coordinates of a lon/lat, from the thumbnail's own view (linear in both axes). */
function at(t: Thumbnail, lon: number, lat: number): [number, number] {
  const [w, s, e, n] = t.view;
  return [((lon - w) / (e - w)) * t.width, ((n - lat) / (n - s)) * t.height];
}

test('parseBounds reads "w,s,e,n" and refuses what is not an area', () => {
  assert.deepEqual(parseBounds('11,57,12,58'), [11, 57, 12, 58]);
  assert.deepEqual(parseBounds(' -180 , -85.05, 180, 85.05 '), [-180, -85.05, 180, 85.05]);
  assert.deepEqual(parseBounds('170,-20,-170,-10'), [170, -20, -170, -10]); // across the antimeridian
  // A z/x/y folder's metadata.json (TileJSON) writes them as an array.
  assert.deepEqual(parseBounds('[-165.27,-53.15,177.13,78.2]'), [-165.27, -53.15, 177.13, 78.2]);
  for (const bad of [undefined, '', '1,2,3', '1,2,3,4,5', 'a,b,c,d', '0,0,0,0', '11,58,12,57', '-200,0,10,10', '0,-95,10,10']) {
    assert.equal(parseBounds(bad), null, String(bad));
  }
});

test('tileRangeBounds covers whole XYZ tiles in Web Mercator', () => {
  const world = tileRangeBounds(0, 0, 0, 0, 0);
  assert.deepEqual(
    world.map((v) => Math.round(v * 1e4) / 1e4),
    [-180, -85.0511, 180, 85.0511],
  );
  const ne = tileRangeBounds(1, 1, 0, 1, 0);
  assert.deepEqual(
    ne.map((v) => Math.round(v * 1e4) / 1e4),
    [0, 0, 180, 85.0511],
  );
});

test('thumbnail: the extent sits in the middle at its true shape, land where land is', () => {
  const t = thumbnail([11, 57, 12, 58], 340, 250);
  const r = t.extent;
  assert.ok(Math.abs(r.x + r.width / 2 - 170) < 1 && Math.abs(r.y + r.height / 2 - 125) < 1, JSON.stringify(r));
  // Equirectangular true to scale at 57.5°N: a degree of longitude is cos(57.5°) of one of latitude.
  assert.ok(Math.abs(r.width / r.height - Math.cos((57.5 * Math.PI) / 180)) < 0.01, JSON.stringify(r));
  // The graticule agrees: the 10°E meridian is one extent-width west of it, 58°N is its north edge.
  const m10 = t.meridians.find((m) => m.label === '10°E');
  const p58 = t.parallels.find((p) => p.label === '58°N');
  assert.ok(m10 && Math.abs(m10.x - (r.x - r.width)) < 0.2, JSON.stringify(t.meridians));
  assert.ok(p58 && Math.abs(p58.y - r.y) < 0.2, JSON.stringify(t.parallels));
  // Land: inland Sweden (Jönköping) and Jutland are land, the Skagerrak and the Kattegat are sea.
  assert.equal(isLand(t, ...at(t, 14.16, 57.78)), true);
  assert.equal(isLand(t, ...at(t, 9.2, 56.2)), true);
  assert.equal(isLand(t, ...at(t, 8.0, 57.8)), false);
  assert.equal(isLand(t, ...at(t, 11.4, 56.8)), false);
  // Clipped to the box, and detail below half a unit dropped: a few KB, not the whole coastline.
  for (const ring of t.land) for (let i = 0; i < ring.length; i += 2) assert.ok(ring[i]! >= -2 && ring[i]! <= 342 && ring[i + 1]! >= -2 && ring[i + 1]! <= 252);
  assert.ok(t.land.reduce((n, ring) => n + ring.length / 2, 0) < 2000);
  assert.equal(t.marker, null);
});

test('thumbnail: the whole world fits, a tiny extent gets a marker, the antimeridian is crossed', () => {
  const world = thumbnail([-180, -85.0511, 180, 85.0511], 340, 250);
  assert.ok(world.extent.width > 330 && world.extent.width <= 340.1, JSON.stringify(world.extent));
  assert.ok(world.land.length > 100);
  assert.equal(isLand(world, ...at(world, 20, 0)), true); // Congo
  assert.equal(isLand(world, ...at(world, -30, 0)), false); // the Atlantic

  const tiny = thumbnail([11.97, 57.7, 11.98, 57.71], 340, 250);
  assert.ok(tiny.marker !== null && Math.abs(tiny.marker.x - 170) < 1 && Math.abs(tiny.marker.y - 125) < 1);

  const fiji = thumbnail([177, -19, -178, -16], 340, 250);
  assert.ok(fiji.extent.width > 0 && Math.abs(fiji.extent.x + fiji.extent.width / 2 - 170) < 1);
  assert.ok(
    fiji.meridians.some((m) => m.label === '180°'),
    JSON.stringify(fiji.meridians),
  );
  assert.ok(fiji.land.length > 0, 'Fiji is drawn on both sides of 180°');
});

test('formatting: times in UTC, durations, bytes, bounds, flattened params', () => {
  assert.equal(formatTime('2026-03-04T05:06:07.890Z'), '2026-03-04 05:06:07');
  assert.equal(formatTime('2026-03-04T07:06:07+02:00'), '2026-03-04 05:06:07');
  assert.equal(formatTime(null), '—');
  assert.deepEqual([0, 850, 12_340, 245_000, 7_380_000, 97_200_000, null].map(formatDuration), [
    '0 ms',
    '850 ms',
    '12.3 s',
    '4 min 05 s',
    '2 h 03 min',
    '1 d 03 h',
    '—',
  ]);
  // The console's binary units (renderer/storage/bytes.ts re-exports the same formatter).
  assert.deepEqual([0, 512, 1536, 23.4 * 1024 ** 2, 77 * 1024 ** 3, 5 * 1024 ** 4].map(formatBytes), [
    '0 B',
    '512 B',
    '1.5 KiB',
    '23.4 MiB',
    '77 GiB',
    '5 TiB',
  ]);
  assert.equal(formatBounds([11, 57, 12, 58]), '11.00°E – 12.00°E, 57.00°N – 58.00°N');
  assert.equal(formatBounds([-15.2, -15, -14.9, -14.7]), '15.20°W – 14.90°W, 15.00°S – 14.70°S');
  assert.deepEqual(flattenParams({ cache: '/a b.mbtiles', maxTileBytes: 512000, nested: { list: [1, 'x'], none: null, empty: {} }, flag: true }), [
    ['cache', '/a b.mbtiles'],
    ['maxTileBytes', '512000'],
    ['nested.list[0]', '1'],
    ['nested.list[1]', 'x'],
    ['nested.none', 'null'],
    ['nested.empty', '{}'],
    ['flag', 'true'],
  ]);
});

test('extentOf: declared bounds, bounds from tiles, and why there are none', async () => {
  // PMTiles: the header's bounds.
  const pmtiles = join(root, 'area.pmtiles');
  writeFileSync(pmtiles, buildPmtiles([{ z: 0, x: 0, y: 0, data: new Uint8Array([1, 2, 3]) }], { tileType: TileType.Png, bounds: [5.5, 45.25, 10.5, 47.75] }));
  assert.deepEqual(await extentOf(job({ cache: pmtiles })), {
    bounds: [5.5, 45.25, 10.5, 47.75],
    note: 'declared by the cache (pmtiles header)',
    footprints: [],
    produced: `the tile cache ${pmtiles}`,
  });

  // MBTiles whose declared bounds are empty ("0,0,0,0", as some writers leave them): from the deepest zoom's tiles.
  const mbtiles = join(root, 'no-bounds.mbtiles');
  const db = new Database(mbtiles);
  db.exec(`CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
           INSERT INTO metadata VALUES ('format', 'png'), ('bounds', '0,0,0,0');`);
  const insert = db.prepare('INSERT INTO tiles VALUES (?, ?, ?, ?)');
  insert.run(2, 2, 2, Buffer.from([1])); // z2: x 2, XYZ y 1
  for (const [x, y] of [
    [4, 2],
    [5, 3],
    [4, 3],
  ] as const)
    insert.run(3, x, 7 - y, Buffer.from([1])); // TMS rows
  insert.run(3, 9, 0, Buffer.from([1])); // outside the z3 grid: ignored
  db.close();
  const derived = await extentOf(job({ cache: mbtiles }));
  assert.equal(derived.note, 'derived from the tiles at z3');
  assert.deepEqual(derived.bounds, tileRangeBounds(3, 4, 2, 5, 3));
  assert.deepEqual(
    derived.bounds!.map((v) => Math.round(v * 100) / 100),
    [0, 0, 90, 66.51] satisfies Bounds, // columns 4–5 of 8, rows 2–3 of 8
  );

  const gone = await extentOf(job({ cache: join(root, 'moved-away.mbtiles') }));
  assert.equal(gone.bounds, null);
  assert.match(gone.note, /^the cache cannot be opened: no such file or directory/);
});

test("extentOf: a preseed's extent is its output's, with its items' footprints; their union when the output is gone", async () => {
  const output = join(root, 'preseed-out.pmtiles');
  writeFileSync(output, buildPmtiles([{ z: 0, x: 0, y: 0, data: new Uint8Array([1]) }], { tileType: TileType.Png, bounds: [-88.25, 41.75, 12, 58] }));
  const items = [footprintItem('SP27GTIF.tif', [-88.25, 41.75, -87.5, 42.5]), footprintItem('hillshade.tif', [11, 57, 12, 58])];
  const raster = await extentOf(job({ output, datasets: [] }, 'preseed-raster', items));
  assert.deepEqual(raster.bounds, [-88.25, 41.75, 12, 58]);
  assert.equal(raster.note, 'declared by the output (pmtiles header)');
  assert.deepEqual(
    raster.footprints.map((f) => f.label),
    ['SP27GTIF.tif', 'hillshade.tif'],
  );
  assert.equal(raster.produced, `the tile cache ${output}`);

  const gone = await extentOf(job({ output: join(root, 'deleted.mbtiles'), datasets: [] }, 'preseed-raster', items));
  assert.deepEqual(gone.bounds, [-88.25, 41.75, 12, 58]);
  assert.match(gone.note, /^from its items' footprints \(the output cannot be opened: /);

  const nothing = await extentOf(job({ output: join(root, 'deleted.mbtiles'), sources: [] }, 'preseed-vector'));
  assert.equal(nothing.bounds, null);
  assert.match(nothing.note, /^the output cannot be opened: /);
});

test('thumbnail: footprints projected like the extent; a tiny one is a dot', () => {
  const t = thumbnail([-88.25, 41.75, 12, 58], 340, 250, {
    footprints: [
      { label: 'big', bounds: [-60, 45, -20, 55] },
      { label: 'tiny', bounds: [11.9, 57.9, 12, 58] },
    ],
  });
  const [big, tiny] = t.footprints;
  assert.deepEqual([big!.n, big!.label, tiny!.n, tiny!.label], [1, 'big', 2, 'tiny']);
  const [x, y] = at(t, -60, 55);
  assert.ok(Math.abs(big!.x - x) < 0.2 && Math.abs(big!.y - y) < 0.2, JSON.stringify(big));
  assert.equal(big!.dot, null);
  assert.ok(tiny!.dot && Math.abs(tiny!.dot.x - at(t, 11.95, 57.95)[0]) < 0.5, JSON.stringify(tiny));
});

test('an ingest of uploads lists its files by their own names, as the console does, not as upload:<id>', () => {
  const ref = 'upload:2a98f0c1-77aa-4b1e-9c61-0d3c1f5e8a10';
  const other = 'upload:5b11e2d4-0000-4c3b-8d2f-6e7a9b0c1d2e';
  const staged = { label: 'uploads', state: 'succeeded', result: { files: [{ ref, name: 'parcels.zip' }] } };
  const item = (i: object, id: number) =>
    ({ id, startedAt: null, finishedAt: null, attempts: 1, done: 0, total: 0, failed: 0, error: null, ...i }) as unknown as JobItem;
  const data = {
    job: {
      id: 7,
      kind: 'ingest',
      name: 'ingest 2 files',
      state: 'succeeded',
      priority: 0,
      createdAt: '2026-12-07T10:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      error: null,
      params: { files: [ref, other, '/data/roads.gpkg'] },
      progress: { done: 0, total: 0, failed: 0, bytes: 0 },
      items: { total: 1, succeeded: 1, partial: 0, failed: 0, cancelled: 0, running: 0, queued: 0, interrupted: 0 },
    },
    items: [item(staged, 1)],
    events: [],
    tileIssues: [],
    datasets: null,
    generatedAt: '2026-12-07T10:05:00.000Z',
  } as unknown as Parameters<typeof reportModel>[0];
  const m = reportModel(data, { bounds: null, note: '', footprints: [], produced: 'datasets' }, { issues: 10, eventsHead: 5, eventsTail: 5 });
  assert.deepEqual(m.params, [
    ['files[0]', 'parcels.zip'],
    // No item names it: the reference, exact, rather than nothing.
    ['files[1]', other],
    ['files[2]', '/data/roads.gpkg'],
  ]);
});
