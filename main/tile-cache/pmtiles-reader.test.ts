import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { Compression, PMTiles, TileType } from 'pmtiles';
import type { TesseraError } from '../../shared/errors.js';
import { makeRasterMbtiles, makeTempDir, makeVectorMbtiles, names, readInSteps } from './testing/gdal-fixtures.js';
import { openMbtiles } from './mbtiles-reader.js';
import { buildPmtiles, type FixtureTile } from './testing/pmtiles-fixture.js';
import { FileHandleSource, openPmtiles } from './pmtiles-reader.js';
import type { TileCacheReader } from './tile-cache.js';

let dir: string;
let cleanup: () => Promise<void>;
let rasterTiles: FixtureTile[];
let vectorTiles: FixtureTile[];
/** 64 identical tiles at z3 (open ocean): consecutive tile ids with one content, i.e. one run. */
let oceanTiles: FixtureTile[];

async function allTiles(reader: TileCacheReader): Promise<FixtureTile[]> {
  const tiles: FixtureTile[] = [];
  for (const { z } of await reader.zoomLevels()) tiles.push(...(await reader.readBatch(z, null, 100_000)));
  return tiles;
}

before(async () => {
  ({ dir, cleanup } = await makeTempDir('pmtiles'));
  const raster = await openMbtiles(await makeRasterMbtiles(dir, 'dem.mbtiles'));
  rasterTiles = await allTiles(raster);
  await raster.close();
  const vector = await openMbtiles(await makeVectorMbtiles(dir, 'vector.mbtiles'));
  vectorTiles = await allTiles(vector);
  await vector.close();
  const ocean = rasterTiles.find((t) => t.z === 10)!.data;
  oceanTiles = [];
  for (let x = 0; x < 8; x++) for (let y = 0; y < 8; y++) oceanTiles.push({ z: 3, x, y, data: ocean });
});
after(() => cleanup());

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** Reads every tile back with the pmtiles package's own reader: the check that the fixture is valid PMTiles. */
async function assertPackageReads(path: string, tiles: FixtureTile[], decode: (b: Uint8Array) => Uint8Array = (b) => b): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const archive = new PMTiles(new FileHandleSource(handle, path));
    for (const t of tiles) {
      const got = await archive.getZxy(t.z, t.x, t.y);
      assert.ok(got, `pmtiles package finds ${t.z}/${t.x}/${t.y}`);
      assert.deepEqual(new Uint8Array(got.data), new Uint8Array(decode(t.data)), `${t.z}/${t.x}/${t.y}`);
    }
    assert.equal(await archive.getZxy(10, 0, 0), undefined);
  } finally {
    await handle.close();
  }
}

test('the fixture writer makes archives the pmtiles package reads, leaf directories and runs included', async () => {
  const tiles = [...rasterTiles, ...oceanTiles];
  for (const [name, options] of [
    ['root-only.pmtiles', { tileType: TileType.Png }],
    ['leaves.pmtiles', { tileType: TileType.Png, leafSize: 5 }],
    ['uncompressed.pmtiles', { tileType: TileType.Png, leafSize: 3, internalCompression: Compression.None }],
  ] as const) {
    const path = await write(name, buildPmtiles(tiles, { ...options, metadata: { name: 'dem' } }));
    await assertPackageReads(path, tiles);
    const handle = await open(path, 'r');
    const header = await new PMTiles(new FileHandleSource(handle, path)).getHeader();
    await handle.close();
    assert.equal(header.numAddressedTiles, tiles.length);
    assert.ok(header.numTileEntries < tiles.length, 'the ocean tiles are one run-length entry');
    assert.equal(header.numTileContents, rasterTiles.length, 'the ocean content is stored once');
  }
});

