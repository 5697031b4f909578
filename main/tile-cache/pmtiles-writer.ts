/**
 * Writes a PMTiles v3 archive: tiles go to a working MBTiles beside it (`<out>.work.mbtiles`),
 * which is what resume and refresh look at, and `finish` builds the archive from it.
 *
 * A PMTiles archive cannot be appended to (its directories sit before its data and are sorted by
 * tile id), so a job writes into SQLite and `finish` lays the archive out once: tile data in tile-id
 * order with identical contents stored once and runs folded, a gzipped root directory in the first
 * 16 KiB (leaf directories when the root would not fit), gzipped JSON metadata. The archive is
 * written to `<out>.tmp-<pid>` and renamed onto `<out>`, so a reader sees the old archive or the
 * new one, never half of one; then the working file is deleted.
 *
 * Memory: the build holds a few numbers per tile (tile id, content number, offset) and one hash per
 * distinct content, never the tile data, which goes from SQLite to the file in scans of the working
 * file. Because the directories depend on where every content lands, the tile data starts at byte
 * 16,384, after the header, root directory and (when it fits) the metadata, and the leaf
 * directories follow the data. The spec places sections by the header's offsets, so the zeros
 * before the data are legal; both pmtiles readers read such archives in the tests.
 *
 * Resuming an archive whose working file is gone (a finished job, extended later) first imports
 * its tiles into a new working file. Their written time is the archive's `tessera_oldest_write`
 * (every tile of it was written at or after that), or 0 for an archive made elsewhere.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { withSqliteBinding } from '../native/sqlite-binding.js';
import { Compression, TileType, zxyToTileId } from 'pmtiles';
import { TesseraError } from '../../shared/errors.js';
import { flipY } from '../../shared/tile-grid.js';
import { isGzip } from './cache-summary.js';
import { type MbtilesWriter, WRITTEN_TABLE, openMbtilesWriter } from './mbtiles-writer.js';
import { ArchiveEntries, HEADER_BYTES, ROOT_LIMIT, archiveHeader, buildDirectoriesInTurns } from './pmtiles-layout.js';
import { openPmtiles } from './pmtiles-reader.js';
import type { TileCacheReader } from './tile-cache.js';
import type { TileToWrite, TileWriter, TilesetMetadata, WrittenTileFormat } from './tile-writer.js';
import { notWritable, statOutput, writeFailed } from './tile-output.js';
import { centerOf, mercatorBounds, pmtilesJson } from './tileset-metadata.js';

/** Tile data starts here: the header, root directory and (usually) metadata fit before it. */
const DATA_START = ROOT_LIMIT;
/** Bytes gathered before one write to the archive. */
const WRITE_CHUNK_BYTES = 4 * 1024 * 1024;
/** Tiles hashed between two turns of the event loop (the build runs on the engine's thread). */
const TILES_PER_TURN = 2000;
/** Tiles per transaction when importing an archive. */
const IMPORT_BATCH = 2000;
/** The JSON key holding the oldest written time of the archive's tiles (ms since the epoch). */
export const OLDEST_WRITE_KEY = 'tessera_oldest_write';

const gzip = promisify(zlib.gzip);
const brotliDecompress = promisify(zlib.brotliDecompress);

const TILE_TYPES: Record<WrittenTileFormat, TileType> = { png: TileType.Png, jpg: TileType.Jpeg, webp: TileType.Webp, pbf: TileType.Mvt };

export interface PmtilesWriterOptions {
  format: WrittenTileFormat;
  /** Recorded in the JSON metadata for raster tiles (MapLibre reads `tileSize` from TileJSON). */
  tileSize?: number;
  /** Entries per leaf directory, forced; default: leaves only when the root would not fit. */
  leafSize?: number;
}

/** The working MBTiles of the archive at `path`. */
export function workingFileOf(path: string): string {
  return `${path}.work.mbtiles`;
}

/** Opens a writer for the archive at `path`; BAD_INPUT if something else, or another format, is there. */
export async function openPmtilesWriter(path: string, options: PmtilesWriterOptions): Promise<TileWriter> {
  const work = workingFileOf(path);
  const archive = await existingArchive(path, options.format);
  await removeStaleTemps(path);
  try {
    if (archive !== null && !(await exists(work))) await importArchive(archive, work, options.format);
  } finally {
    await archive?.close();
  }
  return new PmtilesWriter(path, await openMbtilesWriter(work, { format: options.format, deduplicate: false }), options);
}

