/**
 * The tables an MBTiles writer needs, made when they are missing: the layout of a new file, and the
 * indexes and written-time bookkeeping it adds to a file another tool (or an older Tessera) made.
 *
 * A new file stores every distinct tile once, as mbutil and tippecanoe do: `map` gives each position
 * a `tile_id`, `images` holds one row per distinct content, and `tiles` is a view joining them, so
 * readers that know only the spec's `tiles` (GDAL, QGIS, our readers) read it unchanged. Inland
 * vector tiles repeat by the thousand (Natural Earth states_provinces z0–10: 125k distinct of 573k
 * tiles); stored once, they cost a map row each. Imagery barely repeats (Blue Marble z0–6: 17 of
 * 5,461), and there the layout costs about 5 bytes per tile more than a flat file.
 *
 * Every byte per tile counts here (a vector preseed writes ~600k tiles, many of them 50 bytes), so:
 * - `tile_id` is the image's rowid, a small integer (1–3 bytes in each map row), not the 16–32 byte
 *   hash text other tools use. Images are found by `content_hash` (48 bits of the SHA-256, a 6-byte
 *   integer in a plain index) and their bytes compared, so two contents that share a hash are two
 *   images, never one. Keyed by the hash itself, images would be inserted in random order, and a
 *   table of tile data filled at random leaves its pages about a third empty.
 * - the written time (ms since the epoch) is a column of the map row, 6 bytes; the side table of
 *   flat files repeats the whole position and its B-tree entry beside it.
 * - `map` has no rowid (its position is its key), keyed (zoom_level, tile_column, tile_row): the
 *   order readers walk (a column's rows, a column at a time: mbtiles-reader.ts). Keyed row first,
 *   the order kinds write in, a write would save about 2 µs, but every column a reader walks would
 *   scan its whole zoom (and, through the view, look up each image on the way).
 */
import type Database from 'better-sqlite3';
import type { Layout } from './mbtiles-inspect.js';

/** The side table of written times (position → ms since the epoch) of flat and foreign files. */
export const WRITTEN_TABLE = 'tessera_tile_written';

/** The layout of a new file (see the top). */
const DEDUPLICATED_SCHEMA = `
  CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
  CREATE UNIQUE INDEX metadata_name ON metadata (name);
  CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_id INTEGER NOT NULL,
                    written_at INTEGER, PRIMARY KEY (zoom_level, tile_column, tile_row)) WITHOUT ROWID;
  -- content_hash before tile_data: deleting an image reads it for the index, without its overflow pages.
  CREATE TABLE images (tile_id INTEGER PRIMARY KEY, content_hash INTEGER NOT NULL, tile_data BLOB NOT NULL);
  CREATE INDEX images_content ON images (content_hash);
  CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
    FROM map JOIN images ON images.tile_id = map.tile_id;`;

/** The spec's flat layout, for a new file asked not to deduplicate (the PMTiles working file). */
const FLAT_SCHEMA = `
  CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
  CREATE UNIQUE INDEX metadata_name ON metadata (name);
  CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
  CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_row, tile_column);`;

export interface SchemaOptions {
  /** The provisional `name` of a new file. */
  name: string;
  format: string;
  /** false: a flat or foreign file without the side table does not get one (see MbtilesWriterOptions). */
  writtenTimes: boolean;
}

/**
 * Creates what is missing: the whole layout of a new file (`fresh`), or the side table of written
 * times (flat and foreign layouts, unless `writtenTimes` is false) and the indexes writes rely on.
 * Returns whether the writer records written times.
 */
export function prepareSchema(db: Database.Database, layout: Layout, fresh: boolean, options: SchemaOptions): boolean {
  if (fresh) db.exec(layout === 'deduplicated' ? DEDUPLICATED_SCHEMA : FLAT_SCHEMA);
  db.exec('CREATE TABLE IF NOT EXISTS metadata (name TEXT, value TEXT)');
  let tracksWrites: boolean;
  if (layout === 'deduplicated') {
    // The column is there either way; a writer asked for no times leaves it NULL (one byte per tile).
    tracksWrites = options.writtenTimes;
  } else {
    tracksWrites = options.writtenTimes || db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(WRITTEN_TABLE) !== undefined;
    if (tracksWrites) {
      db.exec(`CREATE TABLE IF NOT EXISTS ${WRITTEN_TABLE} (
                 zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, written_at INTEGER NOT NULL,
                 PRIMARY KEY (zoom_level, tile_row, tile_column)) WITHOUT ROWID;`);
    }
    // Without an index on the position, every replace would scan the whole table.
    const positions = layout === 'table' ? 'tiles' : 'map';
    if (!hasIndexOn(db, positions, ['zoom_level', 'tile_column', 'tile_row']) && !hasIndexOn(db, positions, ['zoom_level', 'tile_row', 'tile_column'])) {
      db.exec(`CREATE INDEX tessera_${positions}_position ON ${positions} (zoom_level, tile_column, tile_row)`);
    }
    if (layout === 'map-images' && !hasIndexOn(db, 'images', ['tile_id'])) db.exec('CREATE INDEX tessera_images_id ON images (tile_id)');
  }
  const provisional = db.prepare('INSERT INTO metadata (name, value) SELECT @name, @value WHERE NOT EXISTS (SELECT 1 FROM metadata WHERE name = @name)');
  provisional.run({ name: 'name', value: options.name });
  provisional.run({ name: 'format', value: options.format });
  return tracksWrites;
}

/**
 * Whether `INSERT OR REPLACE INTO tiles` replaces exactly the tile at the same position, and new rows
 * get rowids above the old ones: `tiles` is a rowid table, and its unique indexes (at least one) are
 * all on the whole position, without a WHERE clause. A unique index on anything else would let a
 * REPLACE delete some other tile. A trigger on `tiles` (another tool's) would not see the delete a
 * REPLACE does, so it keeps the general path too.
 */
export function replacesByPosition(db: Database.Database): boolean {
  const unique = (db.prepare(`SELECT name, "unique", partial FROM pragma_index_list('tiles')`).raw().all() as [string, number, number][]).filter(
    ([, u]) => u === 1,
  );
  const position = ['tile_column', 'tile_row', 'zoom_level'];
  const onPosition = (index: string) => {
    const columns = (db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(index) as (string | null)[]).sort();
    return columns.length === position.length && columns.every((c, i) => c === position[i]);
  };
  if (unique.length === 0 || !unique.every(([name, , partial]) => partial === 0 && onPosition(name))) return false;
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tiles'`).get() !== undefined) return false;
  return db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = 'tiles'`).pluck().get() === 0;
}

function hasIndexOn(db: Database.Database, table: string, columns: string[]): boolean {
  const indexes = db.prepare('SELECT name FROM pragma_index_list(?)').pluck().all(table) as string[];
  return indexes.some((index) => {
    const indexed = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index) as string[];
    return columns.every((c, i) => indexed[i] === c);
  });
}
