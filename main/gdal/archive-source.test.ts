/**
 * gdalSourcePath on real files made here: a zipped GeoTIFF, a zipped GeoJSON, a gzipped GeoJSON
 * and a zipped Shapefile set open in GDAL through the path it gives; bombs, tar archives and
 * archives of several datasets are refused with DATASET_UNREADABLE naming the file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import gdal from 'gdal-async';
import { TesseraError } from '../../shared/errors.js';
import { hostileZip, pointsGeoJson } from '../ingest/testing/ingest-fixtures.js';
import { writeZip } from '../ingest/testing/zip-writer.js';
import { blueMarbleTif, rgdalVector } from '../testing/real-data.js';
import { gdalSourcePath } from './archive-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-archive-source-'));
let tif = '';
let geojson = '';
before(() => {
  tif = join(dir, 'small.tif');
  execFileSync('gdal_translate', ['-q', '-outsize', '90', '45', blueMarbleTif(), tif]);
  geojson = pointsGeoJson(join(dir, 'points.geojson'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(path: string): Promise<TesseraError> {
  const error = await gdalSourcePath(path).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TesseraError, `refused: ${path}`);
  return error;
}

test('a plain file, a missing file and virtual paths pass as they are', async () => {
  assert.equal(await gdalSourcePath(tif), tif);
  assert.equal(await gdalSourcePath(join(dir, 'missing.zip')), join(dir, 'missing.zip'));
  const exact = `/vsizip//${dir.slice(1)}/a.zip/a.shp`;
  assert.equal(await gdalSourcePath(exact), exact);
  assert.equal(await gdalSourcePath('PG:dbname=gis'), 'PG:dbname=gis');
});

test('a zipped GeoTIFF opens as a raster through /vsizip/', async () => {
  const zip = join(dir, 'small.tif.zip');
  writeZip(zip, [{ name: 'small.tif', data: readFileSync(tif) }]);
  const path = await gdalSourcePath(zip);
  assert.equal(path, `/vsizip/{${zip}}/small.tif`);
  const ds = await gdal.openAsync(path);
  assert.deepEqual([ds.rasterSize.x, ds.rasterSize.y, ds.bands.count()], [90, 45, 3]);
  ds.close();
});

test('a zipped GeoJSON and a gzipped one open as vectors; a zipped Shapefile set opens at its .shp', async () => {
  const zip = join(dir, 'points.zip');
  writeZip(zip, [
    { name: 'data/points.geojson', data: readFileSync(geojson) },
    { name: '__MACOSX/data/._points.geojson', data: Buffer.from('junk') },
  ]);
  const gz = join(dir, 'points.geojson.gz');
  writeFileSync(gz, gzipSync(readFileSync(geojson)));
  const shpZip = join(dir, 'cities.zip');
  writeZip(
    shpZip,
    ['shp', 'shx', 'dbf', 'prj'].map((ext) => ({ name: `cities.${ext}`, data: readFileSync(rgdalVector(`cities.${ext}`)) })),
  );
  const expected: [string, string, number][] = [
    [zip, `/vsizip/{${zip}}/data/points.geojson`, 2],
    [gz, `/vsigzip/${gz}`, 2],
    [shpZip, `/vsizip/{${shpZip}}/cities.shp`, 606],
  ];
  for (const [file, path, features] of expected) {
    assert.equal(await gdalSourcePath(file), path);
    const ds = await gdal.openAsync(path);
    assert.equal(ds.layers.get(0).features.count(), features, file);
    ds.close();
  }
});

test('a check is remembered while the file stays the same, and made again when it changes', async () => {
  const gz = join(dir, 'again.geojson.gz');
  writeFileSync(gz, gzipSync(readFileSync(geojson)));
  assert.equal(await gdalSourcePath(gz), `/vsigzip/${gz}`);
  // Now a bomb under the same name: a changed file is checked again, not taken on trust.
  writeFileSync(gz, gzipSync(Buffer.alloc(32 * 1024 * 1024)));
  utimesSync(gz, new Date(), new Date(Date.now() + 5000));
  const error = await refusal(gz);
  assert.equal(error.code, 'DATASET_UNREADABLE');
  assert.match(error.message, /gzip bomb/);
});

test('bombs, tar archives and archives of several datasets are refused, naming the file', async () => {
  const bomb = await refusal(hostileZip(dir, 'bomb'));
  assert.equal(bomb.code, 'DATASET_UNREADABLE');
  assert.match(bomb.message, /bomb\.zip/);

  const tar = join(dir, 'layers.tar.gz');
  writeFileSync(tar, gzipSync(Buffer.alloc(1024)));
  assert.match((await refusal(tar)).message, /tar archives are not supported/);

  const two = join(dir, 'two.zip');
  writeZip(two, [
    { name: 'a.geojson', data: readFileSync(geojson) },
    { name: 'b.tif', data: readFileSync(tif) },
  ]);
  const several = await refusal(two);
  assert.equal(several.code, 'DATASET_UNREADABLE');
  assert.match(several.message, new RegExp(`two\\.zip holds 2 datasets \\(a\\.geojson, b\\.tif\\); name one as /vsizip/${two}/a\\.geojson`));

  const empty = join(dir, 'sidecars.zip');
  writeZip(empty, [{ name: 'a.prj', data: Buffer.from('GEOGCS[]') }]);
  assert.match((await refusal(empty)).message, /holds no file a preseed can read/);
});
