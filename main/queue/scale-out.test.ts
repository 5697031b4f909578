/**
 * Scale-out as an operator runs it: a real redis-server on a free loopback port, two real
 * `tessera worker` processes, and `tessera preseed raster` / `tessera verify` with `--queue`.
 * Blue Marble z0–4 (341 tiles) through the workers must give the very tiles of the in-process run
 * (count, bytes and a digest of every z/x/y and its bytes), through a worker killed with -9 mid-job
 * and through a Redis restart mid-job (which, without persistence, loses every queued task);
 * a cancel leaves no task in the queue; a source one worker cannot read fails the item with that
 * worker's name and GDAL's words.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { blueMarbleTif } from '../testing/real-data.js';
import { runTessera } from '../testing/run-tessera.js';
import { NO_REDIS, TestRedis } from './testing/redis-server.js';
import { TESSERA_BIN, type TileDigest, digest, redisCli as queueRedisCli, startWorker as startQueueWorker, stopWorker } from './testing/worker-processes.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-out-'));
const children = new Set<ChildProcess>();
let redis: TestRedis;
let reference: TileDigest;
let runs = 0;

/** Workers on this file's Redis, kept in `children` for clean-up (testing/worker-processes.ts). */
const startWorker = (name: string, env: NodeJS.ProcessEnv = {}) => startQueueWorker(redis.url, name, children, { env });
const redisCli = (...args: string[]) => queueRedisCli(redis.port, ...args);

/** A preseed of Blue Marble z0–4 on a fresh data directory; `queue`: through the workers. */
function preseed(queue: boolean, zoom = '0-4'): { dataDir: string; output: string; run: ReturnType<typeof runTessera> } {
  const dataDir = join(dir, `data-${++runs}`);
  mkdirSync(dataDir);
  const output = join(dataDir, 'bm.mbtiles');
  const args = ['preseed', 'raster', blueMarbleTif(), '--zoom', zoom, '-o', output, '--json'];
  return { dataDir, output, run: runTessera(dataDir, ...args, ...(queue ? ['--queue', redis.url] : [])) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  if (NO_REDIS) return;
  redis = await TestRedis.start();
  const { output, run } = preseed(false);
  const done = await run;
  assert.equal(done.code, 0, done.stderr);
  reference = digest(output);
  assert.equal(reference.tiles, 341);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a raster preseed and a verify through two tessera workers give what the in-process run gives', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker('wA'), await startWorker('wB')];
  try {
    const { output, dataDir, run } = preseed(true);
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
    // Both took tasks (each holds two at a time, with a queue full of blocks). A beat written after
    // the job ended (they come every 2 s) has every task the worker did for it.
    const finished = Date.now();
    type Beat = { tasksDone: number; pid: number; lastBeatAt: string };
    let beats: Beat[] = [];
    for (let i = 0; i < 60; i++) {
      beats = ['wA', 'wB'].map((name) => JSON.parse(redisCli('GET', `tessera:worker:${name}`)) as Beat);
      if (beats.every((b) => Date.parse(b.lastBeatAt) > finished)) break;
      await sleep(100);
    }
    for (const beat of beats) assert.ok(beat.tasksDone > 0, `every worker took tasks: ${JSON.stringify(beats)}`);
    assert.deepEqual(beats.map((b) => b.pid).sort(), workers.map((w) => w.pid).sort());

    const verified = await runTessera(dataDir, 'verify', output, '--queue', redis.url, '--json');
    assert.equal(verified.code, 0, verified.stderr);
    const local = await runTessera(dataDir, 'verify', output, '--json');
    const counts = (text: string) => {
      const { done, failed, bytes, total } = (JSON.parse(text) as { job: { progress: { done: number; failed: number; bytes: number; total: number } } }).job
        .progress;
      return { done, failed, bytes, total };
    };
    assert.deepEqual(counts(verified.stdout), counts(local.stdout));
    assert.equal(counts(verified.stdout).done, 341);
    // Nothing left behind in Redis: no result, no task.
    assert.equal(redisCli('KEYS', 'tessera:result:*'), '');
    assert.equal(redisCli('LLEN', 'tessera:tessera-tasks:wait'), '0');

    // Each job's tasks per worker, kept with the job after its run (read by an engine opened later).
    const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
    try {
      const [preseedJob, verifyJob, localJob] = await Promise.all([1, 2, 3].map((id) => engine.handlers['jobs.workers']({ id })));
      assert.deepEqual(
        preseedJob!.map((w) => w.worker),
        ['wA', 'wB'],
        'the preseed names both workers',
      );
      const sum = (list: typeof preseedJob, field: 'tasksDone' | 'tasksFailed' | 'tiles') => list!.reduce((n, w) => n + w[field], 0);
      // The workers' own counts (their heartbeats, taken before the verify) are the job's tasks.
      assert.equal(sum(preseedJob, 'tasksDone'), beats[0]!.tasksDone + beats[1]!.tasksDone);
      assert.equal(sum(preseedJob, 'tasksFailed'), 0);
      assert.equal(sum(preseedJob, 'tiles'), 341, 'every tile came from one task of one worker');
      for (const w of preseedJob!) assert.ok(w.tasksDone > 0 && Date.parse(w.lastSeenAt) > 0, JSON.stringify(w));
      assert.equal(sum(verifyJob, 'tiles'), 341, 'the verify checked every tile through the workers');
      assert.deepEqual(localJob, [], 'an in-process job has no tasks per worker');
      const events = engine.store.events(1).filter((e) => e.type === 'workers');
      assert.equal(events.length, 1);
      assert.match(events[0]!.message, /^Tasks by worker: wA \d+ done \(\d+ tiles\); wB \d+ done \(\d+ tiles\)$/);
    } finally {
      await engine.close();
    }
  } finally {
    for (const w of workers) assert.equal(await stopWorker(w), 0, 'SIGTERM stops a worker cleanly (exit 0)');
  }
  assert.equal(redisCli('KEYS', 'tessera:worker:*'), '', 'a stopped worker takes its heartbeat away');
});

