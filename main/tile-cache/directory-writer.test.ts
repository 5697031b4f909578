import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import sharp from 'sharp';
import type { TesseraError } from '../../shared/errors.js';
import { openTileDirectory } from './directory-reader.js';
import { openDirectoryWriter } from './directory-writer.js';
import { openTileWriter } from './open-tile-writer.js';
import { tileKey } from './tile-writer.js';
import {
  COUNTRIES_LAYER,
  assertFailsWhenFull,
  assertSameTiles,
  fingerprint,
  ogrLayers,
  readBack,
  realTileBed,
  withSmallVolume,
} from './testing/writer-fixtures.js';

const bed = realTileBed('directory-writer');
const { at } = bed;

/** Every file under `path` whose name is not a tile, a folder or metadata.json (temp files, say). */
async function strayFiles(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && !/^\d+\.(png|jpg|jpeg|webp|pbf|mvt)$/.test(e.name) && e.name !== 'metadata.json').map((e) => e.name);
}

test('a raster directory of real PNGs: z/x/y.png files the directory reader reads back, and TileJSON metadata', async () => {
  const path = join(bed.dir, 'hillshade');
  const writer = await openTileWriter(path, { format: 'png', tileSize: 256 });
  assert.equal(writer.kind, 'directory');
  await Promise.all([writer.write(bed.hillshade.tiles.slice(0, 20)), writer.write(bed.hillshade.tiles.slice(20))]);
  await writer.finish({ name: 'hillshade', format: 'png', bounds: bed.hillshade.bounds, minzoom: 7, maxzoom: 10, attribution: 'SRTM' });
  await writer.close();

  const [first] = at(10);
  assert.deepEqual(await readFile(join(path, '10', String(first!.x), `${first!.y}.png`)), Buffer.from(first!.data));
  const { tiles } = await readBack(openTileDirectory(path));
  assertSameTiles(tiles, bed.hillshade.tiles);
  assert.deepEqual(JSON.parse(await readFile(join(path, 'metadata.json'), 'utf8')), {
    tilejson: '3.0.0',
    tiles: ['{z}/{x}/{y}.png'],
    name: 'hillshade',
    attribution: 'SRTM',
    scheme: 'xyz',
    format: 'png',
    bounds: bed.hillshade.bounds.map((v) => Number(v.toFixed(7))),
    center: [11.5001479, 57.5001818, 7],
    minzoom: 7,
    maxzoom: 10,
    tileSize: 256,
  });
  assert.deepEqual(await strayFiles(path), [], 'no temp files left');
});

test('vector tiles are stored gzipped as given; GDAL reads the directory and its layer from metadata.json', async () => {
  const path = join(bed.dir, 'countries');
  const writer = await openTileWriter(path, { format: 'pbf' });
  await writer.write(bed.countries.tiles);
  await writer.finish({
    name: 'countries',
    format: 'pbf',
    bounds: bed.countries.bounds,
    minzoom: 0,
    maxzoom: 4,
    vectorLayers: [{ ...COUNTRIES_LAYER, fields: { ...COUNTRIES_LAYER.fields, declared: 'Number' } }],
  });
  await writer.close();

  const { tiles, metadata } = await readBack(openTileDirectory(path));
  assertSameTiles(tiles, bed.countries.tiles);
  const stored = await readFile(join(path, '0', '0', '0.pbf'));
  assert.deepEqual([stored[0], stored[1]], [0x1f, 0x8b], 'gzip magic');
  assert.ok(gunzipSync(stored).length > stored.length);
  assert.deepEqual(JSON.parse(metadata.vector_layers!), [
    { id: 'countries', minzoom: 0, maxzoom: 4, fields: { id: 'String', name: 'String', declared: 'Number' } },
  ]);
  // GDAL opens a zoom level of a tile directory and takes the layers from the parent's metadata.json
  // (a field only declared there proves the file was read).
  const layers = await ogrLayers(join(path, '4'));
  assert.deepEqual(
    layers.map((l) => [l.name, l.features, l.fields]),
    (await ogrLayers(bed.countries.source)).map((l) => [l.name, l.features, [...l.fields, 'declared']]),
  );
});

