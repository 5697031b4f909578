/**
 * How an engine is opened (hosts, the CLI and tests choose these), its default settings, and where
 * its worker module is.
 */
import { fileURLToPath } from 'node:url';
import type { AppInfo, Settings } from '../../shared/contract.js';
import type { KindPlugins } from '../kinds/index.js';
import type { Logger } from '../logging/logger.js';
import type { PublishTarget } from '../stac/stac-publish.js';
import type { StacPublishingParts } from './stac-publishing.js';

export interface EngineOptions {
  dataDir: string;
  host: AppInfo['host'];
  /** What holds the data directory's lock, shown to a second engine that is refused. */
  holder?: string;
  logger?: Logger;
  /** CPU worker threads (default: the cores). */
  threads?: number;
  /** The pool's worker module; defaults to the compiled workers/pool-entry.js. */
  workerFile?: string;
  /** Max attempts per item for transient failures (first try included). */
  maxAttempts?: number;
  /** Backoff between attempts. */
  backoff?: { initialDelayMs: number; maxDelayMs: number };
  /** Interval of the disk check poll. */
  diskCheckIntervalMs?: number;
  /** Interval of the staging area's sweep (uploads no job needs, leftovers of stopped jobs). */
  stagingSweepIntervalMs?: number;
  version?: string;
  /** How long a dry run (jobs.estimate) may take before it is abandoned (TIMEOUT). */
  estimateTimeoutMs?: number;
  /**
   * The headless host listens beyond loopback: every path a request names must lie in a data root
   * (path-policy.ts), as when Settings list data roots.
   */
  exposed?: boolean;
  /**
   * Folders of plan files kept reconciled while the engine runs (`tessera serve --plans DIR`):
   * watched, polled every `planSyncIntervalMs` (30 s) and their schedules run (main/plans/plan-sync.ts).
   * The settings' planSources are kept reconciled too; these are for this run only.
   */
  planSources?: readonly string[];
  planSyncIntervalMs?: number;
  /** `tessera serve --stac-publish URL`: keep this STAC API up to date while the engine runs (main/stac/stac-publish-service.ts). */
  stacPublish?: PublishTarget;
  /** Tests shorten the publish service's poll, retries and breaker, and fix its collection prefix. */
  stacPublishTuning?: StacPublishingParts['tuning'];
  /**
   * The process the data directory's lock names, when not this one: the supervisor of an engine
   * process (main/engine-process/). A lock it names is its own (left by the engine process that
   * crashed), taken over by the restarted one; while it lives, no other Tessera takes the directory.
   */
  lockOwnerPid?: number;
  /** Re-queue at once the jobs crash recovery finds running (a restart after the engine process crashed), instead of leaving them interrupted. */
  resumeRecovered?: boolean;
  /** A task queue (redis://HOST:PORT/DB) for raster, vector and verify tasks, over the queue setting (main/queue/). */
  queue?: string;
  /**
   * Where jobs put their working files (a vector preseed's partition files; default DATA_DIR/tmp).
   * With a task queue, `tessera worker`s on other machines read them by this path: put it on
   * storage they mount at the same path (`--spill-dir`, docs/scale-out.md).
   */
  spillDir?: string;
  /** Replaces kinds' plug-ins (tests drive the engine with kinds whose behaviour they control). */
  plugins?: Partial<KindPlugins>;
}

/** Settings before the user changes any (Settings › Reset goes back to these). */
export const DEFAULT_SETTINGS: Settings = {
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: true,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 512 * 1024 * 1024,
  ingestJobQuotaBytes: null,
  dataRoots: [],
  allowGdalVirtualPaths: false,
  planSources: [],
};

/** The compiled worker module next to this file in dist/. */
export function defaultWorkerFile(): string {
  return fileURLToPath(new URL('../../workers/pool-entry.js', import.meta.url));
}
