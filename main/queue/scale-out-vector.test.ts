/**
 * Vector partitions on `tessera worker`s, as an operator runs them: a real redis-server on a free
 * loopback port, real worker processes, `tessera preseed vector --queue`. Natural Earth's
 * states_provinces z0–5 (988 tiles, 17 partition tasks) cut by two workers must give the very
 * tiles of the in-process run (count, bytes, digest of every z/x/y and its bytes) and leave nothing
 * in Redis; so must a run whose worker is killed with -9 mid-partition; a worker that does not share the spill directory (its own mount namespace, where the
 * directory is an empty tmpfs) fails the item with its name and the OS's words; a cancel mid-job
 * removes the queued partitions and stops the running ones.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { worldMapGpkg } from '../testing/real-data.js';
import { runTessera } from '../testing/run-tessera.js';
import { NO_REDIS, TestRedis } from './testing/redis-server.js';
import { TESSERA_BIN, type TileDigest, digest, redisCli, startWorker, stopWorker } from './testing/worker-processes.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-scale-out-vector-'));
const children = new Set<ChildProcess>();
let redis: TestRedis;
let reference: TileDigest;
let runs = 0;

/** A mount namespace of its own: as root (here and in CI); skipped with a reason elsewhere. */
const NO_UNSHARE: string | false =
  spawnSync('unshare', ['-m', 'true']).status === 0 ? false : 'needs unshare -m (root) to give a worker a mount namespace without the spill directory';

function vectorArgs(output: string, zoom: string): string[] {
  return ['preseed', 'vector', worldMapGpkg(), '--layer', 'states_provinces', '--zoom', zoom, '-o', output];
}

/** A preseed of states z0–5 on a fresh data directory; `queue`: through the workers. */
function preseed(queue: boolean, extra: string[] = []) {
  const dataDir = join(dir, `data-${++runs}`);
  mkdirSync(dataDir);
  const output = join(dataDir, 'states.mbtiles');
  const args = [...vectorArgs(output, '0-5'), '--json', ...extra];
  return { dataDir, output, run: runTessera(dataDir, ...args, ...(queue ? ['--queue', redis.url] : [])) };
}

const cli = (...args: string[]) => redisCli(redis.port, ...args);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  if (NO_REDIS) return;
  redis = await TestRedis.start();
  const { output, run } = preseed(false);
  const done = await run;
  assert.equal(done.code, 0, done.stderr);
  reference = digest(output);
  assert.equal(reference.tiles, 988);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a vector preseed through two tessera workers gives the tiles of the in-process run and leaves nothing in Redis', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker(redis.url, 'vA', children), await startWorker(redis.url, 'vB', children)];
  try {
    const { output, dataDir, run } = preseed(true);
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
    const progress = (JSON.parse(done.stdout) as { job: { progress: { done: number; total: number } } }).job.progress;
    assert.deepEqual([progress.done, progress.total], [988, 988], 'every tile counted once');
    // Heartbeats come every 2 s: read ones sent after the job ended.
    const ended = Date.now();
    let beats: { tasksDone: number; lastBeatAt: string }[] = [];
    for (let i = 0; i < 40 && !(beats.length === 2 && beats.every((b) => Date.parse(b.lastBeatAt) > ended)); i++) {
      await sleep(100);
      beats = ['vA', 'vB'].map((name) => JSON.parse(cli('GET', `tessera:worker:${name}`)) as { tasksDone: number; lastBeatAt: string });
    }
    for (const beat of beats) assert.ok(beat.tasksDone > 0, `every worker cut partitions: ${JSON.stringify(beats)}`);
    // The job's tasks per worker, kept with it: both named, their partitions the workers' own count.
    const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
    try {
      const byWorker = await engine.handlers['jobs.workers']({ id: 1 });
      assert.deepEqual(
        byWorker.map((w) => w.worker),
        ['vA', 'vB'],
      );
      assert.equal(
        byWorker.reduce((n, w) => n + w.tasksDone, 0),
        beats.reduce((n, b) => n + b.tasksDone, 0),
      );
      for (const w of byWorker) assert.ok(w.tiles > 0, `tiles cut by ${w.worker}: ${JSON.stringify(byWorker)}`);
    } finally {
      await engine.close();
    }
    assert.equal(cli('KEYS', 'tessera:batches:*'), '', 'no batch of tiles left');
    assert.equal(cli('KEYS', 'tessera:result:*'), '', 'no result left');
    assert.equal(cli('LLEN', 'tessera:tessera-tasks:wait'), '0');
    assert.deepEqual(readdirSync(join(dataDir, 'tmp', 'preseed-vector')), [], 'the spill files are removed at the end');
  } finally {
    for (const w of workers) assert.equal(await stopWorker(w), 0);
  }
});

