/**
 * The shapes of what the engine keeps besides jobs: settings, tile caches, the catalogue, uploads,
 * Esri services, storage and the app itself.
 */
import type { SerializedError } from './errors.js';
import type { Bbox } from './kinds/fields.js';
import type { JobKind } from './kinds/index.js';

export interface Settings {
  maxRunningJobs: number;
  maxRunningPerKind: Partial<Record<JobKind, number>>;
  /** Finished jobs older than this many days are deleted; null keeps history forever. */
  retentionDays: number | null;
  metricsEnabled: boolean;
  /** Bytes all caches and catalogue data in the data directory may take; null: no quota. */
  cacheQuotaBytes: number | null;
  /** Free bytes kept on every volume in use: jobs wait rather than write below it. */
  freeSpaceFloorBytes: number;
  /** Bytes one ingest job may stage and import unless it asks for less; null: only the other limits. */
  ingestJobQuotaBytes: number | null;
  /**
   * Absolute folders requests may read and write besides the data directory (always one). When
   * non-empty, or when the headless host listens beyond loopback, a path outside them is refused.
   * Absent: none (settings saved before it existed; the engine always answers with a list).
   */
  dataRoots?: string[];
  /** Whether requests may name GDAL virtual paths (/vsicurl/…, PG:…) where data roots apply. Absent: false. */
  allowGdalVirtualPaths?: boolean;
  /**
   * Plan sources (folders of plan files, or git `URL#branch:folder`) kept reconciled while the
   * engine runs, besides those given with `tessera serve --plans`. Absent: none.
   */
  planSources?: string[];
  /**
   * The task queue (BullMQ on Redis, `redis://HOST:PORT/DB`) that raster, vector-partition and verify tasks go to,
   * taken by `tessera worker` processes; absent or null: the engine's own threads. Read at start-up;
   * `--queue` on the command line wins.
   */
  queue?: string | null;
}

/** `settings.update`'s reply: the settings saved, and what they may not do (a task queue not reached). */
export interface SavedSettings extends Settings {
  /** Saved and in effect, but worth reading: e.g. the new task queue was not reached (WRONGPASS, ECONNREFUSED). */
  warnings?: string[];
}

/** A tile cache opened for the map preview. */
export interface TileCacheSummary {
  /** Opaque handle for tile URLs; stable for a path while the engine runs. */
  id: string;
  path: string;
  kind: 'mbtiles' | 'pmtiles' | 'directory' | 'geopackage';
  format: 'png' | 'jpg' | 'webp' | 'pbf' | 'unknown';
  name: string;
  /** WGS84 west, south, east, north; null when the cache does not say and it cannot be derived. */
  bounds: [number, number, number, number] | null;
  minZoom: number;
  maxZoom: number;
  /** Vector caches: their layers (from metadata `json`, else from decoding a sample of tiles). */
  vectorLayers: { id: string; fields: Record<string, string>; geometryType: 'point' | 'line' | 'polygon' | 'unknown'; minZoom: number; maxZoom: number }[];
  /** Relative to the app's own origin: `tiles/<id>/{z}/{x}/{y}` (both hosts serve it, token-checked). */
  tileUrlTemplate: string;
  /**
   * The separate areas the tiles cover, largest first (main/tile-cache/cache-areas.ts): the map
   * opens on the first and lists them to jump to. Empty or absent when they could not be found.
   */
  areas?: { bounds: [number, number, number, number]; tiles: number; z: number }[];
}

export interface CatalogLayer {
  name: string;
  /** OGR's name for it ('Polygon', 'Multi Line String'…); null for tables without geometry. */
  geometryType: string | null;
  featureCount: number;
  fields: { name: string; type: string }[];
  /** The CRS as `AUTHORITY:CODE` when it has one, else its WKT name; null when unknown. */
  crs: string | null;
  /** WGS84 west, south, east, north. */
  bounds: Bbox | null;
  /**
   * Features whose geometry GEOS finds invalid (kept, counted). Null while they are being counted,
   * just after the dataset is recorded (catalog.changed announces the count).
   */
  invalidGeometries: number | null;
  /**
   * Of those, features whose geometry the source held but GDAL could not read (a GeoJSON
   * `"coordinates": ["x"]`): stored without geometry, and counted as invalid. Absent when none.
   */
  unreadableGeometries?: number;
}

