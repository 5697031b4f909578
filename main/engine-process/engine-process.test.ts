/**
 * The engine in its own process, under plain Node, on real data: a real engine-entry.js forked by
 * the supervisor, real GDAL, SQLite and worker threads behind it.
 *
 * - requests, errors (their codes and details), events and the host services cross the channel,
 *   and the headless host serves HTTP, /metrics and uploads on an engine process; a request in
 *   flight when the process dies is a 503 ENGINE_RESTARTING, the next one waits for the restart;
 * - kill -9 of the engine process in the middle of a vector preseed: the supervisor says so, starts
 *   a new process, the job resumes from its checkpoints and ends with exactly the tiles of an
 *   uninterrupted run (count and digest);
 * - an engine process that keeps dying: the supervisor stops restarting it and says why.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import type { EngineState, JobSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { flipY } from '../../shared/tile-grid.js';
import { startHeadless } from '../hosts/start-headless.js';
import { createLogger } from '../logging/logger.js';
import { hillshadeMbtiles, worldMapGpkg } from '../testing/real-data.js';
import { nodeLauncher } from './node-launcher.js';
import { EngineSupervisor, type SupervisorOptions } from './supervisor.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-engine-process-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => mkdtempSync(join(root, `d${++dirs}-`));
const quiet = { info() {}, warn() {}, error() {} };

function supervise(dataDir: string, extra: Partial<SupervisorOptions> = {}): EngineSupervisor {
  return new EngineSupervisor({
    launch: nodeLauncher({ env: { ...process.env, TESSERA_LOG_LEVEL: 'error' } }),
    engine: { dataDir, host: 'headless', holder: 'engine-process test', threads: 2 },
    logger: quiet,
    initialDelayMs: 50,
    ...extra,
  });
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The job once finished, asking again through a restart (a request in flight at a crash fails with ENGINE_RESTARTING). */
function finished(engine: EngineSupervisor, id: number): Promise<JobSummary> {
  return until(`job ${id} to finish`, async () => {
    try {
      const job = await engine.request('jobs.get', { id });
      return ['succeeded', 'partial', 'failed', 'cancelled', 'interrupted'].includes(job.state) ? job : null;
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'ENGINE_RESTARTING') return null;
      throw error;
    }
  });
}

/** Tile count and a SHA-256 over every tile (z, x, y and bytes, in order) of an MBTiles. */
function digestOf(mbtiles: string): { tiles: number; digest: string } {
  const db = new Database(mbtiles, { readonly: true });
  try {
    const hash = createHash('sha256');
    let tiles = 0;
    for (const row of db
      .prepare('SELECT zoom_level z, tile_column x, tile_row y, tile_data data FROM tiles ORDER BY zoom_level, tile_column, tile_row')
      .iterate() as Iterable<{ z: number; x: number; y: number; data: Buffer }>) {
      hash.update(`${row.z}/${row.x}/${row.y}:`).update(row.data);
      tiles++;
    }
    return { tiles, digest: hash.digest('hex') };
  } finally {
    db.close();
  }
}

