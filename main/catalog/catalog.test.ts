import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import gdal from 'gdal-async';
import { openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { illinoisNad27Tif, worldMapGpkg } from '../testing/real-data.js';
import { Catalog } from './catalog.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-catalog-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

function open(onChanged?: (ids: number[]) => void, dataDir = join(root, `d${++dirs}`)): { catalog: Catalog; store: JobStore; dataDir: string } {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'jobs.sqlite'));
  return { catalog: new Catalog(db, dataDir, onChanged), store: new JobStore(db), dataDir };
}

async function countriesDraft(catalog: Catalog, jobId = 1, key = 'world') {
  const draft = await catalog.openDraft({ jobId, key, kind: 'vector', name: 'world map' });
  const source = await gdal.openAsync(worldMapGpkg());
  (await gdal.vectorTranslateAsync(draft.file, source, ['-f', 'GPKG', 'countries', 'disputed_borders'])).close();
  source.close();
  return draft;
}

test('a committed vector dataset is described, drawn and listed', async () => {
  const changed: number[][] = [];
  const { catalog, dataDir } = open((ids) => changed.push(ids));
  const draft = await countriesDraft(catalog);
  assert.ok(draft.dir.startsWith(join(dataDir, 'catalog', '.partial')));
  assert.equal(catalog.list({ limit: 10 }).rows.length, 0, 'a draft is not in the catalogue');

  const committed = await catalog.commit(draft, { name: 'world map', jobId: 7, source: { type: 'file', files: [worldMapGpkg()] } });
  assert.equal(committed.analysisPending, true, 'recorded first, drawn after');
  assert.equal(committed.thumbnail, null);
  await catalog.analysesDone();
  assert.deepEqual(changed, [[committed.id]]);
  const dataset = catalog.get(committed.id);
  assert.equal(dataset.analysisPending, false);
  assert.equal(dataset.kind, 'vector');
  assert.equal(dataset.name, 'world map');
  assert.equal(dataset.jobId, 7);
  assert.ok(dataset.path.startsWith(join(dataDir, 'catalog')) && dataset.path.endsWith('.gpkg') && existsSync(dataset.path));
  assert.equal(existsSync(draft.dir), false, 'the draft folder became the dataset folder');
  assert.deepEqual(
    dataset.layers.map((l) => [l.name, l.geometryType, l.featureCount, l.crs]),
    [
      ['countries', 'Multi Polygon', 240, 'EPSG:4326'],
      ['disputed_borders', 'Multi Line String', 46, 'EPSG:4326'],
    ],
  );
  const countries = dataset.layers[0]!;
  assert.ok(countries.fields.some((f) => f.name === 'NAME' && f.type === 'string'));
  assert.equal(countries.invalidGeometries, 0);
  assert.ok(countries.bounds![0] < -179 && countries.bounds![2] > 179 && countries.bounds![3] > 83);
  assert.deepEqual(dataset.bounds, countries.bounds);
  assert.match(dataset.thumbnail ?? '', /^data:image\/png;base64,/);
  assert.ok(dataset.preview && existsSync(dataset.preview), 'a preview MBTiles sits beside the dataset');
  assert.ok(dataset.sizeBytes > 0);

  assert.deepEqual(catalog.get(dataset.id), dataset);
  assert.deepEqual(
    catalog.list({ limit: 10 }).rows.map((d) => d.id),
    [dataset.id],
  );
  assert.deepEqual(
    catalog.list({ text: 'DISPUTED', limit: 10 }).rows.map((d) => d.id),
    [dataset.id],
    'layer names are searched',
  );
  assert.deepEqual(catalog.list({ kind: 'raster', limit: 10 }).rows, []);
  assert.equal(catalog.usedBytes(), dataset.sizeBytes);
});

