/**
 * The hostile-input suite: every case is ingested through a real engine and must end in a clear
 * error (its code, its reason, the file named) or a clean import, and the engine must go on working
 * afterwards (each case ends by ingesting a good file).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type IngestOutcome, ingestTestBed } from './testing/ingest-bed.js';
import { emptyLayerGeoJson, garbage, hostileZip, manyPointsGpkg, pointsGeoJson, truncatedCopy } from './testing/ingest-fixtures.js';
import { writeZip } from './testing/zip-writer.js';
import { illinoisNad27Tif, worldMapGpkg } from '../testing/real-data.js';

const bed = ingestTestBed('hostile');
const { files } = bed;
const ingest = bed.ingest;

/** The one failed item's error, with its reason. */
function failure(outcome: IngestOutcome): { code: string; reason: string | undefined; message: string } {
  const failed = outcome.items.filter((i) => i.state === 'failed');
  assert.ok(failed.length >= 1, `expected a failed item, got ${outcome.items.map((i) => `${i.label}: ${i.state}`).join(', ')}`);
  const error = failed[0]!.error!;
  return { code: error.code, reason: (error.details as { reason?: string } | undefined)?.reason, message: error.message };
}

/** Nothing half-made is left: no staging folders, no drafts, no datasets from the job. */
function nothingLeft(outcome: IngestOutcome): void {
  assert.equal(outcome.datasets.length, 0, 'nothing reached the catalogue');
  const staging = join(bed.engine.dataDir, 'staging');
  assert.deepEqual(existsSync(staging) ? readdirSync(staging).filter((n) => n !== 'uploads') : [], []);
  const partial = join(bed.engine.dataDir, 'catalog', '.partial');
  assert.deepEqual(existsSync(partial) ? readdirSync(partial) : [], []);
}

let good = 0;
/** The engine still ingests a good file. */
async function stillWorks(): Promise<void> {
  const { job } = await ingest([pointsGeoJson(join(files, `good-${++good}.geojson`))]);
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
}

test('a truncated GeoTIFF fails its item with GDAL’s reason', async () => {
  const tif = truncatedCopy(illinoisNad27Tif(), join(files, 'SP27GTIF-truncated.tif'), 200_000);
  const outcome = await ingest([tif]);
  assert.equal(outcome.job.state, 'failed');
  const f = failure(outcome);
  assert.equal(f.code, 'DATASET_UNREADABLE');
  assert.match(f.message, /SP27GTIF-truncated\.tif/);
  nothingLeft(outcome);
  await stillWorks();
});

test('a truncated GeoPackage fails with SQLite’s reason', async () => {
  const gpkg = truncatedCopy(worldMapGpkg(), join(files, 'world-truncated.gpkg'), 1024 * 1024);
  const outcome = await ingest([gpkg]);
  assert.notEqual(outcome.job.state, 'succeeded');
  const f = failure(outcome);
  assert.equal(f.code, 'DATASET_UNREADABLE');
  assert.match(f.message, /world-truncated\.gpkg/);
  await stillWorks();
});

test('a truncated ZIP is refused as not an archive', async () => {
  const whole = writeZip(join(files, 'whole.zip'), [{ name: 'a.geojson', data: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features: [] })) }]);
  const zip = join(files, 'truncated.zip');
  writeFileSync(zip, whole.subarray(0, whole.length - 10));
  const outcome = await ingest([zip]);
  const f = failure(outcome);
  assert.equal(f.reason, 'not-an-archive');
  assert.match(f.message, /truncated\.zip is not a readable ZIP archive/);
  nothingLeft(outcome);
  await stillWorks();
});

