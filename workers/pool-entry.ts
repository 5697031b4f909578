/**
 * The worker pool's module: every export is a task the engine can run by name
 * (`pool.run('verifyTiles', task)`), so each job kind adds its task here as one named export.
 *
 * Tasks are wrapped with defineTask so that a coded error (ABORTED, TILE_CORRUPT…) keeps its code
 * across the thread boundary, which structured cloning of an Error would drop.
 */
import { defineTask } from './task.js';
import { verifyTiles as verifyTilesTask } from './verify-tiles.js';

export const verifyTiles = defineTask(verifyTilesTask);
