/**
 * Each job's tasks per worker, as the engine counts them (job-workers.ts): per job, per worker;
 * a resumed run adds to what the earlier runs kept; tiles from raster and verify outputs; BullMQ's
 * own failures under their own name; a kept breakdown read back field by field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobWorkerTally, NO_WORKER, describeWorkers, keptWorkers, tilesOf } from './job-workers.js';

const at = new Date('2026-12-07T21:00:00.000Z');

test('counts per job and per worker; tasks of jobs not begun (or of no job) are not counted', () => {
  const tally = new JobWorkerTally();
  tally.begin(1, []);
  tally.begin(2, []);
  const raster = {
    tiles: [
      { x: 0, y: 0, data: new Uint8Array(1) },
      { x: 1, y: 0, data: null },
    ],
  };
  tally.record({ job: 1, task: 'renderBlock', worker: 'wB', ok: true, result: raster }, at);
  tally.record({ job: 1, task: 'renderBlock', worker: 'wA', ok: true, result: raster }, at);
  tally.record({ job: 1, task: 'renderBlock', worker: 'wA', ok: false }, at);
  tally.record({ job: 2, task: 'verifyTiles', worker: 'wA', ok: true, result: { checked: 64, issues: [] } }, at);
  tally.record({ job: 2, task: 'verifyTiles', worker: null, ok: false }, at);
  tally.record({ job: 3, task: 'verifyTiles', worker: 'wA', ok: true, result: { checked: 1 } }, at);
  tally.record({ job: undefined, task: 'verifyTiles', worker: 'wA', ok: true, result: { checked: 1 } }, at);
  const when = at.toISOString();
  assert.deepEqual(tally.current(1), [
    { worker: 'wA', tasksDone: 1, tasksFailed: 1, tiles: 2, lastSeenAt: when },
    { worker: 'wB', tasksDone: 1, tasksFailed: 0, tiles: 2, lastSeenAt: when },
  ]);
  assert.deepEqual(tally.current(2), [
    { worker: NO_WORKER, tasksDone: 0, tasksFailed: 1, tiles: 0, lastSeenAt: when },
    { worker: 'wA', tasksDone: 1, tasksFailed: 0, tiles: 64, lastSeenAt: when },
  ]);
  assert.equal(tally.current(3), undefined);
  assert.equal(describeWorkers(tally.current(1)!), 'Tasks by worker: wA 1 done, 1 failed (2 tiles); wB 1 done (2 tiles)');
  assert.equal(tally.end(1)?.length, 2);
  assert.equal(tally.current(1), undefined, 'ended');
});

test('a run with no task through a queue keeps nothing; a resumed run adds to what was kept', () => {
  const tally = new JobWorkerTally();
  tally.begin(5, []);
  assert.equal(tally.end(5), null);
  const earlier = [{ worker: 'wA', tasksDone: 10, tasksFailed: 0, tiles: 100, lastSeenAt: '2026-12-06T10:00:00.000Z' }];
  tally.begin(5, keptWorkers({ workers: earlier }));
  tally.record({ job: 5, task: 'renderBlock', worker: 'wA', ok: true, result: { tiles: [{ x: 0, y: 0, data: null }] } }, at);
  assert.deepEqual(tally.end(5), [{ worker: 'wA', tasksDone: 11, tasksFailed: 0, tiles: 101, lastSeenAt: at.toISOString() }]);
});

test('tiles of an output, and a kept breakdown read back only where its fields hold what they should', () => {
  assert.equal(tilesOf({ tiles: [1, 2, 3] }), 3);
  assert.equal(tilesOf({ checked: 7 }), 7);
  assert.equal(tilesOf({ run: 'ab12', batches: 2, result: { tiles: 512, batches: 2 } }), 512, 'a vector partition relayed from a worker');
  assert.equal(tilesOf(null), 0);
  assert.equal(tilesOf('x'), 0);
  assert.deepEqual(keptWorkers(null), []);
  assert.deepEqual(keptWorkers({ workers: 'no' }), []);
  assert.deepEqual(keptWorkers({ workers: [{ worker: 'wA', tasksDone: 2, tasksFailed: 'x', tiles: 3, lastSeenAt: 'then' }, { worker: 4 }, null] }), [
    { worker: 'wA', tasksDone: 2, tasksFailed: 0, tiles: 3, lastSeenAt: 'then' },
  ]);
});
