/**
 * A vector source's CRS as GDAL tells it, on files made here with ogr2ogr: a Shapefile without its
 * .prj whose coordinates are small enough to pass for lon/lat (a local grid in metres) is
 * NO_GEOREFERENCE, not silently taken as lon/lat; the job's `assignCrs` (the CLI's --crs, "Retry
 * with CRS…") reads it in that CRS; a GeoJSON without `crs` is WGS 84 by RFC 7946 (GDAL says
 * EPSG:4326) and a GeoPackage keeps its own CRS. Then through a real engine: the job fails with the
 * hint, and its retry with a CRS tiles it where that CRS puts it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Bbox } from '../../../shared/contract.js';
import { TesseraError } from '../../../shared/errors.js';
import { Engine } from '../../engine/engine.js';
import { createLogger } from '../../logging/logger.js';
import { inspectSource } from './source-info.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-source-crs-'));
const grid = join(root, 'grid.geojson');
const noPrj = join(root, 'noprj', 'parcels.shp');
const bngGpkg = join(root, 'parcels.gpkg');
const wells = join(root, 'noprj', 'wells.shp');
let engine: Engine;

before(async () => {
  // Two parcels of a local grid in metres: x 20–140, y 10–75, inside ±180/±90.
  const square = (x: number, y: number, n: number) => ({
    type: 'Feature',
    properties: { n },
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [x, y],
          [x + 60, y],
          [x + 60, y + 65],
          [x, y + 65],
          [x, y],
        ],
      ],
    },
  });
  writeFileSync(grid, JSON.stringify({ type: 'FeatureCollection', features: [square(20, 10, 1), square(80, 10, 2)] }));
  execFileSync('mkdir', ['-p', join(root, 'noprj')]);
  // ogr2ogr writes the .prj the GeoJSON implies; the file as it comes from a careless export has none.
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', noPrj, grid]);
  rmSync(noPrj.replace(/\.shp$/, '.prj'));
  execFileSync('ogr2ogr', ['-f', 'GPKG', '-a_srs', 'EPSG:27700', bngGpkg, grid]);
  // A point at x 80 m, y 40 m of the same grid, for the job (points are tiled at any zoom).
  const point = join(root, 'well.geojson');
  writeFileSync(
    point,
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { n: 1 }, geometry: { type: 'Point', coordinates: [80, 40] } }] }),
  );
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', wells, point]);
  rmSync(wells.replace(/\.shp$/, '.prj'));
  engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', threads: 2, logger: createLogger('silent') });
  await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
});
after(async () => {
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Near `[w, s, e, n]` within `tolerance` degrees at each edge. */
function near(actual: Bbox | null, expected: Bbox, tolerance = 0.0005): void {
  assert.ok(actual, 'bounds');
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < tolerance, `${actual} vs ${expected}`);
}

// Where BNG's x 20–140 m, y 10–75 m lie: off the Isles of Scilly, by GDAL's own transformation.
const BNG_PLACE: Bbox = [-7.55696, 49.76691, -7.555235, 49.767572];

test('a .shp without its .prj whose numbers could be lon/lat is NO_GEOREFERENCE with the .prj hint', async () => {
  await assert.rejects(inspectSource(noPrj), (error: unknown) => {
    assert.ok(error instanceof TesseraError);
    assert.equal(error.code, 'NO_GEOREFERENCE');
    assert.match(error.message, /layer parcels names no CRS \(no \.prj beside the Shapefile\)/);
    assert.match(error.message, /Retry with CRS…/);
    assert.match(error.message, /--crs/, 'the CLI’s hint stays');
    return true;
  });
});

test('given a CRS, the same file is read in it: bounds where that CRS puts it', async () => {
  const layer = (await inspectSource(noPrj, undefined, 'EPSG:27700')).layers[0]!;
  assert.equal(layer.crs, 'EPSG:27700');
  near(layer.bounds, BNG_PLACE);
  const [lon, lat] = layer.samplePoint!;
  assert.ok(lon > BNG_PLACE[0] && lon < BNG_PLACE[2] && lat > BNG_PLACE[1] && lat < BNG_PLACE[3], `${layer.samplePoint}`);
});

test('a .shp of lon/lat without its .prj, given EPSG:4326: bounds lon first, as the file holds them', async () => {
  const lonLat = join(root, 'noprj', 'lonlat.shp');
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', lonLat, grid]);
  rmSync(lonLat.replace(/\.shp$/, '.prj'));
  const layer = (await inspectSource(lonLat, undefined, 'EPSG:4326')).layers[0]!;
  assert.equal(layer.crs, 'EPSG:4326');
  near(layer.bounds, [20, 10, 140, 75]);
});

test('a GeoJSON without "crs" is WGS 84 (GDAL reports EPSG:4326), whatever CRS the job gives', async () => {
  for (const assignCrs of [undefined, 'EPSG:27700']) {
    const layer = (await inspectSource(grid, undefined, assignCrs)).layers[0]!;
    assert.equal(layer.crs, 'EPSG:4326');
    near(layer.bounds, [20, 10, 140, 75]);
  }
});

test('a GeoPackage with a CRS keeps it', async () => {
  const layer = (await inspectSource(bngGpkg)).layers[0]!;
  assert.equal(layer.crs, 'EPSG:27700');
  near(layer.bounds, BNG_PLACE);
});

test('the job fails NO_GEOREFERENCE; its retry with a CRS tiles the well where the CRS puts it', async () => {
  const output = join(root, 'wells.mbtiles');
  const started = await engine.start({ kind: 'preseed-vector', params: { sources: [wells], output, minZoom: 10, maxZoom: 12 } });
  const failed = await engine.waitFor(started.id);
  assert.equal(failed.state, 'failed');
  const [item] = engine.store.listItems(failed.id, { limit: 10 }).rows;
  assert.equal(item?.error?.code, 'NO_GEOREFERENCE');

  const retry = await engine.handlers['jobs.retry']({ ids: [failed.id], params: { assignCrs: 'EPSG:27700' } });
  assert.deepEqual(retry, { ok: [failed.id], failed: [] });
  const done = await engine.waitFor(failed.id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  assert.deepEqual(done.params, { ...failed.params, assignCrs: 'EPSG:27700' });
  // The one z12 tile made is the one over the well off Scilly (-7.5561, 49.7672: x 1962, y 1393), not one at 80°E.
  const db = new Database(output, { readonly: true });
  try {
    const tiles = db.prepare('SELECT tile_column AS x, 4095 - tile_row AS y FROM tiles WHERE zoom_level = 12').all();
    assert.deepEqual(tiles, [{ x: 1962, y: 1393 }]);
  } finally {
    db.close();
  }
});
