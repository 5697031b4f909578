/**
 * The CLI's client mode, as a user meets it: a real `tessera serve` child holds a temporary data
 * directory, and real `tessera` children run beside it. They ask the console through its loopback
 * host with the token from the connection file, and answer as they would in-process (same output,
 * same exit codes); Ctrl-C cancels the followed job in the console; a wrong token or another
 * origin is refused; a connection file left by a kill -9 is ignored.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { CONNECTION_FILE } from '../hosts/connection-file.js';
import { blueMarbleTif, corruptCopy, hillshadeMbtiles, largeRasterMbtiles, rgdalVector } from '../testing/real-data.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-client-'));
let dirs = 0;
let hillshade = '';
const children: ChildProcess[] = [];

before(() => {
  hillshade = hillshadeMbtiles(dir);
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], cwd = dir): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const tessera = (...args: string[]) => start(args).done;

interface Console {
  child: ChildProcess;
  done: Promise<Run>;
  url: string;
  dataDir: string;
}

/** `tessera serve` on a fresh data directory, once it listens (its one JSON line read). */
async function serve(): Promise<Console> {
  const dataDir = join(dir, `data-${++dirs}`);
  const { child, done } = start(['serve', '--port', '0', '--json', '--data-dir', dataDir]);
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d) => {
      text += d;
      if (text.includes('\n')) resolve((JSON.parse(text.split('\n')[0]!) as { url: string }).url);
    });
    child.on('close', () => reject(new Error('serve exited before it listened')));
  });
  return { child, done, url, dataDir };
}

async function stop(c: Console): Promise<void> {
  c.child.kill('SIGTERM');
  assert.equal((await c.done).code, 0, 'serve stops cleanly');
}

function tilesIn(file: string): Record<number, number> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT zoom_level z, count(*) n FROM tiles GROUP BY zoom_level').all() as { z: number; n: number }[];
  db.close();
  return Object.fromEntries(rows.map((r) => [r.z, r.n]));
}

test('while tessera serve holds the data directory, jobs list, a dry run, a preseed, an ingest and verify run through it', async () => {
  const c = await serve();
  const origin = new URL(c.url).origin;
  try {
    const file = join(c.dataDir, CONNECTION_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the token file is readable by this user only');

    const empty = await tessera('jobs', 'list', '--json', '--data-dir', c.dataDir);
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), { rows: [], nextCursor: null });

    // Relative paths are the command's, not the console's: resolved in the command's folder.
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    const dry = await start(
      ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', 'world.mbtiles', '--dry-run', '--json', '--data-dir', c.dataDir],
      work,
    ).done;
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { totalTiles: number }).totalTiles, 5);

    const preseed = await start(['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', 'world.mbtiles', '--data-dir', c.dataDir], work).done;
    assert.equal(preseed.code, 0, preseed.stderr);
    assert.match(preseed.stderr, new RegExp(`job 1: .* \\(in the console at ${origin.replace(/\./g, '\\.')}\\)`));
    assert.match(preseed.stdout, /succeeded/);
    assert.deepEqual(tilesIn(join(work, 'world.mbtiles')), { 0: 1, 1: 4 });

    const ingest = await tessera('ingest', rgdalVector('cities.shp'), '--json', '--data-dir', c.dataDir);
    assert.equal(ingest.code, 0, ingest.stderr);
    const ingested = JSON.parse(ingest.stdout) as { job: { id: number; state: string } };
    assert.deepEqual([ingested.job.id, ingested.job.state], [2, 'succeeded']);
    const catalog = JSON.parse((await tessera('catalog', 'list', '--json', '--data-dir', c.dataDir)).stdout) as { rows: { name: string; jobId: number }[] };
    assert.deepEqual(
      catalog.rows.map((d) => [d.name, d.jobId]),
      [['cities', 2]],
    );

    const verify = await tessera('verify', join(work, 'world.mbtiles'), '--json', '--data-dir', c.dataDir);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal((JSON.parse(verify.stdout) as { job: { progress: { done: number } } }).job.progress.done, 5);

    const listed = JSON.parse((await tessera('jobs', 'list', '--json', '--data-dir', c.dataDir)).stdout) as { rows: { id: number; kind: string }[] };
    assert.deepEqual(
      listed.rows.map((j) => [j.id, j.kind]),
      [
        [3, 'verify'],
        [2, 'ingest'],
        [1, 'preseed-raster'],
      ],
    );
    const shownThrough = await tessera('jobs', 'show', '1', '--json', '--data-dir', c.dataDir);
    assert.equal(shownThrough.code, 0, shownThrough.stderr);
    const missing = await tessera('jobs', 'show', '99', '--data-dir', c.dataDir);
    assert.equal(missing.code, 2, 'a refusal keeps its exit code through the console');
    assert.match(missing.stderr, /NOT_FOUND/);

    await stop(c);
    assert.equal(existsSync(file), false, 'the connection file is removed at close');
    // In-process now: the same command prints the same document.
    const shownHere = await tessera('jobs', 'show', '1', '--json', '--data-dir', c.dataDir);
    assert.equal(shownHere.code, 0, shownHere.stderr);
    assert.deepEqual(JSON.parse(shownHere.stdout), JSON.parse(shownThrough.stdout));
  } finally {
    c.child.kill('SIGKILL');
  }
});

