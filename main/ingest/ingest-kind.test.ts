/**
 * The ingest kind end to end through a real engine: real files in several formats into the
 * catalogue, a Shapefile without a .prj, quotas, cancel and retry.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import gdal from 'gdal-async';
import type { CatalogDataset, JobItem, JobSummary } from '../../shared/contract.js';
import { countriesShapefileZip, manyPointsGpkg, pointsGeoJson, shapefileWithoutPrjZip } from './testing/ingest-fixtures.js';
import { countriesTopoJson, illinoisNad27Tif, rgdalVector, srtmDem, worldMapGpkg } from '../testing/real-data.js';
import { Engine } from '../engine/engine.js';
import { shownItemState } from '../../shared/item-parts.js';
import { formatJobSummary } from '../cli/job-summary.js';
import { createLogger } from '../logging/logger.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-ingest-'));
const fixtures = join(root, 'fixtures');
let engine: Engine;

before(async () => {
  mkdirSync(fixtures);
  engine = await Engine.open({
    dataDir: join(root, 'data'),
    host: 'headless',
    threads: 1,
    logger: createLogger('silent'),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  // These tests are about the ingest itself, not about disks: the machine's free space is what it is.
  await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
});
after(async () => {
  await engine.close();
  rmSync(root, { recursive: true, force: true });
});

async function ingest(
  files: string[],
  extra: { assignCrs?: string; targetCrs?: string; quotaBytes?: number } = {},
): Promise<{ job: JobSummary; items: JobItem[]; datasets: CatalogDataset[] }> {
  const started = await engine.start({ kind: 'ingest', params: { files, ...extra } });
  const job = await engine.waitFor(started.id);
  // Invalid geometries are counted, thumbnails and previews drawn, just after the commit.
  await engine.catalog.analysesDone();
  return { job, items: engine.store.listItems(job.id, { limit: 1000 }).rows, datasets: engine.catalog.madeBy(job.id) };
}

function stagingIsEmpty(): boolean {
  const staging = join(engine.dataDir, 'staging');
  return !existsSync(staging) || readdirSync(staging).filter((n) => n !== 'uploads').length === 0;
}

test('Natural Earth as a GeoPackage: one item per layer, one dataset with every layer', async () => {
  const changed: number[] = [];
  const off = engine.events.on('catalog.changed', ({ ids }) => changed.push(...ids));
  const { job, items, datasets } = await ingest([worldMapGpkg()]);
  off();
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  assert.deepEqual(
    items.map((i) => i.label),
    ['world_map.gpkg', 'world_map.gpkg › states_provinces', 'world_map.gpkg › countries', 'world_map.gpkg › disputed_borders', 'world_map.gpkg › layer_styles'],
  );
  assert.equal(datasets.length, 1);
  const [dataset] = datasets as [CatalogDataset];
  assert.equal(dataset.kind, 'vector');
  assert.equal(dataset.name, 'world_map');
  assert.deepEqual(
    dataset.layers.map((l) => [l.name, l.featureCount, l.crs]),
    [
      ['states_provinces', 4556, 'EPSG:4326'],
      ['countries', 240, 'EPSG:4326'],
      ['disputed_borders', 46, 'EPSG:4326'],
      ['layer_styles', 4, null],
    ],
  );
  assert.equal(dataset.layers[3]!.geometryType, null, 'a table without geometry is kept as a table');
  assert.equal(dataset.layers[0]!.fields.length, 10, 'fields are kept');
  assert.deepEqual(dataset.source, { type: 'file', files: [worldMapGpkg()] });
  assert.ok(dataset.preview && dataset.thumbnail);
  assert.equal(dataset.analysisPending, false);
  assert.deepEqual(changed, [dataset.id], 'catalog.changed announced the picture');
  assert.ok(dataset.sizeBytes >= statSync(dataset.preview).size + statSync(dataset.path).size, 'the preview counts in the size');
  assert.ok(stagingIsEmpty(), 'the staging area is emptied at the end');
  assert.equal(job.progress.done, job.progress.total);
  // The file's bytes are counted once (half staged, half imported), not once per phase.
  const size = statSync(worldMapGpkg()).size;
  assert.ok(Math.abs(job.progress.total - size) <= items.length, `total ${job.progress.total} is the file's ${size} bytes`);
});

test('Natural Earth as a zipped Shapefile and as TopoJSON, a GeoJSON, all in one job', async () => {
  const shpZip = await countriesShapefileZip(fixtures);
  const geojson = pointsGeoJson(join(fixtures, 'cities.geojson'));
  const { job, datasets } = await ingest([shpZip, countriesTopoJson(), geojson]);
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const byName = new Map(datasets.map((d) => [d.name, d]));
  const countries = byName.get('countries')!;
  assert.deepEqual(
    countries.layers.map((l) => [l.name, l.featureCount, l.crs, l.geometryType]),
    [['countries', 240, 'EPSG:4326', 'Multi Polygon']],
    'Shapefile polygons are promoted to multipolygons',
  );
  const topo = byName.get('countries-110m')!;
  assert.deepEqual(
    topo.layers.map((l) => [l.name, l.featureCount, l.crs]),
    [
      ['countries', 177, 'EPSG:4326'],
      ['land', 1, 'EPSG:4326'],
    ],
  );
  const cities = byName.get('cities')!;
  assert.deepEqual(
    cities.layers[0]!.fields.map((f) => [f.name, f.type]),
    [
      ['name', 'string'],
      ['population', 'integer'],
    ],
  );
  assert.deepEqual(cities.bounds, [10.59, 57.71, 11.97, 57.72]);
});

test('rasters become Cloud-Optimized GeoTIFFs: the SRTM DEM and a NAD27 GeoTIFF', async () => {
  const { job, items, datasets } = await ingest([srtmDem(), illinoisNad27Tif()]);
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  assert.deepEqual(
    items.map((i) => i.label),
    ['N57E011.hgt', 'N57E011.hgt › raster', 'SP27GTIF.TIF', 'SP27GTIF.TIF › raster'],
  );
  const [dem, nad27] = datasets as [CatalogDataset, CatalogDataset];
  assert.deepEqual(dem.raster, { width: 1201, height: 1201, bands: 1, dataType: 'Int16', crs: 'EPSG:4326' });
  assert.ok(dem.path.endsWith('.tif'));
  assert.equal(nad27.raster?.crs, 'EPSG:26771');
  const gdal = (await import('gdal-async')).default;
  const cog = await gdal.openAsync(dem.path);
  assert.equal(cog.getMetadata('IMAGE_STRUCTURE').LAYOUT, 'COG');
  assert.ok((await cog.bands.getAsync(1)).overviews.count() >= 1, 'overviews are built');
  cog.close();
});

test('a zipped Shapefile without a .prj asks for a CRS, and imports once one is given', async () => {
  const zip = shapefileWithoutPrjZip(fixtures);
  const refused = await ingest([zip]);
  // Nothing was made: the run failed (its staging is not a product), not "partial".
  assert.equal(refused.job.state, 'failed');
  assert.equal(refused.job.error?.code, 'NO_GEOREFERENCE');
  const layer = refused.items.find((i) => i.label.endsWith('› trin_inca_pl03'))!;
  assert.equal(layer.state, 'failed');
  assert.equal(layer.error?.code, 'NO_GEOREFERENCE');
  assert.match(
    layer.error!.message,
    /^trin_inca_no_prj\.zip › trin_inca_pl03\.shp › trin_inca_pl03: it has no CRS \(no \.prj beside the Shapefile\); give its CRS \(e\.g\. EPSG:27700\) and retry$/,
  );
  assert.equal(refused.datasets.length, 0, 'nothing reaches the catalogue');
  // The zip's staging item succeeded (copied and read), but the file did not go in: it reads failed,
  // in the item table and in the report, not "succeeded" beside its failed layer.
  const staged = refused.items.find((i) => i.label === 'trin_inca_no_prj.zip')!;
  assert.equal(staged.state, 'succeeded');
  assert.deepEqual(shownItemState(staged, refused.items), { state: 'failed', note: 'copied and read; 1 of 1 layer failed' });
  const report = await engine.handlers['jobs.report']({ id: refused.job.id, format: 'html' });
  assert.match(report.content, /<td>trin_inca_no_prj\.zip<\/td><td class="item-state state-text-failed">failed<\/td>/);
  // One rule for the counts and the rows (shared/item-parts.ts): two rows read failed, so the
  // job's counts (the header, the CLI, the report's summary, the job's error) say two failed, not
  // "1 succeeded, 1 failed" beside them.
  assert.deepEqual(refused.job.items, { total: 2, queued: 0, running: 0, succeeded: 0, partial: 0, failed: 2, cancelled: 0, interrupted: 0 });
  assert.match(report.content, /0 succeeded, 2 failed, 0 cancelled \(of 2\)/);
  assert.match(formatJobSummary({ ...refused, dataDir: engine.dataDir }), /\n {2}items {4}0 of 2 succeeded, 2 failed\n/);

  const assigned = await ingest([zip], { assignCrs: 'EPSG:4326' });
  assert.equal(assigned.job.state, 'succeeded', JSON.stringify(assigned.job.error));
  assert.equal(assigned.datasets[0]!.layers[0]!.crs, 'EPSG:4326');
  assert.equal(assigned.items.find((i) => i.label.endsWith('› trin_inca_pl03'))!.result!.crs, 'assigned');
});

test('every other accepted format: GPX, GML with its .gfs, MapInfo TAB, FlatGeobuf, GeoJSONSeq, KML, CSV with lon/lat or WKT', async () => {
  const dir = join(fixtures, 'formats');
  mkdirSync(dir, { recursive: true });
  // Real files (rgdal's samples) as they are, and GDAL's own conversions of real data.
  const real = ['test_trk2.gpx', 'airports.gml', 'PacoursIKA2.TAB', 'PacoursIKA2.DAT', 'PacoursIKA2.ID', 'PacoursIKA2.MAP'].map((name) => {
    copyFileSync(rgdalVector(name), join(dir, name));
    return join(dir, name);
  });
  // GDAL writes a .gfs (the GML's schema, as it read it) beside a GML it opens: it is dropped
  // with the GML, as a user's folder would have it.
  (await gdal.openAsync(join(dir, 'airports.gml'))).close();
  assert.ok(existsSync(join(dir, 'airports.gfs')), 'GDAL wrote the .gfs');
  real.push(join(dir, 'airports.gfs'));
  const cities = await gdal.openAsync(rgdalVector('cities.shp'));
  const converted: string[] = [];
  for (const [name, driver] of [
    ['cities.fgb', 'FlatGeobuf'],
    ['cities.geojsonl', 'GeoJSONSeq'],
    ['cities.kml', 'KML'],
  ] as const) {
    (await gdal.vectorTranslateAsync(join(dir, name), cities, ['-f', driver, '-t_srs', 'EPSG:4326'])).close();
    converted.push(join(dir, name));
  }
  // lon/lat columns as a spreadsheet would have them, from the real points.
  const rows = ['name,lon,lat'];
  const layer = await cities.layers.getAsync(0);
  // From the first feature: the conversions above read this layer to its end.
  for (let f = layer.features.first(); f; f = await layer.features.nextAsync()) {
    const p = f.getGeometry() as gdal.Point;
    rows.push(`"${String(f.fields.get('NAME')).replaceAll('"', '""')}",${p.x},${p.y}`);
  }
  cities.close();
  writeFileSync(join(dir, 'cities-lonlat.csv'), `${rows.join('\n')}\n`);
  const world = await gdal.openAsync(worldMapGpkg());
  (await gdal.vectorTranslateAsync(join(dir, 'countries-wkt.csv'), world, ['-f', 'CSV', '-lco', 'GEOMETRY=AS_WKT', 'countries'])).close();
  const countries = await (await world.layers.getAsync('countries')).features.countAsync(true);
  world.close();

  // The GML names no CRS (its coordinates are UTM): the job's assignCrs gives it one. The KML,
  // the GPX and the GeoJSONSeq stay lon/lat whatever assignCrs says (their specifications fix it).
  const { job, items, datasets } = await ingest([...real, ...converted], { assignCrs: 'EPSG:32613' });
  assert.equal(job.state, 'succeeded', JSON.stringify(items.filter((i) => i.state !== 'succeeded').map((i) => [i.label, i.error?.message])));
  const byName = new Map(datasets.map((d) => [d.name, d]));
  const layersOf = (name: string) => byName.get(name)?.layers.map((l) => [l.name, l.featureCount, l.crs]);
  assert.deepEqual(
    layersOf('test_trk2')?.find((l) => l[0] === 'track_points'),
    ['track_points', 27, 'EPSG:4326'],
  );
  assert.deepEqual(
    layersOf('test_trk2')?.find((l) => l[0] === 'tracks'),
    ['tracks', 2, 'EPSG:4326'],
  );
  assert.deepEqual(layersOf('airports'), [['airports', 13, 'EPSG:32613']], 'the .gfs came along, the CRS was assigned');
  assert.equal(byName.get('PacoursIKA2')?.layers[0]?.featureCount, 5);
  assert.notEqual(byName.get('PacoursIKA2')?.layers[0]?.crs, 'EPSG:32613', 'a file with its own CRS keeps it');
  const cityDatasets = datasets.filter((d) => d.name === 'cities');
  assert.equal(cityDatasets.length, 3, 'FlatGeobuf, GeoJSONSeq and KML');
  for (const d of cityDatasets)
    assert.deepEqual([d.layers[0]!.featureCount, d.layers[0]!.crs], [606, 'EPSG:4326'], `${d.source.type === 'file' ? d.source.files : ''}`);

  // CSV: lon/lat columns, and a WKT column (polygons), taken as lon/lat when no CRS is assigned.
  const csv = await ingest([join(dir, 'cities-lonlat.csv'), join(dir, 'countries-wkt.csv')]);
  assert.equal(csv.job.state, 'succeeded', JSON.stringify(csv.items.map((i) => i.error?.message)));
  const lonLat = csv.datasets.find((d) => d.name === 'cities-lonlat')!;
  assert.deepEqual([lonLat.layers[0]!.featureCount, lonLat.layers[0]!.geometryType, lonLat.layers[0]!.crs], [606, 'Point', 'EPSG:4326']);
  assert.deepEqual(
    lonLat.layers[0]!.fields.map((f) => f.name),
    ['name'],
    'the coordinate columns became the geometry',
  );
  const wkt = csv.datasets.find((d) => d.name === 'countries-wkt')!;
  assert.deepEqual([wkt.layers[0]!.featureCount, wkt.layers[0]!.crs], [countries, 'EPSG:4326']);
  assert.ok(wkt.bounds![0] < -170 && wkt.bounds![2] > 170, `the WKT column became the geometry (bounds ${wkt.bounds})`);
  assert.ok(!wkt.layers[0]!.fields.some((f) => /^wkt$/i.test(f.name)));
});

test('invalid geometries are counted per layer (after the commit) and kept', async () => {
  // A self-crossing ring (a bow tie), a ring whose hole lies outside it, and a valid square.
  const square = [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ],
  ];
  const bowTie = [
    [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ],
  ];
  const holeOutside = [
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ],
    [
      [2, 2],
      [3, 2],
      [3, 3],
      [2, 3],
      [2, 2],
    ],
  ];
  const features = [square, bowTie, holeOutside].map((coordinates, id) => ({
    type: 'Feature',
    id,
    properties: { id },
    geometry: { type: 'Polygon', coordinates },
  }));
  const file = join(fixtures, 'invalid.geojson');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
  const { job, datasets } = await ingest([file]);
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const layer = datasets[0]!.layers[0]!;
  assert.equal(layer.featureCount, 3, 'invalid features are kept');
  // Two shares count the layer (FIDs 0 and 2, and 1): both invalid ones are found.
  assert.equal(layer.invalidGeometries, 2);
  assert.equal(datasets[0]!.analysisPending, false);
});

test('targetCrs reprojects vector layers on import', async () => {
  const { job, datasets } = await ingest([pointsGeoJson(join(fixtures, 'reproject.geojson'))], { targetCrs: 'EPSG:3857' });
  assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
  const layer = datasets[0]!.layers[0]!;
  assert.equal(layer.crs, 'EPSG:3857');
  assert.ok(Math.abs(layer.bounds![0] - 10.59) < 1e-6, 'bounds are still WGS84');
});

test('a file larger than the job quota is refused before any byte is copied', async () => {
  const size = statSync(worldMapGpkg()).size;
  const { job, items, datasets } = await ingest([worldMapGpkg()], { quotaBytes: size - 1 });
  assert.equal(job.state, 'failed');
  const stage = items[0]!;
  assert.equal(stage.error?.code, 'QUOTA_EXCEEDED');
  assert.match(stage.error!.message, /world_map\.gpkg \(\d+\.\d MiB\) does not fit the job's quota: 0 B of \d+\.\d MiB is used/);
  assert.equal(stage.bytes, 0, 'not a byte was copied');
  assert.ok(items.slice(1).every((i) => i.state === 'failed' && i.error?.code === 'QUOTA_EXCEEDED' && /not imported, because/.test(i.error.message)));
  assert.equal(datasets.length, 0);
  assert.ok(stagingIsEmpty());
});

test('the ingestJobQuotaBytes setting applies when the job asks for none', async () => {
  await engine.handlers['settings.update']({ ingestJobQuotaBytes: 1000 });
  try {
    const { job, items } = await ingest([illinoisNad27Tif()]);
    assert.equal(job.state, 'failed');
    assert.equal(items[0]!.error?.code, 'QUOTA_EXCEEDED');
  } finally {
    await engine.handlers['settings.update']({ ingestJobQuotaBytes: null });
  }
});

test('a cancelled import leaves the catalogue as it was; the retry finishes it', async () => {
  const big = await manyPointsGpkg(join(fixtures, 'cancel-points.gpkg'), 300_000);
  const before = engine.catalog.list({ limit: 1000 }).rows.length;
  const quotaBytes = 10 * statSync(big).size;
  const started = await engine.start({ kind: 'ingest', params: { files: [big], quotaBytes } });
  await new Promise<void>((resolveRunning) => {
    const off = engine.events.on('job.changed', (j) => {
      if (j.id === started.id && j.items.running > 0 && j.items.succeeded >= 1) {
        off();
        resolveRunning();
      }
    });
  });
  // While it runs, its own quota is shown with the storage gauges: the staged copy counts in it.
  const jobQuota = (await engine.handlers['storage.status']({})).quotas.find((q) => q.jobId === started.id);
  assert.equal(jobQuota?.limitBytes, quotaBytes);
  assert.ok(jobQuota.usedBytes >= statSync(big).size, `used ${jobQuota.usedBytes}`);
  engine.cancel([started.id]);
  const cancelled = await engine.waitFor(started.id);
  assert.equal(cancelled.state, 'cancelled');
  assert.equal(engine.catalog.list({ limit: 1000 }).rows.length, before, 'nothing was added');
  assert.ok(stagingIsEmpty());

  engine.retry([started.id]);
  const done = await engine.waitFor(started.id);
  assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
  assert.equal(
    (await engine.handlers['storage.status']({})).quotas.find((q) => q.jobId === started.id),
    undefined,
    'gone with the job',
  );
  const [dataset] = engine.catalog.madeBy(started.id);
  assert.equal(dataset?.layers[0]?.featureCount, 300_000);
});

test('the same file ingested twice is said to be a second copy: in the job log, the stage item’s result and the CLI summary', async () => {
  const first = await ingest([rgdalVector('cities.shp')]);
  assert.equal(first.job.state, 'succeeded', JSON.stringify(first.job.error));
  const firstStage = first.items.find((i) => i.label === 'cities.shp')!;
  assert.equal(firstStage.result!.duplicate, undefined, 'the first ingest is not a duplicate of anything');
  const second = await ingest([rgdalVector('cities.shp')]);
  assert.equal(second.job.state, 'succeeded', JSON.stringify(second.job.error));
  const warning = `cities.shp: the catalogue already holds cities (dataset ${first.datasets[0]!.id}, job #${first.job.id}) from a file of this name; this ingest adds another copy (delete the one you do not want in the Catalogue)`;
  assert.equal(second.items.find((i) => i.label === 'cities.shp')!.result!.duplicate, warning);
  const events = engine.store.events(second.job.id, 0, 1000).filter((e) => e.type === 'ingest.duplicate');
  assert.deepEqual(
    events.map((e) => e.message),
    [warning],
  );
  assert.match(formatJobSummary({ ...second, dataDir: engine.dataDir }), new RegExp(`\\n  warning  ${warning.replace(/[.()#]/g, '\\$&')}`));
  // A different file is no duplicate, even in the same catalogue.
  const other = await ingest([rgdalVector('kiritimati_primary_roads.shp')]);
  assert.equal(other.items.find((i) => i.label === 'kiritimati_primary_roads.shp')!.result!.duplicate, undefined);
});