test('a raster (a paletted NAD27 GeoTIFF) is described with its CRS and WGS84 bounds', async () => {
  const { catalog } = open();
  const draft = await catalog.openDraft({ jobId: 1, key: 'sp27', kind: 'raster', name: 'SP27GTIF' });
  const source = await gdal.openAsync(illinoisNad27Tif());
  (await gdal.translateAsync(draft.file, source, ['-of', 'COG'])).close();
  source.close();
  const committed = await catalog.commit(draft, { name: 'SP27GTIF', jobId: null, source: { type: 'file', files: [illinoisNad27Tif()] } });
  await catalog.analysesDone();
  const dataset = catalog.get(committed.id);
  assert.equal(dataset.kind, 'raster');
  assert.deepEqual(dataset.raster, { width: 699, height: 929, bands: 1, dataType: 'Byte', crs: 'EPSG:26771' });
  const [w, s, e, n] = dataset.bounds!;
  // Chicago.
  assert.ok(w > -87.7 && e < -87.5 && s > 41.8 && n < 42, `bounds ${dataset.bounds}`);
  assert.ok(dataset.thumbnail && dataset.preview);
});

test('pages are keyset cursors, newest first', async () => {
  const { catalog } = open();
  const ids: number[] = [];
  for (let i = 0; i < 3; i++)
    ids.push((await catalog.commit(await countriesDraft(catalog, 1, `k${i}`), { name: `w${i}`, jobId: 1, source: { type: 'file', files: ['/x'] } })).id);
  const first = catalog.list({ limit: 2 });
  assert.deepEqual(
    first.rows.map((d) => d.id),
    [ids[2], ids[1]],
  );
  const second = catalog.list({ limit: 2, cursor: first.nextCursor! });
  assert.deepEqual(
    second.rows.map((d) => d.id),
    [ids[0]],
  );
  assert.equal(second.nextCursor, null);
  assert.throws(() => catalog.list({ limit: 2, cursor: 'nonsense' }), { code: 'BAD_CURSOR' });
  assert.deepEqual(
    catalog.madeBy(1).map((d) => d.id),
    ids,
  );
});

test('delete frees the files; a dataset a running job reads is refused', async () => {
  const { catalog, store } = open();
  const a = await catalog.commit(await countriesDraft(catalog, 1, 'a'), { name: 'a', jobId: 1, source: { type: 'file', files: ['/a'] } });
  const b = await catalog.commit(await countriesDraft(catalog, 1, 'b'), { name: 'b', jobId: 1, source: { type: 'file', files: ['/b'] } });
  const job = store.createJob({
    kind: 'preseed-vector',
    name: 'seed b',
    priority: 0,
    params: { sources: [b.path], minZoom: 0, maxZoom: 2, output: '/tmp/x.mbtiles' } as never,
  });
  const result = await catalog.delete([a.id, b.id, 999]);
  assert.deepEqual(result.ok, [a.id]);
  assert.equal(existsSync(a.path), false);
  assert.deepEqual(
    result.failed.map((f) => [f.id, f.error.code]),
    [
      [b.id, 'ILLEGAL_TRANSITION'],
      [999, 'NOT_FOUND'],
    ],
  );
  assert.match(result.failed[0]!.error.message, new RegExp(`in use by job ${job.id}, which is queued`));
  assert.ok(existsSync(b.path));
  store.transitionJob(job.id, 'cancelled');
  assert.deepEqual((await catalog.delete([b.id])).ok, [b.id]);
  assert.equal(catalog.usedBytes(), 0);
});

test('a draft can be reopened, discarded, or replace an existing dataset', async () => {
  const { catalog } = open();
  const draft = await countriesDraft(catalog, 3, 'again');
  const reopened = await catalog.openDraft({ jobId: 3, key: 'again', kind: 'vector', name: 'world map' });
  assert.equal(reopened.file, draft.file);
  assert.ok(catalog.draftExists(reopened), 'a retried job finds what its earlier run wrote');
  await catalog.discardDraft(reopened);
  assert.equal(existsSync(draft.dir), false);

  const first = await catalog.commit(await countriesDraft(catalog, 4, 'v1'), {
    name: 'svc',
    jobId: 4,
    source: { type: 'esri', url: 'https://example.test/FeatureServer', layers: [0], copiedAt: '2026-01-01T00:00:00Z' },
  });
  const second = await catalog.commit(await countriesDraft(catalog, 5, 'v2'), {
    name: 'svc',
    jobId: 5,
    replaces: first.id,
    source: { type: 'esri', url: 'https://example.test/FeatureServer', layers: [0], copiedAt: '2026-02-01T00:00:00Z' },
  });
  assert.equal(second.id, first.id);
  assert.equal(second.jobId, 5);
  assert.equal(second.createdAt, first.createdAt);
  assert.notEqual(second.path, first.path);
  assert.equal(existsSync(first.path), false, 'the replaced files are gone');
  assert.equal(catalog.list({ limit: 10 }).rows.length, 1);
  assert.deepEqual(
    catalog.findByServiceUrl('https://example.test/FeatureServer').map((d) => d.id),
    [first.id],
  );
  assert.deepEqual(catalog.findByServiceUrl('https://example.test/MapServer'), []);
});

