/**
 * migrate-esri end to end against a real ArcGIS REST server on loopback (Koop serving Natural
 * Earth; main/esri/testing/), through the engine, into a real GeoPackage read back with SQLite and
 * GDAL. No mocks: the server, the HTTP stack, GDAL and the job store are the real ones.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import gdal from 'gdal-async';
import type { CatalogDataset, JobSummary } from '../../shared/contract.js';
import type { Engine } from '../engine/engine.js';
import { buildReport } from '../reports/report.js';
import { type KoopFixture, FIXTURE_USER, startKoopFixture } from './testing/koop-fixture.js';
import { compareWithSource, copiedTables, jobDetail, openTestEngine, testRoot } from './testing/migration-harness.js';
import { naturalEarthServicesCached, type FixtureServices } from './testing/natural-earth-services.js';
import { tuneEsriMigration } from './migrate-kind.js';

const root = testRoot('tessera-esri-kind-');
const SECURE = 'secure';
let fixtureDir = '';
let services: FixtureServices;
let koop: KoopFixture;

before(async () => {
  ({ dir: fixtureDir, services } = naturalEarthServicesCached());
  koop = await startKoopFixture(fixtureDir, services);
  tuneEsriMigration({ client: { timeoutMs: 20_000, baseDelayMs: 20, maxDelayMs: 200, breaker: { threshold: 5, openMs: 150, maxOpenMs: 1000 } } });
});

after(async () => {
  await koop?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The migrated dataset in the catalogue, with its Esri source recorded. */
function catalogued(engine: Engine, name: string, serviceUrl: string): CatalogDataset & { source: { type: 'esri' } } {
  const dataset = engine.catalog.list({ limit: 100 }).rows.find((d) => d.name === name);
  assert.ok(dataset, `"${name}" is in the catalogue`);
  assert.equal(dataset.source.type, 'esri');
  if (dataset.source.type !== 'esri') throw new Error('unreachable');
  assert.equal(dataset.source.url, serviceUrl);
  assert.ok(!Number.isNaN(Date.parse(dataset.source.copiedAt)), `copiedAt is a time: ${dataset.source.copiedAt}`);
  assert.ok(existsSync(dataset.path), `${dataset.path} exists`);
  return dataset as CatalogDataset & { source: { type: 'esri' } };
}

function queriesOf(service: string, layer: number) {
  return koop.log.filter((r) => r.service === service && r.layer === layer && r.operation === 'query');
}

