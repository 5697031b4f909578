/**
 * A vector dataset of the catalogue served as vector tiles, cut on demand: the map's "Preview on
 * map" at every zoom the data supports, with identify, and no tile cache made first.
 *
 * Why on demand rather than a cache made after the import: a preview is looked at in a few places
 * at a few zooms, while a cache to z14 of a country-sized dataset is a preseed's hours of work
 * and gigabytes. Each tile costs one spatial query per layer (GDAL, on the GeoPackage's R-tree,
 * on libuv's threads through gdal-async's async API: the engine's thread is not blocked) and one
 * geojson-vt cut and MVT encode in the worker pool. Bounded per tile: the zooms start where a tile
 * holds a bounded share of the data (`zoomRange`), GDAL's output per tile is capped
 * (TILE_TOO_LARGE), and the cut has a deadline (TIMEOUT). The last tiles made are kept (an LRU by
 * bytes), and a tile asked for twice at once is made once.
 *
 * It is a tile reader (TileSourceReader), so the registry (CacheRegistry.openReader) gives it an id and both
 * hosts' tile routes serve it with the same session checks as any cache: ids in URLs, never paths.
 */
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import gdal from 'gdal-async';
import type { Bbox, CatalogDataset, TileCacheSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { clampLatitude, rangeSize, tileBoundsLonLat, tileBoundsMercator, tileRange } from '../../shared/tile-grid.js';
import type { DatasetTileResult, DatasetTileTask } from '../../workers/dataset-tile.js';
import type { TaskPool } from '../pool/task-pool.js';
import type { CacheRegistry } from '../tile-cache/cache-registry.js';
import type { TileSourceReader } from '../tile-cache/tile-cache.js';

/** Cuts one tile (the worker pool's `datasetTile`, bound to a signal for the deadline). */
export type CutTile = (task: Omit<DatasetTileTask, 'abort'>, signal: AbortSignal) => Promise<DatasetTileResult>;

export interface DatasetTilesOptions {
  /** Deepest zoom cut; the map overzooms beyond it. Default 14 (≈ 10 m per pixel: street level). */
  maxZoom?: number;
  /** At the shallowest zoom, at most about this many features per tile. Default 50,000. */
  maxFeaturesPerTile?: number;
  /**
   * At the shallowest zoom, at most about this many dataset bytes per tile. Default 4 MiB: a tile
   * reads every geometry it touches whole (bench/dataset-tiles-bench.ts: 31 MB of detailed
   * coastlines cost 14 s for z0, 7 s a tile at z2, 0.6 s at z8).
   */
  maxBytesPerTile?: number;
  /** GDAL's GeoJSON for one tile (all layers) beyond this refuses the tile (TILE_TOO_LARGE). Default 64 MiB. */
  maxSourceBytes?: number;
  /** A tile not cut in this long is refused (TIMEOUT). Default 15 s. */
  timeoutMs?: number;
  /** Bytes of recent tiles kept. Default 32 MiB. */
  cacheBytes?: number;
}

/** The MVT extent, buffer and simplification of the vector preseed's defaults, so a preview looks like its cache. */
const EXTENT = 4096;
const BUFFER = 64;
const TOLERANCE = 3;

interface Layer {
  name: string;
  featureCount: number;
  geometryType: 'point' | 'line' | 'polygon' | 'unknown';
  fields: Record<string, string>;
}

/** The registry id of a dataset's tiles: 12 hex digits, like a cache's, never its path. */
export function datasetTilesId(dataset: Pick<CatalogDataset, 'id' | 'path'>): string {
  return createHash('sha256').update(`catalog-dataset:${dataset.id}:${dataset.path}`).digest('hex').slice(0, 12);
}

/**
 * The zooms a dataset is cut at: from the first at which a tile over its extent holds about
 * `maxFeaturesPerTile` features and `maxBytesPerTile` bytes or less (0 for most datasets; 1 for
 * the 13 MB of Natural Earth in world_map.gpkg, 2 for 31 MB of 10 m coastlines), to `maxZoom`.
 * Below it the map draws nothing of the dataset rather than wait seconds for a tile.
 */
export function zoomRange(bounds: Bbox, featureCount: number, sizeBytes: number, options: DatasetTilesOptions = {}): { minZoom: number; maxZoom: number } {
  const maxZoom = options.maxZoom ?? 14;
  const maxFeatures = options.maxFeaturesPerTile ?? 50_000;
  const maxBytes = options.maxBytesPerTile ?? 4 * 1024 * 1024;
  const box: Bbox = [bounds[0], clampLatitude(bounds[1]), bounds[2], clampLatitude(bounds[3])];
  for (let z = 0; z < maxZoom; z++) {
    const tiles = rangeSize(tileRange(box, z));
    if (featureCount / tiles <= maxFeatures && sizeBytes / tiles <= maxBytes) return { minZoom: z, maxZoom };
  }
  return { minZoom: maxZoom, maxZoom };
}

/**
 * Opens `dataset`'s tiles in the map's registry (again when the dataset changed: a refresh
 * rewrites its file) and summarises them like a cache: `catalog.previewTiles`.
 */
export function openCatalogTiles(registry: Pick<CacheRegistry, 'openReader'>, dataset: CatalogDataset, pool: Pick<TaskPool, 'run'>): Promise<TileCacheSummary> {
  const cut: CutTile = (task, signal) => pool.run('datasetTile', task, { signal });
  return registry.openReader(datasetTilesId(dataset), `${dataset.updatedAt}:${dataset.sizeBytes}`, async () => openDatasetTiles(dataset, cut), dataset.name);
}

/** OGR's geometry type name ("Multi Polygon", "3D Line String") as the map's three kinds. */
function geometryKind(name: string | null): Layer['geometryType'] {
  if (name === null) return 'unknown';
  if (/polygon|surface/i.test(name)) return 'polygon';
  if (/line|curve/i.test(name)) return 'line';
  if (/point/i.test(name)) return 'point';
  return 'unknown';
}

/** OGR field types as tilestats' three (MVT carries strings, numbers and booleans). */
function fieldKind(type: string): string {
  if (/integer|real|float|double/i.test(type)) return 'Number';
  if (/bool/i.test(type)) return 'Boolean';
  return 'String';
}

/**
 * The dataset's tiles as a tile reader. `cut` runs in the worker pool; GDAL opens the file
 * once per tile (a GeoPackage opens in about a millisecond, and gdal-async serialises calls on one
 * handle, so a handle per tile lets tiles be read side by side).
 */
export function openDatasetTiles(dataset: CatalogDataset, cut: CutTile, options: DatasetTilesOptions = {}): TileSourceReader {
  if (dataset.kind !== 'vector') throw new TesseraError('BAD_INPUT', `dataset ${dataset.id} is a raster: its preview is its picture`);
  if (dataset.bounds === null) throw new TesseraError('NOT_FOUND', `dataset ${dataset.id} has no extent to draw`);
  const bounds = dataset.bounds;
  const layers: Layer[] = dataset.layers
    .filter((l) => l.geometryType !== null && l.featureCount > 0)
    .map((l) => ({
      name: l.name,
      featureCount: l.featureCount,
      geometryType: geometryKind(l.geometryType),
      fields: Object.fromEntries(l.fields.map((f) => [f.name, fieldKind(f.type)])),
    }));
  const total = layers.reduce((n, l) => n + l.featureCount, 0);
  const zooms = zoomRange(bounds, total, dataset.sizeBytes, options);
  const maxSourceBytes = options.maxSourceBytes ?? 64 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const cache = new TileLru(options.cacheBytes ?? 32 * 1024 * 1024);
  const inFlight = new Map<string, Promise<Uint8Array | null>>();
  let closed = false;

  const metadata: Record<string, string> = {
    name: dataset.name,
    format: 'pbf',
    bounds: bounds.join(','),
    minzoom: String(zooms.minZoom),
    maxzoom: String(zooms.maxZoom),
    json: JSON.stringify({
      vector_layers: layers.map((l) => ({ id: l.name, fields: l.fields, geometry_type: l.geometryType, minzoom: zooms.minZoom, maxzoom: zooms.maxZoom })),
    }),
  };

  /** Each layer's features in the tile's box (with the cut's buffer), as GeoJSON text in WGS84. */
  async function readFeatures(z: number, x: number, y: number): Promise<{ name: string; geojson: string }[]> {
    const [x0, y0, x1, y1] = filterBox(z, x, y);
    const source = await gdal.openAsync(dataset.path, 'r');
    const out: { name: string; geojson: string }[] = [];
    let bytes = 0;
    try {
      for (const layer of layers) {
        const path = `/vsimem/tessera-tile-${randomBytes(6).toString('hex')}.geojson`;
        try {
          const written = await gdal.vectorTranslateAsync(path, source, [
            '-f',
            'GeoJSON',
            '-spat',
            String(x0),
            String(y0),
            String(x1),
            String(y1),
            '-spat_srs',
            'EPSG:3857',
            '-t_srs',
            'EPSG:4326',
            '-dim',
            'XY',
            // The FID as the feature's id, in every tile it falls in: the map highlights a clicked
            // feature by id, across tile edges.
            '-preserve_fid',
            '-lco',
            'COORDINATE_PRECISION=7',
            layer.name,
          ]);
          written.close();
          const text = gdal.vsimem.release(path).toString('utf8');
          bytes += text.length;
          if (bytes > maxSourceBytes)
            throw new TesseraError(
              'TILE_TOO_LARGE',
              `tile ${z}/${x}/${y} of ${dataset.name}: more than ${maxSourceBytes.toLocaleString('en')} bytes of features`,
              {
                details: { z, x, y, maxSourceBytes },
              },
            );
          out.push({ name: layer.name, geojson: text });
        } finally {
          try {
            gdal.vsimem.release(path);
          } catch {
            // released above, or never written
          }
        }
      }
    } finally {
      source.close();
    }
    return out;
  }

  async function makeTile(z: number, x: number, y: number): Promise<Uint8Array | null> {
    const features = await readFeatures(z, x, y);
    const result = await cut({ z, x, y, layers: features, extent: EXTENT, buffer: BUFFER, tolerance: TOLERANCE }, AbortSignal.timeout(timeoutMs)).catch(
      (error: unknown) => {
        if (error instanceof Error && (error.name === 'TimeoutError' || (error as { code?: string }).code === 'ABORTED'))
          throw new TesseraError('TIMEOUT', `tile ${z}/${x}/${y} of ${dataset.name} took more than ${timeoutMs} ms to cut`, { details: { z, x, y } });
        throw error;
      },
    );
    return result.data;
  }

  return {
    kind: 'geopackage',
    path: dataset.path,
    format: 'pbf',
    metadata,
    // Tiles are cut on demand, so there is nothing to list: no counts, no batches, no areas.
    zoomLevels: async () => [],
    readBatch: async () => [],
    async readTile(z, x, y) {
      if (closed || z < zooms.minZoom || z > zooms.maxZoom) return null;
      const side = 2 ** z;
      if (x < 0 || y < 0 || x >= side || y >= side) return null;
      // A tile off the data's extent is empty without asking GDAL.
      if (!touches(tileBoundsLonLat(z, x, y), bounds)) return null;
      const key = `${z}/${x}/${y}`;
      const kept = cache.get(key);
      if (kept !== undefined) return kept;
      let pending = inFlight.get(key);
      if (pending === undefined) {
        pending = makeTile(z, x, y).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
        void pending.then(
          (tile) => cache.set(key, tile),
          () => {},
        );
      }
      return pending;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight.values()]);
      cache.clear();
    },
  };
}

