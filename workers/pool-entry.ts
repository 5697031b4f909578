/**
 * The worker pool's module: every export is a task the engine can run by name
 * (`pool.run('verifyTiles', task)`), so each job kind adds its task here as one named export.
 *
 * Tasks are wrapped with defineTask so that a coded error (ABORTED, TILE_CORRUPT…) keeps its code
 * across the thread boundary, which structured cloning of an Error would drop.
 */
import { rasterTiles as rasterTilesTask } from './raster-tiles.js';
import { defineTask } from './task.js';
import { verifyTiles as verifyTilesTask } from './verify-tiles.js';
import { vectorPartition as vectorPartitionTask, vectorTiles as vectorTilesTask } from './vector-tiles.js';

export const verifyTiles = defineTask(verifyTilesTask);
export const rasterTiles = defineTask(rasterTilesTask);
export const vectorPartition = defineTask(vectorPartitionTask);
export const vectorTiles = defineTask(vectorTilesTask);
