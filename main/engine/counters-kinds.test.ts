/**
 * Counters add up on every kind (issue 15.1): each kind's real job is cancelled part way, retried,
 * cut off by closing its engine, resumed by a new engine on the same data directory, and run to
 * its end. At every progress tick and job change done ≤ total, and the end matches an undisturbed
 * run of the same job: a retry neither doubles nor loses a count, and a plan that shrank (empty
 * tiles skipped) ends at done = total with the difference in `skipped`.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobProgress, JobStartInput, JobSummary } from '../../shared/contract.js';
import { startFaultProxy } from '../esri/testing/fault-proxy.js';
import { type KoopFixture, startKoopFixture } from '../esri/testing/koop-fixture.js';
import { naturalEarthServicesCached } from '../esri/testing/natural-earth-services.js';
import { garbage, manyPointsGpkg } from '../ingest/testing/ingest-fixtures.js';
import { createLogger } from '../logging/logger.js';
import { illinoisNad27Tif, largeRasterMbtiles, worldMapGpkg } from '../testing/real-data.js';
import { Engine } from './engine.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-counters-'));
let koop: KoopFixture;

before(async () => {
  const { dir, services } = naturalEarthServicesCached();
  koop = await startKoopFixture(dir, services);
});

after(async () => {
  await koop?.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(dataDir: string): Promise<Engine> {
  const engine = await Engine.open({ dataDir, host: 'headless', threads: 2, logger: createLogger('silent'), backoff: { initialDelayMs: 5, maxDelayMs: 20 } });
  // The machine's free space is what it is: these tests are about counters, not disks.
  await engine.handlers['settings.update']({ freeSpaceFloorBytes: 0 });
  return engine;
}

/** Every counter an engine announces, checked as it comes: done ≤ total, nothing negative. */
class Watch {
  readonly wrong: string[] = [];
  ticks = 0;
  private readonly offs: (() => void)[];

  constructor(engine: Engine, stage: string) {
    const check = (p: JobProgress, what: string) => {
      this.ticks++;
      if (p.done > p.total || p.done < 0 || p.failed < 0 || p.skipped < 0 || p.bytes < 0)
        this.wrong.push(`${stage} ${what}: done ${p.done}, total ${p.total}, failed ${p.failed}, skipped ${p.skipped}`);
    };
    this.offs = [engine.events.on('job.progress', (p) => check(p, 'tick')), engine.events.on('job.changed', (j) => check(j.progress, `change (${j.state})`))];
  }

  stop(): void {
    for (const off of this.offs) off();
  }
}

/** Resolves once the job has counted some of its work and not yet all of it (or has ended). */
function partWay(engine: Engine, id: number, above = 0): Promise<void> {
  return new Promise((resolve) => {
    const offs = [
      engine.events.on('job.progress', (p) => p.jobId === id && p.done > above && p.done < p.total && finish()),
      engine.events.on('job.changed', (j) => j.id === id && !['queued', 'running'].includes(j.state) && finish()),
    ];
    function finish() {
      for (const off of offs) off();
      resolve();
    }
  });
}

interface End {
  state: JobSummary['state'];
  done: number;
  total: number;
  failed: number;
  skipped: number;
  bytes: number;
  /** Each item's label and counters, which must add up to the job's. */
  items: string[];
}

function endOf(engine: Engine, id: number, byBytes: boolean): End {
  const job = engine.store.getJob(id);
  const rows = engine.store.listItems(id, { limit: 10_000 }).rows;
  for (const item of rows) assert.ok(item.done <= item.total, `${item.label}: done ${item.done} > total ${item.total}`);
  const sum = (key: 'done' | 'total' | 'failed' | 'skipped' | 'bytes') => rows.reduce((n, i) => n + i[key], 0);
  assert.deepEqual(
    { done: sum('done'), total: sum('total'), failed: sum('failed'), skipped: sum('skipped'), bytes: sum('bytes') },
    { done: job.progress.done, total: job.progress.total, failed: job.progress.failed, skipped: job.progress.skipped, bytes: job.progress.bytes },
    "the job's counters are its items' sums",
  );
  const p = job.progress;
  return {
    state: job.state,
    done: p.done,
    total: p.total,
    failed: p.failed,
    skipped: p.skipped,
    // Bytes are compared where they are the output's (tiles); a download's differ by retries.
    bytes: byBytes ? p.bytes : 0,
    items: rows.map((i) => `${i.label} ${i.state} ${i.done}/${i.total} failed ${i.failed} skipped ${i.skipped}`).sort(),
  };
}

/**
 * Runs `input` undisturbed in one data directory, and in another: cancelled part way and retried,
 * then its engine closed part way and a new one resuming it. Both must end the same.
 */
