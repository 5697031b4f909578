/**
 * What the engine and the job kinds need of a worker pool, whoever runs the tasks: the in-process
 * piscina pool (main/pool/worker-pool.ts, the default) or a BullMQ queue consumed by
 * `tessera worker` processes (main/queue/queue-pool.ts). Kinds see only this, so a job runs the
 * same code either way; the engine stays the only writer of job state and outputs.
 */
import type { TesseraError } from '../../shared/errors.js';
import type { RasterTilesResult, TileEncoding } from '../../workers/raster-tiles.js';
import type { TaskInput, TaskName, TaskOutput, WorkerTasks } from '../../workers/task-map.js';
import type { TileIssueOut, VectorTilesResult, VectorTilesTask } from '../../workers/vector-tiles.js';
import type { TileToWrite } from '../tile-cache/tile-writer.js';
import type { PoolStats, RunOptions } from './worker-pool.js';

/** A raster block to warp and encode where the source is read: its path travels, not its pixels. */
export interface RasterBlockTask {
  /** The source as the engine opened it: a path on storage the workers share, or a GDAL virtual path. */
  path: string;
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  tileSize: number;
  resampling: 'nearest' | 'bilinear' | 'cubic' | 'lanczos' | 'average';
  stretch: [number, number][] | null;
  encoding: TileEncoding;
  /** The tiles to make, with the tile already in the output to compose over, if any. */
  tiles: { x: number; y: number; under?: Uint8Array }[];
}

/** A vector partition to cut where its spill files are read: the files travel by path, never their features. */
export type PartitionTileTask = Omit<VectorTilesTask, 'port' | 'credits' | 'abort'>;

/** Where a partition's tiles go as they are cut: resolves once they are written (the engine's WriteQueue). */
export type PartitionTileWriter = (tiles: TileToWrite[], issues: TileIssueOut[]) => Promise<void>;

export interface TaskPool {
  /** Tasks that can run at once: the pool's threads, or a queue's tasks in flight (its credits). */
  readonly threads: number;
  /** The heap bound of the engine's own worker threads (MB). */
  readonly heapLimitMb: number;
  run<K extends TaskName<WorkerTasks>>(name: K, task: TaskInput<WorkerTasks, K>, options?: RunOptions): Promise<TaskOutput<WorkerTasks, K>>;
  whenReady(signal?: AbortSignal): Promise<void>;
  stats(): PoolStats;
  destroy(): Promise<void>;
  onWorkerRestart: (error: TesseraError) => void;
  /**
   * Present when tasks run in other processes (a queue): raster blocks are then warped there too,
   * so pixels never cross the network, only the encoded tiles coming back.
   */
  renderBlock?: (task: RasterBlockTask, options: RunOptions) => Promise<RasterTilesResult>;
  /**
   * Present when tasks run in other processes (a queue): a vector partition is cut there from its
   * spill files (on storage both reach), and its tiles come back in bounded batches to `write`.
   */
  cutPartition?: (task: PartitionTileTask, write: PartitionTileWriter, options: RunOptions) => Promise<VectorTilesResult>;
}
