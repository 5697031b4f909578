/**
 * The typed boundary between the engine and its worker threads: every task the app's pool can run
 * (the named exports of workers/pool-entry.ts), with its input and its output, in one map.
 * `WorkerPool.run(name, input)` is generic over a map like this one, so a wrong task name, a wrong
 * input or a wrong use of the output fails to compile (as MapLibre's typed actor messages do).
 *
 * Inputs are the task modules' own task types without `abort`: the pool adds that flag itself.
 * pool-entry.ts declares each export with `WorkerTaskFn<…>`, so a task whose types drift from this
 * map fails to compile there; workers/task-map.test.ts checks that every task here is exported.
 */
import type { DatasetTileResult, DatasetTileTask } from './dataset-tile.js';
import type { RasterOverviewTask } from './raster-overview.js';
import type { RasterTilesResult, RasterTilesTask } from './raster-tiles.js';
import type { VectorPartitionTask, VectorTilesResult, VectorTilesTask } from './vector-tiles.js';
import type { PartitionResult } from './vector/partition-features.js';
import type { VerifyTilesResult, VerifyTilesTask } from './verify-tiles.js';

/** One task of a map: what the engine sends and what the worker answers. */
export interface TaskSpec<Input extends object = object, Output = unknown> {
  input: Input;
  output: Output;
}

/** What a task map is: a record of TaskSpecs (an interface, so checked per map with `TaskMap<M>`). */
export type TaskMap<M> = { [K in keyof M]: TaskSpec };

/** The flag the pool adds to every task: not part of what a caller sends. */
type PoolAdded = 'abort';

/** The app's worker tasks (workers/pool-entry.ts). */
export interface WorkerTasks {
  verifyTiles: TaskSpec<Omit<VerifyTilesTask, PoolAdded>, VerifyTilesResult>;
  rasterTiles: TaskSpec<Omit<RasterTilesTask, PoolAdded>, RasterTilesResult>;
  rasterOverviewTiles: TaskSpec<Omit<RasterOverviewTask, PoolAdded>, RasterTilesResult>;
  vectorPartition: TaskSpec<Omit<VectorPartitionTask, PoolAdded>, PartitionResult>;
  vectorTiles: TaskSpec<Omit<VectorTilesTask, PoolAdded>, VectorTilesResult>;
  datasetTile: TaskSpec<Omit<DatasetTileTask, PoolAdded>, DatasetTileResult>;
}

/** The names of a map's tasks (those `run` accepts). */
export type TaskName<M> = keyof M & string;
/** What `run(name, …)` takes for task `K` of map `M`. */
export type TaskInput<M, K extends keyof M> = M[K] extends TaskSpec<infer I, unknown> ? I : never;
/** What `run(name, …)` resolves to for task `K` of map `M`. */
export type TaskOutput<M, K extends keyof M> = M[K] extends TaskSpec<object, infer O> ? O : never;

/** The worker-side function of task `K`: its input plus the pool's abort flag, its output as a promise. */
export type WorkerTaskFn<M, K extends keyof M> = (task: TaskInput<M, K> & { abort?: SharedArrayBuffer }) => Promise<TaskOutput<M, K>>;

/** A whole worker module as the pool sees it: one function per task of the map. */
export type WorkerModule<M> = { [K in keyof M]: WorkerTaskFn<M, K> };
