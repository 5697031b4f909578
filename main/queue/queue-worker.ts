/**
 * `tessera worker`'s core: takes tasks from the BullMQ queue, runs them, and sends results back.
 *
 * - CPU work never runs on this process's event loop, so BullMQ's lock renewals are never late
 *   for it: encoders and decoders run in the same piscina pool and workers/*.ts task functions as
 *   the engine's, and GDAL's warps on libuv's threads (gdal-async's async API), as in the engine.
 * - A result is written under its own key (GETDEL by the engine) before the job completes, so the
 *   events stream carries no tile bytes; a re-delivered task writes the same bytes again.
 * - A heartbeat key per worker (name, host, pid, concurrency, tasks done, current tasks and jobs,
 *   started, last beat) with a TTL: a worker killed with -9 disappears from the list by itself.
 * - Cancels: the engine marks a task's cancel key; polled every 100 ms, it raises that task's abort flag.
 * - `close()` (SIGTERM): takes nothing new, finishes the tasks it holds, removes its key.
 */
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import type { Logger } from '../logging/logger.js';
import type { PartitionTileTask, RasterBlockTask } from '../pool/task-pool.js';
import { WorkerPool } from '../pool/worker-pool.js';
import { warpAndEncode } from '../preseed/raster/render-block.js';
import type { TaskName, WorkerTasks } from '../../workers/task-map.js';
import { BlockSources } from './block-sources.js';
import { relayPartition } from './partition-relay.js';
import './redis-driver.js';
import {
  CANCEL_POLL_MS,
  HEARTBEAT_MS,
  HEARTBEAT_TTL_S,
  PREFIX,
  type QueuedTask,
  RESULT_TTL_S,
  type TaskResult,
  TASK_QUEUE,
  type WorkerBeat,
  cancelKey,
  resultKey,
  workerKey,
} from './queue-keys.js';
import { parseQueueUrl, redactQueueUrl } from './queue-url.js';
import { RedisCommands } from './redis-commands.js';
import { decodeWire, encodeWire } from './task-wire.js';

export interface QueueWorkerOptions {
  url: string;
  name: string;
  /** The threads of its pool; it holds twice as many tasks (see the Worker's concurrency). */
  concurrency: number;
  /** The pool's worker module (workers/pool-entry.js). */
  workerFile: string;
  logger: Logger;
  /**
   * How long a task's lock lasts without renewal before BullMQ re-delivers it (ms; default 30 s).
   * Renewals come every half of it from this event loop, which CPU work never blocks.
   */
  lockMs?: number;
}

export interface QueueWorker {
  readonly name: string;
  /** Stops taking tasks, finishes those it holds, removes its heartbeat. */
  close(): Promise<void>;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = parseQueueUrl(options.url);
  const { name, logger } = options;
  const pool = new WorkerPool({ filename: options.workerFile, threads: options.concurrency });
  const sources = new BlockSources();
  const running = new Map<string, { task: string; job: number | null; stop: AbortController }>();
  const beat: WorkerBeat = {
    name,
    host: hostname(),
    pid: process.pid,
    concurrency: options.concurrency,
    tasksDone: 0,
    tasksFailed: 0,
    current: [],
    startedAt: new Date().toISOString(),
    lastBeatAt: '',
    stopping: false,
  };
  const lockDuration = options.lockMs ?? 30_000;
  const keys = new RedisCommands(connection);

