/**
 * tile-stream's write queue and batch decoding. streamTileTask itself (worker pool, credits,
 * cancel) runs end to end in vector-preseed-kind.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortError } from '../../../shared/errors.js';
import type { TileToWrite } from '../../tile-cache/tile-writer.js';
import type { TileIssueOut } from '../../../workers/vector-tiles.js';
import { type TileSink, WriteQueue, batchTiles } from './tile-stream.js';

function tiles(n: number, z = 5): TileToWrite[] {
  return Array.from({ length: n }, (_, i) => ({ z, x: i, y: i, data: Uint8Array.of(i % 256) }));
}

/** A sink whose writes finish when told to, recording what each call got. */
function gatedSink(): TileSink & { calls: { tiles: number; issues: number; first: number }[]; open(): void } {
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => (release = r));
  const calls: { tiles: number; issues: number; first: number }[] = [];
  return {
    calls,
    async write(t, issues) {
      calls.push({ tiles: t.length, issues: issues.length, first: t[0]?.x ?? -1 });
      await gate;
    },
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

test('batches written while the sink is busy are coalesced into one call, in order', async () => {
  const sink = gatedSink();
  const queue = new WriteQueue(sink);
  const issue: TileIssueOut = { z: 5, x: 1, y: 1, issue: 'oversized', detail: 'big' };
  const first = queue.write(tiles(3), []);
  const rest = [queue.write(tiles(4), [issue]), queue.write(tiles(5), []), queue.write(tiles(6), [issue])];
  sink.open();
  await Promise.all([first, ...rest]);
  assert.deepEqual(sink.calls, [
    { tiles: 3, issues: 0, first: 0 },
    { tiles: 15, issues: 2, first: 0 },
  ]);
});

test('a call holds at most 16,384 tiles; a larger single batch still goes whole', async () => {
  const sink = gatedSink();
  const queue = new WriteQueue(sink);
  const first = queue.write(tiles(1), []);
  const waiting = [queue.write(tiles(10_000), []), queue.write(tiles(10_000), []), queue.write(tiles(20_000), [])];
  sink.open();
  await Promise.all([first, ...waiting]);
  assert.deepEqual(
    sink.calls.map((c) => c.tiles),
    [1, 10_000, 10_000, 20_000],
  );
});

test('a failed write rejects the batches it held, and only them', async () => {
  let calls = 0;
  const queue = new WriteQueue({
    async write() {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (calls === 2) throw new Error('disk said no');
    },
  });
  const a = queue.write(tiles(1), []);
  const b = queue.write(tiles(1), []);
  const c = queue.write(tiles(1), []);
  await a;
  await assert.rejects(b, /disk said no/);
  await assert.rejects(c, /disk said no/, 'b and c were one call');
  await queue.write(tiles(1), []);
  assert.equal(calls, 3);
});

test('once the signal fires, what still waits is dropped with AbortError, not written', async () => {
  const sink = gatedSink();
  const controller = new AbortController();
  const queue = new WriteQueue(sink, controller.signal);
  const writing = queue.write(tiles(2), []);
  const waiting = queue.write(tiles(2), []);
  controller.abort();
  sink.open();
  await writing;
  await assert.rejects(waiting, (error: unknown) => error instanceof AbortError);
  assert.equal(sink.calls.length, 1);
});

test('batchTiles reads z, x, y, offset, length per tile; the data are views of the batch, not copies', () => {
  const data = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const meta = Int32Array.from([3, 1, 2, 0, 2, 3, 4, 5, 2, 4, 12, 13, 14, 6, 0]);
  const out = batchTiles({ meta, data, issues: [] });
  assert.deepEqual(
    out.map((t) => [t.z, t.x, t.y, [...t.data]]),
    [
      [3, 1, 2, [1, 2]],
      [3, 4, 5, [3, 4, 5, 6]],
      [12, 13, 14, []],
    ],
  );
  assert.equal(out[1]!.data.buffer, data.buffer);
});
