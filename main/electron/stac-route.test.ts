/**
 * The desktop app's protocol serves the STAC API read-only as the headless host does (tested
 * without Electron, through the scheme's own request handler): a real engine with an ingested
 * Shapefile, its landing page linked on tessera://app, collections, items, search, one item; no
 * writes; 503 while no engine is open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { rgdalVector } from '../testing/real-data.js';
import { createAppRequestHandler } from './app-protocol.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { createStacAppRoute } from './stac-route.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-stac-app-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('tessera://app/stac serves the STAC API read-only, linked on the app origin', async () => {
  let engine: Engine | null = null;
  const handle = createAppRequestHandler({ rendererDir: join(root, 'none'), routes: [createStacAppRoute(() => engine?.handlers ?? null)] });
  const get = async (url: string, method = 'GET') => {
    const response = await handle(new Request(url, { method }));
    return { status: response.status, headers: response.headers, body: method === 'HEAD' ? null : ((await response.json()) as Record<string, unknown>) };
  };
  assert.equal((await get('tessera://app/stac')).status, 503, 'no engine yet');

  engine = await Engine.open({ dataDir: join(root, 'data'), host: 'electron', logger: createLogger('silent') });
  try {
    const ingest = await engine.start({ kind: 'ingest', params: { files: [rgdalVector('cities.shp'), rgdalVector('cities.shx'), rgdalVector('cities.dbf')] } });
    assert.equal((await engine.waitFor(ingest.id)).state, 'succeeded');

    const landing = await get('tessera://app/stac');
    assert.equal(landing.status, 200);
    assert.equal(landing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(landing.body!.type, 'Catalog');
    const links = landing.body!.links as { rel: string; href: string }[];
    assert.equal(links.find((l) => l.rel === 'self')?.href, 'tessera://app/stac');
    assert.equal(links.find((l) => l.rel === 'search')?.href, 'tessera://app/stac/search');
    assert.ok(!(landing.body!.conformsTo as string[]).some((c) => c.includes('transaction')), 'no Transactions here');

    const collections = (await get('tessera://app/stac/collections')).body!.collections as { id: string }[];
    assert.deepEqual(collections.map((c) => c.id).sort(), ['raster-datasets', 'tile-caches', 'vector-datasets']);
    const items = (await get('tessera://app/stac/collections/vector-datasets/items')).body as {
      features: { id: string; bbox: number[] }[];
      numberMatched: number;
    };
    assert.equal(items.numberMatched, 1);
    const [w, s, e, n] = items.features[0]!.bbox;
    const inside = (await get(`tessera://app/stac/search?bbox=${w},${s},${e},${n}`)).body as { numberMatched: number };
    assert.equal(inside.numberMatched, 1);
    const one = await get(`tessera://app/stac/collections/vector-datasets/items/${items.features[0]!.id}`);
    assert.equal(one.status, 200);
    assert.match(String(one.headers.get('content-type')), /application\/geo\+json/);
    assert.ok((one.body!.links as { rel: string; href: string }[]).some((l) => l.rel === 'self' && l.href.startsWith('tessera://app/stac/collections/')));
    assert.equal((await get('tessera://app/stac/search?bbox=1,2,3')).status, 400);
    assert.equal((await get('tessera://app/stac/collections/nope')).status, 404);
    assert.equal((await get('tessera://app/stac', 'HEAD')).status, 200);
    assert.equal((await handle(new Request('tessera://app/stac/collections', { method: 'POST', body: '{}' }))).status, 405, 'read-only');
  } finally {
    await engine.close();
  }
});