/** Half the width of the Web Mercator world, in metres. */
const WORLD = 20037508.342789244;

/**
 * The box GDAL's spatial filter reads for tile z/x/y (EPSG:3857): the tile with the cut's buffer,
 * but never beyond the world. Why: a box past ±180° is transformed into the layer's CRS with its
 * longitude wrapped (-182° becomes 178°), and the filter then reads the wrong features: tile
 * 1/0/0 of Natural Earth lost Canada that way.
 */
export function filterBox(z: number, x: number, y: number): [number, number, number, number] {
  const [x0, y0, x1, y1] = tileBoundsMercator(z, x, y);
  const pad = ((x1 - x0) * BUFFER) / EXTENT;
  const clamp = (v: number) => Math.max(-WORLD, Math.min(WORLD, v));
  return [clamp(x0 - pad), clamp(y0 - pad), clamp(x1 + pad), clamp(y1 + pad)];
}

/** Whether two boxes meet, edges included (a single point's extent has no area but is on the map). */
function touches(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Recent tiles by bytes, least recently used out first; an empty tile (null) is kept too, for a byte. */
class TileLru {
  private readonly entries = new Map<string, Uint8Array | null>();
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): Uint8Array | null | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: Uint8Array | null): void {
    const size = value?.byteLength ?? 1;
    if (size > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old?.byteLength ?? 1;
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v?.byteLength ?? 1;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
