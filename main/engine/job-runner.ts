/**
 * Runs one job: plans it (once), lets its kind open what its items share, runs its items in lanes
 * with retries and backoff, checkpoints their progress, and records every outcome, waiting for room
 * when the store's or the output's volume is full rather than dropping an outcome. One AbortSignal
 * per job, from the cancel request down to the kind's worker loops.
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { JobKind, JobSummary, Settings, HealthCheck } from '../../shared/contract.js';
import { type SerializedError, TesseraError, isAbortError, isDiskFull, serializeError, toTesseraError } from '../../shared/errors.js';
import type { Counters, JobStore, StoredItem } from '../store/job-store.js';
import { finalJobState } from '../store/job-states.js';
import type { ItemContext, KindEnvironment } from '../kinds/job-kind.js';
import type { BoundKind } from '../kinds/index.js';
import type { Logger } from '../logging/logger.js';
import type { TaskPool } from '../pool/task-pool.js';
import { waitForSpace } from '../disk/disk-guard.js';
import type { EngineMetrics } from './metrics.js';
import { type ProgressTracker, addCounters } from './progress-tracker.js';

/** Room the job store needs to commit (WAL frames, a checkpoint): waited for even with a floor of 0. */
const STORE_HEADROOM_BYTES = 8 * 1024 * 1024;
/** How often, and how long each time, an outcome is tried again on a full store volume. */
const SETTLE_ATTEMPTS = 4;
const SETTLE_WAIT_MS = 15_000;

/** A job the engine is running. */
export interface ActiveJob {
  id: number;
  kind: JobKind;
  controller: AbortController;
  tracker: ProgressTracker;
  done: Promise<void>;
  /** What the job writes (a preseed's output): a full volume there is waited out like the store's. */
  outputs: readonly string[];
  /** What the kind's `begin` made for this run (e.g. its output writer). */
  session?: unknown;
  /** The pool it started on: kept to its end, even when Settings › Task queue changes meanwhile. */
  pool?: TaskPool;
  /** Stopped because Tessera shuts down (Engine.close), not cancelled: it ends interrupted, resumable. */
  shutdown?: boolean;
}

/** What the runner needs of the engine. */
export interface RunnerDeps {
  store: JobStore;
  dataDir: string;
  logger: Logger;
  metrics: EngineMetrics;
  settings(): Settings;
  /** The kind's environment; with the run, its pool is the one the job started on. */
  environment(run?: ActiveJob): KindEnvironment;
  kindOf(job: JobSummary): BoundKind;
  /** Emits the job's summary and new event-log lines. */
  announce(jobId: number): void;
  flushEvents(): void;
  setHealth(name: string, state: HealthCheck['state'], message: string): void;
  /** Attempts per item for transient failures (the first included), and the backoff between them. */
  maxAttempts: number;
  backoff: { initialDelayMs: number; maxDelayMs: number };
}

export class JobRunner {
  private readonly deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  private get store(): JobStore {
    return this.deps.store;
  }

  private get logger(): Logger {
    return this.deps.logger;
  }

  private get metrics(): EngineMetrics {
    return this.deps.metrics;
  }

  private get dataDir(): string {
    return this.deps.dataDir;
  }

