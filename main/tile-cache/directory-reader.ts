/**
 * Reads a `z/x/y.ext` tile directory (as written by `ogr2ogr -f MVT`, gdal2tiles --xyz, tile servers)
 * as a TileCacheReader.
 *
 * The directory has no index, so order comes from listing: x and y are sorted as numbers (a string
 * sort puts 10 before 9 and would break resuming). Each zoom's column list is kept for the reader's
 * lifetime and the last column's file list for the next batch, so a verification pass lists every
 * directory about once. Only files with the cache's own extension count (`.pbf`/`.mvt` for vector,
 * `.jpg`/`.jpeg` for JPEG), so a stray `metadata.json` or a half-written `12.png.tmp` is not a tile.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TesseraError } from '../../shared/errors.js';
import { cacheError } from './cache-error.js';
import { type TileCacheReader, type TileFormat, type TileRecord, isTileInGrid } from './tile-cache.js';
import { normaliseFormat } from './tile-format.js';

/** Canonical decimals only: "007" would alias "7" and break the one-tile-per-(x, y) rule. */
const NUMBER = /^(0|[1-9]\d*)$/;
const TILE_FILE = /^(0|[1-9]\d*)\.(png|jpg|jpeg|webp|pbf|mvt)$/;
/** Files read at once per batch: enough to hide disk latency, far below the fd limit. */
const READ_CONCURRENCY = 32;

interface Row {
  y: number;
  file: string;
}

/** Opens the directory `path`; CACHE_UNREADABLE when it holds no z/x/y tiles. */
export async function openTileDirectory(path: string): Promise<TileCacheReader> {
  try {
    if (!(await stat(path)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw cacheError(path, 'cannot open tile directory', error);
  }
  const zooms = await numericEntries(path);
  const ext = await findExtension(path, zooms);
  if (ext === undefined) {
    throw new TesseraError('CACHE_UNREADABLE', `no tiles in ${path} (expected z/x/y.png, .jpg, .jpeg, .webp, .pbf or .mvt files)`, {
      details: { path },
    });
  }
  const format = normaliseFormat(ext);
  const accepted = new Set(format === 'unknown' ? [ext] : extensionsOf(format));
  const columnsByZoom = new Map<number, number[]>();
  let lastColumn: { z: number; x: number; rows: Row[] } | undefined;

  const columns = async (z: number): Promise<number[]> => {
    let xs = columnsByZoom.get(z);
    if (xs === undefined) {
      xs = zooms.includes(z) ? await numericEntries(join(path, String(z))) : [];
      columnsByZoom.set(z, xs);
    }
    return xs;
  };
  const rows = async (z: number, x: number): Promise<Row[]> => {
    if (lastColumn?.z === z && lastColumn.x === x) return lastColumn.rows;
    const list = await tileFiles(join(path, String(z), String(x)), accepted);
    lastColumn = { z, x, rows: list };
    return list;
  };

  return {
    kind: 'directory',
    path,
    format,
    metadata: await readMetadataJson(path),
    async zoomLevels() {
      const levels: { z: number; count: number }[] = [];
      for (const z of zooms) {
        let count = 0;
        for (const x of await columns(z)) count += (await tileFiles(join(path, String(z), String(x)), accepted)).length;
        if (count > 0) levels.push({ z, count });
      }
      return levels;
    },
    async readBatch(z, after, limit) {
      const picked: { x: number; y: number; file: string }[] = [];
      const xs = await columns(z);
      for (let i = after === null ? 0 : firstAtLeast(xs, after.x); i < xs.length && picked.length < limit; i++) {
        const x = xs[i]!;
        const ys = await rows(z, x);
        let j =
          after !== null && x === after.x
            ? firstAtLeast(
                ys.map((r) => r.y),
                after.y + 1,
              )
            : 0;
        for (; j < ys.length && picked.length < limit; j++) picked.push({ x, y: ys[j]!.y, file: ys[j]!.file });
      }
      return readTiles(path, z, picked);
    },
    async readTile(z, x, y) {
      if (!isTileInGrid(z, x, y)) return null;
      // In the order readBatch prefers them, so both name the same file when 3.pbf and 3.mvt exist.
      for (const name of [...accepted].sort().map((e) => `${y}.${e}`)) {
        const full = join(path, String(z), String(x), name);
        try {
          const data = await readFile(full);
          return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') continue;
          throw cacheError(full, 'cannot read tile', error);
        }
      }
      return null;
    },
    async close() {
      columnsByZoom.clear();
      lastColumn = undefined;
    },
  };
}

function extensionsOf(format: Exclude<TileFormat, 'unknown'>): string[] {
  if (format === 'jpg') return ['jpg', 'jpeg'];
  if (format === 'pbf') return ['pbf', 'mvt'];
  return [format];
}

/** Sorted numeric names of the subdirectories (or symlinks, as deduplicating caches use) of `dir`. */
async function numericEntries(dir: string): Promise<number[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && NUMBER.test(e.name))
      .map((e) => Number(e.name))
      .sort((a, b) => a - b);
  } catch (error) {
    throw cacheError(dir, 'cannot list tile directory', error);
  }
}

/** The tiles of one column, by y; if both 3.pbf and 3.mvt exist, the first name wins. */
async function tileFiles(dir: string, accepted: ReadonlySet<string>): Promise<Row[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    // A symlinked "column" that points at a file is not a column.
    if ((error as { code?: unknown }).code === 'ENOTDIR') return [];
    throw cacheError(dir, 'cannot list tile directory', error);
  }
  const rows: Row[] = [];
  for (const name of names.sort()) {
    const m = TILE_FILE.exec(name);
    if (m && accepted.has(m[2]!)) rows.push({ y: Number(m[1]), file: name });
  }
  rows.sort((a, b) => a.y - b.y);
  return rows.filter((r, i) => i === 0 || rows[i - 1]!.y !== r.y);
}

/** The extension of the first tile found, lowest zoom first. */
async function findExtension(path: string, zooms: number[]): Promise<string | undefined> {
  for (const z of zooms) {
    for (const x of await numericEntries(join(path, String(z)))) {
      const names = await readdir(join(path, String(z), String(x))).catch(() => [] as string[]);
      const tile = names
        .sort()
        .map((n) => TILE_FILE.exec(n))
        .find((m) => m !== null);
      if (tile) return tile[2];
    }
  }
  return undefined;
}

async function readTiles(path: string, z: number, picked: { x: number; y: number; file: string }[]): Promise<TileRecord[]> {
  const tiles: TileRecord[] = new Array(picked.length);
  for (let start = 0; start < picked.length; start += READ_CONCURRENCY) {
    await Promise.all(
      picked.slice(start, start + READ_CONCURRENCY).map(async ({ x, y, file }, k) => {
        const full = join(path, String(z), String(x), file);
        try {
          const data = await readFile(full);
          tiles[start + k] = { z, x, y, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
        } catch (error) {
          throw cacheError(full, 'cannot read tile', error);
        }
      }),
    );
  }
  return tiles;
}

/** `metadata.json` (ogr2ogr's MVT driver writes one) flattened to strings; informational, so a bad one is ignored. */
async function readMetadataJson(path: string): Promise<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(path, 'metadata.json'), 'utf8'));
  } catch {
    return {};
  }
  const metadata: Record<string, string> = {};
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const [key, value] of Object.entries(parsed)) {
      metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return metadata;
}

/** Index of the first element >= `value` in ascending `sorted`. */
function firstAtLeast(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
