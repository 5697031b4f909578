/**
 * The one contract between the renderer and the engine.
 *
 * Every request has a zod schema for its input and a typed result; every event has its payload type.
 * Both hosts (Electron IPC and the headless HTTP/WebSocket host) serve exactly this map, and both
 * bridges (the preload and the browser bridge) expose it as the same `window.tessera` API, so the
 * renderer cannot tell which host it runs on. Input is validated by the host before it reaches
 * the engine; a bad field is rejected with BAD_INPUT naming the field.
 */
import { z } from 'zod';
import type { SerializedError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// States and kinds

/** Job states. Which transitions are legal lives in main/engine/job-states.ts, nowhere else. */
export const JOB_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'partial', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Item states: one item per dataset, layer, file or zoom level of a job. */
export const ITEM_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** States a job never leaves on its own. */
export const FINISHED_JOB_STATES: readonly JobState[] = ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted'];

/** Job kinds the engine knows. Each has a params schema below and a plug-in in main/engine/kinds. */
export const JOB_KINDS = ['verify', 'preseed-raster', 'preseed-vector', 'ingest', 'migrate-esri'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

// ---------------------------------------------------------------------------------------------
// Params of each job kind

const zoom = z.number().int().min(0).max(30);
const isoDateTime = z.iso.datetime({ offset: true });

/** verify: decode every tile of a cache and report corrupt, empty and oversized tiles per zoom. */
export const VerifyParams = z
  .object({
    /** An MBTiles file, a PMTiles archive, or a z/x/y tile directory. */
    cache: z.string().trim().min(1, 'cache path is empty'),
    /** Tiles larger than this are reported as oversized (500 KB is the common vector-tile limit). */
    maxTileBytes: z.number().int().positive().default(500 * 1024),
    /** Only these zoom levels; all of the cache's when absent. */
    minZoom: zoom.optional(),
    maxZoom: zoom.optional(),
  })
  .strict()
  .refine((p) => p.minZoom === undefined || p.maxZoom === undefined || p.minZoom <= p.maxZoom, {
    message: 'minZoom must not be greater than maxZoom',
    path: ['minZoom'],
  });
export type VerifyParams = z.output<typeof VerifyParams>;

/** WGS84 west, south, east, north (degrees). */
export const Bbox = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .refine((b) => b[0] < b[2], { message: 'west must be less than east (a bbox across the antimeridian is two jobs)' })
  .refine((b) => b[1] < b[3], { message: 'south must be less than north' });
export type Bbox = [number, number, number, number];

/**
 * What to do with tiles the output already holds: `resume` keeps them (an interrupted or extended
 * seed only adds what is missing), `overwrite` renders every tile again, `refresh` renders again
 * only tiles written before `olderThan`.
 */
export const PRESEED_MODES = ['resume', 'overwrite', 'refresh'] as const;
export type PreseedMode = (typeof PRESEED_MODES)[number];

/** Fields shared by raster and vector preseeds: where, which zooms, into what. */
const preseedFields = {
  minZoom: zoom,
  maxZoom: zoom,
  /** Intersected with each dataset's own extent. */
  bbox: Bbox.optional(),
  /** A polygon file (GeoJSON or any OGR source, any CRS): only tiles touching its polygons are made. */
  coverage: z.string().trim().min(1).optional(),
  mode: z.enum(PRESEED_MODES).default('resume'),
  /** For mode `refresh`: tiles written before this instant are made again. */
  olderThan: isoDateTime.optional(),
  /** `.mbtiles` or `.pmtiles` picks that format; any other path is a z/x/y tile directory. */
  output: z.string().trim().min(1, 'output path is empty').max(4096),
  /** The tileset's name in the output's metadata; the output's file name when absent. */
  title: z.string().trim().min(1).max(200).optional(),
};

function preseedChecks<T extends { minZoom: number; maxZoom: number; mode: PreseedMode; olderThan?: string | undefined }>(schema: z.ZodType<T>) {
  return schema
    .refine((p) => p.minZoom <= p.maxZoom, { message: 'minZoom must not be greater than maxZoom', path: ['minZoom'] })
    .refine((p) => p.mode !== 'refresh' || p.olderThan !== undefined, { message: 'mode refresh needs olderThan', path: ['olderThan'] });
}

export const RASTER_FORMATS = ['png', 'jpeg', 'webp'] as const;
export const RESAMPLINGS = ['nearest', 'bilinear', 'cubic', 'lanczos', 'average'] as const;

/** preseed-raster: GDAL rasters (any CRS) to PNG/JPEG/WebP tiles; one item per dataset. */
export const RasterPreseedParams = preseedChecks(
  z
    .object({
      ...preseedFields,
      datasets: z.array(z.string().trim().min(1, 'dataset path is empty').max(4096)).min(1, 'no datasets').max(1000),
      tileSize: z.union([z.literal(256), z.literal(512)]).default(256),
      format: z.enum(RASTER_FORMATS).default('png'),
      /** JPEG and WebP quality; PNG: none. */
      quality: z.number().int().min(1).max(100).default(85),
      /** PNG only: quantise to a palette of at most 256 colours (much smaller files). */
      pngPalette: z.boolean().default(false),
      resampling: z.enum(RESAMPLINGS).default('average'),
      /**
       * How 16-bit and float bands become 8-bit: `auto` stretches each band's min–max (from its
       * statistics), `[min, max]` stretches that range. 8-bit data is never scaled.
       */
      scale: z.union([z.literal('auto'), z.tuple([z.number(), z.number()]).refine((r) => r[0] < r[1], { message: 'scale min must be less than max' })]).default('auto'),
    })
    .strict(),
);
export type RasterPreseedParams = z.output<typeof RasterPreseedParams>;

/** One source layer of a vector preseed and how it becomes an MVT layer. */
export const VectorLayerChoice = z
  .object({
    /** The source layer's name (as OGR lists it). */
    name: z.string().trim().min(1),
    /** The MVT layer's name; the source layer's name when absent. */
    as: z.string().trim().min(1).max(100).optional(),
    /** Attributes to keep; all of them when absent, none when empty. */
    attributes: z.array(z.string().min(1)).optional(),
    minZoom: zoom.optional(),
    maxZoom: zoom.optional(),
  })
  .strict();
export type VectorLayerChoice = z.output<typeof VectorLayerChoice>;

/** preseed-vector: OGR sources (any CRS) to Mapbox Vector Tiles; one item per source. */
export const VectorPreseedParams = preseedChecks(
  z
    .object({
      ...preseedFields,
      sources: z.array(z.string().trim().min(1, 'source path is empty').max(4096)).min(1, 'no sources').max(1000),
      /** The layers to tile; every layer of every source when absent. A name matches in any source. */
      layers: z.array(VectorLayerChoice).min(1).optional(),
      /** Attributes kept for layers that do not choose their own; all when absent. */
      attributes: z.array(z.string().min(1)).optional(),
      /** Tile extent in MVT units, buffer around it, and simplification tolerance (as geojson-vt). */
      extent: z.number().int().min(256).max(16384).default(4096),
      buffer: z.number().int().min(0).max(1024).default(64),
      tolerance: z.number().min(0).max(100).default(3),
      /** Tiles larger than this (encoded, before gzip) are reported; with `thin`, thinned until they fit. */
      maxTileBytes: z.number().int().min(1024).default(500 * 1024),
      thin: z.boolean().default(false),
    })
    .strict(),
);
export type VectorPreseedParams = z.output<typeof VectorPreseedParams>;

/**
 * ingest: files into the local catalogue (one item per file and per layer inside it). Files are
 * paths on the engine's machine (CLI, desktop drop) or uploads the headless host has staged
 * (`upload:<id>`, from its streaming upload route).
 */
export const IngestParams = z
  .object({
    files: z.array(z.string().trim().min(1, 'file path is empty').max(4096)).min(1, 'no files').max(10_000),
    /**
     * CRS for sources that have none (a Shapefile without .prj, a GML without srsName, a CSV's x/y
     * columns): `EPSG:N` or any definition GDAL reads. GeoJSON, KML and GPX are lon/lat WGS84 by
     * their specifications whatever this says; a CSV is taken as lon/lat when this is absent.
     */
    assignCrs: z.string().trim().min(1).max(20_000).optional(),
    /** Reproject vector layers to this CRS on import; layers keep their own CRS when absent. */
    targetCrs: z.string().trim().min(1).max(20_000).optional(),
    /** Bytes this job may stage and import; the ingestJobQuotaBytes setting when absent. */
    quotaBytes: z.number().int().positive().optional(),
  })
  .strict();
export type IngestParams = z.output<typeof IngestParams>;

/**
 * migrate-esri: layers of an ArcGIS FeatureServer/MapServer into one GeoPackage in the catalogue
 * (one item per layer). Credentials live in the credential store and are referred to by id only:
 * never in params, logs, reports or URLs.
 */
export const EsriMigrateParams = z
  .object({
    /** A service (FeatureServer or MapServer, with or without a layer id or trailing slash). */
    url: z.url({ protocol: /^https?$/ }),
    /** Layer and table ids; every layer and table of the service when absent. */
    layers: z.array(z.number().int().min(0)).min(1).optional(),
    where: z.string().trim().min(1).max(10_000).optional(),
    credentialId: z.string().trim().min(1).max(200).optional(),
    /** The catalogue dataset's name. */
    name: z.string().trim().min(1).max(200),
  })
  .strict();
export type EsriMigrateParams = z.output<typeof EsriMigrateParams>;

const priority = z.number().int().min(-10).max(10).default(0);
const jobName = z.string().trim().min(1).max(200).optional();

/** Input of jobs.start: one member per job kind. */
export const JobStartInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('verify'), params: VerifyParams, name: jobName, priority }).strict(),
  z.object({ kind: z.literal('preseed-raster'), params: RasterPreseedParams, name: jobName, priority }).strict(),
  z.object({ kind: z.literal('preseed-vector'), params: VectorPreseedParams, name: jobName, priority }).strict(),
  z.object({ kind: z.literal('ingest'), params: IngestParams, name: jobName, priority }).strict(),
  z.object({ kind: z.literal('migrate-esri'), params: EsriMigrateParams, name: jobName, priority }).strict(),
]);
export type JobStartInput = z.input<typeof JobStartInput>;
export type JobParams = z.output<typeof JobStartInput>['params'];

