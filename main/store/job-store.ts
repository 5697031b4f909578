/**
 * The durable job store: jobs, their items, the append-only event log and tile issues.
 *
 * Short synchronous statements, prepared once. Every state change goes through job-states.ts
 * inside a transaction that re-reads the current state, so a concurrent writer can never make an
 * illegal transition look legal. History is never capped: it pages by keyset, newest first.
 *
 * JobStore is the one class callers use. It keeps the jobs themselves (creation, transitions,
 * start-up recovery, retry, purge) and settings, and hands the rest to its parts: items
 * (job-items.ts), the event log and tile issues (job-event-log.ts) and the history pages
 * (job-history.ts), which share its connection, statements (job-statements.ts) and clock.
 */
import type { ItemState, JobEvent, JobFilter, JobItem, JobKind, JobParams, JobState, JobSummary, Page, TileIssue } from '../../shared/contract.js';
import { type SerializedError, TesseraError } from '../../shared/errors.js';
import type { Db } from './database.js';
import { JobEventLog } from './job-event-log.js';
import { JobHistory } from './job-history.js';
import { JobItems } from './job-items.js';
import type { jobPageQuery } from './job-query.js';
import { type Counters, type ItemRow, type JobRow, type NewItem, type NewJob, type StoredItem, errorOf, jobSummaries } from './job-rows.js';
import { assertJobTransition } from './job-states.js';
import { type JobStatements, prepareJobStatements } from './job-statements.js';

export { type Counters, type NewItem, type NewJob, type StoredItem, kindedParams } from './job-rows.js';

type Clock = () => Date;

export class JobStore {
  private readonly db: Db;
  private readonly now: Clock;
  private readonly stmt: JobStatements;
  private readonly log: JobEventLog;
  private readonly items: JobItems;
  private readonly history: JobHistory;

