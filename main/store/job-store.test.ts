import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JobSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { latestVersion, openDatabase, schemaVersion } from './database.js';
import { JobStore } from './job-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function freshStore(clock?: () => Date): JobStore {
  return new JobStore(openDatabase(join(dir, `s${++n}.sqlite`)), { clock });
}
const params = (cache: string) => ({ cache, maxTileBytes: 500 * 1024 });
const isCode = (code: string) => (e: unknown) => e instanceof TesseraError && e.code === code;

test('migrations bring a new store to the latest schema, in WAL mode, and are idempotent', () => {
  const file = join(dir, 'migrate.sqlite');
  const db = openDatabase(file);
  assert.equal(schemaVersion(db), latestVersion());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const again = openDatabase(file);
  assert.equal(schemaVersion(again), latestVersion());
  again.close();
});

test('a store from a newer Tessera is refused, not touched', () => {
  const file = join(dir, 'newer.sqlite');
  const db = openDatabase(file);
  db.pragma(`user_version = ${latestVersion() + 1}`);
  db.close();
  assert.throws(() => openDatabase(file), isCode('STORE_UNAVAILABLE'));
});

test('keyset pages are stable while jobs are added between pages', () => {
  const store = freshStore();
  for (let i = 0; i < 95; i++) store.createJob({ kind: 'verify', name: `job ${i}`, params: params(`/c/${i}.mbtiles`), priority: 0 });
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = store.listJobs({}, cursor, 10);
    seen.push(...page.rows.map((j) => j.id));
    // Concurrent inserts between every page: they are newer, so they belong before page 1.
    for (let k = 0; k < 3; k++) store.createJob({ kind: 'verify', name: `late ${pages}-${k}`, params: params('/late'), priority: 0 });
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  assert.equal(pages, 10);
  assert.equal(seen.length, 95, 'every original job exactly once');
  assert.equal(new Set(seen).size, 95);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => b - a),
    'newest first',
  );
  assert.deepEqual(
    seen,
    Array.from({ length: 95 }, (_, i) => 95 - i),
  );
});

test('history is never capped', () => {
  const store = freshStore();
  for (let i = 0; i < 1200; i++) store.createJob({ kind: 'verify', name: `j${i}`, params: params('/c'), priority: 0 });
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = store.listJobs({}, cursor, 500);
    total += page.rows.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assert.equal(total, 1200);
});

test('a bad cursor is BAD_CURSOR, never page 1', () => {
  const store = freshStore();
  store.createJob({ kind: 'verify', name: 'a', params: params('/a'), priority: 0 });
  for (const bad of ['garbage', 'eyJ4IjoxfQ', Buffer.from('["items:1",3]').toString('base64url'), Buffer.from('["jobs","x"]').toString('base64url')]) {
    assert.throws(() => store.listJobs({}, bad, 10), isCode('BAD_CURSOR'), bad);
  }
});

test('filters: state, kind, text over names, params and errors, date range', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const store = freshStore(() => now);
  const a = store.createJob({ kind: 'verify', name: 'Alps hillshade', params: params('/data/alps.mbtiles'), priority: 0 });
  now = new Date('2026-02-01T00:00:00Z');
  const b = store.createJob({ kind: 'verify', name: 'Coastline', params: params('/data/coast_50%.pmtiles'), priority: 0 });
  now = new Date('2026-03-01T00:00:00Z');
  const c = store.createJob({ kind: 'verify', name: 'Rivers', params: params('/data/rivers'), priority: 0 });
  store.addItems(c.id, [{ label: 'z3', spec: { z: 3 } }]);
  store.transitionJob(c.id, 'running');
  const item = store.runnableItems(c.id)[0]!;
  store.transitionItem(item.id, 'running');
  store.transitionItem(item.id, 'failed', { error: { code: 'TILE_CORRUPT', message: 'tile 3/4/5 truncated PNG' } });
  store.transitionJob(c.id, 'failed');
  const ids = (f: Parameters<JobStore['listJobs']>[0]) => store.listJobs(f).rows.map((j: JobSummary) => j.id);

  assert.deepEqual(ids({ states: ['failed'] }), [c.id]);
  assert.deepEqual(ids({ states: ['queued', 'failed'] }), [c.id, b.id, a.id]);
  assert.deepEqual(ids({ kinds: ['verify'] }), [c.id, b.id, a.id]);
  assert.deepEqual(ids({ text: 'ALPS' }), [a.id], 'name, case-insensitive');
  assert.deepEqual(ids({ text: 'alps.mbtiles' }), [a.id], 'params');
  assert.deepEqual(ids({ text: '50%' }), [b.id], 'LIKE wildcards are literal');
  assert.deepEqual(ids({ text: 'truncated png' }), [c.id], 'item errors');
  assert.deepEqual(ids({ text: 'tile_corrupt' }), [c.id], 'error codes');
  assert.deepEqual(ids({ createdFrom: '2026-01-15T00:00:00Z', createdTo: '2026-02-15T00:00:00+00:00' }), [b.id]);
  assert.deepEqual(ids({ createdFrom: '2026-02-01T01:00:00+01:00' }), [c.id, b.id], 'offsets are honoured');
});