class PmtilesWriter implements TileWriter {
  readonly kind = 'pmtiles';
  /** Set when finish starts: the archive is built from one snapshot, later writes would be lost. */
  private finishing = false;
  private finished = false;

  constructor(
    readonly path: string,
    private readonly work: MbtilesWriter,
    private readonly options: PmtilesWriterOptions,
  ) {}

  writtenAt(z: number, minX: number, minY: number, maxX: number, maxY: number): Promise<Map<string, number>> {
    return this.work.writtenAt(z, minX, minY, maxX, maxY);
  }

  /** A tile as stored in the working file (XYZ), or null. */
  readTile(z: number, x: number, y: number): Promise<Uint8Array | null> {
    return this.work.readTile(z, x, y);
  }

  async write(tiles: readonly TileToWrite[]): Promise<void> {
    this.assertNotFinishing();
    // The archive declares gzip for every vector tile: one that came raw is gzipped here.
    if (this.options.format === 'pbf' && tiles.some((t) => !isGzip(t.data))) {
      tiles = await Promise.all(tiles.map(async (t) => ({ ...t, data: await asGzip(t.data, false) })));
    }
    return this.work.write(tiles);
  }

  async remove(tiles: readonly { z: number; x: number; y: number }[]): Promise<void> {
    this.assertNotFinishing();
    return this.work.remove(tiles);
  }

  async finish(metadata: TilesetMetadata): Promise<void> {
    this.assertNotFinishing();
    this.finishing = true;
    try {
      await this.build(metadata);
    } finally {
      this.finishing = false;
    }
  }

  async close(): Promise<void> {
    if (!this.finished) await this.work.close();
  }

  private assertNotFinishing(): void {
    if (this.finishing || this.finished) throw new TesseraError('INTERNAL', `the archive ${this.path} is being finished or is finished: no more tiles`);
  }

  private async build(metadata: TilesetMetadata): Promise<void> {
    const widened = this.work.recordMetadata(metadata);
    const temp = `${this.path}.tmp-${process.pid}`;
    try {
      await buildArchive(this.work.path, temp, widened, this.options);
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      throw writeFailed(this.path, 'cannot build the PMTiles archive', error);
    }
    this.finished = true;
    await this.work.close();
    // The archive is complete: the working file is only a resume aid now. Failing to delete it
    // costs disk space, not correctness (a later resume would use it, and it matches the archive).
    await removeDatabase(this.work.path).catch(() => {});
  }
}

/** The archive at `path` opened for import, null when there is none; BAD_INPUT when it is not ours to replace. */
async function existingArchive(path: string, format: WrittenTileFormat): Promise<TileCacheReader | null> {
  const info = await statOutput(path);
  // An empty file is a placeholder, not an archive: there is nothing in it to keep.
  if (info === null || (info.isFile() && info.size === 0)) return null;
  if (!info.isFile()) throw notWritable(path, 'it is not a file (a PMTiles output is one archive file)');
  let reader: TileCacheReader;
  try {
    reader = await openPmtiles(path);
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'IO_ERROR') throw error;
    throw notWritable(path, `it exists and is not a PMTiles archive (${(error as Error).message})`);
  }
  if (reader.format !== format) {
    await reader.close();
    throw notWritable(path, `it holds ${reader.format} tiles, not ${format}`);
  }
  return reader;
}

/**
 * Copies the archive's tiles into a new working file, built under a temporary name and renamed
 * when complete, so an interrupted import is started again rather than taken for the whole archive.
 */