test('retry, cancel, report and catalog delete through the console keep their output and exit codes', async () => {
  const bad = join(dir, 'damaged.mbtiles');
  corruptCopy(hillshade, bad, { truncate: 2, zero: 1, garbage: 2 });
  const c = await serve();
  const through: Run[] = [];
  try {
    const verify = await tessera('verify', bad, '--data-dir', c.dataDir);
    assert.equal(verify.code, 3, `partial is exit 3 through the console too: ${verify.stderr}`);
    const retry = await tessera('jobs', 'retry', '1', '--data-dir', c.dataDir);
    assert.equal(retry.code, 3, retry.stderr);
    assert.match(retry.stdout, /job 1 partial/);
    const ingest = await tessera('ingest', rgdalVector('cities.shp'), '--data-dir', c.dataDir);
    assert.equal(ingest.code, 0, ingest.stderr);
    const deleted = await tessera('catalog', 'delete', '1', '--data-dir', c.dataDir);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /dataset 1: deleted/);
    through.push(
      await tessera('jobs', 'cancel', '1', '--data-dir', c.dataDir),
      await tessera('jobs', 'report', '1', '--format', 'csv', '--data-dir', c.dataDir),
      await tessera('catalog', 'show', '1', '--data-dir', c.dataDir),
    );
  } finally {
    await stop(c);
  }
  const here = [
    await tessera('jobs', 'cancel', '1', '--data-dir', c.dataDir),
    await tessera('jobs', 'report', '1', '--format', 'csv', '--data-dir', c.dataDir),
    await tessera('catalog', 'show', '1', '--data-dir', c.dataDir),
  ];
  assert.deepEqual(
    through.map((r) => [r.code, r.stdout, r.stderr]),
    here.map((r) => [r.code, r.stdout, r.stderr]),
  );
  assert.deepEqual(
    here.map((r) => r.code),
    [2, 0, 2],
    'a finished job cannot be cancelled, the report exports, a deleted dataset is not found',
  );
});

test('Ctrl-C during a job followed through the console cancels it there: exit 130, state cancelled', async () => {
  const large = largeRasterMbtiles(dir, 8000);
  const c = await serve();
  try {
    const { child, done } = start(['verify', large, '--json', '--data-dir', c.dataDir]);
    // The job runs in the console's engine; the store shows its progress.
    const end = Date.now() + 20_000;
    for (;;) {
      const db = new Database(join(c.dataDir, 'jobs.sqlite'), { readonly: true });
      const n = (db.prepare(`SELECT count(*) n FROM job_items WHERE state = 'running' AND done > 0`).get() as { n: number }).n;
      db.close();
      if (n > 0) break;
      assert.ok(Date.now() < end, 'the job started in time');
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGINT');
    const run = await done;
    assert.equal(run.code, 130, run.stderr);
    const doc = JSON.parse(run.stdout) as { job: { state: string; progress: { done: number; total: number } } };
    assert.equal(doc.job.state, 'cancelled');
    assert.ok(doc.job.progress.done < doc.job.progress.total);
  } finally {
    await stop(c);
  }
});

test('a wrong token is refused, and so is the right one from another origin', async () => {
  const c = await serve();
  const origin = new URL(c.url).origin;
  const file = join(c.dataDir, CONNECTION_FILE);
  const real = readFileSync(file, 'utf8');
  const { token } = JSON.parse(real) as { token: string };
  try {
    writeFileSync(file, JSON.stringify({ ...JSON.parse(real), token: `${token.slice(0, -4)}AAAA` }), { mode: 0o600 });
    const refused = await tessera('jobs', 'list', '--data-dir', c.dataDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /UNAUTHORIZED/);
    const notRun = await tessera('verify', hillshade, '--data-dir', c.dataDir);
    assert.equal(notRun.code, 1);
    assert.match(notRun.stderr, /UNAUTHORIZED/);
    writeFileSync(file, real, { mode: 0o600 });

    // The token from the file does not make a page of another origin the console's.
    const cross = await fetch(`${origin}/api/jobs.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin: 'http://evil.example' },
      body: '{}',
    });
    assert.equal(cross.status, 403);
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace('http:', 'ws:')}/events`, { headers: { authorization: `Bearer ${token}`, origin: 'http://evil.example' } });
      ws.on('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
      ws.on('open', () => reject(new Error('the event stream opened for another origin')));
      ws.on('error', () => {});
    });
    assert.equal(status, 403);

    const allowed = await tessera('jobs', 'list', '--json', '--data-dir', c.dataDir);
    assert.equal(allowed.code, 0, allowed.stderr);
  } finally {
    await stop(c);
  }
});

