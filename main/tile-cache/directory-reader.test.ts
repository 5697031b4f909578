import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { TesseraError } from '../../shared/errors.js';
import { openTileDirectory } from './directory-reader.js';
import { makeMvtDirectory, makeTempDir, makeVectorMbtiles, names, readInSteps } from './testing/gdal-fixtures.js';
import { openMbtiles } from './mbtiles-reader.js';

let dir: string;
let cleanup: () => Promise<void>;
let plain: string;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('directory'));
  plain = await makeMvtDirectory(dir, 'mvt', false);
  // Things a real cache directory collects that are not tiles.
  await mkdir(join(plain, 'tmp', '1'), { recursive: true });
  await writeFile(join(plain, 'tmp', '1', '1.pbf'), 'not a tile');
  await writeFile(join(plain, '5', 'notes.txt'), 'hello');
  await writeFile(join(plain, '5', '10', '12.pbf.tmp'), 'half written');
  await writeFile(join(plain, '5', '10', 'readme.pbf'), 'not numeric');
});
after(() => cleanup());

/** Counts the .pbf files per zoom, independently of the reader. */
async function countFiles(root: string): Promise<{ z: number; count: number }[]> {
  const out: { z: number; count: number }[] = [];
  for (const z of (await readdir(root))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)) {
    let count = 0;
    for (const x of await readdir(join(root, String(z)), { withFileTypes: true })) {
      if (x.isDirectory()) count += (await readdir(join(root, String(z), x.name))).filter((n) => /^\d+\.pbf$/.test(n)).length;
    }
    out.push({ z, count });
  }
  return out;
}

test('reads format, metadata.json and per-zoom file counts of an ogr2ogr MVT directory', async () => {
  const reader = await openTileDirectory(plain);
  try {
    assert.equal(reader.kind, 'directory');
    assert.equal(reader.format, 'pbf');
    assert.equal(reader.metadata.name, 'mvt');
    assert.equal(reader.metadata.maxzoom, '5');
    const levels = await reader.zoomLevels();
    assert.deepEqual(levels, await countFiles(plain));
    assert.deepEqual(
      levels.map((l) => l.z),
      [0, 1, 2, 3, 4, 5],
    );
  } finally {
    await reader.close();
  }
});

test('walks x and y in numeric order (10 after 9) and resumes exactly after `after`', async () => {
  const reader = await openTileDirectory(plain);
  try {
    for (const { z, count } of await reader.zoomLevels()) {
      const all = await reader.readBatch(z, null, 10_000);
      assert.equal(all.length, count, `zoom ${z}`);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        assert.ok(a.x < b.x || (a.x === b.x && a.y < b.y), `zoom ${z}: ${a.x}/${a.y} before ${b.x}/${b.y}`);
      }
      for (const step of [1, 2, 5]) assert.deepEqual(names(await readInSteps(reader, z, step)), names(all), `zoom ${z}, step ${step}`);
    }
    const z5 = names(await reader.readBatch(5, null, 1000));
    assert.ok(z5.indexOf('5/9/12') < z5.indexOf('5/10/11'), 'x 9 comes before x 10');
    assert.equal(z5.filter((n) => n === '5/10/12').length, 1, '12.pbf.tmp is not a second 5/10/12');
    // Resuming from a tile that is not there starts at the next one in order.
    const next = await reader.readBatch(5, { x: 9, y: 1000 }, 1);
    assert.equal(next[0]!.x, 10);
    assert.deepEqual(await reader.readBatch(5, { x: 1000, y: 0 }, 5), []);
    assert.deepEqual(await reader.readBatch(9, null, 5), []);
  } finally {
    await reader.close();
  }
});