  async run(run: ActiveJob): Promise<void> {
    const { id, controller, tracker } = run;
    const signal = controller.signal;
    const job = this.store.getJob(id);
    const kind = this.deps.kindOf(job);
    let failure: TesseraError | null = null;
    let began = false;
    // A timed save that fails (a full disk: SQLITE_FULL) must not take the process down from a
    // timer; the items' checkpoints stay the truth and the next save or recovery catches up.
    let saveFailing = false;
    const persist = setInterval(() => {
      try {
        this.store.saveJobCounters(id, tracker.current);
        if (saveFailing) this.logger.info(`job ${id}: its counters are saved again`);
        saveFailing = false;
      } catch (error) {
        // Once per streak: a full volume would otherwise write this line every second.
        if (!saveFailing) this.logger.warn(`job ${id}: could not save its counters (retried every second, said once): ${toTesseraError(error).message}`);
        saveFailing = true;
      }
    }, 1000);
    try {
      if (!this.store.isPlanned(id)) {
        const items = await kind.plan(signal, this.deps.environment(run));
        if (items.length === 0) throw new TesseraError('NO_ITEMS', 'the job has nothing to do: its plan is empty');
        this.store.addItems(id, items);
        tracker.add({ total: items.reduce((n, i) => n + (i.total ?? 0), 0) });
        this.deps.announce(id);
      }
      const queue = this.store.runnableItems(id);
      run.session = await kind.begin(this.deps.environment(run), signal);
      began = true;
      const lanes = Array.from({ length: kind.itemConcurrency }, async () => {
        for (let item = queue.shift(); item && !signal.aborted; item = queue.shift()) await this.runItem(run, kind, item);
      });
      await Promise.all(lanes);
    } catch (error) {
      if (!signal.aborted && !isAbortError(error)) {
        failure = toTesseraError(error);
        this.logger.warn(`job ${id} failed: ${failure.message}`, { code: failure.code });
      }
    } finally {
      clearInterval(persist);
    }
    if (began) {
      try {
        await kind.end(run.session, { cancelled: signal.aborted, items: this.store.allItems(id) }, this.deps.environment(run));
      } catch (error) {
        if (!signal.aborted && !isAbortError(error)) {
          failure ??= toTesseraError(error);
          this.logger.warn(`job ${id}: completing its output failed: ${failure.message}`, { code: failure.code });
        }
      }
    }
    try {
      await this.finishJob(run, failure);
    } catch (error) {
      // The store could not record the end (its volume stayed full). The job stays `running` in the
      // store, which start-up recovery turns into `interrupted` with its unfinished items queued:
      // nothing is claimed that was not done.
      run.tracker.stop();
      this.deps.setHealth('store', 'failed', `could not record the end of job ${id}: ${toTesseraError(error).message}`);
      this.logger.error(`job ${id}: could not record its end: ${String(error)}`);
    }
  }

  private async finishJob(run: ActiveJob, failure: TesseraError | null): Promise<void> {
    const { id, controller, tracker } = run;
    const aborted = controller.signal.aborted;
    tracker.stop();
    await this.settle(id, controller.signal, () => {
      // A shutdown while running (not a cancel) ends as a crash would, but cleanly: interrupted,
      // and so are its unfinished items, which `jobs resume` queues again.
      const shutdown = aborted && run.shutdown === true && this.store.getJob(id).state === 'running';
      if (shutdown) this.store.interruptItems(id, 'attempt cut short by the shutdown');
      else if (aborted) this.cancelQueuedItems(id);
      // An item still `running` here is one whose outcome could not be recorded (a full store
      // volume): its attempt was cut short, so it goes back to the queue for the next retry.
      for (const item of this.store.itemsInState(id, 'running'))
        this.store.transitionItem(item.id, aborted ? 'cancelled' : 'queued', {
          message: `${item.label}: attempt cut short, its outcome was not recorded`,
        });
      // Every item's counters are recorded with its outcome: the job's are their sum, by
      // construction, not the live tally (which a lost timed save or a cut attempt could skew).
      this.store.recountJob(id);
      const { items, state: current, progress } = this.store.getJob(id);
      tracker.set(progress);
      if (shutdown) {
        const summary = this.store.transitionJob(id, 'interrupted', {
          message: 'Tessera was shut down while the job ran (not a cancel): it stopped at its last checkpoint; resume it with jobs resume',
        });
        this.metrics.jobsFinished.inc({ kind: summary.kind, state: 'interrupted' });
        return;
      }
      const unfinished = items.queued + items.running;
      let error = failure;
      if (!error && !aborted && unfinished > 0) {
        error = new TesseraError('INTERNAL', `${unfinished} of ${items.total} item(s) did not run to their end; retry the job to run them`, {
          details: { unfinishedItems: unfinished },
        });
      }
      const final =
        current === 'cancelling' || aborted ? 'cancelled' : error ? (items.succeeded > 0 && !failure ? 'partial' : 'failed') : finalJobState(items, false);
      const summary = this.store.transitionJob(id, final, { error: final === 'cancelled' ? null : (error?.toJSON() ?? this.itemFailureSummary(id, items)) });
      this.metrics.jobsFinished.inc({ kind: summary.kind, state: final });
    });
    tracker.flush();
    this.deps.announce(id);
  }