test('every layer of a service, one per Esri geometry type, copied exactly (count, id set, checksum of geometry and attributes)', async () => {
  const { engine, dataDir } = await openTestEngine(root, 'world');
  const started = koop.log.length;
  try {
    // With a trailing slash and f=json, as a browser shows it.
    const job = await engine.start({ kind: 'migrate-esri', params: { url: `${koop.serviceUrl('world')}/?f=json`, name: 'Natural Earth' } });
    const done = await engine.waitFor(job.id);
    const { items } = jobDetail(engine, done);
    assert.equal(done.state, 'succeeded', JSON.stringify(items.map((i) => [i.label, i.state, i.error])));
    assert.deepEqual(
      items.map((i) => i.label),
      ['0 States and provinces', '1 Countries', '2 Disputed borders', '3 Cities', '4 City clusters', '5 Track points', '6 Country codes'],
    );
    for (const item of items) {
      assert.equal(item.result?.idsChecked, true, `${item.label} was checked against the source's ids`);
      assert.equal(item.done, item.total, `${item.label}: progress ends at its total`);
    }
    assert.equal(done.progress.done, 4556 + 240 + 46 + 606 + 165 + 27 + 240);

    const dataset = catalogued(engine, 'Natural Earth', koop.serviceUrl('world'));
    assert.deepEqual(dataset.source.layers, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(dataset.jobId, done.id);
    const gpkg = dataset.path;
    assert.deepEqual(
      readdirSync(join(dataDir, 'esri-staging')).filter((f) => f.endsWith('.gpkg')),
      [],
      'no staging file is left',
    );
    for (const c of compareWithSource(fixtureDir, gpkg, services.world!)) {
      assert.equal(c.copy.count, c.source.count, `${c.layer}: count`);
      assert.deepEqual(c.copy.ids, c.source.ids, `${c.layer}: id set`);
      assert.deepEqual(c.differing, [], `${c.layer}: features that differ`);
      assert.equal(c.copy.checksum, c.source.checksum, `${c.layer}: checksum`);
    }

    // Paging: states by offset, never above maxRecordCount, continuing past exceededTransferLimit.
    const states = queriesOf('world', 0).filter((r) => koop.log.indexOf(r) >= started);
    assert.deepEqual(
      states.map((r) => Number(r.params.resultOffset)),
      [0, 1000, 2000, 3000, 4000],
    );
    assert.ok(states.every((r) => Number(r.params.resultRecordCount) <= 1000 && r.params.orderByFields === 'OBJECTID ASC'));
    // Countries has no pagination: object-id batches of at most its maxRecordCount (50), no offsets.
    const countries = queriesOf('world', 1).filter((r) => koop.log.indexOf(r) >= started);
    assert.ok(countries.length >= 5 && countries.every((r) => r.params.resultOffset === undefined && r.params.objectIds!.split(',').length <= 50));
    // Every request a POST with its parameters in the body: nothing (no token, no id list) in a URL.
    const mine = koop.log.slice(started);
    assert.ok(
      mine.every((r) => r.method === 'POST' && !r.url.includes('?')),
      mine.find((r) => r.method !== 'POST' || r.url.includes('?'))?.url,
    );

    // What GDAL makes of the file: types per layer, Z on the track, the CRS, aliases and domains.
    const ds = await gdal.openAsync(gpkg);
    try {
      const tables = copiedTables(gpkg);
      const typeOf = (name: string) => ds.layers.get(tables.get(name)!.table).geomType;
      assert.equal(typeOf('States and provinces'), gdal.wkbMultiPolygon);
      assert.equal(typeOf('Countries'), gdal.wkbMultiPolygon);
      assert.equal(typeOf('Disputed borders'), gdal.wkbMultiLineString);
      assert.equal(typeOf('Cities'), gdal.wkbPoint);
      assert.equal(typeOf('City clusters'), gdal.wkbMultiPoint);
      assert.equal(ds.layers.get(tables.get('Track points')!.table).geomType, gdal.wkbPoint25D);
      assert.equal(ds.layers.get(tables.get('Country codes')!.table).geomType, gdal.wkbNone);
      assert.equal(ds.layers.get(tables.get('States and provinces')!.table).srs?.getAuthorityCode(null), '4326');
      assert.equal(ds.layers.get(tables.get('States and provinces')!.table).fidColumn, 'OBJECTID');
      assert.equal(tables.get('States and provinces')!.serviceUrl, koop.serviceUrl('world'));
      // GDAL (and so ogrinfo and QGIS) lists the copied layers and nothing of ours.
      assert.deepEqual(ds.layers.map((l) => l.name).sort(), [...tables.values()].map((t) => t.table).sort());
    } finally {
      ds.close();
    }
    const listed = execFileSync('ogrinfo', ['-ro', '-q', gpkg], { encoding: 'utf8' });
    assert.doesNotMatch(listed, /tessera_/, 'ogrinfo lists no bookkeeping table');
    const db = new Database(gpkg, { readonly: true });
    try {
      const tables = copiedTables(gpkg);
      const alias = db.prepare('SELECT name FROM gpkg_data_columns WHERE table_name = ? AND column_name = ?');
      assert.equal((alias.get(tables.get('States and provinces')!.table, 'name') as { name: string }).name, 'Province name');
      assert.equal((alias.get(tables.get('Track points')!.table, 'RECORDED') as { name: string }).name, 'Recorded at');
      const domain = db.prepare("SELECT value, description FROM gpkg_data_column_constraints WHERE constraint_name = 'capital_flag' ORDER BY value").all();
      assert.deepEqual(domain, [
        { value: 'N', description: 'other city' },
        { value: 'Y', description: 'capital city' },
      ]);
      // Domains are kept as their codes in the data.
      const capitals = db.prepare(`SELECT DISTINCT CAPITAL FROM "${tables.get('Cities')!.table}" ORDER BY 1`).all();
      assert.deepEqual(capitals, [{ CAPITAL: 'N' }, { CAPITAL: 'Y' }]);
      // Dates keep their milliseconds; one before 1970; a null stays null.
      const dates = db.prepare(`SELECT RECORDED FROM "${tables.get('Track points')!.table}" ORDER BY OBJECTID LIMIT 6`).all() as { RECORDED: string | null }[];
      assert.equal(dates[0]!.RECORDED, '2005-06-14T09:30:00.123Z');
      assert.equal(dates[3]!.RECORDED, null);
      assert.equal(dates[5]!.RECORDED, '1969-07-20T20:17:40.250Z');
      for (const { table } of tables.values()) {
        const hasGeometry = db.prepare('SELECT 1 FROM gpkg_geometry_columns WHERE table_name = ?').get(table);
        if (hasGeometry) assert.ok(db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(`rtree_${table}_geom`), `${table} has its spatial index`);
      }
      assert.equal(
        db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'tessera_esri_progress'").get(),
        undefined,
        'the progress table is gone from the published copy',
      );
      assert.deepEqual(
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tessera%'").all(),
        [],
        'no bookkeeping table is left in the user’s GeoPackage',
      );
    } finally {
      db.close();
    }
  } finally {
    await engine.close();
  }
});

test('a MapServer layer URL without a trailing slash: that layer only, its URL built by appending, not by resolving', async () => {
  const { engine } = await openTestEngine(root, 'mapserver');
  const started = koop.log.length;
  try {
    const job = await engine.start({ kind: 'migrate-esri', params: { url: `${koop.serviceUrl('world', 'MapServer')}/2`, name: 'borders' } });
    const done = await engine.waitFor(job.id);
    const { items } = jobDetail(engine, done);
    assert.equal(done.state, 'succeeded', JSON.stringify(items.map((i) => i.error)));
    assert.deepEqual(
      items.map((i) => i.label),
      ['2 Disputed borders'],
    );
    // The reviewed server's bug: resolving "2" against …/MapServer (no slash) drops "MapServer".
    assert.ok(
      koop.log.slice(started).every((r) => /\/MapServer(\/\d+(\/query)?)?$/.test(r.url)),
      koop.log
        .slice(started)
        .map((r) => r.url)
        .join('\n'),
    );
    const first = catalogued(engine, 'borders', koop.serviceUrl('world', 'MapServer'));
    assert.deepEqual(first.source.layers, [2]);
    const [c] = compareWithSource(fixtureDir, first.path, [services.world![2]!]);
    assert.deepEqual(c!.differing, []);
    assert.equal(c!.copy.checksum, c!.source.checksum);

    // Refresh: the same name from the same service replaces the dataset and keeps its id.
    const again = await engine.waitFor(
      (await engine.start({ kind: 'migrate-esri', params: { url: `${koop.serviceUrl('world', 'MapServer')}/2`, name: 'borders' } })).id,
    );
    assert.equal(again.state, 'succeeded', JSON.stringify(jobDetail(engine, again).items.map((i) => i.error)));
    const refreshed = catalogued(engine, 'borders', koop.serviceUrl('world', 'MapServer'));
    assert.equal(refreshed.id, first.id, 'the refresh kept the dataset id');
    assert.equal(refreshed.jobId, again.id);
    assert.ok(refreshed.source.copiedAt > first.source.copiedAt, `copiedAt moved on: ${first.source.copiedAt} -> ${refreshed.source.copiedAt}`);
    assert.equal(engine.catalog.list({ limit: 100 }).rows.filter((d) => d.name === 'borders').length, 1, 'one dataset, not two');
    assert.ok(!existsSync(first.path), "the earlier copy's files are gone");
    assert.equal(compareWithSource(fixtureDir, refreshed.path, [services.world![2]!])[0]!.copy.checksum, c!.source.checksum);
  } finally {
    await engine.close();
  }
});

test('a layer without pagination is read in object-id batches of at most maxRecordCount, never by offset', async () => {
  const { engine } = await openTestEngine(root, 'nopaging');
  const started = koop.log.length;
  try {
    const job = await engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl('world'), layers: [1], name: 'countries' } });
    const done = await engine.waitFor(job.id);
    const { items } = jobDetail(engine, done);
    assert.equal(done.state, 'succeeded');
    assert.equal(items[0]!.result?.mode, 'ids');
    const queries = koop.log.slice(started).filter((r) => r.layer === 1 && r.operation === 'query');
    assert.equal(queries.length, Math.ceil(240 / 50));
    assert.ok(queries.every((r) => r.params.resultOffset === undefined && r.params.objectIds!.split(',').length <= 50));
    const [c] = compareWithSource(fixtureDir, catalogued(engine, 'countries', koop.serviceUrl('world')).path, [services.world![1]!]);
    assert.equal(c!.copy.checksum, c!.source.checksum);
    assert.deepEqual(c!.differing, []);
  } finally {
    await engine.close();
  }
});

