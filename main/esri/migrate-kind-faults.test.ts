/**
 * migrate-esri through a flaky network: a seeded fault-injecting proxy in front of the Koop
 * fixture (503, 429 with Retry-After, connection resets, answers slower than the timeout, HTTP 200
 * with an Esri error body, bodies cut short), a server that stays down for a while, and a process
 * killed in the middle of a layer. Every run must end with exactly the source's features.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildReport } from '../reports/report.js';
import { FAULTS, startFaultProxy } from './testing/fault-proxy.js';
import { type KoopFixture, startKoopFixture } from './testing/koop-fixture.js';
import { cataloguedCopy, compareWithSource, jobDetail, openTestEngine, testRoot } from './testing/migration-harness.js';
import { naturalEarthServicesCached, type FixtureServices } from './testing/natural-earth-services.js';
import { stagingPath } from './migration-output.js';
import { parseServiceUrl } from './service-url.js';
import type { Engine } from '../engine/engine.js';
import { tuneEsriMigration } from './migrate-kind.js';

const root = testRoot('tessera-esri-faults-');
const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
let fixtureDir = '';
let services: FixtureServices;
let koop: KoopFixture;

/**
 * The client's timeout and the proxy's "slow" answers: slow ones always exceed the timeout, and
 * the timeout is long enough that a real answer from Koop, on a loaded 2-core box running eight
 * of these runs at once, is not taken for a slow one.
 */
const TIMEOUT_MS = 4000;
const SLOW_MS = 4500;

before(async () => {
  ({ dir: fixtureDir, services } = naturalEarthServicesCached());
  koop = await startKoopFixture(fixtureDir, services);
  tuneEsriMigration({ client: { timeoutMs: TIMEOUT_MS, baseDelayMs: 20, maxDelayMs: 250, breaker: { threshold: 5, openMs: 150, maxOpenMs: 1200 } } });
});

after(async () => {
  await koop?.close();
  rmSync(root, { recursive: true, force: true });
});

interface RunSummary {
  seed: number;
  state: string;
  injected: number;
  retries: number;
  byReason: Record<string, number>;
  breakerOpenings: number;
  identical: boolean;
  differing: string[];
  reportHasRetries: boolean;
}

/** The migrated GeoPackage's path, found through the catalogue (which recorded its Esri source). */
function inCatalogue(engine: Engine, name: string, url: string): string {
  const dataset = engine.catalog.list({ limit: 100 }).rows.find((d) => d.name === name);
  assert.ok(dataset, `"${name}" is in the catalogue`);
  assert.equal(dataset.source.type, 'esri');
  assert.equal(dataset.source.type === 'esri' && dataset.source.url, parseServiceUrl(url, 'url').serviceUrl);
  assert.ok(dataset.source.type === 'esri' && !Number.isNaN(Date.parse(dataset.source.copiedAt)), 'copiedAt is a time');
  return dataset.path;
}

async function seededRun(seed: number): Promise<RunSummary> {
  const proxy = await startFaultProxy({ target: koop.origin, seed, rate: 0.3, slowMs: SLOW_MS, retryAfterSeconds: 1 });
  const { engine } = await openTestEngine(root, `seed${seed}`);
  try {
    const job = await engine.start({ kind: 'migrate-esri', params: { url: proxy.via(koop.serviceUrl('sample')), name: `sample ${seed}` } });
    const done = await engine.waitFor(job.id);
    const { items } = jobDetail(engine, done);
    const byReason: Record<string, number> = {};
    let retries = 0;
    let breakerOpenings = 0;
    for (const item of items) {
      const r = item.result as { retries?: number; retriesByReason?: Record<string, number>; breakerOpenings?: number } | null;
      retries += r?.retries ?? 0;
      breakerOpenings += r?.breakerOpenings ?? 0;
      for (const [k, v] of Object.entries(r?.retriesByReason ?? {})) byReason[k] = (byReason[k] ?? 0) + v;
    }
    const report = JSON.parse((await buildReport(engine.store, job.id, 'json')).content) as {
      items: { result: { retries?: number } | null }[];
      events: { type: string }[];
    };
    const reportHasRetries = report.items.some((i) => (i.result?.retries ?? 0) > 0) && report.events.some((e) => e.type === 'esri.retry');
    let differing: string[] = items.filter((i) => i.error).map((i) => `${i.label}: ${i.error!.code}: ${i.error!.message} (attempts ${i.attempts})`);
    if (done.error) differing.push(`job: ${done.error.code}: ${done.error.message}`);
    if (done.state === 'succeeded') {
      const comparison = compareWithSource(fixtureDir, inCatalogue(engine, `sample ${seed}`, proxy.via(koop.serviceUrl('sample'))), services.sample!);
      differing = comparison
        .filter((c) => c.differing.length > 0 || c.copy.checksum !== c.source.checksum)
        .map((c) => `${c.layer}: ${c.differing.slice(0, 5).join(', ')}`);
    }
    const injected = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    return { seed, state: done.state, injected, retries, byReason, breakerOpenings, identical: differing.length === 0, differing, reportHasRetries };
  } finally {
    await engine.close();
    await proxy.close();
  }
}

