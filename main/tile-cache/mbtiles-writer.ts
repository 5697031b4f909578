/**
 * Writes tiles into an MBTiles 1.3 file (SQLite through better-sqlite3, WAL, busy timeout).
 *
 * Layouts (mbtiles-inspect.ts tells an existing file's, mbtiles-schema.ts makes a new one's):
 * - a new file de-duplicates: `map` (position → tile_id, written_at) and `images` (tile_id →
 *   tile_data) behind a `tiles` view, as mbutil and tippecanoe write them (the columns' sizes are
 *   explained in mbtiles-schema.ts). A tile is two or three statements: its image looked up by
 *   content, inserted when new, its map row replaced. Replacing or removing a tile leaves its image for
 *   other positions that share it; images no position uses any more are deleted at `finish`, in one
 *   statement, rather than looked up on every replace.
 * - a flat `tiles` table (Tessera before de-duplication, GDAL, most tools) and another tool's
 *   map/images are continued in their own layout, never converted; their written times live in a
 *   side table, `tessera_tile_written` (position → ms since the epoch), so their tables keep their
 *   shape. Tiles without a row there (another tool's) were "written at 0".
 * A writer asked for no written times (`writtenTimes: false`: the catalogue's previews, written once
 * and never continued) leaves the column NULL, or makes no side table.
 *
 * Each `write` is one IMMEDIATE transaction with synchronous=FULL, so a batch is durable when its
 * promise resolves and absent when it rejects. better-sqlite3 is synchronous: a call runs to its
 * end before the next starts, so concurrent callers cannot interleave inside a batch.
 * synchronous=NORMAL would save one fsync of the WAL per batch (a few per 16k tiles: nothing next to
 * the inserts), but a batch that resolved could then vanish on power loss while the job's checkpoint
 * already counts it done; so FULL stays.
 *
 * Writes run on the engine thread, so the cost per tile matters (a vector preseed writes ~600k
 * tiles). In a flat file, when `tiles` is a rowid table whose only unique index is on the position
 * (every flat file this writer creates, and GDAL's), a tile is one `INSERT OR REPLACE`, and the written times of a whole
 * batch are one `INSERT ... SELECT` over the rows the batch added: SQLite gives every new row a rowid
 * above the largest one at the start of the transaction (REPLACE deletes the old row and adds a
 * new one), and no other connection can write inside an IMMEDIATE transaction. Other files (no
 * unique index, mbutil's layout) take the general path: delete, insert and mark per tile.
 * A new flat file (the PMTiles working file, which is read whole, in rowid order) has its unique
 * position index and side table keyed row first (zoom_level, tile_row, tile_column): kinds write
 * row by row, and in row-first order a batch's index entries land next to each other instead of
 * one in every column's pages, which measured about 2 µs less per tile. A de-duplicated file's map
 * is keyed column first for its readers (mbtiles-schema.ts).
 *
 * At open, a new file gets `name` and `format` at once (and any existing file keeps its own): a
 * job that is cancelled or fails before `finish` still leaves a file that readers can identify
 * (GDAL picks the raster or vector driver from `format`). `finish` writes the full 1.3 set.
 * `close` leaves WAL mode again so read-only readers (GDAL, QGIS on a read-only share) need no
 * -wal/-shm files beside it.
 */
