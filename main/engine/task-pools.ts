/**
 * Which pool an engine's tasks go to: its own piscina threads (no queue: exactly as before, and
 * nothing of BullMQ is loaded) or a BullMQ queue (`--queue`, else Settings › Task queue), with the
 * engine's threads behind it for the tasks that do not travel. Also what `workers.list`,
 * `jobs.workers` and the Prometheus gauges read from it.
 *
 * The setting takes effect without a restart: `configure` switches the pool that jobs started from
 * then on get; a running job keeps the pool it started on (its tasks in flight, its window of
 * blocks sized by that pool's threads), and a pool switched away from closes once its last job
 * ends. The engine's own threads are one pool for the engine's life, shared by every queue pool.
 */
import { Gauge } from 'prom-client';
import type { JobWorkerTasks, WorkersStatus } from '../../shared/worker-shapes.js';
import { type EngineOptions, defaultWorkerFile } from './engine-options.js';
import type { ContractHandlers } from './handlers.js';
import type { EngineMetrics } from './metrics.js';
import type { Logger } from '../logging/logger.js';
import type { TaskPool } from '../pool/task-pool.js';
import { WorkerPool } from '../pool/worker-pool.js';
import { QueuePool } from '../queue/queue-pool.js';
import type { JobStore } from '../store/job-store.js';
import { JobWorkerTally, WORKERS_EVENT, describeWorkers, keptWorkers } from './job-workers.js';

export interface TaskPoolContext {
  logger: Logger;
  metrics: EngineMetrics;
  /** The engine's running jobs: a task's signal tells which one it belongs to (the Workers view's current job). */
  active: ReadonlyMap<number, { controller: AbortController }>;
  health: (state: 'ok' | 'failed' | 'disabled', message: string) => void;
}

interface PoolEntry {
  pool: TaskPool;
  /** The queue's URL (with its password: never shown), null for the engine's threads. */
  url: string | null;
  /** Running jobs that started on it. */
  users: number;
}

export class TaskPools {
  /** Each job's tasks per worker. */
  readonly tally = new JobWorkerTally();
  private readonly local: WorkerPool;
  private current: PoolEntry;
  /** Pools switched away from, closing once their last job ends; destroy() waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private gauges = false;

  constructor(
    private readonly options: Pick<EngineOptions, 'workerFile' | 'threads' | 'queue'>,
    private readonly context: TaskPoolContext,
  ) {
    this.local = new WorkerPool({ filename: options.workerFile ?? defaultWorkerFile(), threads: options.threads });
    this.local.onWorkerRestart = (error) => {
      context.metrics.workerRestarts.inc();
      context.logger.warn(error.message);
    };
    this.current = { pool: this.local, url: null, users: 0 };
  }

  /** The pool for what starts now: a job's run (see acquire), a preview, an estimate. */
  get pool(): TaskPool {
    return this.current.pool;
  }

  /**
   * `setting`: Settings › Task queue with its password (null or empty: no queue); `--queue` wins.
   * Jobs already running keep their pool; a new one is made only when the URL changed.
   */
  configure(setting: string | null | undefined): void {
    const url = this.options.queue || setting || null;
    if (url === this.current.url) return;
    const previous = this.current;
    this.current = { pool: url ? this.queuePool(url) : this.local, url, users: 0 };
    if (url === null) this.context.health('disabled', 'no task queue: raster and verify tasks run in the engine’s own threads');
    this.retireIfIdle(previous);
  }