test("permanent errors fail their item at once with the server's message: a bad where clause, a missing layer", async () => {
  const { engine } = await openTestEngine(root, 'permanent');
  try {
    const bad = await engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl('world'), layers: [2], where: 'nonsense ===', name: 'bad where' } });
    const badDone = await engine.waitFor(bad.id);
    const badItem = jobDetail(engine, badDone).items[0]!;
    assert.equal(badDone.state, 'failed');
    assert.equal(badItem.attempts, 1);
    assert.equal(badItem.error?.code, 'BAD_INPUT');
    assert.match(badItem.error?.message ?? '', /error 400: Invalid "where" parameter: nonsense ===/);
    assert.equal(jobDetail(engine, badDone).events.filter((e) => e.type === 'esri.retry').length, 0, 'nothing was retried');

    const missing = await engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl('world'), layers: [2, 42], name: 'missing layer' } });
    const missingDone = await engine.waitFor(missing.id);
    const { items } = jobDetail(engine, missingDone);
    assert.equal(missingDone.state, 'partial');
    assert.deepEqual(
      items.map((i) => [i.label, i.state]),
      [
        ['2 Disputed borders', 'succeeded'],
        ['layer 42', 'failed'],
      ],
    );
    assert.equal(items[1]!.attempts, 1);
    assert.match(items[1]!.error?.message ?? '', /Layer 42 does not exist/);
  } finally {
    await engine.close();
  }
});