// ---------------------------------------------------------------------------------------------
// Data shapes

export interface JobProgress {
  jobId: number;
  /** Units (tiles, features, bytes of a file…) done, out of total; failed units are also done. */
  done: number;
  total: number;
  failed: number;
  bytes: number;
  /** Units per second over the last few seconds; 0 when unknown. */
  rate: number;
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: number | null;
}

export interface JobSummary {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  priority: number;
  params: JobParams;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  items: { total: number; queued: number; running: number; succeeded: number; failed: number; cancelled: number };
  progress: JobProgress;
  error: SerializedError | null;
}

export interface JobItem {
  id: number;
  jobId: number;
  ordinal: number;
  label: string;
  state: ItemState;
  attempts: number;
  done: number;
  total: number;
  failed: number;
  bytes: number;
  error: SerializedError | null;
  /** What the kind reports about a finished item (e.g. verify's counts of empty and oversized tiles). */
  result: Record<string, unknown> | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobEvent {
  id: number;
  jobId: number;
  at: string;
  type: string;
  message: string;
  data: Record<string, unknown> | null;
}

/** A tile the job found or left wrong, kept so operators can act on the exact list. */
export interface TileIssue {
  itemId: number;
  z: number;
  x: number;
  y: number;
  issue: 'corrupt' | 'empty' | 'oversized' | 'failed';
  detail: string;
}

export interface Page<T> {
  rows: T[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface QueueState {
  paused: boolean;
  queued: number;
  running: number;
  maxRunning: number;
}

export interface HealthCheck {
  name: string;
  state: 'ok' | 'failed' | 'disabled';
  message: string;
  checkedAt: string;
}

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
}

/** A tile cache opened for the map preview. */
export interface TileCacheSummary {
  /** Opaque handle for tile URLs; stable for a path while the engine runs. */
  id: string;
  path: string;
  kind: 'mbtiles' | 'pmtiles' | 'directory';
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
}

/**
 * A dry run of a job: what it would make and need, before it starts (jobs.estimate). jobs.start
 * refuses a job whose estimate does not fit (QUOTA_EXCEEDED, DISK_FULL) with these numbers.
 */
export interface JobEstimate {
  kind: JobKind;
  /** One per dataset or source: its extent and tile count, or why it cannot be used. */
  datasets: { path: string; bounds: Bbox | null; tiles: number; error: SerializedError | null }[];
  /** Tiles per zoom level over the real extent (datasets ∩ bbox ∩ coverage), all datasets together. */
  zooms: { z: number; tiles: number }[];
  totalTiles: number;
  /** Measured on a small sample of real tiles; null when no sample could be made. */
  sample: { tiles: number; bytesPerTile: number; secondsPerTile: number } | null;
  estimatedBytes: number | null;
  estimatedSeconds: number | null;
  storage: {
    output: string;
    freeBytes: number;
    floorBytes: number;
    quotaBytes: number | null;
    quotaUsedBytes: number;
    /** Why the job would not fit; null when it fits (or nothing is known against it). */
    problem: SerializedError | null;
  };
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

export type ReportFormat = 'json' | 'csv' | 'html' | 'pdf';

export interface ReportFile {
  fileName: string;
  mimeType: string;
  /** Text for json, csv and html; base64 for pdf. */
  encoding: 'utf8' | 'base64';
  content: string;
}

export interface AppInfo {
  version: string;
  host: 'electron' | 'headless';
  dataDir: string;
  threads: number;
}

export interface BulkResult {
  ok: number[];
  failed: { id: number; error: SerializedError }[];
}

// ---------------------------------------------------------------------------------------------
// Requests

const id = z.number().int().positive();
const ids = z.array(id).min(1).max(10_000);
const isoDate = z.iso.datetime({ offset: true });
const cursor = z.string().min(1).max(200);

export const JobFilter = z
  .object({
    states: z.array(z.enum(JOB_STATES)).optional(),
    kinds: z.array(z.enum(JOB_KINDS)).optional(),
    /**
     * Matches names, params (datasets, paths) and error messages of the job and its items. No NUL:
     * SQLite's full-text query ends at one ("unterminated string", a 500 before this rule).
     */
    text: z.string().trim().max(200).refine((t) => !t.includes('\u0000'), 'must not contain a NUL character').optional(),
    createdFrom: isoDate.optional(),
    createdTo: isoDate.optional(),
  })
  .strict();
export type JobFilter = z.infer<typeof JobFilter>;

const SettingsPatch = z
  .object({
    maxRunningJobs: z.number().int().min(1).max(64),
    maxRunningPerKind: z.partialRecord(z.enum(JOB_KINDS), z.number().int().min(1).max(64)),
    retentionDays: z.number().int().min(1).max(36_500).nullable(),
    metricsEnabled: z.boolean(),
    cacheQuotaBytes: z.number().int().positive().nullable(),
    freeSpaceFloorBytes: z.number().int().min(0),
    ingestJobQuotaBytes: z.number().int().positive().nullable(),
    dataRoots: z
      .array(
        z
          .string()
          .trim()
          .min(1, 'folder is empty')
          .max(4096)
          // POSIX /…, Windows C:\… or \\server\share: the platform is not known here, the engine resolves it.
          .regex(/^(\/|[A-Za-z]:[\\/]|\\\\)/, 'must be an absolute folder path'),
      )
      .max(100),
    allowGdalVirtualPaths: z.boolean(),
  })
  .partial()
  .strict();

/** Pairs an input schema with a result type that exists only for the type checker. */
function request<I extends z.ZodType, R>(input: I): { input: I; result: R } {
  return { input, result: undefined as R };
}

export const requests = {
  'app.info': request<z.ZodObject<{}>, AppInfo>(z.object({}).strict()),
  'app.health': request<z.ZodObject<{}>, HealthCheck[]>(z.object({}).strict()),
  'jobs.list': request<z.ZodType<{ filter?: JobFilter; cursor?: string; limit: number }>, Page<JobSummary>>(
    z.object({ filter: JobFilter.optional(), cursor: cursor.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  'jobs.get': request<z.ZodType<{ id: number }>, JobSummary>(z.object({ id }).strict()),
  'jobs.items': request<z.ZodType<{ id: number; states?: ItemState[]; cursor?: string; limit: number }>, Page<JobItem>>(
    z
      .object({ id, states: z.array(z.enum(ITEM_STATES)).optional(), cursor: cursor.optional(), limit: z.number().int().min(1).max(1000).default(200) })
      .strict(),
  ),
  'jobs.events': request<z.ZodType<{ id: number; afterId?: number; limit: number }>, JobEvent[]>(
    z.object({ id, afterId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  ),
  'jobs.tileIssues': request<z.ZodType<{ id: number; cursor?: string; limit: number }>, Page<TileIssue>>(
    z.object({ id, cursor: cursor.optional(), limit: z.number().int().min(1).max(5000).default(500) }).strict(),
  ),
  'jobs.start': request<typeof JobStartInput, JobSummary>(JobStartInput),
  /** A dry run: tile counts per zoom over the real extent, bytes and time from a sample, whether it fits. */
  'jobs.estimate': request<typeof JobStartInput, JobEstimate>(JobStartInput),
  'jobs.cancel': request<z.ZodType<{ ids: number[] }>, BulkResult>(z.object({ ids }).strict()),
  /** Re-queues what did not succeed: the failed items of a partial job, the rest of an interrupted one. */
  'jobs.retry': request<z.ZodType<{ ids: number[] }>, BulkResult>(z.object({ ids }).strict()),
  /** A new job with the same kind, params and priority. */
  'jobs.rerun': request<z.ZodType<{ id: number }>, JobSummary>(z.object({ id }).strict()),
  'jobs.report': request<z.ZodType<{ id: number; format: ReportFormat }>, ReportFile>(z.object({ id, format: z.enum(['json', 'csv', 'html', 'pdf']) }).strict()),
  /** Opens a tile cache for the map preview (MBTiles, PMTiles or a z/x/y directory). */
  'caches.open': request<z.ZodType<{ path: string }>, TileCacheSummary>(z.object({ path: z.string().trim().min(1, 'path is empty').max(4096) }).strict()),
  'catalog.list': request<z.ZodType<{ text?: string; kind?: 'vector' | 'raster'; cursor?: string; limit: number }>, Page<CatalogDataset>>(
    z.object({ text: z.string().trim().max(200).optional(), kind: z.enum(['vector', 'raster']).optional(), cursor: cursor.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  'catalog.get': request<z.ZodType<{ id: number }>, CatalogDataset>(z.object({ id }).strict()),
  /** Deletes datasets and their files (frees quota); a dataset in use by a running job is refused. */
  'catalog.delete': request<z.ZodType<{ ids: number[] }>, BulkResult>(z.object({ ids }).strict()),
  /** Reads a service's (or folder's) JSON and its layers' counts, before a migration. */
  'esri.discover': request<z.ZodType<{ url: string; credentialId?: string }>, EsriService>(
    z.object({ url: z.url({ protocol: /^https?$/ }), credentialId: z.string().trim().min(1).max(200).optional() }).strict(),
  ),
  /** Stores a token, or a username and password for generateToken, for a server; returns its id only. */
  'credentials.save': request<z.ZodType<{ url: string; token?: string; username?: string; password?: string }>, { id: string }>(
    z
      .object({ url: z.url({ protocol: /^https?$/ }), token: z.string().min(1).max(10_000).optional(), username: z.string().min(1).max(500).optional(), password: z.string().min(1).max(10_000).optional() })
      .strict()
      .refine((c) => c.token !== undefined || (c.username !== undefined && c.password !== undefined), { message: 'give a token, or a username and a password' }),
  ),
  'storage.status': request<z.ZodObject<{}>, StorageStatus>(z.object({}).strict()),
  'queue.get': request<z.ZodObject<{}>, QueueState>(z.object({}).strict()),
  'queue.pause': request<z.ZodObject<{}>, QueueState>(z.object({}).strict()),
  'queue.resume': request<z.ZodObject<{}>, QueueState>(z.object({}).strict()),
  'settings.get': request<z.ZodObject<{}>, Settings>(z.object({}).strict()),
  'settings.update': request<typeof SettingsPatch, Settings>(SettingsPatch),
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestParsed<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestResult<N extends RequestName> = Requests[N]['result'];

// ---------------------------------------------------------------------------------------------
// Events (engine → renderer)

export interface Events {
  /** A job was created or changed state, or its item counts moved. */
  'job.changed': JobSummary;
  /** Throttled: at most about ten a second per job. */
  'job.progress': JobProgress;
  /** A new entry in a job's event log. */
  'job.event': JobEvent;
  'queue.changed': QueueState;
  /** Datasets that changed without a request of the renderer's (their preview was drawn). */
  'catalog.changed': { ids: number[] };
}
export type EventName = keyof Events;
export const EVENT_NAMES: readonly EventName[] = ['job.changed', 'job.progress', 'job.event', 'queue.changed', 'catalog.changed'];

// ---------------------------------------------------------------------------------------------
// The window API both bridges expose

type Namespace<N> = N extends `${infer NS}.${string}` ? NS : never;
type Method<N, NS extends string> = N extends `${NS}.${infer M}` ? M : never;

/** `window.tessera`: `tessera.jobs.list({...})`, `tessera.on('job.progress', cb)`. */
export type TesseraApi = {
  [NS in Namespace<RequestName>]: {
    [M in Method<RequestName, NS>]: `${NS}.${M}` extends infer N extends RequestName
      ? (input: RequestInput<N>) => Promise<RequestResult<N>>
      : never;
  };
} & {
  /** Subscribes to an engine event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

/** What a transport must do for the bridge: call a request, subscribe to an event. */
export interface BridgeTransport {
  invoke(name: RequestName, input: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** The wire reply of a request, for both hosts. */
export type Reply<R> = { ok: true; result: R } | { ok: false; error: SerializedError };

/**
 * Builds the window API from a transport: one named function per request, nothing else.
 * Both the Electron preload and the browser bridge call this, so their APIs cannot drift apart.
 */
export function createTesseraApi(transport: BridgeTransport): TesseraApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of REQUEST_NAMES) {
    const [ns, method] = name.split('.') as [string, string];
    const group = (api[ns] ??= {});
    group[method] = (input: unknown) => transport.invoke(name, input ?? {});
  }
  const on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!EVENT_NAMES.includes(event)) throw new Error(`unknown event: ${String(event)}`);
    return transport.subscribe(event, listener);
  };
  return Object.freeze({ ...Object.fromEntries(Object.entries(api).map(([k, v]) => [k, Object.freeze(v)])), on }) as unknown as TesseraApi;
}
