/**
 * The job store's rows as SQLite holds them and their mapping to the shapes callers see: job
 * summaries (with item counts by state), items, events and errors. The public types the store
 * takes and gives (NewJob, NewItem, StoredItem, Counters) live here too; job-store.ts re-exports them.
 */
import type { ItemState, JobEvent, JobItem, JobKind, JobParams, JobState, JobSummary, KindedParams } from '../../shared/contract.js';
import type { SerializedError } from '../../shared/errors.js';
import { type ItemCounts, hasItemParts, shownItemCounts } from '../../shared/item-parts.js';
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
  /**
   * Where an attempt of this item starts counting: the counters saved with its checkpoint, or
   * nothing done and its planned total when it has none (it starts over).
   */
  startCounters: Counters;
}

export interface Counters {
  done: number;
  total: number;
  failed: number;
  bytes: number;
  /** Planned units found not to be needed (empty tiles): taken off total as they are found. */
  skipped: number;
}

export interface JobRow {
  id: number;
  run_ms: number;
  run_started_at: string | null;
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
  skipped: number;
  planned: number;
  error_code: string | null;
  error_message: string | null;
  error_details: string | null;
}

export interface ItemRow {
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
  skipped: number;
  error_code: string | null;
  error_message: string | null;
  error_details: string | null;
  checkpoint: string | null;
  checkpoint_counters: string | null;
  planned_total: number | null;
  result: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface EventRow {
  id: number;
  job_id: number;
  at: string;
  type: string;
  message: string;
  data: string | null;
}

/** Summaries of job rows, with each job's item counts by state read in one query. */
export function jobSummaries(db: Db, rows: readonly JobRow[]): JobSummary[] {
  if (rows.length === 0) return [];
  const counts = new Map<number, JobSummary['items']>();
  const ids = rows.map((r) => r.id);
  const itemRows = db
    .prepare(`SELECT job_id, state, count(*) AS n FROM job_items WHERE job_id IN (${ids.map(() => '?').join(',')}) GROUP BY job_id, state`)
    .all(...ids) as { job_id: number; state: ItemState; n: number }[];
  for (const r of itemRows) {
    const c = counts.get(r.job_id) ?? emptyCounts();
    c[r.state] += r.n;
    c.total += r.n;
    counts.set(r.job_id, c);
  }
  // A staged file whose layers failed is counted as its rows show it (shared/item-parts.ts), which
  // needs the labels: read only for jobs with parts that have both a success and a failure.
  for (const r of rows) {
    const c = counts.get(r.id);
    if (!c || !hasItemParts(r.kind) || c.failed === 0 || c.succeeded === 0) continue;
    const labelled = db.prepare('SELECT label, state FROM job_items WHERE job_id = ?').all(r.id) as { label: string; state: ItemState }[];
    counts.set(r.id, shownItemCounts(labelled));
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
    runSeconds: (r.run_ms + (r.run_started_at === null ? 0 : Math.max(0, Date.now() - Date.parse(r.run_started_at)))) / 1000,
    items: counts.get(r.id) ?? emptyCounts(),
    progress: { jobId: r.id, done: r.done, total: r.total, failed: r.failed, bytes: r.bytes, skipped: r.skipped, rate: 0, etaSeconds: null },
    error: errorOf(r),
  }));
}

const emptyCounts = (): ItemCounts => ({ total: 0, queued: 0, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 });

/**
 * A row's kind with its params. The store takes only params that passed their kind's schema at
 * jobs.start (Engine.start parses them), so the two belong together: this is the one place that says so.
 */
export function kindedParams(kind: string, params: string): KindedParams {
  return { kind, params: JSON.parse(params) } as KindedParams;
}

export function eventOf(r: EventRow): JobEvent {
  return {
    id: r.id,
    jobId: r.job_id,
    at: r.at,
    type: r.type,
    message: r.message,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  };
}

export function errorOf(r: { error_code: string | null; error_message: string | null; error_details: string | null }): SerializedError | null {
  if (r.error_code === null) return null;
  const e: SerializedError = { code: r.error_code as SerializedError['code'], message: r.error_message ?? '' };
  if (r.error_details !== null) e.details = JSON.parse(r.error_details);
  return e;
}

export function storedItem(r: ItemRow): StoredItem {
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
    skipped: r.skipped,
    error: errorOf(r),
    result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    spec: JSON.parse(r.spec) as Record<string, unknown>,
    checkpoint: r.checkpoint === null ? null : (JSON.parse(r.checkpoint) as Record<string, unknown>),
    startCounters: startCountersOf(r),
  };
}

/** See StoredItem.startCounters. Rows older than the columns that say it resume from their counters, as they did. */
function startCountersOf(r: ItemRow): Counters {
  if (r.checkpoint === null) return { done: 0, failed: 0, bytes: 0, skipped: 0, total: r.planned_total ?? r.total };
  // Counters saved before `skipped` existed have none: nothing was skipped then.
  if (r.checkpoint_counters !== null) return { skipped: 0, ...(JSON.parse(r.checkpoint_counters) as Omit<Counters, 'skipped'>) };
  return { done: r.done, failed: r.failed, bytes: r.bytes, skipped: r.skipped, total: r.total };
}

export function publicItem(item: StoredItem): JobItem {
  const { spec: _spec, checkpoint: _checkpoint, startCounters: _start, ...rest } = item;
  return rest;
}
