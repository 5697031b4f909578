/**
 * Fills a data directory's job store directly (main/store), before `tessera serve` opens it: a
 * history of any size in one transaction, in seconds, with the states, errors and items a real
 * one has. The end-to-end tests and the renderer bench use it; the engine itself never does.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JobState } from '../shared/contract.js';
import type { SerializedError } from '../shared/errors.js';
import { openDatabase } from '../main/store/database.js';
import { JobStore } from '../main/store/job-store.js';

export interface SeedJob {
  name: string;
  cache: string;
  /** Where the job ends up. `queued` jobs wait (pause the queue, or the engine starts them). */
  state: Extract<JobState, 'queued' | 'succeeded' | 'partial' | 'failed' | 'cancelled'>;
  /** Units done and total (tiles); failed ones for partial jobs. */
  total?: number;
  failed?: number;
  error?: SerializedError;
  /** Item labels, e.g. zoom levels; the last `failed`-worth of them fail for partial jobs. */
  items?: string[];
}

export interface SeedOptions {
  /** Leave the queue paused, so queued and retried jobs stay where they are. */
  paused?: boolean;
  /** The newest job's creation time; older ones are `spacingMs` apart before it. */
  newest?: Date;
  spacingMs?: number;
  /**
   * Writes each item-less job's final state with one UPDATE instead of the store's transitions
   * (so without their state events): 100,000 jobs in a few seconds instead of half a minute.
   * For benches; the tests keep the real transitions, which the job detail's timeline shows.
   */
  direct?: boolean;
}

/** Writes `jobs` (oldest first) into `dataDir`'s store; returns their ids in the same order. */
export function seedStore(dataDir: string, jobs: readonly SeedJob[], options: SeedOptions = {}): number[] {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  const spacing = options.spacingMs ?? 60_000;
  let at = (options.newest ?? new Date()).getTime() - spacing * jobs.length;
  // Each job's events a moment apart, and the next job a spacing later.
  const store = new JobStore(db, { clock: () => new Date((at += 7)) });
  const finish = db.prepare(
    `UPDATE jobs SET state = @state, started_at = @started, finished_at = @finished, updated_at = @finished, done = @done, total = @total, failed = @failed,
       run_ms = COALESCE(CAST(ROUND((julianday(@finished) - julianday(@started)) * 86400000) AS INTEGER), 0), run_started_at = NULL,
       bytes = @bytes, error_code = @code, error_message = @message, search_text = search_text || @search WHERE id = @id`,
  );
  try {
    return db.transaction(() => {
      const ids: number[] = [];
      for (const seed of jobs) {
        at += spacing;
        const { id } = store.createJob({ kind: 'verify', name: seed.name, params: { cache: seed.cache, maxTileBytes: 512_000 }, priority: 0 });
        ids.push(id);
        if (seed.state === 'queued') continue;
        if (seed.state === 'cancelled') {
          store.transitionJob(id, 'cancelled');
          continue;
        }
        const total = seed.total ?? 0;
        const failed = seed.failed ?? 0;
        if (options.direct && !seed.items?.length) {
          const started = new Date(at).toISOString();
          finish.run({
            id,
            state: seed.state,
            started,
            finished: new Date((at += 1500)).toISOString(),
            done: seed.state === 'failed' ? failed : total,
            total,
            failed,
            bytes: total * 18_000,
            code: seed.error?.code ?? null,
            message: seed.error?.message ?? null,
            search: seed.error ? ` ${seed.error.message}`.toLowerCase() : '',
          });
          continue;
        }
        if (seed.items?.length) {
          store.addItems(
            id,
            seed.items.map((label, i) => ({ label, spec: { index: i }, total: Math.round(total / seed.items!.length) })),
          );
        }
        store.transitionJob(id, 'running');
        for (const [i, item] of store.runnableItems(id).entries()) {
          store.transitionItem(item.id, 'running');
          const bad = seed.state !== 'succeeded' && i === seed.items!.length - 1;
          store.transitionItem(item.id, bad ? 'failed' : 'succeeded', bad && seed.error ? { error: seed.error } : {});
        }
        store.saveJobCounters(id, { done: seed.state === 'failed' ? failed : total, total, failed, bytes: total * 18_000, skipped: 0 });
        store.transitionJob(id, seed.state, seed.error ? { error: seed.error } : {});
      }
      if (options.paused) store.setSetting('queue.paused', true);
      return ids;
    })();
  } finally {
    db.close();
  }
}
