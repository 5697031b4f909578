/**
 * The engine's side of scale-out: a TaskPool whose raster blocks, overview levels, verify
 * batches and vector partitions become BullMQ jobs that `tessera worker` processes take
 * (main/queue/queue-worker.ts; a partition's tiles stream back in batches, partition-stream.ts).
 * Everything else (splitting a vector source into partitions; catalogue previews) runs in the
 * engine's own pool as before. The engine stays the only writer: workers send back tile bytes and
 * verdicts, never touch an output or the job store.
 *
 * - Bounded: at most `credits` tasks are in flight (whenReady waits below that), and a result lives
 *   in Redis only between the worker's write and the engine's GETDEL, so Redis holds at most
 *   `credits` tasks and results whatever the job's size.
 * - At-least-once is harmless: a task re-delivered after a stall may run twice, but its promise
 *   settles once (the first completion), and the engine writes tiles by z/x/y, so nothing is
 *   written or counted twice.
 * - Redis restarted (or its data lost): BullMQ's connections reconnect by themselves, and a sweep
 *   every `sweepMs` puts back any task in flight whose BullMQ job and result are both gone. While
 *   Redis is unreachable, tasks wait (never fail for that) and the pool's `state` says so.
 * - Cancel: a task's signal removes its job if it still waits, and otherwise publishes its id so
 *   the worker raises that task's abort flag (it stops at its next tile); the promise rejects at once.
 */
import { randomUUID } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import { AbortError, TesseraError, toTesseraError } from '../../shared/errors.js';
import type { RasterTilesResult } from '../../workers/raster-tiles.js';
import type { TaskInput, TaskName, TaskOutput, WorkerTasks } from '../../workers/task-map.js';
import type { Logger } from '../logging/logger.js';
import type { PartitionTileTask, PartitionTileWriter, RasterBlockTask, TaskPool } from '../pool/task-pool.js';
import type { VectorTilesResult } from '../../workers/vector-tiles.js';
import { receivePartition } from './partition-stream.js';
import type { PoolStats, RunOptions } from '../pool/worker-pool.js';
import { PREFIX, type QueuedTask, REMOTE_TASKS, TASK_QUEUE, type TaskResult, WORKER_KEY_PATTERN, type WorkerBeat, cancelKey, resultKey } from './queue-keys.js';
import { RedisCommands } from './redis-commands.js';
import { parseQueueUrl, redactQueueUrl } from './queue-url.js';
import { decodeWire, encodeWire } from './task-wire.js';
import { RoomWaiters } from '../pool/room-waiters.js';

/** How long each step of a pool's close may wait for Redis before its connections are dropped. */
export const CLOSE_STEP_MS = 3000;

export interface QueuePoolOptions {
  /** redis://HOST:PORT/DB (rediss:// for TLS); its password is never logged. */
  url: string;
  /** The engine's own pool, for the tasks that do not travel. */
  local: TaskPool;
  logger: Logger;
  /** Tasks in flight at once (default 16): what bounds Redis memory and the engines' windows. */
  credits?: number;
  /** How often tasks in flight are checked against Redis (lost after a restart). */
  sweepMs?: number;
  /** The Tessera job a task's signal belongs to, for the Workers view. */
  jobOf?: (signal: AbortSignal | undefined) => number | undefined;
  /** Reachability changes, for the engine's health. */
  onState?: (state: 'ok' | 'failed', message: string) => void;
  /** Each task settled by a worker (once, however often it ran): who ran it, for the job's tasks per worker. */
  onSettled?: (outcome: TaskOutcome) => void;
}

/** A task a worker settled: its Tessera job (when known), the worker's name (null: BullMQ's own failure) and its output. */
export interface TaskOutcome {
  job: number | undefined;
  task: string;
  worker: string | null;
  ok: boolean;
  result?: unknown;
}

interface InFlight {
  name: string;
  data: QueuedTask;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
  sentAt: number;
}