test('enumerates every tile, runs and leaf directories included, in (x, y) order, same bytes as the MBTiles', async () => {
  const tiles = [...rasterTiles, ...oceanTiles];
  for (const leafSize of [undefined, 5, 2]) {
    const reader = await openPmtiles(await write(`enumerate-${leafSize}.pmtiles`, buildPmtiles(tiles, { tileType: TileType.Png, leafSize })));
    try {
      assert.equal(reader.kind, 'pmtiles');
      assert.equal(reader.format, 'png');
      assert.deepEqual(await reader.zoomLevels(), [
        { z: 3, count: 64 },
        { z: 7, count: 4 },
        { z: 8, count: 4 },
        { z: 9, count: 9 },
        { z: 10, count: 20 },
      ]);
      for (const { z } of await reader.zoomLevels()) {
        // The MBTiles reader's batches are in (x, y) order already: the PMTiles reader must agree.
        const expected = tiles.filter((t) => t.z === z).sort((a, b) => a.x - b.x || a.y - b.y);
        const got = await readInSteps(reader, z, 3);
        assert.deepEqual(names(got), names(expected), `zoom ${z}, leafSize ${leafSize}`);
        got.forEach((t, i) => assert.deepEqual(Buffer.from(t.data), Buffer.from(expected[i]!.data)));
        assert.deepEqual(names(await readInSteps(reader, z, 1)), names(expected));
      }
      assert.deepEqual(names(await reader.readBatch(3, { x: 2, y: 6 }, 3)), ['3/2/7', '3/3/0', '3/3/1']);
      assert.deepEqual(await reader.readBatch(3, { x: 7, y: 7 }, 3), []);
      assert.deepEqual(await reader.readBatch(4, null, 3), []);
      assert.deepEqual(await reader.readBatch(27, null, 3), []);
    } finally {
      await reader.close();
    }
  }
});

test('returns gzip-compressed vector tiles as stored and reads the JSON metadata', async () => {
  const path = await write(
    'vector.pmtiles',
    buildPmtiles(vectorTiles, {
      tileType: TileType.Mvt,
      tileCompression: Compression.Gzip,
      leafSize: 10,
      metadata: { name: 'sample', vector_layers: [{ id: 'sample' }] },
    }),
  );
  // The package decompresses tiles itself: it must see gzip that inflates to the MVT.
  await assertPackageReads(path, vectorTiles, (b) => gunzipSync(b));
  const reader = await openPmtiles(path);
  try {
    assert.equal(reader.format, 'pbf');
    assert.equal(reader.metadata.name, 'sample');
    assert.equal(reader.metadata.vector_layers, '[{"id":"sample"}]');
    assert.equal(reader.metadata.tile_compression, 'gzip');
    assert.equal(reader.metadata.maxzoom, '5');
    const got = await allTiles(reader);
    assert.equal(got.length, vectorTiles.length);
    for (const t of got) assert.deepEqual([...t.data.subarray(0, 2)], [0x1f, 0x8b], `${t.z}/${t.x}/${t.y} is still gzip`);
  } finally {
    await reader.close();
  }
});

