/**
 * Plan schedules against a real engine, with the reconcile's clock moved by the test: a due plan
 * starts its job; slots missed while the app was closed run once, not once per slot; a due run
 * while the previous job is still active is skipped and counted, never piled up. The hosted
 * service watches a folder and reports in its own health check.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { openDatabase } from '../store/database.js';
import { PlanRecords } from '../store/plan-records.js';
import { hillshadeMbtiles } from '../testing/real-data.js';
import { scheduleDue } from './reconcile.js';
import { PlanService } from './plan-service.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-plan-schedule-'));
after(() => rmSync(root, { recursive: true, force: true }));
const HOUR = 3_600_000;

test('scheduleDue: the first slot after the last handled instant, once however many passed', () => {
  const plan = { schedule: '0 */6 * * *', timezone: 'UTC' };
  const record = { scheduledAt: '2026-12-07T01:00:00.000Z', appliedAt: '2026-12-01T00:00:00.000Z' };
  assert.equal(scheduleDue(plan, record, new Date('2026-12-07T05:59:59Z')), null);
  assert.equal(scheduleDue(plan, record, new Date('2026-12-07T06:00:00Z')), '2026-12-07T06:00:00.000Z');
  // Three days closed: one due run (the first missed slot names it), not twelve.
  assert.equal(scheduleDue(plan, record, new Date('2026-12-10T09:00:00Z')), '2026-12-07T06:00:00.000Z');
  assert.equal(scheduleDue({ schedule: null, timezone: 'UTC' }, record, new Date('2030-01-01T00:00:00Z')), null);
  // Time zones are the plan's: 03:00 in Zurich is 02:00 UTC in winter.
  assert.equal(scheduleDue({ schedule: '0 3 * * *', timezone: 'Europe/Zurich' }, record, new Date('2026-12-07T02:00:00Z')), '2026-12-07T02:00:00.000Z');
});

test('a scheduled plan runs when due, catches up once, and skips (counted) while its job is still active', async () => {
  const cache = hillshadeMbtiles(root);
  const source = join(root, 'plans');
  mkdirSync(source);
  writeFileSync(join(source, 'check.yaml'), `name: check-hill\nkind: verify\nparams:\n  cache: ${JSON.stringify(cache)}\nschedule: every 6h\n`);
  const dataDir = join(root, 'data');
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  let now = new Date('2026-12-07T01:00:00Z');
  const records = new PlanRecords(db);
  const plans = new PlanService({
    dataDir,
    records,
    job: (id) => (engine.store.jobExists(id) ? engine.store.getJob(id) : null),
    start: (input) => engine.start(input),
    assertPaths: async () => {},
    now: () => now,
  });
  try {
    const started = async () => {
      const report = await plans.apply(source);
      return report.plans.flatMap((p) => (p.startedJobId === undefined ? [] : [p.startedJobId]));
    };
    const [first] = await started();
    assert.equal((await engine.waitFor(first!)).state, 'succeeded');
    assert.deepEqual(await started(), [], 'applied at 01:00: nothing due before 06:00');

    now = new Date('2026-12-08T09:30:00Z'); // closed for a day: four slots passed
    const caughtUp = await started();
    assert.equal(caughtUp.length, 1, 'missed slots run once');
    await engine.waitFor(caughtUp[0]!);
    assert.deepEqual(await started(), [], 'and not again until the next slot');

    // The next slot's job is held in the queue (paused); the slot after it comes while it waits.
    await engine.handlers['queue.pause']({});
    now = new Date(now.getTime() + 6 * HOUR);
    const [third] = await started();
    assert.ok(third, 'the next slot starts its job');
    now = new Date(now.getTime() + 6 * HOUR);
    const skipped = await plans.apply(source);
    assert.deepEqual(
      skipped.plans.map((p) => p.startedJobId),
      [undefined],
    );
    assert.match(skipped.plans[0]!.changes.join(' '), new RegExp(`skipped: job ${third} is still queued`));
    assert.equal(records.list(source)[0]!.skippedRuns, 1);
    assert.deepEqual(await started(), [], 'a skipped slot is not piled up behind the active job');
    await engine.handlers['queue.resume']({});
    assert.equal((await engine.waitFor(third!)).state, 'succeeded');
    const jobs = (await engine.handlers['jobs.list']({ limit: 50 })).rows.filter((j) => j.name === 'check-hill');
    assert.equal(jobs.length, 3, 'apply, catch-up, one due slot: three runs of the plan');
  } finally {
    db.close();
    await engine.close();
  }
});