  constructor(db: Db, options: { clock?: Clock } = {}) {
    this.db = db;
    this.now = options.clock ?? (() => new Date());
    this.stmt = prepareJobStatements(db);
    const timestamp = () => this.timestamp();
    this.log = new JobEventLog(db, this.stmt, timestamp);
    this.items = new JobItems(db, this.stmt, timestamp, this.log);
    this.history = new JobHistory(db, this.stmt);
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  // ------------------------------------------------------------------------------------------
  // Jobs

  createJob(job: NewJob): JobSummary {
    const at = this.timestamp();
    const id = this.db.transaction(() => {
      const info = this.stmt.insertJob.run({
        kind: job.kind,
        name: job.name,
        state: 'queued',
        priority: job.priority,
        params: JSON.stringify(job.params),
        at,
        search: `${job.name} ${JSON.stringify(job.params)}`.toLowerCase(),
      });
      const jobId = Number(info.lastInsertRowid);
      this.log.insert(jobId, 'created', `${job.kind} job created`, { params: job.params });
      return jobId;
    })();
    return this.getJob(id);
  }

  /** The job, or NOT_FOUND. */
  getJob(id: number): JobSummary {
    const row = this.stmt.getJob.get(id) as JobRow | undefined;
    if (!row) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`, { details: { id } });
    return jobSummaries(this.db, [row])[0]!;
  }

  jobExists(id: number): boolean {
    return this.stmt.getJob.get(id) !== undefined;
  }

  /** Whether the planner already split the job into items. */
  isPlanned(id: number): boolean {
    return (this.stmt.getJob.get(id) as JobRow).planned === 1;
  }

  /**
   * Moves a job to `to` if that is legal from its current state, in one transaction.
   * `error` is kept on the job (and searchable); `startedAt`/`finishedAt` follow the state.
   */
  transitionJob(id: number, to: JobState, options: { error?: SerializedError | null; message?: string; runEndedAt?: string } = {}): JobSummary {
    this.db.transaction(() => {
      const row = this.stmt.getJob.get(id) as JobRow | undefined;
      if (!row) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`, { details: { id } });
      assertJobTransition(id, row.state, to);
      const at = this.timestamp();
      const finished = to === 'succeeded' || to === 'partial' || to === 'failed' || to === 'cancelled' || to === 'interrupted';
      const error = options.error === undefined ? (to === 'queued' ? null : errorOf(row)) : options.error;
      // Run time: a run begins when the job starts running and ends when it stops (cancelling
      // is still running); the sum over runs is the job's run time.
      const runs = (s: JobState) => s === 'running' || s === 'cancelling';
      let runMs = row.run_ms;
      let runStartedAt = row.run_started_at;
      if (!runs(row.state) && runs(to)) runStartedAt = at;
      if (runs(row.state) && !runs(to)) {
        const end = options.runEndedAt ?? at;
        if (runStartedAt !== null) runMs += Math.max(0, Date.parse(end) - Date.parse(runStartedAt));
        runStartedAt = null;
      }
      const changed = this.stmt.setJobState.run({
        id,
        from: row.state,
        to,
        at,
        started: to === 'running' ? (row.started_at ?? at) : row.started_at,
        finished: finished ? at : null,
        runMs,
        runStartedAt,
        code: error?.code ?? null,
        message: error?.message ?? null,
        details: error?.details === undefined ? null : JSON.stringify(error.details),
      });
      if (changed.changes !== 1) throw new TesseraError('ILLEGAL_TRANSITION', `job ${id} changed state concurrently`);
      if (error && error !== errorOf(row)) this.stmt.appendSearch.run({ id, text: ` ${error.message}`.toLowerCase() });
      this.log.insert(id, `state.${to}`, options.message ?? `${row.state} → ${to}`, error ? { error } : null);
    })();
    return this.getJob(id);
  }

  /** Persists a job's aggregate counters (the engine calls this on a timer, not per tile). */
  saveJobCounters(id: number, counters: Counters): void {
    this.stmt.setJobCounters.run({ id, ...counters, at: this.timestamp() });
  }

  /** Sets a job's counters to the sum of its items' (each item's are saved with its outcome). */
  recountJob(id: number): void {
    this.stmt.jobCountersFromItems.run({ id, at: this.timestamp() });
  }

  /**
   * Newest first, by keyset: the cursor is the id of the last row of the previous page, so rows
   * added meanwhile (which get larger ids) neither repeat nor shift the pages that follow (job-history.ts).
   */
  listJobs(filter: JobFilter = {}, cursor?: string, limit = 100): Page<JobSummary> {
    return this.history.listJobs(filter, cursor, limit);
  }

  /** The SELECT listJobs runs for this page, and the index that drives it (for plan tests and the bench). */
  pageQuery(filter: JobFilter, lastId: number | undefined, limit: number): ReturnType<typeof jobPageQuery> {
    return this.history.pageQuery(filter, lastId, limit);
  }

  /** Queued jobs in the order the scheduler should start them: priority, then age. */
  queuedJobs(): { id: number; kind: JobKind }[] {
    return this.stmt.queued.all() as { id: number; kind: JobKind }[];
  }

  countByState(): Partial<Record<JobState, number>> {
    const rows = this.stmt.countByState.all() as { state: JobState; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /** Start-up recovery: jobs that were running or cancelling when the last process died. */
  markInterrupted(): number[] {
    return this.recoverInterrupted().map((r) => r.id);
  }

  /** markInterrupted, saying which state each job was found in (a job being cancelled is not resumed after a crash). */
  recoverInterrupted(): { id: number; was: 'running' | 'cancelling' }[] {
    return this.db.transaction(() => {
      const found = this.stmt.active.all() as { id: number; state: 'running' | 'cancelling' }[];
      for (const { id } of found) {
        this.interruptItems(id, 'attempt cut short by a restart');
        // Its run ended when the dead process last saved it (counters are saved on a timer), not
        // now: the time the engine was down is not run time.
        const lastSaved = (this.stmt.getJob.get(id) as JobRow).updated_at;
        // The job's counters are saved on a timer and the items' with each checkpoint, so after a
        // crash the items are the truth: the job resumes from their sum, not from a stale total.
        this.stmt.jobCountersFromItems.run({ id, at: this.timestamp() });
        this.transitionJob(id, 'interrupted', {
          message: 'found running at start-up: the previous process stopped without finishing it',
          runEndedAt: lastSaved,
        });
      }
      return found.map((r) => ({ id: r.id, was: r.state }));
    })();
  }

  /**
   * The unfinished items of a job being interrupted read as it does: running ones (their attempt
   * cut short) and queued ones (never started) become `interrupted`, which its resume re-queues.
   */
  interruptItems(id: number, message: string): void {
    for (const state of ['running', 'queued'] as const)
      for (const item of this.stmt.itemsInState.all({ id, state }) as ItemRow[])
        this.transitionItem(item.id, 'interrupted', {
          message: state === 'running' ? `${item.label}: ${message}` : `${item.label}: not started; its job was interrupted`,
        });
  }

  /**
   * Re-queues a finished job for another try: its failed and cancelled items go back to queued
   * (with their attempts and last error kept); succeeded items stay done.
   */
  requeue(id: number, change?: { params: JobParams; message: string; patch: Record<string, unknown> }): JobSummary {
    this.db.transaction(() => {
      const job = this.getJob(id);
      assertJobTransition(id, job.state, 'queued');
      // New params (a CRS given for the retry) land with the re-queue or not at all.
      if (change) {
        this.stmt.setParams.run({ id, params: JSON.stringify(change.params), text: ` ${JSON.stringify(change.patch).toLowerCase()}`, at: this.timestamp() });
        this.log.insert(id, 'params.changed', change.message, { patch: change.patch });
      }
      for (const item of this.stmt.itemsOf.all(id) as ItemRow[]) {
        // A finished job holds no running item, unless an older engine could not record an
        // item's outcome (a full disk): that attempt never ended, so it runs again too.
        if (item.state === 'failed' || item.state === 'cancelled' || item.state === 'interrupted' || item.state === 'running')
          this.transitionItem(item.id, 'queued', { message: 're-queued for retry', keepError: true });
      }
      this.transitionJob(id, 'queued', { error: null, message: `${job.state} → queued (retry)` });
    })();
    return this.getJob(id);
  }

  /** Deletes finished jobs created before `before`; returns how many. */
  purgeFinishedBefore(before: Date): number {
    return this.stmt.purge.run({ before: before.toISOString() }).changes;
  }

  // ------------------------------------------------------------------------------------------
  // Items (job-items.ts)

  /** Records the planner's items and marks the job planned, atomically. */
  addItems(jobId: number, items: readonly NewItem[]): void {
    this.items.addItems(jobId, items);
  }

  getItem(id: number): StoredItem {
    return this.items.getItem(id);
  }

  /** Items of a job in planning order, optionally only some states, by keyset on ordinal. */
  listItems(jobId: number, options: { states?: readonly ItemState[]; cursor?: string; limit?: number } = {}): Page<JobItem> {
    return this.items.listItems(jobId, options);
  }

  /** Every item of a job, in order, with specs and results (a job's items are its datasets: few). */
  allItems(jobId: number): StoredItem[] {
    return this.items.allItems(jobId);
  }

  /** The items the engine still has to run, in order. */
  itemsInState(jobId: number, state: ItemState): StoredItem[] {
    return this.items.itemsInState(jobId, state);
  }

  runnableItems(jobId: number): StoredItem[] {
    return this.items.runnableItems(jobId);
  }

  transitionItem(
    id: number,
    to: ItemState,
    options: { error?: SerializedError; result?: Record<string, unknown>; message?: string; keepError?: boolean } = {},
  ): StoredItem {
    return this.items.transitionItem(id, to, options);
  }

  /** Records a failed attempt that will be retried: the item stays running, the error is kept. */
  recordAttemptError(id: number, error: SerializedError, retryInMs: number): void {
    this.items.recordAttemptError(id, error, retryInMs);
  }

  /** Saves an item's counters and, with them, the checkpoint that resuming starts from. */
  saveItemProgress(id: number, counters: Counters, checkpoint?: object): void {
    this.items.saveItemProgress(id, counters, checkpoint);
  }

  // ------------------------------------------------------------------------------------------
  // Events and tile issues (job-event-log.ts)

  appendEvent(jobId: number, type: string, message: string, data: Record<string, unknown> | null = null): JobEvent {
    return this.log.append(jobId, type, message, data);
  }

  /** The job's event log after `afterId`, oldest first. */
  events(jobId: number, afterId = 0, limit = 200): JobEvent[] {
    return this.log.events(jobId, afterId, limit);
  }

  lastEventOfType(jobId: number, type: string): JobEvent | null {
    return this.log.lastOfType(jobId, type);
  }

  lastEventId(): number {
    return this.log.lastEventId();
  }

  /** Newest events across all jobs after `afterId` (hosts use it to forward the log live). */
  eventsSince(afterId: number, limit = 500): JobEvent[] {
    return this.log.eventsSince(afterId, limit);
  }

  /** Keeps tile issues; a tile seen again on resume is not counted twice. */
  recordTileIssues(jobId: number, issues: readonly TileIssue[]): void {
    this.log.recordTileIssues(jobId, issues);
  }

  tileIssues(jobId: number, cursor?: string, limit = 500): Page<TileIssue> {
    return this.log.tileIssues(jobId, cursor, limit);
  }

  // ------------------------------------------------------------------------------------------
  // Settings

  getSetting<T>(key: string): T | undefined {
    const row = this.stmt.getSetting.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    this.stmt.setSetting.run({ key, value: JSON.stringify(value) });
  }
}