async function importArchive(archive: TileCacheReader, work: string, format: WrittenTileFormat): Promise<void> {
  const partial = `${work}.import`;
  await removeDatabase(partial);
  const writer = await openMbtilesWriter(partial, { format, deduplicate: false });
  try {
    const declared = Number(archive.metadata[OLDEST_WRITE_KEY]);
    const writtenAt = Number.isFinite(declared) && declared > 0 ? declared : 0;
    const brotli = archive.metadata.tile_compression === 'brotli';
    for (const { z } of await archive.zoomLevels()) {
      for (let after: { x: number; y: number } | null = null; ; ) {
        const batch = await archive.readBatch(z, after, IMPORT_BATCH);
        if (format === 'pbf') for (const t of batch) t.data = await asGzip(t.data, brotli);
        writer.writeAt(batch, writtenAt);
        if (batch.length < IMPORT_BATCH) break;
        const last = batch[batch.length - 1]!;
        after = { x: last.x, y: last.y };
      }
    }
    // finish then widens its metadata to cover the archive's area as well as the new job's.
    const bounds = archive.metadata.bounds;
    if (bounds !== undefined) writer.putMetadata(new Map([['bounds', bounds]]));
  } finally {
    await writer.close();
  }
  try {
    await rename(partial, work);
  } catch (error) {
    throw writeFailed(work, 'cannot put the imported working file in place', error);
  }
}

/**
 * A vector tile as this writer stores it, gzipped: archives made elsewhere may hold raw or
 * brotli-compressed tiles, and the rebuilt archive declares gzip for all of them.
 */
async function asGzip(data: Uint8Array, brotli: boolean): Promise<Uint8Array> {
  if (isGzip(data)) return data;
  return gzip(brotli ? await brotliDecompress(data) : data);
}

/** Removes `<out>.tmp-<pid>` files left by builds whose process has died (a crash mid-finish). */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await rm(join(dirname(path), name), { force: true }).catch(() => {});
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Lays the archive out at `target` from the working MBTiles at `source`, in three passes inside one
 * read transaction (one snapshot): a scan in storage order that hashes every tile into a content
 * number, then the entries in tile-id order (which gives each content its offset), then a second
 * scan in storage order that writes each content once at its offset. Both scans read the file
 * front to back; fetching tiles one by one in tile-id order would be random reads, several times
 * slower on 600k tiles.
 */
async function buildArchive(source: string, target: string, metadata: TilesetMetadata, options: PmtilesWriterOptions): Promise<void> {
  const db = new Database(source, withSqliteBinding({ readonly: true, fileMustExist: true }));
  const handle = await open(target, 'w');
  try {
    db.exec('BEGIN');
    const scan = await scanContents(db);
    const archive = new ArchiveEntries();
    const contentOffsets = new Float64Array(scan.contentLengths.length);
    const order = idOrder(scan.ids);
    for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const content = scan.contentOf[i]!;
      contentOffsets[content] = archive.addContent(scan.ids[i]!, content, scan.contentLengths[content]!).offset;
      if (k % TILES_PER_TURN === TILES_PER_TURN - 1) await yieldToLoop();
    }
    await writeContents(db, handle, scan.contentOf, contentOffsets);
    db.exec('COMMIT');

    const pack = (bytes: Uint8Array) => zlib.gzipSync(bytes);
    const { root, leaves, leavesLength } = await buildDirectoriesInTurns(
      archive.entries,
      options.leafSize === undefined ? { pack } : { pack, leafSize: options.leafSize },
      () => yieldToLoop(),
    );
    const extra = {
      [OLDEST_WRITE_KEY]: scan.oldestWrite,
      ...(options.tileSize !== undefined && options.format !== 'pbf' ? { tileSize: options.tileSize } : {}),
    };
    const json = pack(new TextEncoder().encode(JSON.stringify(pmtilesJson(metadata, extra))));
    const leafOffset = DATA_START + archive.dataLength;
    const jsonFitsUpFront = HEADER_BYTES + root.byteLength + json.byteLength <= DATA_START;
    const jsonOffset = jsonFitsUpFront ? HEADER_BYTES + root.byteLength : leafOffset + leavesLength;

    const header = archiveHeader(
      archive,
      {
        root: [HEADER_BYTES, root.byteLength],
        metadata: [jsonOffset, json.byteLength],
        leaves: [leafOffset, leavesLength],
        data: [DATA_START, archive.dataLength],
      },
      {
        internalCompression: Compression.Gzip,
        // Vector tiles arrive gzipped and are stored as they are; images are compressed already.
        tileCompression: options.format === 'pbf' ? Compression.Gzip : Compression.None,
        tileType: TILE_TYPES[options.format],
        bounds: mercatorBounds(metadata.bounds),
        center: centerOf(metadata),
      },
    );
    const sections = [...leaves, ...(jsonFitsUpFront ? [] : [json])];
    await writeFully(handle, Buffer.concat(sections), leafOffset);
    await writeFully(handle, Buffer.concat([header, root, ...(jsonFitsUpFront ? [json] : [])]), 0);
    await handle.sync();
  } finally {
    await handle.close();
    db.close();
  }
}

