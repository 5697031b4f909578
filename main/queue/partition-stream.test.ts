/**
 * The engine's side of a streamed partition against a real redis-server: batches of two runs of
 * one task (a re-delivery after a stall) are written once per tile, the partition ends when every
 * batch of the run whose result settled it was popped, and a cancel takes the task back and
 * leaves no list behind.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AbortError } from '../../shared/errors.js';
import type { TileIssueOut, VectorTilesResult } from '../../workers/vector-tiles.js';
import type { TileToWrite } from '../tile-cache/tile-writer.js';
import type { RelayedPartition, WireBatch } from './partition-relay.js';
import { receivePartition } from './partition-stream.js';
import { batchesKey } from './queue-keys.js';
import { parseQueueUrl } from './queue-url.js';
import { RedisCommands } from './redis-commands.js';
import { encodeWire } from './task-wire.js';
import { NO_REDIS, TestRedis } from './testing/redis-server.js';

let redis: TestRedis;
let keys: RedisCommands;

before(async () => {
  if (NO_REDIS) return;
  redis = await TestRedis.start();
  keys = new RedisCommands(parseQueueUrl(redis.url));
});

after(async () => {
  keys?.close();
  await redis?.stop();
});

const tile = (z: number, x: number, y: number): TileToWrite => ({ z, x, y, data: new Uint8Array([z, x, y]) });
const result = { tiles: 3, batches: 2 } as VectorTilesResult;

async function append(id: string, batch: WireBatch): Promise<void> {
  await keys.send('RPUSH', [batchesKey(id), encodeWire(batch)]);
}

function collector() {
  const written: string[] = [];
  const issues: TileIssueOut[] = [];
  return {
    written,
    issues,
    write: async (tiles: TileToWrite[], more: TileIssueOut[]) => {
      written.push(...tiles.map((t) => `${t.z}/${t.x}/${t.y}:${[...t.data].join(',')}`));
      issues.push(...more);
    },
  };
}

test('two runs of one partition: each tile and issue written once, done when the settling run’s batches are in', { skip: NO_REDIS }, async () => {
  const id = 'test-1';
  const failed: TileIssueOut = { z: 1, x: 1, y: 0, issue: 'failed', detail: 'too large' };
  // The first run (stalled, then woken) sent part of the tiles; the re-delivered run sends them all.
  await append(id, { run: 'first', tiles: [tile(0, 0, 0), tile(1, 0, 0)], issues: [failed] });
  await append(id, { run: 'again', tiles: [tile(0, 0, 0)], issues: [] });
  let settle!: (value: RelayedPartition) => void;
  const sent = new Promise<unknown>((resolve) => (settle = resolve));
  const sink = collector();
  const received = receivePartition({ id, keys, sent, write: sink.write, cancel: async () => {}, wakers: new Map() });
  setTimeout(() => {
    void append(id, { run: 'again', tiles: [tile(1, 0, 0), tile(1, 0, 1)], issues: [failed] }).then(() => settle({ run: 'again', batches: 2, result }));
  }, 150);
  assert.equal(await received, result);
  assert.deepEqual(sink.written.sort(), ['0/0/0:0,0,0', '1/0/0:1,0,0', '1/0/1:1,0,1']);
  assert.deepEqual(sink.issues, [failed]);
  assert.equal(await keys.send('EXISTS', [batchesKey(id)]), 0, 'the list is gone');
});

test('a batch announced by a progress event is read at once, not at the next poll', { skip: NO_REDIS }, async () => {
  const id = 'test-2';
  const wakers = new Map<string, () => void>();
  let settle!: (value: RelayedPartition) => void;
  const sent = new Promise<unknown>((resolve) => (settle = resolve));
  const sink = collector();
  const received = receivePartition({ id, keys, sent, write: sink.write, cancel: async () => {}, wakers });
  await new Promise((resolve) => setTimeout(resolve, 30));
  await append(id, { run: 'only', tiles: [tile(2, 1, 1)], issues: [] });
  const started = performance.now();
  wakers.get(id)!();
  for (let i = 0; i < 100 && sink.written.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(performance.now() - started < 500, 'woken, not polled (the idle poll is 1 s)');
  settle({ run: 'only', batches: 1, result });
  assert.equal(await received, result);
  assert.equal(wakers.size, 0, 'its waker is taken away');
});

test('cancelled: rejects with AbortError, takes the task back, removes what was appended', { skip: NO_REDIS }, async () => {
  const id = 'test-3';
  await append(id, { run: 'r', tiles: [tile(0, 0, 0)], issues: [] });
  let reject!: (error: unknown) => void;
  const sent = new Promise<unknown>((_resolve, fail) => (reject = fail));
  let takenBack = 0;
  const controller = new AbortController();
  // A slow disk: the cancel comes while a write is in progress.
  const received = receivePartition({
    id,
    keys,
    sent,
    write: () => new Promise<void>((resolve) => setTimeout(resolve, 200)),
    signal: controller.signal,
    cancel: async () => {
      takenBack++;
    },
    wakers: new Map(),
  });
  await append(id, { run: 'r', tiles: [tile(1, 0, 0)], issues: [] });
  controller.abort();
  reject(new AbortError());
  const outcome = await Promise.race([
    received.then(
      () => 'resolved',
      (e: unknown) => e,
    ),
    new Promise((r) => setTimeout(() => r('hung'), 2000)),
  ]);
  assert.ok(outcome instanceof AbortError, `rejects with AbortError: ${String(outcome)}`);
  assert.equal(takenBack, 1);
  assert.equal(await keys.send('EXISTS', [batchesKey(id)]), 0);
});
