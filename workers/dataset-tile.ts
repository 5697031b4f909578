/**
 * One vector tile of a catalogue dataset, cut on demand for the map preview.
 *
 * The engine's GDAL thread reads the features of each layer that fall in the tile's box (a spatial
 * filter on the GeoPackage's R-tree) as GeoJSON text in WGS84; this task parses it here rather than
 * on the engine's thread, cuts the one tile with geojson-vt (the same options as the vector
 * preseed, so a preview looks like the cache a preseed would make) and encodes it with the
 * preseed's own MVT encoder. Nothing else is kept between tiles: the engine caches the bytes.
 */
import type { FeatureCollection } from 'geojson';
import GeoJSONVT from 'geojson-vt';
import { TesseraError } from '../shared/errors.js';
import { AbortFlag } from './abort-flag.js';
import { type LayerToEncode, MvtEncoder, type RawTileFeature } from './vector/mvt-encode.js';

export interface DatasetTileTask {
  z: number;
  x: number;
  y: number;
  /** Each layer's features in the tile's box (GeoJSON FeatureCollection text, WGS84). */
  layers: { name: string; geojson: string }[];
  /** Tile extent (4096, as the preseed). */
  extent: number;
  /** Buffer around the tile in tile units (64, as the preseed). */
  buffer: number;
  /** Simplification tolerance in tile pixels (3, as the preseed and geojson-vt's default). */
  tolerance: number;
  abort?: SharedArrayBuffer;
}

/** The tile's MVT bytes (uncompressed), or null when nothing drawable falls in it. */
export interface DatasetTileResult {
  data: Uint8Array | null;
  features: number;
}

let encoder: MvtEncoder | null = null;

export async function datasetTile(task: DatasetTileTask): Promise<DatasetTileResult> {
  const abort = new AbortFlag(task.abort);
  const toEncode: LayerToEncode[] = [];
  let features = 0;
  for (const layer of task.layers) {
    abort.throwIfAborted();
    let collection: FeatureCollection;
    try {
      collection = JSON.parse(layer.geojson) as FeatureCollection;
    } catch (error) {
      throw new TesseraError('DATASET_UNREADABLE', `layer ${layer.name}: GDAL's GeoJSON for tile ${task.z}/${task.x}/${task.y} does not parse`, {
        cause: error,
      });
    }
    if (collection.features.length === 0) continue;
    // indexMaxZoom 0: the index is made for this one tile, so only the path from z0 down to it is cut.
    const index = new GeoJSONVT(collection, { maxZoom: task.z, indexMaxZoom: 0, tolerance: task.tolerance, extent: task.extent, buffer: task.buffer });
    const raw = index.getTileRaw(task.z, task.x, task.y);
    if (raw === null || raw.features.length === 0) continue;
    features += raw.features.length;
    toEncode.push({ name: layer.name, features: raw.features as RawTileFeature[] });
  }
  abort.throwIfAborted();
  if (toEncode.length === 0) return { data: null, features: 0 };
  encoder ??= new MvtEncoder(task.extent);
  const bytes = encoder.encode(toEncode);
  // The encoder's buffer is reused by the next tile: send a copy.
  return { data: bytes === null ? null : bytes.slice(), features };
}