export class QueuePool implements TaskPool {
  readonly threads: number;
  onWorkerRestart: (error: TesseraError) => void = () => {};
  /** Redis reachable, or waiting for it (a task waits rather than fails); waiting until first connected. */
  state: 'connected' | 'waiting' = 'waiting';
  /** BullMQ is loaded (~0.4 s, 25 MiB) only by an engine that has a queue: see open(). */
  private readonly opened: Promise<{ queue: Queue; events: QueueEvents; clients: { disconnect(): void }[] }>;
  private queue: Queue | null = null;
  private readonly keys: RedisCommands;
  private readonly instance = randomUUID().slice(0, 8);
  private readonly inFlight = new Map<string, InFlight>();
  private readonly roomWaiters = new RoomWaiters();
  private readonly sweeper: NodeJS.Timeout;
  readonly where: string;
  /** Cancels being sent to Redis: destroy() waits for them, so a cancel then close reaches the workers. */
  private readonly cancelling = new Set<Promise<void>>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<string>>();
  /** Vector partitions being received, by task id: a worker's progress event says a batch waits. */
  private readonly partitionWakers = new Map<string, () => void>();
  private sequence = 0;
  private completed = 0;
  private depth = 0;
  private sweeping = false;
  /** Said that Redis is unreachable (once per outage). */
  private warned = false;
  private destroyed = false;
  /** Why Redis was last not reached (WRONGPASS, ECONNREFUSED…), its password taken out; null once reached. */
  problem: string | null = null;

  constructor(private readonly options: QueuePoolOptions) {
    const connection = parseQueueUrl(options.url);
    this.where = redactQueueUrl(options.url);
    this.threads = options.credits ?? 16;
    this.keys = new RedisCommands(connection);
    this.opened = this.open(connection);
    this.opened.catch(() => {}); // said by the first task that needs it
    this.sweeper = setInterval(() => void this.sweep(), options.sweepMs ?? 2000);
    this.sweeper.unref();
  }

  private async open(connection: ReturnType<typeof parseQueueUrl>): Promise<{ queue: Queue; events: QueueEvents; clients: { disconnect(): void }[] }> {
    const { withClients } = await import('./redis-driver.js');
    const { Queue, QueueEvents } = await import('bullmq');
    // Few events kept: results do not travel in them, and nothing reads old ones.
    const made = withClients(() => ({
      queue: new Queue(TASK_QUEUE, { connection, prefix: PREFIX, streams: { events: { maxLen: 1000 } } }),
      events: new QueueEvents(TASK_QUEUE, { connection, prefix: PREFIX }),
    }));
    const { queue, events } = made.value;
    queue.on('error', (error) => this.unreachable(error));
    events.on('error', (error) => this.unreachable(error));
    events.on('completed', ({ jobId }) => void this.claim(jobId).catch((error: unknown) => this.unreachable(error)));
    events.on('failed', ({ jobId, failedReason }) => this.failed(jobId, failedReason));
    events.on('progress', ({ jobId }) => this.partitionWakers.get(jobId)?.());
    this.queue = queue;
    void queue.waitUntilReady().then(
      () => this.reachable(),
      (error: unknown) => this.unreachable(error),
    );
    return { queue, events, clients: made.clients };
  }

  get heapLimitMb(): number {
    return this.options.local.heapLimitMb;
  }

  async run<K extends TaskName<WorkerTasks>>(name: K, task: TaskInput<WorkerTasks, K>, options: RunOptions = {}): Promise<TaskOutput<WorkerTasks, K>> {
    if (!REMOTE_TASKS.has(name)) return this.options.local.run(name, task, options);
    return (await this.send(name, task, options.signal)) as TaskOutput<WorkerTasks, K>;
  }

  renderBlock = async (task: RasterBlockTask, options: RunOptions): Promise<RasterTilesResult> =>
    (await this.send('renderBlock', task, options.signal)) as RasterTilesResult;

  /**
   * A vector partition cut on a worker from its spill files (partition-relay.ts), its tiles popped
   * in batches from Redis and handed to `write` (partition-stream.ts). The vector kind keeps twice
   * `threads` partitions going; only running ones hold batches in Redis (a few each).
   */
  cutPartition = (task: PartitionTileTask, write: PartitionTileWriter, options: RunOptions): Promise<VectorTilesResult> => {
    const id = this.nextId();
    const sent = this.send('vectorTiles', task, options.signal, id);
    return receivePartition({ id, keys: this.keys, sent, write, signal: options.signal, cancel: () => this.cancel(id), wakers: this.partitionWakers });
  };

  async whenReady(signal?: AbortSignal): Promise<void> {
    await this.options.local.whenReady(signal);
    while (this.inFlight.size >= this.threads) {
      if (signal?.aborted) throw new AbortError();
      await this.roomWaiters.next(signal);
    }
    if (signal?.aborted) throw new AbortError();
  }

  stats(): PoolStats {
    const local = this.options.local.stats();
    return { ...local, threads: this.threads, running: local.running + this.inFlight.size, queued: this.depth, completed: local.completed + this.completed };
  }

