/**
 * The raster preseed's overview task: a tile of zoom z made from its four children of zoom z + 1
 * already in the output, as gdal2tiles makes its overview tiles, instead of warping the source
 * again. Each child is decoded, and every 2×2 block of its pixels becomes one pixel of the
 * parent's quarter (an average, as gdal2tiles' `-r average` overviews).
 *
 * - A missing child (never made, or skipped as fully transparent) is a transparent quarter.
 * - Colour and alpha are averaged over the pixels of the 2×2 block that are not fully transparent,
 *   as the warp's own average does (GDAL counts valid pixels only, and a destination pixel with any
 *   valid source pixel is opaque): the black the warp leaves under transparency does not darken the
 *   edges of the data, and nodata holes shrink at lower zooms as they do when warped there.
 * - The parent is encoded as the warped tiles are (workers/raster-tiles.ts): fully transparent
 *   parents are dropped, fully opaque ones lose their alpha, grey stays grey.
 */
import sharp from 'sharp';
import { TesseraError } from '../shared/errors.js';
import { AbortFlag } from './abort-flag.js';
import { type RasterTilesResult, type TileEncoding, encodeTile, scratchFor } from './raster-tiles.js';

export interface RasterOverviewTask {
  tileSize: number;
  /** Colour channels of the tiles (1 grey, 3 RGB); the parents get these plus alpha. */
  colour: 1 | 3;
  /** Each parent with its children as stored, in the order NW, NE, SW, SE; null: no child there. */
  tiles: { x: number; y: number; children: (Uint8Array | null)[] }[];
  encoding: TileEncoding;
  abort?: SharedArrayBuffer;
}

/** Parents at once per task: decoding and encoding both run on libuv's pool. */
const IN_FLIGHT = 2;

export async function rasterOverviewTiles(task: RasterOverviewTask): Promise<RasterTilesResult> {
  const flag = new AbortFlag(task.abort);
  flag.throwIfAborted();
  const out: RasterTilesResult['tiles'] = new Array(task.tiles.length);
  const layout = { size: task.tileSize, channels: task.colour + 1, alpha: true };
  let next = 0;
  const lane = async (): Promise<void> => {
    // Reused per lane, as in raster-tiles.ts: the parent's pixels and the encoder's scratch.
    const scratch = scratchFor(layout);
    while (next < task.tiles.length) {
      flag.throwIfAborted();
      const i = next++;
      const tile = task.tiles[i]!;
      const pixels = await parentPixels(tile.children, task.tileSize, task.colour, scratch.tile);
      out[i] = { x: tile.x, y: tile.y, data: pixels ? await encodeTile(pixels, layout, task.encoding, undefined, scratch) : null };
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, task.tiles.length) }, lane));
  return { tiles: out };
}

/** The parent's pixels (colour + alpha, interleaved) in `into`, or null when no child has any. */
async function parentPixels(children: readonly (Uint8Array | null)[], size: number, colour: 1 | 3, into: Uint8Array): Promise<Uint8Array | null> {
  if (children.every((c) => !c)) return null;
  into.fill(0); // a missing child's quarter is transparent
  for (let q = 0; q < 4; q++) {
    const child = children[q];
    if (!child) continue;
    const rgba = await decodeRgba(child, size);
    downsampleInto(rgba, size, colour, into, (q % 2) * (size / 2), Math.floor(q / 2) * (size / 2));
  }
  return into;
}

/** A stored child as size × size RGBA; TILE_CORRUPT names what did not fit. */
async function decodeRgba(encoded: Uint8Array, size: number): Promise<Uint8Array> {
  const { data, info } = await sharp(encoded).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 4) {
    throw new TesseraError('TILE_CORRUPT', `a child tile decodes to ${info.width}×${info.height}×${info.channels}, not ${size}×${size} RGBA`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Averages each 2×2 block of `rgba` (size × size) into one pixel of `out` (size × size, colour +
 * alpha), the quarter whose top-left pixel is (left, top), over the visible pixels. Rounded half up,
 * as GDAL's average.
 */
export function downsampleInto(rgba: Uint8Array, size: number, colour: 1 | 3, out: Uint8Array, left: number, top: number): void {
  const channels = colour + 1;
  const half = size / 2;
  const row = size * 4;
  for (let y = 0; y < half; y++) {
    let from = 2 * y * row;
    let to = ((top + y) * size + left) * channels;
    for (let x = 0; x < half; x++, from += 8, to += channels) {
      const a0 = rgba[from + 3]!;
      const a1 = rgba[from + 7]!;
      const a2 = rgba[from + row + 3]!;
      const a3 = rgba[from + row + 7]!;
      const valid = (a0 > 0 ? 1 : 0) + (a1 > 0 ? 1 : 0) + (a2 > 0 ? 1 : 0) + (a3 > 0 ? 1 : 0);
      if (valid === 0) continue; // colour and alpha stay 0 under full transparency, as the warp leaves them
      out[to + colour] = Math.floor((a0 + a1 + a2 + a3 + valid / 2) / valid);
      for (let c = 0; c < colour; c++) {
        const sum =
          (a0 > 0 ? rgba[from + c]! : 0) + (a1 > 0 ? rgba[from + 4 + c]! : 0) + (a2 > 0 ? rgba[from + row + c]! : 0) + (a3 > 0 ? rgba[from + row + 4 + c]! : 0);
        out[to + c] = Math.floor((sum + valid / 2) / valid);
      }
    }
  }
}