import { createHash, hash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import type { Bbox } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { flipY } from '../../shared/tile-grid.js';
import { isTileInGrid } from './tile-cache.js';
import { type TileToWrite, type TileWriter, type TilesetMetadata, type WrittenTileFormat, tileKey } from './tile-writer.js';
import { assertTilesInGrid, writeFailed } from './tile-output.js';
import { mbtilesRows, widenToOutput } from './tileset-metadata.js';
import { BUSY_TIMEOUT_MS, type Layout, inspect } from './mbtiles-inspect.js';
import { WRITTEN_TABLE, prepareSchema, replacesByPosition } from './mbtiles-schema.js';

/**
 * Page cache of a writing connection (KiB): index pages of a zoom being filled stay in memory.
 * The pages of the tiles written pass through it too, so it fills to its size on any real job:
 * 8 MiB instead of 32 lowered the peak RSS of Blue Marble z0–6 from 324 to 311 MiB and of
 * states_provinces z0–10 from 343 to 308 MiB (medians of 3, same rounds), for 76.3 against 78.0
 * and 23.2 against 22.8 CPU s (docs/gdal-threading.md, "Memory of the engine process").
 */
const CACHE_KIB = 8 * 1024;
/** The WAL is truncated back to this after a checkpoint, rather than keeping its largest size. */
const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
export { WRITTEN_TABLE };

export interface MbtilesWriterOptions {
  format: WrittenTileFormat;
  /** The provisional `name` of a new file; its file name without extension when absent. */
  name?: string;
  /**
   * false: no written times (a file written once and never resumed or refreshed): NULL in a new
   * file's map, no side table in a flat file that has none; `writtenAt` then gives 0 for every tile.
   * A flat file that has the side table keeps it up.
   */
  writtenTimes?: boolean;
  /** false: a new file gets the spec's flat `tiles` table (the PMTiles working file, which dedupes at build). */
  deduplicate?: boolean;
}

/** Opens (or creates) the MBTiles at `path` for writing `options.format` tiles. */
export async function openMbtilesWriter(path: string, options: MbtilesWriterOptions): Promise<MbtilesWriter> {
  const existing = await inspect(path, options.format);
  let db: Database.Database | undefined;
  try {
    await mkdir(dirname(path), { recursive: true });
    db = new Database(path, withSqliteBinding({ timeout: BUSY_TIMEOUT_MS }));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    const layout = existing.layout ?? (options.deduplicate === false ? 'table' : 'deduplicated');
    const schema = { name: options.name ?? nameOf(path), format: options.format, writtenTimes: options.writtenTimes !== false };
    const tracksWrites = db.transaction(() => prepareSchema(db!, layout, existing.layout === null, schema))();
    return new MbtilesWriter(path, db, layout, existing.previousBounds, tracksWrites);
  } catch (error) {
    db?.close();
    throw writeFailed(path, 'cannot open MBTiles for writing', error);
  }
}

/** One MBTiles being written; also the PMTiles writer's working file. */
export class MbtilesWriter implements TileWriter {
  readonly kind = 'mbtiles';
  private closed = false;
  private readonly positions: string;
  /** Whether a batch may use the one-statement insert and the per-batch marking (see the top). */
  private readonly replacesInPlace: boolean;
  private readonly insertTile: (z: number, x: number, row: number, data: Uint8Array, writtenAt: number) => void;
  private readonly replaceTile: Database.Statement | undefined;
  private readonly largestRowid: Database.Statement | undefined;
  private readonly markAddedSince: Database.Statement | undefined;
  private readonly deleteTile: Database.Statement;
  /** Marks and unmarks a tile's written time in the side table; nothing without one. */
  private readonly markWritten: (z: number, x: number, row: number, writtenAt: number) => void;
  private readonly unmarkWritten: (z: number, x: number, row: number) => void;
  private readonly timesInRange: Database.Statement;
  private readonly oneTile: Database.Statement;

  constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly layout: Layout,
    /** What the file declared before this writer, when it held tiles: finish keeps covering it. */
    private readonly previousBounds: Bbox | null,
    /** Whether this writer records written times (see `writtenTimes`). */
    tracksWrites = true,
  ) {
    this.positions = layout === 'table' ? 'tiles' : 'map';
    this.deleteTile = db.prepare(`DELETE FROM ${this.positions} WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`);
    this.replacesInPlace = layout === 'table' && replacesByPosition(db);
    if (this.replacesInPlace) {
      this.replaceTile = db.prepare('INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)');
      this.largestRowid = db.prepare('SELECT coalesce(max(rowid), 0) FROM tiles').pluck();
      if (tracksWrites) {
        this.markAddedSince = db.prepare(
          `INSERT OR REPLACE INTO ${WRITTEN_TABLE} (zoom_level, tile_column, tile_row, written_at) SELECT zoom_level, tile_column, tile_row, ? FROM tiles WHERE rowid > ?`,
        );
      }
    }
    this.insertTile = tileInserter(db, layout, this.deleteTile, tracksWrites);
    if (tracksWrites && layout !== 'deduplicated') {
      const mark = db.prepare(`INSERT OR REPLACE INTO ${WRITTEN_TABLE} (zoom_level, tile_column, tile_row, written_at) VALUES (?, ?, ?, ?)`);
      const unmark = db.prepare(`DELETE FROM ${WRITTEN_TABLE} WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`);
      this.markWritten = (z, x, row, writtenAt) => mark.run(z, x, row, writtenAt);
      this.unmarkWritten = (z, x, row) => unmark.run(z, x, row);
    } else {
      // A de-duplicated file's map row carries its time: the insert wrote it, the delete takes it.
      this.markWritten = () => {};
      this.unmarkWritten = () => {};
    }
    let times: string;
    if (layout === 'deduplicated') times = 'SELECT p.tile_column, p.tile_row, coalesce(p.written_at, 0) FROM map p';
    else if (tracksWrites) {
      times = `SELECT p.tile_column, p.tile_row, coalesce(w.written_at, 0) FROM ${this.positions} p
         LEFT JOIN ${WRITTEN_TABLE} w ON w.zoom_level = p.zoom_level AND w.tile_column = p.tile_column AND w.tile_row = p.tile_row`;
    } else times = `SELECT p.tile_column, p.tile_row, 0 FROM ${this.positions} p`;
    this.timesInRange = db.prepare(`${times} WHERE p.zoom_level = ? AND p.tile_column BETWEEN ? AND ? AND p.tile_row BETWEEN ? AND ?`).raw();
    this.oneTile = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').pluck();
  }

  /** A tile as stored (XYZ), or null: kinds compose new edge tiles over what the output holds. */
  async readTile(z: number, x: number, y: number): Promise<Uint8Array | null> {
    this.assertOpen();
    if (!isTileInGrid(z, x, y)) return null;
    try {
      const data = this.oneTile.get(z, x, flipY(z, y)) as Buffer | undefined;
      return data === undefined ? null : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (error) {
      throw writeFailed(this.path, `cannot read tile ${z}/${x}/${y}`, error);
    }
  }

  async writtenAt(z: number, minX: number, minY: number, maxX: number, maxY: number): Promise<Map<string, number>> {
    this.assertOpen();
    const times = new Map<string, number>();
    try {
      // XYZ rows minY..maxY are TMS rows flipY(maxY)..flipY(minY).
      for (const [x, row, at] of this.timesInRange.all(z, minX, maxX, flipY(z, maxY), flipY(z, minY)) as [number, number, number][]) {
        times.set(tileKey(x, flipY(z, row)), at);
      }
    } catch (error) {
      throw writeFailed(this.path, `cannot read which tiles of zoom ${z} are written`, error);
    }
    return times;
  }

  async write(tiles: readonly TileToWrite[]): Promise<void> {
    this.writeAt(tiles, Date.now());
  }

  /** `write` with a chosen time: tiles imported from an archive keep the archive's age. */
  writeAt(tiles: readonly TileToWrite[], writtenAt: number): void {
    if (this.replacesInPlace) {
      this.inTransaction(tiles, `cannot write ${tiles.length} tiles`, () => this.replaceBatch(tiles, writtenAt));
      return;
    }
    this.eachInTransaction(tiles, `cannot write ${tiles.length} tiles`, (t, row) => {
      this.insertTile(t.z, t.x, row, t.data, writtenAt);
      this.markWritten(t.z, t.x, row, writtenAt);
    });
  }

  /** The fast path: one statement per tile, one to mark the batch (inside the caller's transaction). */
  private replaceBatch(tiles: readonly TileToWrite[], writtenAt: number): void {
    const before = this.largestRowid!.get() as number;
    // Past 2^53 the rowid is not exact in JS, and at 2^63 SQLite picks rowids at random.
    const marksByRowid = this.markAddedSince !== undefined && before < Number.MAX_SAFE_INTEGER;
    const replace = this.replaceTile!;
    for (let i = 0; i < tiles.length; i++) {
      const t = tiles[i]!;
      const row = flipY(t.z, t.y);
      replace.run(t.z, t.x, row, t.data);
      if (!marksByRowid) this.markWritten(t.z, t.x, row, writtenAt);
    }
    if (marksByRowid) this.markAddedSince!.run(writtenAt, before);
  }

  async remove(tiles: readonly { z: number; x: number; y: number }[]): Promise<void> {
    this.eachInTransaction(tiles, `cannot remove ${tiles.length} tiles`, (t, row) => {
      this.deleteTile.run(t.z, t.x, row);
      this.unmarkWritten(t.z, t.x, row);
    });
  }

  /** Runs `change` for every tile (with its TMS row) in one transaction: all of them or none. */
  private eachInTransaction<T extends { z: number; x: number; y: number }>(tiles: readonly T[], what: string, change: (tile: T, row: number) => void): void {
    this.inTransaction(tiles, what, () => {
      for (const t of tiles) change(t, flipY(t.z, t.y));
    });
  }

  /** Runs `body` in one IMMEDIATE transaction once the tiles are known to be in the grid. */
  private inTransaction(tiles: readonly { z: number; x: number; y: number }[], what: string, body: () => void): void {
    this.assertOpen();
    assertTilesInGrid(this.path, tiles);
    try {
      this.db.transaction(body).immediate();
    } catch (error) {
      throw writeFailed(this.path, what, error);
    }
  }

  async finish(metadata: TilesetMetadata): Promise<void> {
    this.recordMetadata(metadata);
  }

  /**
   * VACUUM when at least a tenth of the file (and 1 MiB) is free pages: after a truncate the file
   * shrinks to what it holds. It rewrites the file through a temporary copy, so it needs free space
   * as large as what stays; without it, SQLITE_FULL is a WRITE_FAILED and the file is as it was.
   */
  async compact(): Promise<number> {
    this.assertOpen();
    const pragma = (name: string) => this.db.pragma(name, { simple: true }) as number;
    const pageSize = pragma('page_size');
    const free = pragma('freelist_count') * pageSize;
    const total = pragma('page_count') * pageSize;
    if (free < 1024 * 1024 || free < total / 10) return 0;
    try {
      this.db.exec('VACUUM');
    } catch (error) {
      throw writeFailed(this.path, 'cannot compact the file (VACUUM)', error);
    }
    return total - pragma('page_count') * pageSize;
  }

  /** Writes the 1.3 metadata widened to everything the file holds; returns what it wrote. */
  recordMetadata(metadata: TilesetMetadata): TilesetMetadata {
    this.assertOpen();
    try {
      const zooms = this.db.prepare(`SELECT min(zoom_level), max(zoom_level) FROM ${this.positions}`).raw().get() as [number | null, number | null];
      const widened = widenToOutput(metadata, {
        previousBounds: this.previousBounds,
        zooms: zooms[0] === null || zooms[1] === null ? null : [zooms[0], zooms[1]],
      });
      this.db
        .transaction(() => {
          this.putRows(mbtilesRows(widened));
          // Contents that replaced or removed tiles left without a position.
          if (this.layout !== 'table') this.db.exec('DELETE FROM images WHERE tile_id NOT IN (SELECT tile_id FROM map)');
        })
        .immediate();
      return widened;
    } catch (error) {
      throw writeFailed(this.path, 'cannot write the metadata', error);
    }
  }

  /** Sets metadata rows as given, in one transaction. */
  putMetadata(rows: ReadonlyMap<string, string>): void {
    this.assertOpen();
    try {
      this.db.transaction(() => this.putRows(rows)).immediate();
    } catch (error) {
      throw writeFailed(this.path, 'cannot write the metadata', error);
    }
  }

  private putRows(rows: ReadonlyMap<string, string>): void {
    const remove = this.db.prepare('DELETE FROM metadata WHERE name = ?');
    const insert = this.db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
    // Delete and insert: files from other tools may lack a unique index on name.
    for (const [name, value] of rows) {
      remove.run(name);
      insert.run(name, value);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // Fails harmlessly (SQLITE_BUSY) while another connection has the file open: it stays WAL.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.pragma('journal_mode = DELETE');
    } catch {
      // Leaving WAL is a courtesy to other readers; the data is committed either way.
    }
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new TesseraError('INTERNAL', `the MBTiles writer for ${this.path} is closed`);
  }
}

/**
 * Puts one tile (TMS row) in the file's layout, replacing what was at its position. Only a
 * de-duplicated file's map row holds the written time; the other layouts mark it beside.
 */
function tileInserter(
  db: Database.Database,
  layout: Layout,
  deleteTile: Database.Statement,
  tracksWrites: boolean,
): (z: number, x: number, row: number, data: Uint8Array, writtenAt: number) => void {
  switch (layout) {
    case 'table': {
      const insert = db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)');
      return (z, x, row, data) => {
        deleteTile.run(z, x, row);
        insert.run(z, x, row, data);
      };
    }
    case 'map-images': {
      // Another tool's ids are its own hash, as text: ours are text too there, so its column keeps one type.
      const insertImage = db.prepare('INSERT INTO images (tile_id, tile_data) SELECT @id, @data WHERE NOT EXISTS (SELECT 1 FROM images WHERE tile_id = @id)');
      const insertMap = db.prepare('INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)');
      return (z, x, row, data) => {
        const id = createHash('sha256').update(data).digest('hex');
        insertImage.run({ id, data });
        deleteTile.run(z, x, row);
        insertMap.run(z, x, row, id);
      };
    }
    case 'deduplicated': {
      // The index on content_hash finds candidates; SQLite compares their bytes (a blob compare).
      const findImage = db.prepare('SELECT tile_id FROM images WHERE content_hash = ? AND tile_data = ?').pluck();
      const insertImage = db.prepare('INSERT INTO images (content_hash, tile_data) VALUES (?, ?)');
      const putMap = db.prepare('INSERT OR REPLACE INTO map (zoom_level, tile_column, tile_row, tile_id, written_at) VALUES (?, ?, ?, ?, ?)');
      return (z, x, row, data, writtenAt) => {
        const hash = contentHashOf(data);
        let id = findImage.get(hash, data) as number | undefined;
        if (id === undefined) id = Number(insertImage.run(hash, data).lastInsertRowid);
        putMap.run(z, x, row, id, tracksWrites ? writtenAt : null);
      };
    }
  }
}

/**
 * A de-duplicated file's `content_hash`: the first 48 bits of the content's SHA-256 (the fastest
 * digest here), a whole JS number; a shared hash is told apart by the bytes, so 48 bits suffice.
 */
export function contentHashOf(data: Uint8Array): number {
  return hash('sha256', data, 'buffer').readUIntBE(0, 6);
}

/** "world" for /data/world.mbtiles. */
function nameOf(path: string): string {
  const base = basename(path);
  return base.slice(0, base.length - extname(base).length) || base;
}
