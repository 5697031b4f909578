/**
 * The `tessera` command as a user runs it: a real child process, real GDAL-made caches, real
 * signals. Checks the exit codes, the --json documents, cancel, and resume after a kill -9.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { blueMarbleTif, corruptCopy, hillshadeMbtiles, largeRasterMbtiles, worldMapGpkg } from '../testing/real-data.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
let hillshade = '';
let large = '';
let dirs = 0;
const children: ChildProcess[] = [];

before(() => {
  hillshade = hillshadeMbtiles(dir);
  large = largeRasterMbtiles(dir, 8000);
});
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const tessera = (...args: string[]) => start(args).done;
const freshDataDir = () => join(dir, `data-${++dirs}`);

function tilesIn(file: string): Map<number, number> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT zoom_level z, count(*) n FROM tiles GROUP BY zoom_level').all() as { z: number; n: number }[];
  db.close();
  return new Map(rows.map((r) => [r.z, r.n]));
}

/** Polls the job store (read-only, beside the running CLI) until `check` holds. */
async function waitForStore(dataDir: string, check: (db: Database.Database) => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const db = new Database(join(dataDir, 'jobs.sqlite'), { readonly: true, fileMustExist: true });
      try {
        if (check(db)) return;
      } finally {
        db.close();
      }
    } catch {
      // not created yet
    }
    if (Date.now() > end) throw new Error('store condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const runningWithProgress = (db: Database.Database) =>
  (db.prepare(`SELECT count(*) n FROM job_items WHERE state = 'running' AND done > 0`).get() as { n: number }).n > 0;

test('verify --json on a GDAL-made MBTiles reports every tile and exits 0', async () => {
  const run = await tessera('verify', hillshade, '--json', '--data-dir', freshDataDir());
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    job: { state: string; progress: { done: number; total: number } };
    items: { label: string; state: string; result: { checked: number; corrupt: number } }[];
    tileIssues: unknown[];
  };
  const expected = tilesIn(hillshade);
  assert.equal(doc.job.state, 'succeeded');
  assert.deepEqual(
    doc.items.map((i) => [i.label, i.state, i.result.checked]),
    [...expected].map(([z, n]) => [`z${z}`, 'succeeded', n]),
  );
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  assert.equal(doc.job.progress.done, total);
  assert.equal(doc.job.progress.total, total);
  assert.deepEqual(doc.tileIssues, []);
});

test('verify on a copy with corrupted rows exits 3 (partial) and names each bad tile', async () => {
  const bad = join(dir, 'damaged.mbtiles');
  const damaged = corruptCopy(hillshade, bad, { truncate: 2, zero: 1, garbage: 2 });
  const run = await tessera('verify', bad, '--json', '--data-dir', freshDataDir());
  assert.equal(run.code, 3, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    job: { state: string; error: { code: string } };
    tileIssues: { z: number; x: number; y: number; issue: string; detail: string }[];
  };
  assert.equal(doc.job.state, 'partial');
  assert.equal(doc.job.error.code, 'TILE_CORRUPT');
  const named = doc.tileIssues
    .filter((t) => t.issue === 'corrupt')
    .map((t) => `${t.z}/${t.x}/${t.y}`)
    .sort();
  assert.deepEqual(named, [...damaged.truncated, ...damaged.zeroed, ...damaged.garbled].sort());
  const zero = doc.tileIssues.find((t) => `${t.z}/${t.x}/${t.y}` === damaged.zeroed[0]);
  assert.equal(zero?.detail, '0 bytes');

  const human = await tessera('verify', bad, '--data-dir', freshDataDir());
  assert.equal(human.code, 3);
  for (const name of damaged.truncated) assert.match(human.stdout, new RegExp(`corrupt\\s+${name}\\b`));
});

test('Ctrl-C during a run cancels the job: exit 130, state cancelled', async () => {
  const dataDir = freshDataDir();
  const { child, done } = start(['verify', large, '--json', '--data-dir', dataDir]);
  await waitForStore(dataDir, runningWithProgress);
  const t0 = Date.now();
  child.kill('SIGINT');
  const run = await done;
  assert.equal(run.code, 130, run.stderr);
  assert.ok(Date.now() - t0 < 5000);
  const doc = JSON.parse(run.stdout) as { job: { state: string; progress: { done: number; total: number } } };
  assert.equal(doc.job.state, 'cancelled');
  assert.ok(doc.job.progress.done < doc.job.progress.total, 'it stopped before the end');
});

