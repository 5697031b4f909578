import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { PbfWriter } from 'pbf';
import sharp from 'sharp';
import { flipY } from '../shared/tile-grid.js';
import { createAbortFlag, raiseAbortFlag } from './abort-flag.js';
import { verifyTiles as pooledVerifyTiles } from './pool-entry.js';
import { verifyTiles, type VerifyTilesResult, type VerifyTilesTask } from './verify-tiles.js';

type Tile = VerifyTilesTask['tiles'][number];

let dir: string;
let png: string;
let png8: string;
let jpeg: string;
let vector: string;

/** Runs a GDAL command-line tool; its stderr is in the error if it fails. */
function gdal(tool: string, args: string[]): void {
  execFileSync(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-verify-'));
  // A synthetic DEM (a ramp inside a disc, nodata around it, so edge tiles are part transparent).
  const size = 512;
  const lines = [`ncols ${size}`, `nrows ${size}`, 'xllcorner 2', 'yllcorner 48', 'cellsize 0.002', 'NODATA_value 0'];
  for (let r = 0; r < size; r++) {
    const row: number[] = [];
    for (let c = 0; c < size; c++) row.push((r - 256) ** 2 + (c - 256) ** 2 < 240 ** 2 ? ((r * 7 + c * 3) % 250) + 1 : 0);
    lines.push(row.join(' '));
  }
  await writeFile(join(dir, 'dem.asc'), lines.join('\n'));
  gdal('gdal_translate', ['-q', '-a_srs', 'EPSG:4326', '-ot', 'Byte', join(dir, 'dem.asc'), join(dir, 'dem.tif')]);
  [png, png8, jpeg] = ['PNG', 'PNG8', 'JPEG'].map((format) => {
    const out = join(dir, `dem-${format}.mbtiles`);
    gdal('gdal_translate', ['-q', '-of', 'MBTILES', '-co', `TILE_FORMAT=${format}`, join(dir, 'dem.tif'), out]);
    gdal('gdaladdo', ['-q', '-r', 'average', out, '2', '4']);
    return out;
  }) as [string, string, string];
  await writeFile(
    join(dir, 'sample.geojson'),
    JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { name: 'a' }, geometry: { type: 'Point', coordinates: [2.35, 48.85] } },
        {
          type: 'Feature',
          properties: { name: 'b' },
          geometry: {
            type: 'LineString',
            coordinates: [
              [-70, 40],
              [10, 50],
              [120, -30],
            ],
          },
        },
        {
          type: 'Feature',
          properties: { name: 'c' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [-10, -10],
                [30, -10],
                [30, 20],
                [-10, 20],
                [-10, -10],
              ],
            ],
          },
        },
      ],
    }),
  );
  vector = join(dir, 'vector.mbtiles');
  gdal('ogr2ogr', ['-f', 'MBTILES', vector, join(dir, 'sample.geojson'), '-dsco', 'MAXZOOM=4']);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Every tile of an MBTiles file, XYZ rows, in (z, x, y) order. */
function readTiles(path: string): Tile[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT zoom_level AS z, tile_column AS x, tile_row AS row, tile_data AS data FROM tiles ORDER BY z, x, row DESC').all() as {
    z: number;
    x: number;
    row: number;
    data: Buffer;
  }[];
  db.close();
  return rows.map(({ z, x, row, data }) => ({ z, x, y: flipY(z, row), data: new Uint8Array(data) }));
}

/** Runs the worker over `tiles` in batches, as the engine does, and adds the results up. */
async function verifyAll(tiles: Tile[], format: VerifyTilesTask['format'], maxTileBytes = 1_000_000, batch = 7): Promise<VerifyTilesResult> {
  const total: VerifyTilesResult = { checked: 0, bytes: 0, corrupt: 0, empty: 0, oversized: 0, issues: [] };
  for (let i = 0; i < tiles.length; i += batch) {
    const r = await verifyTiles({ tiles: tiles.slice(i, i + batch), format, maxTileBytes });
    total.checked += r.checked;
    total.bytes += r.bytes;
    total.corrupt += r.corrupt;
    total.empty += r.empty;
    total.oversized += r.oversized;
    total.issues.push(...r.issues);
  }
  return total;
}

const issueNames = (r: VerifyTilesResult) => r.issues.map((i) => `${i.z}/${i.x}/${i.y} ${i.issue}`);
const tile = (data: Uint8Array, x = 0): Tile => ({ z: 1, x, y: 0, data });
const detailOf = async (data: Uint8Array, format: VerifyTilesTask['format'] = 'unknown') =>
  (await verifyTiles({ tiles: [tile(data)], format, maxTileBytes: 1e9 })).issues;

