/**
 * A job's items: the planner's split of the job, each run (and retried, and resumed from its
 * checkpoint) by the engine. Every state change goes through job-states.ts inside a transaction
 * that re-reads the item, and is written to the job's event log.
 */
import type { ItemState, JobItem, Page } from '../../shared/contract.js';
import { type SerializedError, TesseraError } from '../../shared/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Db } from './database.js';
import type { JobEventLog } from './job-event-log.js';
import { type Counters, type ItemRow, type JobRow, type NewItem, type StoredItem, errorOf, publicItem, storedItem } from './job-rows.js';
import { assertItemTransition } from './job-states.js';
import type { JobStatements } from './job-statements.js';

export class JobItems {
  constructor(
    private readonly db: Db,
    private readonly stmt: JobStatements,
    private readonly timestamp: () => string,
    private readonly log: JobEventLog,
  ) {}

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
      this.log.insert(jobId, 'planned', `split into ${items.length} item(s)`, { items: items.length });
    })();
  }

  getItem(id: number): StoredItem {
    const row = this.stmt.getItem.get(id) as ItemRow | undefined;
    if (!row) throw new TesseraError('NOT_FOUND', `item ${id} does not exist`, { details: { item: id } });
    return storedItem(row);
  }

  /** Items of a job in planning order, optionally only some states, by keyset on ordinal. */
  listItems(jobId: number, options: { states?: readonly ItemState[]; cursor?: string; limit?: number } = {}): Page<JobItem> {
    if (this.stmt.getJob.get(jobId) === undefined) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
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
      options.states.forEach((s, i) => {
        args[`s${i}`] = s;
      });
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
        finished: to === 'succeeded' || to === 'failed' || to === 'cancelled' || to === 'interrupted' ? at : null,
        code: error?.code ?? null,
        message: error?.message ?? null,
        details: error?.details === undefined ? null : JSON.stringify(error.details),
        result: options.result === undefined ? row.result : JSON.stringify(options.result),
      });
      if (options.error) this.stmt.appendSearch.run({ id: row.job_id, text: ` ${options.error.code} ${options.error.message}`.toLowerCase() });
      if (to !== 'running' || row.attempts > 0) {
        const message = options.message ?? `${row.label}: ${row.state} → ${to}${options.error ? ` (${options.error.code}: ${options.error.message})` : ''}`;
        this.log.insert(row.job_id, `item.${to}`, message, { itemId: id, label: row.label, ...(options.error ? { error: options.error } : {}) });
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
      this.log.insert(
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
      checkpointCounters: checkpoint === undefined ? null : JSON.stringify(counters),
      keep: checkpoint === undefined ? 1 : 0,
    });
  }
}