  private async runItem(run: ActiveJob, kind: BoundKind, queued: StoredItem): Promise<void> {
    const { id: jobId, controller, tracker } = run;
    const signal = controller.signal;
    let item = this.store.transitionItem(queued.id, 'running');
    let counters: Counters = { done: item.done, total: item.total, failed: item.failed, bytes: item.bytes, skipped: item.skipped };
    this.deps.announce(jobId);
    let waitingFor: string | null = null;
    const context: ItemContext = {
      ...this.deps.environment(run),
      session: run.session,
      signal,
      waitForSpace: (path) =>
        waitForSpace(path, {
          signal,
          floorBytes: () => this.deps.settings().freeSpaceFloorBytes,
          onWait: (message, data) => {
            waitingFor = message;
            this.logger.warn(`job ${jobId}: ${message}`);
            context.event('waiting', `${item.label}: ${message}`, data);
          },
          onResume: (message) => {
            if (waitingFor !== null) context.event('resumed', `${item.label}: ${message}`);
            waitingFor = null;
          },
        }),
      progress: (delta) => {
        counters = addCounters(counters, delta);
        tracker.add(delta);
      },
      checkpoint: (checkpoint) => this.store.saveItemProgress(item.id, counters, checkpoint),
      recordIssues: (issues) =>
        this.store.recordTileIssues(
          jobId,
          issues.map((i) => ({ ...i, itemId: item.id })),
        ),
      event: (type, message, data) => {
        this.store.appendEvent(jobId, type, message, data ?? null);
        this.deps.flushEvents();
      },
      count: (metric, n) => this.metrics[metric].inc({ kind: run.kind }, n),
    };
    const policy = retry(
      handleWhen((error) => !isAbortError(error) && toTesseraError(error).transient),
      {
        maxAttempts: this.deps.maxAttempts - 1,
        backoff: new ExponentialBackoff({ initialDelay: this.deps.backoff.initialDelayMs, maxDelay: this.deps.backoff.maxDelayMs }),
      },
    );
    const onRetry = policy.onRetry((event) => {
      if (!('error' in event)) return;
      this.metrics.retries.inc({ kind: run.kind });
      try {
        this.store.recordAttemptError(item.id, serializeError(event.error), event.delay);
        this.deps.flushEvents();
      } catch (error) {
        // The store's own volume may be the full one: the retry goes on, unrecorded.
        this.logger.warn(`job ${jobId}: could not record a failed attempt of ${item.label}: ${String(error)}`);
      }
    });
    try {
      const result = await policy.execute(async () => {
        // An attempt resumes from the item's checkpoint, and so do its counters: what an earlier
        // attempt counted after that checkpoint is done again, so it is taken back (an item without
        // a checkpoint starts over from nothing). Else a retried item ends at more than its total.
        item = this.store.getItem(item.id);
        const start = item.startCounters;
        const back = {
          done: start.done - counters.done,
          failed: start.failed - counters.failed,
          bytes: start.bytes - counters.bytes,
          total: start.total - counters.total,
          skipped: start.skipped - counters.skipped,
        };
        if (back.done || back.failed || back.bytes || back.total || back.skipped) tracker.add(back);
        if (
          item.done !== start.done ||
          item.failed !== start.failed ||
          item.bytes !== start.bytes ||
          item.total !== start.total ||
          item.skipped !== start.skipped
        ) {
          this.store.saveItemProgress(item.id, start);
          item = this.store.getItem(item.id);
        }
        counters = { ...start };
        try {
          return await kind.runItem(item, context);
        } catch (error) {
          // A full volume (the store's SQLITE_FULL, an output's ENOSPC) is waited out like an output
          // below the floor, then the item resumes from its last checkpoint.
          // (A kind that decided a full disk is final, as ingest does for a copy that ran out of room,
          // throws it as not transient: that fails the item at once.)
          if (!signal.aborted && isDiskFull(error) && toTesseraError(error).transient) await this.waitForRoom(jobId, context, run.outputs);
          throw error;
        }
      }, signal);
      await this.settle(jobId, signal, () => {
        this.store.saveItemProgress(item.id, counters);
        this.store.transitionItem(item.id, 'succeeded', { result });
      });
    } catch (error) {
      await this.settle(jobId, signal, () => {
        this.store.saveItemProgress(item.id, counters);
        if ((signal.aborted || isAbortError(error)) && run.shutdown) {
          // Stopped by a shutdown: interrupted with its job, resumed from its checkpoint.
          this.store.transitionItem(item.id, 'interrupted', { message: `${item.label}: stopped by Tessera's shutdown` });
        } else if (signal.aborted || isAbortError(error)) {
          this.store.transitionItem(item.id, 'cancelled', { message: `${item.label}: cancelled` });
        } else {
          const e = toTesseraError(error);
          const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined;
          this.store.transitionItem(item.id, 'failed', { error: e.toJSON(), result: details });
        }
      });
    } finally {
      onRetry.dispose();
      try {
        this.deps.announce(jobId);
      } catch (error) {
        this.logger.warn(`job ${jobId}: could not announce its change: ${String(error)}`);
      }
    }
  }