test('requests, their errors, events and the host services cross the process boundary', async () => {
  const dir = freshDir();
  const engine = supervise(dir);
  await engine.start();
  try {
    const pid = engine.pid;
    assert.ok(pid !== undefined && pid !== process.pid, 'the engine runs in a process of its own');
    const info = await engine.request('app.info', {});
    assert.equal(info.dataDir, dir);
    assert.equal(info.host, 'headless');

    // Errors keep their code and details; input is parsed on the engine's side.
    await assert.rejects(engine.request('jobs.get', { id: 4242 }), (e: TesseraError) => e.code === 'NOT_FOUND' && /4242/.test(e.message));
    await assert.rejects(
      engine.request('jobs.get', { id: -1 }),
      (e: TesseraError) => e.code === 'BAD_INPUT' && JSON.stringify(e.details).includes('"field":"id"'),
    );

    // A real job: its events reach the host's bus.
    const cache = hillshadeMbtiles(dir);
    const seen: string[] = [];
    const off = engine.events.onAny((name, payload) => seen.push(`${name}:${(payload as { state?: string }).state ?? ''}`));
    const job = await engine.request('jobs.start', { kind: 'verify', params: { cache } });
    const done = await finished(engine, job.id);
    off();
    assert.equal(done.state, 'succeeded', JSON.stringify(done.error));
    assert.ok(seen.includes('job.changed:running') && seen.includes('job.changed:succeeded'), seen.join(' '));
    assert.ok(seen.some((s) => s.startsWith('queue.changed')));

    // Tiles, read by the engine process, cross as bytes.
    const summary = await engine.request('caches.open', { path: cache });
    const db = new Database(cache, { readonly: true });
    const row = db.prepare('SELECT zoom_level z, tile_column x, tile_row r, tile_data data FROM tiles ORDER BY zoom_level DESC LIMIT 1').get() as {
      z: number;
      x: number;
      r: number;
      data: Buffer;
    };
    db.close();
    const tile = await engine.tile(summary.id, row.z, row.x, flipY(row.z, row.r));
    assert.equal(tile?.contentType, 'image/png');
    assert.ok(Buffer.from(tile!.data).equals(row.data), 'the tile is the bytes in the cache');
    assert.equal(await engine.tile(summary.id, 0, 0, 0), null);

    assert.match((await engine.metrics())?.text ?? '', /tessera_jobs_finished_total\{kind="verify",state="succeeded"\} 1/);
    assert.equal(await engine.uploadInUse('0'.repeat(32)), false);
    await engine.assertPaths([{ field: 'output', path: join(dir, 'x.mbtiles') }]);

    await engine.close();
    await assert.rejects(engine.request('app.info', {}), (e: TesseraError) => e.code === 'ENGINE_STOPPED');
    assert.equal(existsSync(join(dir, 'engine.lock')), false, 'the engine released the data directory');
    assert.throws(() => process.kill(pid, 0), 'the engine process has exited');
  } finally {
    await engine.close();
  }
});

