/**
 * Publishing to a STAC API with the Transactions extension, end to end (issue 17): one real engine
 * (two raster preseeds of SRTM, one ingested Shapefile) publishes through the fault-injecting proxy
 * to a second real Tessera's headless host, which stores what it receives and serves it through
 * its own GET /stac and /stac/search. Exact item counts on the receiver; changes during a publish
 * make exactly one more; a second publish changes nothing; a deleted dataset is deleted there; a
 * dead receiver opens the breaker and the stac-publish health check says so, the rest of the
 * engine unharmed, and the publish recovers by itself once the receiver is back. The one-shot CLI (`tessera stac publish URL --token-env VAR`) last.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test } from 'node:test';
import { Engine } from '../engine/engine.js';
import { hostedEngine } from '../engine/hosted-engine.js';
import { startFaultProxy } from '../esri/testing/fault-proxy.js';
import { createLogger } from '../logging/logger.js';
import { rgdalVector, srtmDem } from '../testing/real-data.js';
import { runTessera } from '../testing/run-tessera.js';
import { startHeadless } from './start-headless.js';

const SERVE_BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tessera-stac-publish-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Page = { features: { id: string; collection: string }[]; numberMatched: number };

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('publish to a second Tessera through faults: exact counts, one more publish after changes, idempotent, deletes, breaker', {
  timeout: 300_000,
}, async () => {
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const receiver = await Engine.open({ dataDir: join(root, 'receiver'), host: 'headless', logger: createLogger('silent') });
  const host = await startHeadless(hostedEngine(receiver), { port: 0, rendererDir, logger: createLogger('silent') });
  // Faults on a quarter of the requests, the same ones every run (seeded by the request and its occurrence).
  const proxy = await startFaultProxy({
    target: host.origin,
    seed: 17,
    rate: 0.25,
    faults: ['http-503', 'http-429', 'reset', 'truncated'],
    retryAfterSeconds: 0,
    upstreamHost: 'target',
  });
  const auth = { Authorization: `Bearer ${host.token}` };
  const get = async (path: string) => (await (await fetch(`${host.origin}${path}`, { headers: auth })).json()) as Record<string, unknown>;
  const received = async (collection: string) => ((await get(`/stac/search?collections=${collection}&limit=100`)) as unknown as Page).features;

  const publisher = await Engine.open({
    dataDir: join(root, 'publisher'),
    host: 'headless',
    logger: createLogger('silent'),
    stacPublish: { url: `${proxy.origin}/stac`, token: host.token },
    stacPublishTuning: {
      prefix: 'a-',
      intervalMs: 3600_000,
      retry: { maxAttempts: 8, backoff: { initialDelayMs: 5, maxDelayMs: 40 }, timeoutMs: 5_000 },
      breaker: { threshold: 4, openMs: 1_500, maxOpenMs: 1_500 },
    },
  });
  const health = async () => (await publisher.handlers['app.health']({})).find((c) => c.name === 'stac-publish');
  try {
    for (const [name, bbox] of [
      ['west', [11, 57, 11.5, 58]],
      ['east', [11.5, 57, 12, 58]],
    ] as const) {
      const job = await publisher.start({
        kind: 'preseed-raster',
        params: { datasets: [srtmDem()], minZoom: 6, maxZoom: 7, bbox: [...bbox], output: join(root, `${name}.mbtiles`) },
      });
      assert.equal((await publisher.waitFor(job.id)).state, 'succeeded');
    }
    const ingest = await publisher.start({
      kind: 'ingest',
      params: { files: [rgdalVector('cities.shp'), rgdalVector('cities.shx'), rgdalVector('cities.dbf')] },
    });
    assert.equal((await publisher.waitFor(ingest.id)).state, 'succeeded');
    // The dataset's analysis (counts, preview) announces a catalogue change when done: let it come before the counting below.
    await publisher.catalog.analysesDone();
    const own = await publisher.handlers['stac.search']({ limit: 100 });
    const ownIn = (c: string) =>
      own.items
        .filter((i) => i.collection === c)
        .map((i) => i.id)
        .sort();
    assert.equal(ownIn('tile-caches').length, 2);
    assert.equal(ownIn('vector-datasets').length, 1);

    // Each finished job asked for a publish: the receiver ends up with exactly the publisher's items.
    await until(
      'the receiver to hold every item',
      async () => (await received('a-tile-caches')).length === 2 && (await received('a-vector-datasets')).length === 1,
    );
    await until('the publish to settle', async () => (await health())?.state === 'ok' && proxy.log.at(-1)!.at < Date.now() - 1000);
    const injected = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
    assert.ok(injected >= 3, `faults were injected and survived: ${JSON.stringify(proxy.injected)}`);
    assert.deepEqual((await received('a-tile-caches')).map((f) => f.id).sort(), ownIn('tile-caches'));
    assert.deepEqual((await received('a-vector-datasets')).map((f) => f.id).sort(), ownIn('vector-datasets'));
    assert.equal((await received('a-raster-datasets')).length, 0);
    // Everything the receiver serves is what it received: it holds nothing itself.
    assert.equal(((await get('/stac/search?limit=100')) as unknown as Page).numberMatched, 3);
    const item = await get(`/stac/collections/a-tile-caches/items/${ownIn('tile-caches')[0]}`);
    assert.equal(item.collection, 'a-tile-caches');
    assert.ok((item.links as { rel: string; href: string }[]).some((l) => l.rel === 'self' && l.href.startsWith(host.origin)));
    assert.ok(((await get('/stac/conformance')).conformsTo as string[]).some((c) => c.includes('extensions/transaction')));
    assert.equal(String((await health())?.message).includes(new URL(proxy.origin).host), true);

    // Changes during a publish: five of them while one runs (each request held 100 ms) make exactly one more.
    proxy.setRate(0);
    proxy.setLatency(100);
    const publishes = () => proxy.log.filter((r) => r.method === 'GET' && r.path === '/stac/collections/a-tile-caches/items').length;
    const mark = proxy.log.length;
    const before = publishes();
    publisher.events.emit('catalog.changed', { ids: [] });
    await until('a publish to start', () => proxy.log.length > mark);
    for (let i = 0; i < 5; i++) {
      publisher.events.emit('catalog.changed', { ids: [] });
      await sleep(30);
    }
    await until('two publishes', () => publishes() === before + 2);
    await sleep(2500);
    assert.equal(publishes(), before + 2, 'exactly one more publish after the changes, never one per change');
    // Both found every item the same there: not one item written, nothing duplicated.
    const writes = proxy.log.slice(mark).filter((r) => r.method !== 'GET' && r.path.includes('/items'));
    assert.deepEqual(writes, []);
    assert.equal(((await get('/stac/search?limit=100')) as unknown as Page).numberMatched, 3);

    // A dataset deleted here is deleted there.
    proxy.setLatency(0);
    const dataset = own.items.find((i) => i.collection === 'vector-datasets')!;
    await publisher.handlers['catalog.delete']({ ids: [Number(dataset.id.replace('dataset-', ''))] });
    await until('the dataset to be deleted there', async () => (await received('a-vector-datasets')).length === 0);
    assert.ok(proxy.log.some((r) => r.method === 'DELETE' && r.path === `/stac/collections/a-vector-datasets/items/${dataset.id}`));
    assert.equal((await received('a-tile-caches')).length, 2);
    // So is a cache deleted from the Caches screen (a request, not a job: the publish follows it too).
    await publisher.handlers['caches.delete']({ path: join(root, 'east.mbtiles') });
    await until('the cache to be deleted there', async () => (await received('a-tile-caches')).length === 1);

    // A dead receiver: the breaker opens, the check says so; the engine and its other checks go on.
    await until('the delete publish to settle', async () => (await health())?.state === 'ok' && proxy.log.at(-1)!.at < Date.now() - 500);
    await proxy.down();
    publisher.events.emit('catalog.changed', { ids: [] });
    await until('the breaker to open', async () => (await health())?.state === 'failed');
    assert.match(String((await health())?.message), /not answering; circuit open/);
    const checks = await publisher.handlers['app.health']({});
    assert.equal(checks.find((c) => c.name === 'store')?.state, 'ok');
    assert.ok((await publisher.handlers['jobs.list']({ limit: 10 })).rows.length >= 3);

    // The receiver back: the publish is tried again by itself when the breaker lets a probe through
    // (no change needed), and the check is ok again.
    await proxy.up();
    await until('the publish to recover by itself', async () => (await health())?.state === 'ok', 30_000);
    assert.equal((await received('a-tile-caches')).length, 1);
  } finally {
    await publisher.close();
    await proxy.close();
  }

  // The one-shot CLI on the publisher's data directory, straight to the receiver.
  process.env.TESSERA_TEST_STAC_TOKEN = host.token;
  try {
    const first = await runTessera(join(root, 'publisher'), 'stac', 'publish', `${host.origin}/stac`, '--token-env', 'TESSERA_TEST_STAC_TOKEN', '--json');
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout) as { created: number; updated: number; unchanged: number; deleted: number; collections: number };
    assert.equal(result.collections, 3);
    assert.equal(result.created + result.unchanged, 1, first.stdout);
    const again = await runTessera(join(root, 'publisher'), 'stac', 'publish', `${host.origin}/stac`, '--token-env', 'TESSERA_TEST_STAC_TOKEN', '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((({ created, updated, unchanged, deleted }) => ({ created, updated, unchanged, deleted }))(JSON.parse(again.stdout) as typeof result), {
      created: 0,
      updated: 0,
      unchanged: 1,
      deleted: 0,
    });
    const noToken = await runTessera(join(root, 'publisher'), 'stac', 'publish', `${host.origin}/stac`);
    assert.equal(noToken.code, 1, 'the receiver refuses a publish without its token: the publish failed');
    assert.match(noToken.stderr, /401/);
    const unset = await runTessera(join(root, 'publisher'), 'stac', 'publish', `${host.origin}/stac`, '--token-env', 'TESSERA_NO_SUCH_VARIABLE');
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /TESSERA_NO_SUCH_VARIABLE/);
    const badUrl = await runTessera(join(root, 'publisher'), 'stac', 'publish', 'ftp://example.org/stac');
    assert.equal(badUrl.code, 2);
    assert.equal(badUrl.stderr.trim().split('\n').length <= 2, true, badUrl.stderr);
    // serve refuses a bad --stac-publish before it opens anything (were it taken, serve would run on: the test's timeout says so).
    const badServe = await runTessera(join(root, 'publisher'), 'serve', '--port', '0', '--stac-publish', 'https://user:pw@example.org/stac');
    assert.equal(badServe.code, 2);
    assert.match(badServe.stderr, /--stac-publish: no credentials in the URL/);
    const lonely = await runTessera(join(root, 'publisher'), 'serve', '--port', '0', '--token-env', 'TESSERA_TEST_STAC_TOKEN');
    assert.equal(lonely.code, 2);
    assert.match(lonely.stderr, /--token-env goes with --stac-publish/);

    // tessera serve --stac-publish: the engine process publishes (its token from the same variable) and its check says so.
    const serve = spawn(
      process.execPath,
      [
        SERVE_BIN,
        'serve',
        '--port',
        '0',
        '--json',
        '--data-dir',
        join(root, 'publisher'),
        '--stac-publish',
        `${host.origin}/stac`,
        '--token-env',
        'TESSERA_TEST_STAC_TOKEN',
      ],
      { env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const [line] = (await once(createInterface({ input: serve.stdout! }), 'line')) as [string];
      const served = new URL((JSON.parse(line) as { url: string }).url);
      const bearer = { Authorization: `Bearer ${served.searchParams.get('token')}`, 'Content-Type': 'application/json' };
      const check = async () => {
        const reply = (await (await fetch(`${served.origin}/api/app.health`, { method: 'POST', headers: bearer, body: '{}' })).json()) as {
          result: { name: string; state: string; message: string }[];
        };
        return reply.result.find((c) => c.name === 'stac-publish');
      };
      await until('serve to publish', async () => (await check())?.state === 'ok');
      assert.match(String((await check())?.message), new RegExp(`published to ${new URL(host.origin).host}: 1 item`));
    } finally {
      serve.kill('SIGTERM');
      await once(serve, 'exit');
    }
  } finally {
    delete process.env.TESSERA_TEST_STAC_TOKEN;
    await host.close();
    await receiver.close();
  }
});

test('the Transactions routes: created, 409 on a second POST, 404 on a PUT of nothing, fields named, own collections read-only, token and origin checked', async () => {
  const rendererDir = join(root, 'renderer-tx');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  const engine = await Engine.open({ dataDir: join(root, 'tx'), host: 'headless', logger: createLogger('silent') });
  const host = await startHeadless(hostedEngine(engine), { port: 0, rendererDir, logger: createLogger('silent') });
  try {
    const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = { Authorization: `Bearer ${host.token}` }) => {
      const response = await fetch(`${host.origin}${path}`, {
        method,
        headers: { ...headers, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const collection = {
      type: 'Collection',
      stac_version: '1.0.0',
      id: 'team',
      description: 'a team collection',
      license: 'CC-BY-4.0',
      extent: { spatial: { bbox: [[5, 45, 10, 48]] }, temporal: { interval: [['2026-01-01T00:00:00Z', null]] } },
      links: [],
    };
    const item = {
      type: 'Feature',
      stac_version: '1.0.0',
      id: 'one',
      bbox: [6, 46, 7, 47],
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [6, 46],
            [7, 46],
            [7, 47],
            [6, 47],
            [6, 46],
          ],
        ],
      },
      properties: { datetime: '2026-05-01T00:00:00Z' },
      links: [],
      assets: { data: { href: 'https://example.org/one.tif' } },
    };
    assert.equal((await send('POST', '/stac/collections', collection)).status, 201);
    assert.equal((await send('POST', '/stac/collections', collection)).status, 409);
    assert.equal((await send('PUT', '/stac/collections/team', { ...collection, description: 'changed' })).status, 200);
    assert.equal((await send('PUT', '/stac/collections/other', { ...collection, id: 'other' })).status, 404);
    assert.equal((await send('POST', '/stac/collections/team/items', item)).status, 201);
    assert.equal((await send('POST', '/stac/collections/team/items', item)).status, 409);
    const bad = await send('POST', '/stac/collections/team/items', { ...item, id: 'two', properties: {} });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /body\.properties\.datetime/);
    assert.equal((await send('PUT', '/stac/collections/team/items/one', { ...item, id: 'elsewhere' })).status, 400);
    assert.equal((await send('POST', '/stac/collections/tile-caches/items', item)).status, 403, "this Tessera's own collections are read-only");
    assert.equal((await send('POST', '/stac/collections', { ...collection, id: 'tile-caches' })).status, 409);

    // Readable through the same API as everything else, the received item found by bbox.
    const found = (await (
      await fetch(`${host.origin}/stac/search?bbox=6.5,46.5,6.6,46.6`, { headers: { Authorization: `Bearer ${host.token}` } })
    ).json()) as Page;
    assert.deepEqual(
      found.features.map((f) => `${f.collection}/${f.id}`),
      ['team/one'],
    );

    // The same gate as every mutating request: no token, or a cookie from another origin, is refused.
    assert.equal((await send('DELETE', '/stac/collections/team/items/one', undefined, {})).status, 401);
    const crossSite = await send('DELETE', '/stac/collections/team/items/one', undefined, {
      Cookie: `tessera_session=${host.token}`,
      Origin: 'https://evil.example',
    });
    assert.equal(crossSite.status, 403);
    assert.equal((await send('DELETE', '/stac/collections/team/items/one')).status, 200);
    assert.equal((await send('DELETE', '/stac/collections/team/items/one')).status, 404);
    assert.equal((await send('DELETE', '/stac/collections/team')).status, 200);
    assert.equal((await send('PATCH', '/stac/collections/team', {})).status, 405);

    // The publish target as a setting: off (no check at all), then this host itself with its token
    // (kept when saved again without one), then off again (the check says so).
    const check = async () => (await engine.handlers['app.health']({})).find((c) => c.name === 'stac-publish');
    assert.equal(await check(), undefined, 'switched off from the start: no check');
    assert.equal(await engine.handlers['stac.publishTarget']({}), null);
    const url = `${host.origin}/stac`;
    assert.deepEqual(await engine.handlers['stac.setPublishTarget']({ url, token: host.token }), { url, hasToken: true });
    assert.deepEqual(await engine.handlers['stac.setPublishTarget']({ url }), { url, hasToken: true });
    await until('a publish to itself', async () => (await check())?.state === 'ok');
    assert.equal(
      ((await (await fetch(`${host.origin}/stac/collections`, { headers: { Authorization: `Bearer ${host.token}` } })).json()) as { collections: unknown[] })
        .collections.length,
      6,
    );
    assert.equal(await engine.handlers['stac.setPublishTarget']({ url: null }), null);
    await until('the check to say off', async () => (await check())?.state === 'disabled');
  } finally {
    await host.close();
    await engine.close();
  }
});