  /**
   * Waits until the data directory's volume (the store writes checkpoints there) and the job's
   * output volume have room again: above the free-space floor and never less than STORE_HEADROOM,
   * since SQLite cannot commit into a volume with a few blocks left even when the floor is 0.
   */
  private async waitForRoom(jobId: number, context: ItemContext, outputs: readonly string[]): Promise<void> {
    const paths = [this.dataDir, ...outputs];
    for (const path of paths) {
      await waitForSpace(path, {
        signal: context.signal,
        floorBytes: () => Math.max(this.deps.settings().freeSpaceFloorBytes, STORE_HEADROOM_BYTES),
        onWait: (waiting, data) => {
          // The store's own need, when it is above the floor the user set, is said: a wait "below
          // the 8.0 MiB floor" with the floor set to 0 would read as a bug.
          const message =
            path === this.dataDir && data.floorBytes > this.deps.settings().freeSpaceFloorBytes
              ? `${waiting} (the job store needs that much room to record progress)`
              : waiting;
          this.logger.warn(`job ${jobId}: ${message}`);
          try {
            context.event('waiting', message, data);
          } catch {
            // the store's volume is the full one: the log line above says it
          }
        },
        onResume: (message) => {
          try {
            context.event('resumed', message);
          } catch {
            // as above
          }
        },
      });
    }
  }

  /**
   * Runs a store write that records an outcome (an item's or job's state). When the store's volume
   * is full it waits for room and tries again, so an outcome is never dropped while the work it
   * describes is done; a write that still fails is thrown, and the job ends without claiming
   * success (markInterrupted or the next retry puts its unfinished items back in the queue).
   */
  private async settle(jobId: number, signal: AbortSignal, write: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        write();
        return;
      } catch (error) {
        const e = toTesseraError(error);
        // A cancelled job tries once more only: its user asked it to stop, not to wait for a disk.
        if (!isDiskFull(e) || attempt >= (signal.aborted ? 2 : SETTLE_ATTEMPTS)) throw e;
        this.logger.warn(`job ${jobId}: the job store's volume is full; waiting for room to record an outcome`);
        const wait = signal.aborted ? AbortSignal.timeout(SETTLE_WAIT_MS / 5) : AbortSignal.any([signal, AbortSignal.timeout(SETTLE_WAIT_MS)]);
        await waitForSpace(this.dataDir, {
          signal: wait,
          floorBytes: () => STORE_HEADROOM_BYTES,
          onWait: (message) => this.logger.warn(`job ${jobId}: ${message}`),
        }).catch(() => {});
      }
    }
  }

  /** The job-level error of a job whose items failed: how many, and the first item's reason. */
  private itemFailureSummary(jobId: number, items: JobSummary['items']): SerializedError | null {
    if (items.failed === 0) return null;
    const first = this.store.listItems(jobId, { states: ['failed'], limit: 1 }).rows[0];
    return {
      code: first?.error?.code ?? 'INTERNAL',
      // An item's message names its file (and layer) already: it is not named twice.
      message: `${items.failed} of ${items.total} item(s) failed; first: ${first?.error?.message.startsWith(`${first.label}: `) ? first.error.message : `${first?.label}: ${first?.error?.message ?? 'unknown error'}`}`,
      details: { failedItems: items.failed },
    };
  }

  cancelQueuedItems(jobId: number): void {
    for (const item of this.store.runnableItems(jobId))
      this.store.transitionItem(item.id, 'cancelled', { message: `${item.label}: cancelled before it started` });
    // Those of an interrupted job (cancelled instead of resumed) end with it.
    for (const item of this.store.itemsInState(jobId, 'interrupted')) this.store.transitionItem(item.id, 'cancelled', { message: `${item.label}: cancelled` });
  }
}
