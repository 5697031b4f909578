/**
 * The STAC API of a real headless host over a real engine's holdings (two raster preseeds in
 * different places, one ingested Shapefile): landing page and conformance, collections with their
 * extents, items paged by next links, search by bbox, datetime, ids and collections, bad input a
 * 400 naming the field, and nothing without the token.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { rgdalVector, srtmDem } from '../testing/real-data.js';
import { startHeadless } from './start-headless.js';
import { hostedEngine } from '../engine/hosted-engine.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-stac-api-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Page = {
  features: { id: string; collection: string; links: { rel: string; href: string }[] }[];
  numberMatched: number;
  links: { rel: string; href: string }[];
};

test('the STAC API: landing, conformance, collections, paged items and search over real holdings', async () => {
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  try {
    for (const [name, bbox] of [
      ['west', [11, 57, 11.5, 58]],
      ['east', [11.5, 57, 12, 58]],
    ] as const) {
      const job = await engine.start({
        kind: 'preseed-raster',
        params: { datasets: [srtmDem()], minZoom: 6, maxZoom: 7, bbox: [...bbox], output: join(root, `${name}.mbtiles`) },
      });
      assert.equal((await engine.waitFor(job.id)).state, 'succeeded');
    }
    const ingest = await engine.start({ kind: 'ingest', params: { files: [rgdalVector('cities.shp'), rgdalVector('cities.shx'), rgdalVector('cities.dbf')] } });
    assert.equal((await engine.waitFor(ingest.id)).state, 'succeeded');

    const host = await startHeadless(hostedEngine(engine), { port: 0, rendererDir, logger: createLogger('silent') });
    try {
      const auth = { Authorization: `Bearer ${host.token}` };
      const get = async (path: string) => {
        const response = await fetch(path.startsWith('http') ? path : `${host.origin}${path}`, { headers: auth });
        return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Record<string, unknown> };
      };

      const landing = await get('/stac');
      assert.equal(landing.status, 200);
      assert.equal(landing.body.type, 'Catalog');
      assert.ok((landing.body.conformsTo as string[]).includes('https://api.stacspec.org/v1.0.0/item-search'));
      const rels = (landing.body.links as { rel: string; href: string }[]).map((l) => l.rel);
      for (const rel of ['self', 'root', 'conformance', 'data', 'search']) assert.ok(rels.includes(rel), rel);
      assert.equal((await get('/stac/conformance')).status, 200);

      const collections = (await get('/stac/collections')).body.collections as { id: string; extent: { spatial: { bbox: number[][] } } }[];
      assert.deepEqual(collections.map((c) => c.id).sort(), ['raster-datasets', 'tile-caches', 'vector-datasets']);
      const caches = collections.find((c) => c.id === 'tile-caches')!;
      const [w, , e] = caches.extent.spatial.bbox[0]!;
      assert.ok(w! < 11.01 && e! > 11.99, `the caches' extent spans both: ${caches.extent.spatial.bbox[0]}`);

      // Items of a collection, one per page, followed by next links to the end.
      const seen: string[] = [];
      let page = (await get('/stac/collections/tile-caches/items?limit=1')).body as unknown as Page;
      assert.equal(page.numberMatched, 2);
      for (;;) {
        seen.push(...page.features.map((f) => f.id));
        const next = page.links.find((l) => l.rel === 'next');
        if (!next) break;
        page = (await get(next.href)).body as unknown as Page;
      }
      assert.equal(new Set(seen).size, 2);
      const one = await get(`/stac/collections/tile-caches/items/${seen[0]}`);
      assert.equal(one.status, 200);
      assert.match(one.type, /application\/geo\+json/);
      assert.ok((one.body.links as { rel: string; href: string }[]).some((l) => l.rel === 'self' && l.href.endsWith(`/items/${seen[0]}`)));

      // Search: a bbox that touches only the western cache; a datetime before everything; ids.
      const west = (await get('/stac/search?collections=tile-caches&bbox=11.0,57.2,11.2,57.8')).body as unknown as Page;
      assert.equal(west.numberMatched, 1, JSON.stringify(west.features.map((f) => f.id)));
      assert.equal(((await get('/stac/search?datetime=2000-01-01T00:00:00Z/2001-01-01T00:00:00Z')).body as unknown as Page).numberMatched, 0);
      assert.equal(((await get('/stac/search?datetime=2000-01-01T00:00:00Z/..')).body as unknown as Page).numberMatched, 3);
      assert.deepEqual(
        ((await get(`/stac/search?ids=${seen[1]}`)).body as unknown as Page).features.map((f) => f.id),
        [seen[1]],
      );

      // A box across the antimeridian (west > east) is two boxes: one from 170° E, one to 11.2° E.
      assert.equal(((await get('/stac/search?collections=tile-caches&bbox=170,57.2,11.2,57.8')).body as unknown as Page).numberMatched, 1);
      assert.equal(((await get('/stac/search?collections=tile-caches&bbox=170,57.2,-170,57.8')).body as unknown as Page).numberMatched, 0);
      const bad = await get('/stac/search?bbox=1,2,3');
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body), /bbox/);
      assert.equal((await get('/stac/search?datetime=yesterday')).status, 400);
      assert.equal((await get('/stac/collections/nope')).status, 404);
      assert.equal((await fetch(`${host.origin}/stac`)).status, 401, 'the STAC API sits behind the same token');
    } finally {
      await host.close();
    }
  } finally {
    await engine.close();
  }
});
