/**
 * The plug-in shape of a job kind: a params schema (in the contract), a planner that splits a job
 * into items, and an item runner that splits an item into worker tasks. The engine owns states,
 * retries, cancellation and progress; a kind only does its own work and reports it.
 */
import type { JobKind, TileIssue } from '../../../preload/contract.js';
import type { Counters, NewItem, StoredItem } from '../../store/job-store.js';
import type { Logger } from '../logger.js';
import type { WorkerPool } from '../worker-pool.js';

export interface ItemContext {
  /** Fires on cancel; pass it to every pool task and check it between batches. */
  signal: AbortSignal;
  pool: WorkerPool;
  logger: Logger;
  /** Adds to the item's and job's counters (throttled announcements). */
  progress(delta: Partial<Counters>): void;
  /**
   * Saves the item's counters with a checkpoint. A retry or resume of the item gets it back as
   * `item.checkpoint`, so work before it is never redone. Only checkpoint work that is finished.
   */
  checkpoint(checkpoint: Record<string, unknown>): void;
  recordIssues(issues: readonly Omit<TileIssue, 'itemId'>[]): void;
  /** A line in the job's event log. */
  event(type: string, message: string, data?: Record<string, unknown>): void;
  /** Tiles or bytes produced, for metrics. */
  count(metric: 'tilesProcessed' | 'tilesWritten' | 'bytesWritten', n: number): void;
}

export interface JobKindPlugin<P> {
  kind: JobKind;
  /** A default job name from the params (e.g. the cache's file name). */
  describe(params: P): string;
  /** Checks that need I/O before the job is accepted; throws BAD_INPUT naming the field. */
  validate?(params: P): Promise<void>;
  /** Splits the job into items. An empty plan fails the job with NO_ITEMS: nothing is never "done". */
  plan(params: P, signal: AbortSignal): Promise<NewItem[]>;
  /**
   * Runs one item (resuming from `item.checkpoint` when set) and returns its result. Throw to fail
   * it: a transient TesseraError is retried with backoff, anything else fails the item at once.
   */
  runItem(params: P, item: StoredItem, context: ItemContext): Promise<Record<string, unknown>>;
  /** Items of one job run at once (the pool is shared, so this mainly keeps it fed). */
  itemConcurrency?: number;
}
