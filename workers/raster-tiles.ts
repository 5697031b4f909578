/**
 * The raster preseed's worker task: cuts a warped metatile into tiles, stretches non-8-bit data,
 * drops fully transparent tiles, and encodes the rest with sharp (PNG, optionally palette-
 * quantised; JPEG; WebP).
 *
 * - A tile that turns out fully opaque loses its alpha channel before encoding (RGB or grey PNG
 *   and WebP are smaller and about twice as fast to encode as RGBA).
 * - Grey data is written as a grey (or grey + alpha) PNG: sharp would otherwise widen it to
 *   RGB(A), three times the pixels to compress (hillshade tiles came out 1.5× gdal2tiles').
 * - JPEG has no alpha: a tile with transparent pixels is flattened onto black, which is what
 *   the warp leaves outside the data anyway.
 * - A tile sent with `under` (a tile an earlier dataset of the same job wrote there) is
 *   composited over it, so datasets that share a tile along their edges both show in it.
 */
import sharp, { type Sharp } from 'sharp';
import { AbortFlag } from './abort-flag.js';

// libvips' operation cache keeps recent pipelines and their buffers for reuse, but no tile is
// encoded twice: it only held memory. One libvips thread per image: a tile is too small to split
// and the pool's threads already encode tiles side by side. (Both are process-wide settings.)
sharp.cache(false);
sharp.concurrency(1);

export type RasterTileFormat = 'png' | 'jpeg' | 'webp';

export interface RasterTilesTask {
  /** Interleaved pixels of the whole metatile: colour channels, then alpha. */
  pixels: ArrayBuffer;
  sample: 'byte' | 'float32';
  width: number;
  height: number;
  /** Colour channels (1 grey or 3 RGB), + 1 when `alpha`. */
  channels: number;
  /** False: the metatile has no alpha channel, every pixel is opaque. */
  alpha: boolean;
  /** float32 data: per colour channel, the [min, max] that maps to 0–255. */
  stretch: [number, number][] | null;
  tileSize: number;
  /** The tiles to cut; column and row count tiles from the metatile's top-left corner. */
  tiles: { x: number; y: number; column: number; row: number; under?: Uint8Array }[];
  encoding: TileEncoding;
  abort?: SharedArrayBuffer;
}

/** How tiles are encoded: the job's format, JPEG/WebP quality and PNG settings. */
export interface TileEncoding {
  format: RasterTileFormat;
  quality: number;
  png: PngEncoding;
}

/** PNG settings (sharp's `png()`): lossless unless `palette`. */
export interface PngEncoding {
  /** Quantise to at most 256 colours (libimagequant): much smaller, lossy. */
  palette: boolean;
  /** zlib level, 0–9. */
  compressionLevel: number;
  /** Pick a PNG row filter per row (libpng's heuristic) instead of none. */
  adaptiveFiltering: boolean;
}

/** A tile's pixels as encodeTile takes them: size × size, interleaved, alpha last when `alpha`. */
export interface TilePixels {
  size: number;
  channels: number;
  alpha: boolean;
}

export interface RasterTilesResult {
  /** In the task's order; data null: the tile is fully transparent (nothing to write). */
  tiles: { x: number; y: number; data: Uint8Array | null }[];
}

/** Encodes at once per task: sharp works on libuv's pool, shared with GDAL's warps. */
const IN_FLIGHT = 2;

export async function rasterTiles(task: RasterTilesTask): Promise<RasterTilesResult> {
  const flag = new AbortFlag(task.abort);
  flag.throwIfAborted();
  const bytes = task.sample === 'byte' ? new Uint8Array(task.pixels) : toBytes(new Float32Array(task.pixels), task.channels, task.alpha, task.stretch);
  const out: RasterTilesResult['tiles'] = new Array(task.tiles.length);
  const layout: TilePixels = { size: task.tileSize, channels: task.channels, alpha: task.alpha };
  let next = 0;
  const lane = async (): Promise<void> => {
    // One tile's worth of pixels per lane, reused: fresh arrays per tile were garbage that V8 only
    // collects after tens of MiB of it, which every worker held (see scratchFor).
    const scratch = scratchFor(layout);
    while (next < task.tiles.length) {
      flag.throwIfAborted();
      const i = next++;
      const tile = task.tiles[i]!;
      const rgba = cut(bytes, task, tile.column, tile.row, scratch.tile);
      out[i] = { x: tile.x, y: tile.y, data: await encodeTile(rgba, layout, task.encoding, tile.under, scratch) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, task.tiles.length) }, lane));
  return { tiles: out };
}

/**
 * Buffers a lane of encodes reuses from tile to tile: the cut tile and its copy without alpha.
 * Reuse is safe because a lane awaits each encode (sharp reads its input until then) before the next.
 */
export interface Scratch {
  tile: Uint8Array;
  opaque: Uint8Array;
}