/** Deterministic garbage (xorshift), so a failure reproduces. */
function garbage(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

test('every tile GDAL wrote (PNG, palette PNG, JPEG, gzipped MVT) decodes cleanly', async () => {
  for (const [path, format] of [
    [png, 'png'],
    [png8, 'png'],
    [jpeg, 'jpg'],
    [vector, 'pbf'],
  ] as const) {
    const tiles = readTiles(path);
    assert.ok(tiles.length >= 10, `${path} has tiles`);
    const r = await verifyAll(tiles, format);
    assert.deepEqual(r.issues, [], path);
    assert.equal(r.checked, tiles.length);
    assert.equal(
      r.bytes,
      tiles.reduce((n, t) => n + t.data.byteLength, 0),
    );
    assert.deepEqual([r.corrupt, r.empty, r.oversized], [0, 0, 0]);
  }
  // The same vector tiles uncompressed, and declared 'unknown': the bytes say what they are.
  const raw = readTiles(vector).map((t) => ({ ...t, data: new Uint8Array(gunzipSync(t.data)) }));
  assert.deepEqual((await verifyAll(raw, 'pbf')).issues, []);
  assert.deepEqual((await verifyAll(raw, 'unknown')).issues, []);
  assert.deepEqual((await verifyAll(readTiles(png), 'pbf')).issues, [], 'PNG bytes in a cache that says pbf are still PNG');
});

test('a damaged copy of a GDAL MBTiles: exactly the damaged tiles are reported, with what is wrong', async () => {
  const damaged = join(dir, 'damaged.mbtiles');
  await copyFile(png, damaged);
  const transparent = await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .png()
    .toBuffer();
  const ocean = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 30, g: 80, b: 200 } } })
    .png()
    .toBuffer();
  const db = new Database(damaged);
  // The z9 tiles in XYZ order (x ascending, TMS row descending), so the damage lands on known names.
  const z9 = db.prepare('SELECT tile_column AS x, tile_row AS row, length(tile_data) AS n FROM tiles WHERE zoom_level = 9 ORDER BY x, row DESC').all() as {
    x: number;
    row: number;
    n: number;
  }[];
  assert.ok(z9.length >= 9, 'enough z9 tiles to damage');
  const set = (i: number, sql: string, ...params: unknown[]) =>
    db.prepare(`UPDATE tiles SET tile_data = ${sql} WHERE zoom_level = 9 AND tile_column = ? AND tile_row = ?`).run(...params, z9[i]!.x, z9[i]!.row);
  set(0, 'substr(tile_data, 1, 40)');
  set(1, `X''`);
  set(2, 'randomblob(500)');
  set(3, '?', transparent);
  set(4, '?', ocean);
  set(5, 'substr(tile_data, 1, length(tile_data) - 10)');
  set(6, 'substr(tile_data, 1, length(tile_data) / 2)');
  const original = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = 9 AND tile_column = ? AND tile_row = ?').get(z9[7]!.x, z9[7]!.row) as {
    tile_data: Buffer;
  };
  const garbled = Buffer.from(original.tile_data);
  for (let i = 100; i < 160; i++) garbled[i]! ^= 0x5a;
  set(7, '?', garbled);
  db.close();

  const tiles = readTiles(damaged);
  const y = (i: number) => flipY(9, z9[i]!.row);
  const name = (i: number) => `9/${z9[i]!.x}/${y(i)}`;
  // Oversized: a threshold just under the largest tile, so the largest one (or ones) are over it.
  const largest = Math.max(...tiles.map((t) => t.data.byteLength));
  const threshold = largest - 1;
  const result = await verifyAll(tiles, 'png', threshold);

  const corrupt = [0, 1, 2, 5, 6, 7].map(name);
  const expected = tiles.flatMap((t) => {
    const n = `${t.z}/${t.x}/${t.y}`;
    const found: string[] = [];
    if (corrupt.includes(n)) found.push(`${n} corrupt`);
    if (n === name(3)) found.push(`${n} empty`);
    if (t.data.byteLength > threshold) found.push(`${n} oversized`);
    return found;
  });
  assert.deepEqual(issueNames(result), expected);
  assert.deepEqual([result.corrupt, result.empty], [6, 1]);
  assert.ok(result.oversized >= 1);
  assert.equal(result.checked, tiles.length);

  const detail = (i: number) => result.issues.find((x) => `${x.z}/${x.x}/${x.y}` === name(i))!.detail;
  assert.equal(detail(1), '0 bytes');
  assert.equal(detail(3), 'fully transparent');
  assert.match(detail(0), /^png: /);
  assert.match(detail(2), /^png: .*unsupported image format/);
  assert.equal(detail(5), 'png: no IEND chunk at the end (truncated)');
  // libvips keeps one error buffer for concurrent decodes, so libpng's own words are sometimes
  // replaced by sharp's "Unknown error"; the tile is reported corrupt either way.
  assert.match(detail(7), /^png: (.*libpng|Unknown error)/);
  const over = result.issues.find((x) => x.issue === 'oversized')!;
  assert.equal(over.detail, `${largest.toLocaleString('en-US')} bytes > ${threshold.toLocaleString('en-US')}`);
});

