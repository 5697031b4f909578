import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { createAbortFlag, raiseAbortFlag } from './abort-flag.js';
import { type RasterTilesTask, alphaCoverage, rasterTiles, toBytes } from './raster-tiles.js';

/** A 2×1 metatile of 256-px RGBA tiles: the left one opaque, the right one as `right` says. */
function metatile(right: 'transparent' | 'half'): Uint8Array {
  const width = 512;
  const px = new Uint8Array(width * 256 * 4);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      px[i] = x % 256;
      px[i + 1] = y;
      px[i + 2] = 100;
      const visible = x < 256 || (right === 'half' && x < 384);
      px[i + 3] = visible ? 255 : 0;
    }
  }
  return px;
}

const PNG: RasterTilesTask['encoding'] = { format: 'png', quality: 80, png: { palette: false, compressionLevel: 6, adaptiveFiltering: true } };

function task(pixels: Uint8Array, extra: Partial<RasterTilesTask> = {}): RasterTilesTask {
  return {
    pixels: pixels.buffer as ArrayBuffer,
    sample: 'byte',
    width: 512,
    height: 256,
    channels: 4,
    alpha: true,
    stretch: null,
    tileSize: 256,
    tiles: [
      { x: 10, y: 20, column: 0, row: 0 },
      { x: 11, y: 20, column: 1, row: 0 },
    ],
    encoding: PNG,
    ...extra,
  };
}

test('a fully transparent tile is dropped; an opaque one loses its alpha channel; pixels survive the cut', async () => {
  const result = await rasterTiles(task(metatile('transparent')));
  assert.equal(result.tiles[1]!.data, null);
  const left = result.tiles[0]!.data!;
  const meta = await sharp(left).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 256, 256, 3]);
  const { data } = await sharp(left).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([...data.subarray((10 * 256 + 7) * 3, (10 * 256 + 7) * 3 + 3)], [7, 10, 100]);
});

test('a partly transparent tile keeps alpha (PNG, WebP); JPEG flattens it onto black', async () => {
  const png = await rasterTiles(task(metatile('half')));
  assert.equal((await sharp(png.tiles[1]!.data!).metadata()).channels, 4);
  const webp = await rasterTiles(task(metatile('half'), { encoding: { ...PNG, format: 'webp' } }));
  assert.equal((await sharp(webp.tiles[1]!.data!).metadata()).hasAlpha, true);
  const jpeg = await rasterTiles(task(metatile('half'), { encoding: { ...PNG, format: 'jpeg', quality: 90 } }));
  const { data, info } = await sharp(jpeg.tiles[1]!.data!).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  const at = (x: number, y: number) => [...data.subarray((y * 256 + x) * 3, (y * 256 + x) * 3 + 3)];
  assert.ok(
    at(200, 100).every((v) => v < 8),
    `flattened ${at(200, 100)}`,
  );
  assert.ok(Math.abs(at(50, 100)[2]! - 100) < 8);
});

test('a tile sent with `under` is composed over it: the new pixels where opaque, the old ones where transparent', async () => {
  const red = await sharp({ create: { width: 256, height: 256, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  const t = task(metatile('half'));
  t.tiles[1]!.under = new Uint8Array(red);
  const result = await rasterTiles(t);
  const { data } = await sharp(result.tiles[1]!.data!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * 256 + x) * 4, (y * 256 + x) * 4 + 4)];
  assert.deepEqual(at(200, 5), [255, 0, 0, 255]);
  assert.deepEqual(at(50, 5), [50, 5, 100, 255]);
});

test('grey data makes grey PNGs (grey + alpha where partly transparent), and the PNG settings reach the encoder', async () => {
  // Grey + alpha: the left tile a smooth gradient (opaque), the right one half transparent.
  const rgba = metatile('half');
  const grey = new Uint8Array((rgba.length / 4) * 2);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 2) {
    grey[j] = rgba[i]!;
    grey[j + 1] = rgba[i + 3]!;
  }
  const encode = (png: Partial<RasterTilesTask['encoding']['png']>) =>
    rasterTiles(task(grey.slice(), { channels: 2, encoding: { ...PNG, png: { ...PNG.png, ...png } } }));
  const result = await encode({});
  const [opaque, half] = await Promise.all(result.tiles.map((t) => sharp(t.data!).metadata()));
  assert.deepEqual([opaque!.channels, opaque!.space, half!.channels, half!.space], [1, 'b-w', 2, 'b-w']);
  const { data, info } = await sharp(result.tiles[0]!.data!).raw().toBuffer({ resolveWithObject: true });
  assert.equal(data[(10 * 256 + 7) * info.channels], 7, 'grey values survive');
  const size = (r: typeof result) => r.tiles.reduce((n, t) => n + t.data!.byteLength, 0);
  // Stored (level 0) is the raw size and more; level 9 with row filters packs a gradient far smaller.
  const stored = size(await encode({ compressionLevel: 0, adaptiveFiltering: false }));
  const packed = size(await encode({ compressionLevel: 9, adaptiveFiltering: true }));
  assert.ok(stored > 256 * 256 * 2 && packed * 10 < stored, `stored ${stored} B, packed ${packed} B`);
});

test('16-bit and float values are stretched per band; alpha is clamped; NaN is 0', () => {
  const values = new Float32Array([-6, 255, 163, 255, 78.5, 0, Number.NaN, 128]);
  assert.deepEqual([...toBytes(values, 2, true, [[-6, 163]])], [0, 255, 255, 255, 128, 0, 0, 128]);
  assert.deepEqual([...toBytes(new Float32Array([0, 40, 100]), 1, false, [[0, 100]])], [0, 102, 255]);
  assert.equal(alphaCoverage(new Uint8Array([1, 255, 2, 255]), 2), 'all');
  assert.equal(alphaCoverage(new Uint8Array([1, 0, 2, 0]), 2), 'none');
  assert.equal(alphaCoverage(new Uint8Array([1, 0, 2, 9]), 2), 'some');
});

test('a raised abort flag stops the task with ABORTED', async () => {
  const abort = createAbortFlag();
  raiseAbortFlag(abort);
  await assert.rejects(rasterTiles({ ...task(metatile('half')), abort }), (e: unknown) => (e as { code?: string }).code === 'ABORTED');
});
