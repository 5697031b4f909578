/**
 * The CPU worker pool: piscina over worker_threads, sized to the cores, with a bounded queue.
 *
 * What it adds to piscina: cooperative cancellation (each task gets a shared abort flag that the
 * worker loop reads between tiles; see workers/abort-flag.ts) with a hard stop behind it (a task
 * that has not settled `graceMs` after the abort has its worker terminated and replaced), waiting
 * for room instead of failing when the queue is full (back-pressure for planners), coded errors,
 * and counters for metrics.
 *
 * The threads start with the first task, not with the pool: each holds a V8 isolate and its own
 * native modules (~20 MiB of RSS), and an engine whose jobs never use the pool (an ingest runs its
 * GDAL work on the main thread) should not pay for idle ones. From then on the pool is what it
 * always was: all threads kept, a dead one replaced at once (which piscina does only below its
 * minThreads, hence a piscina made on first use rather than one with minThreads 0, whose queued
 * tasks would wait for a next `run` once its last thread died).
 */
import { availableParallelism, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AbortError, TesseraError, isAbortError, toTesseraError } from '../../shared/errors.js';
import { createAbortFlag, raiseAbortFlag } from '../../workers/abort-flag.js';
import type { TaskInput, TaskMap, TaskName, TaskOutput, WorkerTasks } from '../../workers/task-map.js';
import { RoomWaiters } from './room-waiters.js';

export interface WorkerPoolOptions {
  /** The worker module (compiled JS); tasks are its named exports. */
  filename: string;
  /** Threads; defaults to the number of cores. */
  threads?: number;
  /** Tasks waiting beyond the running ones before `whenReady()` makes callers wait. */
  maxQueue?: number;
  /** How long a cancelled task may take to notice its abort flag before its worker is terminated. */
  graceMs?: number;
  /** Memory cap per worker (MB of old-generation heap); defaults to defaultWorkerHeapMb(threads). */
  maxOldGenerationSizeMb?: number;
  /** Each worker's young generation (MB); defaults to WORKER_YOUNG_GENERATION_MB. */
  maxYoungGenerationSizeMb?: number;
}

/**
 * The young generation of each worker's heap, in MB. Left to V8, it grows to 3 × 16 MiB of
 * semi-spaces per isolate here, and a tiling worker, which allocates short-lived arrays as fast as
 * it can, fills it. states_provinces z0–10 (bench/memory-bench.ts, run alternately at load 11–16):
 * V8's default peaked at 403–465 MiB, 16 MB at 392–446, 8 MB at 335–359, 4 MB at 341–351 for
 * ~14% more CPU; at z0–8, 8 MB took 8.9 CPU s against 8.6 (medians of 5). Raster preseeds, whose
 * workers hold pixels outside the JS heap, stayed where they were (312–330 against 319–322 MiB).
 * Re-measured with the engine process's own tunings (engine-tuning.ts; load 10–19, same rounds):
 * 12 MB peaked at 293/328/299 MiB and 21.6 CPU s (median), 8 MB at 347/372/325 and 23.0, V8's
 * default at 387/465/361 and 22.9: 12 MB is lower than 8 in every round and no slower
 * (docs/gdal-threading.md, "Memory of the engine process").
 */
export const WORKER_YOUNG_GENERATION_MB = 12;

/**
 * Lets the workers take their own young generation (resourceLimits) in a process started with
 * `--max-semi-space-size` (the engine process bounds its main thread so: engine-tuning.ts).
 *
 * Why: V8 reads that flag for every isolate it makes and lets it override a worker's
 * resourceLimits, so the main thread's 1 MiB bound held each tiling worker to 1 MiB semi-spaces:
 * more of its short-lived arrays were promoted, and a Blue Marble z0–6 preseed peaked higher, not
 * lower (393 against 334 MiB). The main thread's heap is sized when the process starts, so setting
 * the flag back to 0 (V8's "not set") before the first worker leaves the main thread bounded.
 */
function releaseSemiSpaceFlag(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size'));
  if (given) setFlagsFromString('--max-semi-space-size=0');
}

export interface RunOptions {
  signal?: AbortSignal;
  transferList?: TransferListItem[];
}

export interface PoolStats {
  threads: number;
  running: number;
  queued: number;
  completed: number;
  workerRestarts: number;
  /** Threads alive now: 0 until the first task, at most `threads`. */
  startedThreads: number;
}

/**
 * `Tasks` is the map of the worker module's tasks (workers/task-map.ts): `run` takes only its task
 * names, each with its own input type, and resolves to that task's output type. The default is the
 * app's map (workers/pool-entry.ts); tests that load workers/testing/scripted-tasks.ts use theirs.
 */
export class WorkerPool<Tasks extends TaskMap<Tasks> = WorkerTasks> {
  readonly threads: number;
  private readonly options: WorkerPoolOptions;
  /** Made by the first `run`. */
  private piscina: Piscina | null = null;
  private destroyed = false;
  private readonly graceMs: number;
  private readonly maxQueue: number;
  private running = 0;
  private completed = 0;
  private restarts = 0;
  private readonly roomWaiters = new RoomWaiters();
  /** Called whenever a worker dies and is replaced (for metrics and logs). */
  onWorkerRestart: (error: TesseraError) => void = () => {};

