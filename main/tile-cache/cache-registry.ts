/**
 * The tile caches opened for the map preview, by id, and their tiles one by one.
 *
 * Both hosts serve `tiles/<id>/{z}/{x}/{y}` from here, so the page never learns (or sends back) a
 * file path in a tile URL: the id is a short hash of the resolved path, stable while the engine
 * runs, and only caches opened through the contract have one. Readers stay open (a map asks for
 * dozens of tiles a second), at most `maxOpen` at a time; the least recently used beyond that is
 * closed once the reads it is serving have finished.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { TileCacheSummary } from '../../shared/contract.js';
import { TesseraError, isAbortError } from '../../shared/errors.js';
import { cacheError } from './cache-error.js';
import { imageFormatOf, isGzip, summariseCache } from './cache-summary.js';
import { openTileCache } from './open-tile-cache.js';
import type { TileCacheReader, TileSourceReader } from './tile-cache.js';

/** One tile as the tile routes send it. */
export interface TileResponse {
  data: Uint8Array;
  contentType: string;
  /** Set when `data` is gzipped (vector tiles usually are): browsers inflate it themselves. */
  contentEncoding?: 'gzip';
}

export interface CacheRegistryOptions {
  /** Readers kept open at once; the least recently used beyond this are closed. Default 8. */
  maxOpen?: number;
  /** How a cache is opened; openTileCache unless a test wants to count or fail opens. */
  openCache?: (path: string) => Promise<TileCacheReader>;
}

const CONTENT_TYPES = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp', pbf: 'application/x-protobuf' } as const;
const brotliDecompress = promisify(zlib.brotliDecompress);

interface Slot {
  id: string;
  ready: Promise<{ reader: TileSourceReader; summary: TileCacheSummary }>;
  /** What the path was when it was opened: a cache rewritten since is opened afresh. */
  signature: string;
  /** Tile reads in progress: an evicted reader is closed when the last one ends. */
  busy: number;
  evicted: boolean;
}

/** The registry's id for a path: 12 hex digits of the SHA-256 of the resolved path. */
export function cacheIdFor(path: string): string {
  return createHash('sha256').update(resolve(path)).digest('hex').slice(0, 12);
}

export class CacheRegistry {
  /** In use order: the first entry is the least recently used. */
  private readonly slots = new Map<string, Slot>();
  private readonly closing = new Set<Promise<void>>();
  private readonly maxOpen: number;
  private readonly openCache: (path: string) => Promise<TileCacheReader>;

  constructor(options: CacheRegistryOptions = {}) {
    this.maxOpen = Math.max(1, options.maxOpen ?? 8);
    this.openCache = options.openCache ?? openTileCache;
  }

  /** How many readers are open (or opening) now. */
  get size(): number {
    return this.slots.size;
  }

  /**
   * Opens the cache at `path` (or reuses it while it is unchanged on disk) and summarises it.
   *
   * Anything that is not a readable tile cache (missing, a folder without tiles, a text file, no
   * permission) rejects with one NOT_FOUND naming only the path as given: this is a request from a
   * page (over HTTP, from any token holder), so the answer must be a 4xx that does not tell
   * "missing" from "exists but is not a cache", nor carry an errno or a resolved path.
   */
  async open(path: string): Promise<TileCacheSummary> {
    try {
      return await this.openSummary(path);
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new TesseraError('NOT_FOUND', `path: no tile cache at ${path} (an MBTiles file, a PMTiles archive or a z/x/y tile directory)`, {
        details: { issues: [{ field: 'path', message: 'no tile cache here' }] },
      });
    }
  }

  private async openSummary(path: string): Promise<TileCacheSummary> {
    const full = resolve(path);
    return this.openSlot(cacheIdFor(full), await signatureOf(full), () => this.openCache(full), nameOf(full), full);
  }

  /**
   * Serves tiles that are not a cache on disk (a catalogue dataset's vector tiles, cut on demand)
   * under `id`, with the same slots, eviction and tile route as any opened cache. `signature`
   * tells when the source changed and must be opened afresh.
   */
  async openReader(id: string, signature: string, open: () => Promise<TileSourceReader>, name: string): Promise<TileCacheSummary> {
    return this.openSlot(id, signature, open, name, name);
  }

