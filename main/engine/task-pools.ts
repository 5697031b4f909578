/**
 * Which pool an engine's tasks go to: its own piscina threads (no queue: exactly as before, and
 * nothing of BullMQ is loaded) or a BullMQ queue (`--queue`, else Settings › Task queue), with the
 * engine's threads behind it for the tasks that do not travel. Also what `workers.list` and the
 * Prometheus gauges read from it.
 */
import { Gauge } from 'prom-client';
import type { WorkersStatus } from '../../shared/worker-shapes.js';
import { type EngineOptions, defaultWorkerFile } from './engine-options.js';
import type { EngineMetrics } from './metrics.js';
import type { Logger } from '../logging/logger.js';
import type { TaskPool } from '../pool/task-pool.js';
import { WorkerPool } from '../pool/worker-pool.js';
import { QueuePool } from '../queue/queue-pool.js';

export interface TaskPoolContext {
  logger: Logger;
  metrics: EngineMetrics;
  /** The engine's running jobs: a task's signal tells which one it belongs to (the Workers view's current job). */
  active: ReadonlyMap<number, { controller: AbortController }>;
  health: (state: 'ok' | 'failed', message: string) => void;
}

/** `setting`: Settings › Task queue; `options.queue` (`--queue`) wins. Null or empty: no queue. */
export function chooseTaskPool(
  options: Pick<EngineOptions, 'workerFile' | 'threads' | 'queue'>,
  setting: string | null | undefined,
  choice: TaskPoolContext,
): TaskPool {
  const local = new WorkerPool({ filename: options.workerFile ?? defaultWorkerFile(), threads: options.threads });
  local.onWorkerRestart = (error) => {
    choice.metrics.workerRestarts.inc();
    choice.logger.warn(error.message);
  };
  const url = options.queue ?? setting;
  if (!url) return local;
  const jobOf = (signal: AbortSignal | undefined) => [...choice.active].find(([, job]) => job.controller.signal === signal)?.[0];
  const pool = new QueuePool({ url, local, logger: choice.logger, jobOf, onState: choice.health });
  let last: WorkersStatus | null = null;
  // Read at each scrape: the workers' heartbeats and the depth the pool's sweep saw.
  new Gauge({
    name: 'tessera_task_queue_workers',
    help: 'tessera worker processes with a live heartbeat on the task queue',
    registers: [choice.metrics.registry],
    async collect() {
      last = await listWorkers(pool).catch(() => last);
      this.set(last?.workers.length ?? 0);
    },
  });
  new Gauge({
    name: 'tessera_task_queue_depth',
    help: 'Tasks waiting in the task queue for a worker',
    registers: [choice.metrics.registry],
    collect() {
      this.set(pool.queueDepth);
    },
  });
  return pool;
}

/** `workers.list`: the queue, its depth and its workers; no queue, no workers. */
export async function listWorkers(pool: TaskPool): Promise<WorkersStatus> {
  if (!(pool instanceof QueuePool)) return { queue: null, state: null, depth: 0, workers: [] };
  return { queue: pool.where, state: pool.state, depth: pool.queueDepth, workers: await pool.workers() };
}
