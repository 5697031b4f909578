/**
 * Compressed files and GDAL virtual paths as a user gives them to `tessera`: a zipped GeoTIFF, a
 * zipped and a gzipped GeoJSON (made here from real data) as raster and vector preseed inputs and
 * as ingest files; `/vsizip//abs/a.zip/a.tif` kept exact, `/vsizip/a.zip/a.tif` resolved in the
 * command's folder; a bomb refused by the archive checks. Real child processes, real GDAL.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { writeZip } from '../ingest/testing/zip-writer.js';
import { blueMarbleTif, rgdalVector } from '../testing/real-data.js';

const bin = fileURLToPath(new URL('./bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-archives-'));
let dirs = 0;
const dataDir = () => join(dir, `data-${++dirs}`);
let tifZip = '';
let geojsonZip = '';
let geojsonGz = '';

before(() => {
  const tif = join(dir, 'small.tif');
  execFileSync('gdal_translate', ['-q', '-outsize', '270', '135', blueMarbleTif(), tif]);
  tifZip = join(dir, 'small.tif.zip');
  writeZip(tifZip, [{ name: 'small.tif', data: readFileSync(tif) }]);
  const geojson = join(dir, 'cities.geojson');
  execFileSync('ogr2ogr', ['-f', 'GeoJSON', geojson, rgdalVector('cities.shp')]);
  geojsonZip = join(dir, 'cities.zip');
  writeZip(geojsonZip, [{ name: 'cities.geojson', data: readFileSync(geojson) }]);
  geojsonGz = join(dir, 'cities.geojson.gz');
  writeFileSync(geojsonGz, gzipSync(readFileSync(geojson)));
  rmSync(tif);
  rmSync(geojson);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `tessera …` run in `dir` (relative paths are resolved there). */
function tessera(...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function tilesIn(file: string): Record<number, number> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT zoom_level z, count(*) n FROM tiles GROUP BY zoom_level').all() as { z: number; n: number }[];
  db.close();
  return Object.fromEntries(rows.map((r) => [r.z, r.n]));
}

interface JobDoc {
  job: { state: string; params: { datasets?: string[]; sources?: string[] } };
}

test('raster preseed: a zipped GeoTIFF, the exact /vsizip// form and a relative /vsizip/ path all render it', async () => {
  const data = dataDir();
  const zipped = await tessera('preseed', 'raster', 'small.tif.zip', '--zoom', '0-1', '-o', 'a.mbtiles', '--json', '--data-dir', data);
  assert.equal(zipped.code, 0, zipped.stderr);
  assert.deepEqual((JSON.parse(zipped.stdout) as JobDoc).job.params.datasets, [tifZip]);
  assert.deepEqual(tilesIn(join(dir, 'a.mbtiles')), { 0: 1, 1: 4 });

  const exact = `/vsizip/${tifZip}/small.tif`;
  assert.ok(exact.startsWith('/vsizip//'));
  const virtual = await tessera('preseed', 'raster', exact, '--zoom', '0-1', '-o', 'b.mbtiles', '--json', '--data-dir', data);
  assert.equal(virtual.code, 0, virtual.stderr);
  assert.deepEqual((JSON.parse(virtual.stdout) as JobDoc).job.params.datasets, [exact], 'the path reaches the engine as it was typed');
  assert.deepEqual(tilesIn(join(dir, 'b.mbtiles')), { 0: 1, 1: 4 });

  const relative = await tessera(
    'preseed',
    'raster',
    '/vsizip/small.tif.zip/small.tif',
    '--zoom',
    '0-1',
    '-o',
    'c.mbtiles',
    '--dry-run',
    '--json',
    '--data-dir',
    data,
  );
  assert.equal(relative.code, 0, relative.stderr);
  const estimate = JSON.parse(relative.stdout) as { totalTiles: number; datasets: { path: string; error: unknown }[] };
  assert.deepEqual(
    estimate.datasets.map((d) => [d.path, d.error]),
    [[exact, null]],
  );
  assert.equal(estimate.totalTiles, 5);
});

test('vector preseed: a gzipped GeoJSON and a zipped one make the same tiles', async () => {
  const data = dataDir();
  const made: Record<number, number>[] = [];
  for (const [source, out] of [
    ['cities.geojson.gz', 'gz.mbtiles'],
    ['cities.zip', 'zip.mbtiles'],
  ] as const) {
    const run = await tessera('preseed', 'vector', source, '--zoom', '0-3', '-o', out, '--data-dir', data);
    assert.equal(run.code, 0, `${source}: ${run.stderr}`);
    assert.match(run.stdout, /from\s+606 features/);
    made.push(tilesIn(join(dir, out)));
  }
  assert.deepEqual(made[0], made[1]);
  assert.equal(made[0]![0], 1);
});

test('ingest: a zipped GeoTIFF, a zipped GeoJSON and a gzipped GeoJSON become three datasets', async () => {
  const run = await tessera('ingest', tifZip, geojsonZip, geojsonGz, '--json', '--data-dir', dataDir());
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { job: { state: string }; items: { state: string }[] };
  assert.equal(doc.job.state, 'succeeded');
  const catalog = await tessera('catalog', 'list', '--json', '--data-dir', join(dir, `data-${dirs}`));
  const rows = (JSON.parse(catalog.stdout) as { rows: { name: string; kind: string; featureCount: number | null }[] }).rows;
  assert.deepEqual(rows.map((d) => [d.name, d.kind]).sort(), [
    ['cities', 'vector'],
    ['cities', 'vector'],
    ['small', 'raster'],
  ]);
});

test('a gzip bomb given as a preseed source is refused by the archive checks, naming the file', async () => {
  writeFileSync(join(dir, 'bomb.geojson.gz'), gzipSync(Buffer.alloc(64 * 1024 * 1024)));
  const run = await tessera('preseed', 'vector', 'bomb.geojson.gz', '--zoom', '0-3', '-o', 'bomb.mbtiles', '--data-dir', dataDir());
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /failed\s+bomb\.geojson\.gz: DATASET_UNREADABLE: it inflates more than 100:1 .* gzip bomb/);
});
