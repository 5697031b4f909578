/**
 * How many tiles an output holds within tile ranges: what a preseed checks before it calls an item
 * done ("succeeded" means the tiles are there, not that a loop ran to its end).
 */
import { throwIfAborted } from '../../shared/errors.js';
import type { TileRange } from '../../shared/tile-grid.js';
import type { TileWriter } from './tile-writer.js';

/** Tiles asked of the writer at once: bounds the map `writtenAt` builds on deep zooms. */
const TILES_PER_QUERY = 1 << 16;

/** Tiles present in the output within each range (rows read in bands, so memory stays flat). */
export async function countPresentTiles(writer: TileWriter, ranges: readonly TileRange[], signal?: AbortSignal): Promise<number> {
  let present = 0;
  for (const r of ranges) {
    const width = r.maxX - r.minX + 1;
    const rows = Math.max(1, Math.floor(TILES_PER_QUERY / width));
    for (let y = r.minY; y <= r.maxY; y += rows) {
      throwIfAborted(signal);
      present += (await writer.writtenAt(r.z, r.minX, y, r.maxX, Math.min(r.maxY, y + rows - 1))).size;
    }
  }
  return present;
}