test('images: truncated or garbled JPEG and WebP are corrupt; transparent is empty, uniform opaque is not', async () => {
  const [jpegTile] = readTiles(jpeg).sort((a, b) => b.data.byteLength - a.data.byteLength);
  const j = jpegTile!.data;
  assert.deepEqual(await detailOf(j, 'jpg'), []);
  assert.match((await detailOf(j.subarray(0, j.length - 10), 'jpg'))[0]!.detail, /^jpg: .*premature end of JPEG/i);
  assert.match((await detailOf(j.subarray(0, 300), 'jpg'))[0]!.detail, /^jpg: /);
  const garbledJpeg = Buffer.from(j);
  for (let i = 200; i < 260; i++) garbledJpeg[i]! ^= 0x5a;
  assert.equal((await detailOf(garbledJpeg, 'jpg'))[0]?.issue, 'corrupt');

  const [pngTile] = readTiles(png).sort((a, b) => b.data.byteLength - a.data.byteLength);
  const webp = await sharp(pngTile!.data).webp({ lossless: true }).toBuffer();
  assert.deepEqual(await detailOf(webp, 'png'), [], 'a WebP in a png cache is decoded as WebP');
  assert.equal((await detailOf(webp.subarray(0, webp.length >> 1), 'webp'))[0]?.issue, 'corrupt');
  const clearWebp = await sharp({ create: { width: 256, height: 256, channels: 4, background: '#00000000' } })
    .webp({ lossless: true })
    .toBuffer();
  assert.deepEqual(await detailOf(clearWebp, 'webp'), [{ z: 1, x: 0, y: 0, issue: 'empty', detail: 'fully transparent' }]);

  const clearPalette = await sharp({ create: { width: 256, height: 256, channels: 4, background: '#00000000' } })
    .png({ palette: true })
    .toBuffer();
  assert.equal((await sharp(clearPalette).metadata()).isPalette, true);
  assert.deepEqual(await detailOf(clearPalette, 'png'), [{ z: 1, x: 0, y: 0, issue: 'empty', detail: 'fully transparent' }]);
  const halfClear = await sharp({ create: { width: 256, height: 256, channels: 4, background: '#00000000' } })
    .composite([{ input: { create: { width: 1, height: 1, channels: 4, background: '#ff000080' } }, left: 10, top: 10 }])
    .png()
    .toBuffer();
  assert.deepEqual(await detailOf(halfClear, 'png'), [], 'one visible pixel is not empty');
  const huge = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  assert.match((await detailOf(huge, 'png'))[0]!.detail, /^png: .*pixel limit/);
  const white = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#ffffff' } })
    .jpeg()
    .toBuffer();
  assert.deepEqual(await detailOf(white, 'jpg'), [], 'a uniform opaque tile is a real tile');
});

