import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { BASEMAP_ID, BasemapTiles, withBasemap } from '../hosts/basemap-tiles.js';
import type { TileSource } from '../hosts/tile-route.js';
import { createAppRequestHandler } from './app-protocol.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { createTileAppRoute } from './tile-route.js';

const ID = '0123456789ab';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const MVT = new Uint8Array([0x1a, 0x05, 0x78, 0x02, 0x0a, 0x01, 0x61]);

/** Two tiles of one cache: a PNG at 3/2/1 and a gzipped MVT at 3/2/2. */
const source: TileSource = {
  tile: async (id, z, x, y) => {
    if (id !== ID || z !== 3 || x !== 2) return null;
    if (y === 1) return { data: PNG, contentType: 'image/png' };
    if (y === 2) return { data: new Uint8Array(gzipSync(MVT)), contentType: 'application/x-protobuf', contentEncoding: 'gzip' };
    if (y === 4) return { data: new Uint8Array(0), contentType: 'application/octet-stream' };
    return null;
  },
};

const handle = createAppRequestHandler({ rendererDir: '/nonexistent', routes: [createTileAppRoute(source)] });
const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

test('serves tiles on tessera://app with their type and the CSP', async () => {
  const png = await get(`tessera://app/tiles/${ID}/3/2/1`);
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.equal(png.headers.get('cache-control'), 'private, max-age=60');
  assert.equal(png.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(png.headers.get('x-content-type-options'), 'nosniff');
  assert.deepEqual(new Uint8Array(await png.arrayBuffer()), PNG);

  const head = await get(`tessera://app/tiles/${ID}/3/2/1`, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(PNG.byteLength));
});

test('inflates gzipped vector tiles instead of relying on Content-Encoding for a custom scheme', async () => {
  const mvt = await get(`tessera://app/tiles/${ID}/3/2/2`);
  assert.equal(mvt.status, 200);
  assert.equal(mvt.headers.get('content-type'), 'application/x-protobuf');
  assert.equal(mvt.headers.get('content-encoding'), null);
  assert.equal(mvt.headers.get('content-length'), String(MVT.byteLength));
  assert.deepEqual(new Uint8Array(await mvt.arrayBuffer()), MVT);
});

test('404 for missing tiles and unknown caches, 400 for bad coordinates; other paths go on to the files', async () => {
  assert.equal((await get(`tessera://app/tiles/${ID}/3/2/3`)).status, 404);
  // A gap within the cache's zooms: 204 with no body (a Response with a body would throw).
  const gap = await get(`tessera://app/tiles/${ID}/3/2/4`);
  assert.equal(gap.status, 204);
  assert.equal((await gap.arrayBuffer()).byteLength, 0);
  assert.equal((await get('tessera://app/tiles/ffffffffffff/3/2/1')).status, 404);
  assert.equal((await get(`tessera://app/tiles/${ID}/3/2/x`)).status, 400);
  assert.equal((await get(`tessera://app/tiles/${ID}/3/9/1`)).status, 400);
  // Not a tile path: the static files answer (and there are none here).
  const page = await get('tessera://app/index.html');
  assert.equal(page.status, 404);
  assert.equal(await page.text(), 'not found');
  // Other hosts of the scheme never reach a route.
  assert.equal((await get(`tessera://evil/tiles/${ID}/3/2/1`)).status, 404);
});

test('a failing read is a 500 reported to onError, not a crash', async () => {
  const errors: unknown[] = [];
  const failing = createAppRequestHandler({
    rendererDir: '/nonexistent',
    routes: [createTileAppRoute({ tile: async () => Promise.reject(new Error('disk on fire')) })],
    onError: (error) => errors.push(error),
  });
  const response = await failing(new Request(`tessera://app/tiles/${ID}/3/2/1`));
  assert.equal(response.status, 500);
  assert.equal(errors.length, 1);
});

test('the desktop scheme serves the basemap the build made, inflated, as the main process wires it', async () => {
  // As main.ts does: the caches (none open here) with the basemap under its fixed id.
  const basemap = new BasemapTiles();
  try {
    const app = createAppRequestHandler({ rendererDir: '/nonexistent', routes: [createTileAppRoute(withBasemap(source, basemap))] });
    const z0 = await app(new Request(`tessera://app/tiles/${BASEMAP_ID}/0/0/0`));
    assert.equal(z0.status, 200);
    assert.equal(z0.headers.get('content-type'), 'application/x-protobuf');
    assert.equal(z0.headers.get('content-encoding'), null);
    const layers = Object.keys(new VectorTile(new PbfReader(new Uint8Array(await z0.arrayBuffer()))).layers).sort();
    assert.deepEqual(layers, ['countries', 'land']);
    // The caches still answer beside it.
    assert.equal((await app(new Request(`tessera://app/tiles/${ID}/3/2/1`))).status, 200);
  } finally {
    await basemap.close();
  }
});
