/**
 * Reads a PMTiles v3 archive (a local file) as a TileCacheReader.
 *
 * PMTiles addresses tiles by Hilbert tile id, not (x, y): enumerating means walking the root and
 * leaf directories, and serving batches in (x, y) order means sorting one zoom's entries first.
 * Tile ids are grouped by zoom, so a zoom's walk skips every leaf outside that zoom's id range; the
 * sorted index of the last zoom asked for is kept (verification reads zoom by zoom), the others are
 * not, which bounds memory to one zoom (about 24 bytes a tile). Tile data is returned as stored:
 * gzip-compressed vector tiles stay compressed, as they are in MBTiles.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Compression, TileType, bytesToHeader, findTile, readVarint, tileIdToZxy, zxyToTileId } from 'pmtiles';
import type { Entry, Header, RangeResponse, Source } from 'pmtiles';
import { TesseraError } from '../../shared/errors.js';
import { cacheError } from './cache-error.js';
import { type TileCacheReader, type TileFormat, type TileRecord, isTileInGrid } from './tile-cache.js';

const HEADER_BYTES = 127;
/** The spec's limit (root + three levels of leaves); deeper means a directory points at itself. */
const MAX_DEPTH = 4;
/** Tiles read at once per batch. */
const READ_CONCURRENCY = 32;
/** Decoded directories kept for readTile: the root and the leaves of the area a map shows. */
const DIRECTORY_CACHE = 64;
const gunzip = promisify(zlib.gunzip);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** A pmtiles `Source` over a local file: positional reads, so concurrent calls are safe. */
export class FileHandleSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    private readonly key: string,
  ) {}

  getKey(): string {
    return this.key;
  }

  /** Reads up to `length` bytes; fewer at the end of the file, as an HTTP range request would. */
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const data = new ArrayBuffer(length);
    const { bytesRead } = await this.handle.read(new Uint8Array(data), 0, length, offset);
    return { data: bytesRead === length ? data : data.slice(0, bytesRead) };
  }
}

/** One zoom's tiles in (x, y) order: key = x * 2^z + y, exact up to z 26 (as are tile ids). */
interface ZoomIndex {
  z: number;
  keys: Float64Array;
  offsets: Float64Array;
  lengths: Float64Array;
}

