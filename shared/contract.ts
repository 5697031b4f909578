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

// States (shared/job-states.ts), kinds (shared/kinds/), data shapes (shared/job-shapes.ts, shared/data-shapes.ts)
import { ITEM_STATES, type ItemState, JOB_STATES } from './job-states.js';
export { FINISHED_JOB_STATES, ITEM_STATES, JOB_STATES } from './job-states.js';
export type { ItemState, JobState } from './job-states.js';

// The kinds, their params and the jobs.start union come from one list: shared/kinds/index.ts.
import { JOB_KINDS, JobStartInput } from './kinds/index.js';
export { JOB_KINDS, JobStartInput };
export { DATASET_KINDS, cacheOf, footprintsOf, makesDatasets, pathsOf, retryParamsOf, unitOf } from './kinds/index.js';
export type { JobKind, JobParams, JobParamsOf, JobStart, KindedParams, Footprint, JobCache, PathUse } from './kinds/index.js';
import { Bbox } from './kinds/fields.js';
export { Bbox };
export { PRESEED_MODES } from './kinds/fields.js';
export type { PreseedMode } from './kinds/fields.js';
export { VerifyParams } from './kinds/verify.js';
export { RASTER_FORMATS, RESAMPLINGS, RasterPreseedParams } from './kinds/raster-preseed.js';
export { VectorLayerChoice, VectorPreseedParams } from './kinds/vector-preseed.js';
export { IngestParams } from './kinds/ingest.js';
export { EsriMigrateParams } from './kinds/esri-migrate.js';
export { TruncateParams } from './kinds/truncate.js';

export type * from './job-shapes.js';
export type * from './data-shapes.js';
export type * from './plan-shapes.js';
export type * from './stac-shapes.js';
export type * from './cache-shapes.js';
export type * from './worker-shapes.js';
import type { CacheEntry } from './cache-shapes.js';
import type { StacExportResult, StacPublishResult, StacPublishTarget, StacSearchResult, StacTransactionInput, StacTransactionResult } from './stac-shapes.js';
import type { JobWorkerTasks, WorkersStatus } from './worker-shapes.js';
import type { PlanReport } from './plan-shapes.js';

import type { AppInfo, CatalogDataset, CrsMatch, EsriService, SavedSettings, Settings, StorageStatus, TileCacheSummary } from './data-shapes.js';
import type {
  BulkResult,
  HealthCheck,
  JobEstimate,
  JobEvent,
  JobItem,
  JobProgress,
  JobSummary,
  Page,
  QueueState,
  ReportFile,
  ReportFormat,
  TileIssue,
} from './job-shapes.js';

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
     * Matches names, params (datasets, paths) and error messages of the job and its items; one or
     * two characters (too few for the trigram index) match the start of the name. No NUL:
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
    /** Plan sources kept reconciled while the engine runs, besides `--plans`: folders or git URLs (checked by the engine). */
    planSources: z
      .array(
        z
          .string()
          .trim()
          .min(1, 'source is empty')
          .max(4096)
          .regex(/^(\/|[A-Za-z]:[\\/]|\\\\|(https?|ssh|git|file):\/\/|[\w.-]+@[\w.-]+:)/, 'must be an absolute folder path or a git URL'),
      )
      .max(50),
    /** BullMQ on Redis for raster, vector-partition and verify tasks (scale-out); null: the engine's own threads. In effect when saved (jobs started afterwards); its password is sealed and shown as •••. */
    queue: z
      .string()
      .trim()
      .max(2048)
      .regex(/^rediss?:\/\/[^/\s]+(\/\d{1,2})?$/, 'must be redis://HOST:PORT/DB (rediss:// for TLS)')
      .nullable(),
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

/** A STAC collection or item id as a path segment carries it. */
const StacId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/?#]+$/, 'no "/", "?" or "#" in an id');

/** The root of a remote STAC API: http(s), no credentials in it (a token goes in its own field). Regex, not URL: shared/ has no URL. */
const StacApiUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^/?#\s]+(?:[/?#]\S*)?$/i, 'url must be an http or https address')
  .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'url must not hold credentials: give a token instead');

/**
 * A STAC search's bbox: west, south, east, north in degrees. Unlike a job's Bbox, west may exceed
 * east: the box crosses the antimeridian, as STAC allows.
 */
const StacBbox = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .refine((b) => b[1] <= b[3], { message: 'south must not be above north', path: [1] });

