/**
 * The durable job store: jobs, their items, the append-only event log and tile issues.
 *
 * Short synchronous statements, prepared once. Every state change goes through job-states.ts
 * inside a transaction that re-reads the current state, so a concurrent writer can never make an
 * illegal transition look legal. History is never capped: it pages by keyset, newest first.
 */
import type { Statement } from 'better-sqlite3';
import {
  type ItemState,
  type JobEvent,
  type JobFilter,
  type JobItem,
  type JobKind,
  type JobParams,
  type KindedParams,
  type JobState,
  type JobSummary,
  type Page,
  type TileIssue,
} from '../../shared/contract.js';
import { type SerializedError, TesseraError } from '../../shared/errors.js';
import { assertItemTransition, assertJobTransition } from './job-states.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { jobPageQuery } from './job-query.js';
import type { Db } from './database.js';

export interface NewJob {
  kind: JobKind;
  name: string;
  params: JobParams;
  priority: number;
}

export interface NewItem<Spec extends object = object> {
  label: string;
  /** What the kind needs to run the item (e.g. the zoom level); opaque to the store (JSON). */
  spec: Spec;
  total?: number;
}

/** An item as the engine runs it: the public row plus its spec and checkpoint. */
export interface StoredItem<Spec extends object = object, Checkpoint extends object = object> extends JobItem {
  spec: Spec;
  checkpoint: Checkpoint | null;
}

export interface Counters {
  done: number;
  total: number;
  failed: number;
  bytes: number;
}

interface JobRow {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  priority: number;
  params: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  done: number;
  total: number;
  failed: number;
  bytes: number;
  planned: number;
  error_code: string | null;
  error_message: string | null;
  error_details: string | null;
}

interface ItemRow {
  id: number;
  job_id: number;
  ordinal: number;
  label: string;
  spec: string;
  state: ItemState;
  attempts: number;
  done: number;
  total: number;
  failed: number;
  bytes: number;
  error_code: string | null;
  error_message: string | null;
  error_details: string | null;
  checkpoint: string | null;
  result: string | null;
  started_at: string | null;
  finished_at: string | null;
}

type Clock = () => Date;

export class JobStore {
  private readonly db: Db;
  private readonly now: Clock;
  private readonly stmt: ReturnType<typeof prepare>;
  private readonly pageStatements = new Map<string, Statement>();

