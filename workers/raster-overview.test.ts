import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { downsampleInto, rasterOverviewTiles } from './raster-overview.js';
import type { TileEncoding } from './raster-tiles.js';

const PNG: TileEncoding = { format: 'png', quality: 80, png: { palette: false, compressionLevel: 6, adaptiveFiltering: true } };

/** A 256-px PNG filled with one colour (grey when `rgb` has one value). */
async function solid(rgb: number[], alpha = 255): Promise<Uint8Array> {
  const channels = rgb.length + 1;
  const px = Buffer.alloc(256 * 256 * channels);
  for (let i = 0; i < px.length; i += channels) {
    rgb.forEach((v, c) => (px[i + c] = v));
    px[i + channels - 1] = alpha;
  }
  let image = sharp(px, { raw: { width: 256, height: 256, channels: channels as 2 | 4 } });
  if (rgb.length === 1) image = image.toColourspace('b-w');
  return new Uint8Array(await image.png().toBuffer());
}

async function rgbaAt(png: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data } = await sharp(png).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * 256 + x) * 4;
  return [...data.subarray(i, i + 4)];
}

test('a parent is its four children averaged 2×2: each child fills its quarter, a missing child leaves its quarter transparent', async () => {
  const [red, green, blue] = await Promise.all([solid([200, 0, 0]), solid([0, 150, 0]), solid([0, 0, 100])]);
  const result = await rasterOverviewTiles({ tileSize: 256, colour: 3, tiles: [{ x: 3, y: 5, children: [red, green, blue, null] }], encoding: PNG });
  const parent = result.tiles[0]!;
  assert.deepEqual([parent.x, parent.y], [3, 5]);
  assert.deepEqual(await rgbaAt(parent.data!, 10, 10), [200, 0, 0, 255], 'NW');
  assert.deepEqual(await rgbaAt(parent.data!, 200, 10), [0, 150, 0, 255], 'NE');
  assert.deepEqual(await rgbaAt(parent.data!, 10, 200), [0, 0, 100, 255], 'SW');
  assert.equal((await rgbaAt(parent.data!, 200, 200))[3], 0, 'SE: no child there');
});

test('grey children make a grey parent; a parent with no child is dropped as transparent', async () => {
  const grey = await solid([90]);
  const result = await rasterOverviewTiles({
    tileSize: 256,
    colour: 1,
    tiles: [
      { x: 0, y: 0, children: [grey, grey, grey, grey] },
      { x: 1, y: 0, children: [null, null, null, null] },
    ],
    encoding: PNG,
  });
  const meta = await sharp(result.tiles[0]!.data!).metadata();
  // Fully opaque: the alpha is dropped, and the PNG stays one grey channel.
  assert.deepEqual([meta.channels, meta.space], [1, 'b-w']);
  assert.deepEqual(await rgbaAt(result.tiles[0]!.data!, 128, 128), [90, 90, 90, 255]);
  assert.equal(result.tiles[1]!.data, null);
});

test('downsampleInto: colour and alpha are the means of the visible pixels (rounded half up), as the warp averages', () => {
  const rgba = new Uint8Array(4 * 4 * 4);
  const set = (x: number, y: number, v: number[]) => rgba.set(v, (y * 4 + x) * 4);
  // Top-left 2×2: all opaque, 10 + 20 + 30 + 42 = 102 → 25.5 → 26.
  set(0, 0, [10, 10, 10, 255]);
  set(1, 0, [20, 20, 20, 255]);
  set(0, 1, [30, 30, 30, 255]);
  set(1, 1, [42, 42, 42, 255]);
  // Top-right 2×2: one pixel transparent, its black left out: (100 + 110 + 120) / 3 = 110, opaque.
  // Bottom-left: two half-transparent pixels, (128 + 64) / 2 = 96.
  set(0, 2, [50, 50, 50, 128]);
  set(1, 3, [70, 70, 70, 64]);
  set(2, 0, [100, 0, 0, 255]);
  set(3, 0, [110, 0, 0, 255]);
  set(2, 1, [120, 0, 0, 255]);
  set(3, 1, [0, 0, 0, 0]);
  const out = new Uint8Array(4 * 4 * 4);
  downsampleInto(rgba, 4, 3, out, 0, 0);
  assert.deepEqual([...out.subarray(0, 4)], [26, 26, 26, 255]);
  assert.deepEqual([...out.subarray(4, 8)], [110, 0, 0, 255]);
  assert.deepEqual([...out.subarray(16, 24)], [60, 60, 60, 96, 0, 0, 0, 0], 'bottom-left; bottom-right is all transparent');
});
