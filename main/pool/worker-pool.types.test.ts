/**
 * Type-level tests of `WorkerPool.run`: each `@ts-expect-error` line must fail to compile (tsc
 * reports an unused directive otherwise), so a wrong task name, a wrong input or a misread output
 * breaks the build. The function is compiled, never called.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScriptedTasks } from '../../workers/testing/scripted-tasks.js';
import type { RasterTilesResult } from '../../workers/raster-tiles.js';
import type { VerifyTilesResult } from '../../workers/verify-tiles.js';
import type { WorkerPool } from './worker-pool.js';

function typeChecks(pool: WorkerPool, scripted: WorkerPool<ScriptedTasks>, signal: AbortSignal): void {
  const batch = { tiles: [{ z: 0, x: 0, y: 0, data: new Uint8Array(1) }], format: 'png' as const, maxTileBytes: 500_000 };

  // The right name and input compile, and the result is the task's own output type.
  const checked: Promise<VerifyTilesResult> = pool.run('verifyTiles', batch, { signal });

  // @ts-expect-error -- no such task
  void pool.run('verifyTile', batch, { signal });
  // @ts-expect-error -- a scripted (test) task is not one of the app's
  void pool.run('spin', { ms: 1 });
  // @ts-expect-error -- an input with a field missing (maxTileBytes)
  void pool.run('verifyTiles', { tiles: batch.tiles, format: 'png' });
  // @ts-expect-error -- a field of the wrong type
  void pool.run('verifyTiles', { ...batch, format: 'gif' });
  // @ts-expect-error -- the pool adds the abort flag itself; a caller cannot send one
  void pool.run('verifyTiles', { ...batch, abort: new SharedArrayBuffer(4) });
  // @ts-expect-error -- another task's input
  void pool.run('rasterTiles', batch);
  // @ts-expect-error -- the output is typed: a verify result is not a raster result
  const wrong: Promise<RasterTilesResult> = pool.run('verifyTiles', batch);

  // A pool over another module is typed by that module's map.
  const spun: Promise<{ rounds: number }> = scripted.run('spin', { ms: 1 });
  // @ts-expect-error -- and only by it
  void scripted.run('verifyTiles', batch);
  void [checked, wrong, spun];
}

test('the type-level checks of WorkerPool.run compile (see the @ts-expect-error lines)', () => {
  assert.equal(typeof typeChecks, 'function');
});