export function scratchFor(layout: TilePixels): Scratch {
  const pixels = layout.size * layout.size;
  return { tile: new Uint8Array(pixels * layout.channels), opaque: new Uint8Array(pixels * Math.max(1, layout.channels - 1)) };
}

/** Maps each colour value through its band's stretch (rounded, clamped); alpha is clamped. */
export function toBytes(values: Float32Array, channels: number, hasAlpha: boolean, stretch: [number, number][] | null): Uint8Array {
  const out = new Uint8Array(values.length);
  const colour = hasAlpha ? channels - 1 : channels;
  const scale: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < colour; c++) {
    const [min, max] = stretch?.[c] ?? [0, 255];
    scale.push(255 / (max - min));
    offset.push(min);
  }
  for (let i = 0; i < values.length; i += channels) {
    for (let c = 0; c < colour; c++) out[i + c] = clampByte((values[i + c]! - offset[c]!) * scale[c]!);
    if (hasAlpha) out[i + colour] = clampByte(values[i + colour]!);
  }
  return out;
}

function clampByte(v: number): number {
  if (!(v > 0)) return 0; // also NaN
  if (v >= 255) return 255;
  return Math.round(v);
}

/** The tile's pixels, copied out of the metatile row by row. */
function cut(bytes: Uint8Array, task: RasterTilesTask, column: number, row: number, out: Uint8Array): Uint8Array {
  const size = task.tileSize;
  const ch = task.channels;
  const rowBytes = size * ch;
  const stride = task.width * ch;
  let from = row * size * stride + column * size * ch;
  for (let r = 0; r < size; r++, from += stride) out.set(bytes.subarray(from, from + rowBytes), r * rowBytes);
  return out;
}

/** The tile's alpha: 'none' (fully transparent), 'all' (fully opaque) or 'some'. */
export function alphaCoverage(pixels: Uint8Array, channels: number): 'none' | 'all' | 'some' {
  let any = false;
  let every = true;
  for (let i = channels - 1; i < pixels.length; i += channels) {
    const a = pixels[i]!;
    if (a !== 0) any = true;
    if (a !== 255) every = false;
    if (any && !every) return 'some';
  }
  return any ? 'all' : 'none';
}

/**
 * One tile's pixels to its encoded bytes, or null when fully transparent. Exported for the
 * overview task (workers/raster-overview.ts), which encodes what it downsampled the same way.
 */
export async function encodeTile(
  pixels: Uint8Array,
  layout: TilePixels,
  encoding: TileEncoding,
  under?: Uint8Array,
  scratch: Scratch = scratchFor(layout),
): Promise<Uint8Array | null> {
  const { size, channels } = layout;
  const coverage = layout.alpha ? alphaCoverage(pixels, channels) : 'all';
  if (coverage === 'none') return null;
  const colour = layout.alpha ? channels - 1 : channels;
  let image: Sharp;
  // Grey stays grey unless composed over a tile that may hold colour.
  let grey = colour === 1;
  if (under && coverage === 'some') {
    grey = false;
    const composed = await sharp(under)
      .ensureAlpha()
      .composite([{ input: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), raw: { width: size, height: size, channels: channels as 2 | 4 } }])
      .raw()
      .toBuffer({ resolveWithObject: true });
    image = sharp(composed.data, { raw: { width: composed.info.width, height: composed.info.height, channels: composed.info.channels } });
  } else if (coverage === 'all' || encoding.format === 'jpeg') {
    const raw = coverage === 'all' && layout.alpha ? dropAlpha(pixels, channels, scratch.opaque) : pixels;
    image = sharp(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
      raw: { width: size, height: size, channels: (coverage === 'all' ? colour : channels) as 1 | 2 | 3 | 4 },
    });
    if (coverage !== 'all') image = image.flatten({ background: { r: 0, g: 0, b: 0 } });
  } else {
    image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width: size, height: size, channels: channels as 2 | 4 } });
  }
  const encoded = await encode(image, encoding, grey);
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

function encode(image: Sharp, encoding: TileEncoding, grey: boolean): Promise<Buffer> {
  if (encoding.format === 'jpeg') return image.jpeg({ quality: encoding.quality }).toBuffer();
  if (encoding.format === 'webp') return image.webp({ quality: encoding.quality }).toBuffer();
  const { palette, compressionLevel, adaptiveFiltering } = encoding.png;
  if (palette) return image.png({ palette: true, effort: 3, compressionLevel }).toBuffer();
  // sharp's raw input is sRGB unless told: 'b-w' keeps a grey tile's PNG grey (colour type 0 or 4).
  return (grey ? image.toColourspace('b-w') : image).png({ compressionLevel, adaptiveFiltering }).toBuffer();
}

function dropAlpha(pixels: Uint8Array, channels: number, out: Uint8Array): Uint8Array {
  const colour = channels - 1;
  for (let i = 0, j = 0; i < pixels.length; i += channels, j += colour) {
    for (let c = 0; c < colour; c++) out[j + c] = pixels[i + c]!;
  }
  return out;
}