test('recovery says which state each job was found in: a restart after a crash resumes the running ones, not those being cancelled', () => {
  const store = freshStore();
  const running = store.createJob({ kind: 'verify', name: 'r', params: params('/r'), priority: 0 }).id;
  store.transitionJob(running, 'running');
  const cancelling = store.createJob({ kind: 'verify', name: 'c', params: params('/c'), priority: 0 }).id;
  store.transitionJob(cancelling, 'running');
  store.transitionJob(cancelling, 'cancelling');
  assert.deepEqual(store.recoverInterrupted(), [
    { id: running, was: 'running' },
    { id: cancelling, was: 'cancelling' },
  ]);
  assert.deepEqual(store.recoverInterrupted(), [], 'once');
});

test('start-up recovery marks running and cancelling jobs interrupted, and their unfinished items with them (the retry re-queues them)', () => {
  const store = freshStore();
  const running = store.createJob({ kind: 'verify', name: 'r', params: params('/r'), priority: 0 }).id;
  store.addItems(running, [
    { label: 'z0', spec: {} },
    { label: 'z1', spec: {} },
  ]);
  store.transitionJob(running, 'running');
  const [i0, i1] = store.runnableItems(running);
  store.transitionItem(i0!.id, 'running');
  store.transitionItem(i0!.id, 'succeeded');
  store.transitionItem(i1!.id, 'running');
  // The items' checkpoints got further than the job's last timed save before the "crash".
  store.saveItemProgress(i0!.id, { done: 10, total: 10, failed: 0, bytes: 500, skipped: 0 });
  store.saveItemProgress(i1!.id, { done: 4, total: 10, failed: 1, bytes: 200, skipped: 0 }, { next: 4 });
  store.saveJobCounters(running, { done: 9, total: 20, failed: 0, bytes: 450, skipped: 0 });
  const cancelling = store.createJob({ kind: 'verify', name: 'c', params: params('/c'), priority: 0 }).id;
  store.transitionJob(cancelling, 'running');
  store.transitionJob(cancelling, 'cancelling');
  const queued = store.createJob({ kind: 'verify', name: 'q', params: params('/q'), priority: 0 }).id;

  assert.deepEqual(store.markInterrupted(), [running, cancelling]);
  assert.equal(store.getJob(running).state, 'interrupted');
  assert.equal(store.getJob(cancelling).state, 'interrupted');
  assert.equal(store.getJob(queued).state, 'queued');
  assert.equal(store.getItem(i1!.id).state, 'interrupted');
  assert.equal(store.getItem(i0!.id).state, 'succeeded');
  const { done, total, failed, bytes } = store.getJob(running).progress;
  assert.deepEqual({ done, total, failed, bytes }, { done: 14, total: 20, failed: 1, bytes: 700 }, 'the job resumes from its items’ checkpointed counters');

  store.requeue(running);
  assert.equal(store.getJob(running).state, 'queued');
  assert.deepEqual(
    store.runnableItems(running).map((i) => i.id),
    [i1!.id],
    'only what did not succeed runs again',
  );
});

