/**
 * An existing MBTiles file, checked read-only before the writer opens it: its layout, the bounds
 * it declares, whether its tiles are in the format asked for; a hot journal left by a crash is
 * rolled back first.
 */
import { open } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import type { Bbox } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { imageFormatOf, isGzip, parseBounds } from './cache-summary.js';
import { normaliseFormat } from './tile-format.js';
import type { WrittenTileFormat } from './tile-writer.js';
import { notWritable, statOutput, writeFailed } from './tile-output.js';

/** How long a connection waits for another writer's lock before it gives up (SQLITE_BUSY). */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * `tiles` as a table (the spec, GDAL, Tessera before de-duplication), as a view over `map` and
 * `images` made by another tool (mbutil, tippecanoe: text ids of their own hash), or as Tessera's
 * view over them (`map` has `written_at`, `images` has `content_hash`: mbtiles-schema.ts).
 */
export type Layout = 'table' | 'map-images' | 'deduplicated';

/** What an existing file holds, checked before it is opened for writing. */
export interface Existing {
  layout: Layout | null;
  previousBounds: Bbox | null;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Checks an existing file read-only, before anything opens it for writing: BAD_INPUT when it is
 * not an MBTiles file, has a layout this writer cannot write through, or holds another format.
 * A missing or empty file is new.
 */
export async function inspect(path: string, format: WrittenTileFormat): Promise<Existing> {
  try {
    return await inspectOnce(path, format);
  } catch (error) {
    if (!isHotJournal(error)) throw error;
    // A writer killed mid-transaction (kill -9, power loss) left a hot journal that a read-only
    // connection may not roll back: roll it back as any SQLite reader would (the file returns to
    // its last commit), then look again. Without this, resuming the killed job refused its own
    // output as "not MBTiles".
    recoverHotJournal(path);
    return await inspectOnce(path, format);
  }
}

/** The error a read-only connection gives for a hot rollback journal or a WAL that needs recovery. */
function isHotJournal(error: unknown): boolean {
  const code = error instanceof TesseraError ? undefined : (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_READONLY_ROLLBACK' || code === 'SQLITE_READONLY_RECOVERY';
}

function recoverHotJournal(path: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, withSqliteBinding({ fileMustExist: true, timeout: BUSY_TIMEOUT_MS }));
    // The first read takes the shared lock, finds the hot journal and rolls it back.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    // Inspecting again reports what is wrong in the usual words.
  } finally {
    db?.close();
  }
}

async function inspectOnce(path: string, format: WrittenTileFormat): Promise<Existing> {
  const info = await statOutput(path);
  if (info === null || (info.isFile() && info.size === 0)) return { layout: null, previousBounds: null };
  if (!info.isFile()) throw notWritable(path, 'it is not a file (an MBTiles output is one SQLite file)');
  if (!(await startsLikeSqlite(path))) throw notWritable(path, 'it exists and is not an MBTiles file (not SQLite)');

  let db: Database.Database;
  try {
    db = new Database(path, withSqliteBinding({ readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }));
  } catch (error) {
    if (isHotJournal(error)) throw error;
    throw notWritable(path, `it cannot be opened as SQLite (${(error as Error).message})`);
  }
  try {
    const objects = db.prepare(`SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')`).raw().all() as [string, string][];
    if (objects.length === 0) return { layout: null, previousBounds: null };
    const kinds = new Map(objects);
    const layout = layoutOf(db, kinds, path);
    const metadata = new Map<string, string>();
    if (kinds.has('metadata')) {
      for (const [name, value] of db.prepare('SELECT name, value FROM metadata').raw().all() as [unknown, unknown][]) {
        if (typeof name === 'string' && value !== null) metadata.set(name, String(value));
      }
    }
    const first = db.prepare('SELECT tile_data FROM tiles LIMIT 1').pluck().get() as Uint8Array | null | undefined;
    const held = metadata.has('format') ? normaliseFormat(metadata.get('format')) : first ? sniff(first) : 'unknown';
    if (held !== 'unknown' && held !== format) throw notWritable(path, `it holds ${held} tiles, not ${format}`);
    return { layout, previousBounds: first === undefined ? null : parseBounds(metadata.get('bounds')) };
  } catch (error) {
    if (error instanceof TesseraError || isHotJournal(error)) throw error;
    throw notWritable(path, `it cannot be read as MBTiles (${(error as Error).message})`);
  } finally {
    db.close();
  }
}

function layoutOf(db: Database.Database, kinds: Map<string, string>, path: string): Layout {
  const columns = (table: string) => new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[]);
  const has = (table: string, names: string[]) => kinds.get(table) === 'table' && names.every((n) => columns(table).has(n));
  const position = ['zoom_level', 'tile_column', 'tile_row'];
  if (!kinds.has('tiles')) throw notWritable(path, 'it is an SQLite database without a tiles table (not MBTiles)');
  if (has('tiles', [...position, 'tile_data'])) return 'table';
  if (kinds.get('tiles') === 'view' && has('map', [...position, 'tile_id']) && has('images', ['tile_id', 'tile_data'])) {
    return has('map', ['written_at']) && has('images', ['content_hash']) ? 'deduplicated' : 'map-images';
  }
  throw notWritable(path, 'its tiles are not a table with the spec columns, nor a view over map and images');
}

function sniff(data: Uint8Array): WrittenTileFormat | 'unknown' {
  const image = imageFormatOf(data);
  if (image !== null) return image;
  return isGzip(data) ? 'pbf' : 'unknown';
}

/** Whether the file begins with SQLite's header string. */
async function startsLikeSqlite(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(SQLITE_HEADER.length), position: 0 });
      return bytesRead === SQLITE_HEADER.length && buffer.equals(SQLITE_HEADER);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw writeFailed(path, 'cannot read the output', error);
  }
}