  constructor(options: WorkerPoolOptions) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxQueue = options.maxQueue ?? this.threads * 4;
    this.graceMs = options.graceMs ?? 100;
    this.options = {
      ...options,
      maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? defaultWorkerHeapMb(this.threads),
      maxYoungGenerationSizeMb: options.maxYoungGenerationSizeMb ?? WORKER_YOUNG_GENERATION_MB,
    };
  }

  /** The heap bound each worker runs under (MB). */
  get heapLimitMb(): number {
    return this.options.maxOldGenerationSizeMb!;
  }

  private started(): Piscina {
    if (this.piscina) return this.piscina;
    releaseSemiSpaceFlag();
    this.piscina = new Piscina({
      filename: this.options.filename,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Room for the planner to get ahead without unbounded memory; whenReady() keeps it below this.
      maxQueue: this.maxQueue * 2,
      // A worker that died is replaced right away (piscina's default), only its task fails.
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb, maxYoungGenerationSizeMb: this.options.maxYoungGenerationSizeMb },
    });
    // Errors of one task reject that task; this keeps an unexpected pool-level error from crashing the app.
    this.piscina.on('error', () => {});
    return this.piscina;
  }

  /** Runs the worker export `name` with `task`; rejects with a TesseraError (ABORTED when cancelled). */
  async run<K extends TaskName<Tasks>>(name: K, task: TaskInput<Tasks, K>, options: RunOptions = {}): Promise<TaskOutput<Tasks, K>> {
    const { signal } = options;
    if (signal?.aborted) throw new AbortError();
    // Else a task sent during shut-down would start threads that nothing stops.
    if (this.destroyed) throw new TesseraError('INTERNAL', `worker task ${name}: the worker pool is destroyed (the engine is closing)`);
    const flag = createAbortFlag();
    const hardStop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      raiseAbortFlag(flag);
      timer = setTimeout(() => hardStop.abort(), this.graceMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    this.running++;
    try {
      return (await this.started().run({ ...task, abort: flag }, { name, signal: hardStop.signal, transferList: options.transferList })) as TaskOutput<
        Tasks,
        K
      >;
    } catch (error) {
      // Piscina replaces a worker that exited or was terminated; count it either way.
      if (hardStop.signal.aborted)
        this.workerReplaced(new TesseraError('WORKER_CRASHED', `a worker ignored its abort flag for ${this.graceMs} ms and was terminated`));
      if (signal?.aborted || isAbortError(error)) throw new AbortError();
      const coded = workerError(error, name, this.options.maxOldGenerationSizeMb);
      if (coded.code === 'WORKER_CRASHED' || coded.code === 'WORKER_OUT_OF_MEMORY') this.workerReplaced(coded);
      throw coded;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.running--;
      this.completed++;
      this.wakeRoomWaiters();
    }
  }

  /** Resolves when the queue has room for another task: planners await this before each `run`. */
  async whenReady(signal?: AbortSignal): Promise<void> {
    while ((this.piscina?.queueSize ?? 0) >= this.maxQueue) {
      if (signal?.aborted) throw new AbortError();
      await this.roomWaiters.next(signal);
    }
    if (signal?.aborted) throw new AbortError();
  }

  stats(): PoolStats {
    return {
      threads: this.threads,
      running: this.running,
      queued: this.piscina?.queueSize ?? 0,
      completed: this.completed,
      workerRestarts: this.restarts,
      startedThreads: this.piscina?.threads.length ?? 0,
    };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    await this.piscina?.destroy();
  }

  private workerReplaced(reason: TesseraError): void {
    this.restarts++;
    this.onWorkerRestart(reason);
  }

  private wakeRoomWaiters(): void {
    this.roomWaiters.wakeAll();
  }
}

/**
 * Half the machine's memory shared by the threads, between 256 MB and 4 GB each: every worker at
 * its bound still leaves the engine and the OS room, so a task too big for its share fails with
 * WORKER_OUT_OF_MEMORY instead of pushing the machine into swap.
 */
export function defaultWorkerHeapMb(threads: number, totalBytes = totalmem()): number {
  return Math.max(256, Math.min(4096, Math.floor(totalBytes / 2 / 1024 ** 2 / Math.max(1, threads))));
}

/**
 * Tells a dead worker from a failed task. Tasks made with workers/task.ts throw their wire form
 * (`{ code, message }`), so a real Error reaching us comes from the pool itself. Piscina gives
 * those no code, only these texts (piscina 5, dist/index.js onWorkerExit and errors.js), plus
 * Node's own code when a worker runs out of memory. A task over the memory bound is not retried
 * (WORKER_OUT_OF_MEMORY is not transient): the same input would only hit the bound again.
 */
function workerError(error: unknown, task: string, heapMb: number | undefined): TesseraError {
  if (error instanceof Error && !(error instanceof TesseraError)) {
    if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new TesseraError(
        'WORKER_OUT_OF_MEMORY',
        `worker task ${task} needed more than the worker's memory limit (${heapMb ?? 'V8 default'} MB of heap) and was stopped; its worker was replaced`,
        { cause: error, details: { task, heapMb: heapMb ?? null } },
      );
    }
    const died = /^worker exited with code/.test(error.message) || error.message === 'Terminating worker thread';
    if (died) return new TesseraError('WORKER_CRASHED', `worker thread died while running a task: ${error.message}`, { cause: error });
  }
  return toTesseraError(error);
}