test('the headless host on an engine process: HTTP requests, /metrics and an upload; a request in flight at a crash is a 503 ENGINE_RESTARTING', async () => {
  const dir = freshDir();
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const engine = supervise(dir);
  await engine.start();
  const host = await startHeadless(engine, { port: 0, rendererDir, logger: createLogger('silent') });
  const auth = { Authorization: `Bearer ${host.token}` };
  const post = (name: string, body: unknown) =>
    fetch(`${host.origin}/api/${name}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  try {
    assert.equal((await post('queue.get', {})).status, 200);
    const metrics = await fetch(`${host.origin}/metrics`, { headers: auth });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^# TYPE tessera_jobs_started_total counter$/m);

    // An upload streams into staging in the host process; its quota guard reads the engine's settings.
    const file = Buffer.from('{"type":"FeatureCollection","features":[]}');
    const upload = await fetch(`${host.origin}/uploads?name=empty.geojson&size=${file.length}`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/octet-stream' },
      body: file,
    });
    assert.equal(upload.status, 200);
    assert.equal(((await upload.json()) as { result: { complete: boolean } }).result.complete, true);

    // A dry run the engine process is busy with when it dies.
    const slow = post('jobs.estimate', {
      kind: 'preseed-vector',
      params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 12, output: join(dir, 'e.mbtiles') },
    });
    await until('the dry run to reach the engine', () => (engine.inFlight > 0 ? true : null), 10_000);
    process.kill(engine.pid!, 'SIGKILL');
    const failed = await slow;
    assert.equal(failed.status, 503);
    const reply = (await failed.json()) as { ok: false; error: { code: string; message: string } };
    assert.equal(reply.error.code, 'ENGINE_RESTARTING');
    assert.match(reply.error.message, /jobs\.estimate: the engine process exited \(signal SIGKILL\)/);
    // The next request waits for the restarted engine.
    const after = await post('app.info', {});
    assert.equal(after.status, 200);
  } finally {
    await host.close();
    await engine.close();
  }
});

test("credential secrets are sealed by the host's cipher when it has one (the desktop's keychain lives in the main process)", async () => {
  const dir = freshDir();
  const calls: string[] = [];
  // A stand-in for the keychain: reversible, and recognisable in the file.
  const cipher = {
    name: 'test-keychain',
    seal: async (plain: string) => (calls.push('seal'), `kc:${Buffer.from(plain).toString('base64')}`),
    open: async (sealed: string) => (calls.push('open'), Buffer.from(sealed.slice(3), 'base64').toString()),
  };
  const engine = supervise(dir, { cipher });
  await engine.start();
  try {
    const { id } = await engine.request('credentials.save', { url: 'https://gis.example.org/arcgis/rest/services', token: 'secret-token-1' });
    const stored = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { credentials: Record<string, { cipher: string; sealed: string }> };
    assert.equal(stored.credentials[id]?.cipher, 'test-keychain');
    assert.match(stored.credentials[id]!.sealed, /^kc:/);
    assert.ok(!JSON.stringify(stored).includes('secret-token-1'));
    assert.deepEqual(calls, ['seal']);
  } finally {
    await engine.close();
  }
});

test('kill -9 of the engine process mid-preseed: restarted, the job resumes and makes the tiles of an uninterrupted run', async () => {
  const dir = freshDir();
  const engine = supervise(dir);
  await engine.start();
  const states: EngineState[] = [];
  engine.events.on('engine.state', (s) => states.push(s));
  try {
    const params = { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 6 };
    const reference = await engine.request('jobs.start', { kind: 'preseed-vector', params: { ...params, output: join(dir, 'reference.mbtiles') } });
    assert.equal((await finished(engine, reference.id)).state, 'succeeded');

    const job = await engine.request('jobs.start', { kind: 'preseed-vector', params: { ...params, output: join(dir, 'resumed.mbtiles') } });
    // Killed once some partitions are checkpointed, long before all of them are.
    const checkpointed = await until('a few checkpointed partitions', () => {
      const db = new Database(join(dir, 'jobs.sqlite'), { readonly: true });
      try {
        const row = db.prepare('SELECT checkpoint FROM job_items WHERE job_id = ?').get(job.id) as { checkpoint: string | null } | undefined;
        const done = row?.checkpoint ? (JSON.parse(row.checkpoint) as { done: string[] }).done.length : 0;
        return done >= 4 ? done : null;
      } finally {
        db.close();
      }
    });
    const killed = engine.pid!;
    process.kill(killed, 'SIGKILL');

    const final = await finished(engine, job.id);
    assert.equal(final.state, 'succeeded', JSON.stringify(final.error));
    assert.notEqual(engine.pid, killed, 'a new engine process runs');
    assert.deepEqual(
      states.map((s) => s.state),
      ['restarting', 'running'],
    );
    assert.match(states[0]!.message, /exited \(signal SIGKILL\); restarting/);
    const events = await engine.request('jobs.events', { id: job.id, limit: 200 });
    assert.ok(
      events.some((e) => /previous process stopped/.test(e.message)),
      'recovery marked it interrupted',
    );
    const [item] = (await engine.request('jobs.items', { id: job.id, limit: 10 })).rows;
    const result = item!.result as { partitions: number; cutThisRun: number };
    assert.ok(result.cutThisRun <= result.partitions - checkpointed, `${result.cutThisRun} of ${result.partitions} partitions cut after the restart`);
    assert.deepEqual(digestOf(join(dir, 'resumed.mbtiles')), digestOf(join(dir, 'reference.mbtiles')));
    const health = await engine.request('app.health', {});
    assert.equal(health[0]?.name, 'engine');
    assert.equal(health[0]?.state, 'ok');
    assert.match(health[0]!.message, /restarted 1 time/);
  } finally {
    await engine.close();
  }
});

test('an engine process that keeps crashing is restarted a bounded number of times, then stopped with the reason', async () => {
  const dir = freshDir();
  const engine = supervise(dir, { maxCrashes: 3, stableMs: 120_000, requestWaitMs: 60_000 });
  await engine.start();
  const states: EngineState[] = [];
  engine.events.on('engine.state', (s) => states.push(s));
  try {
    // Each engine process is killed as soon as it is ready (a crash at start-up, three times in a row).
    for (let crash = 1; crash <= 3; crash++) {
      const pid = await until('an engine process', () => (engine.state === 'running' ? (engine.pid ?? null) : null));
      process.kill(pid, 'SIGKILL');
      await until(`crash ${crash} to be seen`, () => (states.length >= 2 * crash - 1 ? true : null));
    }
    assert.deepEqual(
      states.map((s) => s.state),
      ['restarting', 'running', 'restarting', 'running', 'stopped'],
    );
    assert.match(states.at(-1)!.message, /crashed 3 times in a row.*stopped restarting it/);
    await assert.rejects(engine.request('jobs.list', { limit: 5 }), (e: TesseraError) => e.code === 'ENGINE_STOPPED' && /stopped restarting/.test(e.message));
    const health = await engine.request('app.health', {});
    assert.deepEqual(
      health.map((h) => [h.name, h.state]),
      [['engine', 'failed']],
    );
    assert.equal(engine.pid, undefined);
  } finally {
    await engine.close();
  }
});