test('a worker killed with -9 mid-job: its task comes back after the stall check and the tiles are the same', { skip: NO_REDIS }, async () => {
  const survivor = await startWorker('survivor');
  const victim = await startWorker('victim');
  try {
    const { output, run } = preseed(true);
    // Once the victim has finished a task, it holds the next one: kill it there.
    for (let i = 0; i < 200; i++) {
      const beat = redisCli('GET', 'tessera:worker:victim');
      if (beat && (JSON.parse(beat) as { tasksDone: number }).tasksDone >= 2) break;
      await sleep(50);
    }
    victim.kill('SIGKILL');
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
  } finally {
    await stopWorker(survivor);
  }
});

test('a stalled worker (SIGSTOP past its lock) runs its task twice: counted once, the same tiles', { skip: NO_REDIS }, async () => {
  const steady = await startWorker('steady');
  const frozen = await startWorker('frozen');
  try {
    const { output, run } = preseed(true);
    for (let i = 0; i < 200; i++) {
      const beat = redisCli('GET', 'tessera:worker:frozen');
      if (beat && (JSON.parse(beat) as { tasksDone: number }).tasksDone >= 2) break;
      await sleep(50);
    }
    // Its event loop stops: no lock renewal, so after 2 s its task goes to 'steady'. Woken after
    // that, it finishes the same task: BullMQ's at-least-once, made harmless by the engine.
    frozen.kill('SIGSTOP');
    await sleep(4000);
    frozen.kill('SIGCONT');
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
    const progress = (JSON.parse(done.stdout) as { job: { progress: { done: number; total: number } } }).job.progress;
    assert.equal(progress.done, 341, 'no tile counted twice');
    assert.match(redisCli('XRANGE', 'tessera:tessera-tasks:events', '-', '+'), /stalled/, 'BullMQ did re-deliver the frozen worker’s task');
    assert.equal(progress.total, 341);
  } finally {
    await stopWorker(steady);
    await stopWorker(frozen);
  }
});

test('Redis restarted mid-job (its queue lost): the job waits, then finishes with every tile', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker('r1'), await startWorker('r2')];
  try {
    const { output, run } = preseed(true);
    for (let i = 0; i < 200; i++) {
      const beat = redisCli('GET', 'tessera:worker:r1');
      if (beat && (JSON.parse(beat) as { tasksDone: number }).tasksDone >= 2) break;
      await sleep(50);
    }
    await redis.stop();
    await sleep(1500);
    await redis.restart();
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
  } finally {
    for (const w of workers) await stopWorker(w);
  }
});