test('vector tiles: truncated, garbled or featureless tiles are found; gzip is handled', async () => {
  const gz = readTiles(vector).sort((a, b) => b.data.byteLength - a.data.byteLength)[0]!.data;
  const mvt = gunzipSync(gz);
  assert.deepEqual(await detailOf(mvt, 'pbf'), []);
  // Cut anywhere, the tile must not pass as good (or as merely empty).
  for (let cut = 1; cut < mvt.length; cut++) {
    const issues = await detailOf(mvt.subarray(0, cut), 'pbf');
    assert.equal(issues[0]?.issue, 'corrupt', `cut at ${cut} of ${mvt.length}: ${JSON.stringify(issues)}`);
    assert.match(issues[0]!.detail, /^pbf: /);
  }
  assert.deepEqual(await detailOf(gzipSync(mvt.subarray(0, mvt.length - 3)), 'pbf'), [
    { z: 1, x: 0, y: 0, issue: 'corrupt', detail: 'gzipped pbf: layer 1 runs past the end of the tile (truncated)' },
  ]);
  assert.match((await detailOf(gz.subarray(0, gz.length - 4), 'pbf'))[0]!.detail, /^gzip: unexpected end of file/);
  const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024));
  assert.match((await detailOf(bomb, 'pbf'))[0]!.detail, /^gzip: .*larger than/);
  for (let seed = 1; seed <= 20; seed++) {
    assert.equal((await detailOf(garbage(400, seed), 'pbf'))[0]?.issue, 'corrupt', `garbage seed ${seed}`);
  }

  const emptyLayer = new PbfWriter();
  emptyLayer.writeMessage(
    3,
    (_: null, p: PbfWriter) => {
      p.writeVarintField(15, 2);
      p.writeStringField(1, 'roads');
      p.writeVarintField(5, 4096);
    },
    null,
  );
  assert.deepEqual(await detailOf(emptyLayer.finish(), 'pbf'), [{ z: 1, x: 0, y: 0, issue: 'empty', detail: 'no features in 1 layer' }]);
  assert.deepEqual(await detailOf(gzipSync(Buffer.alloc(0)), 'pbf'), [{ z: 1, x: 0, y: 0, issue: 'empty', detail: 'no layers' }]);
  assert.deepEqual(await detailOf(new Uint8Array(0), 'pbf'), [{ z: 1, x: 0, y: 0, issue: 'corrupt', detail: '0 bytes' }]);

  const noGeometry = new PbfWriter();
  noGeometry.writeMessage(
    3,
    (_: null, p: PbfWriter) => {
      p.writeVarintField(15, 2);
      p.writeStringField(1, 'roads');
      p.writeMessage(2, (__: null, f: PbfWriter) => f.writeVarintField(3, 2), null);
    },
    null,
  );
  assert.deepEqual(await detailOf(noGeometry.finish(), 'pbf'), [{ z: 1, x: 0, y: 0, issue: 'corrupt', detail: 'pbf: feature has no geometry' }]);
});

test('oversized is reported on top of the decode result, and issues keep the order of the tiles', async () => {
  const tiles = readTiles(png).slice(0, 9);
  tiles[2] = { ...tiles[2]!, data: new Uint8Array(0) };
  tiles[5] = { ...tiles[5]!, data: tiles[5]!.data.subarray(0, 40) };
  // Exactly the limit is not over it.
  const max = tiles[0]!.data.byteLength;
  const r = await verifyTiles({ tiles, format: 'png', maxTileBytes: max });
  const expected = tiles.flatMap((t, i) => {
    const n = `${t.z}/${t.x}/${t.y}`;
    return [...(i === 2 || i === 5 ? [`${n} corrupt`] : []), ...(t.data.byteLength > max ? [`${n} oversized`] : [])];
  });
  assert.deepEqual(issueNames(r), expected);
  assert.ok(!issueNames(r).includes(`${tiles[0]!.z}/${tiles[0]!.x}/${tiles[0]!.y} oversized`));
  assert.equal(r.oversized, tiles.filter((t) => t.data.byteLength > max).length);
  assert.ok(r.oversized >= 1);
});

test('stops between tiles with ABORTED when the flag is raised, before or during the batch', async () => {
  const tiles = readTiles(png);
  const flag = createAbortFlag();
  raiseAbortFlag(flag);
  await assert.rejects(verifyTiles({ tiles, format: 'png', maxTileBytes: 1e6, abort: flag }), { code: 'ABORTED' });

  const many = Array.from({ length: 50 }, () => tiles).flat();
  const later = createAbortFlag();
  const run = verifyTiles({ tiles: many, format: 'png', maxTileBytes: 1e6, abort: later });
  setImmediate(() => raiseAbortFlag(later));
  await assert.rejects(run, { code: 'ABORTED' });

  // Through the pool entry the error crosses threads as its plain wire form, code intact.
  await assert.rejects(pooledVerifyTiles({ tiles, format: 'png', maxTileBytes: 1e6, abort: flag }), (e: unknown) => {
    assert.equal(e instanceof Error, false);
    assert.equal((e as { code: string }).code, 'ABORTED');
    return true;
  });
  // Without a flag nothing is aborted.
  assert.equal((await pooledVerifyTiles({ tiles: tiles.slice(0, 3), format: 'png', maxTileBytes: 1e6 })).checked, 3);
});