/** A dataset in the local catalogue: an imported GeoPackage (vector) or a Cloud-Optimized GeoTIFF (raster). */
export interface CatalogDataset {
  id: number;
  name: string;
  kind: 'vector' | 'raster';
  /** The file in the data directory that previews and preseeds read. */
  path: string;
  layers: CatalogLayer[];
  raster: { width: number; height: number; bands: number; dataType: string; crs: string | null } | null;
  /** WGS84 west, south, east, north of the whole dataset. */
  bounds: Bbox | null;
  sizeBytes: number;
  source: { type: 'file'; files: string[] } | { type: 'esri'; url: string; layers: number[]; copiedAt: string };
  /** The job that made (or last refreshed) it. */
  jobId: number | null;
  createdAt: string;
  updatedAt: string;
  /** A small PNG as a data: URL; null when none could be drawn. */
  thumbnail: string | null;
  /**
   * A small raster MBTiles (Web Mercator PNG tiles drawn from the data) beside the dataset, for the
   * map preview: `caches.open` opens it like any cache. Null when none could be made.
   */
  preview: string | null;
  /**
   * Its invalid geometries are being counted, or its thumbnail and preview drawn: just after the
   * dataset was recorded. catalog.changed follows.
   */
  analysisPending: boolean;
}

/**
 * The headless host's upload route (`POST /uploads?name=&size=`, then `POST /uploads/<id>?offset=`
 * for further chunks; main/hosts/upload-route.ts) answers `{ ok: true, result: UploadStatus }`.
 * Not a contract request: its body is the file's bytes, not JSON.
 */
export interface UploadStatus {
  id: string;
  /** `upload:<id>`: goes into an ingest job's `files` once the upload is complete. */
  file: string;
  name: string;
  size: number;
  received: number;
  complete: boolean;
}

/** An ArcGIS REST service as discovered before a migration (esri.discover). */
export interface EsriService {
  /** The service's own URL, normalised (no layer id, no query, no trailing slash). */
  url: string;
  type: 'FeatureServer' | 'MapServer' | 'folder';
  name: string;
  /** Services under a folder URL. */
  services: { name: string; type: string; url: string }[];
  layers: {
    id: number;
    name: string;
    type: 'layer' | 'table';
    geometryType: string | null;
    fields: { name: string; type: string; alias: string | null }[];
    /** `EPSG:N` from the layer's spatial reference (latestWkid preferred); null when it has none. */
    crs: string | null;
    maxRecordCount: number;
    supportsPagination: boolean;
    supportsAdvancedQueries: boolean;
    /** From returnCountOnly; null when the server would not say. */
    count: number | null;
    error: SerializedError | null;
  }[];
}

export interface VolumeStatus {
  /** A directory on the volume that Tessera uses. */
  path: string;
  /** What Tessera keeps there ("data directory", "job 12 output"…). */
  roles: string[];
  /** The volume's device id (as stat reports it): the Caches screen's caches name theirs, so each volume lists what it holds. */
  device?: string;
  totalBytes: number;
  freeBytes: number;
}

export interface QuotaStatus {
  name: string;
  jobId: number | null;
  limitBytes: number | null;
  usedBytes: number;
}

export interface StorageStatus {
  volumes: VolumeStatus[];
  quotas: QuotaStatus[];
  freeSpaceFloorBytes: number;
  /** Human-readable warnings: a volume near its floor, a quota nearly used up. */
  warnings: string[];
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'headless';
  dataDir: string;
  threads: number;
}

/** One coordinate reference system of the proj database (crs.search). */
export interface CrsMatch {
  /** `EPSG:2263`: what an ingest's CRS param takes. */
  code: string;
  name: string;
  /** Where it is meant to be used ("USA - New York - SPCS - Long Island"), when the database says. */
  area: string | null;
  kind: 'projected' | 'geographic';
}
