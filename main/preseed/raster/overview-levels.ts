/**
 * Lower zoom levels made from the tiles of the level below them, already in the output, as
 * gdal2tiles makes its overview tiles: each parent is its four children decoded and averaged 2×2
 * (workers/raster-overview.ts), instead of another warp of the source. The walk then goes down,
 * from the deepest level (warped) to the shallowest, and a level is started only once the level
 * before it is written, so a resumed item finds the children of the level it resumes in.
 *
 * Only where the children hold all a parent needs and decode exactly: a lossless PNG job (JPEG,
 * WebP and palette PNGs would lose a little more at each level) whose item covers its dataset's
 * whole footprint (a bbox or a coverage leaves out children whose parents still show data there).
 */
import type { Bbox, RasterPreseedParams } from '../../../shared/contract.js';
import type { RasterTilesResult } from '../../../workers/raster-tiles.js';
import type { TaskPool } from '../../pool/task-pool.js';
import type { TileWriter } from '../../tile-cache/tile-writer.js';
import type { Coverage } from '../../tiling/coverage.js';
import type { BlockStyle, TileJob } from './render-block.js';

/** The zoom levels of an item in the order they are made, and which of them come from children. */
export interface ZoomWalk {
  order: readonly number[];
  fromChildren: ReadonlySet<number>;
}

/**
 * Whether an item's lower levels can be made from their children: a lossless PNG job, more than
 * one level, and an extent that is the dataset's whole footprint (`whole`: its extent without the
 * job's bbox and coverage).
 */
export function overviewsFit(params: RasterPreseedParams, extent: Bbox, whole: Bbox, coverage: Coverage | undefined): boolean {
  if (params.format !== 'png' || params.pngPalette || coverage !== undefined || params.maxZoom <= params.minZoom) return false;
  return extent.every((v, i) => v === whole[i]);
}

/** 'down': deepest level first, every other one from its children; else shallowest first, all warped. */
export function zoomWalk(minZoom: number, maxZoom: number, down: boolean): ZoomWalk {
  const order: number[] = [];
  for (let z = minZoom; z <= maxZoom; z++) order.push(z);
  if (!down) return { order, fromChildren: new Set() };
  return { order: order.reverse(), fromChildren: new Set(order.filter((z) => z < maxZoom)) };
}

/** Children of a tile in the order the overview task takes them: NW, NE, SW, SE. */
const QUARTERS: readonly [number, number][] = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

/** The tiles `jobs` of zoom z made from their children of zoom z + 1 in `writer`. */
export async function renderFromChildren(
  writer: TileWriter,
  pool: TaskPool,
  z: number,
  jobs: readonly TileJob[],
  colour: number,
  style: BlockStyle,
  signal: AbortSignal,
): Promise<RasterTilesResult> {
  const tiles: { x: number; y: number; children: (Uint8Array | null)[] }[] = [];
  for (const job of jobs) {
    const children: (Uint8Array | null)[] = [];
    for (const [dx, dy] of QUARTERS) children.push(await writer.readTile(z + 1, 2 * job.x + dx, 2 * job.y + dy));
    tiles.push({ x: job.x, y: job.y, children });
  }
  return pool.run('rasterOverviewTiles', { tileSize: style.tileSize, colour: colour === 1 ? 1 : 3, tiles, encoding: style.encoding }, { signal });
}
