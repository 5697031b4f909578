/**
 * One metatile from source to encoded tiles: GDAL warps it on the engine's thread, then a pool
 * worker cuts and encodes it, with the pixel buffer moved (transferred), not copied. With a task
 * queue (main/queue/), a `tessera worker` does both and sends the encoded tiles back.
 */
import type { RasterPreseedParams } from '../../../shared/contract.js';
import { throwIfAborted } from '../../../shared/errors.js';
import type { RasterTilesResult, RasterTilesTask, TileEncoding } from '../../../workers/raster-tiles.js';
import type { RasterBlockTask, TaskPool } from '../../pool/task-pool.js';
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
  pool: TaskPool,
  block: Metatile,
  tiles: readonly TileJob[],
  style: BlockStyle,
  signal: AbortSignal,
): Promise<RasterTilesResult> {
  throwIfAborted(signal);
  // Only the part of the block that holds tiles to make is warped.
  const task: RasterBlockTask = {
    path: source.info.path,
    z: block.z,
    minX: Math.min(...tiles.map((t) => t.x)),
    maxX: Math.max(...tiles.map((t) => t.x)),
    minY: Math.min(...tiles.map((t) => t.y)),
    maxY: Math.max(...tiles.map((t) => t.y)),
    tileSize: style.tileSize,
    resampling: style.resampling,
    stretch: style.stretch,
    encoding: style.encoding,
    tiles: tiles.map((t) => ({ x: t.x, y: t.y, ...(t.under ? { under: t.under } : {}) })),
  };
  // A queue's workers warp the block themselves (they read the same source by its path).
  if (pool.renderBlock) return pool.renderBlock(task, { signal });
  return warpAndEncode(source, pool, task, signal);
}

/**
 * Warps a block with GDAL on this process's thread, then has a pool thread cut and encode it: the
 * engine's own path, and what a `tessera worker` does with a block it takes from the queue.
 */
export async function warpAndEncode(source: WarpSource, pool: Pick<TaskPool, 'run'>, block: RasterBlockTask, signal: AbortSignal): Promise<RasterTilesResult> {
  const { minX, minY, maxX, maxY } = block;
  const pixels = await source.render({ z: block.z, minX, minY, maxX, maxY, tileSize: block.tileSize }, block.resampling);
  throwIfAborted(signal);
  const task: Omit<RasterTilesTask, 'abort'> = {
    pixels: pixels.data,
    sample: pixels.sample,
    width: pixels.width,
    height: pixels.height,
    channels: pixels.channels,
    alpha: pixels.alpha,
    stretch: block.stretch,
    tileSize: block.tileSize,
    tiles: block.tiles.map((t) => ({ x: t.x, y: t.y, column: t.x - minX, row: t.y - minY, ...(t.under ? { under: t.under } : {}) })),
    encoding: block.encoding,
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