  /** Tasks waiting in the queue (all engines'), as of the last sweep. */
  get queueDepth(): number {
    return this.depth;
  }

  /** The live workers' last heartbeats (keys expire HEARTBEAT_TTL_S after a worker's last beat). */
  async workers(): Promise<WorkerBeat[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = (await this.keys.send('SCAN', [cursor, 'MATCH', WORKER_KEY_PATTERN, 'COUNT', '100'])) as [string, string[]];
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const beats = (await this.keys.send('MGET', keys)) as (string | null)[];
    return beats.flatMap((text) => (text ? [JSON.parse(text) as WorkerBeat] : [])).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Redis's own memory use (INFO memory), for the bench. */
  async redisMemory(): Promise<{ used: number; peak: number }> {
    const info = (await this.keys.send('INFO', ['memory'])) as string;
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? Number.NaN);
    return { used: field('used_memory'), peak: field('used_memory_peak') };
  }

  /**
   * Bounded whatever Redis does (away, refusing the password): each step waits at most
   * CLOSE_STEP_MS, then the connections are dropped, so the engine's close and `tessera serve`'s
   * shutdown always end promptly.
   */
  async destroy(): Promise<void> {
    this.destroyed = true;
    clearInterval(this.sweeper);
    const { settledWithin } = await import('./redis-driver.js');
    // Tasks of this engine left in the queue would only be computed for nobody: taken back, and
    // running ones told to stop, before the connections close.
    const cancels = [...this.inFlight.keys()].map((id) => this.cancel(id, new TesseraError('INTERNAL', 'the engine is closing')));
    await settledWithin(Promise.allSettled([...cancels, ...this.cancelling]), CLOSE_STEP_MS);
    // Opening only loads BullMQ and makes its clients (no Redis round trip): waited for in full.
    const opened = await this.opened.catch(() => null);
    const closed = opened ? await settledWithin(Promise.allSettled([opened.events.close(), opened.queue.close()]), CLOSE_STEP_MS) : true;
    if (opened && !closed) {
      this.options.logger.warn(`the task queue at ${this.where} did not close in ${CLOSE_STEP_MS / 1000} s: its connections are dropped`);
      for (const client of opened.clients) client.disconnect();
    }
    this.keys.close();
    await this.options.local.destroy();
  }

  private nextId(): string {
    return `${this.instance}-${++this.sequence}`;
  }

  private async send(name: string, task: unknown, signal: AbortSignal | undefined, id = this.nextId()): Promise<unknown> {
    if (signal?.aborted) throw new AbortError();
    if (this.destroyed) throw new TesseraError('INTERNAL', `worker task ${name}: the engine is closing`);
    const job = this.options.jobOf?.(signal);
    const data: QueuedTask = { task: encodeWire(task), engine: this.instance, ...(job === undefined ? {} : { job }) };
    const result = new Promise<unknown>((resolve, reject) => this.inFlight.set(id, { name, data, resolve, reject, sentAt: Date.now() }));
    const watched = signal ? this.watch(signal) : null;
    watched?.add(id);
    void this.add(id);
    try {
      return await result;
    } finally {
      watched?.delete(id);
      this.inFlight.delete(id);
      this.completed++;
      this.roomWaiters.wakeAll();
    }
  }

  /**
   * The tasks in flight under `signal`, cancelled together when it fires: one listener per job's
   * signal rather than one per task (a job keeps dozens of tasks in flight).
   */
  private watch(signal: AbortSignal): Set<string> {
    let ids = this.bySignal.get(signal);
    if (!ids) {
      const watched = new Set<string>();
      ids = watched;
      this.bySignal.set(signal, watched);
      signal.addEventListener(
        'abort',
        () => {
          this.bySignal.delete(signal);
          for (const id of watched) {
            const sending: Promise<void> = this.cancel(id).finally(() => this.cancelling.delete(sending));
            this.cancelling.add(sending);
          }
        },
        { once: true },
      );
    }
    return ids;
  }

  /** Queues task `id` (again, after a Redis restart lost it). Never throws: the sweep retries. */
  private async add(id: string): Promise<void> {
    const entry = this.inFlight.get(id);
    if (!entry) return;
    try {
      // Attempts stay 1: a task's own failure is the engine's to retry (its item policy); BullMQ
      // re-delivers only what stalled (a worker killed mid-task).
      const { queue } = await this.opened;
      await queue.add(entry.name, entry.data, { jobId: id, removeOnComplete: true, removeOnFail: true });
      this.reachable();
    } catch (error) {
      this.unreachable(error);
    }
  }

