/**
 * `tessera ingest` and `tessera catalog` as a user runs them: a real child process, real files,
 * the exit codes and the --json documents.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { BulkResult, CatalogDataset, JobItem, JobSummary, Page } from '../../shared/contract.js';
import { shapefileWithoutPrjZip } from '../ingest/testing/ingest-fixtures.js';
import { illinoisNad27Tif, worldMapGpkg } from '../testing/real-data.js';
import { liveOwner, lockDataDir } from '../engine/data-dir.js';
import { repeatedStatesGpkg } from '../catalog/testing/big-dataset.js';
import { byteCount, formatDataset, ingestInput } from './catalog-command.js';
import { analysisNote } from './run-job.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-catalog-cli-'));
const dataDir = join(dir, 'data');
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [bin, ...args, '--data-dir', dataDir], {
      env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

test('byte counts and ingest params from the command line', () => {
  assert.equal(byteCount('1048576', '--quota'), 1048576);
  assert.equal(byteCount('512K', '--quota'), 512 * 1024);
  assert.equal(byteCount('1.5G', '--quota'), 1.5 * 1024 ** 3);
  assert.throws(() => byteCount('lots', '--quota'), /--quota must be a number of bytes/);
  assert.deepEqual(ingestInput(['a.gpkg'], { crs: 'EPSG:27700', quota: '10M' }), {
    kind: 'ingest',
    params: { files: [join(process.cwd(), 'a.gpkg')], assignCrs: 'EPSG:27700', quotaBytes: 10 * 1024 ** 2 },
  });
  assert.throws(() => ingestInput([], {}), /ingest needs at least one file/);
});

test('ingest, list with sizes, show, delete', { timeout: 180_000 }, async () => {
  const ingested = await run(['ingest', worldMapGpkg(), illinoisNad27Tif(), '--json']);
  assert.equal(ingested.code, 0, ingested.stderr);
  const doc = JSON.parse(ingested.stdout) as { job: JobSummary; items: JobItem[] };
  assert.equal(doc.job.state, 'succeeded');
  assert.equal(doc.items.length, 7);

  const listed = await run(['catalog', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const page = JSON.parse(listed.stdout) as Page<CatalogDataset>;
  assert.deepEqual(page.rows.map((d) => d.name).sort(), ['SP27GTIF', 'world_map']);
  for (const d of page.rows) assert.ok(d.sizeBytes > 0, `${d.name} reports its size`);

  const rasters = JSON.parse((await run(['catalog', 'list', '--kind', 'raster', '--json'])).stdout) as Page<CatalogDataset>;
  assert.deepEqual(
    rasters.rows.map((d) => d.name),
    ['SP27GTIF'],
  );

  const table = await run(['catalog', 'list']);
  assert.match(table.stdout, /vector\s+4 layer\(s\), 4,846 features\s+mixed|vector\s+4 layer\(s\), 4,846 features\s+EPSG:4326/);
  assert.match(table.stdout, /raster\s+699×929, 1 band\(s\) Byte\s+EPSG:26771/);

  const raster = rasters.rows[0]!;
  const shown = await run(['catalog', 'show', String(raster.id)]);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, new RegExp(`dataset ${raster.id} \\(raster\\) SP27GTIF`));
  assert.match(shown.stdout, /source\s+.*SP27GTIF\.TIF/);

  // An unknown id refuses the whole command up front: exit 2, one line on stderr, nothing deleted.
  const refused = await run(['catalog', 'delete', String(raster.id), '4242']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /^tessera: NOT_FOUND: dataset 4242 does not exist in the catalogue\n/);
  assert.equal(existsSync(raster.path), true);

  const deleted = await run(['catalog', 'delete', String(raster.id), '--json']);
  assert.equal(deleted.code, 0, deleted.stderr);
  const result = JSON.parse(deleted.stdout) as BulkResult;
  assert.deepEqual(result.ok, [raster.id]);
  assert.deepEqual(result.failed, []);
  assert.equal(existsSync(raster.path), false);
  assert.equal((await run(['catalog', 'show', String(raster.id)])).code, 2, 'NOT_FOUND is exit 2');
});

test('a Shapefile without .prj: exit 1 (failed: no dataset made) naming --crs; with --crs it succeeds', { timeout: 120_000 }, async () => {
  const zip = shapefileWithoutPrjZip(dir);
  const refused = await run(['ingest', zip]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /NO_GEOREFERENCE: .*has no CRS \(no \.prj beside the Shapefile\); run the ingest again with its CRS, e.g. --crs EPSG:27700/);
  const assigned = await run(['ingest', zip, '--crs', 'EPSG:4326']);
  assert.equal(assigned.code, 0, assigned.stdout + assigned.stderr);
});

test('bad usage and bad input are exit 2', async () => {
  assert.equal((await run(['ingest'])).code, 2);
  assert.equal((await run(['ingest', join(dir, 'missing.gpkg')])).code, 2);
  assert.equal((await run(['ingest', worldMapGpkg(), '--crs', 'EPSG:999999999'])).code, 2);
  assert.equal((await run(['catalog', 'frobnicate'])).code, 2);
  assert.equal((await run(['catalog', 'show', 'x'])).code, 2);
});

test('a dataset whose analysis a kill cut short reads "not checked yet" while no engine holds the data directory (issue 12, item 8)', () => {
  const layer = { name: 'points', geometryType: 'Point', featureCount: 3, fields: [], crs: 'EPSG:4326', bounds: null, invalidGeometries: null };
  const dataset: CatalogDataset = {
    id: 1,
    name: 'points',
    kind: 'vector',
    path: '/data/points.gpkg',
    layers: [layer],
    raster: null,
    bounds: null,
    sizeBytes: 4096,
    source: { type: 'file', files: ['points.geojson'] },
    jobId: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    thumbnail: null,
    preview: null,
    analysisPending: true,
  };
  assert.match(formatDataset(dataset, true), /geometries being checked/);
  assert.match(formatDataset(dataset, false), /geometries not checked yet \(they are checked when Tessera next opens this data directory/);
  assert.doesNotMatch(formatDataset(dataset, false), /being checked/);

  // Who holds a data directory: nobody, a dead process (its lock is stale), this live process.
  const lockDir = join(dir, 'lock-probe');
  mkdirSync(lockDir, { recursive: true });
  assert.equal(liveOwner(lockDir), null);
  writeFileSync(join(lockDir, 'engine.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: hostname(), startedAt: 'x', holder: 'killed' }));
  assert.equal(liveOwner(lockDir), null, 'a killed engine holds nothing');
  const lock = lockDataDir(lockDir, 'test');
  try {
    assert.equal(liveOwner(lockDir)?.pid, process.pid);
  } finally {
    lock.release();
  }
});

test('ingest ends with the import; the analysis it leaves is done by the next engine, or waited for with --wait-analysis', { timeout: 300_000 }, async () => {
  const big = await repeatedStatesGpkg(join(dir, 'states-x6.gpkg'), 6);
  const quick = await run(['ingest', big, '--json']);
  assert.equal(quick.code, 0, quick.stderr);
  const doc = JSON.parse(quick.stdout) as { job: JobSummary; analysisPending?: number[]; analysisResumes?: string };
  assert.equal(doc.job.state, 'succeeded');
  const id = doc.analysisPending?.[0];
  assert.ok(id !== undefined, 'the command did not wait for the analysis of 33,000 polygons');
  assert.match(doc.analysisResumes ?? '', /next opens this data directory/);
  // No engine now: the count waits for the next one, and catalog show says so.
  const shown = await run(['catalog', 'show', String(id), '--json']);
  assert.equal((JSON.parse(shown.stdout) as CatalogDataset).analysisPending, true);
  assert.match((await run(['catalog', 'show', String(id)])).stdout, /geometries not checked yet \(they are checked when Tessera next opens/);

  // Any job opens an engine, which takes up the analysis left undone; --wait-analysis waits for it.
  const small = join(dir, 'one-point.geojson');
  writeFileSync(
    small,
    JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [7.4, 46.9] } }] }),
  );
  const waited = await run(['ingest', small, '--wait-analysis']);
  assert.equal(waited.code, 0, waited.stderr);
  assert.doesNotMatch(waited.stdout, /not done yet/);
  const done = JSON.parse((await run(['catalog', 'show', String(id), '--json'])).stdout) as CatalogDataset;
  assert.equal(done.analysisPending, false);
  assert.deepEqual(
    done.layers.map((l) => l.invalidGeometries),
    [6],
  );
});

test('the summary names the datasets whose analysis is left for later, and how to wait for it', () => {
  assert.equal(analysisNote([]), '');
  assert.match(analysisNote([7]), /^ {2}analysis dataset 7: invalid geometries and preview not done yet; Tessera finishes them when it next opens/);
  assert.match(analysisNote([7, 8]), /datasets 7, 8: .*\(tessera catalog show 7 says when\); --wait-analysis waits for them here\.\n$/);
  assert.match(analysisNote([7], true), /the console finishes them now/);
});
