import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { TesseraError } from '../shared/errors.js';
import { AbortFlag, createAbortFlag, raiseAbortFlag } from './abort-flag.js';
import { defineTask } from './task.js';

test('a flag is down until raised; then every check throws ABORTED', () => {
  const buffer = createAbortFlag();
  const flag = new AbortFlag(buffer);
  assert.equal(flag.aborted, false);
  flag.throwIfAborted();
  raiseAbortFlag(buffer);
  assert.equal(flag.aborted, true);
  assert.throws(
    () => flag.throwIfAborted(),
    (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED',
  );
  assert.equal(new AbortFlag(undefined).aborted, false, 'a task run without a flag (a test, a sample) is never aborted');
});

test('the flag is shared memory: raised on one thread, seen by a loop on another', async () => {
  const buffer = createAbortFlag();
  // The worker spins until it sees the flag, then reports how it ended.
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const view = new Int32Array(workerData);
     parentPort.postMessage('started');
     const end = Date.now() + 5000;
     while (Atomics.load(view, 0) === 0 && Date.now() < end) {}
     parentPort.postMessage(Atomics.load(view, 0) === 1 ? 'saw the flag' : 'timed out');`,
    { eval: true, workerData: buffer },
  );
  const messages: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: string) => {
      messages.push(m);
      if (m === 'started') raiseAbortFlag(buffer);
      else resolve();
    });
    worker.on('error', reject);
  });
  await done;
  await worker.terminate();
  assert.deepEqual(messages, ['started', 'saw the flag']);
});

test('defineTask passes results through and throws failures as plain coded objects (which survive structured cloning)', async () => {
  const ok = defineTask(async (task: { n: number }) => task.n * 2);
  assert.equal(await ok({ n: 21 }), 42);
  const coded = defineTask(async () => {
    throw new TesseraError('TILE_CORRUPT', 'tile 1/2/3 is truncated', { details: { z: 1 } });
  });
  const thrown = await coded({}).then(
    () => assert.fail('should throw'),
    (e: unknown) => e,
  );
  assert.ok(!(thrown instanceof Error));
  assert.deepEqual(structuredClone(thrown), { code: 'TILE_CORRUPT', message: 'tile 1/2/3 is truncated', details: { z: 1 }, transient: false });
  const plain = defineTask(async () => {
    throw new Error('something else');
  });
  const wire = (await plain({}).catch((e: unknown) => e)) as { code: string; message: string };
  assert.equal(typeof wire.code, 'string');
  assert.match(wire.message, /something else/);
});
