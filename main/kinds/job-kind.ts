/**
 * The plug-in shape of a job kind: its contract (params schema and facts, shared/kinds/), a planner
 * that splits a job into items, and an item runner that splits an item into worker tasks. The
 * engine owns states, retries, cancellation and progress; a kind only does its own work and
 * reports it.
 *
 * A plug-in is typed by its kind (which fixes its params), its items' spec, their checkpoint and
 * the session its `begin` makes: what it stores it gets back with the same types, with no cast.
 */
import type { ContractHandlers, JobEstimate, JobKind, JobParamsOf, Settings, TileIssue } from '../../shared/contract.js';
import type { Counters, NewItem, StoredItem } from '../store/job-store.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Logger } from '../logging/logger.js';
import type { TaskPool } from '../pool/task-pool.js';

/** What a kind may use outside one item: the engine's settings, data directory, pool and log. */
export interface KindEnvironment {
  settings(): Settings;
  dataDir: string;
  /** The local catalogue: ingest and migrations add datasets, preseeds read them. */
  catalog: Catalog;
  /** Secrets by id (Esri tokens); never copied into params, logs or reports. */
  credentials: CredentialStore;
  pool: TaskPool;
  logger: Logger;
  /**
   * Where a job's working files go (a vector preseed's partition files): `--spill-dir`, else
   * DATA_DIR/tmp. With a task queue, workers read them by this path: storage they all mount there.
   */
  spillDir?: string;
  /** How long a request a kind serves (a dry run, a service discovery) may take before it is abandoned. */
  requestTimeoutMs: number;
}

export interface ItemContext<Session = unknown, Checkpoint extends object = object> extends KindEnvironment {
  /** What the kind's `begin` made for this job (e.g. its output writer), shared by its items. */
  session: Session;
  /** Fires on cancel; pass it to every pool task and check it between batches. */
  signal: AbortSignal;
  pool: TaskPool;
  logger: Logger;
  /** Adds to the item's and job's counters (throttled announcements). */
  progress(delta: Partial<Counters>): void;
  /**
   * Saves the item's counters with a checkpoint. A retry or resume of the item gets it back as
   * `item.checkpoint`, so work before it is never redone. Only checkpoint work that is finished.
   */
  checkpoint(checkpoint: Checkpoint): void;
  recordIssues(issues: readonly Omit<TileIssue, 'itemId'>[]): void;
  /** A line in the job's event log. */
  event(type: string, message: string, data?: Record<string, unknown>): void;
  /**
   * Resolves when the volume holding `path` has more free space than the floor setting. Below the
   * floor it logs why the job waits (once), then polls until space returns or the job is cancelled
   * (rejects with AbortError). Call it before each batch of writes: a job waits, it never fills a disk.
   */
  waitForSpace(path: string): Promise<void>;
  /** Tiles or bytes produced, for metrics. */
  count(metric: 'tilesProcessed' | 'tilesWritten' | 'bytesWritten', n: number): void;
}

/**
 * A kind's plug-in. `Spec` is what `plan` stores per item and `runItem` gets back; `Checkpoint`
 * what an item saves and a retry resumes from; `Session` what `begin` makes for the job's items.
 */
export interface JobKindPlugin<K extends JobKind, Spec extends object = object, Checkpoint extends object = object, Session = undefined> {
  kind: K;
  /** A default job name from the params (e.g. the cache's file name). */
  describe(params: JobParamsOf<K>): string;
  /**
   * Checks that need I/O before the job is accepted: throws BAD_INPUT naming the field, or
   * QUOTA_EXCEEDED / DISK_FULL (with the numbers) when the job's estimate does not fit.
   */
  validate?(params: JobParamsOf<K>, env: KindEnvironment): Promise<void>;
  /**
   * The checks of `validate` that a retry's new params need (jobs.retry with `params`): only the
   * `changed` fields, since the rest was accepted when the job started and its inputs may since
   * have been consumed (staged uploads). Throws BAD_INPUT naming the field.
   */
  validateRetry?(params: JobParamsOf<K>, changed: readonly string[], env: KindEnvironment): Promise<void>;
  /** A dry run (jobs.estimate): tile counts over the real extent, a sampled size and time, the fit. */
  estimate?(params: JobParamsOf<K>, env: KindEnvironment, signal: AbortSignal): Promise<JobEstimate>;
  /** Splits the job into items. An empty plan fails the job with NO_ITEMS: nothing is never "done". */
  plan(params: JobParamsOf<K>, signal: AbortSignal, env: KindEnvironment): Promise<NewItem<Spec>[]>;
  /**
   * Makes what the job's items share (an output writer) before the first item runs, also when an
   * interrupted or retried job resumes. Throwing fails the job.
   */
  begin?(params: JobParamsOf<K>, env: KindEnvironment, signal: AbortSignal): Promise<Session>;
  /**
   * Always called after the last item, with `begin`'s session: completes the output from what
   * succeeded (metadata, a PMTiles archive) unless the job was cancelled, then releases it.
   * Throwing fails the job (its items keep their states).
   */
  end?(
    params: JobParamsOf<K>,
    session: Session,
    outcome: { cancelled: boolean; items: readonly StoredItem<Spec, Checkpoint>[] },
    env: KindEnvironment,
  ): Promise<void>;
  /**
   * Runs one item (resuming from `item.checkpoint` when set) and returns its result. Throw to fail
   * it: a transient TesseraError is retried with backoff, anything else fails the item at once.
   */
  runItem(params: JobParamsOf<K>, item: StoredItem<Spec, Checkpoint>, context: ItemContext<Session, Checkpoint>): Promise<Record<string, unknown>>;
  /**
   * A quota of the job's own (an ingest's per-job quota) and what it holds against it so far, while
   * it runs with `begin`'s session: storage.status shows it beside the data directory's quota.
   */
  jobQuota?(params: JobParamsOf<K>, session: Session | undefined): { limitBytes: number; usedBytes: number } | null;
  /** Items of one job run at once (the pool is shared, so this mainly keeps it fed). */
  itemConcurrency?: number;
  /**
   * Contract requests this kind serves itself (the Esri migration's service discovery), with the
   * engine's environment; the engine adds them to its handlers.
   */
  requests?(env: KindEnvironment): Partial<ContractHandlers>;
}

/** A plug-in as the engine holds it: its spec, checkpoint and session are the kind's own business. */
export type AnyJobKindPlugin<K extends JobKind = JobKind> = { [Kind in K]: JobKindPlugin<Kind, object, object, unknown> }[K];
