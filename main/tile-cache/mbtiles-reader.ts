/**
 * Reads an MBTiles file (SQLite, opened read-only) as a TileCacheReader.
 *
 * MBTiles stores TMS rows (0 at the south), the engine speaks XYZ (0 at the north): with
 * y = 2^z - 1 - tile_row, "y ascending" is "tile_row descending", so batches are ordered by
 * (tile_column ASC, tile_row DESC) and resume after `after` by converting its y back to a row.
 * `tiles` may be a table or a view over map/images (mbutil's deduplicating layout): only the
 * columns of the spec are used, so both work.
 */
import Database from 'better-sqlite3';
import { TesseraError } from '../../preload/errors.js';
import { cacheError } from './cache-error.js';
import type { TileCacheReader, TileRecord } from './tile-cache.js';
import { normaliseFormat } from './tile-format.js';

/** Opens `path`; CACHE_UNREADABLE when it is not SQLite or has no tiles table or view. */
export async function openMbtiles(path: string): Promise<TileCacheReader> {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
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
  const first = db
    .prepare('SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = ? ORDER BY tile_column ASC, tile_row DESC LIMIT ?')
    .raw();
  // `tile_column >= ?` lets SQLite seek the (zoom_level, tile_column, tile_row) index before the OR.
  const after = db
    .prepare(
      `SELECT tile_column, tile_row, tile_data FROM tiles
       WHERE zoom_level = ? AND tile_column >= ? AND (tile_column > ? OR tile_row < ?)
       ORDER BY tile_column ASC, tile_row DESC LIMIT ?`,
    )
    .raw();

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
      // SQLite reads a negative LIMIT as "no limit".
      if (limit <= 0) return [];
      const top = 2 ** z - 1;
      let rows: [number, number, unknown][];
      try {
        rows = (from === null ? first.all(z, limit) : after.all(z, from.x, from.x, top - from.y, limit)) as [number, number, unknown][];
      } catch (error) {
        throw cacheError(path, `cannot read tiles of zoom ${z}`, error);
      }
      return rows.map(([x, row, data]): TileRecord => ({ z, x, y: top - row, data: toBytes(data) }));
    },
    async close() {
      db.close();
    },
  };
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
