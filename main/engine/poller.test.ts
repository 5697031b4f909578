import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPoller } from './poller.js';

test('a slow poll delays the next one instead of overlapping it', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const poller = startPoller(
    async () => {
      running++;
      runs++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(60); // slower than the 10 ms interval
      running--;
    },
    10,
    (e) => assert.fail(String(e)),
  );
  // Explicit requests while a run is in flight join it rather than starting another.
  await sleep(15);
  const [a, b] = [poller.runNow(), poller.runNow()];
  assert.equal(a, b);
  await sleep(400);
  await poller.stop();
  assert.equal(maxRunning, 1);
  // 60 ms runs, 10 ms apart, over ~415 ms: at most 7 if nothing overlapped; at least 2 even on a loaded machine.
  assert.ok(runs >= 2 && runs <= 7, `runs: ${runs}`);
});

test('a failing poll is reported and polling goes on', async () => {
  const errors: unknown[] = [];
  let runs = 0;
  const poller = startPoller(
    async () => {
      runs++;
      throw new Error(`boom ${runs}`);
    },
    5,
    (e) => errors.push(e),
  );
  await sleep(60);
  await poller.stop();
  assert.ok(runs >= 2);
  assert.equal(errors.length, runs);
});