/** A plan source: a folder of plan files as an absolute path (the CLI resolves a relative one), or a git repository `URL#branch:folder`. */
const PlanSourceInput = z
  .object({
    source: z
      .string()
      .trim()
      .min(1, 'source is empty')
      .max(4096)
      .refine(
        (p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^(https?|ssh|git|file):\/\//.test(p) || /^[\w.-]+@[\w.-]+:/.test(p),
        'source must be an absolute folder path or a git repository URL (URL#branch:folder)',
      ),
  })
  .strict();

/** A cache's path on the engine's machine: absolute (the CLI resolves a relative one). */
const cachePath = z
  .string()
  .trim()
  .min(1, 'path is empty')
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'path must be absolute');

export const requests = {
  'app.info': request<NoInput, AppInfo>(NoInput),
  'app.health': request<NoInput, HealthCheck[]>(NoInput),
  /** The task queue (scale-out) and its workers' heartbeats; no queue: `queue` null, no workers. */
  'workers.list': request<NoInput, WorkersStatus>(NoInput),
  'jobs.list': request<z.ZodType<{ filter?: JobFilter; cursor?: string; limit: number }>, Page<JobSummary>>(
    z.object({ filter: JobFilter.optional(), cursor: cursor.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  'jobs.get': request<z.ZodType<{ id: number }>, JobSummary>(z.object({ id }).strict()),
  /** The job's tasks per `tessera worker` (through a task queue); none: its tasks ran in the engine's threads. */
  'jobs.workers': request<z.ZodType<{ id: number }>, JobWorkerTasks[]>(z.object({ id }).strict()),
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
  /**
   * Re-queues what did not succeed: the failed items of a partial job, the rest of an interrupted one.
   * `params` changes some params first (those the kind's `retryParams` names, checked by its schema):
   * "Retry with CRS…" gives an ingest `{ assignCrs: 'EPSG:2263' }`.
   */
  'jobs.retry': request<z.ZodType<{ ids: number[]; params?: Record<string, unknown> }>, BulkResult>(
    z.object({ ids, params: z.record(z.string().max(100), z.unknown()).optional() }).strict(),
  ),
  /** Coordinate reference systems of the proj database GDAL uses, by code ("2263", "EPSG:4326") or name words. */
  'crs.search': request<z.ZodType<{ query: string; limit: number }>, CrsMatch[]>(
    z.object({ query: z.string().trim().min(1, 'type a code or a name').max(200), limit: z.number().int().min(1).max(100).default(20) }).strict(),
  ),
  /** A new job with the same kind, params and priority. */
  'jobs.rerun': request<z.ZodType<{ id: number }>, JobSummary>(z.object({ id }).strict()),
  'jobs.report': request<z.ZodType<{ id: number; format: ReportFormat }>, ReportFile>(
    z.object({ id, format: z.enum(['json', 'csv', 'html', 'pdf']) }).strict(),
  ),
  /** Opens a tile cache for the map preview (MBTiles, PMTiles or a z/x/y directory). */
  'caches.open': request<z.ZodType<{ path: string }>, TileCacheSummary>(z.object({ path: z.string().trim().min(1, 'path is empty').max(4096) }).strict()),
  /** Every tile cache jobs made, checked or truncated (still on disk) and those added by hand, each read from the cache itself. */
  'caches.list': request<NoInput, CacheEntry[]>(NoInput),
  /** Lists a tile cache by hand; refused (BAD_INPUT) when no readable cache is there. */
  'caches.add': request<z.ZodType<{ path: string }>, CacheEntry>(z.object({ path: cachePath }).strict()),
  /** Takes a cache off the list; nothing on disk changes (a job's cache returns when a newer job names it). */
  'caches.remove': request<z.ZodType<{ path: string }>, { path: string }>(z.object({ path: cachePath }).strict()),
  /**
   * Deletes a listed cache from disk: its file (and SQLite's side files) or its tile folder, nothing
   * else. Refused for a path that is not a listed, readable cache, a folder holding other files,
   * and a cache a queued or running job uses.
   */
  'caches.delete': request<z.ZodType<{ path: string }>, { path: string; freedBytes: number }>(z.object({ path: cachePath }).strict()),
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
  /**
   * Opens a vector dataset's tiles for the map (cut on demand from its GeoPackage, main/catalog/dataset-tiles.ts):
   * a summary like `caches.open`'s, whose tile URLs carry an id, never the path.
   */
  'catalog.previewTiles': request<z.ZodType<{ id: number }>, TileCacheSummary>(z.object({ id }).strict()),
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
  'settings.update': request<typeof SettingsPatch, SavedSettings>(SettingsPatch),
  /** The plan sources the engine keeps reconciled while it runs (`tessera serve --plans`). */
  'plans.sources': request<NoInput, string[]>(NoInput),
  /** What a reconcile of a folder of plan files would do: each plan's sync state, its action and why; the files that are not valid plans. */
  'plans.check': request<typeof PlanSourceInput, PlanReport>(PlanSourceInput),
  /** Reconciles a folder of plan files: starts the jobs of new and changed plans, records the ones that left. One reconcile per folder at a time. */
  'plans.apply': request<typeof PlanSourceInput, PlanReport>(PlanSourceInput),
  /** A job written as a plan file that starts it again ("Save as plan"): its name and YAML text. Refused for ingests of uploaded files. */
  'plans.fromJob': request<z.ZodType<{ id: number }>, { fileName: string; yaml: string }>(z.object({ id }).strict()),
  /** The plan file of a job not started yet ("Save as plan" on the preseed form): the same file plans.fromJob writes once it ran. */
  'plans.fromInput': request<typeof JobStartInput, { fileName: string; yaml: string }>(JobStartInput),
  /** Writes a plan file into one of the folder plan sources kept reconciled (never over a file); the plan sync then applies it. */
  'plans.save': request<z.ZodType<{ source: string; fileName: string; yaml: string }>, { path: string }>(
    z
      .object({
        source: PlanSourceInput.shape.source,
        fileName: z.string().min(1).max(200),
        yaml: z
          .string()
          .min(1)
          .max(1024 * 1024),
      })
      .strict(),
  ),
  /** STAC item search over the datasets and caches Tessera holds (the STAC API's /search, /collections/…/items). */
  'stac.search': request<
    z.ZodType<{ collections?: string[]; ids?: string[]; bbox?: [number, number, number, number]; datetime?: string; limit: number; cursor?: string }>,
    StacSearchResult
  >(
    z
      .object({
        collections: z.array(z.string().max(100)).max(20).optional(),
        ids: z.array(z.string().max(200)).max(1000).optional(),
        bbox: StacBbox.optional(),
        datetime: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(1000).default(10),
        cursor: z.string().max(200).optional(),
      })
      .strict(),
  ),
  /** Writes a static STAC catalogue of the catalogue's datasets and the preseeded tile caches into a folder (replacing an earlier export). */
  'stac.export': request<z.ZodType<{ directory: string; checksums?: boolean }>, StacExportResult>(
    z
      .object({
        directory: z
          .string()
          .trim()
          .min(1, 'directory is empty')
          .max(4096)
          .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'directory must be an absolute path'),
        checksums: z.boolean().optional(),
      })
      .strict(),
  ),
  /** The STAC Transactions extension (the host's POST/PUT/DELETE under /stac): a collection or item received from another server, kept beside what this Tessera holds. */
  'stac.transaction': request<z.ZodType<StacTransactionInput>, StacTransactionResult>(
    z
      .object({
        target: z.enum(['collection', 'item']),
        action: z.enum(['create', 'update', 'delete']),
        collection: StacId.optional(),
        item: StacId.optional(),
        body: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  ),
  /** Publishes what this Tessera holds to a remote STAC API with the Transactions extension, once (`tessera stac publish URL`). */
  'stac.publish': request<z.ZodType<{ url: string; token?: string }>, StacPublishResult>(
    z.object({ url: StacApiUrl, token: z.string().min(1).max(4096).optional() }).strict(),
  ),
  /** The remote STAC API the publish service keeps up to date, or null when publishing is off. */
  'stac.publishTarget': request<NoInput, StacPublishTarget | null>(NoInput),
  /** Sets (the token sealed as a credential; none given for the same URL keeps the stored one) or clears (url null) the publish service's remote STAC API; in effect at once. */
  'stac.setPublishTarget': request<z.ZodType<{ url: string | null; token?: string }>, StacPublishTarget | null>(
    z.object({ url: StacApiUrl.nullable(), token: z.string().min(1).max(4096).optional() }).strict(),
  ),
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
  /**
   * The engine process's life, from its supervisor (main/engine-process/): it crashed and is
   * restarting, it is running again (everything shown may have changed), or it stopped restarting.
   */
  'engine.state': EngineState;
}
export type EventName = keyof Events;
export const EVENT_NAMES: readonly EventName[] = ['job.changed', 'job.progress', 'job.event', 'queue.changed', 'catalog.changed', 'engine.state'];

/** The engine process as its supervisor sees it; also the `engine` health check after a crash. */
export interface EngineState {
  state: 'running' | 'restarting' | 'stopped';
  /** Why, for people: "the engine process exited (signal SIGKILL); restarting in 0.5 s (attempt 1 of 5)". */
  message: string;
  /** Restarts after crashes since the host started. */
  restarts: number;
}

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