async function drive(name: string, input: (dir: string) => JobStartInput | Promise<JobStartInput>, options: { byBytes?: boolean } = {}) {
  const byBytes = options.byBytes ?? true;
  const cleanDir = mkdtempSync(join(root, `${name}-clean-`));
  const clean = await open(cleanDir);
  const watchClean = new Watch(clean, 'undisturbed');
  let expected: End;
  try {
    const job = await clean.start(await input(cleanDir));
    await clean.waitFor(job.id);
    expected = endOf(clean, job.id, byBytes);
  } finally {
    watchClean.stop();
    await clean.close();
  }

  const dir = mkdtempSync(join(root, `${name}-disturbed-`));
  let engine = await open(dir);
  let watch = new Watch(engine, 'cancel');
  const wrong: string[] = [];
  let id = 0;
  const stages: string[] = [];
  try {
    const job = await engine.start(await input(dir));
    id = job.id;
    await partWay(engine, id);
    const cancelled = engine.cancel([id]);
    const atCancel = await engine.waitFor(id);
    stages.push(`cancel: ${cancelled.ok.length ? 'sent' : 'refused'}, ${atCancel.state} at ${atCancel.progress.done}/${atCancel.progress.total}`);
    if (atCancel.state === 'cancelled') {
      watch.stop();
      wrong.push(...watch.wrong);
      watch = new Watch(engine, 'retry');
      const resumed = partWay(engine, id, atCancel.progress.done);
      assert.deepEqual(engine.retry([id]).failed, [], 'a cancelled job can be retried');
      await resumed;
      // Closing the engine cancels its running job; a new engine on the directory resumes it.
      const now = engine.store.getJob(id).progress;
      stages.push(`closed at ${now.done}/${now.total}`);
    }
  } finally {
    watch.stop();
    wrong.push(...watch.wrong);
    await engine.close();
  }
  engine = await open(dir);
  watch = new Watch(engine, 'resume');
  try {
    const reopened = engine.store.getJob(id);
    stages.push(`reopened ${reopened.state} at ${reopened.progress.done}/${reopened.progress.total}`);
    assert.ok(reopened.progress.done <= reopened.progress.total, stages.join('; '));
    if (reopened.state !== 'succeeded') assert.deepEqual(engine.retry([id]).failed, [], 'the closed job can be resumed');
    await engine.waitFor(id);
    const got = endOf(engine, id, byBytes);
    // Ingest of a file that cannot be read fails it again on retry: the same end as undisturbed.
    assert.deepEqual(got, expected, `${name}: the disturbed run ends as the undisturbed one (${stages.join('; ')})`);
  } finally {
    watch.stop();
    wrong.push(...watch.wrong, ...watchClean.wrong);
    await engine.close();
  }
  assert.deepEqual(wrong, [], `${name}: done ≤ total at every announcement`);
  assert.ok(watch.ticks > 0 && watchClean.ticks > 0, 'progress was announced');
  return { expected, stages };
}

test('preseed-raster: a NAD27 sheet z0–15, whose tiles beyond its tilted edges are transparent', async (t) => {
  const { expected, stages } = await drive('raster', (dir) => ({
    kind: 'preseed-raster',
    params: { datasets: [illinoisNad27Tif()], minZoom: 0, maxZoom: 15, output: join(dir, 'out.mbtiles') },
  }));
  t.diagnostic(`${JSON.stringify(expected)} · ${stages.join('; ')}`);
  assert.equal(expected.state, 'succeeded');
  assert.equal(expected.done, expected.total, 'a finished job is at its total');
  assert.ok(expected.skipped > 0, 'the transparent tiles beyond the sheet were skipped, not made');
});

test('preseed-vector: Natural Earth states z0–5, most tiles of the sea skipped as empty', async (t) => {
  const { expected, stages } = await drive('vector', (dir) => ({
    kind: 'preseed-vector',
    params: { sources: [worldMapGpkg()], layers: [{ name: 'states_provinces' }], minZoom: 0, maxZoom: 5, output: join(dir, 'out.mbtiles') },
  }));
  t.diagnostic(`${JSON.stringify(expected)} · ${stages.join('; ')}`);
  assert.equal(expected.state, 'succeeded');
  assert.equal(expected.done, expected.total);
  assert.ok(expected.skipped > 0, 'empty tiles were skipped');
});

test('ingest: a file that cannot be read fails again on retry without its counters doubling', async (t) => {
  const points = await manyPointsGpkg(join(root, 'points.gpkg'), 400_000);
  const { expected, stages } = await drive('ingest', (dir) => {
    // Each run ingests its own copies: an ingest moves nothing, but the catalogue names them.
    const own = join(dir, 'points.gpkg');
    copyFileSync(points, own);
    return { kind: 'ingest', params: { files: [own, garbage(join(dir, 'garbage.bin'), 300)] } };
  });
  t.diagnostic(`${JSON.stringify(expected)} · ${stages.join('; ')}`);
  assert.equal(expected.state, 'partial');
  assert.ok(expected.done <= expected.total);
});

test('migrate-esri: through a proxy that fails 20% of requests, cancelled, retried and resumed', async (t) => {
  const proxy = await startFaultProxy({ target: koop.origin, seed: 7, rate: 0.2, slowMs: 300, retryAfterSeconds: 1 });
  try {
    const { expected, stages } = await drive('esri', () => ({ kind: 'migrate-esri', params: { url: proxy.via(koop.serviceUrl('world')), name: 'world' } }), {
      byBytes: false,
    });
    t.diagnostic(`${JSON.stringify(expected)} · ${stages.join('; ')}`);
    assert.equal(expected.state, 'succeeded');
    assert.equal(expected.done, expected.total);
  } finally {
    await proxy.close();
  }
});

test('verify: 12,000 tiles, cancelled, retried and resumed', async (t) => {
  const cache = largeRasterMbtiles(root, 12_000);
  const { expected, stages } = await drive('verify', () => ({ kind: 'verify', params: { cache } }));
  t.diagnostic(`${JSON.stringify(expected)} · ${stages.join('; ')}`);
  assert.equal(expected.state, 'succeeded');
  assert.equal(expected.done, expected.total);
});
