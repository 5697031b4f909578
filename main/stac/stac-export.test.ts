/**
 * The static STAC export of a real engine's holdings (an ingested Shapefile, a raster preseed of
 * SRTM), checked offline against the STAC 1.0 specification's required fields and link rules:
 * every catalog, collection and item has its required fields, every relative link resolves to a
 * file of the export, items name the collection that lists them, and assets carry the real size
 * and SHA-256 of the file they point at.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { rgdalVector, srtmDem } from '../testing/real-data.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-stac-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Json = Record<string, unknown> & { links: { rel: string; href: string }[] };
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Json;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** The spec's link rules: root and self everywhere, relative hrefs that resolve inside the export. */
function checkLinks(file: string, doc: Json, exportRoot: string, required: string[]): Map<string, string[]> {
  const byRel = new Map<string, string[]>();
  for (const link of doc.links) {
    assert.equal(typeof link.href, 'string', `${file}: link href`);
    assert.equal(typeof link.rel, 'string', `${file}: link rel`);
    const target = resolve(dirname(file), link.href);
    assert.ok(target.startsWith(exportRoot) && existsSync(target), `${file}: ${link.rel} → ${link.href} resolves inside the export`);
    byRel.set(link.rel, [...(byRel.get(link.rel) ?? []), target]);
  }
  for (const rel of required) assert.ok(byRel.has(rel), `${file} has a ${rel} link`);
  assert.deepEqual(byRel.get('root'), [join(exportRoot, 'catalog.json')], `${file}: root is the catalog`);
  assert.deepEqual(byRel.get('self'), [file], `${file}: self is itself`);
  return byRel;
}

test("a static STAC catalogue of a real engine's datasets and caches meets the specification's required fields and link rules", async () => {
  const engine = await Engine.open({ dataDir: join(root, 'data'), host: 'headless', logger: createLogger('silent') });
  const out = join(root, 'stac');
  try {
    const ingest = await engine.start({ kind: 'ingest', params: { files: [rgdalVector('cities.shp'), rgdalVector('cities.shx'), rgdalVector('cities.dbf')] } });
    assert.equal((await engine.waitFor(ingest.id)).state, 'succeeded');
    const cache = join(root, 'caches', 'srtm.mbtiles');
    const seed = await engine.start({ kind: 'preseed-raster', params: { datasets: [srtmDem()], minZoom: 5, maxZoom: 6, output: cache } });
    assert.equal((await engine.waitFor(seed.id)).state, 'succeeded');

    const result = await engine.handlers['stac.export']({ directory: out });
    assert.deepEqual([result.items, result.collections, result.skipped], [2, 3, []]);

    const catalogFile = join(out, 'catalog.json');
    const catalog = read(catalogFile);
    for (const field of ['type', 'stac_version', 'id', 'description', 'links']) assert.ok(field in catalog, `catalog.${field}`);
    assert.equal(catalog.type, 'Catalog');
    const children = checkLinks(catalogFile, catalog, out, ['root', 'self', 'child']).get('child')!;
    assert.equal(children.length, 3);

    const items: { file: string; item: Json; collection: string }[] = [];
    for (const collectionFile of children) {
      const collection = read(collectionFile);
      for (const field of ['type', 'stac_version', 'id', 'description', 'license', 'extent', 'links'])
        assert.ok(field in collection, `${collectionFile}: ${field}`);
      assert.equal(collection.type, 'Collection');
      const extent = collection.extent as { spatial: { bbox: number[][] }; temporal: { interval: (string | null)[][] } };
      assert.equal(extent.spatial.bbox[0]!.length, 4);
      assert.equal(extent.temporal.interval[0]!.length, 2);
      const links = checkLinks(collectionFile, collection, out, ['root', 'self', 'parent']);
      assert.deepEqual(links.get('parent'), [catalogFile]);
      for (const file of links.get('item') ?? []) items.push({ file, item: read(file), collection: collection.id as string });
    }
    assert.deepEqual(items.map((i) => i.collection).sort(), ['tile-caches', 'vector-datasets']);

    for (const { file, item, collection } of items) {
      for (const field of ['type', 'stac_version', 'id', 'geometry', 'bbox', 'properties', 'links', 'assets']) assert.ok(field in item, `${file}: ${field}`);
      assert.equal(item.type, 'Feature');
      assert.equal(item.collection, collection, 'an item names the collection that lists it');
      const links = checkLinks(file, item, out, ['root', 'self', 'parent', 'collection']);
      assert.deepEqual(links.get('collection'), links.get('parent'));
      const [w, s, e, n] = item.bbox as number[];
      assert.ok(w! <= e! && s! <= n! && w! >= -180 && e! <= 180 && s! >= -90 && n! <= 90, `${file}: bbox ${item.bbox}`);
      const ring = (item.geometry as { coordinates: number[][][] }).coordinates[0]!;
      assert.deepEqual(ring[0], ring.at(-1), 'the footprint ring is closed');
      assert.match((item.properties as { datetime: string }).datetime, ISO);
      for (const asset of Object.values(item.assets as Record<string, { href: string; type: string; 'file:size'?: number; 'file:checksum'?: string }>)) {
        assert.ok(asset.type, `${file}: asset type`);
        const path = fileURLToPath(asset.href);
        assert.equal(asset['file:size'], statSync(path).size, `${file}: file:size is the file's`);
        assert.equal(
          asset['file:checksum'],
          `1220${createHash('sha256').update(readFileSync(path)).digest('hex')}`,
          `${file}: file:checksum is the file's SHA-256 multihash`,
        );
      }
    }
    // The SRTM tile lies at 57–58° N, 11–12° E: the cache's item says so.
    const cacheItem = items.find((i) => i.collection === 'tile-caches')!.item;
    const [w, s, e, n] = cacheItem.bbox as number[];
    assert.ok(w! < 11.01 && e! > 11.99 && s! < 57.01 && n! > 57.99, `cache bbox ${cacheItem.bbox}`);
    assert.equal((cacheItem.properties as Record<string, unknown>)['proj:code'], 'EPSG:3857');

    // An earlier export is replaced whole; a folder holding something else is refused, untouched.
    const again = await engine.handlers['stac.export']({ directory: out, checksums: false });
    assert.equal(again.items, 2);
    const other = join(root, 'documents');
    mkdirSync(other);
    writeFileSync(join(other, 'thesis.txt'), 'mine');
    await assert.rejects(
      async () => engine.handlers['stac.export']({ directory: other }),
      (e: { code?: string; message?: string }) => e.code === 'BAD_INPUT' && /holds other files/.test(e.message ?? ''),
    );
    assert.equal(readFileSync(join(other, 'thesis.txt'), 'utf8'), 'mine');
  } finally {
    await engine.close();
  }
});
