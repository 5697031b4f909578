/**
 * A catalogue dataset's vector tiles, cut on demand, through a real engine (real GDAL, the real
 * worker pool) and the real headless host's tile route (its real token check), on real data: rgdal's
 * scot_BNG.shp (56 Scottish districts in EPSG:27700), ingested by the test. A z8 tile decodes (the
 * verify job's own decoder), and holds exactly the districts GDAL finds in that tile's box.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VectorTile } from '@mapbox/vector-tile';
import gdal from 'gdal-async';
import { PbfReader } from 'pbf';
import type { CatalogDataset, TileCacheSummary } from '../../shared/contract.js';
import { lonLatToTileFraction, tileBoundsMercator } from '../../shared/tile-grid.js';
import { inspectTile } from '../../workers/verify-tiles.js';
import { createTileAppRoute } from '../electron/tile-route.js';
import { Engine } from '../engine/engine.js';
import { type HeadlessHost, startHeadlessHost } from '../hosts/headless-host.js';
import { createTileRoute } from '../hosts/tile-route.js';
import { createDispatcher } from '../engine/handlers.js';
import { createLogger } from '../logging/logger.js';
import { rgdalVector, worldMapGpkg } from '../testing/real-data.js';
import { datasetTile } from '../../workers/dataset-tile.js';
import { type CutTile, filterBox, openDatasetTiles, zoomRange } from './dataset-tiles.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-dataset-tiles-'));
let engine: Engine;
let host: HeadlessHost;
let dataset: CatalogDataset;
let summary: TileCacheSummary;

before(async () => {
  engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent'), threads: 1 });
  const files = ['shp', 'shx', 'dbf', 'prj'].map((ext) => rgdalVector(`scot_BNG.${ext}`));
  const ingest = await engine.start({ kind: 'ingest', params: { files } });
  assert.equal((await engine.waitFor(ingest.id)).state, 'succeeded');
  [dataset] = (await engine.handlers['catalog.list']({ limit: 10 })).rows as [CatalogDataset];
  summary = await engine.handlers['catalog.previewTiles']({ id: dataset.id });
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startHeadlessHost({
    dispatch: createDispatcher(engine.handlers),
    events: engine.events,
    rendererDir,
    port: 0,
    tileHandler: createTileRoute(engine.caches),
  });
});

after(async () => {
  await host?.close();
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${host.origin}${path}`, { headers: { Authorization: `Bearer ${host.token}` } });

/** The z8 tile over Inverness (-4.2, 57.5): inside the districts' extent. */
function tileAt(lon: number, lat: number, z: number): { z: number; x: number; y: number } {
  const f = lonLatToTileFraction(lon, lat, z);
  return { z, x: Math.floor(f.x), y: Math.floor(f.y) };
}

/** The districts whose geometry meets the tile's box, by GDAL (GEOS) on the ingested GeoPackage. */
function gdalNamesIn(path: string, t: { z: number; x: number; y: number }): string[] {
  const [x0, y0, x1, y1] = tileBoundsMercator(t.z, t.x, t.y);
  const box = gdal.Geometry.fromWKT(`POLYGON ((${x0} ${y0}, ${x1} ${y0}, ${x1} ${y1}, ${x0} ${y1}, ${x0} ${y0}))`);
  const ds = gdal.open(path);
  try {
    const layer = ds.layers.get(0);
    const toMercator = new gdal.CoordinateTransformation(layer.srs!, gdal.SpatialReference.fromEPSG(3857));
    const names: string[] = [];
    for (const feature of layer.features) {
      const geometry = feature.getGeometry();
      if (geometry === null) continue;
      geometry.transform(toMercator);
      if (geometry.intersects(box)) names.push(String(feature.fields.get('NAME')));
    }
    return names.sort();
  } finally {
    ds.close();
  }
}

test('the summary names the dataset by id, as vector tiles from z0 to z14, with its layer, fields and geometry type', () => {
  assert.equal(summary.kind, 'geopackage');
  assert.equal(summary.format, 'pbf');
  assert.match(summary.tileUrlTemplate, /^tiles\/[0-9a-f]{12}\/\{z\}\/\{x\}\/\{y\}$/);
  assert.ok(!summary.tileUrlTemplate.includes(dataset.path), 'no path in the tile URL');
  assert.deepEqual([summary.minZoom, summary.maxZoom], [0, 14]);
  assert.equal(summary.vectorLayers.length, 1);
  const [layer] = summary.vectorLayers;
  assert.equal(layer!.geometryType, 'polygon');
  assert.equal(layer!.fields.NAME, 'String');
  assert.equal(layer!.fields.SMR, 'Number');
});