  const worker = new Worker<QueuedTask>(
    TASK_QUEUE,
    async (job: Job<QueuedTask>) => {
      const id = job.id!;
      const stop = new AbortController();
      running.set(id, { task: job.name, job: job.data.job ?? null, stop });
      try {
        const task: unknown = decodeWire(job.data.task);
        const result =
          job.name === 'renderBlock'
            ? await renderBlock(task as RasterBlockTask, stop.signal)
            : job.name === 'vectorTiles'
              ? await relayPartition(task as PartitionTileTask, { id, keys, pool, signal: stop.signal, wake: () => job.updateProgress(Date.now()) })
              : await pool.run(job.name as TaskName<WorkerTasks>, task as never, { signal: stop.signal });
        // The worker's name travels with the result: the engine counts each job's tasks per worker.
        await handBack(resultKey(id), encodeWire({ worker: name, result } satisfies TaskResult));
        beat.tasksDone++;
      } catch (error) {
        beat.tasksFailed++;
        const coded = toTesseraError(error);
        // The item's error names the worker: a source one machine cannot read is that machine's problem.
        const message = coded.code === 'ABORTED' ? coded.message : `on worker ${name} (${beat.host}): ${coded.message}`;
        throw new Error(JSON.stringify({ code: coded.code, message, details: coded.details ?? null, transient: coded.transient, worker: name }));
      } finally {
        running.delete(id);
      }
    },
    {
      connection,
      prefix: PREFIX,
      // One task more than threads per thread: while one is encoded, the next is warped and its
      // round trip through Redis is hidden, as the engine's window of blocks in flight does.
      concurrency: options.concurrency * 2,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      // A task re-delivered this many times is failed (WORKER_CRASHED at the engine, which retries the item).
      maxStalledCount: 3,
    },
  );
  // BullMQ retries a lost connection every second or so: said once per half minute, not each time.
  let saidAt = 0;
  worker.on('error', (error) => {
    if (Date.now() - saidAt < 30_000) return;
    saidAt = Date.now();
    logger.warn(`worker ${name}: queue at ${redactQueueUrl(options.url)}: ${error.message} (retrying)`);
  });

  /**
   * Writes a result, waiting through a short Redis outage (a restart): a result computed is not
   * thrown away for a dropped connection. Past that, IO_ERROR, which the engine's item retries.
   */
  async function handBack(key: string, value: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await keys.send('SET', [key, value, 'EX', String(RESULT_TTL_S)]);
        return;
      } catch (error) {
        if (attempt >= 20) throw new TesseraError('IO_ERROR', `could not hand a result back to the queue: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  async function renderBlock(task: RasterBlockTask, signal: AbortSignal) {
    const source = await sources.get(task.path);
    return warpAndEncode(source, pool, task, signal);
  }

  let polling = false;
  const pollCancels = async () => {
    if (polling || running.size === 0) return;
    polling = true;
    try {
      for (const [id, task] of running) {
        if (!task.stop.signal.aborted && (await keys.send('GET', [cancelKey(id)])) !== null) task.stop.abort();
      }
    } catch {
      // Redis away: nothing to learn until it is back.
    } finally {
      polling = false;
    }
  };
  const cancelTimer = setInterval(() => void pollCancels(), CANCEL_POLL_MS);

  const heartbeat = async () => {
    beat.current = [...running.values()].map((r) => ({ task: r.task, job: r.job }));
    beat.lastBeatAt = new Date().toISOString();
    try {
      await keys.send('SET', [workerKey(name), JSON.stringify(beat), 'EX', String(HEARTBEAT_TTL_S)]);
    } catch {
      // Redis away: the next beat tries again; the key's TTL says the rest.
    }
  };
  await heartbeat();
  const timer = setInterval(() => void heartbeat(), HEARTBEAT_MS);

  logger.info(`worker ${name} on ${beat.host} (pid ${process.pid}) takes tasks from ${redactQueueUrl(options.url)}, ${options.concurrency} at once`);
  let closing: Promise<void> | null = null;
  return {
    name,
    close: () => {
      closing ??= (async () => {
        beat.stopping = true;
        if (keys.connected) await heartbeat();
        // Waits for the tasks it holds: they complete and their results reach the engine. Holding
        // none, it closes at once (force): a graceful close waits for its connection to be ready,
        // which never comes while Redis is away.
        await worker.close(running.size === 0);
        clearInterval(timer);
        clearInterval(cancelTimer);
        // Redis away: the key expires by itself (its TTL), nothing to wait for.
        if (keys.connected) await keys.send('DEL', [workerKey(name)]).catch(() => {});
        keys.close();
        await sources.close();
        await pool.destroy();
      })();
      return closing;
    },
  };
}