test('killed mid-run and started again: the job shows interrupted, and resumes to the end without recounting', async () => {
  const dataDir = freshDataDir();
  const { child, done } = start(['verify', large, '--json', '--data-dir', dataDir]);
  await waitForStore(dataDir, runningWithProgress);
  child.kill('SIGKILL');
  await done;

  const shown = await tessera('jobs', 'show', '1', '--json', '--data-dir', dataDir);
  assert.equal(shown.code, 0, shown.stderr);
  const before = JSON.parse(shown.stdout) as { job: { state: string }; events: { type: string }[] };
  assert.equal(before.job.state, 'interrupted');
  assert.ok(before.events.some((e) => e.type === 'state.interrupted'));

  const resumed = await tessera('jobs', 'resume', '1', '--json', '--data-dir', dataDir);
  assert.equal(resumed.code, 0, resumed.stderr);
  const doc = JSON.parse(resumed.stdout) as { job: { state: string; progress: { done: number; total: number } }; items: { done: number; total: number }[] };
  assert.equal(doc.job.state, 'succeeded');
  assert.equal(doc.job.progress.total, 8000);
  assert.equal(
    doc.items.reduce((n, i) => n + i.done, 0),
    8000,
    'no tile counted twice after the resume',
  );
});

test('bad usage and bad input exit 2 with a message that names what was wrong', async () => {
  const dataDir = freshDataDir();
  const cases: [string[], RegExp][] = [
    [['verify'], /verify takes exactly one cache/],
    [['verify', join(dir, 'nope.mbtiles')], /^tessera: BAD_INPUT: cache: no such file or directory: .*nope\.mbtiles\n$/],
    [['verify', hillshade, '--min-zoom', 'ten'], /--min-zoom must be a whole number, not "ten"/],
    [['verify', hillshade, '--min-zoom', '9', '--max-zoom', '3'], /^tessera: BAD_INPUT: --min-zoom: 9 must not be greater than --max-zoom \(3\)\n$/],
    [['jobs', 'show', 'abc'], /not a job id: "abc"/],
    [
      ['jobs', 'resume', 'abc'],
      /^tessera: BAD_INPUT: jobs resume: not a job id: "abc" \(job ids are whole numbers, as in tessera jobs resume 12\) \(see tessera jobs resume --help\)\n$/,
    ],
    [['jobs', 'show', '42'], /job 42 does not exist/],
    [['jobs', 'list', '--state', 'done'], /^tessera: BAD_INPUT: --state: "done" is not one of queued, running, .*, interrupted\n$/],
    [['jobs', 'list', '--cursor', 'garbage'], /BAD_CURSOR/],
    [['frobnicate'], /unknown command: frobnicate/],
    [['verify', hillshade, '--bogus'], /bogus/],
  ];
  for (const [args, message] of cases) {
    const run = await tessera(...args, '--data-dir', dataDir);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
  }
  const notCache = await tessera('verify', bin, '--data-dir', dataDir);
  assert.equal(notCache.code, 2, 'a file that is not a tile cache is refused before any job');
});

test('one engine per data directory: beside a console bound beyond loopback (no connection file), a command that needs the engine is refused; reads still work', async () => {
  const dataDir = freshDataDir();
  // On loopback the command would ask the console instead (client-mode.test.ts).
  const serve = start(['serve', '--port', '0', '--host', '0.0.0.0', '--json', '--data-dir', dataDir]);
  await new Promise<void>((resolve, reject) => {
    serve.child.stdout!.on('data', () => resolve());
    serve.child.on('close', () => reject(new Error('serve exited')));
  });
  try {
    const run = await tessera('verify', hillshade, '--data-dir', dataDir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /DATA_DIR_LOCKED: the data directory .* is in use by another Tessera \(tessera serve, pid \d+/);
    const list = await tessera('jobs', 'list', '--json', '--data-dir', dataDir);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), { rows: [], nextCursor: null });
  } finally {
    serve.child.kill('SIGTERM');
    const stopped = await serve.done;
    assert.equal(stopped.code, 0, 'serve shuts down cleanly on SIGTERM');
  }
});