  constructor(db: Db, options: { clock?: Clock } = {}) {
    this.db = db;
    this.now = options.clock ?? (() => new Date());
    this.stmt = prepare(db);
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
      this.insertEvent(jobId, 'created', `${job.kind} job created`, { params: job.params });
      return jobId;
    })();
    return this.getJob(id);
  }

  /** The job, or NOT_FOUND. */
  getJob(id: number): JobSummary {
    const row = this.stmt.getJob.get(id) as JobRow | undefined;
    if (!row) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`, { details: { id } });
    return this.summaries([row])[0]!;
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
  transitionJob(id: number, to: JobState, options: { error?: SerializedError | null; message?: string } = {}): JobSummary {
    this.db.transaction(() => {
      const row = this.stmt.getJob.get(id) as JobRow | undefined;
      if (!row) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`, { details: { id } });
      assertJobTransition(id, row.state, to);
      const at = this.timestamp();
      const finished = to === 'succeeded' || to === 'partial' || to === 'failed' || to === 'cancelled' || to === 'interrupted';
      const error = options.error === undefined ? (to === 'queued' ? null : errorOf(row)) : options.error;
      const changed = this.stmt.setJobState.run({
        id,
        from: row.state,
        to,
        at,
        started: to === 'running' ? (row.started_at ?? at) : row.started_at,
        finished: finished ? at : null,
        code: error?.code ?? null,
        message: error?.message ?? null,
        details: error?.details === undefined ? null : JSON.stringify(error.details),
      });
      if (changed.changes !== 1) throw new TesseraError('ILLEGAL_TRANSITION', `job ${id} changed state concurrently`);
      if (error && error !== errorOf(row)) this.stmt.appendSearch.run({ id, text: ` ${error.message}`.toLowerCase() });
      this.insertEvent(id, `state.${to}`, options.message ?? `${row.state} → ${to}`, error ? { error } : null);
    })();
    return this.getJob(id);
  }

  /** Persists a job's aggregate counters (the engine calls this on a timer, not per tile). */
  saveJobCounters(id: number, counters: Counters): void {
    this.stmt.setJobCounters.run({ id, ...counters, at: this.timestamp() });
  }

  /**
   * Newest first, by keyset: the cursor is the id of the last row of the previous page, so rows
   * added meanwhile (which get larger ids) neither repeat nor shift the pages that follow. Each
   * filter reads an index in id order and stops after the page (main/store/job-query.ts).
   */
  listJobs(filter: JobFilter = {}, cursor?: string, limit = 100): Page<JobSummary> {
    const lastId = cursor === undefined ? undefined : decodeCursor('jobs', cursor, ['number'] as const)[0];
    const query = this.pageQuery(filter, lastId, limit + 1);
    const rows = this.statement(query.sql).all(query.args) as JobRow[];
    const more = rows.length > limit;
    if (more) rows.pop();
    return { rows: this.summaries(rows), nextCursor: more ? encodeCursor('jobs', [rows[rows.length - 1]!.id]) : null };
  }

  /** The SELECT listJobs runs for this page, and the index that drives it (for plan tests and the bench). */
  pageQuery(filter: JobFilter, lastId: number | undefined, limit: number): ReturnType<typeof jobPageQuery> {
    const onlyDates = !filter.states?.length && !filter.kinds?.length && !filter.text && (filter.createdFrom !== undefined || filter.createdTo !== undefined);
    return jobPageQuery(filter, { lastId, limit, byCreated: onlyDates && this.createdRangeIsSmaller(filter, lastId) });
  }

  /**
   * Whether a date range holds fewer jobs than are newer than it (below the cursor), estimated in
   * four index look-ups from the ids at the range's ends in jobs_by_created: ids and creation times
   * rise together unless the clock went back, and the estimate only picks between two exact plans.
   */
  private createdRangeIsSmaller(filter: JobFilter, lastId: number | undefined): boolean {
    const from = filter.createdFrom === undefined ? null : new Date(filter.createdFrom).toISOString();
    const to = filter.createdTo === undefined ? null : new Date(filter.createdTo).toISOString();
    const top = Math.min(lastId ?? Number.MAX_SAFE_INTEGER, ((this.stmt.maxId.get() as { id: number | null }).id ?? 0) + 1);
    const high = to === null ? top : (this.stmt.lastIdCreatedBy.get(to) as { id: number } | undefined)?.id;
    const low = from === null ? 0 : (this.stmt.firstIdCreatedFrom.get(from) as { id: number } | undefined)?.id;
    if (high === undefined || low === undefined) return true; // nothing in the range: the index says so at once
    const inRange = Math.max(0, Math.min(high, top) - low);
    const newer = Math.max(0, top - high);
    return inRange < newer;
  }

  /** Prepared statements for listJobs' SQL shapes, kept (a shape depends only on the filter's form). */
  private statement(sql: string): Statement {
    let statement = this.pageStatements.get(sql);
    if (!statement) {
      if (this.pageStatements.size >= 256) this.pageStatements.clear();
      statement = this.db.prepare(sql);
      this.pageStatements.set(sql, statement);
    }
    return statement;
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
    return this.db.transaction(() => {
      const ids = (this.stmt.active.all() as { id: number }[]).map((r) => r.id);
      for (const id of ids) {
        for (const item of this.stmt.itemsInState.all({ id, state: 'running' }) as ItemRow[]) {
          this.transitionItem(item.id, 'queued', { message: 'attempt cut short by a restart' });
        }
        // The job's counters are saved on a timer and the items' with each checkpoint, so after a
        // crash the items are the truth: the job resumes from their sum, not from a stale total.
        this.stmt.jobCountersFromItems.run({ id, at: this.timestamp() });
        this.transitionJob(id, 'interrupted', { message: 'found running at start-up: the previous process stopped without finishing it' });
      }
      return ids;
    })();
  }

  /**
   * Re-queues a finished job for another try: its failed and cancelled items go back to queued
   * (with their attempts and last error kept); succeeded items stay done.
   */
  requeue(id: number): JobSummary {
    this.db.transaction(() => {
      const job = this.getJob(id);
      assertJobTransition(id, job.state, 'queued');
      for (const item of this.stmt.itemsOf.all(id) as ItemRow[]) {
        // A finished job holds no running item, unless an older engine could not record an
        // item's outcome (a full disk): that attempt never ended, so it runs again too.
        if (item.state === 'failed' || item.state === 'cancelled' || item.state === 'running')
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
  // Items

  /** Records the planner's items and marks the job planned, atomically. */
  addItems(jobId: number, items: readonly NewItem[]): void {
    this.db.transaction(() => {
      const job = this.stmt.getJob.get(jobId) as JobRow | undefined;
      if (!job) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
      if (job.planned) throw new TesseraError('INTERNAL', `job ${jobId} was already planned`);
      items.forEach((item, ordinal) => {
        this.stmt.insertItem.run({ jobId, ordinal, label: item.label, spec: JSON.stringify(item.spec), total: item.total ?? 0 });
      });
      const labels = items.map((i) => i.label).join(' ');
      this.stmt.markPlanned.run({ id: jobId, total: items.reduce((n, i) => n + (i.total ?? 0), 0), text: ` ${labels}`.toLowerCase() });
      this.insertEvent(jobId, 'planned', `split into ${items.length} item(s)`, { items: items.length });
    })();
  }

  getItem(id: number): StoredItem {
    const row = this.stmt.getItem.get(id) as ItemRow | undefined;
    if (!row) throw new TesseraError('NOT_FOUND', `item ${id} does not exist`, { details: { item: id } });
    return storedItem(row);
  }

  /** Items of a job in planning order, optionally only some states, by keyset on ordinal. */
  listItems(jobId: number, options: { states?: readonly ItemState[]; cursor?: string; limit?: number } = {}): Page<JobItem> {
    if (!this.jobExists(jobId)) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
    const limit = options.limit ?? 200;
    const where = ['job_id = @jobId'];
    const args: Record<string, unknown> = { jobId, limit: limit + 1 };
    if (options.cursor !== undefined) {
      const [ordinal] = decodeCursor(`items:${jobId}`, options.cursor, ['number'] as const);
      where.push('ordinal > @ordinal');
      args.ordinal = ordinal;
    }
    if (options.states?.length) {
      where.push(`state IN (${options.states.map((_, i) => `@s${i}`).join(', ')})`);
      options.states.forEach((s, i) => (args[`s${i}`] = s));
    }
    const rows = this.db.prepare(`SELECT * FROM job_items WHERE ${where.join(' AND ')} ORDER BY ordinal LIMIT @limit`).all(args) as ItemRow[];
    const more = rows.length > limit;
    if (more) rows.pop();
    return {
      rows: rows.map((r) => publicItem(storedItem(r))),
      nextCursor: more ? encodeCursor(`items:${jobId}`, [rows[rows.length - 1]!.ordinal]) : null,
    };
  }

  /** Every item of a job, in order, with specs and results (a job's items are its datasets: few). */
  allItems(jobId: number): StoredItem[] {
    return (this.db.prepare('SELECT * FROM job_items WHERE job_id = ? ORDER BY ordinal').all(jobId) as ItemRow[]).map(storedItem);
  }

  /** The items the engine still has to run, in order. */
  itemsInState(jobId: number, state: ItemState): StoredItem[] {
    return (this.stmt.itemsInState.all({ id: jobId, state }) as ItemRow[]).map(storedItem);
  }

  runnableItems(jobId: number): StoredItem[] {
    return (this.stmt.itemsInState.all({ id: jobId, state: 'queued' }) as ItemRow[]).map(storedItem);
  }

  transitionItem(
    id: number,
    to: ItemState,
    options: { error?: SerializedError; result?: Record<string, unknown>; message?: string; keepError?: boolean } = {},
  ): StoredItem {
    return this.db.transaction(() => {
      const row = this.stmt.getItem.get(id) as ItemRow | undefined;
      if (!row) throw new TesseraError('NOT_FOUND', `item ${id} does not exist`, { details: { item: id } });
      assertItemTransition(id, row.state, to);
      const at = this.timestamp();
      const error = options.error ?? (options.keepError || to === 'failed' ? errorOf(row) : null);
      this.stmt.setItemState.run({
        id,
        from: row.state,
        to,
        attempts: to === 'running' ? row.attempts + 1 : row.attempts,
        started: to === 'running' ? at : row.started_at,
        finished: to === 'succeeded' || to === 'failed' || to === 'cancelled' ? at : null,
        code: error?.code ?? null,
        message: error?.message ?? null,
        details: error?.details === undefined ? null : JSON.stringify(error.details),
        result: options.result === undefined ? row.result : JSON.stringify(options.result),
      });
      if (options.error) this.stmt.appendSearch.run({ id: row.job_id, text: ` ${options.error.code} ${options.error.message}`.toLowerCase() });
      if (to !== 'running' || row.attempts > 0) {
        const message = options.message ?? `${row.label}: ${row.state} → ${to}${options.error ? ` (${options.error.code}: ${options.error.message})` : ''}`;
        this.insertEvent(row.job_id, `item.${to}`, message, { itemId: id, label: row.label, ...(options.error ? { error: options.error } : {}) });
      }
      return this.getItem(id);
    })();
  }

  /** Records a failed attempt that will be retried: the item stays running, the error is kept. */
  recordAttemptError(id: number, error: SerializedError, retryInMs: number): void {
    this.db.transaction(() => {
      const row = this.stmt.getItem.get(id) as ItemRow;
      this.stmt.setItemError.run({ id, code: error.code, message: error.message, details: error.details === undefined ? null : JSON.stringify(error.details) });
      this.stmt.bumpAttempts.run({ id });
      this.insertEvent(
        row.job_id,
        'item.retry',
        `${row.label}: attempt ${row.attempts} failed (${error.code}: ${error.message}); retrying in ${Math.round(retryInMs)} ms`,
        {
          itemId: id,
          attempt: row.attempts,
          error,
          retryInMs: Math.round(retryInMs),
        },
      );
    })();
  }

  /** Saves an item's counters and, with them, the checkpoint that resuming starts from. */
  saveItemProgress(id: number, counters: Counters, checkpoint?: object): void {
    this.stmt.setItemProgress.run({
      id,
      ...counters,
      checkpoint: checkpoint === undefined ? null : JSON.stringify(checkpoint),
      keep: checkpoint === undefined ? 1 : 0,
    });
  }

  // ------------------------------------------------------------------------------------------
  // Events and tile issues

  appendEvent(jobId: number, type: string, message: string, data: Record<string, unknown> | null = null): JobEvent {
    const id = this.insertEvent(jobId, type, message, data);
    return this.eventById(id);
  }

  private insertEvent(jobId: number, type: string, message: string, data: Record<string, unknown> | null): number {
    return Number(this.stmt.insertEvent.run({ jobId, at: this.timestamp(), type, message, data: data === null ? null : JSON.stringify(data) }).lastInsertRowid);
  }

  private eventById(id: number): JobEvent {
    return eventOf(this.stmt.eventById.get(id) as EventRow);
  }

  /** The job's event log after `afterId`, oldest first. */
  events(jobId: number, afterId = 0, limit = 200): JobEvent[] {
    if (!this.jobExists(jobId)) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
    return (this.stmt.events.all({ jobId, afterId, limit }) as EventRow[]).map(eventOf);
  }

  lastEventId(): number {
    return (this.stmt.lastEventId.get() as { id: number | null }).id ?? 0;
  }

  /** Newest events across all jobs after `afterId` (hosts use it to forward the log live). */
  eventsSince(afterId: number, limit = 500): JobEvent[] {
    return (this.stmt.eventsSince.all({ afterId, limit }) as EventRow[]).map(eventOf);
  }

  /** Keeps tile issues; a tile seen again on resume is not counted twice. */
  recordTileIssues(jobId: number, issues: readonly TileIssue[]): void {
    if (issues.length === 0) return;
    this.db.transaction(() => {
      for (const t of issues) this.stmt.insertIssue.run({ jobId, ...t });
    })();
  }

  tileIssues(jobId: number, cursor?: string, limit = 500): Page<TileIssue> {
    if (!this.jobExists(jobId)) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
    let after = { z: -1, x: -1, y: -1, issue: '' };
    if (cursor !== undefined) {
      const [z, x, y, issue] = decodeCursor(`issues:${jobId}`, cursor, ['number', 'number', 'number', 'string'] as const);
      after = { z, x, y, issue };
    }
    const rows = this.stmt.issues.all({ jobId, ...after, limit: limit + 1 }) as (TileIssue & { item_id: number })[];
    const more = rows.length > limit;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return {
      rows: rows.map((r) => ({ itemId: r.item_id, z: r.z, x: r.x, y: r.y, issue: r.issue, detail: r.detail })),
      nextCursor: more && last ? encodeCursor(`issues:${jobId}`, [last.z, last.x, last.y, last.issue]) : null,
    };
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

  // ------------------------------------------------------------------------------------------

  private summaries(rows: readonly JobRow[]): JobSummary[] {
    if (rows.length === 0) return [];
    const counts = new Map<number, JobSummary['items']>();
    const ids = rows.map((r) => r.id);
    const itemRows = this.db
      .prepare(`SELECT job_id, state, count(*) AS n FROM job_items WHERE job_id IN (${ids.map(() => '?').join(',')}) GROUP BY job_id, state`)
      .all(...ids) as { job_id: number; state: ItemState; n: number }[];
    for (const r of itemRows) {
      const c = counts.get(r.job_id) ?? { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
      c[r.state] += r.n;
      c.total += r.n;
      counts.set(r.job_id, c);
    }
    return rows.map((r) => ({
      id: r.id,
      ...kindedParams(r.kind, r.params),
      name: r.name,
      state: r.state,
      priority: r.priority,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      updatedAt: r.updated_at,
      items: counts.get(r.id) ?? { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      progress: { jobId: r.id, done: r.done, total: r.total, failed: r.failed, bytes: r.bytes, rate: 0, etaSeconds: null },
      error: errorOf(r),
    }));
  }
}

/**
 * A row's kind with its params. The store takes only params that passed their kind's schema at
 * jobs.start (Engine.start parses them), so the two belong together: this is the one place that says so.
 */
export function kindedParams(kind: string, params: string): KindedParams {
  return { kind, params: JSON.parse(params) } as KindedParams;
}

interface EventRow {
  id: number;
  job_id: number;
  at: string;
  type: string;
  message: string;
  data: string | null;
}

function eventOf(r: EventRow): JobEvent {
  return {
    id: r.id,
    jobId: r.job_id,
    at: r.at,
    type: r.type,
    message: r.message,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  };
}

function errorOf(r: { error_code: string | null; error_message: string | null; error_details: string | null }): SerializedError | null {
  if (r.error_code === null) return null;
  const e: SerializedError = { code: r.error_code as SerializedError['code'], message: r.error_message ?? '' };
  if (r.error_details !== null) e.details = JSON.parse(r.error_details);
  return e;
}

function storedItem(r: ItemRow): StoredItem {
  return {
    id: r.id,
    jobId: r.job_id,
    ordinal: r.ordinal,
    label: r.label,
    state: r.state,
    attempts: r.attempts,
    done: r.done,
    total: r.total,
    failed: r.failed,
    bytes: r.bytes,
    error: errorOf(r),
    result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    spec: JSON.parse(r.spec) as Record<string, unknown>,
    checkpoint: r.checkpoint === null ? null : (JSON.parse(r.checkpoint) as Record<string, unknown>),
  };
}

function publicItem(item: StoredItem): JobItem {
  const { spec: _spec, checkpoint: _checkpoint, ...rest } = item;
  return rest;
}

function prepare(db: Db) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    insertJob: s(`INSERT INTO jobs (kind, name, state, priority, params, created_at, updated_at, search_text)
                  VALUES (@kind, @name, @state, @priority, @params, @at, @at, @search)`),
    getJob: s('SELECT * FROM jobs WHERE id = ?'),
    maxId: s('SELECT max(id) AS id FROM jobs'),
    lastIdCreatedBy: s('SELECT id FROM jobs WHERE created_at <= ? ORDER BY created_at DESC LIMIT 1'),
    firstIdCreatedFrom: s('SELECT id FROM jobs WHERE created_at >= ? ORDER BY created_at LIMIT 1'),
    setJobState: s(`UPDATE jobs SET state = @to, updated_at = @at, started_at = @started, finished_at = @finished,
                      error_code = @code, error_message = @message, error_details = @details
                    WHERE id = @id AND state = @from`),
    setJobCounters: s('UPDATE jobs SET done = @done, total = @total, failed = @failed, bytes = @bytes, updated_at = @at WHERE id = @id'),
    jobCountersFromItems: s(
      `UPDATE jobs SET (done, total, failed, bytes) = (SELECT COALESCE(SUM(done), 0), COALESCE(SUM(total), 0), COALESCE(SUM(failed), 0), COALESCE(SUM(bytes), 0) FROM job_items WHERE job_id = @id), updated_at = @at WHERE id = @id`,
    ),
    appendSearch: s('UPDATE jobs SET search_text = search_text || @text WHERE id = @id'),
    markPlanned: s('UPDATE jobs SET planned = 1, total = @total, search_text = search_text || @text WHERE id = @id'),
    queued: s(`SELECT id, kind FROM jobs WHERE state = 'queued' ORDER BY priority DESC, id`),
    active: s(`SELECT id FROM jobs WHERE state IN ('running', 'cancelling') ORDER BY id`),
    countByState: s('SELECT state, count(*) AS n FROM jobs GROUP BY state'),
    purge: s(`DELETE FROM jobs WHERE created_at < @before AND state IN ('succeeded', 'partial', 'failed', 'cancelled')`),
    insertItem: s(`INSERT INTO job_items (job_id, ordinal, label, spec, state, total) VALUES (@jobId, @ordinal, @label, @spec, 'queued', @total)`),
    getItem: s('SELECT * FROM job_items WHERE id = ?'),
    itemsOf: s('SELECT * FROM job_items WHERE job_id = ? ORDER BY ordinal'),
    itemsInState: s('SELECT * FROM job_items WHERE job_id = @id AND state = @state ORDER BY ordinal'),
    setItemState: s(`UPDATE job_items SET state = @to, attempts = @attempts, started_at = @started, finished_at = @finished,
                       error_code = @code, error_message = @message, error_details = @details, result = @result
                     WHERE id = @id AND state = @from`),
    setItemError: s('UPDATE job_items SET error_code = @code, error_message = @message, error_details = @details WHERE id = @id'),
    bumpAttempts: s('UPDATE job_items SET attempts = attempts + 1 WHERE id = @id'),
    setItemProgress: s(`UPDATE job_items SET done = @done, total = @total, failed = @failed, bytes = @bytes,
                          checkpoint = CASE WHEN @keep = 1 THEN checkpoint ELSE @checkpoint END
                        WHERE id = @id`),
    insertEvent: s('INSERT INTO job_events (job_id, at, type, message, data) VALUES (@jobId, @at, @type, @message, @data)'),
    eventById: s('SELECT * FROM job_events WHERE id = ?'),
    events: s('SELECT * FROM job_events WHERE job_id = @jobId AND id > @afterId ORDER BY id LIMIT @limit'),
    eventsSince: s('SELECT * FROM job_events WHERE id > @afterId ORDER BY id LIMIT @limit'),
    lastEventId: s('SELECT max(id) AS id FROM job_events'),
    insertIssue: s(`INSERT OR IGNORE INTO tile_issues (job_id, item_id, z, x, y, issue, detail) VALUES (@jobId, @itemId, @z, @x, @y, @issue, @detail)`),
    issues: s(`SELECT * FROM tile_issues WHERE job_id = @jobId AND (z, x, y, issue) > (@z, @x, @y, @issue) ORDER BY z, x, y, issue LIMIT @limit`),
    getSetting: s('SELECT value FROM settings WHERE key = ?'),
    setSetting: s('INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
  };
}