test('holds the same tiles, at the same XYZ coordinates, as an MBTiles made from the same data', async () => {
  const [directory, zipped, mbtiles] = [
    await openTileDirectory(plain),
    await openTileDirectory(await makeMvtDirectory(dir, 'mvt-gz', true)),
    await openMbtiles(await makeVectorMbtiles(dir, 'same.mbtiles')),
  ];
  try {
    assert.deepEqual(await directory.zoomLevels(), await mbtiles.zoomLevels());
    for (const { z } of await mbtiles.zoomLevels()) {
      const fromMbtiles = await mbtiles.readBatch(z, null, 1000);
      const fromDirectory = await directory.readBatch(z, null, 1000);
      const fromZipped = await readInSteps(zipped, z, 4);
      assert.deepEqual(names(fromDirectory), names(fromMbtiles), `zoom ${z}`);
      assert.deepEqual(names(fromZipped), names(fromMbtiles), `zoom ${z}`);
      fromMbtiles.forEach((t, i) => {
        assert.deepEqual(Buffer.from(fromDirectory[i]!.data), gunzipSync(t.data), `${z}/${t.x}/${t.y}`);
        // COMPRESS=YES stores gzip, returned as stored.
        assert.deepEqual([...fromZipped[i]!.data.subarray(0, 2)], [0x1f, 0x8b]);
      });
    }
  } finally {
    await Promise.all([directory.close(), zipped.close(), mbtiles.close()]);
  }
});

test('takes the format from the extension: .jpeg is jpg, .png is png', async () => {
  const jpeg = join(dir, 'jpeg-tiles');
  await mkdir(join(jpeg, '3', '4'), { recursive: true });
  await writeFile(join(jpeg, '3', '4', '2.jpeg'), Buffer.from([0xff, 0xd8, 0xff]));
  await writeFile(join(jpeg, '3', '4', '3.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
  await writeFile(join(jpeg, '3', '4', '4.png'), Buffer.from([0x89]));
  const reader = await openTileDirectory(jpeg);
  assert.equal(reader.format, 'jpg');
  assert.deepEqual(names(await reader.readBatch(3, null, 10)), ['3/4/2', '3/4/3']);
  await reader.close();
});

test('a directory without tiles and a missing directory are CACHE_UNREADABLE', async () => {
  const empty = join(dir, 'empty');
  await mkdir(join(empty, '0', '0'), { recursive: true });
  await writeFile(join(empty, '0', '0', 'readme.txt'), 'no tiles here');
  await assert.rejects(openTileDirectory(empty), (e: TesseraError) => {
    assert.equal(e.code, 'CACHE_UNREADABLE');
    assert.equal(e.message, `no tiles in ${empty} (expected z/x/y.png, .jpg, .jpeg, .webp, .pbf or .mvt files)`);
    return true;
  });
  const missing = join(dir, 'missing');
  await assert.rejects(openTileDirectory(missing), (e: TesseraError) => e.code === 'CACHE_UNREADABLE' && e.message.includes(missing));
});

test("readTile reads one z/x/y file with the cache's own extensions, null for anything else", async () => {
  const reader = await openTileDirectory(plain);
  try {
    for (const { z } of await reader.zoomLevels()) {
      for (const t of await reader.readBatch(z, null, 1000)) assert.deepEqual(Buffer.from((await reader.readTile(t.z, t.x, t.y))!), Buffer.from(t.data));
    }
    // Zoom 9 has no tiles; the rest are off the grid.
    for (const [z, x, y] of [
      [9, 0, 0],
      [5, 100, 0],
      [0, 0, 1],
      [-1, 0, 0],
      [5, 0.5, 0],
    ] as const)
      assert.equal(await reader.readTile(z, x, y), null, `${z}/${x}/${y}`);
  } finally {
    await reader.close();
  }
  const jpeg = join(dir, 'jpeg-single');
  await mkdir(join(jpeg, '3', '4'), { recursive: true });
  await writeFile(join(jpeg, '3', '4', '2.jpeg'), Buffer.from([0xff, 0xd8, 0xff, 1]));
  await writeFile(join(jpeg, '3', '4', '3.jpg'), Buffer.from([0xff, 0xd8, 0xff, 2]));
  await writeFile(join(jpeg, '3', '4', '4.png'), Buffer.from([0x89]));
  const jpg = await openTileDirectory(jpeg);
  try {
    assert.deepEqual([...(await jpg.readTile(3, 4, 2))!], [0xff, 0xd8, 0xff, 1]);
    assert.deepEqual([...(await jpg.readTile(3, 4, 3))!], [0xff, 0xd8, 0xff, 2]);
    assert.equal(await jpg.readTile(3, 4, 4), null, 'a .png in a JPEG cache is not a tile');
  } finally {
    await jpg.close();
  }
});
