import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, open, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Compression, type Header, PMTiles, TileType, readVarint } from 'pmtiles';
import type { TesseraError } from '../../shared/errors.js';
import { buildPmtiles } from './testing/pmtiles-fixture.js';
import { FileHandleSource, openPmtiles } from './pmtiles-reader.js';
import { openTileWriter } from './open-tile-writer.js';
import { OLDEST_WRITE_KEY, openPmtilesWriter, workingFileOf } from './pmtiles-writer.js';
import type { TileRecord } from './tile-cache.js';
import { type TileToWrite, tileKey } from './tile-writer.js';
import { COUNTRIES_LAYER, allTiles, fingerprint, realTileBed, withSmallVolume } from './testing/writer-fixtures.js';

const bed = realTileBed('pmtiles-writer');
const { at } = bed;
/** 64 identical tiles at z3: consecutive tile ids with one content, i.e. one stored content and runs. */
const ocean = (): TileRecord[] => {
  const sea = at(10)[0]!.data;
  return Array.from({ length: 64 }, (_, i) => ({ z: 3, x: i >> 3, y: i % 8, data: sea }));
};
const digest = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The archive read through the pmtiles package, the reference reader. */
async function withPackage<T>(path: string, use: (archive: PMTiles) => Promise<T>): Promise<T> {
  const handle = await open(path, 'r');
  try {
    return await use(new PMTiles(new FileHandleSource(handle, path)));
  } finally {
    await handle.close();
  }
}

/** Every tile found by both readers: ours returns bytes as stored, the package decodes tile compression. */
async function assertBothRead(path: string, tiles: readonly TileRecord[], decode: (b: Uint8Array) => Uint8Array = (b) => b): Promise<void> {
  const reader = await openPmtiles(path);
  try {
    const found = await allTiles(reader);
    assert.deepEqual(found.map((t) => `${t.z}/${t.x}/${t.y}`).sort(), tiles.map((t) => `${t.z}/${t.x}/${t.y}`).sort());
    const expected = new Map(tiles.map((t) => [`${t.z}/${t.x}/${t.y}`, digest(t.data)]));
    for (const t of found) assert.equal(digest(t.data), expected.get(`${t.z}/${t.x}/${t.y}`), `our reader: ${t.z}/${t.x}/${t.y}`);
  } finally {
    await reader.close();
  }
  await withPackage(path, async (archive) => {
    for (const t of tiles) {
      const got = await archive.getZxy(t.z, t.x, t.y);
      assert.ok(got, `pmtiles finds ${t.z}/${t.x}/${t.y}`);
      assert.equal(digest(new Uint8Array(got.data)), digest(decode(t.data)), `pmtiles: ${t.z}/${t.x}/${t.y}`);
    }
  });
}

/** The root directory's entries: run length 0 marks a pointer to a leaf directory. */
async function rootEntries(path: string, header: Header): Promise<{ tileId: number; runLength: number }[]> {
  const bytes = await readFile(path);
  const root = gunzipSync(bytes.subarray(header.rootDirectoryOffset, header.rootDirectoryOffset + header.rootDirectoryLength));
  const p = { buf: new Uint8Array(root), pos: 0 };
  const count = readVarint(p);
  const entries: { tileId: number; runLength: number }[] = [];
  for (let i = 0, id = 0; i < count; i++) entries.push({ tileId: (id += readVarint(p)), runLength: 0 });
  for (const e of entries) e.runLength = readVarint(p);
  return entries;
}

async function writeAll(writer: { write(t: TileToWrite[]): Promise<void> }, tiles: readonly TileToWrite[], batch = 10): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; i < tiles.length; i += batch) pending.push(writer.write(tiles.slice(i, i + batch)));
  await Promise.all(pending);
}

const leftovers = async (name: string) => (await readdir(bed.dir)).filter((n) => n.startsWith(name) && n !== name).sort();

