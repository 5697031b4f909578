/**
 * What every tile cache looks like to the engine: MBTiles, PMTiles or a z/x/y directory.
 * Coordinates are always XYZ (y down, as in web maps); MBTiles' TMS rows are flipped on read.
 */

export type TileFormat = 'png' | 'jpg' | 'webp' | 'pbf' | 'unknown';

export interface TileRecord {
  z: number;
  x: number;
  /** XYZ row (0 at the north). */
  y: number;
  data: Uint8Array;
}

export interface TileCacheInfo {
  kind: 'mbtiles' | 'pmtiles' | 'directory';
  path: string;
  /** The tile format the cache declares (metadata, header or file extension). */
  format: TileFormat;
  /** Name, bounds, zooms… as the cache declares them; informational. */
  metadata: Record<string, string>;
}

/** True when (z, x, y) names a tile of the XYZ grid: integers, z in 0..30, x and y in 0..2^z - 1. */
export function isTileInGrid(z: number, x: number, y: number): boolean {
  if (!Number.isInteger(z) || !Number.isInteger(x) || !Number.isInteger(y) || z < 0 || z > 30) return false;
  const side = 2 ** z;
  return x >= 0 && y >= 0 && x < side && y < side;
}

export interface TileCacheReader extends TileCacheInfo {
  /** Zoom levels that hold tiles, ascending, with their tile counts. */
  zoomLevels(): Promise<{ z: number; count: number }[]>;
  /**
   * Up to `limit` tiles of zoom `z`, in (x, y) order, strictly after `after` (null: from the start).
   * Resuming from the last tile of a batch therefore neither repeats nor skips a tile.
   */
  readBatch(z: number, after: { x: number; y: number } | null, limit: number): Promise<TileRecord[]>;
  /**
   * One tile's bytes as stored (gzipped vector tiles stay gzipped), or null when the cache has no
   * such tile, including coordinates outside zoom z's grid: the map preview asks for tiles one by one.
   */
  readTile(z: number, x: number, y: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/**
 * A reader of tiles that are not a cache on disk (a catalogue dataset cut on demand): the same
 * reads, under its own kind, for the map's registry only (the Caches screen lists files).
 */
export type TileSourceReader = Omit<TileCacheReader, 'kind'> & { kind: TileCacheReader['kind'] | 'geopackage' };
