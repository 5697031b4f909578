/**
 * One metatile from source to encoded tiles: GDAL warps it on the engine's thread, then a pool
 * worker cuts and encodes it, with the pixel buffer moved (transferred), not copied.
 */
import type { RasterPreseedParams } from '../../../shared/contract.js';
import { throwIfAborted } from '../../../shared/errors.js';
import type { RasterTilesResult, RasterTilesTask, TileEncoding } from '../../../workers/raster-tiles.js';
import type { WorkerPool } from '../../pool/worker-pool.js';
import type { Metatile } from './metatiles.js';
import type { WarpSource } from './warp-source.js';

export interface BlockStyle {
  tileSize: number;
  encoding: TileEncoding;
  resampling: RasterPreseedParams['resampling'];
  /** From WarpSource.stretch: null for 8-bit data. */
  stretch: [number, number][] | null;
}

/** A tile of the block to render, with the tile already there to compose over, if any. */
export interface TileJob {
  x: number;
  y: number;
  under?: Uint8Array;
}

export async function renderBlock(
  source: WarpSource,
  pool: WorkerPool,
  block: Metatile,
  tiles: readonly TileJob[],
  style: BlockStyle,
  signal: AbortSignal,
): Promise<RasterTilesResult> {
  throwIfAborted(signal);
  // Only the part of the block that holds tiles to make is warped.
  const minX = Math.min(...tiles.map((t) => t.x));
  const maxX = Math.max(...tiles.map((t) => t.x));
  const minY = Math.min(...tiles.map((t) => t.y));
  const maxY = Math.max(...tiles.map((t) => t.y));
  const pixels = await source.render({ z: block.z, minX, minY, maxX, maxY, tileSize: style.tileSize }, style.resampling);
  throwIfAborted(signal);
  const task: Omit<RasterTilesTask, 'abort'> = {
    pixels: pixels.data,
    sample: pixels.sample,
    width: pixels.width,
    height: pixels.height,
    channels: pixels.channels,
    alpha: pixels.alpha,
    stretch: style.stretch,
    tileSize: style.tileSize,
    tiles: tiles.map((t) => ({ x: t.x, y: t.y, column: t.x - minX, row: t.y - minY, ...(t.under ? { under: t.under } : {}) })),
    encoding: style.encoding,
  };
  return pool.run('rasterTiles', task, { signal, transferList: [pixels.data] });
}

/** The job's tile encoding, from its params. */
export function tileEncoding(params: RasterPreseedParams): TileEncoding {
  return {
    format: params.format,
    quality: params.quality,
    png: { palette: params.pngPalette, compressionLevel: params.pngCompression, adaptiveFiltering: params.pngAdaptiveFiltering },
  };
}