test('a raster archive of real PNGs: both readers read every tile; contents stored once, runs folded, leaves', async () => {
  const path = join(bed.dir, 'hillshade.pmtiles');
  const writer = await openPmtilesWriter(path, { format: 'png', leafSize: 5, tileSize: 256 });
  assert.equal(writer.kind, 'pmtiles');
  const tiles = [...bed.hillshade.tiles, ...ocean()];
  await writeAll(writer, tiles);
  await writer.finish({ name: 'hillshade', format: 'png', bounds: bed.hillshade.bounds, minzoom: 3, maxzoom: 10, attribution: 'SRTM' });
  await writer.close();

  await assertBothRead(path, tiles);
  const header = await withPackage(path, (a) => a.getHeader());
  const distinct = new Set(tiles.map((t) => digest(t.data))).size;
  assert.deepEqual(
    [header.tileType, header.tileCompression, header.internalCompression, header.clustered, header.minZoom, header.maxZoom],
    [TileType.Png, Compression.None, Compression.Gzip, true, 3, 10],
  );
  assert.equal(header.numAddressedTiles, tiles.length);
  assert.equal(header.numTileContents, distinct, 'each distinct content stored once');
  assert.ok(header.numTileEntries < tiles.length - 40, `${header.numTileEntries} entries: the ocean's 64 tiles fold into runs`);
  assert.ok(Math.abs(header.minLon - bed.hillshade.bounds[0]) < 1e-6 && Math.abs(header.maxLat - bed.hillshade.bounds[3]) < 1e-6);
  assert.ok(header.rootDirectoryOffset + header.rootDirectoryLength <= 16_384);
  assert.ok(
    (await rootEntries(path, header)).every((e) => e.runLength === 0),
    'the root only points at leaves',
  );
  const metadata = (await withPackage(path, (a) => a.getMetadata())) as Record<string, unknown>;
  assert.deepEqual(
    { ...metadata, [OLDEST_WRITE_KEY]: typeof metadata[OLDEST_WRITE_KEY] },
    { name: 'hillshade', attribution: 'SRTM', format: 'png', tileSize: 256, [OLDEST_WRITE_KEY]: 'number' },
  );
  assert.deepEqual(await leftovers('hillshade.pmtiles'), [], 'no working file, no temp file');
});

test('a vector archive keeps its tiles gzipped (tile compression gzip) and lists vector_layers in its metadata', async () => {
  const path = join(bed.dir, 'countries.pmtiles');
  const writer = await openTileWriter(path, { format: 'pbf' });
  const [rawTile, ...gzipped] = bed.countries.tiles;
  await writeAll(writer, gzipped, 25);
  // A tile that arrives uncompressed is gzipped, as the header declares for all of them.
  await writer.write([{ ...rawTile!, data: gunzipSync(rawTile!.data) }]);
  await writer.finish({ name: 'countries', format: 'pbf', bounds: bed.countries.bounds, minzoom: 0, maxzoom: 4, vectorLayers: [COUNTRIES_LAYER] });
  await writer.close();

  const reader = await openPmtiles(path);
  const stored = (await reader.readTile(rawTile!.z, rawTile!.x, rawTile!.y))!;
  await reader.close();
  assert.deepEqual(gunzipSync(stored), gunzipSync(rawTile!.data));
  await assertBothRead(path, [...gzipped, { ...rawTile!, data: stored }], (b) => gunzipSync(b));
  const header = await withPackage(path, (a) => a.getHeader());
  assert.deepEqual([header.tileType, header.tileCompression, header.minZoom, header.maxZoom], [TileType.Mvt, Compression.Gzip, 0, 4]);
  const metadata = (await withPackage(path, (a) => a.getMetadata())) as { vector_layers: unknown };
  assert.deepEqual(metadata.vector_layers, [{ id: 'countries', minzoom: 0, maxzoom: 4, fields: { id: 'String', name: 'String' } }]);
});

