/**
 * Names shared by the engine's side of the queue (queue-pool.ts) and `tessera worker`
 * (queue-worker.ts): the BullMQ queue, the Redis keys beside it, and what a queued job carries.
 */
import type { WorkerInfo } from '../../shared/worker-shapes.js';

/** The BullMQ queue every engine and worker of one Redis database shares. */
export const TASK_QUEUE = 'tessera-tasks';
/** BullMQ's key prefix; Tessera's own keys live under it too. */
export const PREFIX = 'tessera';

/** A task's result: written by the worker before its BullMQ job completes, taken (GETDEL) by the engine. */
export const resultKey = (taskId: string) => `${PREFIX}:result:${taskId}`;
/** How long an unclaimed result stays (a duplicate run's, or one whose engine died). */
export const RESULT_TTL_S = 3600;
/**
 * Set by the engine when a running task's job is cancelled; a worker polls its running tasks' keys
 * every CANCEL_POLL_MS and raises that task's abort flag (polling survives reconnects, which a
 * pub/sub subscription would have to be made again after).
 */
export const cancelKey = (taskId: string) => `${PREFIX}:cancelled:${taskId}`;
export const CANCEL_POLL_MS = 100;
/**
 * A vector partition's tiles on their way to the engine: a list the worker appends batches to (at
 * most PARTITION_BATCHES_HELD at once) and the engine pops as it writes them (partition-stream.ts).
 */
export const batchesKey = (taskId: string) => `${PREFIX}:batches:${taskId}`;
export const PARTITION_BATCHES_HELD = 4;
/** BullMQ's own hash of a queued task: gone once the task completed, failed or was removed. */
export const taskJobKey = (taskId: string) => `${PREFIX}:${TASK_QUEUE}:${taskId}`;
/** One key per live worker, refreshed by its heartbeat and gone when the TTL lapses. */
export const workerKey = (name: string) => `${PREFIX}:worker:${name}`;
export const WORKER_KEY_PATTERN = `${PREFIX}:worker:*`;
export const HEARTBEAT_MS = 2000;
export const HEARTBEAT_TTL_S = 10;

/** The data of one BullMQ job: the task in wire form (task-wire.ts) and who asked for it. */
export interface QueuedTask {
  task: string;
  /** The engine that waits for it (its instance id), for the Workers view and for logs. */
  engine: string;
  /** The Tessera job the task belongs to, when the caller said (shown as a worker's current job). */
  job?: number;
}

/** What a worker writes under a task's result key: the task's output and the worker that made it. */
export interface TaskResult {
  worker: string;
  result: unknown;
}

/**
 * Task names that travel as they are; vector partitions travel too, through `cutPartition` (their
 * tiles stream back in batches), and the rest stay in the engine.
 */
export const REMOTE_TASKS = new Set(['renderBlock', 'verifyTiles', 'rasterOverviewTiles']);

/** What a worker heartbeats: what `workers.list` shows of it. */
export type WorkerBeat = WorkerInfo;
