/**
 * The offline basemap as the build makes it (dist/basemap/world.pmtiles, scripts/make-basemap.mjs)
 * and as the real headless host serves it, beside a real cache in a real CacheRegistry.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { REQUEST_NAMES, type TileCacheSummary } from '../../shared/contract.js';
import { EventBus } from '../engine/event-bus.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { CacheRegistry } from '../tile-cache/cache-registry.js';
import { openPmtiles } from '../tile-cache/pmtiles-reader.js';
import { makeRasterMbtiles, makeTempDir } from '../tile-cache/testing/gdal-fixtures.js';
import { BASEMAP_ID, BasemapTiles, defaultBasemapPath, withBasemap } from './basemap-tiles.js';
import { type HeadlessHost, startHeadlessHost } from './headless-host.js';
import { createTileRoute } from './tile-route.js';

let dir: string;
let cleanup: () => Promise<void>;
let host: HeadlessHost;
const caches = new CacheRegistry();
const basemap = new BasemapTiles();
let raster: TileCacheSummary;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('basemap-tiles'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  raster = await caches.open(await makeRasterMbtiles(dir, 'dem.mbtiles'));
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, () => null])) as unknown as ContractHandlers;
  host = await startHeadlessHost({
    dispatch: createDispatcher(handlers),
    events: new EventBus(),
    rendererDir,
    port: 0,
    tileHandler: createTileRoute(withBasemap(caches, basemap)),
  });
});

after(async () => {
  await host?.close();
  await basemap.close();
  await caches.close();
  await cleanup();
});

const get = (path: string) => fetch(`${host.origin}${path}`, { headers: { Authorization: `Bearer ${host.token}` } });

/** The source-layer names of an MVT and their feature counts. */
function layersOf(mvt: Uint8Array): Record<string, number> {
  const tile = new VectorTile(new PbfReader(mvt));
  return Object.fromEntries(Object.entries(tile.layers).map(([name, layer]) => [name, layer.length]));
}

test('the build made a small vector PMTiles of z0–6 with land and countries', async () => {
  const path = defaultBasemapPath();
  assert.ok(existsSync(path), `${path} exists (npm run build makes it)`);
  const bytes = statSync(path).size;
  // Small enough to ship in the app; large enough to hold the world at z6 (about 1.3 MB).
  assert.ok(bytes > 200_000 && bytes < 5_000_000, `${bytes} bytes`);
  const reader = await openPmtiles(path);
  try {
    assert.equal(reader.format, 'pbf');
    assert.deepEqual(
      (await reader.zoomLevels()).map((l) => l.z),
      [0, 1, 2, 3, 4, 5, 6],
    );
    const layers = JSON.parse(reader.metadata.vector_layers ?? '[]') as { id: string }[];
    assert.deepEqual(layers.map((l) => l.id).sort(), ['countries', 'land']);
  } finally {
    await reader.close();
  }
});

test('the host serves basemap tiles behind the session, and a tile of open ocean is an empty 204', async () => {
  const z0 = await get(`/tiles/${BASEMAP_ID}/0/0/0`);
  assert.equal(z0.status, 200);
  assert.equal(z0.headers.get('content-type'), 'application/x-protobuf');
  const layers = layersOf(new Uint8Array(await z0.arrayBuffer()));
  assert.ok((layers.land ?? 0) >= 1, 'land at z0');
  assert.ok((layers.countries ?? 0) > 150, `${layers.countries} countries at z0`);

  // Sweden at z6 (x 34, y 18): land and borders (Sweden, Norway, Finland).
  const sweden = await get(`/tiles/${BASEMAP_ID}/6/34/18`);
  assert.equal(sweden.status, 200);
  assert.ok((layersOf(new Uint8Array(await sweden.arrayBuffer())).countries ?? 0) >= 2);

  // The middle of the South Pacific at z6 holds nothing: an empty answer, which the map draws as
  // water without a failed request in the browser's console.
  const sea = await get(`/tiles/${BASEMAP_ID}/6/8/40`);
  assert.equal(sea.status, 204);
  assert.equal((await sea.arrayBuffer()).byteLength, 0);
  // Deeper than the basemap goes: MapLibre overzooms z6 instead of asking, but a request is a 404.
  assert.equal((await get(`/tiles/${BASEMAP_ID}/7/68/37`)).status, 404);

  const anonymous = await fetch(`${host.origin}/tiles/${BASEMAP_ID}/0/0/0`);
  assert.equal(anonymous.status, 401, 'the basemap is behind the same session as the caches');
});

test('caches are still served beside the basemap, and no other name passes for an id', async () => {
  assert.equal((await get(`/tiles/${raster.id}/10/517/351`)).status, 200);
  assert.equal((await get('/tiles/basemap2/0/0/0')).status, 404);
  assert.equal((await get('/tiles/BASEMAP/0/0/0')).status, 404);
});

test('without the file every basemap tile is missing, not an error, and a later file is picked up', async () => {
  const path = join(dir, 'later.pmtiles');
  const missing = new BasemapTiles(path);
  assert.equal(await missing.tile(0, 0, 0), null);
  const { copyFile } = await import('node:fs/promises');
  await copyFile(defaultBasemapPath(), path);
  const tile = await missing.tile(0, 0, 0);
  assert.ok(tile !== null);
  const mvt = tile.contentEncoding === 'gzip' ? gunzipSync(tile.data) : tile.data;
  assert.ok((layersOf(mvt).land ?? 0) >= 1);
  await missing.close();
});
