/**
 * The upload route inside the real headless host: the same gate as everything else in front of it,
 * bodies streamed to the staging area, quotas and the floor checked before the first byte and while
 * streaming, chunks in order, and what it hands back resolves for an ingest job.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REQUEST_NAMES, type Settings, type UploadStatus } from '../../shared/contract.js';
import { EventBus } from '../engine/event-bus.js';
import { resolveUpload, uploadsRoot } from '../ingest/uploads.js';
import { makeTempDir } from '../tile-cache/testing/gdal-fixtures.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { type HeadlessHost, startHeadlessHost } from './headless-host.js';
import { createUploadRoute } from './upload-route.js';

let dir: string;
let cleanup: () => Promise<void>;
let host: HeadlessHost;
let dataDir: string;
const settings: Settings = {
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: false,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 0,
  ingestJobQuotaBytes: null,
};

before(async () => {
  ({ dir, cleanup } = await makeTempDir('upload-route'));
  dataDir = join(dir, 'data');
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  const handlers = Object.fromEntries(REQUEST_NAMES.map((n) => [n, () => null])) as unknown as ContractHandlers;
  host = await startHeadlessHost({
    dispatch: createDispatcher(handlers),
    events: new EventBus(),
    rendererDir,
    port: 0,
    logger: { info() {}, warn() {}, debug() {} },
    uploadHandler: createUploadRoute({ dataDir, settings: () => settings }),
  });
});

after(async () => {
  await host?.close();
  await cleanup();
});

function upload(path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${host.origin}${path}`, {
    method: 'POST',
    body,
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream', ...headers },
  });
}

async function ok(response: Response): Promise<UploadStatus> {
  const body = (await response.json()) as { ok: boolean; result: UploadStatus; error?: unknown };
  assert.equal(response.status, 200, JSON.stringify(body.error));
  return body.result;
}

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

test('a file in one request is streamed to the staging area and resolves as upload:<id>', async () => {
  const status = await ok(await upload('/uploads?name=cities.geojson&size=5000', bytes(5000)));
  assert.equal(status.complete, true);
  assert.equal(status.received, 5000);
  assert.match(status.file, /^upload:[0-9a-f]{32}$/);
  const resolved = resolveUpload(status.file, dataDir);
  assert.equal(resolved.name, 'cities.geojson');
  assert.deepEqual(readFileSync(resolved.file), Buffer.from(bytes(5000)));
});

test('a file in chunks: each must follow on; a complete upload takes no more', async () => {
  const first = await ok(await upload('/uploads?name=dem.tif&size=3000', bytes(1000, 1)));
  assert.equal(first.complete, false);
  assert.throws(() => resolveUpload(first.file, dataDir), { code: 'BAD_INPUT' }, 'not usable before its last byte');
  const skipped = await upload(`/uploads/${first.id}?offset=2000`, bytes(1000, 3));
  assert.equal(skipped.status, 409);
  const second = await ok(await upload(`/uploads/${first.id}?offset=1000`, bytes(1000, 2)));
  const third = await ok(await upload(`/uploads/${second.id}?offset=2000`, bytes(1000, 3)));
  assert.equal(third.complete, true);
  const data = readFileSync(resolveUpload(third.file, dataDir).file);
  assert.deepEqual([data[0], data[1500], data[2999]], [1, 2, 3]);
  assert.equal((await upload(`/uploads/${first.id}?offset=3000`, bytes(1))).status, 409);
});

test('the gate in front: no token is 401, another origin is 403, a GET is 405', async () => {
  const anonymous = await fetch(`${host.origin}/uploads?name=a.tif&size=1`, {
    method: 'POST',
    body: bytes(1),
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(anonymous.status, 401);
  const foreign = await upload('/uploads?name=a.tif&size=1', bytes(1), { Origin: 'http://evil.example' });
  assert.equal(foreign.status, 403);
  const crossSite = await upload('/uploads?name=a.tif&size=1', bytes(1), { 'Sec-Fetch-Site': 'cross-site' });
  assert.equal(crossSite.status, 403);
  const get = await fetch(`${host.origin}/uploads`, { headers: { Authorization: `Bearer ${host.token}` } });
  assert.equal(get.status, 405);
  const form = await upload('/uploads?name=a.tif&size=1', bytes(1), { 'Content-Type': 'text/plain' });
  assert.equal(form.status, 415);
});

test('names with paths, hidden names and empty files are refused', async () => {
  for (const name of ['../../etc/passwd', 'a/b.tif', '.env', 'upload.json', '']) {
    const response = await upload(`/uploads?name=${encodeURIComponent(name)}&size=1`, bytes(1));
    assert.equal(response.status, 400, name);
  }
  assert.equal((await upload('/uploads?name=a.tif&size=0', new Uint8Array(0))).status, 400);
});

test('an upload larger than the per-upload quota is refused before any byte is written', async () => {
  settings.ingestJobQuotaBytes = 4000;
  try {
    const before = existsSync(uploadsRoot(dataDir)) ? readdirSync(uploadsRoot(dataDir)).length : 0;
    const response = await upload('/uploads?name=big.tif&size=5000', bytes(1000));
    assert.equal(response.status, 507);
    const body = (await response.json()) as { ok: false; error: { code: string; message: string } };
    assert.equal(body.error.code, 'QUOTA_EXCEEDED');
    assert.match(body.error.message, /big\.tif \(4\.9 KiB\) does not fit the job's quota: 0 B of 3\.9 KiB is used/);
    assert.equal(readdirSync(uploadsRoot(dataDir)).length, before, 'nothing was created');
  } finally {
    settings.ingestJobQuotaBytes = null;
  }
});

test('the data directory quota and the floor are checked; a refused chunk removes the whole upload', async () => {
  const first = await ok(await upload('/uploads?name=grow.tif&size=200000', bytes(100_000)));
  settings.freeSpaceFloorBytes = Number.MAX_SAFE_INTEGER;
  try {
    const response = await upload(`/uploads/${first.id}?offset=100000`, bytes(100_000));
    assert.equal(response.status, 507);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'DISK_FULL');
  } finally {
    settings.freeSpaceFloorBytes = 0;
  }
  assert.equal(existsSync(join(uploadsRoot(dataDir), first.id)), false, 'nothing partial stays behind');

  settings.cacheQuotaBytes = 1000;
  try {
    const response = await upload('/uploads?name=q.tif&size=5000', bytes(5000));
    assert.equal(response.status, 507);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /data directory's quota/);
  } finally {
    settings.cacheQuotaBytes = null;
  }
});

test('a body longer than it says is cut off and refused', async () => {
  const response = await upload('/uploads?name=liar.tif&size=10', bytes(20));
  assert.equal(response.status, 400);
});

test('a name of 200 "é" (400 bytes in UTF-8) is refused as BAD_INPUT naming the field, without a path; 250 bytes pass', async () => {
  const long = 'é'.repeat(200);
  const response = await upload(`/uploads?name=${encodeURIComponent(long)}&size=10`, bytes(10));
  const body = (await response.json()) as { ok: boolean; error: { code: string; message: string; details?: { issues?: { field: string }[] } } };
  assert.equal(response.status, 400, JSON.stringify(body));
  assert.equal(body.error.code, 'BAD_INPUT');
  assert.deepEqual(
    body.error.details?.issues?.map((i) => i.field),
    ['name'],
  );
  assert.doesNotMatch(JSON.stringify(body), new RegExp(dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.doesNotMatch(body.error.message, /\/staging|ENAMETOOLONG/);
  // The longest name allowed (250 bytes: 125 "é") is stored and resolves.
  const longest = `${'é'.repeat(123)}.tif`;
  assert.equal(Buffer.byteLength(longest), 250);
  const status = await ok(await upload(`/uploads?name=${encodeURIComponent(longest)}&size=10`, bytes(10)));
  assert.equal(resolveUpload(status.file, dataDir).name, longest);
});