test('cancel crosses processes: Ctrl-C of the job leaves no task queued and the workers idle', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker('c1'), await startWorker('c2')];
  try {
    const dataDir = join(dir, `data-${++runs}`);
    mkdirSync(dataDir);
    const child = spawn(
      process.execPath,
      [TESSERA_BIN, 'preseed', 'raster', blueMarbleTif(), '--zoom', '0-6', '-o', join(dataDir, 'bm.mbtiles'), '--queue', redis.url, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    for (let i = 0; i < 200; i++) {
      const beat = redisCli('GET', 'tessera:worker:c1');
      if (beat && (JSON.parse(beat) as { tasksDone: number }).tasksDone >= 2) break;
      await sleep(50);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130, 'the job ends cancelled');
    assert.equal(redisCli('LLEN', 'tessera:tessera-tasks:wait'), '0', 'its queued tasks were removed');
    // Running ones stop at their next tile; the heartbeats say so within a beat or two.
    let busy = '';
    for (let i = 0; i < 60; i++) {
      busy = ['c1', 'c2']
        .map((n) => redisCli('GET', `tessera:worker:${n}`))
        .filter((b) => (JSON.parse(b) as { current: unknown[] }).current.length > 0)
        .join();
      if (!busy && redisCli('LLEN', 'tessera:tessera-tasks:active') === '0') break;
      await sleep(100);
    }
    assert.equal(busy, '', 'no worker still runs a task of the cancelled job');
  } finally {
    for (const w of workers) await stopWorker(w);
  }
});

test('a source only one worker can read fails the item naming that worker and GDAL’s reason', { skip: NO_REDIS }, async () => {
  // GDAL_SKIP=GTiff: this worker's GDAL has no GeoTIFF driver, as a machine without the source's driver (or mount) would.
  const workers = [await startWorker('blind', { GDAL_SKIP: 'GTiff' }), await startWorker('sighted')];
  try {
    const { dataDir, run } = preseed(true);
    const done = await run;
    assert.equal(done.code, 1, `the job fails: ${done.stdout}`);
    const shown = await runTessera(dataDir, 'jobs', 'show', '1', '--json');
    const job = JSON.parse(shown.stdout) as { items: { state: string; error: { code: string; message: string } | null }[] };
    const error = job.items[0]!.error!;
    assert.equal(error.code, 'DATASET_UNREADABLE');
    assert.match(error.message, /on worker blind \(/);
    assert.match(error.message, /not recognized as (a supported file format|being in a supported file format)/);
  } finally {
    for (const w of workers) await stopWorker(w);
  }
});

test('workers.list, the queue health check and the Prometheus gauges show the live workers and the depth', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker('m1'), await startWorker('m2')];
  const dataDir = join(dir, `data-${++runs}`);
  mkdirSync(dataDir);
  const engine = await Engine.open({ dataDir, host: 'headless', queue: redis.url, logger: createLogger('silent') });
  try {
    let status = await engine.handlers['workers.list']({});
    for (let i = 0; i < 50 && status.state !== 'connected'; i++) {
      await sleep(100);
      status = await engine.handlers['workers.list']({});
    }
    assert.equal(status.queue, redis.url);
    assert.equal(status.source, 'option', 'Engine.open({ queue }) is --queue');
    assert.equal(status.state, 'connected');
    assert.deepEqual(
      status.workers.map((w) => [w.name, w.concurrency, w.stopping]),
      [
        ['m1', 1, false],
        ['m2', 1, false],
      ],
    );
    assert.deepEqual(status.workers.map((w) => w.pid).sort(), workers.map((w) => w.pid).sort());
    const health = (await engine.handlers['app.health']({})).find((h) => h.name === 'queue');
    assert.equal(health?.state, 'ok');
    const metrics = await engine.metrics.registry.metrics();
    assert.match(metrics, /^tessera_task_queue_workers 2$/m);
    assert.match(metrics, /^tessera_task_queue_depth 0$/m);
  } finally {
    await engine.close();
    for (const w of workers) await stopWorker(w);
  }
});

test('without a queue the engine runs as before: workers.list says so, no queue gauges', { skip: NO_REDIS }, async () => {
  const dataDir = join(dir, `data-${++runs}`);
  mkdirSync(dataDir);
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
  try {
    assert.deepEqual(await engine.handlers['workers.list']({}), { queue: null, source: null, state: null, depth: 0, workers: [] });
    assert.doesNotMatch(await engine.metrics.registry.metrics(), /tessera_task_queue/);
  } finally {
    await engine.close();
  }
});