  private async openSlot(id: string, signature: string, open: () => Promise<TileSourceReader>, name: string, full: string): Promise<TileCacheSummary> {
    const existing = this.slots.get(id);
    if (existing && existing.signature === signature) {
      this.touch(existing);
      return (await existing.ready).summary;
    }
    if (existing) this.evict(existing);

    const ready = open().then(async (reader) => {
      try {
        return { reader, summary: await summariseCache(reader, id, name) };
      } catch (error) {
        await reader.close().catch(() => {});
        throw cacheError(full, 'cannot summarise tile cache', error);
      }
    });
    const slot: Slot = { id, ready, signature, busy: 0, evicted: false };
    this.slots.set(id, slot);
    ready.catch(() => {
      if (this.slots.get(id) === slot) this.slots.delete(id);
    });
    for (const [, oldest] of this.slots) {
      if (this.slots.size <= this.maxOpen) break;
      if (oldest !== slot) this.evict(oldest);
    }
    return (await ready).summary;
  }

  /**
   * Tile z/x/y (XYZ) of cache `id`; an empty tile (no bytes) when the cache has no such tile but z is
   * within its zooms (a sparse cache: the tile route answers 204, which MapLibre draws as nothing
   * without an error); null when the id is not open or z lies outside the cache's zooms.
   */
  async tile(id: string, z: number, x: number, y: number): Promise<TileResponse | null> {
    const slot = this.slots.get(id);
    if (slot === undefined) return null;
    this.touch(slot);
    slot.busy++;
    try {
      const opened = await slot.ready.catch(() => null);
      if (opened === null) return null;
      const data = await opened.reader.readTile(z, x, y);
      if (data === null) return absentTile(opened.summary, z);
      return await tileResponse(data, opened.summary.format, opened.reader.metadata.tile_compression);
    } finally {
      slot.busy--;
      if (slot.evicted && slot.busy === 0) this.closeSlot(slot);
    }
  }

  /** Closes every reader; the registry can be used again afterwards. */
  async close(): Promise<void> {
    for (const slot of [...this.slots.values()]) this.evict(slot);
    await Promise.all([...this.closing]);
  }

  private touch(slot: Slot): void {
    this.slots.delete(slot.id);
    this.slots.set(slot.id, slot);
  }

  private evict(slot: Slot): void {
    if (this.slots.get(slot.id) === slot) this.slots.delete(slot.id);
    if (slot.evicted) return;
    slot.evicted = true;
    if (slot.busy === 0) this.closeSlot(slot);
  }

  private closeSlot(slot: Slot): void {
    const done = slot.ready.then(
      ({ reader }) => reader.close().catch(() => {}),
      () => {},
    );
    this.closing.add(done);
    void done.then(() => this.closing.delete(done));
  }
}

/**
 * What to answer for a tile a cache does not hold: within its zooms, an empty tile (the cache was
 * made for that zoom and simply has nothing there: a sparse cache, an empty area skipped by the
 * preseed, the sea in the basemap), else null (no such tile: the route's 404).
 */
export function absentTile(zooms: { minZoom: number; maxZoom: number }, z: number): TileResponse | null {
  return z >= zooms.minZoom && z <= zooms.maxZoom ? { data: new Uint8Array(0), contentType: 'application/octet-stream' } : null;
}

/** Size, time and inode of what is at `path`, so that a rewritten cache is not served from a stale reader. */
async function signatureOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  return info === null ? 'missing' : `${info.ino}:${info.size}:${info.mtimeMs}`;
}

/** "countries" for /data/countries.mbtiles: the name when the metadata has none. */
function nameOf(path: string): string {
  const base = basename(path);
  return base.slice(0, base.length - extname(base).length) || base;
}

/**
 * Content type and encoding of one tile. The bytes decide for images (caches mix JPEG into "png"
 * caches); vector tiles are gzipped or not whatever the cache says, so the gzip magic decides the
 * encoding. Brotli (PMTiles may use it) is inflated here: browsers only accept it over HTTPS.
 */
export async function tileResponse(data: Uint8Array, format: TileCacheSummary['format'], compression?: string): Promise<TileResponse> {
  const image = imageFormatOf(data);
  if (image !== null) return { data, contentType: CONTENT_TYPES[image] };
  if (format === 'pbf' || isGzip(data)) {
    if (isGzip(data)) return { data, contentType: CONTENT_TYPES.pbf, contentEncoding: 'gzip' };
    if (compression === 'brotli' && data.length > 0) return { data: new Uint8Array(await brotliDecompress(data)), contentType: CONTENT_TYPES.pbf };
    return { data, contentType: CONTENT_TYPES.pbf };
  }
  return { data, contentType: format === 'unknown' ? 'application/octet-stream' : CONTENT_TYPES[format] };
}