test('retry re-queues only failed items and keeps their attempts and last error', () => {
  const store = freshStore();
  const id = store.createJob({ kind: 'verify', name: 'p', params: params('/p'), priority: 0 }).id;
  store.addItems(id, [
    { label: 'ok', spec: {} },
    { label: 'bad', spec: {} },
  ]);
  store.transitionJob(id, 'running');
  const [ok, bad] = store.runnableItems(id);
  store.transitionItem(ok!.id, 'running');
  store.transitionItem(ok!.id, 'succeeded');
  store.transitionItem(bad!.id, 'running');
  store.transitionItem(bad!.id, 'failed', { error: { code: 'IO_ERROR', message: 'EIO' } });
  store.transitionJob(id, 'partial');
  store.requeue(id);
  const again = store.getItem(bad!.id);
  assert.equal(again.state, 'queued');
  assert.equal(again.attempts, 1);
  assert.equal(again.error?.code, 'IO_ERROR');
  assert.equal(store.getItem(ok!.id).state, 'succeeded');
  assert.throws(() => store.requeue(id), isCode('ILLEGAL_TRANSITION'), 'a queued job is not re-queued twice');
});

test('the event log is append-only and ordered', () => {
  const store = freshStore();
  const id = store.createJob({ kind: 'verify', name: 'e', params: params('/e'), priority: 0 }).id;
  store.transitionJob(id, 'running');
  store.appendEvent(id, 'note', 'hello', { a: 1 });
  const events = store.events(id);
  assert.deepEqual(
    events.map((e) => e.type),
    ['created', 'state.running', 'note'],
  );
  assert.deepEqual(
    store.events(id, events[1]!.id).map((e) => e.type),
    ['note'],
  );
  const db = (store as unknown as { db: import('better-sqlite3').Database }).db;
  assert.throws(() => db.prepare('UPDATE job_events SET message = ? WHERE id = ?').run('rewritten', events[0]!.id), /append-only/);
});

test('tile issues are kept once per tile and page by keyset', () => {
  const store = freshStore();
  const id = store.createJob({ kind: 'verify', name: 't', params: params('/t'), priority: 0 }).id;
  const issues = Array.from({ length: 25 }, (_, i) => ({ itemId: 1, z: 5, x: i, y: 7, issue: 'corrupt' as const, detail: 'bad' }));
  store.recordTileIssues(id, issues);
  store.recordTileIssues(id, issues.slice(0, 10)); // seen again on resume
  const all = [];
  let cursor: string | undefined;
  do {
    const page = store.tileIssues(id, cursor, 7);
    all.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assert.equal(all.length, 25);
  assert.deepEqual(
    all.map((t) => t.x),
    Array.from({ length: 25 }, (_, i) => i),
  );
});

test('retention purges only finished jobs older than the cut-off', () => {
  let now = new Date('2025-01-01T00:00:00Z');
  const store = freshStore(() => now);
  const old = store.createJob({ kind: 'verify', name: 'old', params: params('/o'), priority: 0 }).id;
  store.transitionJob(old, 'cancelled');
  const oldQueued = store.createJob({ kind: 'verify', name: 'old queued', params: params('/o'), priority: 0 }).id;
  now = new Date('2026-01-01T00:00:00Z');
  const fresh = store.createJob({ kind: 'verify', name: 'new', params: params('/n'), priority: 0 }).id;
  store.transitionJob(fresh, 'cancelled');
  assert.equal(store.purgeFinishedBefore(new Date('2025-06-01T00:00:00Z')), 1);
  assert.equal(store.jobExists(old), false);
  assert.equal(store.jobExists(oldQueued), true);
  assert.equal(store.jobExists(fresh), true);
});

test('unknown ids are NOT_FOUND', () => {
  const store = freshStore();
  assert.throws(() => store.getJob(999), isCode('NOT_FOUND'));
  assert.throws(() => store.transitionJob(999, 'running'), isCode('NOT_FOUND'));
  assert.throws(() => store.listItems(999), isCode('NOT_FOUND'));
});

test('a NOT_FOUND names what was not found in its details (errors cross boundaries as {code, message, details})', () => {
  const store = freshStore();
  const details = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof TesseraError && error.code === 'NOT_FOUND', String(error));
      return error.toJSON().details;
    }
    assert.fail('no NOT_FOUND');
  };
  assert.deepEqual(
    details(() => store.getJob(999)),
    { id: 999 },
  );
  assert.deepEqual(
    details(() => store.listItems(998)),
    { id: 998 },
  );
  assert.deepEqual(
    details(() => store.events(997)),
    { id: 997 },
  );
  assert.deepEqual(
    details(() => store.tileIssues(996)),
    { id: 996 },
  );
  assert.deepEqual(
    details(() => store.addItems(995, [])),
    { id: 995 },
  );
  assert.deepEqual(
    details(() => store.getItem(994)),
    { item: 994 },
  );
});
