import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { JobProgress } from '../../shared/contract.js';
import { TesseraError, type ErrorCode } from '../../shared/errors.js';
import { openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { Engine, type EngineOptions } from './engine.js';
import type { JobKindPlugin } from '../kinds/job-kind.js';
import { createLogger } from '../logging/logger.js';
import { scriptedPool } from '../pool/testing/scripted-pool.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));
const workerFile = fileURLToPath(new URL('../../workers/testing/scripted-tasks.js', import.meta.url));
let dirs = 0;

/**
 * A kind whose items run real pool tasks: item `label` → behaviour from `script`.
 * 'ok' spins briefly; 'slow' spins long (cancellation); 'fail:CODE' fails; 'flaky:N' fails N times
 * with IO_ERROR first; 'crash-once' crashes its worker on the first attempt.
 */
/** A scripted item: its label says what it does; its checkpoint how many steps are done. */
type ScriptedKind = JobKindPlugin<'verify', { label: string }, { done: number }, unknown>;

function scriptedKind(script: string[], calls: { plans: number; attempts: Map<string, number> } = { plans: 0, attempts: new Map() }): ScriptedKind {
  return {
    kind: 'verify',
    itemConcurrency: 2,
    describe: () => 'scripted',
    async plan() {
      calls.plans++;
      return script.map((label) => ({ label, spec: { label }, total: 10 }));
    },
    async runItem(_params, item, context) {
      const label = item.spec.label;
      const attempt = (calls.attempts.get(label) ?? 0) + 1;
      calls.attempts.set(label, attempt);
      const [what, arg] = label.split(':');
      const start = item.checkpoint?.done ?? 0;
      for (let step = start; step < 10; step++) {
        if (what === 'fail' && step === 5)
          await scriptedPool(context.pool).run('fail', { code: arg as ErrorCode, message: `${label} failed at step 5` }, { signal: context.signal });
        if (what === 'flaky' && attempt <= Number(arg) && step === 3) throw new TesseraError('IO_ERROR', `EIO on attempt ${attempt}`);
        if (what === 'crash-once' && attempt === 1 && step === 2) await scriptedPool(context.pool).run('crash', {}, { signal: context.signal });
        await scriptedPool(context.pool).run('spin', { ms: what === 'slow' ? 400 : 2 }, { signal: context.signal });
        context.progress({ done: 1, bytes: 100 });
        context.checkpoint({ done: step + 1 });
      }
      return { steps: 10 - start };
    },
  };
}

async function engineWith(plugin: ScriptedKind, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({
    dataDir: join(root, `d${++dirs}`),
    host: 'headless',
    workerFile,
    threads: 2,
    logger: createLogger('silent'),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    plugins: { verify: plugin },
    ...options,
  });
}

const job = (cache = '/tmp/any') => ({ kind: 'verify' as const, params: { cache } });
// The scripted kind has no validate(), so any cache path is accepted.

test('a job runs its items in the pool and succeeds, with throttled progress', async () => {
  const engine = await engineWith(scriptedKind(['ok', 'ok2', 'ok3']));
  try {
    const progress: JobProgress[] = [];
    engine.events.on('job.progress', (p) => progress.push(p));
    const started = performance.now();
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(final.state, 'succeeded');
    assert.deepEqual(final.items, { total: 3, queued: 0, running: 0, succeeded: 3, partial: 0, failed: 0, cancelled: 0, interrupted: 0 });
    assert.equal(final.progress.done, 30);
    assert.equal(final.progress.total, 30);
    assert.equal(final.progress.bytes, 3000);
    assert.ok(progress.length >= 1);
    assert.ok(progress.length <= Math.ceil(seconds * 10) + 3, `${progress.length} progress events in ${seconds}s`);
    assert.equal(progress.at(-1)!.done, 30, 'the final numbers are never throttled away');
  } finally {
    await engine.close();
  }
});

test('a job whose items partly failed ends partial with every error kept; retry re-runs only the failed items', async () => {
  const calls = { plans: 0, attempts: new Map<string, number>() };
  const engine = await engineWith(scriptedKind(['ok', 'fail:TILE_CORRUPT', 'ok2'], calls));
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'partial');
    assert.equal(final.error?.code, 'TILE_CORRUPT');
    assert.match(final.error!.message, /1 of 3 item\(s\) failed.*fail:TILE_CORRUPT failed at step 5/);
    const failed = engine.store.listItems(j.id, { states: ['failed'] }).rows;
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.error?.code, 'TILE_CORRUPT');
    assert.equal(failed[0]!.attempts, 1, 'permanent errors are not retried');

    const result = engine.retry([j.id]);
    assert.deepEqual(result.ok, [j.id]);
    const again = await engine.waitFor(j.id);
    assert.equal(again.state, 'partial', 'it fails again: the failure is real');
    assert.equal(calls.plans, 1, 'a retry does not plan again');
    assert.equal(calls.attempts.get('ok'), 1, 'succeeded items are not run again');
    assert.equal(calls.attempts.get('fail:TILE_CORRUPT'), 2);
    const retried = engine.store.listItems(j.id, { states: ['failed'] }).rows[0]!;
    assert.equal(retried.attempts, 2);
  } finally {
    await engine.close();
  }
});

