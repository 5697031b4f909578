/** source-info: real GDAL on real sources (world_map.gpkg, rgdal's scot_BNG.shp and cities.shp) and broken ones. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AbortError, TesseraError } from '../../../shared/errors.js';
import { rgdalVector, worldMapGpkg } from '../../testing/real-data.js';
import { inspectSource, isConnectionOrVirtual } from './source-info.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-source-info-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a GeoPackage: its layers with counts, OGR field types, WGS84 bounds, CRS and a point on the first feature', async () => {
  const info = await inspectSource(worldMapGpkg());
  assert.equal(info.driver, 'GPKG');
  assert.equal(info.path, worldMapGpkg());
  const byName = Object.fromEntries(info.layers.map((l) => [l.name, l]));
  assert.deepEqual([byName.countries!.featureCount, byName.states_provinces!.featureCount, byName.disputed_borders!.featureCount], [240, 4556, 46]);
  assert.equal(byName.countries!.crs, 'EPSG:4326');
  assert.equal(byName.countries!.fields.NAME, 'string');
  const b = byName.countries!.bounds!;
  assert.ok(b[0] <= -179.9 && b[2] >= 179.9 && b[1] <= -89 && b[3] > 83 && b[3] <= 90, `${b}`);
  const p = byName.states_provinces!.samplePoint!;
  const sb = byName.states_provinces!.bounds!;
  assert.ok(p[0] >= sb[0] && p[0] <= sb[2] && p[1] >= sb[1] && p[1] <= sb[3], `sample ${p} inside ${sb}`);
});

test('a projected Shapefile (British National Grid): bounds and sample point in lon/lat; points keep their own place', async () => {
  const scot = (await inspectSource(rgdalVector('scot_BNG.shp'))).layers[0]!;
  assert.equal(scot.featureCount, 56);
  assert.equal(scot.crs, 'EPSG:27700');
  assert.deepEqual(Object.keys(scot.fields).slice(0, 2), ['SP_ID', 'NAME']);
  const [w, s, e, n] = scot.bounds!;
  assert.ok(w > -9.5 && w < -8 && e > -1 && e < -0.5 && s > 54.3 && s < 54.8 && n > 60.7 && n < 61, `${scot.bounds}`);
  const [lon, lat] = scot.samplePoint!;
  assert.ok(lon > w && lon < e && lat > s && lat < n, `sample ${scot.samplePoint}`);
  const cities = (await inspectSource(rgdalVector('cities.shp'))).layers[0]!;
  assert.equal(cities.featureCount, 606);
  assert.equal(cities.crs, 'EPSG:4326');
});

test('an empty layer has no bounds and no sample point', async () => {
  const empty = join(root, 'empty.geojson');
  writeFileSync(empty, JSON.stringify({ type: 'FeatureCollection', features: [] }));
  const layer = (await inspectSource(empty)).layers[0]!;
  assert.deepEqual([layer.featureCount, layer.bounds, layer.samplePoint], [0, null, null]);
});

test('what GDAL cannot open, or opens without a vector layer, is DATASET_UNREADABLE naming the file', async () => {
  const text = join(root, 'notes.geojson');
  writeFileSync(text, '{ this is not json');
  const missing = join(root, 'missing.gpkg');
  for (const path of [text, missing]) {
    await assert.rejects(
      () => inspectSource(path),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'DATASET_UNREADABLE' &&
        error.message.startsWith(`${path}: `) &&
        (error.details as { path: string }).path === path,
      path,
    );
  }
  // A raster: GDAL opens it, but there is no layer to tile.
  const raster = join(root, 'tiny.asc');
  writeFileSync(raster, 'ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n3 4\n');
  await assert.rejects(() => inspectSource(raster), /found no vector layer/);
});

test("a Shapefile without its .shx and .dbf is DATASET_UNREADABLE in the ingest's words, not GDAL's SHAPE_RESTORE_SHX", async () => {
  const lonely = join(root, 'lonely');
  mkdirSync(lonely);
  const shp = join(lonely, 'scot_BNG.shp');
  copyFileSync(rgdalVector('scot_BNG.shp'), shp);
  const refused = (missing: string) => (error: unknown) => {
    assert.ok(error instanceof TesseraError, String(error));
    assert.equal(error.code, 'DATASET_UNREADABLE');
    assert.equal(error.message, `${shp}: its ${missing}; add ${missing.includes(' and ') ? 'them' : 'it'} beside it`);
    assert.doesNotMatch(error.message, /SHAPE_RESTORE_SHX/);
    assert.equal((error.details as { reason: string }).reason, 'missing-parts');
    return true;
  };
  await assert.rejects(() => inspectSource(shp), refused('.shx and .dbf are missing'));
  // An upper-case extension counts, as it does for GDAL: only the .dbf is missing now.
  copyFileSync(rgdalVector('scot_BNG.shx'), join(lonely, 'scot_BNG.SHX'));
  await assert.rejects(() => inspectSource(shp), refused('.dbf is missing'));
  copyFileSync(rgdalVector('scot_BNG.dbf'), join(lonely, 'scot_BNG.dbf'));
  // Whole but without its .prj: metres read as lon/lat would land nowhere, so it has no place.
  await assert.rejects(
    () => inspectSource(shp),
    (e: unknown) => e instanceof TesseraError && e.code === 'NO_GEOREFERENCE' && /no \.prj beside/.test(e.message),
  );
  copyFileSync(rgdalVector('scot_BNG.prj'), join(lonely, 'scot_BNG.prj'));
  assert.equal((await inspectSource(shp)).layers[0]!.featureCount, 56);
});

test('cancel stops between layers with AbortError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    () => inspectSource(worldMapGpkg(), controller.signal),
    (error: unknown) => error instanceof AbortError,
  );
});

test('connection strings and GDAL virtual paths are told apart from files', () => {
  for (const p of ['PG:dbname=gis', 'pg:host=x', 'WFS:https://example.com/wfs', '/vsizip/a.zip/b.shp', '/vsicurl/https://x/y.fgb', 'MSSQL:server=x'])
    assert.ok(isConnectionOrVirtual(p), p);
  for (const p of ['/data/world.gpkg', 'C:\\data\\x.shp', './vsizip.gpkg', 'PGfile.gpkg']) assert.ok(!isConnectionOrVirtual(p), p);
});