test('a z8 tile decodes and holds exactly the districts GDAL finds in its box, with their attributes', async () => {
  const t = tileAt(-4.2, 57.5, 8);
  const started = performance.now();
  const response = await get(`/tiles/${summary.id}/${t.z}/${t.x}/${t.y}`);
  const firstMs = performance.now() - started;
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
  const body = new Uint8Array(await response.arrayBuffer());
  assert.equal(await inspectTile(body, 'pbf'), null, 'the verify job finds nothing wrong with it');
  const tile = new VectorTile(new PbfReader(body));
  const layer = tile.layers[summary.vectorLayers[0]!.id];
  assert.ok(layer, 'the layer is in the tile');
  const names: string[] = [];
  for (let i = 0; i < layer.length; i++) {
    const feature = layer.feature(i);
    assert.equal(feature.type, 3, 'polygons');
    assert.ok(Number.isInteger(feature.id) && feature.id! >= 1, 'the GeoPackage FID is the feature id (the map highlights by it)');
    assert.equal(typeof feature.properties.SMR, 'number');
    names.push(String(feature.properties.NAME));
  }
  const expected = gdalNamesIn(dataset.path, t);
  assert.ok(expected.length >= 2, `GDAL finds districts in ${t.z}/${t.x}/${t.y}`);
  assert.deepEqual(names.sort(), expected);

  // Again: from the engine's LRU, and the same bytes.
  const again = performance.now();
  const second = new Uint8Array(await (await get(`/tiles/${summary.id}/${t.z}/${t.x}/${t.y}`)).arrayBuffer());
  const secondMs = performance.now() - again;
  assert.deepEqual(second, body);
  console.log(
    `scot_BNG z8 tile ${t.z}/${t.x}/${t.y}: ${body.byteLength} bytes, ${names.length} features, first ${firstMs.toFixed(1)} ms, cached ${secondMs.toFixed(1)} ms`,
  );
});

test('the desktop app route serves the same tile', async () => {
  const t = tileAt(-4.2, 57.5, 8);
  const route = createTileAppRoute(engine.caches);
  const url = new URL(`tessera://app/tiles/${summary.id}/${t.z}/${t.x}/${t.y}`);
  const response = await route(new Request(url), url);
  assert.equal(response?.status, 200);
  const tile = new VectorTile(new PbfReader(new Uint8Array(await response!.arrayBuffer())));
  assert.ok(tile.layers[summary.vectorLayers[0]!.id]!.length >= 2);
});

test('a tile outside the data is an empty 204 at z8 and at z14; beyond z14 (the map overzooms) a 404', async () => {
  const sea = tileAt(-30, 40, 8);
  assert.equal((await get(`/tiles/${summary.id}/8/${sea.x}/${sea.y}`)).status, 204);
  const far = tileAt(10, 45, 14);
  assert.equal((await get(`/tiles/${summary.id}/14/${far.x}/${far.y}`)).status, 204);
  // Inside the extent's box but in the sea west of the Hebrides: GDAL finds nothing there.
  const west = tileAt(-9.0, 56.0, 10);
  assert.equal((await get(`/tiles/${summary.id}/10/${west.x}/${west.y}`)).status, 204);
  const deep = tileAt(-4.2, 57.5, 15);
  assert.equal((await get(`/tiles/${summary.id}/15/${deep.x}/${deep.y}`)).status, 404);
});

