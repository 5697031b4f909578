/**
 * The summary `tessera` prints when a job ends: units, duration, output and failures, from real
 * runs (a Blue Marble preseed, a verify of its MBTiles, an ingest with a file GDAL cannot read)
 * and from made-up jobs for the cases a real run does not reach cheaply.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { JobItem, JobSummary } from '../../shared/contract.js';
import { blueMarbleTif, rgdalVector } from '../testing/real-data.js';
import { formatJobSummary, operatorMessage } from './job-summary.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tessera(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** No JSON object, no byte count written out: what the summary replaced. */
function assertHuman(stdout: string): void {
  assert.doesNotMatch(stdout, /[{}]|"\w+":/, 'no raw JSON');
  assert.doesNotMatch(stdout, /\d{4,} bytes/, 'no raw byte counts');
}

test('a preseed and a verify of what it made end in a summary: state, duration, tiles, KiB, the output', { timeout: 120_000 }, async () => {
  const dataDir = join(dir, 'data-1');
  const out = join(dir, 'bluemarble.mbtiles');
  const preseed = await tessera('preseed', 'raster', blueMarbleTif(), '--zoom', '0-1', '-o', out, '--data-dir', dataDir);
  assert.equal(preseed.code, 0, preseed.stderr);
  assertHuman(preseed.stdout);
  const lines = preseed.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^job 1 succeeded in (\d+ ms|\d+\.\d s): preseed raster bluemarble\.tif → bluemarble\.mbtiles$/);
  assert.match(lines[1]!, /^ {2}made {5}5 tiles, z0–1, \d+(\.\d)? KiB$/);
  assert.equal(lines[2], `  output   ${out}`);
  assert.equal(lines.length, 3);

  const verify = await tessera('verify', out, '--data-dir', dataDir);
  assert.equal(verify.code, 0, verify.stderr);
  assertHuman(verify.stdout);
  assert.match(
    verify.stdout,
    /^job 2 succeeded in .*: verify bluemarble\.mbtiles\n {2}checked {2}5 of 5 tiles, z0–1, \d+(\.\d)? KiB: 0 corrupt, 0 empty, 0 oversized\n {2}cache {4}\S+bluemarble\.mbtiles\n$/,
  );
});

