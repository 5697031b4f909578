/**
 * Data roots: the policy on a real file system (symlinks included), then through a real engine and
 * dispatcher as the headless host calls it, with a local HTTP listener that must never be reached.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type JobEstimate, JobStartInput, type Reply } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { createDispatcher } from '../engine/handlers.js';
import { httpStatusForError } from '../hosts/http-security.js';
import { writeZip } from '../ingest/testing/zip-writer.js';
import { blueMarbleTif, hillshadeMbtiles } from '../testing/real-data.js';
import { Engine } from '../engine/engine.js';
import { createLogger } from '../logging/logger.js';
import { assertPathsAllowed, jobPaths, pathPolicy } from './path-policy.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-roots-'));
const dataDir = join(root, 'data');
const maps = join(root, 'maps');
const elsewhere = join(root, 'elsewhere');
for (const d of [dataDir, maps, elsewhere]) mkdirSync(d, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

const refusal = (field: RegExp, message: RegExp) => (error: unknown) =>
  error instanceof TesseraError &&
  error.code === 'BAD_INPUT' &&
  (error.details as { issues: { field: string }[] }).issues.some((i) => field.test(i.field)) &&
  message.test(error.message);

test('not enforced on loopback without roots; enforced when exposed or when roots are listed', () => {
  assert.equal(pathPolicy({ dataRoots: [], allowGdalVirtualPaths: false }, dataDir, false).enforced, false);
  assert.equal(pathPolicy({}, dataDir, true).enforced, true);
  const listed = pathPolicy({ dataRoots: [maps, dataDir] }, dataDir, false);
  assert.equal(listed.enforced, true);
  assert.deepEqual(listed.roots, [dataDir, maps], 'the data directory is always the first root, never twice');
});

test('paths inside a root pass, also when they do not exist yet; outside, each field is named with the roots', async () => {
  const policy = pathPolicy({ dataRoots: [maps] }, dataDir, false);
  await assertPathsAllowed(
    [
      { field: 'params.output', path: join(maps, 'new', 'deeper', 'a.mbtiles') },
      { field: 'params.cache', path: join(dataDir, 'x.mbtiles') },
    ],
    policy,
  );
  await assert.rejects(
    assertPathsAllowed(
      [
        { field: 'params.datasets.0', path: join(maps, 'ok.tif') },
        { field: 'params.output', path: '/x/y/a.mbtiles' },
      ],
      policy,
    ),
    (error: unknown) => {
      assert.ok(error instanceof TesseraError && error.code === 'BAD_INPUT');
      assert.equal(error.message, `params.output: /x/y/a.mbtiles is outside the data roots (${dataDir}, ${maps}); add its folder to Settings › Data roots`);
      assert.deepEqual(
        (error.details as { issues: { field: string }[] }).issues.map((i) => i.field),
        ['params.output'],
      );
      return true;
    },
  );
  await assert.rejects(
    assertPathsAllowed([{ field: 'params.output', path: join(maps, '..', 'elsewhere', 'a.mbtiles') }], policy),
    refusal(/^params\.output$/, /outside the data roots/),
  );
});

test('a symlink inside a root that points outside does not escape, even to a file not yet made', async () => {
  const policy = pathPolicy({ dataRoots: [maps] }, dataDir, false);
  symlinkSync(elsewhere, join(maps, 'link'));
  await assert.rejects(
    assertPathsAllowed([{ field: 'params.output', path: join(maps, 'link', 'new', 'a.mbtiles') }], policy),
    refusal(/^params\.output$/, /link\/new\/a\.mbtiles is outside/),
  );
  await assert.rejects(assertPathsAllowed([{ field: 'params.cache', path: join(maps, 'link') }], policy), refusal(/^params\.cache$/, /outside/));
});

test('GDAL virtual paths and connections are refused unless Settings allow them', async () => {
  const uses = [
    { field: 'params.datasets.0', path: '/vsicurl/http://127.0.0.1:1/x.tif' },
    { field: 'params.sources.0', path: 'PG:dbname=x' },
  ];
  await assert.rejects(
    assertPathsAllowed(uses, pathPolicy({}, dataDir, true)),
    (e: unknown) => refusal(/^params\.datasets\.0$/, /GDAL virtual path/)(e) && refusal(/^params\.sources\.0$/, /GDAL virtual path/)(e),
  );
  await assertPathsAllowed(uses, pathPolicy({ allowGdalVirtualPaths: true }, dataDir, true));
});

test('every kind declares its path params', () => {
  // Parsed as jobs.start parses them, so the params are what the engine stores (defaults applied).
  const fields = (input: JobStartInput) => jobPaths(JobStartInput.parse(input)).map((u) => `${u.access} ${u.field}`);
  const zooms = { minZoom: 0, maxZoom: 3 };
  assert.deepEqual(fields({ kind: 'verify', params: { cache: '/a' } }), ['read params.cache']);
  assert.deepEqual(fields({ kind: 'preseed-raster', params: { datasets: ['/a', '/b'], coverage: '/c', output: '/o.mbtiles', ...zooms } }), [
    'read params.datasets.0',
    'read params.datasets.1',
    'read params.coverage',
    'write params.output',
  ]);
  assert.deepEqual(fields({ kind: 'preseed-vector', params: { sources: ['/a'], output: '/o', ...zooms } }), ['read params.sources.0', 'write params.output']);
  assert.deepEqual(fields({ kind: 'ingest', params: { files: ['/a', '/b'] } }), ['read params.files.0', 'read params.files.1']);
  assert.deepEqual(fields({ kind: 'migrate-esri', params: { url: 'https://x/FeatureServer', name: 'n' } }), []);
});

test('an exposed engine refuses, as 400s naming the field, what lies outside its roots; it fetches nothing and makes no folder', {
  timeout: 120_000,
}, async () => {
  const hits: string[] = [];
  const listener = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const cache = hillshadeMbtiles(elsewhere);
  const engine = await Engine.open({ dataDir, host: 'headless', exposed: true, threads: 1, logger: createLogger('warn') });
  const dispatch = createDispatcher(engine.handlers);
  try {
    const call = async (name: string, input: unknown) => {
      const reply = await dispatch(name, input);
      assert.equal(reply.ok, false, `${name} was refused`);
      if (reply.ok) return null as never;
      assert.equal(httpStatusForError(reply.error.code), 400, JSON.stringify(reply.error));
      return reply.error;
    };
    const curl = await call('jobs.start', {
      kind: 'preseed-raster',
      params: { datasets: [`/vsicurl/http://127.0.0.1:${port}/world.tif`], minZoom: 0, maxZoom: 1, output: join(dataDir, 'a.mbtiles') },
    });
    assert.match(curl.message, /params\.datasets\.0: \/vsicurl\/.* is a GDAL virtual path/);
    const out = await call('jobs.start', {
      kind: 'preseed-raster',
      params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 1, output: '/nonexistent/dir/a.mbtiles' },
    });
    assert.match(out.message, /params\.output: \/nonexistent\/dir\/a\.mbtiles is outside the data roots \(.*\); add its folder to Settings › Data roots/);
    const estimate = await call('jobs.estimate', {
      kind: 'preseed-vector',
      params: { sources: [join(elsewhere, 'x.gpkg')], minZoom: 0, maxZoom: 1, output: join(dataDir, 'v.mbtiles') },
    });
    assert.match(estimate.message, /params\.sources\.0: .* is outside the data roots/);
    const verify = await call('jobs.start', { kind: 'verify', params: { cache } });
    assert.match(verify.message, /params\.cache: .* is outside the data roots/);
    const ingest = await call('jobs.start', { kind: 'ingest', params: { files: ['/etc/passwd'] } });
    assert.match(ingest.message, /params\.files\.0: \/etc\/passwd is outside the data roots/);
    const open = await call('caches.open', { path: cache });
    assert.match(open.message, /^path: .* is outside the data roots/);
    assert.deepEqual(hits, [], 'no HTTP request left the engine');
    assert.equal(existsSync('/nonexistent'), false);
    assert.equal(engine.store.listJobs(undefined, undefined, 10).rows.length, 0, 'no job was created');

    // Once its folder is a root, the same cache opens.
    const settings = await dispatch('settings.update', { dataRoots: [elsewhere] });
    assert.ok(settings.ok);
    const opened = await dispatch('caches.open', { path: cache });
    assert.ok(opened.ok, JSON.stringify(opened));
    const relative = await dispatch('settings.update', { dataRoots: ['maps'] });
    assert.ok(!relative.ok && relative.error.code === 'BAD_INPUT' && /dataRoots\.0: must be an absolute folder path/.test(relative.error.message));
  } finally {
    await engine.close();
    listener.close();
  }
});

test('with roots listed, the exact /vsizip// form is estimated once Settings allow virtual paths; the archive itself, in a root, always', {
  timeout: 120_000,
}, async () => {
  const zipDir = join(root, 'zipped');
  mkdirSync(zipDir, { recursive: true });
  const tif = join(zipDir, 'small.tif');
  execFileSync('gdal_translate', ['-q', '-outsize', '90', '45', blueMarbleTif(), tif]);
  const zip = join(zipDir, 'small.tif.zip');
  writeZip(zip, [{ name: 'small.tif', data: readFileSync(tif) }]);
  const engine = await Engine.open({ dataDir: join(root, 'zip-data'), host: 'headless', threads: 1, logger: createLogger('warn') });
  const dispatch = createDispatcher(engine.handlers);
  const dispatchAs = dispatch as <R>(name: string, input: unknown) => Promise<Reply<R>>;
  const estimate = (dataset: string) =>
    dispatchAs<JobEstimate>('jobs.estimate', {
      kind: 'preseed-raster',
      params: { datasets: [dataset], minZoom: 0, maxZoom: 1, output: join(zipDir, 'out.mbtiles') },
    });
  try {
    assert.ok((await dispatch('settings.update', { dataRoots: [zipDir] })).ok);
    const exact = `/vsizip/${zip}/small.tif`;
    assert.match(exact, /^\/vsizip\/\/.*zipped\/small\.tif\.zip\/small\.tif$/);
    const refused = await estimate(exact);
    assert.ok(!refused.ok && refused.error.code === 'BAD_INPUT' && /params\.datasets\.0: \/vsizip\/\/.* is a GDAL virtual path/.test(refused.error.message));
    const archive = await estimate(zip);
    assert.ok(archive.ok && archive.result.totalTiles === 5, JSON.stringify(archive));
    assert.ok((await dispatch('settings.update', { allowGdalVirtualPaths: true })).ok);
    const allowed = await estimate(exact);
    assert.ok(allowed.ok && allowed.result.totalTiles === 5 && allowed.result.datasets[0]!.path === exact, JSON.stringify(allowed));
  } finally {
    await engine.close();
  }
});
