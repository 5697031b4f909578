/**
 * The tile route inside the real headless host (so the token check in front of it is the real one),
 * over a real CacheRegistry holding GDAL-made raster and vector MBTiles.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { REQUEST_NAMES, type TileCacheSummary } from '../../shared/contract.js';
import { EventBus } from '../engine/event-bus.js';
import { CacheRegistry } from '../tile-cache/cache-registry.js';
import { makeRasterMbtiles, makeTempDir, makeVectorMbtiles } from '../tile-cache/testing/gdal-fixtures.js';
import { openMbtiles } from '../tile-cache/mbtiles-reader.js';
import { openMbtilesWriter } from '../tile-cache/mbtiles-writer.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { type HeadlessHost, startHeadlessHost } from './headless-host.js';
import { type TileSource, createTileRoute, tileReply } from './tile-route.js';

let dir: string;
let cleanup: () => Promise<void>;
let host: HeadlessHost;
const caches = new CacheRegistry();
let raster: TileCacheSummary;
let vector: TileCacheSummary;
/** The raw gzipped bytes of vector tile 0/0/0. */
let vectorZ0: Uint8Array;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('tile-route'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  raster = await caches.open(await makeRasterMbtiles(dir, 'dem.mbtiles'));
  vector = await caches.open(await makeVectorMbtiles(dir, 'sample.mbtiles'));
  const reader = await openMbtiles(vector.path);
  vectorZ0 = (await reader.readTile(0, 0, 0))!;
  await reader.close();
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, () => null])) as unknown as ContractHandlers;
  host = await startHeadlessHost({ dispatch: createDispatcher(handlers), events: new EventBus(), rendererDir, port: 0, tileHandler: createTileRoute(caches) });
});

