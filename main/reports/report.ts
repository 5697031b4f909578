/**
 * Job reports: JSON (everything: the job, every item, the whole event log, every tile issue) and
 * CSV (one row per item, for a spreadsheet). Both page through the store, so a job with a million
 * tile issues is reported in full rather than cut at some page size.
 */
import type { CatalogDataset, JobItem, JobEvent, ReportFile, ReportFormat, TileIssue } from '../../shared/contract.js';
import type { Catalog } from '../catalog/catalog.js';
import type { JobStore } from '../store/job-store.js';
import { assertNever } from '../../shared/assert-never.js';
import { htmlReport } from './report-html.js';
import { pdfReport } from './report-pdf.js';

/** Everything a report shows, gathered once from the store. */
export interface ReportData {
  job: ReturnType<JobStore['getJob']>;
  items: JobItem[];
  events: JobEvent[];
  tileIssues: TileIssue[];
  /** The catalogue's datasets the job made (ingest, migrations); null when the catalogue was not read. */
  datasets: CatalogDataset[] | null;
  generatedAt: string;
}

/** Where a report's datasets come from: the engine's catalogue (a CLI reading a closed data directory may have none). */
export type ReportCatalog = Pick<Catalog, 'madeBy'>;

export async function buildReport(store: JobStore, jobId: number, format: ReportFormat, catalog?: ReportCatalog): Promise<ReportFile> {
  const base = `tessera-job-${jobId}`;
  switch (format) {
    case 'csv':
      return { fileName: `${base}.csv`, mimeType: 'text/csv', encoding: 'utf8', content: itemsCsv(store, jobId) };
    case 'json': {
      // Version 1 as it was: the datasets are for the printable reports' map.
      const { datasets: _, ...data } = gatherReport(store, jobId);
      return {
        fileName: `${base}.json`,
        mimeType: 'application/json',
        encoding: 'utf8',
        content: JSON.stringify({ format: 'tessera-job-report', version: 1, ...data }, null, 2),
      };
    }
    case 'html':
      return { fileName: `${base}.html`, mimeType: 'text/html', encoding: 'utf8', content: await htmlReport(gatherReport(store, jobId, catalog)) };
    case 'pdf':
      return {
        fileName: `${base}.pdf`,
        mimeType: 'application/pdf',
        encoding: 'base64',
        content: (await pdfReport(gatherReport(store, jobId, catalog))).toString('base64'),
      };
    default:
      return assertNever(format);
  }
}

/** The whole job from the store: every item, the whole event log, every tile issue, and the datasets it made. */
export function gatherReport(store: JobStore, jobId: number, catalog?: ReportCatalog): ReportData {
  const job = store.getJob(jobId);
  const items = collect<JobItem>((cursor) => store.listItems(jobId, { cursor, limit: 1000 }));
  const events: JobEvent[] = [];
  for (let batch = store.events(jobId, 0, 1000); batch.length > 0; batch = store.events(jobId, batch[batch.length - 1]!.id, 1000)) events.push(...batch);
  const tileIssues = collect<TileIssue>((cursor) => store.tileIssues(jobId, cursor, 5000));
  return { job, items, events, tileIssues, datasets: catalog ? catalog.madeBy(jobId) : null, generatedAt: new Date().toISOString() };
}

function itemsCsv(store: JobStore, jobId: number): string {
  store.getJob(jobId); // NOT_FOUND before anything else
  const items = collect<JobItem>((cursor) => store.listItems(jobId, { cursor, limit: 1000 }));
  const header = ['item', 'state', 'attempts', 'done', 'total', 'failed', 'bytes', 'error_code', 'error_message', 'started_at', 'finished_at', 'result'];
  const rows = items.map((i) => [
    i.label,
    i.state,
    i.attempts,
    i.done,
    i.total,
    i.failed,
    i.bytes,
    i.error?.code ?? '',
    i.error?.message ?? '',
    i.startedAt ?? '',
    i.finishedAt ?? '',
    i.result ? JSON.stringify(i.result) : '',
  ]);
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
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