test('20,000 distinct tiles: the default split keeps the root within 16 KiB through leaves; both readers find every tile', async (t) => {
  const path = join(bed.dir, 'many.pmtiles');
  const writer = await openTileWriter(path, { format: 'png' });
  // Lengths that vary like real tiles', so the directory does not compress into the root by itself.
  let seed = 42;
  const nextLength = () => 40 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 600);
  const tiles: TileRecord[] = [];
  for (let x = 0; x < 160; x++) {
    for (let y = 0; y < 125; y++) {
      const data = new Uint8Array(nextLength());
      data.set([x, y, (x * 7 + y) % 256]);
      tiles.push({ z: 8, x, y, data });
    }
  }
  await writeAll(writer, tiles, 1000);
  const started = performance.now();
  await writer.finish({ name: 'many', format: 'png', bounds: [-180, -60, 45, 85], minzoom: 8, maxzoom: 8 });
  t.diagnostic(`finish (archive of ${tiles.length} tiles): ${(performance.now() - started).toFixed(0)} ms`);
  await writer.close();

  const header = await withPackage(path, (a) => a.getHeader());
  assert.deepEqual([header.numAddressedTiles, header.numTileEntries, header.numTileContents], [20_000, 20_000, 20_000]);
  assert.ok(header.rootDirectoryOffset + header.rootDirectoryLength <= 16_384, `root of ${header.rootDirectoryLength} bytes`);
  const root = await rootEntries(path, header);
  assert.ok(root.length > 1 && root.every((e) => e.runLength === 0), `${root.length} leaves`);
  await assertBothRead(path, tiles);
});

test('resume: a stopped job leaves its working file; an archive without one is imported; finish keeps old and new tiles', async () => {
  const path = join(bed.dir, 'resumed.pmtiles');
  const started = Date.now();
  const first = await openTileWriter(path, { format: 'png' });
  await first.write([...at(7), ...at(8)]);
  await first.close();
  assert.deepEqual(await leftovers('resumed.pmtiles'), ['resumed.pmtiles.work.mbtiles'], 'stopped: no archive yet, only the working file');

  const second = await openTileWriter(path, { format: 'png' });
  assert.equal((await second.writtenAt(8, 0, 0, 255, 255)).size, at(8).length);
  await second.write(at(9));
  await second.finish({ name: 'resumed', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 9 });
  await second.close();
  assert.deepEqual(await leftovers('resumed.pmtiles'), []);
  await assertBothRead(path, [...at(7), ...at(8), ...at(9)]);

  // The working file is gone: the archive's tiles are imported, with the archive's oldest write time.
  const importedAt = Date.now();
  const third = await openTileWriter(path, { format: 'png' });
  const times = await third.writtenAt(9, 0, 0, 511, 511);
  assert.deepEqual(
    [...times.keys()].sort(),
    at(9)
      .map((t) => tileKey(t.x, t.y))
      .sort(),
  );
  const [oldest] = new Set([...times.values(), ...(await third.writtenAt(7, 0, 0, 127, 127)).values()]);
  assert.ok(oldest! >= started && oldest! <= importedAt, `imported tiles written at ${oldest}`);
  await third.write(at(10));
  await third.finish({ name: 'resumed', format: 'png', bounds: [11, 57.2, 11.5, 57.5], minzoom: 10, maxzoom: 10 });
  await third.close();

  await assertBothRead(path, bed.hillshade.tiles);
  const header = await withPackage(path, (a) => a.getHeader());
  assert.deepEqual([header.minZoom, header.maxZoom], [7, 10]);
  assert.ok(
    Math.abs(header.minLon - bed.hillshade.bounds[0]) < 1e-6 && Math.abs(header.minLat - bed.hillshade.bounds[1]) < 1e-6,
    'bounds still cover the first jobs',
  );
});

test('an existing archive of another format, or a file that is not PMTiles, is refused (BAD_INPUT naming it) and left untouched', async () => {
  const raster = join(bed.dir, 'raster.pmtiles');
  const writer = await openTileWriter(raster, { format: 'png' });
  await writer.write(at(7));
  await writer.finish({ name: 'raster', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 7 });
  await writer.close();
  const sqlite = join(bed.dir, 'sqlite.pmtiles');
  await copyFile(bed.hillshade.source, sqlite);
  const text = join(bed.dir, 'text.pmtiles');
  await writeFile(text, 'hello\n');

  for (const [path, format, why] of [
    [raster, 'pbf', /holds png tiles, not pbf/],
    [sqlite, 'png', /not a PMTiles archive/],
    [text, 'png', /not a PMTiles archive/],
  ] as const) {
    const before = await fingerprint(path);
    await assert.rejects(openTileWriter(path, { format }), (e: TesseraError) => {
      assert.equal(e.code, 'BAD_INPUT');
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, why);
      return true;
    });
    assert.equal(await fingerprint(path), before);
    assert.deepEqual(await readdir(bed.dir).then((names) => names.filter((n) => n.startsWith(workingFileOf(path).slice(bed.dir.length + 1)))), []);
  }
});