  /**
   * The pool job `id` runs on from start to end, and its tasks per worker counted from what its
   * earlier runs kept; `release` when the run ends keeps the count with the job (a timeline entry).
   */
  acquire(id: number, store: JobStore): { pool: TaskPool; release: () => void } {
    const entry = this.current;
    entry.users++;
    this.tally.begin(id, keptWorkers(store.lastEventOfType(id, WORKERS_EVENT)?.data));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const kept = this.tally.end(id);
      try {
        if (kept) store.appendEvent(id, WORKERS_EVENT, describeWorkers(kept), { workers: kept });
      } catch (error) {
        // A full store volume: the breakdown is lost, not the job's end (its state is already recorded).
        this.context.logger.warn(`job ${id}: its tasks per worker were not kept: ${String(error)}`);
      }
      entry.users--;
      this.retireIfIdle(entry);
    };
    return { pool: entry.pool, release };
  }

  /** `workers.list`: the queue, its depth and its workers; no queue, no workers. */
  async list(): Promise<WorkersStatus> {
    const pool = this.current.pool;
    if (!(pool instanceof QueuePool)) return { queue: null, source: null, state: null, depth: 0, workers: [] };
    const source = this.options.queue ? 'option' : 'setting';
    return { queue: pool.where, source, state: pool.state, depth: pool.queueDepth, workers: await pool.workers() };
  }

  /**
   * Waits (at most `timeoutMs`) for a new queue to be reached, so a reply to a saved setting finds
   * the `queue` check and the Workers view already saying whether it was.
   */
  async settle(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let pool = this.current.pool; pool instanceof QueuePool && pool.state === 'waiting' && Date.now() < deadline; pool = this.current.pool) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * After settle(): why the queue jobs now go to is not reached, for the save's reply (null: it
   * is, or there is none). Names the reason Redis gave (WRONGPASS, ECONNREFUSED), never the password.
   */
  queueWarning(): string | null {
    const pool = this.current.pool;
    if (!(pool instanceof QueuePool) || pool.state !== 'waiting') return null;
    const reason = pool.problem ?? 'no reply yet';
    return `Task queue: ${pool.where} was not reached (${reason}); jobs started now wait at "running" until it is. Check the host, port and password.`;
  }

  /** `workers.list` and `jobs.workers`. */
  handlers(store: JobStore): Pick<ContractHandlers, 'workers.list' | 'jobs.workers'> {
    return { 'workers.list': () => this.list(), 'jobs.workers': (i) => this.jobWorkers(i.id, store) };
  }

  /** `jobs.workers`: live while the job runs here, else what its runs kept. */
  jobWorkers(id: number, store: JobStore): JobWorkerTasks[] {
    store.getJob(id); // NOT_FOUND for an unknown job
    return this.tally.current(id) ?? keptWorkers(store.lastEventOfType(id, WORKERS_EVENT)?.data);
  }

  async destroy(): Promise<void> {
    const current = this.current;
    if (current.pool !== this.local) this.closing.add(this.closed(current.pool));
    await Promise.allSettled(this.closing);
    await this.local.destroy();
  }

  private queuePool(url: string): QueuePool {
    const { active, logger } = this.context;
    const jobOf = (signal: AbortSignal | undefined) => [...active].find(([, job]) => job.controller.signal === signal)?.[0];
    const pool: QueuePool = new QueuePool({
      url,
      local: new KeptPool(this.local),
      logger,
      jobOf,
      // A pool switched away from no longer speaks for the engine's `queue` check.
      onState: (state, message) => {
        if (this.current.pool === pool) this.context.health(state, message);
      },
      onSettled: (outcome) => this.tally.record(outcome),
    });
    this.context.health('failed', `the task queue at ${pool.where} is not reached yet; jobs wait for it`);
    this.registerGauges();
    return pool;
  }

  private retireIfIdle(entry: PoolEntry): void {
    if (entry === this.current || entry.users > 0 || entry.pool === this.local) return;
    this.context.logger.info(`the task queue at ${(entry.pool as QueuePool).where} is closed: its last job ended`);
    const closing = this.closed(entry.pool);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  private closed(pool: TaskPool): Promise<void> {
    return pool.destroy().catch((error: unknown) => this.context.logger.warn(`closing a task queue failed: ${String(error)}`));
  }

  /** Registered with the first queue (an engine that never has one shows none), read at each scrape. */
  private registerGauges(): void {
    if (this.gauges) return;
    this.gauges = true;
    const pools = this;
    const queue = () => (pools.current.pool instanceof QueuePool ? pools.current.pool : null);
    let last: WorkersStatus | null = null;
    new Gauge({
      name: 'tessera_task_queue_workers',
      help: 'tessera worker processes with a live heartbeat on the task queue',
      registers: [this.context.metrics.registry],
      async collect() {
        last = await pools.list().catch(() => last);
        this.set(queue() ? (last?.workers.length ?? 0) : 0);
      },
    });
    new Gauge({
      name: 'tessera_task_queue_depth',
      help: 'Tasks waiting in the task queue for a worker',
      registers: [this.context.metrics.registry],
      collect() {
        this.set(queue()?.queueDepth ?? 0);
      },
    });
  }
}

/** The engine's threads as a queue pool's local pool: closing a queue pool must not close them. */
class KeptPool implements TaskPool {
  constructor(private readonly inner: TaskPool) {}
  get threads(): number {
    return this.inner.threads;
  }
  get heapLimitMb(): number {
    return this.inner.heapLimitMb;
  }
  get onWorkerRestart(): TaskPool['onWorkerRestart'] {
    return this.inner.onWorkerRestart;
  }
  set onWorkerRestart(handler: TaskPool['onWorkerRestart']) {
    this.inner.onWorkerRestart = handler;
  }
  run: TaskPool['run'] = (name, task, options) => this.inner.run(name, task, options);
  whenReady = (signal?: AbortSignal) => this.inner.whenReady(signal);
  stats = () => this.inner.stats();
  destroy = async () => {};
}