test('a job retried twice counts each item once: an item without a checkpoint starts over, one with a checkpoint resumes from its counters', async () => {
  // 'over' counts all its 10 units and fails with no checkpoint (as an ingest's copy does);
  // 'resume' checkpoints 4 units, counts 6 more, and fails: it resumes from the 4.
  const plugin: ScriptedKind = {
    kind: 'verify',
    describe: () => 'counting',
    plan: async () => [
      { label: 'over', spec: { label: 'over' }, total: 10 },
      { label: 'resume', spec: { label: 'resume' }, total: 10 },
    ],
    async runItem(_params, item, context) {
      if (item.spec.label === 'resume') {
        if (item.checkpoint === null) {
          context.progress({ done: 4, bytes: 40 });
          context.checkpoint({ done: 4 });
        }
        context.progress({ done: 6, bytes: 60 });
      } else context.progress({ done: 10, bytes: 100 });
      throw new TesseraError('TILE_CORRUPT', `${item.spec.label}: failed after counting`);
    },
  };
  const engine = await engineWith(plugin);
  try {
    const j = await engine.start(job());
    let final = await engine.waitFor(j.id);
    for (let retry = 1; retry <= 2; retry++) {
      engine.retry([j.id]);
      final = await engine.waitFor(j.id);
    }
    assert.equal(final.state, 'failed');
    assert.deepEqual({ done: final.progress.done, total: final.progress.total, bytes: final.progress.bytes }, { done: 20, total: 20, bytes: 200 });
    const items = engine.store.listItems(j.id).rows.map((i) => [i.label, i.done, i.total, i.bytes, i.attempts]);
    assert.deepEqual(items, [
      ['over', 10, 10, 100, 3],
      ['resume', 10, 10, 100, 3],
    ]);
    // After a restart (the job's counters recomputed from its items) the numbers stay the same.
    const stored = engine.store.getJob(j.id).progress;
    assert.deepEqual({ done: stored.done, total: stored.total }, { done: 20, total: 20 });
  } finally {
    await engine.close();
  }
});

test('transient failures are retried with backoff; each attempt and its error are recorded', async () => {
  const engine = await engineWith(scriptedKind(['flaky:2']));
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'succeeded');
    const [item] = engine.store.listItems(j.id).rows;
    assert.equal(item!.attempts, 3);
    assert.equal(item!.done, 10, 'resumed from its checkpoint: no step counted twice');
    const retries = engine.store.events(j.id).filter((e) => e.type === 'item.retry');
    assert.equal(retries.length, 2);
    assert.match(retries[0]!.message, /attempt 1 failed \(IO_ERROR: EIO on attempt 1\); retrying in \d+ ms/);
    const metrics = await engine.metrics.registry.getSingleMetricAsString('tessera_item_retries_total');
    assert.match(metrics, /tessera_item_retries_total\{kind="verify"\} 2/);
  } finally {
    await engine.close();
  }
});

