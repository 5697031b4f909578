import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as entry from './pool-entry.js';
import type { TaskInput, TaskOutput, WorkerModule, WorkerTasks } from './task-map.js';
import type { VerifyTilesResult } from './verify-tiles.js';

// Compile-time: pool-entry exports every task of the map, each with the map's input and output.
// (A task missing from pool-entry, or one whose types drift from the map, fails `tsc` here.)
const typedEntry: WorkerModule<WorkerTasks> = entry;

/** Every task name of the map, as a value (a missing or extra key fails to compile). */
const taskNames: Record<keyof WorkerTasks, true> = {
  verifyTiles: true,
  rasterTiles: true,
  rasterOverviewTiles: true,
  vectorPartition: true,
  vectorTiles: true,
  datasetTile: true,
};

// Compile-time: what the helpers give for one task.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const outputIsTheTasks: Equal<TaskOutput<WorkerTasks, 'verifyTiles'>, VerifyTilesResult> = true;
const inputHasNoAbort: Equal<'abort' extends keyof TaskInput<WorkerTasks, 'verifyTiles'> ? 1 : 0, 0> = true;
// @ts-expect-error -- the helpers are not `any`: another task's output is not this one's
const notAny: Equal<TaskOutput<WorkerTasks, 'rasterTiles'>, VerifyTilesResult> = true;

test('pool-entry exports exactly the tasks of the map, as functions', () => {
  assert.deepEqual(Object.keys(entry).sort(), Object.keys(taskNames).sort());
  for (const name of Object.keys(taskNames) as (keyof WorkerTasks)[]) assert.equal(typeof typedEntry[name], 'function', name);
  assert.ok(outputIsTheTasks && inputHasNoAbort && notAny);
});

test('a task of pool-entry keeps its error code across the wrapper (wire form)', async () => {
  // An empty batch checks nothing; a raised abort flag makes the task throw ABORTED in wire form.
  const flag = new SharedArrayBuffer(4);
  assert.deepEqual(await entry.verifyTiles({ tiles: [], format: 'png', maxTileBytes: 1000, abort: flag }), {
    checked: 0,
    bytes: 0,
    corrupt: 0,
    empty: 0,
    oversized: 0,
    issues: [],
  });
  Atomics.store(new Int32Array(flag), 0, 1);
  await assert.rejects(
    entry.verifyTiles({ tiles: [{ z: 0, x: 0, y: 0, data: new Uint8Array(4) }], format: 'png', maxTileBytes: 1000, abort: flag }),
    (e: unknown) => {
      assert.equal((e as { code?: unknown }).code, 'ABORTED');
      assert.ok(!(e instanceof Error), 'thrown as a plain object, which structured cloning keeps whole');
      return true;
    },
  );
});