test('the sweep removes orphan folders and drafts no job can resume', async () => {
  const { catalog, store, dataDir } = open();
  const kept = await catalog.commit(await countriesDraft(catalog, 1, 'kept'), { name: 'kept', jobId: 1, source: { type: 'file', files: ['/k'] } });
  const orphan = join(dataDir, 'catalog', 'orphan-1234');
  mkdirSync(orphan);
  writeFileSync(join(orphan, 'x.gpkg'), 'x');
  const failedJob = store.createJob({ kind: 'ingest', name: 'i', priority: 0, params: { files: ['/a'] } });
  store.transitionJob(failedJob.id, 'running');
  store.transitionJob(failedJob.id, 'failed');
  const resumable = await catalog.openDraft({ jobId: failedJob.id, key: 'x', kind: 'vector', name: 'x' });
  const gone = await catalog.openDraft({ jobId: 4242, key: 'x', kind: 'vector', name: 'x' });
  const { removed } = await catalog.sweep();
  assert.deepEqual(removed.sort(), [gone.dir, orphan].sort());
  assert.ok(existsSync(kept.path) && existsSync(resumable.dir));
  assert.deepEqual(readdirSync(join(dataDir, 'catalog')).length, 2);
});

test('a dataset deleted while its preview is drawn keeps nothing of it', async () => {
  const { catalog, dataDir } = open();
  const dataset = await catalog.commit(await countriesDraft(catalog), { name: 'short-lived', jobId: 1, source: { type: 'file', files: ['/s'] } });
  assert.deepEqual((await catalog.delete([dataset.id])).ok, [dataset.id]);
  await catalog.analysesDone();
  assert.deepEqual(
    readdirSync(join(dataDir, 'catalog')).filter((n) => n !== '.partial'),
    [],
    'no folder, no preview file',
  );
  assert.equal(catalog.usedBytes(), 0);
});

test('analyses a stopped catalogue left undone (counts, preview) are done when it opens again', async () => {
  const dataDir = join(root, `d${++dirs}`);
  const first = open(undefined, dataDir);
  const dataset = await first.catalog.commit(await countriesDraft(first.catalog), { name: 'undrawn', jobId: 1, source: { type: 'file', files: ['/u'] } });
  // As if the process had stopped before drawing: the row is recorded without a picture.
  first.catalog.db
    .prepare('UPDATE catalog_datasets SET thumbnail = NULL, preview = NULL, size_bytes = ? WHERE id = ?')
    .run(statSync(dataset.path).size, dataset.id);
  await first.catalog.analysesDone();
  first.catalog.db
    .prepare('UPDATE catalog_datasets SET thumbnail = NULL, preview = NULL, size_bytes = ? WHERE id = ?')
    .run(statSync(dataset.path).size, dataset.id);
  // …and its invalid geometries not counted yet.
  const uncounted = dataset.layers.map((l) => ({ ...l, invalidGeometries: null }));
  first.catalog.db.prepare('UPDATE catalog_datasets SET layers = ? WHERE id = ?').run(JSON.stringify(uncounted), dataset.id);
  assert.equal(first.catalog.get(dataset.id).analysisPending, true);
  first.catalog.db.close();

  const changed: number[] = [];
  const again = open((ids) => changed.push(...ids), dataDir);
  again.catalog.resumeAnalyses();
  await again.catalog.analysesDone();
  const drawn = again.catalog.get(dataset.id);
  assert.deepEqual(changed, [dataset.id]);
  assert.ok(drawn.thumbnail && drawn.preview && existsSync(drawn.preview));
  assert.equal(drawn.sizeBytes, statSync(drawn.path).size + statSync(drawn.preview).size);
  assert.equal(drawn.analysisPending, false);
  assert.deepEqual(
    drawn.layers.map((l) => l.invalidGeometries),
    [0, 0],
    'counted',
  );
});