test('transient failures that persist fail the item after the last attempt, keeping the last error', async () => {
  const engine = await engineWith(scriptedKind(['flaky:99', 'ok']), { maxAttempts: 3 });
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'partial');
    const failed = engine.store.listItems(j.id, { states: ['failed'] }).rows[0]!;
    assert.equal(failed.attempts, 3);
    assert.deepEqual(failed.error, { code: 'IO_ERROR', message: 'EIO on attempt 3' });
  } finally {
    await engine.close();
  }
});

test('a worker that crashes fails only its attempt; the item is retried on a fresh worker', async () => {
  const engine = await engineWith(scriptedKind(['crash-once', 'ok']));
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'succeeded');
    const crashed = engine.store.listItems(j.id).rows.find((i) => i.label === 'crash-once')!;
    assert.equal(crashed.attempts, 2);
    assert.equal(crashed.error, null);
    assert.ok(engine.store.events(j.id).some((e) => e.type === 'item.retry' && /WORKER_CRASHED/.test(e.message)));
    assert.match(await engine.metrics.registry.getSingleMetricAsString('tessera_worker_restarts_total'), /tessera_worker_restarts_total [1-9]/);
  } finally {
    await engine.close();
  }
});

test('a queued job that is cancelled never starts', async () => {
  const calls = { plans: 0, attempts: new Map<string, number>() };
  const engine = await engineWith(scriptedKind(['ok'], calls));
  try {
    await engine.handlers['queue.pause']({});
    const j = await engine.start(job());
    assert.equal(engine.store.getJob(j.id).state, 'queued');
    assert.deepEqual(engine.cancel([j.id]).ok, [j.id]);
    assert.equal(engine.store.getJob(j.id).state, 'cancelled');
    await engine.handlers['queue.resume']({});
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(engine.store.getJob(j.id).state, 'cancelled');
    assert.equal(calls.plans, 0);
  } finally {
    await engine.close();
  }
});

