import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TileType } from 'pmtiles';
import type { TesseraError } from '../../shared/errors.js';
import { makeMvtDirectory, makeTempDir, makeVectorMbtiles } from './testing/gdal-fixtures.js';
import { openMbtiles } from './mbtiles-reader.js';
import { openTileCache } from './open-tile-cache.js';
import { buildPmtiles } from './testing/pmtiles-fixture.js';

let dir: string;
let cleanup: () => Promise<void>;
let mbtiles: string;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('open'));
  mbtiles = await makeVectorMbtiles(dir, 'vector.mbtiles', 2);
});
after(() => cleanup());

test('chooses the reader from what is on disk, not from the file name', async () => {
  const source = await openMbtiles(mbtiles);
  const tiles = await source.readBatch(2, null, 100);
  await source.close();
  const pmtiles = join(dir, 'tiles.bin');
  await writeFile(pmtiles, buildPmtiles(tiles, { tileType: TileType.Mvt }));
  const renamed = join(dir, 'cache.pmtiles');
  await copyFile(mbtiles, renamed);

  for (const [path, kind] of [
    [await makeMvtDirectory(dir, 'mvt', false, 2), 'directory'],
    [mbtiles, 'mbtiles'],
    [renamed, 'mbtiles'],
    [pmtiles, 'pmtiles'],
  ] as const) {
    const reader = await openTileCache(path);
    try {
      assert.equal(reader.kind, kind, path);
      assert.equal(reader.path, path);
      assert.equal(reader.format, 'pbf');
      assert.equal((await reader.readBatch(2, null, 100)).length, tiles.length, path);
    } finally {
      await reader.close();
    }
  }
});

test('a missing path and a file that is no tile cache are CACHE_UNREADABLE with a message that says so', async () => {
  const missing = join(dir, 'nowhere', 'tiles.mbtiles');
  await assert.rejects(openTileCache(missing), (e: TesseraError) => {
    assert.equal(e.code, 'CACHE_UNREADABLE');
    assert.equal(e.message, `no such file or directory: ${missing}`);
    return true;
  });
  for (const [name, content] of [
    ['garbage.mbtiles', Buffer.from('SQLite format 2\0 and then some bytes')],
    ['empty.pmtiles', Buffer.alloc(0)],
    ['image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ] as const) {
    const path = join(dir, name);
    await writeFile(path, content);
    await assert.rejects(openTileCache(path), (e: TesseraError) => {
      assert.equal(e.code, 'CACHE_UNREADABLE');
      assert.equal(e.message, `not a tile cache: ${path} (expected an MBTiles file, a PMTiles archive or a z/x/y directory)`);
      return true;
    });
  }
});
