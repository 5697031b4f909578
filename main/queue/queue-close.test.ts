/**
 * An unusable task queue, on a real redis-server that wants a password: saved in Settings with a
 * wrong password (or nothing listening), the save's reply warns and names the reason (never the
 * password); a job started on it then cancelled, and Redis shut down, the engine still closes
 * within a few seconds (its queue's connections dropped). `tessera worker` takes its URL from
 * TESSERA_TASK_QUEUE, with no URL on its command line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { blueMarbleTif } from '../testing/real-data.js';
import { NO_REDIS, TestRedis, freePort } from './testing/redis-server.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const PASSWORD = 'right-Pass-42';
const WRONG = 'wrong-Pass-17';
const dir = mkdtempSync(join(tmpdir(), 'tessera-queue-close-'));
let redis: TestRedis;

before(async () => {
  if (!NO_REDIS) redis = await TestRedis.start({ password: PASSWORD });
});

after(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a wrong password: the save warns (WRONGPASS), and the engine closes promptly after a cancelled job and Redis gone', {
  skip: NO_REDIS,
  timeout: 120_000,
}, async () => {
  const dataDir = join(dir, 'wrongpass');
  mkdirSync(dataDir);
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
  let closed = false;
  try {
    const saved = await engine.handlers['settings.update']({ queue: `redis://:${WRONG}@127.0.0.1:${redis.port}/0` });
    assert.equal(saved.warnings?.length, 1, 'the reply warns');
    assert.match(saved.warnings![0]!, /WRONGPASS/);
    assert.doesNotMatch(JSON.stringify(saved), new RegExp(`${WRONG}|${PASSWORD}`), 'no password in the reply');
    const job = await engine.start({
      kind: 'preseed-raster',
      name: 'stuck',
      params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 2, output: join(dataDir, 'stuck.mbtiles') },
    });
    await sleep(1500);
    await engine.handlers['jobs.cancel']({ ids: [job.id] });
    // Redis shut down at the same moment as the close.
    const stopping = redis.stop();
    const started = Date.now();
    await engine.close();
    closed = true;
    await stopping;
    const took = Date.now() - started;
    assert.ok(took < 15_000, `the engine closed in ${took} ms`);
  } finally {
    if (!closed) await engine.close();
    await redis.restart();
  }
});

test('nothing listening: the save warns with ECONNREFUSED, and the engine closes promptly', { skip: NO_REDIS, timeout: 120_000 }, async () => {
  const dataDir = join(dir, 'refused');
  mkdirSync(dataDir);
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('silent') });
  const port = await freePort();
  const saved = await engine.handlers['settings.update']({ queue: `redis://:${WRONG}@127.0.0.1:${port}/0` });
  assert.match(saved.warnings?.[0] ?? '', /ECONNREFUSED/);
  assert.doesNotMatch(JSON.stringify(saved), new RegExp(WRONG));
  // Cleared again: no warning.
  const cleared = await engine.handlers['settings.update']({ queue: null });
  assert.equal(cleared.warnings, undefined);
  const started = Date.now();
  await engine.close();
  assert.ok(Date.now() - started < 15_000, 'the engine closed promptly');
});

test('tessera worker takes its queue from TESSERA_TASK_QUEUE, with no URL in its argv', { skip: NO_REDIS, timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [BIN, 'worker', '--concurrency', '1', '--name', 'env-w1'], {
    env: { ...process.env, TESSERA_TASK_QUEUE: redis.url, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (data: Buffer) => resolve(data.toString()));
      child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
    });
    assert.match(line, /Tessera worker env-w1 .*from redis:\/\/:\*\*\*@127\.0\.0\.1/);
    assert.doesNotMatch(line, new RegExp(PASSWORD));
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    assert.doesNotMatch(argv, /redis:\/\/|right-Pass/, 'ps shows no URL');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('tessera serve on a wrong-password queue (from TESSERA_TASK_QUEUE): a job stuck, cancelled, then SIGTERM with Redis shut down: serve and its engine exit promptly', {
  skip: NO_REDIS,
  timeout: 180_000,
}, async () => {
  const dataDir = join(dir, 'serve');
  const env = { ...process.env, TESSERA_TASK_QUEUE: `redis://:${WRONG}@127.0.0.1:${redis.port}/0`, TESSERA_LOG_LEVEL: 'warn' };
  const serve = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      let text = '';
      serve.stdout!.on('data', (d) => {
        text += d;
        if (text.includes('\n')) resolve();
      });
      serve.once('exit', () => reject(new Error('serve exited before it listened')));
    });
    assert.doesNotMatch(readFileSync(`/proc/${serve.pid}/cmdline`, 'utf8'), /redis:\/\//, 'no URL in serve’s argv');
    // A preseed through the console (client mode): stuck on the queue, then Ctrl-C cancels it.
    const cli = spawn(process.execPath, [BIN, 'preseed', 'raster', blueMarbleTif(), '--zoom', '0-2', '-o', join(dir, 'stuck.mbtiles'), '--data-dir', dataDir], {
      env: { ...process.env, TESSERA_TASK_QUEUE: '' },
      stdio: 'ignore',
    });
    const cliDone = new Promise((resolve) => cli.once('exit', resolve));
    await sleep(4000);
    cli.kill('SIGINT');
    await Promise.race([cliDone, sleep(15_000)]);
    if (cli.exitCode === null) cli.kill('SIGKILL');
    const stopping = redis.stop();
    const started = Date.now();
    serve.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30_000).then(() => 'hung' as const)]);
    await stopping;
    assert.notEqual(code, 'hung', 'serve exits after SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 30_000);
  } finally {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    await redis.restart();
  }
});