test('the token is required, as for any cache tile', async () => {
  const t = tileAt(-4.2, 57.5, 8);
  assert.equal((await fetch(`${host.origin}/tiles/${summary.id}/${t.z}/${t.x}/${t.y}`)).status, 401);
  assert.equal((await fetch(`${host.origin}/tiles/${summary.id}/${t.z}/${t.x}/${t.y}`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
});

test('an unknown dataset id has no vector tiles', async () => {
  await assert.rejects(
    async () => engine.handlers['catalog.previewTiles']({ id: 9999 }),
    (e: { code?: string }) => e.code === 'NOT_FOUND',
  );
});

test("GDAL's filter box is the tile with its buffer, never past the world's edge (where longitudes wrap)", () => {
  const world = 20037508.342789244;
  const [x0, y0, x1, y1] = filterBox(1, 0, 0);
  assert.deepEqual([x0, y1], [-world, world]);
  assert.ok(x1 > 0 && y0 < 0, 'the buffer reaches past the tile inside the world');
  const inner = filterBox(8, 125, 77);
  const tile = tileBoundsMercator(8, 125, 77);
  assert.ok(inner[0] < tile[0] && inner[2] > tile[2], 'inside the world, the buffer widens the box');
});

test("a tile at the world's edge holds the countries there (Natural Earth in world_map.gpkg, 4 layers)", async () => {
  const job = await engine.start({ kind: 'ingest', params: { files: [worldMapGpkg()] } });
  assert.equal((await engine.waitFor(job.id)).state, 'succeeded');
  const world = ((await engine.handlers['catalog.list']({ limit: 10 })).rows as CatalogDataset[]).find((d) => d.name === 'world_map')!;
  const tiles = await engine.handlers['catalog.previewTiles']({ id: world.id });
  assert.deepEqual(
    tiles.vectorLayers.map((l) => `${l.id}:${l.geometryType}`),
    ['states_provinces:polygon', 'countries:polygon', 'disputed_borders:line'],
  );
  const response = await get(`/tiles/${tiles.id}/${Math.max(1, tiles.minZoom)}/0/0`);
  assert.equal(response.status, 200);
  const tile = new VectorTile(new PbfReader(new Uint8Array(await response.arrayBuffer())));
  const countries = tile.layers.countries!;
  const names = new Set(Array.from({ length: countries.length }, (_, i) => String(countries.feature(i).properties.NAME)));
  for (const name of ['Canada', 'United States of America', 'Mexico', 'Greenland', 'Brazil', 'United Kingdom']) assert.ok(names.has(name), `${name} in 1/0/0`);
  assert.ok(!names.has('Australia') && !names.has('Japan'), 'nothing from the other side of the world');
  assert.ok(tile.layers.states_provinces!.length > 1000, 'the provinces of the Americas and western Europe');
});

test('zooms start where a tile holds a bounded share of the data', () => {
  assert.deepEqual(zoomRange([-180, -85, 180, 85], 4556, 2e6), { minZoom: 0, maxZoom: 14 });
  // world_map.gpkg (12.8 MB) and countries-maritime-10m (30.8 MB): whole geometries are read per tile.
  assert.deepEqual(zoomRange([-180, -90, 180, 83.6], 4556 + 255, 12.8e6), { minZoom: 1, maxZoom: 14 });
  assert.deepEqual(zoomRange([-180, -85, 180, 85], 255, 30.8e6), { minZoom: 2, maxZoom: 14 });
  // Two million points over the world: z0 would read them all for one tile.
  assert.deepEqual(zoomRange([-180, -85, 180, 85], 2_000_000, 400e6), { minZoom: 4, maxZoom: 14 });
  assert.deepEqual(zoomRange([5, 45, 6, 46], 2_000_000, 400e6, { maxZoom: 12 }).maxZoom, 12);
});

/** world_map.gpkg's countries as the catalogue would describe them, read in place (it is a GeoPackage). */
const countriesDataset: CatalogDataset = {
  id: 1,
  name: 'world_map',
  kind: 'vector',
  path: worldMapGpkg(),
  layers: [
    {
      name: 'countries',
      geometryType: 'Multi Polygon',
      featureCount: 240,
      fields: [{ name: 'NAME', type: 'String' }],
      crs: 'EPSG:4326',
      bounds: null,
      invalidGeometries: 0,
    },
  ],
  raster: null,
  bounds: [-180, -90, 180, 83.64],
  sizeBytes: 1e6,
  source: { type: 'file', files: [] },
  jobId: null,
  createdAt: '',
  updatedAt: '',
  thumbnail: null,
  preview: null,
  analysisPending: false,
};

test('a tile is cut once: read again from the LRU, and two reads at once share one cut', async () => {
  let cuts = 0;
  const cut: CutTile = async (task) => {
    cuts++;
    return datasetTile(task);
  };
  const reader = openDatasetTiles(countriesDataset, cut);
  try {
    const [a, b] = await Promise.all([reader.readTile(4, 8, 5), reader.readTile(4, 8, 5)]);
    assert.ok(a !== null && a.byteLength > 0);
    assert.equal(b, a);
    assert.equal(cuts, 1);
    assert.equal(await reader.readTile(4, 8, 5), a);
    assert.equal(cuts, 1, 'from the LRU');
    await reader.readTile(4, 8, 6);
    assert.equal(cuts, 2);
  } finally {
    await reader.close();
  }
});

test('a tile over its bounds is refused with a code: too many bytes of features, or too slow a cut', async () => {
  const tooBig = openDatasetTiles(countriesDataset, async (task) => datasetTile(task), { maxSourceBytes: 10_000 });
  await assert.rejects(
    () => tooBig.readTile(2, 1, 1),
    (e: { code?: string }) => e.code === 'TILE_TOO_LARGE',
  );
  await tooBig.close();
  // A cut that only ends when its deadline aborts it (as the pool rejects an aborted task).
  const stuck: CutTile = (_task, signal) =>
    new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'ABORTED' }))));
  const slow = openDatasetTiles(countriesDataset, stuck, { timeoutMs: 50 });
  await assert.rejects(
    () => slow.readTile(4, 8, 5),
    (e: { code?: string }) => e.code === 'TIMEOUT',
  );
  await slow.close();
});