test('a connection file left by a kill -9 of serve is ignored: the command opens the data directory itself', async () => {
  const c = await serve();
  c.child.kill('SIGKILL');
  await c.done;
  assert.ok(existsSync(join(c.dataDir, CONNECTION_FILE)), 'the killed console could not remove its file');
  const run = await tessera('verify', hillshade, '--data-dir', c.dataDir);
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /in the console/);
  assert.match(run.stderr, /job 1: /);
  const listed = JSON.parse((await tessera('jobs', 'list', '--json', '--data-dir', c.dataDir)).stdout) as { rows: { state: string }[] };
  assert.deepEqual(
    listed.rows.map((j) => j.state),
    ['succeeded'],
  );
});

test('a console killed under a followed job: the command says it is not running, names the job left interrupted and how to resume it, which works', async () => {
  const large = largeRasterMbtiles(dir, 8000);
  const c = await serve();
  const { done } = start(['verify', large, '--data-dir', c.dataDir]);
  const end = Date.now() + 20_000;
  for (;;) {
    const db = new Database(join(c.dataDir, 'jobs.sqlite'), { readonly: true });
    const n = (db.prepare(`SELECT count(*) n FROM job_items WHERE state = 'running' AND done > 0`).get() as { n: number }).n;
    db.close();
    if (n > 0) break;
    assert.ok(Date.now() < end, 'the job started in time');
    await new Promise((r) => setTimeout(r, 25));
  }
  c.child.kill('SIGKILL');
  await c.done;
  const run = await done;
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('tessera:'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(
    lines[0]!,
    /^tessera: IO_ERROR: the Tessera console \(tessera serve, pid \d+\) at http:\/\/127\.0\.0\.1:\d+ that held the data directory is not running any more \((ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|EPIPE)\): job 1 \(verify .+\) ran there and is now interrupted; resume it with: tessera jobs resume 1 \(or Resume in the console once it runs again\)$/,
  );
  const resumed = await tessera('jobs', 'resume', '1', '--json', '--data-dir', c.dataDir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as { job: { state: string } }).job.state, 'succeeded');
});

test("the console's engine process killed under a followed job: the command waits for its restart and ends as the resumed job does", async () => {
  const large = largeRasterMbtiles(dir, 8000);
  const c = await serve();
  const { done } = start(['verify', large, '--json', '--data-dir', c.dataDir]);
  const end = Date.now() + 20_000;
  for (;;) {
    const db = new Database(join(c.dataDir, 'jobs.sqlite'), { readonly: true });
    const n = (db.prepare(`SELECT count(*) n FROM job_items WHERE state = 'running' AND done > 0`).get() as { n: number }).n;
    db.close();
    if (n > 0) break;
    assert.ok(Date.now() < end, 'the job started in time');
    await new Promise((r) => setTimeout(r, 25));
  }
  // serve's one child is its engine process (main/engine-process/).
  const enginePid = Number(execFileSync('pgrep', ['-P', String(c.child.pid)], { encoding: 'utf8' }).trim());
  process.kill(enginePid, 'SIGKILL');
  const run = await done;
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { job: { id: number; state: string; progress: { done: number; total: number } } };
  assert.equal(summary.job.state, 'succeeded');
  assert.equal(summary.job.progress.done, summary.job.progress.total);
  const log = await tessera('jobs', 'show', String(summary.job.id), '--json', '--data-dir', c.dataDir);
  assert.match(log.stdout, /previous process stopped/);
  await stop(c);
});