/** Opens the archive at `path`; CACHE_UNREADABLE when it is not PMTiles v3 or a directory is broken. */
export async function openPmtiles(path: string): Promise<TileCacheReader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw cacheError(path, 'cannot open PMTiles archive', error);
  }
  try {
    return await createReader(handle, path);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function createReader(handle: FileHandle, path: string): Promise<TileCacheReader> {
  const source = new FileHandleSource(handle, path);
  const fileSize = (await handle.stat()).size;
  const read = async (offset: number, length: number, what: string): Promise<ArrayBuffer> => {
    try {
      return (await source.getBytes(offset, length)).data;
    } catch (error) {
      throw cacheError(path, `cannot read ${what}`, error);
    }
  };
  const header = parseHeader(await read(0, HEADER_BYTES, 'header'), path);
  const directory = async (offset: number, length: number): Promise<Entry[]> => {
    const raw = await read(offset, length, 'directory');
    if (raw.byteLength < length) throw broken(path, `directory at byte ${offset} runs past the end of the file`);
    return parseDirectory(await decompress(raw, header.internalCompression, path, 'a directory'), path, offset);
  };

  /** Calls `visit` for every tile run whose ids meet [lo, hi), leaves outside that range unread. */
  const walk = async (lo: number, hi: number, visit: (e: Entry) => void): Promise<void> => {
    const descend = async (offset: number, length: number, depth: number): Promise<void> => {
      if (depth >= MAX_DEPTH) throw broken(path, 'leaf directories nest deeper than the spec allows');
      const entries = await directory(offset, length);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const end = e.runLength > 0 ? e.tileId + e.runLength : (entries[i + 1]?.tileId ?? Number.POSITIVE_INFINITY);
        if (end <= lo || e.tileId >= hi) continue;
        if (e.runLength > 0) visit(e);
        else await descend(header.leafDirectoryOffset + e.offset, e.length, depth + 1);
      }
    };
    await descend(header.rootDirectoryOffset, header.rootDirectoryLength, 0);
  };

  let counts: Promise<{ z: number; count: number }[]> | undefined;
  let index: { z: number; ready: Promise<ZoomIndex> } | undefined;

  const countTiles = async (): Promise<{ z: number; count: number }[]> => {
    const byZoom = new Map<number, number>();
    await walk(0, Number.POSITIVE_INFINITY, (e) => {
      // A run may in principle cross from one zoom into the next: split it at the boundary.
      for (let id = e.tileId, end = e.tileId + e.runLength; id < end; ) {
        const z = zoomOfTileId(id, path);
        const stop = Math.min(end, firstTileId(z + 1));
        byZoom.set(z, (byZoom.get(z) ?? 0) + stop - id);
        id = stop;
      }
    });
    return [...byZoom].sort(([a], [b]) => a - b).map(([z, count]) => ({ z, count }));
  };

  const buildIndex = async (z: number): Promise<ZoomIndex> => {
    // Tile ids stop at zoom 26 (2^53): no archive holds anything outside 0..26.
    if (!Number.isInteger(z) || z < 0 || z > 26) return { z, keys: new Float64Array(0), offsets: new Float64Array(0), lengths: new Float64Array(0) };
    const lo = firstTileId(z);
    const hi = firstTileId(z + 1);
    const keys: number[] = [];
    const offsets: number[] = [];
    const lengths: number[] = [];
    // The header's count bounds the expansion, so a garbage run length fails instead of filling memory.
    const most = header.numAddressedTiles > 0 ? header.numAddressedTiles : Number.POSITIVE_INFINITY;
    await walk(lo, hi, (e) => {
      const start = Math.max(lo, e.tileId);
      const end = Math.min(hi, e.tileId + e.runLength);
      if (keys.length + end - start > most) throw broken(path, `directories address more tiles than the header's ${most}`);
      for (let id = start; id < end; id++) {
        const [, x, y] = tileIdToZxy(id);
        keys.push(x * 2 ** z + y);
        offsets.push(e.offset);
        lengths.push(e.length);
      }
    });
    const order = Uint32Array.from(keys, (_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
    const sorted: ZoomIndex = {
      z,
      keys: new Float64Array(order.length),
      offsets: new Float64Array(order.length),
      lengths: new Float64Array(order.length),
    };
    let n = 0;
    for (const i of order) {
      // Overlapping directory entries (a broken writer) would repeat a tile: keep its first entry.
      if (n > 0 && sorted.keys[n - 1] === keys[i]) continue;
      sorted.keys[n] = keys[i]!;
      sorted.offsets[n] = offsets[i]!;
      sorted.lengths[n] = lengths[i]!;
      n++;
    }
    return { z, keys: sorted.keys.subarray(0, n), offsets: sorted.offsets.subarray(0, n), lengths: sorted.lengths.subarray(0, n) };
  };

  const readTile = async (zi: ZoomIndex, i: number): Promise<TileRecord> => {
    const key = zi.keys[i]!;
    const side = 2 ** zi.z;
    const x = Math.floor(key / side);
    const y = key - x * side;
    const position = header.tileDataOffset + zi.offsets[i]!;
    // Clamped to the file, so a corrupt length cannot ask for gigabytes; a short tile comes back
    // short (or empty) and verification reports it.
    const length = Math.max(0, Math.min(zi.lengths[i]!, fileSize - position));
    const data = new Uint8Array(await read(position, length, `tile ${zi.z}/${x}/${y}`));
    return { z: zi.z, x, y, data };
  };

  // readTile: the map asks for neighbouring tiles one at a time, which mostly share their leaves.
  const cached = new Map<string, Promise<Entry[]>>();
  const cachedDirectory = (offset: number, length: number): Promise<Entry[]> => {
    const key = `${offset}:${length}`;
    let entries = cached.get(key);
    if (entries !== undefined) {
      cached.delete(key);
    } else {
      const ready = directory(offset, length);
      entries = ready;
      // A failed read (say a disk hiccup) is not remembered.
      ready.catch(() => {
        if (cached.get(key) === ready) cached.delete(key);
      });
      if (cached.size >= DIRECTORY_CACHE) cached.delete(cached.keys().next().value!);
    }
    cached.set(key, entries);
    return entries;
  };

  /**
   * The lookup of pmtiles' getZxy, which cannot be used as it is: it decompresses tile data, and
   * readers return tiles as stored (the tile route sends gzipped vector tiles as they are).
   */
  const readOne = async (z: number, x: number, y: number): Promise<Uint8Array | null> => {
    if (!isTileInGrid(z, x, y) || z > 26) return null;
    const id = zxyToTileId(z, x, y);
    let offset = header.rootDirectoryOffset;
    let length = header.rootDirectoryLength;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const entry = findTile(await cachedDirectory(offset, length), id);
      if (entry === null) return null;
      if (entry.runLength > 0) {
        const position = header.tileDataOffset + entry.offset;
        const size = Math.max(0, Math.min(entry.length, fileSize - position));
        return new Uint8Array(await read(position, size, `tile ${z}/${x}/${y}`));
      }
      offset = header.leafDirectoryOffset + entry.offset;
      length = entry.length;
    }
    throw broken(path, 'leaf directories nest deeper than the spec allows');
  };

  return {
    kind: 'pmtiles',
    path,
    format: formatOf(header.tileType),
    metadata: await readMetadata(header, read, path),
    async zoomLevels() {
      if (counts === undefined) {
        const ready = countTiles();
        counts = ready;
        // A failed walk (say a disk hiccup) is not remembered: the next call walks again.
        ready.catch(() => {
          if (counts === ready) counts = undefined;
        });
      }
      return counts;
    },
    async readBatch(z, after, limit) {
      if (index?.z !== z) {
        const current = { z, ready: buildIndex(z) };
        index = current;
        current.ready.catch(() => {
          if (index === current) index = undefined;
        });
      }
      const zi = await index.ready;
      const start = after === null ? 0 : firstAbove(zi.keys, after.x * 2 ** z + after.y);
      const end = Math.min(zi.keys.length, start + Math.max(0, limit));
      const tiles: TileRecord[] = [];
      for (let i = start; i < end; i += READ_CONCURRENCY) {
        const chunk = Array.from({ length: Math.min(READ_CONCURRENCY, end - i) }, (_, k) => readTile(zi, i + k));
        tiles.push(...(await Promise.all(chunk)));
      }
      return tiles;
    },
    readTile: readOne,
    async close() {
      cached.clear();
      await handle.close();
    },
  };
}

function parseHeader(bytes: ArrayBuffer, path: string): Header {
  const magic = new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(7, bytes.byteLength)));
  if (magic !== 'PMTiles') throw broken(path, 'no PMTiles magic number');
  if (bytes.byteLength < HEADER_BYTES) throw broken(path, `header is ${bytes.byteLength} bytes, expected ${HEADER_BYTES}`);
  const version = new Uint8Array(bytes)[7];
  if (version !== 3) throw broken(path, `PMTiles spec version ${version} is not supported (only version 3)`);
  return bytesToHeader(bytes);
}

