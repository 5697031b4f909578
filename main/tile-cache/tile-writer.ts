/**
 * Where preseed jobs put their tiles: an MBTiles file, a PMTiles archive or a z/x/y tile directory,
 * behind one interface, so a kind renders tiles and never cares about the container.
 *
 * Contract for every writer:
 * - `write` stores a batch in one transaction (MBTiles) or as atomically-renamed files (directory);
 *   when it resolves, every tile of the batch is durable; when it rejects (WRITE_FAILED, transient),
 *   none of the batch may be counted as done.
 * - `writtenAt` tells the modes (resume, refresh) what the output already holds.
 * - `finish` writes the metadata (MBTiles 1.3; the vector `json` with vector_layers) and, for
 *   PMTiles, builds the archive from the working MBTiles and renames it into place.
 * - Nothing already in the output is lost or half-written when a job fails or is cancelled.
 */
import type { Bbox } from '../../shared/contract.js';

export type TileWriterKind = 'mbtiles' | 'pmtiles' | 'directory';
/** Tile formats a preseed writes: raster images, or Mapbox Vector Tiles (stored gzip-compressed). */
export type WrittenTileFormat = 'png' | 'jpg' | 'webp' | 'pbf';

export interface TileToWrite {
  z: number;
  x: number;
  /** XYZ row (from the north); MBTiles writers flip it. */
  y: number;
  /** The encoded tile; for pbf, already gzip-compressed. */
  data: Uint8Array;
}

export interface VectorLayerMetadata {
  id: string;
  description?: string;
  minzoom: number;
  maxzoom: number;
  /** Attribute name → 'String' | 'Number' | 'Boolean' (as tippecanoe writes). */
  fields: Record<string, string>;
}

/** The tileset's metadata, written by `finish` (names as in MBTiles 1.3). */
export interface TilesetMetadata {
  name: string;
  format: WrittenTileFormat;
  bounds: Bbox;
  /** [lon, lat, zoom]; the middle of bounds at minzoom when absent. */
  center?: [number, number, number];
  minzoom: number;
  maxzoom: number;
  type?: 'overlay' | 'baselayer';
  description?: string;
  attribution?: string;
  version?: string;
  /** Vector tilesets: their layers (MBTiles 1.3 `json.vector_layers`). */
  vectorLayers?: VectorLayerMetadata[];
  /** Vector tilesets: per-layer statistics, as in `json.tilestats`. */
  tilestats?: Record<string, unknown>;
}

export interface TileWriter {
  readonly kind: TileWriterKind;
  /** The output path as given. */
  readonly path: string;
  /**
   * When each tile of zoom `z` within the inclusive ranges was written (ms since the epoch); a tile
   * absent from the map is not in the output. For resume (skip present) and refresh (redo older).
   */
  writtenAt(z: number, minX: number, minY: number, maxX: number, maxY: number): Promise<Map<string, number>>;
  /**
   * How far the clock behind `writtenAt` runs ahead of this process's (negative: behind). Only
   * outputs stamped by another clock have one: a directory's tiles carry the file system's mtimes,
   * and a network file system stamps them with its server's clock.
   */
  clockOffsetMs?(): Promise<number>;
  /** A tile the output holds (pbf as stored: gzip-compressed), or null: for composing over what is there. */
  readTile(z: number, x: number, y: number): Promise<Uint8Array | null>;
  /** Stores a batch durably; rejects with WRITE_FAILED (transient) and then none of it counts. */
  write(tiles: readonly TileToWrite[]): Promise<void>;
  /** Removes tiles (overwrite mode when a tile is now empty or transparent). */
  remove(tiles: readonly { z: number; x: number; y: number }[]): Promise<void>;
  /** Writes the metadata and completes the output (PMTiles: builds the archive, renames it in). */
  finish(metadata: TilesetMetadata): Promise<void>;
  /**
   * Gives back the space deleted tiles left inside the file (MBTiles: SQLite keeps freed pages for
   * reuse, so a truncate would free nothing on disk); the bytes freed. Writers whose deletes free
   * space by themselves (directories, PMTiles, which is rewritten) have none.
   */
  compact?(): Promise<number>;
  /** Releases files; after a failure or cancel the output holds only whole, committed batches. */
  close(): Promise<void>;
}

/** `writtenAt` keys: "x/y". */
export function tileKey(x: number, y: number): string {
  return `${x}/${y}`;
}

/** Picks the writer kind from the output path: `.mbtiles`, `.pmtiles`, anything else a directory. */
export function writerKindFor(path: string): TileWriterKind {
  const lower = path.toLowerCase();
  if (lower.endsWith('.mbtiles')) return 'mbtiles';
  if (lower.endsWith('.pmtiles')) return 'pmtiles';
  return 'directory';
}