after(async () => {
  await host?.close();
  await caches.close();
  await cleanup();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${host.origin}${path}`, { ...init, headers: { Authorization: `Bearer ${host.token}`, ...(init.headers as Record<string, string>) } });

test('serves a raster tile with its type, length and a short private cache lifetime', async () => {
  const response = await get(`/tiles/${raster.id}/10/517/351`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'image/png');
  assert.equal(response.headers.get('cache-control'), 'private, max-age=60');
  assert.equal(response.headers.get('content-encoding'), null);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', "the host's security headers are on tiles too");
  const body = new Uint8Array(await response.arrayBuffer());
  assert.equal(Number(response.headers.get('content-length')), body.byteLength);
  assert.deepEqual([...body.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  // The page adds ?v=<when it opened the cache> against stale browser caches; the route ignores it.
  assert.equal((await get(`/tiles/${raster.id}/10/517/351?v=1732870000000`)).status, 200);

  const head = await get(`/tiles/${raster.id}/10/517/351`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(body.byteLength));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

test('serves gzipped vector tiles as gzip, for the browser to inflate', async () => {
  const response = await get(`/tiles/${vector.id}/0/0/0`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
  assert.equal(response.headers.get('content-encoding'), 'gzip');
  // fetch inflates it, as the browser will: the body is the MVT inside the stored gzip.
  assert.deepEqual(Buffer.from(await response.arrayBuffer()), gunzipSync(vectorZ0));
});

test('only signed-in requests reach the route', async () => {
  const anonymous = await fetch(`${host.origin}/tiles/${raster.id}/10/517/351`);
  assert.equal(anonymous.status, 401);
  const wrong = await fetch(`${host.origin}/tiles/${raster.id}/10/517/351`, { headers: { Authorization: 'Bearer not-the-token-at-all' } });
  assert.equal(wrong.status, 401);
});

test('a tile a cache lacks within its zooms is a 204 without a body (MapLibre draws it as nothing, quietly)', async () => {
  assert.deepEqual([raster.minZoom, raster.maxZoom], [7, 10]);
  for (const path of [`/tiles/${raster.id}/10/0/0`, `/tiles/${raster.id}/7/0/0`, `/tiles/${vector.id}/${vector.maxZoom}/0/0`]) {
    const response = await get(path);
    assert.equal(response.status, 204, path);
    assert.equal((await response.arrayBuffer()).byteLength, 0, path);
    assert.equal(response.headers.get('cache-control'), 'private, max-age=60', path);
    assert.equal(response.headers.get('content-type'), null, path);
  }
  assert.equal((await get(`/tiles/${raster.id}/10/0/0`, { method: 'HEAD' })).status, 204);
});

test('404 for unknown caches and tiles outside a cache’s zooms, 400 for malformed coordinates', async () => {
  const cases: [string, number][] = [
    [`/tiles/${raster.id}/11/0/0`, 404],
    [`/tiles/${raster.id}/6/0/0`, 404],
    ['/tiles/0123456789ab/10/517/351', 404],
    [`/tiles/${raster.id.toUpperCase()}/10/517/351`, 404],
    [`/tiles/${raster.id}/10/517`, 404],
    [`/tiles/${raster.id}/10/517/351/extra`, 404],
    [`/tiles/${raster.id}/10/517/351.png`, 400],
    [`/tiles/${raster.id}/10/517/-1`, 400],
    [`/tiles/${raster.id}/10/0517/351`, 400],
    [`/tiles/${raster.id}/1e1/517/351`, 400],
    [`/tiles/${raster.id}/10/1024/351`, 400],
    [`/tiles/${raster.id}/31/0/0`, 400],
    [`/tiles/${raster.id}/10/%35%31%37/351`, 400],
  ];
  for (const [path, status] of cases) {
    const response = await get(path);
    assert.equal(response.status, status, path);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
    assert.equal(response.headers.get('cache-control'), 'no-store', path);
    if (status === 404) {
      // Errors cross boundaries as {code, message, details}: a 404 names what was not found.
      const error = ((await response.json()) as { error: { code: string; details?: unknown } }).error;
      assert.equal(error.code, 'NOT_FOUND', path);
      assert.ok(error.details && typeof error.details === 'object', `${path}: no details`);
    }
  }
});

test('a path that tries to leave /tiles/ never reaches a file', async () => {
  // Dot segments ("/tiles/../x", "/tiles/%2e%2e/x") are resolved by URL parsing before any route
  // sees them, so they are no longer tile paths and the static files answer them as they always do.
  // Encoded slashes stay inside /tiles/ and are refused there.
  for (const path of [`/tiles/${raster.id}/..%2f..%2f/x/y`, '/tiles/..%2F..%2Fpackage.json/0/0/0', '/tiles/%2f%2f/0/0/0', '/tiles/']) {
    const response = await get(path);
    assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
    assert.doesNotMatch(await response.text(), /<title>/, path);
  }
});

test('tileReply leaves other paths to other routes and lets read failures through', async () => {
  const failing: TileSource = { tile: async () => Promise.reject(new Error('disk on fire')) };
  assert.equal(await tileReply(failing, '/index.html'), null);
  assert.equal(await tileReply(failing, '/tilesets/x'), null);
  await assert.rejects(tileReply(failing, `/tiles/${raster.id}/0/0/0`), /disk on fire/);
});

test("serves the tiles of Tessera's de-duplicated MBTiles: positions that share one stored image each get it", async () => {
  // The raster fixture's tile, written by our writer at three positions: one image, three map rows.
  const reader = await openMbtiles(raster.path);
  const png = (await reader.readTile(10, 517, 351))!;
  await reader.close();
  const path = join(dir, 'shared.mbtiles');
  const writer = await openMbtilesWriter(path, { format: 'png' });
  await writer.write([0, 1, 2].map((i) => ({ z: 10, x: 517 + i, y: 351, data: png })));
  await writer.finish({ name: 'shared', format: 'png', bounds: [1.8, 48, 3, 49], minzoom: 10, maxzoom: 10 });
  await writer.close();
  const shared = await caches.open(path);
  for (const x of [517, 518, 519]) {
    const response = await get(`/tiles/${shared.id}/10/${x}/351`);
    assert.equal(response.status, 200, `10/${x}/351`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), png);
  }
  assert.equal((await get(`/tiles/${shared.id}/10/520/351`)).status, 204, 'a gap within its zoom');
});
