/**
 * Ingest errors as the operator reads them, and gzip-compressed single files: every message names
 * its file (and layer) once, holds no staging path and no GDAL backquote, and keeps GDAL's own text
 * in details.gdal; `.gz` files ingest (inflated while staged, under the quotas) and gzip bombs and
 * tar archives are refused. Real files made here, a real engine, real GDAL.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { type IngestOutcome, ingestTestBed } from './testing/ingest-bed.js';
import type { SerializedError } from '../../shared/errors.js';
import { operatorMessage } from '../cli/job-summary.js';
import { garbage, pointsGeoJson } from './testing/ingest-fixtures.js';
import { rgdalVector, worldMapGpkg } from '../testing/real-data.js';

const bed = ingestTestBed('messages');
const { files } = bed;
const ingest = bed.ingest;

function firstFailure(outcome: IngestOutcome): { label: string; error: SerializedError } {
  const failed = outcome.items.find((i) => i.state === 'failed');
  assert.ok(failed, `expected a failed item, got ${outcome.items.map((i) => `${i.label}: ${i.state}`).join(', ')}`);
  return { label: failed.label, error: failed.error! };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Written for the operator: no staging path, no backquote, no internal field, the file named once. */
function assertOperatorMessage(message: string, file: string): void {
  assert.doesNotMatch(message, /staging/, message);
  assert.doesNotMatch(message, /`/, message);
  assert.doesNotMatch(message, /assignCrs/, message);
  assert.equal(occurrences(message, file), 1, `${file} once in: ${message}`);
  assert.ok(message.startsWith(file), `starts with ${file}: ${message}`);
}

test('a file GDAL does not recognise says which formats are read; GDAL’s words are in details.gdal', async () => {
  const outcome = await ingest([garbage(join(files, 'garbage.bin'))]);
  const { error } = firstFailure(outcome);
  assert.equal(error.code, 'DATASET_UNREADABLE');
  assertOperatorMessage(error.message, 'garbage.bin');
  assert.match(error.message, /not a format Tessera reads\. Accepted: GeoPackage, Shapefile .*GeoJSON.*GeoTIFF.*\.zip.*\.gz/);
  const details = error.details as { reason: string; gdal: string };
  assert.equal(details.reason, 'unrecognised-format');
  assert.match(details.gdal, /not recognized as a supported file format/);
  // The job's own error names the item once too.
  assertOperatorMessage(outcome.job.error!.message.replace(/^.*first: /, ''), 'garbage.bin');
});

test('a Shapefile uploaded alone says its .shx and .dbf are missing', async () => {
  const sent = await bed.upload('cities.shp', readFileSync(rgdalVector('cities.shp')));
  assert.equal(sent.status, 200, JSON.stringify(sent.reply));
  const outcome = await ingest([sent.file!]);
  assert.equal(outcome.job.state, 'failed');
  const { error } = firstFailure(outcome);
  assert.equal(error.code, 'DATASET_UNREADABLE');
  assert.equal(error.message, 'cities.shp: its .shx and .dbf are missing; add them (or a .zip of the set)');
  assert.equal((error.details as { reason: string }).reason, 'missing-parts');
});

test('a Shapefile with its .dbf but no .shx beside it names only the .shx', async () => {
  const dir = mkdtempSync(join(files, 'noshx-'));
  for (const ext of ['shp', 'dbf', 'prj']) copyFileSync(rgdalVector(`cities.${ext}`), join(dir, `cities.${ext}`));
  const { error } = firstFailure(await ingest([join(dir, 'cities.shp')]));
  assert.equal(error.message, 'cities.shp: its .shx is missing; add it (or a .zip of the set)');
});

test('a layer without a CRS asks for one in the operator’s words (the console’s, and --crs on the CLI)', async () => {
  const dir = mkdtempSync(join(files, 'noprj-'));
  for (const ext of ['shp', 'shx', 'dbf']) copyFileSync(rgdalVector(`scot_BNG.${ext}`), join(dir, `scot_BNG.${ext}`));
  const outcome = await ingest([join(dir, 'scot_BNG.shp')]);
  const { label, error } = firstFailure(outcome);
  assert.equal(error.code, 'NO_GEOREFERENCE');
  assert.equal(label, 'scot_BNG.shp › scot_BNG');
  assert.equal(error.message, 'scot_BNG.shp › scot_BNG: it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry');
  assertOperatorMessage(error.message, 'scot_BNG.shp › scot_BNG');
  // The job's error does not repeat the item's label.
  assert.equal(occurrences(outcome.job.error!.message, 'scot_BNG.shp › scot_BNG'), 1, outcome.job.error!.message);
  assert.equal(
    operatorMessage(error, label),
    'NO_GEOREFERENCE: it has no CRS (no .prj beside the Shapefile); run the ingest again with its CRS, e.g. --crs EPSG:27700',
  );
});

test('a GeoJSON whose only geometry GDAL cannot read is imported, its feature counted as unreadable', async () => {
  const file = join(files, 'bad-coords.geojson');
  writeFileSync(
    file,
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { a: 1 }, geometry: { type: 'Point', coordinates: ['x'] } }] }),
  );
  const outcome = await ingest([file]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.items.map((i) => [i.label, i.error])));
  assert.equal(outcome.datasets[0]!.layers[0]!.featureCount, 1);
  const event = bed.engine.store.events(outcome.job.id, 0, 1000).find((e) => e.type === 'ingest.unreadable-geometries');
  assert.ok(event, 'the unreadable geometry is in the job’s events');
});

test('a .geojson.gz is ingested whole, staged under its inner name', async () => {
  const plain = pointsGeoJson(join(files, 'points.geojson'));
  const gz = join(files, 'small.geojson.gz');
  writeFileSync(gz, gzipSync(readFileSync(plain)));
  const outcome = await ingest([gz]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.items.map((i) => [i.label, i.error])));
  assert.deepEqual(
    outcome.items.map((i) => i.label),
    ['small.geojson.gz', 'small.geojson.gz › small'],
  );
  assert.equal(outcome.datasets.length, 1);
  assert.equal(outcome.datasets[0]!.name, 'small');
  assert.deepEqual(
    outcome.datasets[0]!.layers.map((l) => [l.name, l.featureCount]),
    [['small', 2]],
  );
  const stage = outcome.items[0]!.result as { bytes: number };
  assert.equal(stage.bytes, readFileSync(plain).length, 'the inflated bytes are what the stage counted');
});

test('a .geojson.gz mixing Polygon and MultiPolygon lists the types it holds, as its plain copy does, not "Unknown (any)"', async () => {
  // scot_BNG's districts as GDAL writes them to GeoJSON: 44 Polygons and 12 MultiPolygons.
  const plain = join(files, 'districts.geojson');
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', plain, rgdalVector('scot_BNG.shp')]);
  const gz = join(files, 'districts-gz.geojson.gz');
  writeFileSync(gz, gzipSync(readFileSync(plain)));
  const outcome = await ingest([plain, gz]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.items.map((i) => [i.label, i.error])));
  assert.deepEqual(outcome.datasets.map((d) => [d.name, d.layers.map((l) => [l.geometryType, l.featureCount])]).sort(), [
    ['districts', [['Polygon / Multi Polygon', 56]]],
    ['districts-gz', [['Polygon / Multi Polygon', 56]]],
  ]);
});

test('a .gpkg.gz and a .csv.gz are ingested too', async () => {
  const gpkg = join(files, 'world.gpkg.gz');
  writeFileSync(gpkg, gzipSync(readFileSync(worldMapGpkg())));
  const csv = join(files, 'towns.csv.gz');
  writeFileSync(csv, gzipSync('x,y,name\n1,2,a\n3,4,b\n5,6,c\n'));
  const outcome = await ingest([gpkg, csv]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.items.map((i) => [i.label, i.error])));
  const byName = Object.fromEntries(outcome.datasets.map((d) => [d.name, Object.fromEntries(d.layers.map((l) => [l.name, l.featureCount]))]));
  assert.equal(byName.towns!.towns, 3);
  assert.equal(byName.world!.countries, 240);
});

test('a gzip bomb is refused by its ratio, named, and nothing is left', async () => {
  const bomb = join(files, 'bomb.geojson.gz');
  writeFileSync(bomb, gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20)));
  const outcome = await ingest([bomb]);
  assert.equal(outcome.job.state, 'failed');
  const { error } = firstFailure(outcome);
  assert.equal(error.code, 'DATASET_UNREADABLE');
  assert.equal((error.details as { reason: string }).reason, 'compression-ratio');
  assertOperatorMessage(error.message, 'bomb.geojson.gz');
  assert.match(error.message, /gzip bomb/);
  assert.equal(outcome.datasets.length, 0);
});

test('tar archives are refused plainly, by name or by what a .gz holds', async () => {
  const named = join(files, 'data.tar.gz');
  writeFileSync(named, gzipSync(Buffer.alloc(2048)));
  const block = Buffer.alloc(2048);
  block.write('points.geojson', 0);
  block.write('ustar', 257);
  const hidden = join(files, 'hidden.geojson.gz');
  writeFileSync(hidden, gzipSync(block));
  for (const [file, name] of [
    [named, 'data.tar.gz'],
    [hidden, 'hidden.geojson.gz'],
  ] as const) {
    const { error } = firstFailure(await ingest([file]));
    assert.equal(error.message, `${name}: tar archives are not supported; use .zip`);
    assert.equal(error.code, 'DATASET_UNREADABLE');
  }
});

test('a corrupt .gz says so, without GDAL’s or zlib’s words in front', async () => {
  const file = join(files, 'cut.geojson.gz');
  writeFileSync(file, gzipSync(readFileSync(pointsGeoJson(join(files, 'cut-src.geojson')))).subarray(0, 25));
  const { error } = firstFailure(await ingest([file]));
  assert.equal(error.message, 'cut.geojson.gz: not a readable gzip file (corrupt or cut short)');
});
