/**
 * Reads an MBTiles file (SQLite, opened read-only) as a TileCacheReader.
 *
 * MBTiles stores TMS rows (0 at the south), the engine speaks XYZ (0 at the north): with
 * y = flipY(z, tile_row) = 2^z - 1 - tile_row, "y ascending" is "tile_row descending", so batches walk columns in
 * ascending order and each column's rows in descending order, and resume after `after` by
 * converting its y back to a row.
 * `tiles` may be a table or a view over map/images (the de-duplicating layout of mbutil, tippecanoe
 * and Tessera's writer): tiles are read through `tiles` either way. Through the view, though, every
 * position a query passes is joined to its image, so `min(tile_column)` would read a whole zoom's
 * images to find one column: the next column is looked up in `map` itself, where it is one index probe.
 */
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import { TesseraError } from '../../shared/errors.js';
import { flipY } from '../../shared/tile-grid.js';
import { cacheError } from './cache-error.js';
import { type TileCacheReader, type TileRecord, isTileInGrid } from './tile-cache.js';
import { normaliseFormat } from './tile-format.js';

/** Opens `path`; CACHE_UNREADABLE when it is not SQLite or has no tiles table or view. */
export async function openMbtiles(path: string): Promise<TileCacheReader> {
  let db: Database.Database;
  try {
    db = new Database(path, withSqliteBinding({ readonly: true, fileMustExist: true }));
  } catch (error) {
    throw cacheError(path, 'cannot open MBTiles file', error);
  }
  try {
    return createReader(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
}

function createReader(db: Database.Database, path: string): TileCacheReader {
  let hasTiles: boolean;
  try {
    // The first real read: this is where a file that is not SQLite fails ("file is not a database").
    hasTiles = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'tiles' AND type IN ('table', 'view')`).get() !== undefined;
  } catch (error) {
    throw cacheError(path, 'not an SQLite database', error);
  }
  if (!hasTiles) throw new TesseraError('CACHE_UNREADABLE', `not an MBTiles file: ${path} (no tiles table or view)`, { details: { path } });

  const metadata = readMetadata(db, path);
  const zooms = db.prepare('SELECT zoom_level, count(*) FROM tiles GROUP BY zoom_level ORDER BY zoom_level').raw();
  // Column by column: with one column fixed, "tile_row DESC" is a backward walk of the
  // (zoom_level, tile_column, tile_row) index. One query ordered by (column ASC, row DESC) would
  // instead sort the rest of the current column, blobs and all, for every batch.
  const positions = hasMap(db) ? 'map' : 'tiles';
  const firstColumn = db.prepare(`SELECT min(tile_column) FROM ${positions} WHERE zoom_level = ?`).pluck();
  const nextColumn = db.prepare(`SELECT min(tile_column) FROM ${positions} WHERE zoom_level = ? AND tile_column > ?`).pluck();
  const column = db
    .prepare('SELECT tile_row, tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row < ? ORDER BY tile_row DESC LIMIT ?')
    .raw();
  const one = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck();

  return {
    kind: 'mbtiles',
    path,
    format: normaliseFormat(metadata.format),
    metadata,
    async zoomLevels() {
      try {
        return (zooms.all() as [number, number][]).map(([z, count]) => ({ z, count }));
      } catch (error) {
        throw cacheError(path, 'cannot count tiles', error);
      }
    },
    async readBatch(z, from, limit) {
      const tiles: TileRecord[] = [];
      try {
        // Rows below `belowRow` in column `x`: the rest of `from`'s column first, then whole columns
        // (no upper bound there, so a row out of range for its zoom is still read, not skipped).
        let x = (from === null ? firstColumn.get(z) : from.x) as number | null;
        let belowRow = from === null ? Number.MAX_SAFE_INTEGER : flipY(z, from.y);
        while (x !== null && tiles.length < limit) {
          for (const [row, data] of column.all(z, x, belowRow, limit - tiles.length) as [number, unknown][]) {
            tiles.push({ z, x, y: flipY(z, row), data: toBytes(data) });
          }
          if (tiles.length >= limit) break;
          x = nextColumn.get(z, x) as number | null;
          belowRow = Number.MAX_SAFE_INTEGER;
        }
      } catch (error) {
        throw cacheError(path, `cannot read tiles of zoom ${z}`, error);
      }
      return tiles;
    },
    async readTile(z, x, y) {
      if (!isTileInGrid(z, x, y)) return null;
      let data: unknown;
      try {
        data = one.get(z, x, flipY(z, y));
      } catch (error) {
        throw cacheError(path, `cannot read tile ${z}/${x}/${y}`, error);
      }
      return data === undefined ? null : toBytes(data);
    },
    async close() {
      db.close();
    },
  };
}

/** Whether `tiles` is a view beside a `map` table with the position columns (the de-duplicating layout). */
function hasMap(db: Database.Database): boolean {
  const isView = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'tiles' AND type = 'view'`).get() !== undefined;
  const columns = new Set(db.prepare(`SELECT name FROM pragma_table_info('map')`).pluck().all() as string[]);
  return isView && ['zoom_level', 'tile_column', 'tile_row'].every((c) => columns.has(c));
}

function readMetadata(db: Database.Database, path: string): Record<string, string> {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'metadata' AND type IN ('table', 'view')`).get() !== undefined;
  // The spec requires the table, but a cache without it still has tiles worth verifying.
  if (!hasTable) return {};
  try {
    const metadata: Record<string, string> = {};
    for (const [name, value] of db.prepare('SELECT name, value FROM metadata').raw().all() as [unknown, unknown][]) {
      if (typeof name === 'string' && value !== null) metadata[name] = String(value);
    }
    return metadata;
  } catch (error) {
    throw cacheError(path, 'cannot read metadata', error);
  }
}

/** A plain Uint8Array over SQLite's Buffer; NULL becomes zero bytes (which verification flags). */
function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  return new Uint8Array(0);
}