test('wrong extensions: content decides (GeoJSON named .tif, a ZIP named .geojson)', async () => {
  const geojsonAsTif = join(files, 'points.tif');
  copyFileSync(pointsGeoJson(join(files, 'p.geojson')), geojsonAsTif);
  const zipAsGeojson = join(files, 'archive.geojson');
  writeZip(zipAsGeojson, [
    {
      name: 'inside.geojson',
      data: Buffer.from(
        JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [1, 2] } }] }),
      ),
    },
  ]);
  const outcome = await ingest([geojsonAsTif, zipAsGeojson]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.job.error));
  assert.deepEqual(outcome.datasets.map((d) => [d.name, d.kind, d.layers[0]?.featureCount]).sort(), [
    ['inside', 'vector', 1],
    ['points', 'vector', 2],
  ]);
});

test('an empty file is refused as empty', async () => {
  const empty = join(files, 'empty.geojson');
  writeFileSync(empty, '');
  const outcome = await ingest([empty]);
  const f = failure(outcome);
  assert.equal(f.reason, 'empty');
  assert.match(f.message, /empty\.geojson is empty \(0 bytes\)/);
  nothingLeft(outcome);
  await stillWorks();
});

test('binary garbage fails with GDAL’s reason', async () => {
  const outcome = await ingest([garbage(join(files, 'noise.shp')), garbage(join(files, 'noise.gpkg'))]);
  assert.equal(outcome.job.state, 'failed');
  for (const item of outcome.items) {
    assert.equal(item.state, 'failed');
    assert.equal(item.error?.code, 'DATASET_UNREADABLE');
    assert.match(item.error!.message, /noise\.(shp|gpkg)(: GDAL cannot open it)?/);
  }
  nothingLeft(outcome);
  await stillWorks();
});

test('a zip bomb is refused by its compression ratio', async () => {
  const outcome = await ingest([hostileZip(files, 'bomb')]);
  const f = failure(outcome);
  assert.equal(f.reason, 'compression-ratio');
  assert.match(f.message, /bomb\.zip: entry dem\.tif inflates \d+:1/);
  nothingLeft(outcome);
  await stillWorks();
});

test('a KMZ, which GDAL reads without unpacking, gets the archive checks too', async () => {
  const kml = Buffer.from(
    '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>x</name><Point><coordinates>10,50</coordinates></Point></Placemark></Document></kml>',
  );
  const bomb = join(files, 'bomb.kmz');
  writeZip(bomb, [
    { name: 'doc.kml', data: kml },
    { name: 'files/overlay.png', data: Buffer.alloc(64 * 1024 * 1024) },
  ]);
  const refusedOutcome = await ingest([bomb]);
  const f = failure(refusedOutcome);
  assert.equal(f.reason, 'compression-ratio');
  assert.match(f.message, /bomb\.kmz: entry files\/overlay\.png inflates \d+:1/);
  nothingLeft(refusedOutcome);

  const good = join(files, 'good.kmz');
  writeZip(good, [{ name: 'doc.kml', data: kml }]);
  const imported = await ingest([good]);
  assert.equal(imported.job.state, 'succeeded', JSON.stringify(imported.job.error));
  assert.equal(imported.datasets[0]?.layers[0]?.featureCount, 1);
  await stillWorks();
});

