/**
 * The job history: every job, newest first, filtered and paged by keyset. History is never capped,
 * so each page reads an index in id order and stops after the page (job-query.ts builds the SQL).
 */
import type { Statement } from 'better-sqlite3';
import type { JobFilter, JobSummary, Page } from '../../shared/contract.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Db } from './database.js';
import { jobPageQuery } from './job-query.js';
import { type JobRow, jobSummaries } from './job-rows.js';
import type { JobStatements } from './job-statements.js';

export class JobHistory {
  private readonly pageStatements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly stmt: JobStatements,
  ) {}

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
    return { rows: jobSummaries(this.db, rows), nextCursor: more ? encodeCursor('jobs', [rows[rows.length - 1]!.id]) : null };
  }

  /** The SELECT listJobs runs for this page, and the index that drives it (for plan tests and the bench). */
  pageQuery(filter: JobFilter, lastId: number | undefined, limit: number): ReturnType<typeof jobPageQuery> {
    const dates = filter.createdFrom !== undefined || filter.createdTo !== undefined;
    const idRange = dates ? this.createdIds(filter) : undefined;
    // With the range's newest id known, walking ids down from it reads the page and no more.
    const onlyDates = dates && !filter.states?.length && !filter.kinds?.length && !filter.text && idRange?.high === undefined;
    return jobPageQuery(filter, { lastId, limit, idRange, byCreated: onlyDates && this.createdRangeIsSmaller(filter, lastId) });
  }

  /**
   * The ids a created-date range spans, where they can be told exactly (migration 10): the range's
   * last entry in jobs_by_created is its newest job unless a job after it was created earlier than
   * the one before (a step back of the clock, recorded in jobs_created_backsteps), and its first
   * entry its oldest unless such a step lies at or before it. An end that cannot be told is left
   * out (the page then checks created_at alone, as before). A range nothing was created in: none.
   */
  private createdIds(filter: JobFilter): { low?: number; high?: number } {
    const range: { low?: number; high?: number } = {};
    if (filter.createdTo !== undefined) {
      const high = (this.stmt.lastIdCreatedBy.get(new Date(filter.createdTo).toISOString()) as { id: number } | undefined)?.id;
      if (high === undefined) return { low: 1, high: 0 };
      if (!this.stmt.backstepFrom.get(high)) range.high = high;
    }
    if (filter.createdFrom !== undefined) {
      const low = (this.stmt.firstIdCreatedFrom.get(new Date(filter.createdFrom).toISOString()) as { id: number } | undefined)?.id;
      if (low === undefined) return { low: 1, high: 0 };
      if (!this.stmt.backstepUpTo.get(low)) range.low = low;
    }
    return range;
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
}
