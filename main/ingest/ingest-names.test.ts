/**
 * Names that must stay names: layers and files whose names GDAL's argument parser could take for
 * options ("-skipfailures", "-rf") or that a shell would expand ("$(touch x)", "(a);b"), and a
 * Shapefile named alone, whose side files must come with it. Real files, a real engine, real GDAL.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestTestBed } from './testing/ingest-bed.js';
import gdal from 'gdal-async';
import { gpkgWithLayerNamed, pointsGeoJson } from './testing/ingest-fixtures.js';
import { rgdalVector } from '../testing/real-data.js';

const bed = ingestTestBed('names');
const { files } = bed;
const ingest = bed.ingest;

/** The layers GDAL lists in a catalogue GeoPackage, with their feature counts. */
function gdalLayers(file: string): Record<string, number> {
  const ds = gdal.open(file);
  try {
    return Object.fromEntries(ds.layers.map((l) => [l.name, l.features.count()]));
  } finally {
    ds.close();
  }
}

test('a GeoPackage layer named -skipfailures is imported as a layer, never taken as an option', async () => {
  const gpkg = await gpkgWithLayerNamed(join(files, 'hostile-layer.gpkg'), '-skipfailures');
  const { job, items, datasets } = await ingest([gpkg]);
  assert.equal(job.state, 'succeeded', JSON.stringify({ error: job.error, items: items.map((i) => [i.label, i.state, i.error]) }));
  const [dataset] = datasets;
  assert.ok(dataset);
  // GeoPackage refuses a table name starting with "-": it is "_-skipfailures" in the catalogue.
  assert.deepEqual(Object.fromEntries(dataset.layers.map((l) => [l.name, l.featureCount])), { '_-skipfailures': 4556, countries: 240 });
  assert.deepEqual(gdalLayers(bed.engine.catalog.get(dataset.id).path), { '_-skipfailures': 4556, countries: 240 });
  const renamed = bed.engine.store.events(job.id, 0, 1000).find((e) => e.type === 'ingest.renamed');
  assert.ok(renamed, 'the rename is in the job’s events');
});

for (const name of ['-rf', '$(touch x)', '(a);b', '-skipfailures']) {
  test(`a GeoJSON file named ${name}.geojson is imported whole`, async () => {
    const dir = mkdtempSync(join(files, 'json-'));
    const file = pointsGeoJson(join(dir, `${name}.geojson`));
    const { job, items, datasets } = await ingest([file]);
    assert.equal(job.state, 'succeeded', JSON.stringify({ error: job.error, items: items.map((i) => [i.label, i.state, i.error]) }));
    assert.equal(datasets.length, 1);
    assert.deepEqual(
      datasets[0]!.layers.map((l) => l.featureCount),
      [2],
    );
    assert.deepEqual(readdirSync(dir), [`${name}.geojson`], 'nothing was run: no file "x" appeared');
  });
}

test('a Shapefile named alone brings its side files from beside it, whatever the case of their extensions', async () => {
  const dir = mkdtempSync(join(files, 'shp-'));
  copyFileSync(rgdalVector('cities.shp'), join(dir, 'cities.shp'));
  for (const [from, to] of [
    ['shx', 'SHX'],
    ['dbf', 'dbf'],
    ['prj', 'PRJ'],
    ['sbn', 'sbn'],
    ['sbx', 'SBX'],
  ])
    copyFileSync(rgdalVector(`cities.${from}`), join(dir, `cities.${to}`));
  writeFileSync(join(dir, 'cities.cpg'), 'UTF-8');
  writeFileSync(join(dir, 'other.dbf'), 'not a side file of cities');
  const { job, items, datasets } = await ingest([join(dir, 'cities.shp')]);
  assert.equal(job.state, 'succeeded', JSON.stringify({ error: job.error, items: items.map((i) => [i.label, i.state, i.error]) }));
  const layer = datasets[0]!.layers[0]!;
  assert.equal(layer.featureCount, 606);
  assert.equal(layer.crs, 'EPSG:4326', 'its .PRJ came with it');
  assert.ok(
    layer.fields.some((f) => f.name === 'NAME'),
    'its .dbf came with it',
  );
  const sources = (bed.engine.catalog.get(datasets[0]!.id).source as { files: string[] }).files.map((f) => f.split('/').at(-1)).sort();
  assert.deepEqual(sources, ['cities.PRJ', 'cities.SBX', 'cities.cpg', 'cities.dbf', 'cities.sbn', 'cities.shp', 'cities.SHX'].sort());
});

test('NO_GEOREFERENCE says ".prj missing" only when no .prj is beside the Shapefile', async () => {
  const dir = mkdtempSync(join(files, 'noprj-'));
  for (const ext of ['shp', 'shx', 'dbf']) copyFileSync(rgdalVector(`trin_inca_pl03.${ext}`), join(dir, `trin_inca_pl03.${ext}`));
  const missing = await ingest([join(dir, 'trin_inca_pl03.shp')]);
  const first = missing.items.find((i) => i.state === 'failed')!;
  assert.equal(first.error!.code, 'NO_GEOREFERENCE');
  assert.match(first.error!.message, /no \.prj beside the Shapefile/);

  writeFileSync(join(dir, 'trin_inca_pl03.Prj'), 'this is not a CRS');
  const unreadable = await ingest([join(dir, 'trin_inca_pl03.shp')]);
  const second = unreadable.items.find((i) => i.state === 'failed')!;
  assert.equal(second.error!.code, 'NO_GEOREFERENCE');
  assert.doesNotMatch(second.error!.message, /no \.prj/);
  assert.match(second.error!.message, /trin_inca_pl03\.Prj names no CRS GDAL can read/);
});

test('files uploaded through the upload route under such names are imported whole', async () => {
  for (const name of ['-rf.geojson', '$(touch x).geojson', '(a);b.geojson', '-skipfailures.gpkg']) {
    const body = name.endsWith('.gpkg')
      ? readFileSync(await gpkgWithLayerNamed(join(mkdtempSync(join(files, 'up-')), 'x.gpkg'), '-skipfailures'))
      : readFileSync(pointsGeoJson(join(mkdtempSync(join(files, 'up-')), 'x.geojson')));
    const sent = await bed.upload(name, body);
    assert.equal(sent.status, 200, JSON.stringify(sent.reply));
    const { job, items, datasets } = await ingest([sent.file!]);
    assert.equal(job.state, 'succeeded', `${name}: ${JSON.stringify({ error: job.error, items: items.map((i) => [i.label, i.state, i.error]) })}`);
    const counts = datasets[0]!.layers.map((l) => l.featureCount);
    assert.deepEqual(counts, name.endsWith('.gpkg') ? [4556, 240] : [2], name);
  }
});