interface ContentScan {
  /** Per tile, in storage order: its PMTiles tile id and its content number. */
  ids: Float64Array;
  contentOf: Uint32Array;
  /** Per content number: its length in bytes. */
  contentLengths: number[];
  /** The oldest written time of any tile (0 for tiles without one, or no tiles). */
  oldestWrite: number;
}

/** Pass one: tile ids, and a content number per tile (identical bytes, same number). */
async function scanContents(db: Database.Database): Promise<ContentScan> {
  const count = db.prepare('SELECT count(*) FROM tiles').pluck().get() as number;
  const ids = new Float64Array(count);
  const contentOf = new Uint32Array(count);
  const contentLengths: number[] = [];
  const contentByHash = new Map<string, number>();
  let n = 0;
  let oldestWrite = Number.POSITIVE_INFINITY;
  const rows = db
    .prepare(
      `SELECT t.zoom_level, t.tile_column, t.tile_row, t.tile_data, coalesce(w.written_at, 0) FROM tiles t
       LEFT JOIN ${WRITTEN_TABLE} w ON w.zoom_level = t.zoom_level AND w.tile_column = t.tile_column AND w.tile_row = t.tile_row
       ORDER BY t.rowid`,
    )
    .raw();
  for (const [z, x, row, data, writtenAt] of rows.iterate() as IterableIterator<[number, number, number, Buffer, number]>) {
    ids[n] = zxyToTileId(z, x, flipY(z, row));
    oldestWrite = Math.min(oldestWrite, writtenAt);
    const hash = createHash('sha256').update(data).digest('base64');
    let content = contentByHash.get(hash);
    if (content === undefined) {
      content = contentLengths.length;
      contentByHash.set(hash, content);
      contentLengths.push(data.byteLength);
    }
    contentOf[n++] = content;
    if (n % TILES_PER_TURN === 0) await yieldToLoop();
  }
  return { ids, contentOf, contentLengths, oldestWrite: n === 0 ? 0 : oldestWrite };
}

/** Tile indexes sorted by tile id. */
function idOrder(ids: Float64Array): Uint32Array {
  return Uint32Array.from({ length: ids.length }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
}

/**
 * Pass three: each content written once at its offset. Tiles come in storage order, so the writes
 * are gathered (a few MiB at a time), sorted by offset and merged where they touch.
 */
async function writeContents(db: Database.Database, handle: FileHandle, contentOf: Uint32Array, contentOffsets: Float64Array): Promise<void> {
  const written = new Uint8Array(contentOffsets.length);
  let pending: { at: number; data: Buffer }[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    pending.sort((a, b) => a.at - b.at);
    for (let i = 0; i < pending.length; ) {
      let j = i + 1;
      let end = pending[i]!.at + pending[i]!.data.byteLength;
      while (j < pending.length && pending[j]!.at === end) end += pending[j++]!.data.byteLength;
      await writeFully(handle, j - i === 1 ? pending[i]!.data : Buffer.concat(pending.slice(i, j).map((p) => p.data)), DATA_START + pending[i]!.at);
      i = j;
    }
    pending = [];
    pendingBytes = 0;
  };
  let n = 0;
  for (const data of db.prepare('SELECT tile_data FROM tiles ORDER BY rowid').pluck().iterate() as IterableIterator<Buffer>) {
    const content = contentOf[n++]!;
    if (written[content] === 0) {
      written[content] = 1;
      pending.push({ at: contentOffsets[content]!, data });
      pendingBytes += data.byteLength;
      if (pendingBytes >= WRITE_CHUNK_BYTES) await flush();
    }
    if (n % TILES_PER_TURN === 0) await yieldToLoop();
  }
  await flush();
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let written = 0; written < bytes.byteLength; ) {
    written += (await handle.write(bytes, written, bytes.byteLength - written, position + written)).bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  return (await statOutput(path)) !== null;
}

/** An SQLite file and the WAL files that may sit beside it. */
async function removeDatabase(path: string): Promise<void> {
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${path}${suffix}`, { force: true })));
}