test('a worker killed with -9 mid-partition: its partitions come back after the stall check, each tile counted once', { skip: NO_REDIS }, async () => {
  const victim = await startWorker(redis.url, 'victim', children);
  let survivor: ChildProcess | null = null;
  try {
    const { output, run } = preseed(true);
    // The victim alone takes the first partitions (the largest: the low band among them); killed while it cuts them.
    for (let i = 0; i < 600 && cli('LLEN', 'tessera:tessera-tasks:active') === '0'; i++) await sleep(50);
    await sleep(300);
    victim.kill('SIGKILL');
    survivor = await startWorker(redis.url, 'survivor', children);
    const done = await run;
    assert.equal(done.code, 0, done.stderr);
    assert.deepEqual(digest(output), reference);
    const progress = (JSON.parse(done.stdout) as { job: { progress: { done: number; total: number } } }).job.progress;
    assert.deepEqual([progress.done, progress.total], [988, 988], 'no tile counted twice');
    assert.match(cli('XRANGE', 'tessera:tessera-tasks:events', '-', '+'), /stalled/, 'BullMQ did re-deliver the victim’s partitions');
    assert.equal(cli('KEYS', 'tessera:batches:*'), '', 'no batch of tiles left');
  } finally {
    if (survivor) await stopWorker(survivor);
  }
});

test('a worker that cannot read the spill directory fails the item with its name and the OS’s reason', { skip: NO_REDIS || NO_UNSHARE }, async () => {
  const spill = join(dir, 'spill');
  mkdirSync(spill);
  // The worker's own mount namespace, where the spill directory is an empty tmpfs: as a machine
  // that did not mount the shared storage would see it. The engine sees the real one.
  const blind = await startWorker(redis.url, 'blind', children, { prefix: ['unshare', '-m', 'sh', '-c', `mount -t tmpfs tmpfs ${spill} && exec "$@"`, 'sh'] });
  try {
    const { dataDir, run } = preseed(true, ['--spill-dir', spill]);
    const done = await run;
    assert.equal(done.code, 1, `the job fails: ${done.stdout}`);
    const shown = await runTessera(dataDir, 'jobs', 'show', '1', '--json');
    const job = JSON.parse(shown.stdout) as { items: { attempts: number; error: { code: string; message: string } | null }[] };
    const item = job.items[0]!;
    assert.equal(item.error?.code, 'DATASET_UNREADABLE');
    assert.match(item.error!.message, /on worker blind \(/);
    assert.match(item.error!.message, new RegExp(`spill file ${spill}/tessera-[0-9a-f]{12}/preseed-vector/job-1/`), 'the file is under --spill-dir');
    assert.match(item.error!.message, /ENOENT: no such file or directory/);
    assert.equal(item.attempts, 1, 'not retried: an unreadable file is not transient');
    assert.equal(existsSync(join(dataDir, 'tmp', 'preseed-vector')), false, 'with --spill-dir nothing is spilled in the data directory');
    for (const left of ['batches', 'result', 'cancelled']) assert.equal(cli('KEYS', `tessera:${left}:*`), '', `no ${left} key left for the failed partitions`);
  } finally {
    assert.equal(await stopWorker(blind), 0);
  }
});

test('cancel crosses processes for vector partitions: none left queued, the workers idle, no batch left', { skip: NO_REDIS }, async () => {
  const workers = [await startWorker(redis.url, 'x1', children), await startWorker(redis.url, 'x2', children)];
  try {
    const dataDir = join(dir, `data-${++runs}`);
    mkdirSync(dataDir);
    // 17 partitions and 4 places on the workers: most still wait in the queue when the job is cancelled.
    const child = spawn(process.execPath, [TESSERA_BIN, ...vectorArgs(join(dataDir, 'states.mbtiles'), '0-5'), '--queue', redis.url, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    // Cancelled as soon as the workers cut (the queue is watched, not the heartbeats, which come every 2 s).
    for (let i = 0; i < 600 && cli('LLEN', 'tessera:tessera-tasks:active') === '0'; i++) await sleep(50);
    assert.ok(Number(cli('LLEN', 'tessera:tessera-tasks:wait')) > 0, 'partitions wait in the queue when the job is cancelled');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 130, 'the job ends cancelled');
    assert.equal(cli('LLEN', 'tessera:tessera-tasks:wait'), '0', 'its queued partitions were removed');
    let busy = '';
    for (let i = 0; i < 60; i++) {
      busy = ['x1', 'x2']
        .map((n) => cli('GET', `tessera:worker:${n}`))
        .filter((b) => (JSON.parse(b) as { current: unknown[] }).current.length > 0)
        .join();
      if (!busy && cli('LLEN', 'tessera:tessera-tasks:active') === '0') break;
      await sleep(100);
    }
    assert.equal(busy, '', 'no worker still cuts a partition of the cancelled job');
    assert.equal(cli('KEYS', 'tessera:batches:*'), '', 'no batch of tiles left');
  } finally {
    for (const w of workers) await stopWorker(w);
  }
});