test('a truncated archive, an old spec version and a non-PMTiles file are CACHE_UNREADABLE', async () => {
  const good = buildPmtiles([...rasterTiles, ...oceanTiles], { tileType: TileType.Png, leafSize: 4 });
  const expectUnreadable = async (path: string, detail: string, action: (r: TileCacheReader) => Promise<unknown> = async () => {}) => {
    await assert.rejects(
      openPmtiles(path).then(async (r) => {
        try {
          await action(r);
        } finally {
          await r.close();
        }
      }),
      (e: TesseraError) => {
        assert.equal(e.code, 'CACHE_UNREADABLE');
        assert.equal(e.message, `not a readable PMTiles archive: ${path} (${detail})`);
        return true;
      },
    );
  };
  const header = (await readFile(await write('probe.pmtiles', good))).subarray(0, 127);
  const rootEnd = Number(Buffer.from(header).readBigUInt64LE(8) + Buffer.from(header).readBigUInt64LE(16));
  await expectUnreadable(await write('cut-root.pmtiles', good.subarray(0, rootEnd - 5)), 'directory at byte 127 runs past the end of the file', (r) =>
    r.zoomLevels(),
  );

  const v2 = Buffer.from(good);
  v2[7] = 2;
  await expectUnreadable(await write('v2.pmtiles', v2), 'PMTiles spec version 2 is not supported (only version 3)');
  await expectUnreadable(await write('short.pmtiles', good.subarray(0, 60)), 'header is 60 bytes, expected 127');
  await expectUnreadable(await write('other.pmtiles', Buffer.from('PK\x03\x04 a zip file, not an archive of tiles')), 'no PMTiles magic number');

  // A header that counts fewer tiles than the directories hold: what a garbage run length looks like.
  const undercounted = Buffer.from(good);
  undercounted.writeBigUInt64LE(3n, 72);
  await expectUnreadable(await write('undercounted.pmtiles', undercounted), "directories address more tiles than the header's 3", (r) =>
    r.readBatch(3, null, 5),
  );

  const garbled = Buffer.from(good);
  garbled.fill(0xff, 127, 127 + 20);
  await expectUnreadable(await write('garbled.pmtiles', garbled), 'cannot decompress a directory: incorrect header check', (r) => r.readBatch(10, null, 5));
});

test('a tile entry pointing past the end of the file comes back short, for verification to flag', async () => {
  const tiles = rasterTiles.filter((t) => t.z === 10);
  const good = buildPmtiles(tiles, { tileType: TileType.Png });
  const cut = 600;
  const reader = await openPmtiles(await write('short-tiles.pmtiles', good.subarray(0, good.length - cut)));
  try {
    const got = await reader.readBatch(10, null, 100);
    assert.equal(got.length, tiles.length);
    const short = got.filter((t) => t.data.byteLength !== tiles.filter((u) => u.x === t.x && u.y === t.y)[0]!.data.byteLength);
    assert.ok(short.length >= 1, 'at least the last stored tile is short');
    assert.equal(
      got.reduce((n, t) => n + t.data.byteLength, 0),
      tiles.reduce((n, t) => n + t.data.byteLength, 0) - cut,
    );
  } finally {
    await reader.close();
  }
});

test('readTile finds single tiles through leaves and runs, as stored, and null outside the archive', async () => {
  const tiles = [...rasterTiles, ...oceanTiles];
  for (const leafSize of [undefined, 5, 2]) {
    const reader = await openPmtiles(await write(`single-${leafSize}.pmtiles`, buildPmtiles(tiles, { tileType: TileType.Png, leafSize })));
    try {
      for (const t of tiles) {
        const got = await reader.readTile(t.z, t.x, t.y);
        assert.ok(got, `${t.z}/${t.x}/${t.y} found (leafSize ${leafSize})`);
        assert.deepEqual(Buffer.from(got), Buffer.from(t.data), `${t.z}/${t.x}/${t.y}`);
      }
      // Zooms, columns and rows with no tile; coordinates off the grid; beyond PMTiles' zoom 26.
      for (const [z, x, y] of [
        [4, 0, 0],
        [10, 0, 0],
        [3, 8, 0],
        [3, -1, 0],
        [3, 0.5, 1],
        [27, 0, 0],
        [31, 0, 0],
      ] as const) {
        assert.equal(await reader.readTile(z, x, y), null, `${z}/${x}/${y}`);
      }
    } finally {
      await reader.close();
    }
  }
  const vector = await openPmtiles(
    await write('single-vector.pmtiles', buildPmtiles(vectorTiles, { tileType: TileType.Mvt, tileCompression: Compression.Gzip, leafSize: 4 })),
  );
  try {
    const t = vectorTiles[vectorTiles.length - 1]!;
    const got = await vector.readTile(t.z, t.x, t.y);
    assert.deepEqual([...got!.subarray(0, 2)], [0x1f, 0x8b], 'still gzip');
  } finally {
    await vector.close();
  }
});
