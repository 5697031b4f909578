/**
 * The read-only requests over a real SQLite store made here: the same answers the engine gives,
 * read beside a writer (the lock held, as by a running console) and, when nobody holds the data
 * directory, after marking a dead process's jobs interrupted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { Catalog } from '../catalog/catalog.js';
import { openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { lockDataDir } from './data-dir.js';
import { parseRequest } from './handlers.js';
import { READ_ONLY_REQUESTS, openReadOnly, readOnlyHandlers } from './read-only-handlers.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-read-only-handlers-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const isCode = (code: string) => (e: unknown) => e instanceof TesseraError && e.code === code;
let n = 0;

/** A data directory holding a job store with one running verify job (two items, one tile issue) and one dataset it made. */
function seededDataDir(): { dataDir: string; jobId: number } {
  const dataDir = join(dir, `data-${++n}`);
  mkdirSync(dataDir);
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  const store = new JobStore(db);
  const job = store.createJob({ kind: 'verify', name: 'verify world', params: { cache: '/caches/world.mbtiles', maxTileBytes: 512 * 1024 }, priority: 0 });
  store.addItems(job.id, [
    { label: 'z0', spec: { z: 0 }, total: 1 },
    { label: 'z1', spec: { z: 1 }, total: 4 },
  ]);
  store.transitionJob(job.id, 'running', { message: 'started' });
  const item = store.listItems(job.id).rows[0]!;
  store.recordTileIssues(job.id, [{ itemId: item.id, z: 1, x: 0, y: 1, issue: 'corrupt', detail: 'not a PNG' }]);
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO catalog_datasets (name, kind, path, dir, layers, raster, bounds, size_bytes, source, job_id, preview, thumbnail, created_at, updated_at, search_text)
     VALUES (@name, 'vector', @path, @dir, '[]', NULL, NULL, 1234, @source, @jobId, NULL, '', @now, @now, 'cities')`,
  ).run({
    name: 'cities',
    path: join(dataDir, 'catalog', 'cities', 'cities.gpkg'),
    dir: join(dataDir, 'catalog', 'cities'),
    source: JSON.stringify({ type: 'file', files: ['/in/cities.shp'] }),
    jobId: job.id,
    now,
  });
  db.close();
  return { dataDir, jobId: job.id };
}

/** Calls a handler as the dispatcher does: the input parsed (defaults filled in) first. */
async function call<N extends (typeof READ_ONLY_REQUESTS)[number]>(handlers: ReturnType<typeof readOnlyHandlers>, name: N, input: unknown) {
  return (handlers[name] as (i: unknown) => unknown)(parseRequest(name, input)) as ReturnType<(typeof handlers)[N]>;
}

test('every read-only request answers from the store and the catalogue', async () => {
  const { dataDir, jobId } = seededDataDir();
  const db = openDatabase(join(dataDir, 'jobs.sqlite'), { readonly: true });
  try {
    const handlers = readOnlyHandlers({ store: new JobStore(db), catalog: new Catalog(db, dataDir) });
    assert.deepEqual(Object.keys(handlers).sort(), [...READ_ONLY_REQUESTS].sort());
    const list = await call(handlers, 'jobs.list', {});
    assert.deepEqual(
      list.rows.map((j) => j.id),
      [jobId],
    );
    assert.equal(list.nextCursor, null);
    assert.equal((await call(handlers, 'jobs.list', { filter: { states: ['succeeded'] } })).rows.length, 0);
    const job = await call(handlers, 'jobs.get', { id: jobId });
    assert.equal(job.name, 'verify world');
    assert.equal(job.state, 'running');
    assert.deepEqual(
      (await call(handlers, 'jobs.items', { id: jobId })).rows.map((i) => i.label),
      ['z0', 'z1'],
    );
    assert.ok((await call(handlers, 'jobs.events', { id: jobId })).some((e) => e.message === 'started'));
    assert.deepEqual(
      (await call(handlers, 'jobs.tileIssues', { id: jobId })).rows.map((t) => [t.z, t.x, t.y, t.issue]),
      [[1, 0, 1, 'corrupt']],
    );
    const report = await call(handlers, 'jobs.report', { id: jobId, format: 'csv' });
    assert.equal(report.encoding, 'utf8');
    assert.match(report.content, /^item,state,/);
    assert.match(report.content, /\nz1,queued,/);
    const datasets = await call(handlers, 'catalog.list', {});
    assert.deepEqual(
      datasets.rows.map((d) => [d.name, d.jobId]),
      [['cities', jobId]],
    );
    assert.equal((await call(handlers, 'catalog.get', { id: datasets.rows[0]!.id })).sizeBytes, 1234);
    await assert.rejects(async () => call(handlers, 'jobs.get', { id: jobId + 1 }), isCode('NOT_FOUND'));
    await assert.rejects(async () => call(handlers, 'catalog.get', { id: 999 }), isCode('NOT_FOUND'));
  } finally {
    db.close();
  }
});

test('jobs.get takes the live progress a running engine passes in', async () => {
  const { dataDir, jobId } = seededDataDir();
  const db = openDatabase(join(dataDir, 'jobs.sqlite'), { readonly: true });
  try {
    const handlers = readOnlyHandlers({
      store: new JobStore(db),
      catalog: new Catalog(db, dataDir),
      withLiveProgress: (job) => ({ ...job, progress: { ...job.progress, done: 3 } }),
    });
    assert.equal((await call(handlers, 'jobs.get', { id: jobId })).progress.done, 3);
  } finally {
    db.close();
  }
});

test('openReadOnly: no store yet is null; nothing is created', () => {
  assert.equal(openReadOnly(join(dir, 'missing')), null);
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.equal(openReadOnly(empty), null);
  assert.equal(existsSync(join(empty, 'jobs.sqlite')), false);
});

test("openReadOnly with nobody holding the data directory marks a dead process's running jobs interrupted", async () => {
  const { dataDir, jobId } = seededDataDir();
  const opened = openReadOnly(dataDir)!;
  try {
    assert.equal(opened.locked, true);
    assert.equal((await call(opened.handlers, 'jobs.get', { id: jobId })).state, 'interrupted');
  } finally {
    opened.close();
  }
  // The lock is released: an engine (here, another lock) can take the directory.
  lockDataDir(dataDir, 'test').release();
});

test('openReadOnly beside a holder of the lock only reads; recover: false never takes the lock', async () => {
  const { dataDir, jobId } = seededDataDir();
  const held = lockDataDir(dataDir, 'a running console');
  try {
    const opened = openReadOnly(dataDir)!;
    try {
      assert.equal(opened.locked, false);
      assert.equal((await call(opened.handlers, 'jobs.get', { id: jobId })).state, 'running', 'the owner decides what is interrupted');
      assert.equal((await call(opened.handlers, 'catalog.list', {})).rows.length, 1);
    } finally {
      opened.close();
    }
  } finally {
    held.release();
  }
  const reader = openReadOnly(dataDir, { recover: false })!;
  try {
    assert.equal(reader.locked, false);
    assert.equal((await call(reader.handlers, 'jobs.get', { id: jobId })).state, 'running');
  } finally {
    reader.close();
  }
});
