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

export interface TileCacheReader extends TileCacheInfo {
  /** Zoom levels that hold tiles, ascending, with their tile counts. */
  zoomLevels(): Promise<{ z: number; count: number }[]>;
  /**
   * Up to `limit` tiles of zoom `z`, in (x, y) order, strictly after `after` (null: from the start).
   * Resuming from the last tile of a batch therefore neither repeats nor skips a tile.
   */
  readBatch(z: number, after: { x: number; y: number } | null, limit: number): Promise<TileRecord[]>;
  close(): Promise<void>;
}