test('zip-slip entries are refused and nothing lands outside', async () => {
  const outcome = await ingest([hostileZip(files, 'zip-slip')]);
  const f = failure(outcome);
  assert.equal(f.reason, 'path-traversal');
  assert.match(f.message, /climbs out of the archive's folder \(zip-slip\)/);
  assert.equal(existsSync('/tmp/tessera-zip-slip.geojson'), false);
  nothingLeft(outcome);
  await stillWorks();
});

test('an absolute path in an archive is refused', async () => {
  const outcome = await ingest([hostileZip(files, 'absolute')]);
  const f = failure(outcome);
  assert.equal(f.reason, 'absolute-path');
  assert.equal(existsSync('/tmp/tessera-absolute.geojson'), false);
  nothingLeft(outcome);
  await stillWorks();
});

test('a symlink in an archive is refused', async () => {
  const outcome = await ingest([hostileZip(files, 'symlink')]);
  const f = failure(outcome);
  assert.equal(f.reason, 'symlink');
  assert.match(f.message, /secrets\.geojson is a symbolic link/);
  nothingLeft(outcome);
  await stillWorks();
});

test('archives nested more than one level deep are refused', async () => {
  const outcome = await ingest([hostileZip(files, 'nested-too-deep')]);
  const f = failure(outcome);
  assert.equal(f.reason, 'nested-archive');
  nothingLeft(outcome);
  await stillWorks();
});

test('an archive inside an archive (one level) is unpacked and imported', async () => {
  const inner = writeZip(join(files, 'inner.zip'), [
    {
      name: 'p.geojson',
      data: Buffer.from(
        JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { a: 1 }, geometry: { type: 'Point', coordinates: [5, 6] } }] }),
      ),
    },
  ]);
  const outer = join(files, 'outer.zip');
  writeZip(outer, [
    { name: 'README.txt', data: Buffer.from('not geodata') },
    { name: 'data/inner.zip', data: inner },
  ]);
  const outcome = await ingest([outer]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.job.error));
  assert.deepEqual(
    outcome.datasets.map((d) => d.name),
    ['p'],
  );
  const stage = outcome.items[0]!;
  assert.deepEqual(
    (stage.result as { skipped: { file: string }[] }).skipped.map((s) => s.file),
    ['README.txt'],
  );
});

test('a layer with 0 features imports cleanly, with no bounds', async () => {
  const outcome = await ingest([emptyLayerGeoJson(join(files, 'nothing.geojson'))]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.job.error));
  const [dataset] = outcome.datasets;
  assert.equal(dataset?.layers[0]?.featureCount, 0);
  assert.equal(dataset?.bounds, null);
  assert.equal(dataset?.preview, null, 'nothing to draw');
});

test('a layer of two million features imports cleanly', { timeout: 15 * 60_000 }, async () => {
  const big = await manyPointsGpkg(join(files, 'two-million.gpkg'), 2_000_000);
  const outcome = await ingest([big]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.job.error));
  const layer = outcome.datasets[0]!.layers[0]!;
  assert.equal(layer.featureCount, 2_000_000);
  assert.equal(layer.invalidGeometries, 0);
  assert.ok(outcome.datasets[0]!.thumbnail);
  await stillWorks();
});

test('a GeoJSON geometry GDAL cannot read ("coordinates": ["x"]) is counted as invalid, with a warning; a null geometry is not', async () => {
  const file = join(files, 'unreadable-coordinates.geojson');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { n: 1 }, geometry: { type: 'Point', coordinates: [11.97, 57.71] } },
        { type: 'Feature', properties: { n: 2 }, geometry: { type: 'Point', coordinates: ['x'] } },
        { type: 'Feature', properties: { n: 3 }, geometry: null },
        // A bow tie: GEOS finds it invalid, as before.
        {
          type: 'Feature',
          properties: { n: 4 },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 1],
                [1, 0],
                [0, 1],
                [0, 0],
              ],
            ],
          },
        },
      ],
    }),
  );
  const outcome = await ingest([file]);
  assert.equal(outcome.job.state, 'succeeded', JSON.stringify(outcome.job.error));
  const layer = outcome.datasets[0]!.layers[0]!;
  assert.equal(layer.featureCount, 4);
  assert.equal(layer.unreadableGeometries, 1);
  assert.equal(layer.invalidGeometries, 2, 'the unreadable geometry and the bow tie');
  const warning = bed.engine.store.events(outcome.job.id, 0, 1000).find((e) => e.type === 'ingest.unreadable-geometries');
  assert.ok(warning, 'the job’s events say so');
  assert.match(warning.message, /1 feature\(s\) have a geometry GDAL cannot read/);
  const item = outcome.items.find((i) => i.result && 'layer' in i.result)!;
  assert.equal(item.result!.unreadableGeometries, 1);
  await stillWorks();
});
