/**
 * Opens whatever tile cache is at a path: a z/x/y directory, a PMTiles archive or an MBTiles file.
 *
 * The choice is made from what is on disk (a directory, or the file's first bytes), never from the
 * file name: caches are often renamed (`tiles.db`, `world.bin`), and a wrong guess would surface as
 * a confusing SQLite error instead of "not a tile cache".
 */
import { open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { TesseraError } from '../../shared/errors.js';
import { cacheError } from './cache-error.js';
import { openTileDirectory } from './directory-reader.js';
import { openMbtiles } from './mbtiles-reader.js';
import { openPmtiles } from './pmtiles-reader.js';
import type { TileCacheReader } from './tile-cache.js';

const SQLITE_MAGIC = 'SQLite format 3\0';
const PMTILES_MAGIC = 'PMTiles';

/** The reader for the cache at `path`; CACHE_UNREADABLE when there is none or it is not a tile cache. */
export async function openTileCache(path: string): Promise<TileCacheReader> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new TesseraError('CACHE_UNREADABLE', `no such file or directory: ${path}`, { cause: error, details: { path } });
    }
    throw cacheError(path, 'cannot open tile cache', error);
  }
  if (info.isDirectory()) return openTileDirectory(path);

  const magic = await readMagic(path);
  if (magic.startsWith(PMTILES_MAGIC)) return openPmtiles(path);
  if (magic === SQLITE_MAGIC) return openMbtiles(path);
  throw new TesseraError('CACHE_UNREADABLE', `not a tile cache: ${path} (expected an MBTiles file, a PMTiles archive or a z/x/y directory)`, {
    details: { path },
  });
}

/** The first 16 bytes as Latin-1 (one char per byte), fewer for a shorter file. */
async function readMagic(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(SQLITE_MAGIC.length);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      return buffer.toString('latin1', 0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw cacheError(path, 'cannot read tile cache', error);
  }
}
