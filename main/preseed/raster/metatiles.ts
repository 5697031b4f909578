/**
 * Metatiles: blocks of up to side × side tiles of one zoom level, rendered by one GDAL warp and
 * then cut, so the per-warp costs (transformer set-up, source window reads, a MEM dataset) are
 * paid once per block instead of once per tile.
 *
 * Blocks sit on a fixed grid (x div side, y div side) and are numbered row by row over the zoom
 * level's tile range, so a checkpoint "zoom z, next block n" means the same tiles on every
 * resume. A block keeps only the tiles the coverage wants and shrinks to their bounding box.
 */
import type { Bbox } from '../../../shared/contract.js';
import { type CoverageIndex, clipToWorld } from '../../tiling/tile-plan.js';
import { type TileRange, tileRange } from '../../../shared/tile-grid.js';

/** Pixels along a metatile's side: 4×4 tiles of 256 px, 2×2 of 512 px (see pickMetatileSide). */
export const METATILE_PIXELS = 1024;

/**
 * Tiles per metatile side. 1024 px keeps one warp at roughly 50–250 ms on this class of machine
 * (measured in bench/raster-preseed-bench.ts), long enough to amortise the warp's fixed costs
 * and short enough that the warps still in flight when a job is cancelled finish quickly.
 */
export function pickMetatileSide(tileSize: number): number {
  return Math.max(1, Math.floor(METATILE_PIXELS / tileSize));
}

export interface Metatile {
  z: number;
  /** Row-major number of the block in its zoom level's grid of blocks (the checkpoint's unit). */
  index: number;
  /** Inclusive tile bounds of the wanted tiles. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** The tiles to make, row by row. */
  tiles: { x: number; y: number }[];
}

export interface MetatileGrid {
  z: number;
  range: TileRange;
  side: number;
  /** Blocks across and down. */
  columns: number;
  rows: number;
}

/** The block grid over the tiles of zoom z inside `extent`; null when the extent has none there. */
export function metatileGrid(extent: Bbox, z: number, side: number): MetatileGrid | null {
  const clipped = clipToWorld(extent);
  if (!clipped) return null;
  const range = tileRange(clipped, z);
  if (range.maxX < range.minX || range.maxY < range.minY) return null;
  const columns = Math.floor(range.maxX / side) - Math.floor(range.minX / side) + 1;
  const rows = Math.floor(range.maxY / side) - Math.floor(range.minY / side) + 1;
  return { z, range, side, columns, rows };
}

/** Block `index` of the grid, with its wanted tiles (possibly none when a coverage leaves them out). */
export function metatileAt(grid: MetatileGrid, index: number, coverage?: CoverageIndex): Metatile {
  const { z, range, side } = grid;
  const bx = Math.floor(range.minX / side) + (index % grid.columns);
  const by = Math.floor(range.minY / side) + Math.floor(index / grid.columns);
  const x0 = Math.max(range.minX, bx * side);
  const x1 = Math.min(range.maxX, bx * side + side - 1);
  const y0 = Math.max(range.minY, by * side);
  const y1 = Math.min(range.maxY, by * side + side - 1);
  const tiles: { x: number; y: number }[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (coverage && !coverage.touches(z, x, y)) continue;
      tiles.push({ x, y });
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return tiles.length === 0 ? { z, index, minX: x0, minY: y0, maxX: x1, maxY: y1, tiles } : { z, index, minX, minY, maxX, maxY, tiles };
}

/** Every block of zoom z from block `from` on that holds a wanted tile, in order. */
export function* metatiles(extent: Bbox, z: number, side: number, coverage?: CoverageIndex, from = 0): Generator<Metatile> {
  const grid = metatileGrid(extent, z, side);
  if (!grid) return;
  const count = grid.columns * grid.rows;
  for (let index = from; index < count; index++) {
    const block = metatileAt(grid, index, coverage);
    if (block.tiles.length > 0) yield block;
  }
}

/** The block of zoom z nearest the middle of `extent` that holds a wanted tile (for estimates' samples). */
export function middleMetatile(extent: Bbox, z: number, side: number, coverage?: CoverageIndex): Metatile | null {
  const grid = metatileGrid(extent, z, side);
  if (!grid) return null;
  const count = grid.columns * grid.rows;
  const middle = Math.floor(grid.rows / 2) * grid.columns + Math.floor(grid.columns / 2);
  // Outwards from the middle, a bounded number of steps: a coverage rarely leaves the middle empty.
  for (let step = 0; step < Math.min(count, 4096); step++) {
    const index = step % 2 === 0 ? middle + step / 2 : middle - (step + 1) / 2;
    if (index < 0 || index >= count) continue;
    const block = metatileAt(grid, index, coverage);
    if (block.tiles.length > 0) return block;
  }
  return null;
}
