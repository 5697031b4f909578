/**
 * gzip for vector tiles, made cheap where tiles are small and repetitive.
 *
 * Measured on Natural Earth states z0–10 (573,278 tiles): most tiles are 128–255 bytes, and four of
 * five z10 tiles repeat a neighbour byte for byte (a province's inside is the same square with the
 * same attributes). zlib.gzipSync costs 15–40 µs per call almost whatever the size, because it sets
 * up a fresh deflate state (a 32 KiB window and hash tables) each time. So: a window sized to the
 * tile (the gzip stream stays valid for any inflater), a fixed-code encoder of our own for small
 * tiles (fast-gzip.ts), and a small cache of the last distinct tiles, keyed by their bytes, so a
 * repeated tile is compressed once.
 */
import zlib from 'node:zlib';
import { fastGzip } from './fast-gzip.js';

/** Distinct tiles remembered; repeats are spatially close (DFS order), so a small cache catches them. */
const CACHE_ENTRIES = 4096;
/** Tiles above this are too rarely repeated to be worth a key. */
const CACHE_MAX_BYTES = 2048;
/** Up to this size the fixed-code encoder is used; beyond it zlib's dynamic codes are worth their set-up. */
const FAST_MAX_BYTES = 4096;

export class TileGzip {
  /** Tiles by a hash of their bytes; each entry keeps the tile so a hash collision is told apart. */
  private readonly cache = new Map<number, { tile: Uint8Array; gz: Uint8Array }>();
  /** For the bench and tests: how many tiles were compressed and how many came from the cache. */
  compressed = 0;
  reused = 0;

  constructor(private readonly level = 6) {}

  gzip(tile: Uint8Array): Uint8Array {
    if (tile.length > CACHE_MAX_BYTES) return this.deflate(tile);
    const key = fnv1a(tile);
    const hit = this.cache.get(key);
    if (hit && sameBytes(hit.tile, tile)) {
      this.reused++;
      return hit.gz;
    }
    const gz = this.deflate(tile);
    if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
    // The tile may be a view of the encoder's buffer: keep a copy.
    this.cache.set(key, { tile: tile.slice(), gz });
    return gz;
  }

  private deflate(tile: Uint8Array): Uint8Array {
    this.compressed++;
    if (tile.length <= FAST_MAX_BYTES) return fastGzip(tile);
    // A window no larger than the tile (plus zlib's lookahead) finds every match the full window
    // would, and its set-up costs a fraction of the default 32 KiB one.
    const windowBits = Math.max(9, Math.min(15, Math.ceil(Math.log2(tile.length + 262))));
    return zlib.gzipSync(tile, { level: this.level, windowBits, memLevel: 8 });
  }
}

/** 32-bit FNV-1a of the bytes. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
