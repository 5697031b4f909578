/** What `workers.list` answers: the task queue an engine sends work to, and who takes it. */

/** One `tessera worker` process, as its last heartbeat said. */
export interface WorkerInfo {
  name: string;
  host: string;
  pid: number;
  /** Tasks it runs at once (its threads). */
  concurrency: number;
  tasksDone: number;
  tasksFailed: number;
  /** What it runs now: the task's name and the Tessera job it belongs to (null: not a job's, or not known). */
  current: { task: string; job: number | null }[];
  startedAt: string;
  lastBeatAt: string;
  /** Finishing what it holds before it exits (SIGTERM). */
  stopping: boolean;
}

export interface WorkersStatus {
  /** The queue's URL with any password taken out; null: tasks run in the engine's own threads. */
  queue: string | null;
  /** Where the queue comes from: `--queue` (this run; Settings › Task queue does not apply then) or the setting. */
  source: 'option' | 'setting' | null;
  /** connected, or waiting for Redis to come back (tasks wait, none fails for it). */
  state: 'connected' | 'waiting' | null;
  /** Tasks waiting in the queue for a worker (all engines'). */
  depth: number;
  workers: WorkerInfo[];
}

/**
 * One worker's share of one job's tasks (`jobs.workers`): counted by the engine as each task
 * settles (a re-delivered task counts once, for the worker whose result was read), kept with the
 * job when its run ends (its timeline's "workers" entry) and added to by a resumed run.
 */
export interface JobWorkerTasks {
  worker: string;
  tasksDone: number;
  tasksFailed: number;
  /** Tiles in the tasks it settled: made (raster) or checked (verify). */
  tiles: number;
  lastSeenAt: string;
}
