/**
 * Writes tiles as `<dir>/<z>/<x>/<y>.<ext>` files, the layout of gdal2tiles --xyz, tippecanoe -e
 * and every static tile server.
 *
 * Each tile is written to `.<y>.<ext>.<pid>-<n>.tmp` in its column's folder, synced, then renamed
 * onto its name, so a reader never sees half a tile: the directory reader only takes names that
 * are all digits plus a tile extension, which a leading dot never is. Vector tiles are stored as
 * they arrive, gzip-compressed, as tippecanoe and GDAL's MVT driver (COMPRESS=YES, its default)
 * do; our readers, verification and the tile route all tell gzip by its magic bytes. A static web
 * server must then send them with `Content-Encoding: gzip`.
 *
 * Written times are the files' modification times. `finish` writes a TileJSON-style
 * `metadata.json` the same way (temp name, rename). File operations are limited to 32 at a time
 * across all calls of one writer: concurrent items share the limit.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Bbox } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { parseBounds } from './cache-summary.js';
import { openTileDirectory } from './directory-reader.js';
import { type TileCacheReader, isTileInGrid } from './tile-cache.js';
import { assertTilesInGrid, notWritable, statOutput, writeFailed } from './tile-output.js';
import { type TileToWrite, type TileWriter, type TilesetMetadata, type WrittenTileFormat, tileKey } from './tile-writer.js';
import { tileJson, widenToOutput } from './tileset-metadata.js';

/** File operations in flight per writer: enough to hide disk latency, far below the fd limit. */
const FILE_CONCURRENCY = 32;
const NUMBER = /^(0|[1-9]\d*)$/;
const TILE_FILE = /^(0|[1-9]\d*)\.(png|jpg|jpeg|webp|pbf|mvt)$/;
const METADATA_FILE = 'metadata.json';

export interface DirectoryWriterOptions {
  format: WrittenTileFormat;
  /** Recorded in metadata.json for raster tiles (MapLibre reads `tileSize` from TileJSON). */
  tileSize?: number;
}

/** Opens (or creates) the tile directory at `path`; BAD_INPUT when it holds something else. */
export async function openDirectoryWriter(path: string, options: DirectoryWriterOptions): Promise<TileWriter> {
  const existing = await inspect(path, options.format);
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw writeFailed(path, 'cannot create the tile directory', error);
  }
  return new DirectoryWriter(path, existing.extension ?? options.format, existing.previousBounds, options.tileSize);
}

