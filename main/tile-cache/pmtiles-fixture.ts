/**
 * Writes small PMTiles v3 archives for tests and benchmarks.
 *
 * GDAL 3.6 has no PMTiles writer and no JavaScript writer exists, so tests build their archives
 * with this. It follows the v3 spec (header, root directory, JSON metadata, leaf directories, tile
 * data; varint directories with delta tile ids and the "0 = right after the previous entry" offset
 * rule), deduplicates identical contents and folds consecutive identical tiles into runs, as real
 * writers do, so that readers meet those cases. Whole archive in memory: for fixtures, not planets.
 */
import zlib from 'node:zlib';
import { Compression, TileType, zxyToTileId } from 'pmtiles';
import type { Entry } from 'pmtiles';

/** A tile to put in the archive. */
export interface FixtureTile {
  z: number;
  x: number;
  y: number;
  /** Stored as given: compress it yourself if you declare a tileCompression. */
  data: Uint8Array;
}

export interface PmtilesFixtureOptions {
  tileType: TileType;
  /** What the header declares for tile data; default none. */
  tileCompression?: Compression;
  /** How directories and metadata are compressed: none or gzip; default gzip (as most archives). */
  internalCompression?: Compression.None | Compression.Gzip;
  /** Put at most this many entries in each leaf directory; default: everything in the root. */
  leafSize?: number;
  metadata?: Record<string, unknown>;
  /** [minLon, minLat, maxLon, maxLat]; default the whole web-mercator world. */
  bounds?: [number, number, number, number];
}

const HEADER_BYTES = 127;
/** The spec: the header and root directory must fit in the first 16 KiB. */
const ROOT_LIMIT = 16_384;

/** The bytes of a PMTiles v3 archive holding `tiles`. */
export function buildPmtiles(tiles: FixtureTile[], options: PmtilesFixtureOptions): Uint8Array {
  const internal = options.internalCompression ?? Compression.Gzip;
  const pack = (bytes: Uint8Array): Uint8Array => (internal === Compression.Gzip ? zlib.gzipSync(bytes) : bytes);

  const sorted = tiles.map((t) => ({ ...t, id: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.id - b.id);
  const contents = new Map<string, { offset: number; length: number }>();
  const chunks: Uint8Array[] = [];
  let dataLength = 0;
  const entries: Entry[] = [];
  for (const t of sorted) {
    const key = Buffer.from(t.data).toString('base64');
    let content = contents.get(key);
    if (content === undefined) {
      content = { offset: dataLength, length: t.data.byteLength };
      contents.set(key, content);
      chunks.push(t.data);
      dataLength += t.data.byteLength;
    }
    const last = entries[entries.length - 1];
    if (last && last.tileId + last.runLength === t.id && last.offset === content.offset && last.length === content.length) last.runLength++;
    else entries.push({ tileId: t.id, offset: content.offset, length: content.length, runLength: 1 });
  }

  let root: Uint8Array;
  const leaves: Uint8Array[] = [];
  let leavesLength = 0;
  if (options.leafSize === undefined || entries.length <= options.leafSize) {
    root = pack(serializeDirectory(entries));
  } else {
    const pointers: Entry[] = [];
    for (let i = 0; i < entries.length; i += options.leafSize) {
      const leaf = pack(serializeDirectory(entries.slice(i, i + options.leafSize)));
      pointers.push({ tileId: entries[i]!.tileId, offset: leavesLength, length: leaf.byteLength, runLength: 0 });
      leaves.push(leaf);
      leavesLength += leaf.byteLength;
    }
    root = pack(serializeDirectory(pointers));
  }
  if (HEADER_BYTES + root.byteLength > ROOT_LIMIT) throw new Error(`root directory of ${root.byteLength} bytes does not fit in 16 KiB: set leafSize`);
  const metadata = pack(new TextEncoder().encode(JSON.stringify(options.metadata ?? {})));

  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + root.byteLength;
  const leafOffset = metadataOffset + metadata.byteLength;
  const dataOffset = leafOffset + leavesLength;
  const zooms = sorted.map((t) => t.z);
  const [minLon, minLat, maxLon, maxLat] = options.bounds ?? [-180, -85.0511287, 180, 85.0511287];

  const header = new DataView(new ArrayBuffer(HEADER_BYTES));
  new Uint8Array(header.buffer).set(new TextEncoder().encode('PMTiles'), 0);
  header.setUint8(7, 3);
  const u64 = (at: number, v: number) => header.setBigUint64(at, BigInt(v), true);
  u64(8, rootOffset);
  u64(16, root.byteLength);
  u64(24, metadataOffset);
  u64(32, metadata.byteLength);
  u64(40, leafOffset);
  u64(48, leavesLength);
  u64(56, dataOffset);
  u64(64, dataLength);
  u64(72, sorted.length);
  u64(80, entries.length);
  u64(88, contents.size);
  header.setUint8(96, 1); // clustered: contents are laid out in tile-id order
  header.setUint8(97, internal);
  header.setUint8(98, options.tileCompression ?? Compression.None);
  header.setUint8(99, options.tileType);
  header.setUint8(100, zooms.length ? Math.min(...zooms) : 0);
  header.setUint8(101, zooms.length ? Math.max(...zooms) : 0);
  header.setInt32(102, Math.round(minLon * 1e7), true);
  header.setInt32(106, Math.round(minLat * 1e7), true);
  header.setInt32(110, Math.round(maxLon * 1e7), true);
  header.setInt32(114, Math.round(maxLat * 1e7), true);
  header.setUint8(118, zooms.length ? Math.min(...zooms) : 0);
  header.setInt32(119, Math.round(((minLon + maxLon) / 2) * 1e7), true);
  header.setInt32(123, Math.round(((minLat + maxLat) / 2) * 1e7), true);

  return Buffer.concat([new Uint8Array(header.buffer), root, metadata, ...leaves, ...chunks]);
}

/** A v3 directory: count, then tile-id deltas, run lengths, lengths and offsets as varints. */
export function serializeDirectory(entries: Entry[]): Uint8Array {
  const out: number[] = [];
  const varint = (value: number) => {
    let v = value;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  };
  varint(entries.length);
  let lastId = 0;
  for (const e of entries) {
    varint(e.tileId - lastId);
    lastId = e.tileId;
  }
  for (const e of entries) varint(e.runLength);
  for (const e of entries) varint(e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return Uint8Array.from(out);
}
