/** The queue's pieces that need no Redis: URL checks and redaction, the wire codec. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { parseQueueUrl, redactQueueUrl } from './queue-url.js';
import { decodeWire, encodeWire } from './task-wire.js';

test('queue URLs: redis:// and rediss:// only, database 0–15, the password never printed', () => {
  assert.deepEqual(parseQueueUrl('redis://10.0.0.5:6380/3'), { host: '10.0.0.5', port: 6380, db: 3, maxRetriesPerRequest: null });
  const secure = parseQueueUrl('rediss://render:p%40ss@queue.example/2');
  assert.equal(secure.password, 'p@ss');
  assert.equal(secure.username, 'render');
  assert.deepEqual(secure.tls, {});
  assert.equal(secure.port, 6379);
  for (const bad of ['http://x:1/0', 'redis://x:1/16', 'redis://x:1/a', 'not a url']) {
    assert.throws(
      () => parseQueueUrl(bad),
      (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT' && !e.message.includes('s3cret'),
    );
  }
  assert.throws(
    () => parseQueueUrl('http://:s3cret@x:1/0'),
    (e: unknown) => e instanceof TesseraError && !e.message.includes('s3cret'),
  );
  assert.equal(redactQueueUrl('redis://:s3cret@q:6379/0'), 'redis://:***@q:6379/0');
  assert.equal(redactQueueUrl('redis://user:s3cret@q:6379/0'), 'redis://***:***@q:6379/0');
  assert.equal(redactQueueUrl('garbage //u:s3cret@q'), 'garbage //***@q');
});

test('tasks keep their bytes through the wire form (Uint8Array and ArrayBuffer)', () => {
  const task = { tiles: [{ z: 1, x: 0, y: 1, data: new Uint8Array([0, 255, 7]) }], pixels: new Uint8Array([9, 8]).buffer, format: 'png' };
  const back = decodeWire<typeof task>(encodeWire(task));
  assert.ok(back.tiles[0]!.data instanceof Uint8Array);
  assert.deepEqual([...back.tiles[0]!.data], [0, 255, 7]);
  assert.ok(back.pixels instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(back.pixels)], [9, 8]);
  assert.equal(back.format, 'png');
});
