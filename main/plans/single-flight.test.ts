import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { SingleFlight } from './single-flight.js';

/** A slow task that counts its runs and notes the most that ever ran at once. */
function slowTask(ms: number) {
  const stats = { runs: 0, active: 0, maxActive: 0, seen: [] as number[] };
  let changes = 0;
  const flight = new SingleFlight(async () => {
    stats.runs++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    const sawChanges = changes; // what this run reads at its start
    await sleep(ms);
    stats.active--;
    stats.seen.push(sawChanges);
    return stats.runs;
  });
  return { flight, stats, change: () => changes++ };
}

test('changes during a slow run cause exactly one more run, never an overlap, and every request is answered', async () => {
  const { flight, stats, change } = slowTask(150);
  const first = flight.run();
  const during: Promise<number>[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(15);
    change();
    during.push(flight.run());
  }
  assert.equal(await first, 1);
  // Every request made during run 1 is answered by run 2, which started after the last change.
  assert.deepEqual(await Promise.all(during), [2, 2, 2, 2, 2]);
  assert.equal(stats.runs, 2);
  assert.equal(stats.maxActive, 1);
  assert.deepEqual(stats.seen, [0, 5], 'the follow-up run saw all five changes');
});

test('a request the moment a run ends is covered by the queued run, not a parallel one', async () => {
  const { flight, stats } = slowTask(40);
  const first = flight.run();
  const second = flight.run(); // queued behind the first
  // As soon as the first settles, ask again: the queued second run has not started yet.
  const third = first.then(() => flight.run());
  assert.deepEqual(await Promise.all([first, second, third]), [1, 2, 2]);
  assert.equal(stats.maxActive, 1);
  assert.equal(stats.runs, 2);
});

test('a failed run does not stop the next: the follow-up still runs, idle requests start at once', async () => {
  let calls = 0;
  const flight = new SingleFlight(async () => {
    calls++;
    await sleep(20);
    if (calls === 1) throw new Error('source unreachable');
    return calls;
  });
  const failing = flight.run();
  const after = flight.run();
  await assert.rejects(failing, /source unreachable/);
  assert.equal(await after, 2);
  assert.equal(flight.busy, false);
  assert.equal(await flight.run(), 3);
});
