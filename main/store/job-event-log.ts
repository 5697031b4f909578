/**
 * The append-only event log of jobs and the tile issues their items found: what JobStore records
 * with every state change, and the keyset-paged reads the console and hosts follow.
 */
import type { JobEvent, Page, TileIssue } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Db } from './database.js';
import { type EventRow, eventOf } from './job-rows.js';
import type { JobStatements } from './job-statements.js';

export class JobEventLog {
  constructor(
    private readonly db: Db,
    private readonly stmt: JobStatements,
    private readonly timestamp: () => string,
  ) {}

  append(jobId: number, type: string, message: string, data: Record<string, unknown> | null = null): JobEvent {
    const id = this.insert(jobId, type, message, data);
    return this.eventById(id);
  }

  /** Adds an event and returns its id (callers inside a transaction need no read back). */
  insert(jobId: number, type: string, message: string, data: Record<string, unknown> | null): number {
    return Number(this.stmt.insertEvent.run({ jobId, at: this.timestamp(), type, message, data: data === null ? null : JSON.stringify(data) }).lastInsertRowid);
  }

  private eventById(id: number): JobEvent {
    return eventOf(this.stmt.eventById.get(id) as EventRow);
  }

  /** The job's event log after `afterId`, oldest first. */
  events(jobId: number, afterId = 0, limit = 200): JobEvent[] {
    this.assertJob(jobId);
    return (this.stmt.events.all({ jobId, afterId, limit }) as EventRow[]).map(eventOf);
  }

  /** The job's newest event of `type` (what a job keeps as a timeline entry, such as its tasks per worker). */
  lastOfType(jobId: number, type: string): JobEvent | null {
    const row = this.stmt.lastEventOfType.get({ jobId, type }) as EventRow | undefined;
    return row ? eventOf(row) : null;
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
    this.assertJob(jobId);
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

  private assertJob(jobId: number): void {
    if (this.stmt.getJob.get(jobId) === undefined) throw new TesseraError('NOT_FOUND', `job ${jobId} does not exist`, { details: { id: jobId } });
  }
}