test('a bad token: a clear error, nothing retried', async () => {
  const { engine } = await openTestEngine(root, 'badtoken');
  const started = koop.log.length;
  try {
    const { id } = await engine.credentials.save({ url: koop.serviceUrl(SECURE), token: 'not-a-token-this-server-issued' });
    const job = await engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl(SECURE), layers: [0], credentialId: id, name: 'secure' } });
    const done = await engine.waitFor(job.id);
    const item = jobDetail(engine, done).items[0]!;
    assert.equal(done.state, 'failed');
    assert.equal(item.error?.code, 'UNAUTHORIZED');
    assert.match(item.error?.message ?? '', /error 498: Invalid token\. \(the token was refused\)/);
    assert.equal(item.attempts, 1);
    // The plan's look at the service, then the layer's first request: each refused once, never again.
    const layerRequests = koop.log.slice(started).filter((r) => r.service === SECURE && r.layer === 0);
    assert.equal(layerRequests.length, 1, layerRequests.map((r) => r.path).join('\n'));
  } finally {
    await engine.close();
  }
});

test('credentials by id only: a username and password make tokens; no secret in params, events, items, logs, reports or URLs', async () => {
  const { engine, logs } = await openTestEngine(root, 'secrets');
  const started = koop.log.length;
  const tokensBefore = new Set(koop.tokens);
  try {
    const password = await engine.credentials.save({ url: koop.serviceUrl(SECURE), ...FIXTURE_USER });
    const token = await engine.credentials.save({ url: koop.serviceUrl(SECURE), token: koop.staticToken });
    const jobs: JobSummary[] = [];
    for (const [name, id] of [
      ['by password', password.id],
      ['by token', token.id],
    ] as const) {
      const job = await engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl(SECURE), credentialId: id, name } });
      const done = await engine.waitFor(job.id);
      assert.equal(done.state, 'succeeded', JSON.stringify(jobDetail(engine, done).items.map((i) => i.error)));
      jobs.push(done);
    }
    const issued = [...koop.tokens].filter((t) => !tokensBefore.has(t));
    assert.ok(issued.length >= 1, 'generateToken made a token for the password credential');
    const secrets = [FIXTURE_USER.password, koop.staticToken, ...issued];

    const haystacks: [string, string][] = [['logs', JSON.stringify(logs)]];
    for (const job of jobs) {
      haystacks.push([`job ${job.id}`, JSON.stringify(engine.store.getJob(job.id))]);
      haystacks.push([`items ${job.id}`, JSON.stringify(jobDetail(engine, job).items)]);
      haystacks.push([`events ${job.id}`, JSON.stringify(jobDetail(engine, job).events)]);
      for (const format of ['json', 'csv', 'html'] as const)
        haystacks.push([`${format} report ${job.id}`, (await buildReport(engine.store, job.id, format)).content]);
    }
    // And the store itself, every table.
    const db = new Database(join(engine.dataDir, 'jobs.sqlite'), { readonly: true });
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      haystacks.push([`table ${name}`, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())]);
    db.close();
    // The credentials file holds them sealed, never in clear.
    haystacks.push(['credentials.json', readFileSync(join(engine.dataDir, 'credentials.json'), 'utf8')]);
    for (const secret of secrets) for (const [where, text] of haystacks) assert.ok(!text.includes(secret), `a secret leaked into ${where}`);

    const mine = koop.log.slice(started).filter((r) => r.service === SECURE);
    assert.ok(mine.length > 0 && mine.every((r) => r.hadToken), 'every request to the secured service carried a token');
    assert.ok(
      koop.log.slice(started).every((r) => !secrets.some((s) => r.url.includes(s))),
      'no secret in any URL',
    );
    assert.ok(
      koop.log.slice(started).some((r) => r.operation === 'token' && r.method === 'POST' && !r.url.includes('?')),
      'the password went in a POST body',
    );
  } finally {
    await engine.close();
  }
});

test('a credential is never sent to another server, and a URL with a token in it is refused', async () => {
  const { engine } = await openTestEngine(root, 'scope');
  try {
    const { id } = await engine.credentials.save({ url: 'https://gis.example.org/arcgis/rest/services/Secure/FeatureServer', token: 'abcdefgh' });
    await assert.rejects(
      engine.start({ kind: 'migrate-esri', params: { url: koop.serviceUrl(SECURE), credentialId: id, name: 'elsewhere' } }),
      (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /saved for another server|is for gis\.example\.org/.test(e.message),
    );
    await assert.rejects(
      engine.start({ kind: 'migrate-esri', params: { url: `${koop.serviceUrl(SECURE)}?token=${koop.staticToken}`, name: 'token in url' } }),
      (e: Error & { code?: string }) => e.code === 'BAD_INPUT' && /carries a "token" parameter/.test(e.message),
    );
    assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 0, 'neither job was stored');
  } finally {
    await engine.close();
  }
});
