/**
 * The job store's SQL, prepared once per database: short synchronous statements the store's parts
 * (job-store.ts, job-items.ts, job-event-log.ts, job-history.ts) share.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

const SQL = {
  insertJob: `INSERT INTO jobs (kind, name, state, priority, params, created_at, updated_at, search_text)
                  VALUES (@kind, @name, @state, @priority, @params, @at, @at, @search)`,
  getJob: 'SELECT * FROM jobs WHERE id = ?',
  maxId: 'SELECT max(id) AS id FROM jobs',
  // The last and the first entry of jobs_by_created (created_at, then id) on each side of a time.
  lastIdCreatedBy: 'SELECT id FROM jobs WHERE created_at <= ? ORDER BY created_at DESC, id DESC LIMIT 1',
  firstIdCreatedFrom: 'SELECT id FROM jobs WHERE created_at >= ? ORDER BY created_at, id LIMIT 1',
  backstepFrom: 'SELECT 1 FROM jobs_created_backsteps WHERE id >= ? LIMIT 1',
  backstepUpTo: 'SELECT 1 FROM jobs_created_backsteps WHERE id <= ? LIMIT 1',
  setJobState: `UPDATE jobs SET state = @to, updated_at = @at, started_at = @started, finished_at = @finished, run_ms = @runMs, run_started_at = @runStartedAt,
                      error_code = @code, error_message = @message, error_details = @details
                    WHERE id = @id AND state = @from`,
  setJobCounters: 'UPDATE jobs SET done = @done, total = @total, failed = @failed, bytes = @bytes, skipped = @skipped, updated_at = @at WHERE id = @id',
  jobCountersFromItems: `UPDATE jobs SET (done, total, failed, bytes, skipped) = (SELECT COALESCE(SUM(done), 0), COALESCE(SUM(total), 0), COALESCE(SUM(failed), 0), COALESCE(SUM(bytes), 0), COALESCE(SUM(skipped), 0) FROM job_items WHERE job_id = @id), updated_at = @at WHERE id = @id`,
  appendSearch: 'UPDATE jobs SET search_text = search_text || @text WHERE id = @id',
  setParams: 'UPDATE jobs SET params = @params, updated_at = @at, search_text = search_text || @text WHERE id = @id',
  markPlanned: 'UPDATE jobs SET planned = 1, total = @total, search_text = search_text || @text WHERE id = @id',
  queued: `SELECT id, kind FROM jobs WHERE state = 'queued' ORDER BY priority DESC, id`,
  active: `SELECT id, state FROM jobs WHERE state IN ('running', 'cancelling') ORDER BY id`,
  countByState: 'SELECT state, count(*) AS n FROM jobs GROUP BY state',
  purge: `DELETE FROM jobs WHERE created_at < @before AND state IN ('succeeded', 'partial', 'failed', 'cancelled')`,
  insertItem: `INSERT INTO job_items (job_id, ordinal, label, spec, state, total, planned_total) VALUES (@jobId, @ordinal, @label, @spec, 'queued', @total, @total)`,
  getItem: 'SELECT * FROM job_items WHERE id = ?',
  itemsOf: 'SELECT * FROM job_items WHERE job_id = ? ORDER BY ordinal',
  itemsInState: 'SELECT * FROM job_items WHERE job_id = @id AND state = @state ORDER BY ordinal',
  setItemState: `UPDATE job_items SET state = @to, attempts = @attempts, started_at = @started, finished_at = @finished,
                       error_code = @code, error_message = @message, error_details = @details, result = @result
                     WHERE id = @id AND state = @from`,
  setItemError: 'UPDATE job_items SET error_code = @code, error_message = @message, error_details = @details WHERE id = @id',
  bumpAttempts: 'UPDATE job_items SET attempts = attempts + 1 WHERE id = @id',
  setItemProgress: `UPDATE job_items SET done = @done, total = @total, failed = @failed, bytes = @bytes, skipped = @skipped,
                          checkpoint = CASE WHEN @keep = 1 THEN checkpoint ELSE @checkpoint END,
                          checkpoint_counters = CASE WHEN @keep = 1 THEN checkpoint_counters ELSE @checkpointCounters END
                        WHERE id = @id`,
  insertEvent: 'INSERT INTO job_events (job_id, at, type, message, data) VALUES (@jobId, @at, @type, @message, @data)',
  eventById: 'SELECT * FROM job_events WHERE id = ?',
  events: 'SELECT * FROM job_events WHERE job_id = @jobId AND id > @afterId ORDER BY id LIMIT @limit',
  eventsSince: 'SELECT * FROM job_events WHERE id > @afterId ORDER BY id LIMIT @limit',
  lastEventId: 'SELECT max(id) AS id FROM job_events',
  lastEventOfType: 'SELECT * FROM job_events WHERE job_id = @jobId AND type = @type ORDER BY id DESC LIMIT 1',
  insertIssue: `INSERT OR IGNORE INTO tile_issues (job_id, item_id, z, x, y, issue, detail) VALUES (@jobId, @itemId, @z, @x, @y, @issue, @detail)`,
  issues: `SELECT * FROM tile_issues WHERE job_id = @jobId AND (z, x, y, issue) > (@z, @x, @y, @issue) ORDER BY z, x, y, issue LIMIT @limit`,
  getSetting: 'SELECT value FROM settings WHERE key = ?',
  setSetting: 'INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
};

export type JobStatements = Record<keyof typeof SQL, Statement>;

export function prepareJobStatements(db: Db): JobStatements {
  return Object.fromEntries(Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)])) as JobStatements;
}
