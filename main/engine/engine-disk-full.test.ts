/**
 * The engine on a full data-directory volume (issue 12, item 1): the store's SQLITE_FULL is a
 * DISK_FULL that the job waits out, an item is never left `running` by a finished job, and a
 * job is never called succeeded while one of its items did not run to its end.
 *
 * The data directory sits on a real tmpfs that the test fills; mounting needs root (as in CI),
 * elsewhere the volume tests are skipped with that reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { TesseraError, isDiskFull, toTesseraError } from '../../shared/errors.js';
import { openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { withSmallVolume } from '../tile-cache/testing/writer-fixtures.js';
import { Engine } from './engine.js';
import type { JobKindPlugin } from '../kinds/job-kind.js';
import { createLogger } from '../logging/logger.js';
import { scriptedPool } from '../pool/testing/scripted-pool.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-engine-full-'));
after(() => rmSync(root, { recursive: true, force: true }));
const workerFile = fileURLToPath(new URL('../../workers/testing/scripted-tasks.js', import.meta.url));

const STEPS = 40;
/** A checkpoint this big makes every save grow the store's WAL, so a full volume refuses it. */
const PADDING = 'x'.repeat(96 * 1024);

/** Items of STEPS steps, each checkpointed; `onStep` lets the test act in the middle of a run. */
/** A stepping item: its label names it; its checkpoint counts the steps done (padded, so the store grows). */
type SteppingKind = JobKindPlugin<'verify', { label: string }, { done: number; padding: string }>;

function steppingKind(labels: string[], onStep: (label: string, step: number) => Promise<void> | void): SteppingKind {
  return {
    kind: 'verify',
    itemConcurrency: 1,
    describe: () => 'stepping',
    async plan() {
      return labels.map((label) => ({ label, spec: { label }, total: STEPS }));
    },
    async runItem(_params, item, context) {
      const label = item.spec.label;
      const start = item.checkpoint?.done ?? 0;
      for (let step = start; step < STEPS; step++) {
        await onStep(label, step);
        await scriptedPool(context.pool).run('spin', { ms: 1 }, { signal: context.signal });
        context.progress({ done: 1 });
        context.checkpoint({ done: step + 1, padding: PADDING });
      }
      return { steps: STEPS - start };
    },
  };
}

function openEngine(dataDir: string, plugin: SteppingKind): Promise<Engine> {
  return Engine.open({
    dataDir,
    host: 'headless',
    workerFile,
    threads: 1,
    logger: createLogger('silent'),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    diskCheckIntervalMs: 3_600_000,
    plugins: { verify: plugin },
  });
}

test('SQLITE_FULL and ENOSPC are DISK_FULL, waited out; a writer’s ENOSPC counts as a full disk too', () => {
  const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  assert.equal(toTesseraError(sqlite).code, 'DISK_FULL');
  assert.equal(toTesseraError(sqlite).transient, true);
  assert.equal(toTesseraError(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })).code, 'DISK_FULL');
  assert.equal(toTesseraError(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' })).code, 'IO_ERROR');
  assert.ok(isDiskFull(new TesseraError('WRITE_FAILED', 'cannot write 3 tiles', { details: { errno: 'ENOSPC' } })));
  assert.ok(!isDiskFull(new TesseraError('WRITE_FAILED', 'cannot write 3 tiles', { details: { errno: 'EACCES' } })));
});

