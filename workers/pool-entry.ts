/**
 * The worker pool's module: every export is a task the engine can run by name
 * (`pool.run('verifyTiles', task)`). A job kind adds its task to the map in workers/task-map.ts and
 * exports it here, typed by that map (`WorkerTaskFn<WorkerTasks, name>`), so the two cannot drift.
 *
 * Tasks are wrapped with defineTask so that a coded error (ABORTED, TILE_CORRUPT…) keeps its code
 * across the thread boundary, which structured cloning of an Error would drop.
 */
import { datasetTile as datasetTileTask } from './dataset-tile.js';
import { rasterOverviewTiles as rasterOverviewTilesTask } from './raster-overview.js';
import { rasterTiles as rasterTilesTask } from './raster-tiles.js';
import type { WorkerTaskFn, WorkerTasks } from './task-map.js';
import { defineTask } from './task.js';
import { verifyTiles as verifyTilesTask } from './verify-tiles.js';
import { vectorPartition as vectorPartitionTask, vectorTiles as vectorTilesTask } from './vector-tiles.js';

export const verifyTiles: WorkerTaskFn<WorkerTasks, 'verifyTiles'> = defineTask(verifyTilesTask);
export const rasterTiles: WorkerTaskFn<WorkerTasks, 'rasterTiles'> = defineTask(rasterTilesTask);
export const rasterOverviewTiles: WorkerTaskFn<WorkerTasks, 'rasterOverviewTiles'> = defineTask(rasterOverviewTilesTask);
export const vectorPartition: WorkerTaskFn<WorkerTasks, 'vectorPartition'> = defineTask(vectorPartitionTask);
export const vectorTiles: WorkerTaskFn<WorkerTasks, 'vectorTiles'> = defineTask(vectorTilesTask);
export const datasetTile: WorkerTaskFn<WorkerTasks, 'datasetTile'> = defineTask(datasetTileTask);