test('20 seeded runs at 30% faults: every layer of every run identical to the source, the retries in the report', async (t) => {
  const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
  const runs: RunSummary[] = [];
  const lanes = Array.from({ length: 8 }, async () => {
    for (let seed = seeds.shift(); seed !== undefined; seed = seeds.shift()) runs.push(await seededRun(seed));
  });
  await Promise.all(lanes);
  runs.sort((a, b) => a.seed - b.seed);
  t.diagnostic('seed  state      faults  retries  breaker  identical  retries by reason');
  for (const r of runs) {
    t.diagnostic(
      `${String(r.seed).padStart(4)}  ${r.state.padEnd(9)}  ${String(r.injected).padStart(6)}  ${String(r.retries).padStart(7)}  ${String(r.breakerOpenings).padStart(7)}  ${String(r.identical).padEnd(9)}  ${JSON.stringify(r.byReason)}`,
    );
  }
  for (const r of runs) {
    assert.equal(r.state, 'succeeded', `seed ${r.seed}`);
    assert.ok(r.identical, `seed ${r.seed}: ${r.differing.join('; ')}`);
    assert.ok(
      r.injected > 0 && r.retries > 0 && r.reportHasRetries,
      `seed ${r.seed}: faults ${r.injected}, retries ${r.retries}, in report ${r.reportHasRetries}`,
    );
  }
  // Over twenty runs every kind of fault was met and retried.
  const reasons = new Set(runs.flatMap((r) => Object.keys(r.byReason)));
  for (const reason of ['http-5xx', 'http-429', 'connection', 'timeout', 'esri-error', 'truncated'])
    assert.ok(reasons.has(reason), `no ${reason} retry in 20 runs (${[...reasons].join(', ')})`);
  assert.equal(FAULTS.length, 6);
});

test('a server that stays down: the breaker opens, the job waits and says until when, and completes once the server is back', async () => {
  const proxy = await startFaultProxy({ target: koop.origin, seed: 1, rate: 0 });
  const { engine } = await openTestEngine(root, 'down');
  try {
    await proxy.down();
    // Layer ids given: the plan needs no server, so the job starts and its items meet the outage.
    const job = await engine.start({ kind: 'migrate-esri', params: { url: proxy.via(koop.serviceUrl('sample')), layers: [1, 3], name: 'down' } });
    const waiting = async (count: number) => {
      for (let i = 0; i < 400; i++) {
        const events = engine.store.events(job.id, 0, 1000).filter((e) => e.type === 'esri.unavailable');
        if (events.length >= count) return events;
        await sleep(25);
      }
      throw new Error(
        `no ${count} "source unavailable" events; events: ${engine.store
          .events(job.id, 0, 1000)
          .map((e) => e.message)
          .join(' | ')}`,
      );
    };
    const events = await waiting(3);
    assert.equal(engine.store.getJob(job.id).state, 'running', 'the job waits; it does not fail');
    assert.match(events[0]!.message, /^source unavailable \(127\.0\.0\.1:\d+\): .*ECONNREFUSED.*; retrying at \d{4}-\d\d-\d\dT/);
    const retryAts = events.map((e) => Date.parse(String(e.data?.retryAt)));
    assert.ok(
      retryAts.every((at, i) => i === 0 || at > retryAts[i - 1]!),
      `each probe is announced once, with its own time: ${events.map((e) => e.data?.retryAt).join(', ')}`,
    );
    assert.ok(
      engine.store.listItems(job.id, { limit: 10 }).rows.every((i) => i.state === 'running' && i.attempts <= 1),
      'no item failed or was retried by the engine',
    );

    await proxy.up();
    const done = await engine.waitFor(job.id);
    assert.equal(done.state, 'succeeded');
    const { items, events: all } = jobDetail(engine, done);
    assert.ok(all.some((e) => e.type === 'esri.available' && /source available again/.test(e.message)));
    assert.ok(items.every((i) => i.attempts === 1));
    assert.ok(items.some((i) => ((i.result?.breakerOpenings as number) ?? 0) > 0));
    for (const c of compareWithSource(fixtureDir, inCatalogue(engine, 'down', proxy.via(koop.serviceUrl('sample'))), [
      services.sample![1]!,
      services.sample![3]!,
    ])) {
      assert.deepEqual(c.differing, [], c.layer);
      assert.equal(c.copy.checksum, c.source.checksum, c.layer);
    }
  } finally {
    await engine.close();
    await proxy.close();
  }
});