test('a failing ingest names the file and the reason once, without the staging path', { timeout: 120_000 }, async () => {
  const dataDir = join(dir, 'data-2');
  const garbage = join(dir, 'garbage.bin');
  writeFileSync(garbage, Buffer.from('not a format GDAL knows\0\x01\x02'));
  const run = await tessera('ingest', garbage, rgdalVector('cities.shp'), '--data-dir', dataDir);
  assert.equal(run.code, 3, run.stderr);
  assertHuman(run.stdout);
  assert.match(run.stdout, /^job 1 partial after .*: ingest garbage\.bin and 1 more\n/);
  assert.match(run.stdout, /\n {2}items {4}2 of 3 succeeded, 1 failed\n/);
  assert.match(run.stdout, /\n {2}made {5}1 dataset \(1 layer, 606 features\), \d+(\.\d)? KiB; \d+(\.\d)? KiB read\n/);
  assert.match(run.stdout, new RegExp(`\\n {2}output {3}the catalogue of ${dataDir} .*\\n {13}dataset 1 {4}cities {2}\\S+\\.gpkg\\n`));
  const failed = run.stdout.split('\n').filter((l) => l.startsWith('  failed'));
  assert.equal(failed.length, 1, failed.join('\n'));
  assert.match(failed[0]!, /^ {2}failed {3}garbage\.bin: DATASET_UNREADABLE: not a format Tessera reads\. Accepted: GeoPackage, Shapefile/);
  assert.equal(run.stdout.split('garbage.bin').length - 1, 2, 'the job name, then the failed line naming it once');
  assert.doesNotMatch(run.stdout, /staging|`/);
});

const job = (over: Partial<JobSummary>): JobSummary =>
  ({
    id: 7,
    kind: 'preseed-raster',
    name: 'preseed raster ne.tif → ne.pmtiles',
    state: 'succeeded',
    priority: 0,
    params: { datasets: ['/d/ne.tif'], minZoom: 0, maxZoom: 6, output: '/out/ne.pmtiles' },
    createdAt: '2024-05-01T10:00:00.000Z',
    startedAt: '2024-05-01T10:00:00.000Z',
    finishedAt: '2024-05-01T10:04:05.000Z',
    updatedAt: '2024-05-01T10:04:05.000Z',
    runSeconds: 245,
    items: { total: 1, queued: 0, running: 0, succeeded: 1, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
    progress: { jobId: 7, done: 5461, total: 5461, failed: 0, bytes: 42_732_197, skipped: 0, rate: 0, etaSeconds: null },
    error: null,
    ...over,
  }) as JobSummary;
const item = (over: Partial<JobItem>): JobItem => ({
  id: 1,
  jobId: 7,
  ordinal: 0,
  label: 'ne.tif',
  state: 'succeeded',
  attempts: 1,
  done: 0,
  total: 0,
  failed: 0,
  bytes: 0,
  skipped: 0,
  error: null,
  result: null,
  startedAt: null,
  finishedAt: null,
  ...over,
});

test('bytes in binary units, minutes and seconds, tiles already there and empty ones', () => {
  const text = formatJobSummary({ job: job({}), items: [item({ result: { written: 5000, kept: 400, transparent: 61 } })], datasets: [], dataDir: '/data' });
  assert.equal(
    text,
    [
      'job 7 succeeded in 4 min 05 s: preseed raster ne.tif → ne.pmtiles',
      '  made     5,000 tiles, 400 already there, 61 empty skipped, z0–6, 40.8 MiB',
      '  output   /out/ne.pmtiles',
    ].join('\n'),
  );
});

test('a job cancelled before any item ended says how far it got', () => {
  const text = formatJobSummary({
    job: job({
      state: 'cancelled',
      items: { total: 1, queued: 0, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 1, interrupted: 0 },
      progress: { jobId: 7, done: 53, total: 1365, failed: 0, bytes: 3 * 1024 ** 3, skipped: 0, rate: 0, etaSeconds: null },
    }),
    items: [item({ state: 'cancelled' })],
    datasets: [],
    dataDir: '/data',
  });
  assert.match(text, /^job 7 cancelled after 4 min 05 s: /);
  assert.match(text, /\n {2}items {4}0 of 1 succeeded, 1 cancelled\n/);
  assert.match(text, /\n {2}made {5}53 of 1,365 tiles done, z0–6, 3 GiB\n/);
});

test("an item's error loses the prefixes that repeat its label, and GDAL's staging path", () => {
  const label = 'GSHHS_l_L2.shp › GSHHS_l_L2';
  assert.equal(
    operatorMessage(
      { code: 'DATASET_UNREADABLE', message: 'GSHHS_l_L2.shp › GSHHS_l_L2: GSHHS_l_L2.shp › GSHHS_l_L2: layer GSHHS_l_L2 cannot be read' },
      label,
    ),
    'DATASET_UNREADABLE: layer GSHHS_l_L2 cannot be read',
  );
  assert.equal(
    operatorMessage(
      { code: 'DATASET_UNREADABLE', message: "a.bin: a.bin: GDAL cannot open it: `/home/u/.tessera/staging/job-12/u0/a.bin' not recognized" },
      'a.bin',
    ),
    "DATASET_UNREADABLE: GDAL cannot open it: 'a.bin' not recognized",
  );
  // A message that only mentions the name further on keeps it.
  assert.equal(
    operatorMessage({ code: 'DATASET_UNREADABLE', message: 'cannot read a.bin: truncated' }, 'a.bin'),
    'DATASET_UNREADABLE: cannot read a.bin: truncated',
  );
});

test('a job that failed as a whole, with no failed item, shows its own error', () => {
  const text = formatJobSummary({
    job: job({
      state: 'failed',
      error: { code: 'DISK_FULL', message: 'only 300 MiB free on /out, below the 512 MiB floor' },
      items: { total: 1, queued: 1, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
      progress: { jobId: 7, done: 0, total: 5461, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null },
    }),
    items: [item({ state: 'queued' })],
    datasets: [],
    dataDir: '/data',
  });
  assert.match(text, /\n {2}items {4}0 of 1 succeeded, 1 not run\n/);
  assert.match(text, /\n {2}error {4}DISK_FULL: only 300 MiB free on \/out, below the 512 MiB floor$/);
});