test('a running job reaches cancelled promptly, in the middle of a long task', async () => {
  const engine = await engineWith(scriptedKind(['slow', 'slow:2', 'slow:3']));
  try {
    const j = await engine.start(job());
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.progress', (p) => {
        if (p.jobId === j.id && p.done >= 1) {
          off();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    engine.cancel([j.id]);
    const final = await engine.waitFor(j.id);
    const ms = performance.now() - t0;
    assert.equal(final.state, 'cancelled');
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms (bench/ measures the p99 against the 250 ms target)`);
    const items = engine.store.listItems(j.id).rows;
    assert.ok(
      items.every((i) => i.state === 'cancelled'),
      items.map((i) => i.state).join(),
    );
    // Cancelled jobs can be resumed: the items go back to queued and finish from their checkpoints.
    engine.retry([j.id]);
    assert.equal(engine.store.getJob(j.id).state === 'queued' || engine.store.getJob(j.id).state === 'running', true);
    engine.cancel([j.id]);
  } finally {
    await engine.close();
  }
});

test('concurrency limits and priorities decide which queued job starts', async () => {
  const engine = await engineWith(scriptedKind(['ok']));
  try {
    await engine.handlers['settings.update']({ maxRunningJobs: 1 });
    await engine.handlers['queue.pause']({});
    const low = await engine.start({ ...job(), priority: -1 });
    const normal = await engine.start(job());
    const high = await engine.start({ ...job(), priority: 5 });
    const order: number[] = [];
    let maxRunning = 0;
    engine.events.on('job.changed', (j) => {
      if (j.state === 'running' && !order.includes(j.id)) order.push(j.id);
      maxRunning = Math.max(maxRunning, engine.queueState().running);
    });
    await engine.handlers['queue.resume']({});
    await Promise.all([low, normal, high].map((j) => engine.waitFor(j.id)));
    assert.deepEqual(order, [high.id, normal.id, low.id]);
    assert.equal(maxRunning, 1);
  } finally {
    await engine.close();
  }
});

test('an empty plan fails the job with NO_ITEMS instead of calling it done', async () => {
  const engine = await engineWith(scriptedKind([]));
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'failed');
    assert.equal(final.error?.code, 'NO_ITEMS');
  } finally {
    await engine.close();
  }
});

test('one engine per data directory: a second one gets DATA_DIR_LOCKED naming the owner', async () => {
  const engine = await engineWith(scriptedKind(['ok']));
  try {
    await assert.rejects(
      Engine.open({ dataDir: engine.dataDir, host: 'headless', workerFile, logger: createLogger('silent') }),
      (e: unknown) => e instanceof TesseraError && e.code === 'DATA_DIR_LOCKED' && e.message.includes(`pid ${process.pid}`),
    );
  } finally {
    await engine.close();
  }
  const reopened = await Engine.open({ dataDir: engine.dataDir, host: 'headless', workerFile, logger: createLogger('silent') });
  await reopened.close();
});

test('resumeRecovered (an engine process restarted after a crash): the running job is re-queued at once, the one being cancelled is not', async () => {
  const dataDir = join(root, `d${++dirs}`);
  const first = await engineWith(scriptedKind(['a']), { dataDir });
  await first.handlers['queue.pause']({});
  const running = await first.start(job('/r'));
  const cancelling = await first.start(job('/c'));
  await first.close();
  // Simulate the crash: one job was running, the other being cancelled.
  const store = new JobStore(openDatabase(join(dataDir, 'jobs.sqlite')));
  store.transitionJob(running.id, 'running');
  store.transitionJob(cancelling.id, 'running');
  store.transitionJob(cancelling.id, 'cancelling');

  const engine = await engineWith(scriptedKind(['a']), { dataDir, resumeRecovered: true });
  try {
    assert.equal(engine.store.getJob(running.id).state, 'queued', 'the queue is paused: it waits there, resumed');
    assert.equal(engine.store.getJob(cancelling.id).state, 'interrupted');
  } finally {
    await engine.close();
  }
});

test('a shutdown (Engine.close) while a job runs leaves it interrupted, not cancelled, and jobs resume finishes it', async () => {
  const dataDir = join(root, `d${++dirs}`);
  const first = await engineWith(scriptedKind(['slow', 'slow:2', 'slow:3']), { dataDir });
  const j = await first.start(job());
  await new Promise<void>((resolve) => {
    const off = first.events.on('job.progress', (p) => {
      if (p.jobId === j.id && p.done >= 1) {
        off();
        resolve();
      }
    });
  });
  await first.close();
  const engine = await engineWith(scriptedKind(['slow', 'slow:2', 'slow:3']), { dataDir });
  try {
    const stopped = engine.store.getJob(j.id);
    assert.equal(stopped.state, 'interrupted');
    const timeline = engine.store.events(j.id).map((e) => e.message);
    assert.ok(
      timeline.some((m) => /Tessera was shut down/.test(m)),
      timeline.join('\n'),
    );
    assert.ok(!timeline.some((m) => /cancel requested/.test(m)), timeline.join('\n'));
    // Job and items agree: the summary counts its unfinished items as interrupted, none queued.
    assert.equal(stopped.items.queued, 0);
    assert.ok(stopped.items.interrupted > 0, JSON.stringify(stopped.items));
    const items = engine.store.listItems(j.id).rows;
    assert.ok(
      items.every((i) => i.state === 'interrupted' || i.state === 'succeeded'),
      items.map((i) => i.state).join(),
    );
    // The job's counters are its items' sum, and resuming finishes from the checkpoints.
    assert.equal(
      stopped.progress.done,
      items.reduce((n, i) => n + i.done, 0),
    );
    engine.retry([j.id]);
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'succeeded');
    assert.equal(final.progress.done, 30);
  } finally {
    await engine.close();
  }
});

test('jobs left running by a dead process are interrupted at start-up and resume from their checkpoints', async () => {
  const dataDir = join(root, `d${++dirs}`);
  const first = await engineWith(scriptedKind(['a', 'b']), { dataDir });
  await first.handlers['queue.pause']({});
  const j = await first.start(job());
  await first.close();
  // Simulate the crash: the job was running, item a done, item b half way.
  const store = new JobStore(openDatabase(join(dataDir, 'jobs.sqlite')));
  store.addItems(j.id, [
    { label: 'a', spec: { label: 'a' }, total: 10 },
    { label: 'b', spec: { label: 'b' }, total: 10 },
  ]);
  store.transitionJob(j.id, 'running');
  const [a, b] = store.runnableItems(j.id);
  store.transitionItem(a!.id, 'running');
  store.saveItemProgress(a!.id, { done: 10, total: 10, failed: 0, bytes: 1000, skipped: 0 }, { done: 10 });
  store.transitionItem(a!.id, 'succeeded');
  store.transitionItem(b!.id, 'running');
  store.saveItemProgress(b!.id, { done: 6, total: 10, failed: 0, bytes: 600, skipped: 0 }, { done: 6 });

  const calls = { plans: 0, attempts: new Map<string, number>() };
  const engine = await engineWith(scriptedKind(['a', 'b'], calls), { dataDir });
  try {
    await engine.handlers['queue.resume']({});
    const recovered = engine.store.getJob(j.id);
    assert.equal(recovered.state, 'interrupted');
    // Its unfinished item reads as the job does (it read "1 queued" under an interrupted job).
    assert.deepEqual(recovered.items, { total: 2, queued: 0, running: 0, succeeded: 1, partial: 0, failed: 0, cancelled: 0, interrupted: 1 });
    const health = await engine.handlers['app.health']({});
    assert.match(health.find((h) => h.name === 'recovery')!.message, new RegExp(`interrupted: ${j.id}`));
    engine.retry([j.id]);
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'succeeded');
    assert.equal(calls.attempts.get('a'), undefined, 'the finished item is not run again');
    const itemB = engine.store.listItems(j.id).rows.find((i) => i.label === 'b')!;
    assert.equal(itemB.done, 10, 'b resumed at step 6 and counted 4 more');
  } finally {
    await engine.close();
  }
});

test('start-up services report their health; a switched-off feature says disabled', async () => {
  const engine = await engineWith(scriptedKind(['ok']));
  try {
    const health = await engine.handlers['app.health']({});
    const byName = Object.fromEntries(health.map((h) => [h.name, h.state]));
    assert.deepEqual(byName, { store: 'ok', recovery: 'ok', retention: 'disabled', metrics: 'ok', disk: 'ok' });
  } finally {
    await engine.close();
  }
});

test('app.health reads the disk when asked: a floor set behind the poller’s back shows at once, and so does its removal', async () => {
  // An hour between polls: only the ask itself can have read the disk again.
  const engine = await engineWith(scriptedKind(['ok']), { diskCheckIntervalMs: 3600_000 });
  try {
    const disk = async () => (await engine.handlers['app.health']({})).find((h) => h.name === 'disk')!;
    assert.equal((await disk()).state, 'ok');
    const settings = await engine.handlers['settings.get']({});
    engine.store.setSetting('settings', { ...settings, freeSpaceFloorBytes: 2 ** 60 });
    const failed = await disk();
    assert.equal(failed.state, 'failed');
    assert.match(failed.message, /floor 1024 PiB/);
    engine.store.setSetting('settings', settings);
    assert.equal((await disk()).state, 'ok');
  } finally {
    await engine.close();
  }
});

test('switched-off features stay quiet: nothing about them above debug', async () => {
  const entries: { level: string; message: string }[] = [];
  const dataDir = join(root, `d${++dirs}`);
  const first = await engineWith(scriptedKind(['ok']), { dataDir });
  await first.handlers['settings.update']({ metricsEnabled: false, retentionDays: null });
  await first.close();
  const engine = await engineWith(scriptedKind(['ok']), { dataDir, logger: createLogger('debug', (e) => entries.push(e)) });
  try {
    const loud = entries.filter((e) => e.level !== 'debug' && /retention|metrics/i.test(e.message));
    assert.deepEqual(loud, []);
    assert.ok(
      entries.some((e) => e.level === 'debug' && /retention is off/.test(e.message)),
      'it is still there at debug',
    );
    const health = await engine.handlers['app.health']({});
    assert.equal(health.find((h) => h.name === 'metrics')?.state, 'disabled');
  } finally {
    await engine.close();
  }
});

test('a kind’s begin makes one session for all items and end completes it, told whether the job was cancelled', async () => {
  const ends: { cancelled: boolean; states: string[]; session: unknown }[] = [];
  let begins = 0;
  const base = scriptedKind(['ok', 'fail:TILE_CORRUPT', 'slow']);
  const sessions = new Set<unknown>();
  const plugin: ScriptedKind = {
    ...base,
    async begin() {
      begins++;
      return { writer: begins };
    },
    async runItem(params, item, context) {
      sessions.add(context.session);
      return base.runItem(params, item, context);
    },
    async end(_params, session, outcome) {
      ends.push({ cancelled: outcome.cancelled, states: outcome.items.map((i) => i.state), session });
    },
  };
  const engine = await engineWith(plugin);
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'partial');
    assert.equal(begins, 1);
    assert.deepEqual([...sessions], [{ writer: 1 }], 'every item saw the same session');
    assert.deepEqual(ends, [{ cancelled: false, states: ['succeeded', 'failed', 'succeeded'], session: { writer: 1 } }]);

    const k = await engine.start(job());
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.progress', (p) => {
        if (p.jobId === k.id && p.done >= 1) {
          off();
          resolve();
        }
      });
    });
    engine.cancel([k.id]);
    assert.equal((await engine.waitFor(k.id)).state, 'cancelled');
    assert.equal(ends.at(-1)!.cancelled, true, 'end still runs on cancel, to release what begin made');
  } finally {
    await engine.close();
  }
});

test('an end that fails fails the job with its error; a kind without an estimate refuses jobs.estimate', async () => {
  const base = scriptedKind(['ok']);
  const engine = await engineWith({
    ...base,
    async end() {
      throw new TesseraError('WRITE_FAILED', 'could not write the archive /x.pmtiles');
    },
  });
  try {
    const j = await engine.start(job());
    const final = await engine.waitFor(j.id);
    assert.equal(final.state, 'failed');
    assert.equal(final.error?.code, 'WRITE_FAILED');
    await assert.rejects(engine.estimate(job()), (e: TesseraError) => e.code === 'BAD_INPUT' && /no estimate/.test(e.message));
  } finally {
    await engine.close();
  }
});

test('an item below the free-space floor waits (the reason in the job log) instead of writing, and cancel ends the wait', async () => {
  const base = scriptedKind(['ok']);
  const plugin: ScriptedKind = {
    ...base,
    async runItem(_params, _item, context) {
      await context.waitForSpace(context.dataDir);
      return {};
    },
  };
  const engine = await engineWith(plugin);
  try {
    engine.handlers['settings.update']({ freeSpaceFloorBytes: Number.MAX_SAFE_INTEGER });
    const j = await engine.start(job());
    await new Promise<void>((resolve) => {
      const off = engine.events.on('job.event', (e) => {
        if (e.jobId === j.id && e.type === 'waiting') {
          off();
          resolve();
        }
      });
    });
    assert.equal(engine.store.getJob(j.id).state, 'running');
    const waiting = engine.store.events(j.id, 0, 100).find((e) => e.type === 'waiting')!;
    assert.match(waiting.message, /waiting for disk space: .* free at .*, below the .* floor/);
    engine.cancel([j.id]);
    assert.equal((await engine.waitFor(j.id)).state, 'cancelled');
  } finally {
    await engine.close();
  }
});
