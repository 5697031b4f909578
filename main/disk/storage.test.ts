import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Settings } from '../../shared/contract.js';
import { directoryBytes, fileBytes, storageStatus } from './storage.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-storage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const settings = (patch: Partial<Settings> = {}): Settings => ({
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: true,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 0,
  ingestJobQuotaBytes: null,
  ...patch,
});

test('one gauge per volume, with every role Tessera keeps there, and the real free space', async () => {
  const data = join(dir, 'data');
  mkdirSync(data);
  const status = await storageStatus({ dataDir: data, settings: settings(), extraPaths: [{ path: join(dir, 'out', 'not-yet'), role: 'job 7 output' }] });
  assert.equal(status.volumes.length, 1, 'both folders are on the same disk');
  assert.deepEqual(status.volumes[0]!.roles, ['data directory', 'job 7 output']);
  const fs = statfsSync(data);
  // As df counts it: used plus what a user may still write (blocks reserved for root are neither).
  assert.ok(Math.abs(status.volumes[0]!.totalBytes - (fs.blocks - fs.bfree + fs.bavail) * fs.bsize) < 64 * 1024 * 1024);
  assert.ok(Math.abs(status.volumes[0]!.freeBytes - fs.bavail * fs.bsize) < 64 * 1024 * 1024);
  assert.deepEqual(status.warnings, []);
});

test('a volume below the free-space floor and a quota nearly used are warned about, with the numbers', async () => {
  const data = join(dir, 'quota');
  mkdirSync(data);
  writeFileSync(join(data, 'tiles.mbtiles'), Buffer.alloc(1024 * 1024, 1));
  const free = statfsSync(data).bavail * statfsSync(data).bsize;
  const status = await storageStatus({ dataDir: data, settings: settings({ freeSpaceFloorBytes: free + 1024 ** 3, cacheQuotaBytes: 1024 * 1024 }) });
  const quota = status.quotas[0]!;
  assert.equal(quota.limitBytes, 1024 * 1024);
  assert.ok(quota.usedBytes >= 1024 * 1024, `used ${quota.usedBytes}`);
  assert.equal(status.warnings.length, 2, status.warnings.join('\n'));
  assert.match(status.warnings[0]!, /free, below the [\d.]+ GiB floor$/);
  assert.match(status.warnings[1]!, /holds 1 MiB of its 1 MiB quota \(over quota\)/);
});

test('a file gone between the listing and the look counts nothing, and the walk goes on (an upload completing mid-read)', async () => {
  const walked = join(dir, 'walked');
  mkdirSync(walked);
  writeFileSync(join(walked, 'kept.bin'), Buffer.alloc(64 * 1024, 1));
  assert.equal(await fileBytes(join(walked, 'upload.part')), 0);
  const kept = await fileBytes(join(walked, 'kept.bin'));
  assert.ok(kept >= 64 * 1024, `kept.bin takes ${kept} bytes`);
  assert.equal(await directoryBytes(walked), kept);
  // Anything but a vanished file is still an error.
  await assert.rejects(fileBytes(join(walked, 'kept.bin', 'inside')), /ENOTDIR/);
});