test('serve --plans: a plan written into a watched folder starts its job; the "plans" health check says how it went', async () => {
  const cache = hillshadeMbtiles(join(root));
  const source = join(root, 'watched');
  mkdirSync(source);
  const missing = join(root, 'no-such-folder');
  const engine = await Engine.open({
    dataDir: join(root, 'data-watch'),
    host: 'headless',
    logger: createLogger('silent'),
    planSources: [source, missing],
    planSyncIntervalMs: 60_000, // the watch, not the poll, must notice the new file
  });
  try {
    const health = async () => (await engine.handlers['app.health']({})).find((c) => c.name === 'plans');
    for (let i = 0; i < 50 && !(await health())?.message.includes(missing); i++) await sleep(100);
    assert.equal((await health())?.state, 'failed', 'the unreadable source fails the plans check');
    assert.match((await health())!.message, new RegExp(`${source}: 0 plan\\(s\\)`), 'and the readable one is reported as fine');
    assert.ok(
      (await engine.handlers['app.health']({})).some((c) => c.name === 'store' && c.state === 'ok'),
      'the other checks are untouched',
    );

    writeFileSync(join(source, 'v.yaml'), `name: watched\nkind: verify\nparams: { cache: ${JSON.stringify(cache)} }\n`);
    let jobs: { id: number; name: string }[] = [];
    for (let i = 0; i < 100 && jobs.length === 0; i++) {
      await sleep(100);
      jobs = (await engine.handlers['jobs.list']({ limit: 10 })).rows.filter((j) => j.name === 'watched');
    }
    assert.equal(jobs.length, 1, 'the file event started the plan within seconds');
    assert.equal((await engine.waitFor(jobs[0]!.id)).state, 'succeeded');
  } finally {
    await engine.close();
  }
  const quiet = await Engine.open({ dataDir: join(root, 'data-quiet'), host: 'headless', logger: createLogger('silent') });
  try {
    assert.equal(
      (await quiet.handlers['app.health']({})).find((c) => c.name === 'plans'),
      undefined,
      'no sources: no check, no noise',
    );
  } finally {
    await quiet.close();
  }
});

test('plan sources in Settings: checked on save, synced at once and after a restart, removed without undoing anything', async () => {
  const cache = hillshadeMbtiles(root);
  const source = join(root, 'settings-plans');
  mkdirSync(source);
  writeFileSync(join(source, 'v.yaml'), `name: from-settings\nkind: verify\nparams: { cache: ${JSON.stringify(cache)} }\n`);
  const dataDir = join(root, 'data-settings');
  const open = () => Engine.open({ dataDir, host: 'headless', logger: createLogger('silent'), planSyncIntervalMs: 60_000 });
  const jobsNamed = async (engine: Engine) => (await engine.handlers['jobs.list']({ limit: 50 })).rows.filter((j) => j.name === 'from-settings');
  const health = async (engine: Engine) => (await engine.handlers['app.health']({})).find((c) => c.name === 'plans');
  let engine = await open();
  try {
    // Refused at save, naming the line: a missing folder, a file, credentials in a git URL.
    for (const [bad, why] of [
      [join(root, 'nope'), /planSources\.0: .*does not exist/],
      [cache, /planSources\.0: .*is not a folder/],
      ['https://user:secret@example.com/plans.git', /planSources\.0: /],
    ] as const) {
      await assert.rejects(
        async () => engine.handlers['settings.update']({ planSources: [bad] }),
        (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && why.test(e.message),
      );
    }
    assert.deepEqual((await engine.handlers['settings.get']({})).planSources, [], 'nothing refused was saved');
    assert.equal(await health(engine), undefined, 'still no sources: no check');

    await engine.handlers['settings.update']({ planSources: [source] });
    assert.deepEqual(await engine.handlers['plans.sources']({}), [source]);
    let jobs: { id: number }[] = [];
    for (let i = 0; i < 100 && jobs.length === 0; i++) {
      await sleep(100);
      jobs = await jobsNamed(engine);
    }
    assert.equal(jobs.length, 1, 'saving the setting reconciled the source at once');
    assert.equal((await engine.waitFor(jobs[0]!.id)).state, 'succeeded');
  } finally {
    await engine.close();
  }

  // After a restart the setting is kept and watched: a changed plan starts again.
  engine = await open();
  try {
    assert.deepEqual(await engine.handlers['plans.sources']({}), [source]);
    writeFileSync(join(source, 'v.yaml'), `name: from-settings\nkind: verify\nparams: { cache: ${JSON.stringify(cache)}, maxTileBytes: 100000 }\n`);
    let jobs: { id: number }[] = [];
    for (let i = 0; i < 100 && jobs.length < 2; i++) {
      await sleep(100);
      jobs = await jobsNamed(engine);
    }
    assert.equal(jobs.length, 2, 'the changed plan started its job after the restart');
    await engine.waitFor(jobs[0]!.id);

    await engine.handlers['settings.update']({ planSources: [] });
    assert.deepEqual(await engine.handlers['plans.sources']({}), []);
    assert.equal((await health(engine))?.state, 'disabled', 'the check says the service is off now');
    writeFileSync(join(source, 'v.yaml'), `name: from-settings\nkind: verify\nparams: { cache: ${JSON.stringify(cache)}, maxTileBytes: 200000 }\n`);
    await sleep(1500);
    assert.equal((await jobsNamed(engine)).length, 2, 'a source no longer in the settings is not watched');
  } finally {
    await engine.close();
  }
});
