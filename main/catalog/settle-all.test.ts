/**
 * settleAll and openAll never hand back (or throw) while work on a handle is still running, and
 * openAll closes what it opened when one open fails: real GDAL handles and a real async read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import gdal from 'gdal-async';
import { worldMapGpkg } from '../testing/real-data.js';
import { openAll, settleAll } from './settle-all.js';

test('settleAll rejects with the first failure only after every other piece of work settled', async () => {
  let slowDone = false;
  const slow = sleep(80).then(() => {
    slowDone = true;
    return 1;
  });
  await assert.rejects(settleAll([Promise.reject(new Error('first')), slow]), /first/);
  assert.equal(slowDone, true, 'the slow one finished before the rejection was handed back');
  assert.deepEqual(await settleAll([Promise.resolve(1), sleep(5).then(() => 2)]), [1, 2]);
});

test('a GDAL count stopped on one handle: the other handle is closed only after its read ends', async () => {
  const [a, b] = await openAll(2, () => gdal.openAsync(worldMapGpkg()));
  let readEnded = false;
  try {
    await assert.rejects(
      settleAll([
        Promise.reject(new Error('aborted')),
        (async () => {
          const layer = await b!.layers.getAsync(0);
          const n = await layer.features.countAsync(true);
          readEnded = true;
          return n;
        })(),
      ]),
      /aborted/,
    );
    assert.equal(readEnded, true);
  } finally {
    a!.close();
    b!.close();
  }
});

test('openAll closes the handles that opened when another open fails', async () => {
  const closed: number[] = [];
  let n = 0;
  await assert.rejects(
    openAll(3, async () => {
      const id = n++;
      if (id === 1) throw new Error('no such file');
      await sleep(10);
      return { close: () => void closed.push(id) };
    }),
    /no such file/,
  );
  assert.deepEqual(closed.sort(), [0, 2]);
});