test('a data directory whose volume fills mid-job: the job waits, then finishes every item in full', (t) =>
  withSmallVolume(t, root, 24, async (volume) => {
    let filled = false;
    const engine = await openEngine(
      join(volume.path, 'data'),
      steppingKind(['first', 'second'], async (label, step) => {
        if (label === 'first' && step === 10 && !filled) {
          filled = true;
          await volume.fill();
          // Space comes back while the job waits for it (an operator cleaning up).
          setTimeout(() => void volume.free(), 2500);
        }
      }),
    );
    try {
      await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
      const job = await engine.start({ kind: 'verify', params: { cache: '/tmp/any' } });
      const final = await engine.waitFor(job.id);
      assert.ok(filled, 'the volume was filled during the job');
      assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
      assert.deepEqual(final.items, { total: 2, queued: 0, running: 0, succeeded: 2, partial: 0, failed: 0, cancelled: 0, interrupted: 0 });
      assert.equal(final.progress.done, 2 * STEPS);
      assert.equal(final.progress.total, 2 * STEPS);
      const events = engine.store.events(job.id, 0, 500).map((e) => e.type);
      assert.ok(events.includes('resumed'), `the wait and its end are in the job log: ${events.join(', ')}`);
    } finally {
      await engine.close();
    }
  }));

test('a full volume that stays full: the job ends without success, no item stays running, and a retry after freeing space finishes it', (t) =>
  withSmallVolume(t, root, 24, async (volume) => {
    let filled = false;
    const kind = steppingKind(['only'], async (_label, step) => {
      if (step === 10 && !filled) {
        filled = true;
        await volume.fill();
      }
    });
    const dataDir = join(volume.path, 'data');
    let engine = await openEngine(dataDir, kind);
    let jobId = 0;
    try {
      await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
      jobId = (await engine.start({ kind: 'verify', params: { cache: '/tmp/any' } })).id;
      // The job waits for room; the operator gives up on it.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(engine.store.getJob(jobId).state, 'running');
      engine.cancel([jobId]);
      await engine.waitFor(jobId).catch(() => {});
    } finally {
      await engine.close();
    }
    await volume.free();
    // Whatever the store could record, no item is left running and nothing is called succeeded.
    const db = openDatabase(join(dataDir, 'jobs.sqlite'));
    const stopped = new JobStore(db).getJob(jobId);
    db.close();
    assert.notEqual(stopped.state, 'succeeded');
    assert.equal(stopped.items.succeeded, 0);
    engine = await openEngine(dataDir, kind);
    try {
      const before = engine.store.getJob(jobId);
      assert.equal(before.items.running, 0, `no item is left running: ${JSON.stringify(before.items)}`);
      engine.retry([jobId]);
      const final = await engine.waitFor(jobId);
      assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
      assert.equal(final.items.succeeded, 1);
      assert.equal(final.progress.done, STEPS);
    } finally {
      await engine.close();
    }
  }));

test('a retried job whose item was left running (an older engine’s full disk) runs that item, never a false success', async () => {
  const dataDir = join(root, 'left-running');
  let ran = 0;
  const kind = steppingKind(['a', 'b'], () => {
    ran++;
  });
  let engine = await openEngine(dataDir, kind);
  const jobId = (await engine.start({ kind: 'verify', params: { cache: '/tmp/any' } })).id;
  await engine.waitFor(jobId);
  await engine.close();
  // The store as the full disk left it: the job failed, one item still running, half done.
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  const item = db.prepare("SELECT id FROM job_items WHERE job_id = ? AND label = 'b'").get(jobId) as { id: number };
  db.prepare("UPDATE job_items SET state = 'running', done = 5, checkpoint = '{\"done\":5}' WHERE id = ?").run(item.id);
  db.prepare("UPDATE jobs SET state = 'failed', error_code = 'INTERNAL', error_message = 'database or disk is full' WHERE id = ?").run(jobId);
  db.close();
  ran = 0;
  engine = await openEngine(dataDir, kind);
  try {
    engine.retry([jobId]);
    const final = await engine.waitFor(jobId);
    assert.equal(final.state, 'succeeded');
    assert.equal(ran, STEPS - 5, 'the item left running ran from its checkpoint to its end');
    assert.deepEqual(final.items, { total: 2, queued: 0, running: 0, succeeded: 2, partial: 0, failed: 0, cancelled: 0, interrupted: 0 });
  } finally {
    await engine.close();
  }
});