class DirectoryWriter implements TileWriter {
  readonly kind = 'directory';
  private readonly limit = new Limiter(FILE_CONCURRENCY);
  /** Column folders known to exist: mkdir once per column, not once per tile. */
  private readonly columns = new Set<string>();
  private sequence = 0;
  private readonly tempTag = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    readonly path: string,
    /** The existing tiles' own spelling (jpeg, mvt) when continuing a directory, else the format. */
    private readonly extension: string,
    private readonly previousBounds: Bbox | null,
    private readonly tileSize: number | undefined,
  ) {}

  async clockOffsetMs(): Promise<number> {
    // A file written now, stamped by the same clock as the tiles.
    const probe = join(this.path, `.tessera-clock-${randomUUID()}`);
    const before = Date.now();
    try {
      const handle = await open(probe, 'wx');
      await handle.close();
      const stamped = (await stat(probe)).mtimeMs;
      return Math.floor(stamped - (before + Date.now()) / 2);
    } catch (error) {
      throw writeFailed(probe, "cannot read the file system's clock", error);
    } finally {
      await rm(probe, { force: true });
    }
  }

  async writtenAt(z: number, minX: number, minY: number, maxX: number, maxY: number): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    const zoomDir = join(this.path, String(z));
    const xs = (await this.list(zoomDir))
      .filter((n) => NUMBER.test(n))
      .map(Number)
      .filter((x) => x >= minX && x <= maxX);
    const files: { x: number; y: number; file: string }[] = [];
    await Promise.all(
      xs.map(async (x) => {
        const column = join(zoomDir, String(x));
        for (const name of await this.limit.run(() => this.list(column))) {
          const m = TILE_FILE.exec(name);
          const y = Number(m?.[1]);
          if (m && m[2] === this.extension && y >= minY && y <= maxY) files.push({ x, y, file: join(column, name) });
        }
      }),
    );
    await Promise.all(
      files.map(({ x, y, file }) =>
        this.limit.run(async () => {
          try {
            times.set(tileKey(x, y), Math.floor((await stat(file)).mtimeMs));
          } catch (error) {
            // Removed between listing and stat: not written.
            if ((error as { code?: unknown }).code !== 'ENOENT') throw writeFailed(file, 'cannot read when a tile was written', error);
          }
        }),
      ),
    );
    return times;
  }

  /** A tile as stored (XYZ), or null: kinds compose new edge tiles over what the output holds. */
  async readTile(z: number, x: number, y: number): Promise<Uint8Array | null> {
    if (!isTileInGrid(z, x, y)) return null;
    const file = this.fileOf({ z, x, y });
    try {
      const data = await this.limit.run(() => readFile(file));
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw writeFailed(file, 'cannot read tile', error);
    }
  }

  async write(tiles: readonly TileToWrite[]): Promise<void> {
    assertTilesInGrid(this.path, tiles);
    const results = await Promise.allSettled(tiles.map((t) => this.limit.run(() => this.writeTile(t))));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw writeFailed(this.path, `cannot write ${failed.length} of ${tiles.length} tiles`, failed[0]!.reason);
  }

  async remove(tiles: readonly { z: number; x: number; y: number }[]): Promise<void> {
    assertTilesInGrid(this.path, tiles);
    const results = await Promise.allSettled(tiles.map((t) => this.limit.run(() => rm(this.fileOf(t), { force: true }))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw writeFailed(this.path, `cannot remove tiles`, failed.reason);
  }

  async finish(metadata: TilesetMetadata): Promise<void> {
    const zooms = (await this.list(this.path)).filter((n) => NUMBER.test(n)).map(Number);
    const widened = widenToOutput(metadata, {
      previousBounds: this.previousBounds,
      zooms: zooms.length > 0 ? [Math.min(...zooms), Math.max(...zooms)] : null,
    });
    const body = `${JSON.stringify(tileJson(widened, this.extension, this.tileSize), null, 2)}\n`;
    try {
      await this.writeAtomically(join(this.path, METADATA_FILE), new TextEncoder().encode(body));
    } catch (error) {
      throw writeFailed(this.path, `cannot write ${METADATA_FILE}`, error);
    }
  }

  async close(): Promise<void> {
    // Nothing stays open between calls.
  }

  private fileOf(t: { z: number; x: number; y: number }): string {
    return join(this.path, String(t.z), String(t.x), `${t.y}.${this.extension}`);
  }

  private async writeTile(t: TileToWrite): Promise<void> {
    const column = join(this.path, String(t.z), String(t.x));
    if (!this.columns.has(column)) {
      await mkdir(column, { recursive: true });
      this.columns.add(column);
    }
    await this.writeAtomically(this.fileOf(t), t.data);
  }

  /** Writes `data` under a temporary name beside `file`, syncs it, then renames it onto `file`. */
  private async writeAtomically(file: string, data: Uint8Array): Promise<void> {
    const temp = join(dirname(file), `.${basename(file)}.${this.tempTag}-${this.sequence++}.tmp`);
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(data);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      // A column folder removed under us is made again by the next attempt.
      if ((error as { code?: unknown }).code === 'ENOENT') this.columns.clear();
      throw error;
    }
  }

  /** Names in `dir`, none when it does not exist. */
  private async list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw writeFailed(dir, 'cannot list the tile directory', error);
    }
  }
}

/** Runs at most `size` functions at once, the rest in arrival order. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A finishing call hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * What an existing directory holds: the extension of its tiles and its declared bounds, as the
 * directory reader sees them. BAD_INPUT when the path is a file, holds tiles of another format, or
 * is a folder of other things (tiles are never sprayed into, say, a home folder picked by mistake).
 */
async function inspect(path: string, format: WrittenTileFormat): Promise<{ extension: string | null; previousBounds: Bbox | null }> {
  const info = await statOutput(path);
  if (info === null) return { extension: null, previousBounds: null };
  if (!info.isDirectory()) throw notWritable(path, 'it is a file, and an output path without .mbtiles or .pmtiles is a tile directory');
  const names = await readdir(path).catch((error: unknown) => {
    throw writeFailed(path, 'cannot list the output', error);
  });
  const others = names.filter((n) => !NUMBER.test(n) && n !== METADATA_FILE && !n.startsWith('.'));
  if (!names.some((n) => NUMBER.test(n)) && others.length > 0)
    throw notWritable(path, `it is a folder of other files (${others.slice(0, 3).join(', ')}), not a tile directory`);

  let reader: TileCacheReader;
  try {
    reader = await openTileDirectory(path);
  } catch (error) {
    // Zoom folders without tiles in them (a job stopped before its first batch): nothing to keep.
    if (error instanceof TesseraError && error.code === 'CACHE_UNREADABLE') return { extension: null, previousBounds: null };
    throw writeFailed(path, 'cannot read the output', error);
  }
  try {
    if (reader.format !== format) throw notWritable(path, `it holds ${reader.format} tiles, not ${format}`);
    return { extension: await spellingOf(path, reader, format), previousBounds: parseBounds(reader.metadata.bounds?.replace(/^\[|\]$/g, '')) };
  } finally {
    await reader.close();
  }
}

/** The extension the directory's tiles use for `format` (jpg or jpeg, pbf or mvt): its first tile's. */
async function spellingOf(path: string, reader: TileCacheReader, format: WrittenTileFormat): Promise<string> {
  const [lowest] = await reader.zoomLevels();
  const [first] = lowest ? await reader.readBatch(lowest.z, null, 1) : [];
  if (!first) return format;
  const column = await readdir(join(path, String(first.z), String(first.x)));
  return TILE_FILE.exec(column.sort().find((n) => n.startsWith(`${first.y}.`)) ?? '')?.[2] ?? format;
}
