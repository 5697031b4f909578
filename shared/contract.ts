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

// The kinds, their params and the jobs.start union come from one list: shared/kinds/index.ts.
import { JOB_KINDS, type JobKind, JobStartInput, type KindedParams } from './kinds/index.js';
export { JOB_KINDS, JobStartInput };
export { DATASET_KINDS, cacheOf, footprintsOf, makesDatasets, pathsOf } from './kinds/index.js';
export type { JobKind, JobParams, JobParamsOf, JobStart, KindedParams, Footprint, JobCache, PathUse } from './kinds/index.js';
export { Bbox, PRESEED_MODES } from './kinds/fields.js';
export type { PreseedMode } from './kinds/fields.js';
export { VerifyParams } from './kinds/verify.js';
export { RASTER_FORMATS, RESAMPLINGS, RasterPreseedParams } from './kinds/raster-preseed.js';
export { VectorLayerChoice, VectorPreseedParams } from './kinds/vector-preseed.js';
export { IngestParams } from './kinds/ingest.js';
export { EsriMigrateParams } from './kinds/esri-migrate.js';
import type { Bbox } from './kinds/fields.js';

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

interface JobSummaryFields {
  id: number;
  name: string;
  state: JobState;
  priority: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  items: { total: number; queued: number; running: number; succeeded: number; failed: number; cancelled: number };
  progress: JobProgress;
  error: SerializedError | null;
}

/** A job as every consumer sees it: its `kind` narrows its `params`. */
export type JobSummary = JobSummaryFields & KindedParams;

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
    text: z
      .string()
      .trim()
      .max(200)
      .refine((t) => !t.includes('\u0000'), 'must not contain a NUL character')
      .optional(),
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

/** The input of a request that takes none: an empty object and nothing else. */
const NoInput = z.object({}).strict();
type NoInput = typeof NoInput;

/** Pairs an input schema with a result type that exists only for the type checker. */
function request<I extends z.ZodType, R>(input: I): { input: I; result: R } {
  return { input, result: undefined as R };
}

export const requests = {
  'app.info': request<NoInput, AppInfo>(NoInput),
  'app.health': request<NoInput, HealthCheck[]>(NoInput),
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
  'jobs.report': request<z.ZodType<{ id: number; format: ReportFormat }>, ReportFile>(
    z.object({ id, format: z.enum(['json', 'csv', 'html', 'pdf']) }).strict(),
  ),
  /** Opens a tile cache for the map preview (MBTiles, PMTiles or a z/x/y directory). */
  'caches.open': request<z.ZodType<{ path: string }>, TileCacheSummary>(z.object({ path: z.string().trim().min(1, 'path is empty').max(4096) }).strict()),
  'catalog.list': request<z.ZodType<{ text?: string; kind?: 'vector' | 'raster'; cursor?: string; limit: number }>, Page<CatalogDataset>>(
    z
      .object({
        text: z.string().trim().max(200).optional(),
        kind: z.enum(['vector', 'raster']).optional(),
        cursor: cursor.optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
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
      .object({
        url: z.url({ protocol: /^https?$/ }),
        token: z.string().min(1).max(10_000).optional(),
        username: z.string().min(1).max(500).optional(),
        password: z.string().min(1).max(10_000).optional(),
      })
      .strict()
      .refine((c) => c.token !== undefined || (c.username !== undefined && c.password !== undefined), {
        message: 'give a token, or a username and a password',
      }),
  ),
  'storage.status': request<NoInput, StorageStatus>(NoInput),
  'queue.get': request<NoInput, QueueState>(NoInput),
  'queue.pause': request<NoInput, QueueState>(NoInput),
  'queue.resume': request<NoInput, QueueState>(NoInput),
  'settings.get': request<NoInput, Settings>(NoInput),
  'settings.update': request<typeof SettingsPatch, Settings>(SettingsPatch),
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export const REQUEST_NAMES = Object.keys(requests) as RequestName[];
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestParsed<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestResult<N extends RequestName> = Requests[N]['result'];
/** What the engine implements: one function per contract request, taking parsed input. */
export type ContractHandlers = {
  [N in RequestName]: (input: RequestParsed<N>) => Promise<RequestResult<N>> | RequestResult<N>;
};

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
    [M in Method<RequestName, NS>]: `${NS}.${M}` extends infer N extends RequestName ? (input: RequestInput<N>) => Promise<RequestResult<N>> : never;
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
