import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Settings } from '../../shared/contract.js';
import { checkFits, freeBytesAt, isInside, peakBytes, waitForSpace } from './disk-guard.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-guard-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const base: Settings = {
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: false,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 0,
  ingestJobQuotaBytes: null,
};

test('a job that fits has no problem; free space is read from the nearest existing folder', async () => {
  const fits = await checkFits({ output: join(dir, 'not', 'yet', 'made.mbtiles'), bytes: 1024, settings: base, dataDir: dir });
  assert.equal(fits.problem, null);
  // Other tests write to the same disk meanwhile: the two readings agree to within what they write.
  assert.ok(Math.abs(fits.freeBytes - (await freeBytesAt(dir))) < 256 * 1024 ** 2, 'read from the volume of the nearest existing folder');
});

test('the floor refuses with DISK_FULL and the quota with QUOTA_EXCEEDED, naming the numbers', async () => {
  const floor = await checkFits({
    output: join(dir, 'a.mbtiles'),
    bytes: 1,
    settings: { ...base, freeSpaceFloorBytes: Number.MAX_SAFE_INTEGER },
    dataDir: dir,
  });
  assert.equal(floor.problem?.code, 'DISK_FULL');
  assert.match(floor.problem!.message, /free-space floor/);

  mkdirSync(join(dir, 'caches'), { recursive: true });
  writeFileSync(join(dir, 'caches', 'old.mbtiles'), Buffer.alloc(64 * 1024));
  const quota = await checkFits({
    output: join(dir, 'caches', 'b.mbtiles'),
    bytes: 10 * 1024,
    settings: { ...base, cacheQuotaBytes: 70 * 1024 },
    dataDir: dir,
  });
  assert.equal(quota.problem?.code, 'QUOTA_EXCEEDED');
  assert.ok(quota.quotaUsedBytes >= 64 * 1024, `used ${quota.quotaUsedBytes}`);
  assert.match(quota.problem!.message, /70 KiB cache quota/);
  // The quota covers the data directory only: the same job writing elsewhere fits.
  const outside = await checkFits({
    output: join(tmpdir(), 'elsewhere.mbtiles'),
    bytes: 10 * 1024,
    settings: { ...base, cacheQuotaBytes: 70 * 1024 },
    dataDir: dir,
  });
  assert.equal(outside.problem, null);
  assert.equal(isInside(dir, join(dir, 'caches', 'x')), true);
  assert.equal(isInside(dir, join(dir, '..', 'x')), false);
});

test('waitForSpace waits below the floor, says why once, and resumes when space returns', async () => {
  const readings = [100, 100, 100, 5000];
  const waits: string[] = [];
  const resumes: string[] = [];
  await waitForSpace('/data', {
    floorBytes: () => 1000,
    signal: new AbortController().signal,
    pollMs: 1,
    freeBytes: async () => readings.shift()!,
    onWait: (m) => waits.push(m),
    onResume: (m) => resumes.push(m),
  });
  assert.equal(readings.length, 0);
  assert.equal(waits.length, 1);
  assert.match(waits[0]!, /waiting for disk space: 100 B free at \/data, below the 1000 B floor/);
  assert.equal(resumes.length, 1);
});

test('waitForSpace gives up at once when the job is cancelled', async () => {
  const controller = new AbortController();
  const waiting = waitForSpace('/data', {
    floorBytes: () => 1000,
    signal: controller.signal,
    pollMs: 60_000,
    freeBytes: async () => 0,
    onWait: () => controller.abort(),
  });
  await assert.rejects(waiting, (e: Error & { code?: string }) => e.code === 'ABORTED');
});

test('a PMTiles output reserves its peak: the working MBTiles and the archive side by side (issue 12, item 3)', async () => {
  const free = await freeBytesAt(dir);
  // Tiles that fit once with room to spare, but not twice.
  const bytes = Math.floor(free / 1.6);
  const mbtiles = await checkFits({ output: join(dir, 'c.mbtiles'), bytes, settings: base, dataDir: dir });
  assert.equal(mbtiles.problem, null);
  const pmtiles = await checkFits({ output: join(dir, 'c.pmtiles'), bytes, settings: base, dataDir: dir });
  assert.equal(pmtiles.problem?.code, 'DISK_FULL');
  assert.match(pmtiles.problem!.message, /held twice while the archive is built/);
  assert.ok((pmtiles.problem!.details as { neededBytes: number }).neededBytes >= 2 * bytes);
  assert.equal(peakBytes(join(dir, 'tiles'), 1000), 1000, 'a tile directory needs what its files take');
});

test('with no floor, a wait on a full volume says the volume is full (not "below the 0 B floor")', async () => {
  const readings = [0, 4096];
  const waits: string[] = [];
  await waitForSpace('/data', {
    floorBytes: () => 0,
    signal: new AbortController().signal,
    pollMs: 1,
    freeBytes: async () => readings.shift()!,
    onWait: (m) => waits.push(m),
  });
  assert.deepEqual(waits, ['waiting for disk space: the volume at /data is full']);
});