test('jobs list pages newest first and filters; report exports CSV and JSON', async () => {
  const dataDir = freshDataDir();
  await tessera('verify', hillshade, '--data-dir', dataDir);
  await tessera('verify', join(dir, 'damaged.mbtiles'), '--data-dir', dataDir);
  const page1 = JSON.parse((await tessera('jobs', 'list', '--json', '--limit', '1', '--data-dir', dataDir)).stdout) as {
    rows: { id: number }[];
    nextCursor: string;
  };
  assert.deepEqual(
    page1.rows.map((j) => j.id),
    [2],
  );
  const page2 = JSON.parse((await tessera('jobs', 'list', '--json', '--limit', '1', '--cursor', page1.nextCursor, '--data-dir', dataDir)).stdout) as {
    rows: { id: number }[];
    nextCursor: null;
  };
  assert.deepEqual(
    page2.rows.map((j) => j.id),
    [1],
  );
  assert.equal(page2.nextCursor, null);
  const partial = JSON.parse((await tessera('jobs', 'list', '--json', '--state', 'partial', '--data-dir', dataDir)).stdout) as { rows: { id: number }[] };
  assert.deepEqual(
    partial.rows.map((j) => j.id),
    [2],
  );
  const csv = await tessera('jobs', 'report', '2', '--format', 'csv', '--data-dir', dataDir);
  assert.equal(csv.code, 0);
  const lines = csv.stdout.trim().split('\r\n');
  assert.equal(lines[0], 'item,state,attempts,done,total,failed,bytes,error_code,error_message,started_at,finished_at,result');
  assert.ok(lines.some((l) => l.startsWith('z10,failed,1,') && l.includes('TILE_CORRUPT')));
  const out = join(dir, 'report.json');
  const json = await tessera('jobs', 'report', '2', '-o', out, '--data-dir', dataDir);
  assert.equal(json.code, 0);
  const { readFileSync } = await import('node:fs');
  const report = JSON.parse(readFileSync(out, 'utf8')) as { job: { id: number }; items: unknown[]; events: unknown[]; tileIssues: unknown[] };
  assert.equal(report.job.id, 2);
  assert.equal(report.items.length, 4);
  assert.equal(report.tileIssues.length, 5);
  assert.ok(report.events.length >= 6);
});

test('a bbox west of Greenwich and a negative scale are taken as values (no --bbox=… workaround)', async () => {
  const run = await tessera(
    'preseed',
    'raster',
    blueMarbleTif(),
    '--bbox',
    '-10,40,5,50',
    '--scale',
    '-100,3000',
    '--zoom',
    '0-2',
    '-o',
    join(dir, 'west.mbtiles'),
    '--dry-run',
    '--json',
    '--data-dir',
    freshDataDir(),
  );
  assert.equal(run.code, 0, run.stderr);
  const estimate = JSON.parse(run.stdout) as { totalTiles: number; zooms: { z: number; tiles: number }[] };
  // z2 tiles are 90° wide: -10..5 spans x=1 and x=2, 40..50 lies in y=1 only.
  assert.deepEqual(
    estimate.zooms.find((z) => z.z === 2),
    { z: 2, tiles: 2 },
  );
});

