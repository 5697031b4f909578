/**
 * The staging area is swept without waiting for a new upload: at engine start and on a timer. The
 * upload of a failed ingest stays while the job may be retried (its retry window) and goes after.
 * A real engine, real SQLite store, real files.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { UPLOAD_PREFIX, newUploadId, uploadsRoot } from './uploads.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));

function open(dataDir: string, sweepMs?: number): Promise<Engine> {
  return Engine.open({
    dataDir,
    host: 'headless',
    threads: 1,
    logger: createLogger('silent'),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...(sweepMs ? { stagingSweepIntervalMs: sweepMs } : {}),
  });
}

/** An upload as the upload route leaves it once complete: a file GDAL cannot read, so its ingest fails. */
function garbageUpload(dataDir: string): { ref: string; dir: string } {
  const id = newUploadId();
  const dir = join(uploadsRoot(dataDir), id);
  mkdirSync(dir, { recursive: true });
  const data = Buffer.alloc(4096, 0x5a);
  writeFileSync(join(dir, 'upload.json'), JSON.stringify({ id, name: 'broken.geojson', size: data.length, createdAt: new Date().toISOString() }));
  writeFileSync(join(dir, 'broken.geojson'), data);
  return { ref: `${UPLOAD_PREFIX}${id}`, dir };
}

async function failedIngest(engine: Engine, ref: string): Promise<number> {
  const started = await engine.start({ kind: 'ingest', params: { files: [ref] } });
  const job = await engine.waitFor(started.id);
  assert.equal(job.state, 'failed');
  return job.id;
}

const DAY = 24 * 3600_000;

/** Makes a job's failure, and its upload's files, `ms` old. */
function age(engine: Engine, jobId: number, upload: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  engine.catalog.db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?').run(when.toISOString(), jobId);
  for (const f of ['upload.json', 'broken.geojson']) utimesSync(join(upload, f), when, when);
}

test('at engine start: a failed ingest’s upload past its retry window is removed, one inside it is kept for a retry', async () => {
  const dataDir = join(root, 'start');
  let engine = await open(dataDir);
  const old = garbageUpload(dataDir);
  const recent = garbageUpload(dataDir);
  const oldJob = await failedIngest(engine, old.ref);
  const recentJob = await failedIngest(engine, recent.ref);
  assert.ok(existsSync(old.dir) && existsSync(recent.dir), 'a failed ingest keeps its upload for a retry');
  age(engine, oldJob, old.dir, DAY + 3600_000);
  age(engine, recentJob, recent.dir, 0);
  // The upload file itself is old too: only the job's retry window keeps it.
  for (const f of ['upload.json', 'broken.geojson']) utimesSync(join(recent.dir, f), new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
  await engine.close();
  engine = await open(dataDir);
  try {
    assert.equal(existsSync(old.dir), false, 'swept at start, with no new upload arriving');
    assert.equal(existsSync(recent.dir), true, 'kept: its job failed an hour ago and may be retried');
  } finally {
    await engine.close();
  }
});

test('on a timer: an upload whose failed job leaves its retry window is swept while the engine runs', async () => {
  const dataDir = join(root, 'timer');
  const engine = await open(dataDir, 50);
  try {
    const upload = garbageUpload(dataDir);
    const jobId = await failedIngest(engine, upload.ref);
    await sleep(200);
    assert.equal(existsSync(upload.dir), true, 'kept while retryable');
    age(engine, jobId, upload.dir, DAY + 3600_000);
    for (let i = 0; i < 100 && existsSync(upload.dir); i++) await sleep(20);
    assert.equal(existsSync(upload.dir), false, 'swept by the timer');
  } finally {
    await engine.close();
  }
});
