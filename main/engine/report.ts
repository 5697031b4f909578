/**
 * Job reports: JSON (everything: the job, every item, the whole event log, every tile issue) and
 * CSV (one row per item, for a spreadsheet). Both page through the store, so a job with a million
 * tile issues is reported in full rather than cut at some page size.
 */
import type { JobItem, JobEvent, TileIssue } from '../../preload/contract.js';
import type { JobStore } from '../store/job-store.js';

export interface Report {
  fileName: string;
  mimeType: string;
  content: string;
}

export function buildReport(store: JobStore, jobId: number, format: 'json' | 'csv'): Report {
  const job = store.getJob(jobId);
  const items = collect<JobItem>((cursor) => store.listItems(jobId, { cursor, limit: 1000 }));
  const base = `tessera-job-${jobId}`;
  if (format === 'csv') {
    const header = ['item', 'state', 'attempts', 'done', 'total', 'failed', 'bytes', 'error_code', 'error_message', 'started_at', 'finished_at', 'result'];
    const rows = items.map((i) => [i.label, i.state, i.attempts, i.done, i.total, i.failed, i.bytes, i.error?.code ?? '', i.error?.message ?? '', i.startedAt ?? '', i.finishedAt ?? '', i.result ? JSON.stringify(i.result) : '']);
    return { fileName: `${base}.csv`, mimeType: 'text/csv', content: [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n' };
  }
  const events: JobEvent[] = [];
  for (let batch = store.events(jobId, 0, 1000); batch.length > 0; batch = store.events(jobId, batch[batch.length - 1]!.id, 1000)) events.push(...batch);
  const tileIssues = collect<TileIssue>((cursor) => store.tileIssues(jobId, cursor, 5000));
  const report = { format: 'tessera-job-report', version: 1, generatedAt: new Date().toISOString(), job, items, events, tileIssues };
  return { fileName: `${base}.json`, mimeType: 'application/json', content: JSON.stringify(report, null, 2) };
}

function collect<T>(page: (cursor: string | undefined) => { rows: T[]; nextCursor: string | null }): T[] {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const p = page(cursor);
    all.push(...p.rows);
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never runs it as a formula. */
export function csvCell(value: unknown): string {
  let s = String(value);
  if (/^[=+\-@]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