test('a bad data directory is refused at once: exit 2, one line naming the path and what is wrong', async () => {
  const file = join(dir, 'a-file');
  const { writeFileSync, mkdirSync } = await import('node:fs');
  writeFileSync(file, 'x');
  const notStore = join(dir, 'not-a-store');
  mkdirSync(notStore, { recursive: true });
  writeFileSync(join(notStore, 'jobs.sqlite'), 'garbage');
  const cases: [string[], RegExp][] = [
    [['jobs', 'list', '--data-dir', file], new RegExp(`data directory ${file}: is a file, not a folder`)],
    [['catalog', 'list', '--data-dir', file], /is a file, not a folder/],
    [['verify', hillshade, '--data-dir', join(file, 'sub')], new RegExp(`${file} is a file, not a folder`)],
    [['jobs', 'list', '--data-dir', notStore], /jobs\.sqlite is not a job store/],
    [['ingest', blueMarbleTif(), '--data-dir', '/proc/tessera-nope'], /data directory \/proc\/tessera-nope: cannot create/],
    [['verify', hillshade, '--data-dir', '/proc'], /data directory \/proc: cannot create files in it/],
  ];
  for (const [args, message] of cases) {
    // Without the fix, the /proc case spins in mkdir for ever: the child is killed after 20 s.
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message, args.join(' '));
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
  }
});

test('inputs that cannot work are refused up front: exit 2, one line on stderr naming what is wrong', async () => {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const dataDir = freshDataDir();
  const emptyFolder = join(dir, 'empty-folder');
  mkdirSync(emptyFolder, { recursive: true });
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello\n');
  const notMbtiles = join(dir, 'notes.mbtiles');
  writeFileSync(notMbtiles, 'my notes, not SQLite\n');
  assert.equal((await tessera('verify', hillshade, '--data-dir', dataDir)).code, 0);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const busyPort = String((busy.address() as { port: number }).port);
  const cases: [string[], RegExp][] = [
    [
      ['preseed', 'raster', emptyFolder, '--zoom', '0-1', '-o', join(dir, 'x.mbtiles')],
      /^tessera: BAD_INPUT: dataset 1: .*empty-folder is a folder, not a raster dataset/,
    ],
    [['verify', emptyFolder], /^tessera: BAD_INPUT: cache: .*empty-folder is not a tile cache/],
    [['verify', text], /^tessera: BAD_INPUT: cache: .*notes\.txt is not a tile cache/],
    [
      ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', notMbtiles],
      /^tessera: BAD_INPUT: -o\/--output: .*notes\.mbtiles exists and is not an MBTiles file/,
    ],
    [
      ['preseed', 'vector', worldMapGpkg(), '--zoom', '0-1', '-o', notMbtiles],
      /^tessera: BAD_INPUT: -o\/--output: .*notes\.mbtiles exists and is not an MBTiles file/,
    ],
    [['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', '/proc/a.mbtiles'], /^tessera: BAD_INPUT: -o\/--output: cannot create files in \/proc/],
    [
      ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', '/proc/a.mbtiles', '--dry-run'],
      /^tessera: BAD_INPUT: -o\/--output: cannot create files in \/proc/,
    ],
    [
      ['preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', join(text, 'a.mbtiles')],
      /^tessera: BAD_INPUT: -o\/--output: .*notes\.txt is a file, not a folder/,
    ],
    [['serve', '--port', '99999'], /--port must be between 0 and 65535, not 99999/],
    [['serve', '--host', '999.1.1.1'], /--host 999\.1\.1\.1 is neither an IP address nor a host name/],
    [['serve', '--port', busyPort], new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use`)],
    [['jobs', 'resume', '1'], /ILLEGAL_TRANSITION: job 1 is succeeded; only failed, partial, cancelled or interrupted jobs can be resumed/],
    [['jobs', 'cancel', '4242'], /job 4242: NOT_FOUND: job 4242 does not exist/],
    [['jobs', 'cancel', '1'], /job 1: ILLEGAL_TRANSITION: job 1 is succeeded; there is nothing to cancel/],
  ];
  try {
    for (const [args, message] of cases) {
      const run = await tessera(...args, '--data-dir', dataDir);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
      assert.equal(run.stdout, '', `${args.join(' ')}: nothing on stdout`);
    }
  } finally {
    busy.close();
  }
  // A terminal user's missing output folder is made, as gdal2tiles does (exposed hosts are held to data roots).
  const made = await tessera('preseed', 'raster', blueMarbleTif(), '--zoom', '0-0', '-o', join(dir, 'no', 'such', 'a.mbtiles'), '--data-dir', dataDir);
  assert.equal(made.code, 0, made.stderr);
  assert.ok(existsSync(join(dir, 'no', 'such', 'a.mbtiles')));
});
