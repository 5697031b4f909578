/**
 * Settings › Task queue on a real engine, a real redis-server that wants a password and a real
 * `tessera worker`: saved, the queue is used by the next job at once (no restart), the `queue`
 * health check and workers.list follow in the reply; cleared while a job runs through the queue,
 * that job finishes on its queue (its tasks per worker name the worker) while the next job runs in
 * the engine's threads, and the old queue's connections close once the job ends. The password is
 * never in a reply (the contract's handlers or the headless host's HTTP API), nor in the job store
 * in the clear; the masked form saved unchanged keeps it, with another host it is refused.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Engine } from '../engine/engine.js';
import { hostedEngine } from '../engine/hosted-engine.js';
import { startHeadless } from '../hosts/start-headless.js';
import { type LogEntry, createLogger } from '../logging/logger.js';
import { blueMarbleTif } from '../testing/real-data.js';
import { NO_REDIS, TestRedis } from './testing/redis-server.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const PASSWORD = 's3cret-Queue-pw';
const dir = mkdtempSync(join(tmpdir(), 'tessera-queue-setting-'));
const children = new Set<ChildProcess>();
let redis: TestRedis;

before(async () => {
  if (!NO_REDIS) redis = await TestRedis.start({ password: PASSWORD });
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startWorker(name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', redis.url, '--concurrency', '1', '--name', name], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

test('the queue setting switches the transport without a restart and never shows its password', { skip: NO_REDIS, timeout: 240_000 }, async () => {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const logs: LogEntry[] = [];
  const engine = await Engine.open({ dataDir, host: 'headless', logger: createLogger('info', (entry) => logs.push(entry)) });
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const host = await startHeadless(hostedEngine(engine), { port: 0, rendererDir, logger: createLogger('silent') });
  const worker = await startWorker('switch-w1');
  const h = engine.handlers;
  const preseed = (name: string, maxZoom: number) =>
    engine.start({ kind: 'preseed-raster', name, params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom, output: join(dataDir, `${name}.mbtiles`) } });
  const queueCheck = async () => (await h['app.health']({})).find((c) => c.name === 'queue');
  const secretFree = (what: string, value: unknown) => assert.doesNotMatch(JSON.stringify(value), new RegExp(PASSWORD), `${what} holds the password`);
  try {
    // No queue yet: a job runs in the engine's threads.
    const local = await engine.waitFor((await preseed('local', 2)).id);
    assert.equal(local.state, 'succeeded');
    assert.deepEqual(await h['jobs.workers']({ id: local.id }), []);

    // Saved: the reply shows the password masked, and the queue is in use when the reply comes.
    const saved = await h['settings.update']({ queue: redis.url });
    const masked = `redis://:•••@127.0.0.1:${redis.port}/0`;
    assert.equal(saved.queue, masked);
    assert.equal((await h['settings.get']({})).queue, masked);
    assert.equal((await queueCheck())?.state, 'ok', JSON.stringify(await queueCheck()));
    const status = await h['workers.list']({});
    assert.equal(status.source, 'setting');
    assert.equal(status.state, 'connected');
    assert.deepEqual(
      status.workers.map((w) => w.name),
      ['switch-w1'],
    );
    for (const [what, value] of [
      ['settings.update', saved],
      ['settings.get', await h['settings.get']({})],
      ['workers.list', status],
      ['app.health', await h['app.health']({})],
    ] as const)
      secretFree(what, value);

    // Through the HTTP API as a browser console reads it.
    const api = async (name: string, body: unknown = {}) =>
      (await fetch(`${host.origin}/api/${name}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text())) as string;
    for (const name of ['settings.get', 'workers.list', 'app.health']) {
      const text = await api(name);
      assert.ok(text.length > 20, text);
      assert.doesNotMatch(text, new RegExp(PASSWORD), `/api/${name}`);
    }
    assert.match(await api('settings.get'), /"queue":"redis:\/\/:•••@127\.0\.0\.1:\d+\/0"/);
    // Kept sealed: neither the store's settings nor the credentials file hold it in the clear.
    const db = new Database(join(dataDir, 'jobs.sqlite'), { readonly: true });
    const stored = (db.prepare("SELECT group_concat(value, ' ') AS v FROM settings").get() as { v: string }).v;
    db.close();
    assert.doesNotMatch(stored, new RegExp(PASSWORD));
    assert.match(stored, new RegExp(`redis://127\\.0\\.0\\.1:${redis.port}/0`));
    assert.doesNotMatch(readFileSync(join(dataDir, 'credentials.json'), 'utf8'), new RegExp(PASSWORD));

    // The masked form saved unchanged keeps the password; with another host it is refused.
    assert.equal((await h['settings.update']({ queue: masked })).queue, masked);
    assert.equal((await queueCheck())?.state, 'ok');
    await assert.rejects(
      async () => h['settings.update']({ queue: `redis://:•••@127.0.0.2:${redis.port}/0` }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'BAD_INPUT');
        assert.match(error.message, /type the password again/);
        assert.doesNotMatch(error.message, new RegExp(PASSWORD));
        return true;
      },
    );

    // A job through the queue, and the setting cleared while it runs.
    const remote = await preseed('remote', 5);
    for (let i = 0; i < 200 && (engine.store.getJob(remote.id).progress.done ?? 0) < 5; i++) await sleep(50);
    assert.equal(engine.store.getJob(remote.id).state, 'running', 'cleared while the job runs');
    const cleared = await h['settings.update']({ queue: null });
    assert.equal(cleared.queue, null);
    assert.equal((await queueCheck())?.state, 'disabled');
    assert.deepEqual(await h['workers.list']({}), { queue: null, source: null, state: null, depth: 0, workers: [] });
    // The next job runs in the engine's threads at once, while the first still runs on the queue.
    const after = await engine.waitFor((await preseed('after', 2)).id);
    assert.equal(after.state, 'succeeded');
    assert.deepEqual(await h['jobs.workers']({ id: after.id }), []);
    const finished = await engine.waitFor(remote.id);
    assert.equal(finished.state, 'succeeded');
    assert.equal(finished.progress.done, 1365);
    const byWorker = await h['jobs.workers']({ id: remote.id });
    assert.deepEqual(
      byWorker.map((w) => w.worker),
      ['switch-w1'],
    );
    assert.equal(byWorker[0]!.tiles, 1365, 'every tile of the job that started on the queue came through it');
    // Its queue closes once that job has ended.
    for (let i = 0; i < 50 && !logs.some((l) => l.message.includes('is closed: its last job ended')); i++) await sleep(100);
    assert.ok(
      logs.some((l) => /the task queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0 is closed: its last job ended/.test(l.message)),
      logs.map((l) => l.message).join('\n'),
    );
    secretFree('the engine log', logs);
  } finally {
    await host.close();
    await engine.close();
    await stopWorker(worker);
  }
});