/**
 * A directory as the v3 spec lays it out: entry count, then columns of varints (tile id deltas,
 * run lengths, lengths, offsets where 0 means "right after the previous entry" and n means n - 1).
 */
function parseDirectory(bytes: Uint8Array, path: string, at: number): Entry[] {
  const p = { buf: bytes, pos: 0 };
  const count = readVarint(p);
  // Every entry takes at least four bytes: a larger count is garbage, not a reason to allocate.
  if (!Number.isSafeInteger(count) || count * 4 > bytes.length) throw broken(path, `directory at byte ${at} is corrupt`);
  const entries: Entry[] = [];
  let tileId = 0;
  for (let i = 0; i < count; i++) {
    tileId += readVarint(p);
    entries.push({ tileId, offset: 0, length: 0, runLength: 1 });
  }
  for (const e of entries) e.runLength = readVarint(p);
  for (const e of entries) e.length = readVarint(p);
  for (let i = 0; i < count; i++) {
    const v = readVarint(p);
    const prev = entries[i - 1];
    entries[i]!.offset = v === 0 && prev ? prev.offset + prev.length : v - 1;
  }
  // readVarint does not check bounds: reading past the end yields NaN or a position beyond it.
  if (p.pos > bytes.length || entries.some((e) => !Number.isFinite(e.tileId + e.offset + e.length + e.runLength) || e.offset < 0)) {
    throw broken(path, `directory at byte ${at} is corrupt`);
  }
  return entries;
}

