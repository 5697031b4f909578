/**
 * A job's run time (runSeconds) is the sum of its runs: a retry's wait, the time a job sat
 * interrupted and the time its engine was down are not run time, though its first start stays.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from './database.js';
import { JobStore } from './job-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-run-time-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a job retried after a day ran for its two attempts, not for the day', () => {
  let now = Date.parse('2026-12-07T10:00:00.000Z');
  const store = new JobStore(openDatabase(join(dir, 'retry.sqlite')), { clock: () => new Date(now) });
  const { id } = store.createJob({ kind: 'verify', name: 'v', params: { cache: '/c.mbtiles', maxTileBytes: 500 * 1024 }, priority: 0 });
  store.transitionJob(id, 'running');
  now += 3_000;
  store.transitionJob(id, 'failed');
  assert.equal(store.getJob(id).runSeconds, 3);
  now += 86_400_000; // a day later, retried
  store.requeue(id);
  now += 60_000; // a minute in the queue
  store.transitionJob(id, 'running');
  now += 2_000;
  store.transitionJob(id, 'cancelling');
  now += 500; // still running while it cancels
  const job = store.transitionJob(id, 'cancelled');
  assert.equal(job.runSeconds, 5.5);
  assert.equal(job.startedAt, '2026-12-07T10:00:00.000Z', 'startedAt stays the first start');
});

test('a job cut short by a crash ran until its process last saved it, not until the next start', () => {
  let now = Date.parse('2026-12-07T10:00:00.000Z');
  const file = join(dir, 'crash.sqlite');
  const store = new JobStore(openDatabase(file), { clock: () => new Date(now) });
  const { id } = store.createJob({ kind: 'verify', name: 'v', params: { cache: '/c.mbtiles', maxTileBytes: 500 * 1024 }, priority: 0 });
  store.transitionJob(id, 'running');
  now += 4_000;
  store.saveJobCounters(id, { done: 10, total: 100, failed: 0, bytes: 0, skipped: 0 });
  // The process dies here; the next one starts an hour later.
  now += 3_600_000;
  const restarted = new JobStore(openDatabase(file), { clock: () => new Date(now) });
  assert.deepEqual(restarted.markInterrupted(), [id]);
  assert.equal(restarted.getJob(id).runSeconds, 4);
  assert.equal(restarted.getJob(id).state, 'interrupted');
});
