/**
 * Writes small PMTiles v3 archives for tests and benchmarks, from a list of tiles, in memory.
 *
 * Tests need archives with chosen quirks (uncompressed directories, tiny leaves, odd bounds)
 * without a database behind them, so this builds one directly. The v3 serialisation (header,
 * varint directories, leaf split, deduplicated contents folded into runs) is the archive writer's
 * own, from pmtiles-layout.ts, so what readers meet here is what the writer makes.
 * Whole archive in memory: for fixtures, not planets.
 */
import zlib from 'node:zlib';
import { Compression, type TileType, zxyToTileId } from 'pmtiles';
import { ArchiveEntries, HEADER_BYTES, ROOT_LIMIT, archiveHeader, buildDirectories, serializeDirectory } from '../pmtiles-layout.js';

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

/** The bytes of a PMTiles v3 archive holding `tiles`, laid out header, root, metadata, leaves, data. */
export function buildPmtiles(tiles: FixtureTile[], options: PmtilesFixtureOptions): Uint8Array {
  const internal = options.internalCompression ?? Compression.Gzip;
  const pack = (bytes: Uint8Array): Uint8Array => (internal === Compression.Gzip ? zlib.gzipSync(bytes) : bytes);

  const sorted = tiles.map((t) => ({ ...t, id: zxyToTileId(t.z, t.x, t.y) })).sort((a, b) => a.id - b.id);
  const archive = new ArchiveEntries();
  const chunks: Uint8Array[] = [];
  for (const t of sorted) if (archive.add(t.id, t.data).fresh) chunks.push(t.data);
  const { root, leaves, leavesLength } = buildDirectories(
    archive.entries,
    options.leafSize === undefined ? { pack, maxRootBytes: Number.POSITIVE_INFINITY } : { pack, leafSize: options.leafSize },
  );
  const metadata = pack(new TextEncoder().encode(JSON.stringify(options.metadata ?? {})));

  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + root.byteLength;
  const leafOffset = metadataOffset + metadata.byteLength;
  const dataOffset = leafOffset + leavesLength;
  const [minLon, minLat, maxLon, maxLat] = options.bounds ?? [-180, -85.0511287, 180, 85.0511287];
  const header = archiveHeader(
    archive,
    {
      root: [rootOffset, root.byteLength],
      metadata: [metadataOffset, metadata.byteLength],
      leaves: [leafOffset, leavesLength],
      data: [dataOffset, archive.dataLength],
    },
    {
      internalCompression: internal,
      tileCompression: options.tileCompression ?? Compression.None,
      tileType: options.tileType,
      bounds: [minLon, minLat, maxLon, maxLat],
      // Zoom 0 is raised to the archive's lowest zoom.
      center: [(minLon + maxLon) / 2, (minLat + maxLat) / 2, 0],
    },
  );
  if (HEADER_BYTES + root.byteLength > ROOT_LIMIT) throw new Error(`root directory of ${root.byteLength} bytes does not fit in 16 KiB: set leafSize`);
  return Buffer.concat([header, root, metadata, ...leaves, ...chunks]);
}

/** A v3 directory, as the archive writer serialises it (kept here for the fixture's users). */
export { serializeDirectory };