async function decompress(data: ArrayBuffer, compression: Compression, path: string, what: string): Promise<Uint8Array> {
  try {
    switch (compression) {
      case Compression.None:
      case Compression.Unknown:
        return new Uint8Array(data);
      case Compression.Gzip:
        return new Uint8Array(await gunzip(data));
      case Compression.Brotli:
        return new Uint8Array(await brotliDecompress(data));
      default:
        throw new Error(`compression ${Compression[compression] ?? compression} is not supported`);
    }
  } catch (error) {
    throw broken(path, `cannot decompress ${what}: ${(error as Error).message}`);
  }
}

async function readMetadata(
  header: Header,
  read: (offset: number, length: number, what: string) => Promise<ArrayBuffer>,
  path: string,
): Promise<Record<string, string>> {
  const metadata: Record<string, string> = {};
  if (header.jsonMetadataLength > 0) {
    try {
      const raw = await decompress(
        await read(header.jsonMetadataOffset, header.jsonMetadataLength, 'metadata'),
        header.internalCompression,
        path,
        'the metadata',
      );
      const parsed: unknown = JSON.parse(new TextDecoder().decode(raw));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        for (const [key, value] of Object.entries(parsed)) metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
      }
    } catch (error) {
      // Metadata is informational: a broken JSON section must not stop the tiles from being read.
      if (error instanceof TesseraError && error.code === 'IO_ERROR') throw error;
    }
  }
  // The header's own summary, in MBTiles' spelling, where the JSON does not already say it.
  metadata.minzoom ??= String(header.minZoom);
  metadata.maxzoom ??= String(header.maxZoom);
  metadata.bounds ??= [header.minLon, header.minLat, header.maxLon, header.maxLat].join(',');
  metadata.center ??= [header.centerLon, header.centerLat, header.centerZoom].join(',');
  metadata.tile_compression ??= (Compression[header.tileCompression] ?? String(header.tileCompression)).toLowerCase();
  return metadata;
}

function formatOf(type: TileType): TileFormat {
  switch (type) {
    case TileType.Mvt:
      return 'pbf';
    case TileType.Png:
      return 'png';
    case TileType.Jpeg:
      return 'jpg';
    case TileType.Webp:
      return 'webp';
    default:
      return 'unknown';
  }
}

/** The Hilbert id of tile (z, 0, 0): the ids of zoom z are [firstTileId(z), firstTileId(z + 1)). */
function firstTileId(z: number): number {
  return (4 ** z - 1) / 3;
}

function zoomOfTileId(id: number, path: string): number {
  try {
    return tileIdToZxy(id)[0];
  } catch (error) {
    throw broken(path, `tile id ${id}: ${(error as Error).message}`);
  }
}

/** Index of the first key > `key` in ascending `keys`. */
function firstAbove(keys: Float64Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function broken(path: string, what: string): TesseraError {
  return new TesseraError('CACHE_UNREADABLE', `not a readable PMTiles archive: ${path} (${what})`, { details: { path } });
}