test('killed in the middle of a layer and restarted, the job resumes from its checkpoint without fetching a finished page again', async () => {
  const dataDir = join(root, 'killed');
  const url = koop.serviceUrl('world');
  const params = { url, layers: [0], name: 'states' };
  const staging = stagingPath(dataDir, params, url);
  const started = koop.log.length;
  const cli = (args: string[]) =>
    spawn(process.execPath, [BIN, ...args, '--data-dir', dataDir], { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });

  const first = cli(['migrate', 'esri', url, '--layers', '0', '-o', 'states']);
  let stderr = '';
  first.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // Wait until two pages are committed, then kill the process without warning.
  let committed = { offset: 0, written: 0 };
  for (let i = 0; i < 2400 && committed.written < 2000; i++) {
    await sleep(25);
    committed = readProgress(staging) ?? committed;
    if (first.exitCode !== null) throw new Error(`the CLI ended before it was killed: ${stderr}`);
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  const atKill = readProgress(staging, true)!;
  assert.ok(atKill.written >= 2000 && atKill.written < 4556, `killed mid-layer: ${JSON.stringify(atKill)}`);
  assert.equal(atKill.offset, atKill.written, 'the committed offset and the rows in the file agree');
  const jobId = Number(/job (\d+):/.exec(stderr)?.[1]);
  assert.ok(jobId > 0, stderr);
  const restartAt = koop.log.length;

  const second = cli(['jobs', 'resume', String(jobId), '--json']);
  let out = '';
  second.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(second, 'exit')) as [number];
  assert.equal(code, 0, out);
  const result = JSON.parse(out) as { job: { state: string }; items: { attempts: number; result: { resumedFrom: { nextOffset: number } | null } }[] };
  assert.equal(result.job.state, 'succeeded');
  assert.equal(result.items[0]!.result.resumedFrom?.nextOffset, atKill.offset, 'the item says where it resumed');

  // The fixture's request log: pages before the checkpoint were fetched once, by the first process.
  const pages = (from: number, to: number) =>
    koop.log
      .slice(from, to)
      .filter((r) => r.service === 'world' && r.layer === 0 && r.operation === 'query')
      .map((r) => Number(r.params.resultOffset));
  const afterRestart = pages(restartAt, koop.log.length);
  assert.ok(
    afterRestart.every((o) => o >= atKill.offset),
    `after the restart only pages from ${atKill.offset} on: ${afterRestart.join(', ')}`,
  );
  assert.deepEqual(
    afterRestart,
    Array.from({ length: Math.ceil((4556 - atKill.offset) / 1000) }, (_, i) => atKill.offset + i * 1000),
  );
  const everyPage = pages(started, koop.log.length);
  for (let offset = 0; offset < atKill.offset; offset += 1000) assert.equal(everyPage.filter((o) => o === offset).length, 1, `page ${offset} fetched once`);

  const copy = cataloguedCopy(dataDir, 'states');
  assert.equal(copy.source.url, koop.serviceUrl('world'));
  assert.ok(!Number.isNaN(Date.parse(copy.source.copiedAt)), copy.source.copiedAt);
  const [c] = compareWithSource(fixtureDir, copy.path, [services.world![0]!]);
  assert.equal(c!.copy.count, 4556);
  assert.deepEqual(c!.differing, []);
  assert.equal(c!.copy.checksum, c!.source.checksum);
});

/** The committed progress of layer 0 in a staging file, read while another process writes it. */
/**
 * The staging file's committed progress. While the migration runs it is read read-only; after the
 * writer was killed, read-write, so SQLite can roll back the hot journal it left (a read-only
 * connection cannot, and would see nothing).
 */
function readProgress(path: string, writerDead = false): { offset: number; written: number } | null {
  try {
    const db = new Database(path, { readonly: !writerDead, fileMustExist: true, timeout: 5000 });
    try {
      const row = db.prepare('SELECT next_offset, written FROM tessera_esri_progress WHERE layer_id = 0').get() as
        | { next_offset: number; written: number }
        | undefined;
      const rows = row ? (db.prepare(`SELECT count(*) n FROM states_and_provinces`).get() as { n: number }).n : 0;
      return row ? { offset: row.next_offset, written: Math.min(row.written, rows) } : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
