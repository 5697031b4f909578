import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Bbox } from '../../shared/contract.js';
import { CacheRegistry } from './cache-registry.js';
import { openTileCache } from './open-tile-cache.js';
import { openTileWriter } from './open-tile-writer.js';
import type { WrittenTileFormat } from './tile-writer.js';
import { COUNTRIES_LAYER, assertSameTiles, readBack, realTileBed } from './testing/writer-fixtures.js';

const bed = realTileBed('open-tile-writer');
const registry = new CacheRegistry();
after(() => registry.close());

const contains = (outer: Bbox, inner: Bbox) =>
  outer[0] <= inner[0] + 1e-6 && outer[1] <= inner[1] + 1e-6 && outer[2] >= inner[2] - 1e-6 && outer[3] >= inner[3] - 1e-6;

for (const name of ['out.mbtiles', 'out.pmtiles', 'out-tiles']) {
  for (const format of ['png', 'pbf'] as WrittenTileFormat[]) {
    test(`${name} (${format}): the writer the path asks for, and the map preview opens what it wrote`, async () => {
      const source = format === 'png' ? bed.hillshade : bed.countries;
      const path = join(bed.dir, `${format}-${name}`);
      const writer = await openTileWriter(path, { format });
      assert.equal(writer.kind, name.endsWith('.mbtiles') ? 'mbtiles' : name.endsWith('.pmtiles') ? 'pmtiles' : 'directory');
      assert.equal(writer.path, path);
      await writer.write(source.tiles);
      // Kinds compose edge tiles over what the output holds: every writer reads its own tiles back.
      const readable = writer as typeof writer & { readTile(z: number, x: number, y: number): Promise<Uint8Array | null> };
      const probe = source.tiles[source.tiles.length - 1]!;
      assert.deepEqual(Buffer.from((await readable.readTile(probe.z, probe.x, probe.y))!), Buffer.from(probe.data));
      assert.equal(await readable.readTile(source.maxzoom + 1, 0, 0), null);
      assert.equal(await readable.readTile(1, 2, 0), null, 'outside the grid');
      await writer.finish({
        name: `preview ${format}`,
        format,
        bounds: source.bounds,
        minzoom: source.minzoom,
        maxzoom: source.maxzoom,
        ...(format === 'pbf' ? { vectorLayers: [COUNTRIES_LAYER], tilestats: { layerCount: 1, layers: [{ layer: 'countries', geometry: 'Polygon' }] } } : {}),
      });
      await writer.close();

      const reader = await openTileCache(path);
      assert.equal(reader.kind, writer.kind);
      assert.equal(reader.format, format);
      assert.equal(
        (await reader.zoomLevels()).reduce((n, l) => n + l.count, 0),
        source.tiles.length,
      );
      await reader.close();

      const summary = await registry.open(path);
      assert.deepEqual(
        [summary.kind, summary.format, summary.name, summary.minZoom, summary.maxZoom],
        [writer.kind, format, `preview ${format}`, source.minzoom, source.maxzoom],
      );
      assert.ok(summary.bounds && contains(summary.bounds, source.bounds), `bounds ${summary.bounds}`);
      if (format === 'pbf')
        assert.deepEqual(
          summary.vectorLayers.map((l) => [l.id, l.geometryType]),
          [['countries', 'polygon']],
        );
      const [tile] = source.tiles.filter((t) => t.z === source.maxzoom);
      const response = await registry.tile(summary.id, tile!.z, tile!.x, tile!.y);
      assert.deepEqual(
        [response?.contentType, response?.contentEncoding, Buffer.from(response!.data).equals(Buffer.from(tile!.data))],
        format === 'png' ? ['image/png', undefined, true] : ['application/x-protobuf', 'gzip', true],
      );
    });
  }
}

for (const name of ['interleaved.mbtiles', 'interleaved.pmtiles', 'interleaved-tiles']) {
  test(`${name}: writes, removes and writtenAt calls of concurrent items interleave without losing a tile`, async () => {
    const tiles = bed.countries.tiles;
    const path = join(bed.dir, name);
    const writer = await openTileWriter(path, { format: 'pbf' });
    // A z4 position the countries do not hold (they cover 111 of its 256 tiles).
    const free = Array.from({ length: 16 }, (_, i) => i).find((i) => !tiles.some((t) => t.z === 4 && t.x === i && t.y === i));
    assert.ok(free !== undefined);
    const doomed = { z: 4, x: free, y: free, data: tiles[0]!.data };
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < tiles.length; i += 7) {
      pending.push(writer.write(tiles.slice(i, i + 7)));
      pending.push(writer.writtenAt(4, 0, 0, 15, 15));
    }
    pending.push(writer.write([doomed]).then(() => writer.remove([doomed])));
    await Promise.all(pending);
    let count = 0;
    for (let z = 0; z <= 4; z++) count += (await writer.writtenAt(z, 0, 0, 2 ** z - 1, 2 ** z - 1)).size;
    assert.equal(count, tiles.length);
    await writer.finish({ name, format: 'pbf', bounds: bed.countries.bounds, minzoom: 0, maxzoom: 4, vectorLayers: [COUNTRIES_LAYER] });
    await writer.close();
    assertSameTiles((await readBack(openTileCache(path))).tiles, tiles);
  });
}