  private async claim(id: string): Promise<boolean> {
    const entry = this.inFlight.get(id);
    if (!entry) return false;
    const text = (await this.keys.send('GETDEL', [resultKey(id)])) as string | null;
    if (text === null) return false;
    // The first completion settles it; a duplicate's result (a re-delivered task) is never read.
    const { worker, result } = decodeWire<TaskResult>(text);
    const settling = this.inFlight.get(id);
    if (!settling) return true;
    this.options.onSettled?.({ job: settling.data.job, task: settling.name, worker, ok: true, result });
    settling.resolve(result);
    return true;
  }

  private failed(id: string, reason: string): void {
    const entry = this.inFlight.get(id);
    if (!entry) return;
    this.options.onSettled?.({ job: entry.data.job, task: entry.name, worker: workerOf(reason), ok: false });
    entry.reject(taskError(reason, entry.name));
  }

  private async cancel(id: string, reason: Error = new AbortError()): Promise<void> {
    const entry = this.inFlight.get(id);
    if (!entry) return;
    entry.reject(reason);
    try {
      // Removed if it still waits; a running one (locked) stays and is told to stop.
      await this.queue?.remove(id).catch(() => 0);
      await this.keys.send('SET', [cancelKey(id), '1', 'EX', '600']);
    } catch (error) {
      this.unreachable(error);
    }
  }

  /**
   * Settles or re-queues tasks whose events were missed: a task whose BullMQ job is gone either
   * completed (its result is there) or was lost with Redis's data (queued again). The job is read
   * before the result, because a worker writes the result before its job completes.
   */
  private async sweep(): Promise<void> {
    const queue = this.queue;
    if (this.sweeping || this.destroyed || !queue) return;
    this.sweeping = true;
    try {
      const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed');
      this.depth = (counts.wait ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
      this.reachable();
      const now = Date.now();
      for (const [id, entry] of [...this.inFlight]) {
        if (now - entry.sentAt < (this.options.sweepMs ?? 2000)) continue;
        if (await queue.getJob(id)) continue;
        if (await this.claim(id)) continue;
        if (!this.inFlight.has(id)) continue;
        this.options.logger.warn(`task ${id} (${entry.name}) was lost from the queue at ${this.where} (Redis restarted?); queued again`);
        entry.sentAt = now;
        await this.add(id);
      }
    } catch (error) {
      this.unreachable(error);
    } finally {
      this.sweeping = false;
    }
  }

  private unreachable(error: unknown): void {
    const reason = redactSecrets(error instanceof Error ? error.message : String(error), this.options.url);
    this.problem = reason;
    if (this.state === 'waiting' && this.warned) return;
    this.state = 'waiting';
    this.warned = true;
    const message = `the task queue at ${this.where} is unreachable (${reason}); jobs wait for it`;
    this.options.logger.warn(message);
    this.options.onState?.('failed', message);
  }

  private reachable(): void {
    if (this.state === 'connected') return;
    this.state = 'connected';
    this.problem = null;
    const message = this.warned
      ? `the task queue at ${this.where} is reachable again`
      : `raster, vector and verify tasks go to the task queue at ${this.where}`;
    this.warned = false;
    this.options.logger.info(message);
    this.options.onState?.('ok', message);
  }
}

/** A worker's failure as the engine's error: the wire form the worker threw, else WORKER_CRASHED. */
function taskError(reason: string, task: string): TesseraError {
  try {
    const parsed: unknown = JSON.parse(reason);
    if (typeof parsed === 'object' && parsed !== null && 'code' in parsed && 'message' in parsed) return toTesseraError(parsed);
  } catch {
    // Not ours: BullMQ's own reason, such as a task that stalled more often than allowed.
  }
  return new TesseraError('WORKER_CRASHED', `worker task ${task} failed in the queue: ${reason}`);
}

/** The worker named in a failure's wire form; null for BullMQ's own reasons (a task stalled too often). */
function workerOf(reason: string): string | null {
  try {
    const parsed: unknown = JSON.parse(reason);
    if (typeof parsed === 'object' && parsed !== null && 'worker' in parsed && typeof parsed.worker === 'string') return parsed.worker;
  } catch {
    // Not ours.
  }
  return null;
}

/** A message that might quote the URL, with its password taken out. */
function redactSecrets(text: string, url: string): string {
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password);
    } catch {
      return '';
    }
  })();
  return password ? text.split(password).join('***') : text;
}
