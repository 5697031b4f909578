/**
 * Test support for the queue's and the shell's component tests (not part of the bundle: only
 * *.test.tsx import it): job summaries, and a small in-memory "engine" that answers jobs.list with
 * the contract's keyset paging and filters, plus cancel and retry with per-id refusals.
 *
 * Its filtering is written out here on purpose rather than borrowed from queue/filters.ts, so the
 * tests do not check the console's logic against itself.
 */
import type { BulkResult, JobProgress, JobState, JobSummary, Page, QueueState, RequestParsed } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { outputOf } from '../job-detail/job-output.js';
import type { Handlers } from './memory-transport.js';

export const NOW = '2026-11-29T09:00:00.000Z';

export function progress(jobId: number, done: number, total: number, extra: Partial<JobProgress> = {}): JobProgress {
  return { jobId, done, total, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null, ...extra };
}

export function job(id: number, state: JobState, extra: Partial<JobSummary> = {}): JobSummary {
  const finished = !['queued', 'running', 'cancelling'].includes(state);
  return {
    id,
    kind: 'verify',
    name: `verify cache-${id}.mbtiles`,
    state,
    priority: 0,
    params: { cache: `/data/cache-${id}.mbtiles`, maxTileBytes: 512_000 },
    createdAt: NOW,
    startedAt: state === 'queued' ? null : NOW,
    finishedAt: finished ? NOW : null,
    updatedAt: NOW,
    runSeconds: 0,
    items: { total: 4, queued: 0, running: 0, succeeded: 4, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
    progress: progress(id, finished ? 100 : 0, 100),
    error: null,
    ...extra,
  } as JobSummary;
}

const CANCELLABLE: JobState[] = ['queued', 'running', 'interrupted'];
const RETRYABLE: JobState[] = ['partial', 'failed', 'cancelled', 'interrupted'];

export interface FakeEngine {
  /** Newest first, as the store keeps them; tests may edit it. */
  jobs: JobSummary[];
  queue: QueueState;
  handlers: Handlers;
}

/** The requests the console makes, over `jobs`. */
export function fakeEngine(jobs: JobSummary[]): FakeEngine {
  const engine: FakeEngine = { jobs: [...jobs].sort((a, b) => b.id - a.id), queue: { paused: false, queued: 0, running: 0, maxRunning: 2 }, handlers: {} };
  const find = (id: number) => {
    const found = engine.jobs.find((j) => j.id === id);
    if (!found) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`);
    return found;
  };
  const list = ({ filter, cursor, limit }: RequestParsed<'jobs.list'>): Page<JobSummary> => {
    const after = cursor === undefined ? Infinity : Number(cursor.replace(/^c/, ''));
    const text = filter?.text?.toLowerCase();
    const rows = engine.jobs.filter(
      (j) =>
        j.id < after &&
        (!filter?.states || filter.states.includes(j.state)) &&
        (!filter?.kinds || filter.kinds.includes(j.kind)) &&
        (!filter?.createdFrom || Date.parse(j.createdAt) >= Date.parse(filter.createdFrom)) &&
        (!filter?.createdTo || Date.parse(j.createdAt) <= Date.parse(filter.createdTo)) &&
        (!text || `${j.name} ${outputOf(j)}`.toLowerCase().includes(text)),
    );
    const page = rows.slice(0, limit);
    return { rows: page, nextCursor: rows.length > limit ? `c${page.at(-1)!.id}` : null };
  };
  const bulk = (ids: number[], allowed: JobState[], to: JobState): BulkResult => {
    const result: BulkResult = { ok: [], failed: [] };
    for (const id of ids) {
      const j = engine.jobs.find((x) => x.id === id);
      if (!j) result.failed.push({ id, error: { code: 'NOT_FOUND', message: `job ${id} does not exist` } });
      else if (!allowed.includes(j.state)) result.failed.push({ id, error: { code: 'ILLEGAL_TRANSITION', message: `job ${id} is ${j.state}` } });
      else {
        j.state = to;
        result.ok.push(id);
      }
    }
    return result;
  };
  engine.handlers = {
    'app.info': () => ({ version: '0.1.0-test', host: 'headless', dataDir: '/data', threads: 2 }),
    'app.health': () => [
      { name: 'store', state: 'ok', message: 'job store open', checkedAt: NOW },
      { name: 'disk', state: 'ok', message: '12 GB free', checkedAt: NOW },
    ],
    'queue.get': () => engine.queue,
    'queue.pause': () => (engine.queue = { ...engine.queue, paused: true }),
    'queue.resume': () => (engine.queue = { ...engine.queue, paused: false }),
    'jobs.list': list,
    'jobs.get': ({ id }) => find(id),
    'jobs.cancel': ({ ids }) => bulk(ids, CANCELLABLE, 'cancelled'),
    'jobs.retry': ({ ids }) => bulk(ids, RETRYABLE, 'queued'),
  };
  return engine;
}

/** `n` finished jobs with ids n…1, newest first; every third failed. */
export function history(n: number, first = 1): JobSummary[] {
  return Array.from({ length: n }, (_, i) => {
    const id = first + n - 1 - i;
    return job(
      id,
      id % 3 === 0 ? 'failed' : 'succeeded',
      id % 3 === 0 ? { error: { code: 'IO_ERROR', message: `cache-${id}.mbtiles could not be read` } } : {},
    );
  });
}