test('writtenAt: the tiles of the range asked with their files’ modification times; a rewrite refreshes them', async () => {
  const path = join(bed.dir, 'times');
  const writer = await openTileWriter(path, { format: 'png' });
  const z10 = at(10);
  await writer.write(z10);
  const old = new Date('2024-01-02T03:04:05Z');
  for (const t of z10.slice(0, 5)) await utimes(join(path, '10', String(t.x), `${t.y}.png`), old, old);

  const xs = z10.map((t) => t.x);
  const ys = z10.map((t) => t.y);
  const times = await writer.writtenAt(10, Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
  assert.deepEqual([...times.keys()].sort(), z10.map((t) => tileKey(t.x, t.y)).sort());
  for (const t of z10.slice(0, 5)) assert.equal(times.get(tileKey(t.x, t.y)), old.getTime());
  const one = z10[7]!;
  assert.deepEqual([...(await writer.writtenAt(10, one.x, one.y, one.x, one.y)).keys()], [tileKey(one.x, one.y)]);
  assert.equal((await writer.writtenAt(9, 0, 0, 511, 511)).size, 0);
  await writer.write(z10.slice(0, 5));
  const refreshed = await writer.writtenAt(10, 0, 0, 1023, 1023);
  for (const t of z10.slice(0, 5)) assert.ok(refreshed.get(tileKey(t.x, t.y))! > old.getTime());

  await writer.remove(z10.slice(0, 5));
  assert.equal((await writer.writtenAt(10, 0, 0, 1023, 1023)).size, z10.length - 5);

  // The file system's clock against ours: a local disk stamps files with this machine's clock
  // (within its timestamp granularity), and the probe file does not stay.
  const offset = await writer.clockOffsetMs!();
  assert.ok(Math.abs(offset) < 1000, `offset ${offset} ms`);
  assert.deepEqual(
    (await readdir(path)).filter((n) => n.startsWith('.tessera-clock')),
    [],
  );
  await writer.close();
});

test('an existing directory is continued in its own spelling (.jpeg stays .jpeg)', async () => {
  const path = join(bed.dir, 'jpeg-cache');
  const jpeg = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40, g: 90, b: 160 } } })
    .jpeg()
    .toBuffer();
  await mkdir(join(path, '1', '0'), { recursive: true });
  await writeFile(join(path, '1', '0', '0.jpeg'), jpeg);
  const writer = await openTileWriter(path, { format: 'jpg' });
  assert.equal((await writer.writtenAt(1, 0, 0, 1, 1)).size, 1);
  await writer.write([{ z: 1, x: 1, y: 1, data: jpeg }]);
  await writer.close();
  assert.deepEqual(await readdir(join(path, '1', '1')), ['1.jpeg']);
});

test('a file, a folder of other things, or a directory of another format is refused (BAD_INPUT naming it) and left untouched', async () => {
  const file = join(bed.dir, 'plain-file');
  await writeFile(file, 'x');
  const documents = join(bed.dir, 'documents');
  await mkdir(documents);
  await writeFile(join(documents, 'report.odt'), 'x');
  const raster = join(bed.dir, 'raster-dir');
  const writer = await openTileWriter(raster, { format: 'png' });
  await writer.write(at(7));
  await writer.close();

  for (const [path, why] of [
    [file, /it is a file/],
    [documents, /folder of other files \(report\.odt\)/],
    [raster, /holds png tiles, not pbf/],
  ] as const) {
    const before = (await stat(path)).isDirectory() ? JSON.stringify(await readdir(path, { recursive: true })) : await fingerprint(path);
    await assert.rejects(openTileWriter(path, { format: 'pbf' }), (e: TesseraError) => {
      assert.equal(e.code, 'BAD_INPUT');
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, why);
      return true;
    });
    assert.equal((await stat(path)).isDirectory() ? JSON.stringify(await readdir(path, { recursive: true })) : await fingerprint(path), before);
  }
});

test('a write on a full disk is WRITE_FAILED naming the directory; earlier tiles stay whole and no temp file is left', (t) =>
  withSmallVolume(t, bed.dir, 1, async (volume) => {
    const path = join(volume.path, 'tiles');
    const writer = await openDirectoryWriter(path, { format: 'png' });
    await writer.write(at(7));
    await assertFailsWhenFull(volume, () => writer.write(at(10)), path, /^ENOSPC$/);
    assert.deepEqual(await strayFiles(path), []);
    assertSameTiles(
      (await readBack(openTileDirectory(path))).tiles.filter((x) => x.z === 7),
      at(7),
    );
    await volume.free();
    await writer.write(at(10));
    await writer.close();
    assertSameTiles((await readBack(openTileDirectory(path))).tiles, [...at(7), ...at(10)]);
  }));
