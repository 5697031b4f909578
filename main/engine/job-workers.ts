/**
 * Each job's tasks per `tessera worker` (issue 19: "each job's tasks per worker"). The engine is
 * told which worker settled each task (main/queue/queue-pool.ts `onSettled`); counted here on the
 * engine's thread while the job runs, and kept with the job when its run ends as a timeline entry
 * of type `workers` (its data is the breakdown), so no store migration is needed and the job's
 * timeline says it too. A resumed run starts from that entry, so the breakdown covers every run.
 * A crash of the engine loses the counts of the run it interrupted (its tiles are not lost: the
 * items resume from their checkpoints).
 */
import type { JobWorkerTasks } from '../../shared/worker-shapes.js';
import type { TaskOutcome } from '../queue/queue-pool.js';

/** The timeline entry that keeps a job's breakdown. */
export const WORKERS_EVENT = 'workers';
/** Tasks BullMQ itself failed (stalled more often than allowed): no worker's result was read. */
export const NO_WORKER = '(stalled, no worker)';

export class JobWorkerTally {
  private readonly jobs = new Map<number, Map<string, JobWorkerTasks>>();

  /** Starts counting a run of `job` from what its earlier runs kept. */
  begin(job: number, earlier: readonly JobWorkerTasks[]): void {
    this.jobs.set(job, new Map(earlier.map((w) => [w.worker, { ...w }])));
  }

  record(outcome: TaskOutcome, at = new Date()): void {
    const counts = outcome.job === undefined ? undefined : this.jobs.get(outcome.job);
    if (!counts) return;
    const worker = outcome.worker ?? NO_WORKER;
    const entry = counts.get(worker) ?? { worker, tasksDone: 0, tasksFailed: 0, tiles: 0, lastSeenAt: '' };
    if (outcome.ok) {
      entry.tasksDone++;
      entry.tiles += tilesOf(outcome.result);
    } else entry.tasksFailed++;
    entry.lastSeenAt = at.toISOString();
    counts.set(worker, entry);
  }

  /** The running job's breakdown so far; undefined when the job is not running here. */
  current(job: number): JobWorkerTasks[] | undefined {
    const counts = this.jobs.get(job);
    return counts && [...counts.values()].map((w) => ({ ...w })).sort((a, b) => a.worker.localeCompare(b.worker));
  }

  /** Stops counting; the breakdown to keep, or null when no task of the job went through a queue. */
  end(job: number): JobWorkerTasks[] | null {
    const list = this.current(job);
    this.jobs.delete(job);
    return list && list.length > 0 ? list : null;
  }
}

/**
 * Tiles in a task's output: a raster task's tiles (made or found transparent), a verify batch's
 * tiles checked, a vector partition's tiles cut (its walk's stats, under `result` when relayed).
 */
export function tilesOf(result: unknown): number {
  if (typeof result !== 'object' || result === null) return 0;
  if ('tiles' in result && Array.isArray(result.tiles)) return result.tiles.length;
  if ('tiles' in result && typeof result.tiles === 'number') return result.tiles;
  if ('checked' in result && typeof result.checked === 'number') return result.checked;
  if ('result' in result) return tilesOf(result.result);
  return 0;
}

/** The timeline line: "Tasks by worker: wA 12 done (170 tiles), wB 10 done, 1 failed (171 tiles)". */
export function describeWorkers(list: readonly JobWorkerTasks[]): string {
  const one = (w: JobWorkerTasks) =>
    `${w.worker} ${w.tasksDone.toLocaleString('en')} done${w.tasksFailed > 0 ? `, ${w.tasksFailed} failed` : ''} (${w.tiles.toLocaleString('en')} tiles)`;
  return `Tasks by worker: ${list.map(one).join('; ')}`;
}

/** A kept breakdown read back from its timeline entry's data (checked field by field: the store holds JSON). */
export function keptWorkers(data: Record<string, unknown> | null | undefined): JobWorkerTasks[] {
  const list = data?.workers;
  if (!Array.isArray(list)) return [];
  return list.flatMap((w: unknown) => {
    if (typeof w !== 'object' || w === null) return [];
    const { worker, tasksDone, tasksFailed, tiles, lastSeenAt } = w as Partial<Record<keyof JobWorkerTasks, unknown>>;
    if (typeof worker !== 'string' || typeof lastSeenAt !== 'string') return [];
    const count = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
    return [{ worker, tasksDone: count(tasksDone), tasksFailed: count(tasksFailed), tiles: count(tiles), lastSeenAt }];
  });
}