test('a finish that fails on a full disk is WRITE_FAILED and leaves the previous archive and the working file', (t) =>
  withSmallVolume(t, bed.dir, 3, async (volume) => {
    const path = join(volume.path, 'full.pmtiles');
    const first = await openTileWriter(path, { format: 'png' });
    await first.write(at(7));
    await first.finish({ name: 'full', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 7 });
    await first.close();
    const archive = await fingerprint(path);

    const second = await openTileWriter(path, { format: 'png' });
    await second.write([...at(8), ...at(9), ...at(10)]);
    await volume.fill();
    await assert.rejects(second.finish({ name: 'full', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 10 }), (e: TesseraError) => {
      assert.equal(e.code, 'WRITE_FAILED');
      assert.ok(e.message.includes(path), e.message);
      return true;
    });
    assert.equal(await fingerprint(path), archive, 'the previous archive is untouched');
    assert.deepEqual((await readdir(volume.path)).filter((n) => n.startsWith('full.pmtiles.')).sort(), [
      'full.pmtiles.work.mbtiles',
      'full.pmtiles.work.mbtiles-shm',
      'full.pmtiles.work.mbtiles-wal',
    ]);
    await volume.free();
    await second.finish({ name: 'full', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 10 });
    await second.close();
    await assertBothRead(path, bed.hillshade.tiles);
  }));

test("an archive made elsewhere is imported as written at 0, its raw vector tiles gzipped like the job's own", async () => {
  const path = join(bed.dir, 'foreign.pmtiles');
  const raw = bed.countries.tiles.filter((t) => t.z < 3).map((t) => ({ ...t, data: new Uint8Array(gunzipSync(t.data)) }));
  await writeFile(path, buildPmtiles(raw, { tileType: TileType.Mvt, bounds: bed.countries.bounds, leafSize: 4, metadata: { name: 'foreign' } }));
  const writer = await openTileWriter(path, { format: 'pbf' });
  const times = await writer.writtenAt(2, 0, 0, 3, 3);
  assert.equal(times.size, raw.filter((t) => t.z === 2).length);
  assert.deepEqual(new Set(times.values()), new Set([0]));
  const newer = bed.countries.tiles.filter((t) => t.z >= 3);
  await writer.write(newer);
  await writer.finish({ name: 'foreign', format: 'pbf', bounds: bed.countries.bounds, minzoom: 0, maxzoom: 4, vectorLayers: [COUNTRIES_LAYER] });
  await writer.close();
  // Both readers: the package inflates every tile (all gzipped now), ours returns them gzipped.
  await withPackage(path, async (archive) => {
    for (const t of [...raw, ...newer]) {
      const got = await archive.getZxy(t.z, t.x, t.y);
      assert.equal(digest(new Uint8Array(got!.data)), digest(t.z < 3 ? t.data : gunzipSync(t.data)), `${t.z}/${t.x}/${t.y}`);
    }
  });
  const reader = await openPmtiles(path);
  assert.ok((await allTiles(reader)).every((t) => t.data[0] === 0x1f && t.data[1] === 0x8b));
  await reader.close();
});

test('a temp archive left by a build that crashed is removed; one of a live process is not', async () => {
  const path = join(bed.dir, 'crashed.pmtiles');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  await writeFile(`${path}.tmp-${dead}`, 'half an archive');
  await writeFile(`${path}.tmp-${process.ppid}`, 'another build in progress');
  const writer = await openTileWriter(path, { format: 'png' });
  await writer.close();
  assert.deepEqual(await leftovers('crashed.pmtiles'), [`crashed.pmtiles.tmp-${process.ppid}`, 'crashed.pmtiles.work.mbtiles']);
});
