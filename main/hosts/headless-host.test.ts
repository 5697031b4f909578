/**
 * The headless host, started for real on a free loopback port with a real dispatcher, a real
 * EventBus and a renderer directory on disk. Raw `http.request` is used wherever a test must set
 * Host or Origin (fetch forbids both).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Registry } from 'prom-client';
import WebSocket from 'ws';
import { type AppInfo, type QueueState, REQUEST_NAMES } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { EventBus } from '../engine/event-bus.js';
import { CacheRegistry } from '../tile-cache/cache-registry.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { type HeadlessHost, type HeadlessHostOptions, startHeadlessHost } from './headless-host.js';

const INFO: AppInfo = { version: '0.0.0-test', host: 'headless', dataDir: '/nowhere', threads: 1 };
const QUEUE: QueueState = { paused: false, queued: 0, running: 0, maxRunning: 2 };
/** A real registry: caches.open is the one request here whose failures the host maps. */
const caches = new CacheRegistry();

/** A few requests answer with fixed data; the rest throw NOT_FOUND. The tests are about the host. */
function testHandlers(): ContractHandlers {
  const notHere = () => {
    throw new TesseraError('NOT_FOUND', 'not in this test');
  };
  return {
    ...Object.fromEntries(REQUEST_NAMES.map((name) => [name, notHere])),
    'app.info': () => INFO,
    'jobs.list': () => ({ rows: [], nextCursor: null }),
    'queue.get': () => QUEUE,
    'caches.open': (i: { path: string }) => caches.open(i.path),
  } as unknown as ContractHandlers;
}

interface LogLine {
  level: 'info' | 'warn' | 'debug';
  message: string;
  data?: object;
}

function captureLogger(lines: LogLine[]): NonNullable<HeadlessHostOptions['logger']> {
  return {
    info: (message, data) => lines.push({ level: 'info', message, data }),
    warn: (message, data) => lines.push({ level: 'warn', message, data }),
    debug: (message, data) => lines.push({ level: 'debug', message, data }),
  };
}

let dir: string;
let rendererDir: string;
let bus: EventBus;
let metricsOn = true;
const logs: LogLine[] = [];
let host: HeadlessHost;
let hostHeader: string;
let cookie: string;
let bearer: string;

async function startTestHost(extra: Partial<HeadlessHostOptions> = {}, lines: LogLine[] = []): Promise<HeadlessHost> {
  const registry = new Registry();
  new Counter({ name: 'tessera_test_requests_total', help: 'A counter for the test', registers: [registry] }).inc(3);
  return startHeadlessHost({
    dispatch: createDispatcher(testHandlers()),
    events: bus,
    metrics: async () => (metricsOn ? { contentType: registry.contentType, text: await registry.metrics() } : null),
    rendererDir,
    port: 0,
    logger: captureLogger(lines),
    ...extra,
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-host-'));
  rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera test page</title><div id="root"></div>');
  await writeFile(join(rendererDir, 'assets', 'app-1a2b3c.js'), 'console.log("tessera");');
  await writeFile(join(rendererDir, 'assets', 'style-4d5e.css'), 'body{margin:0}');
  await writeFile(join(rendererDir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, 'secret.txt'), 'TOP-SECRET');
  await symlink(join(dir, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
  bus = new EventBus();
  host = await startTestHost({}, logs);
  hostHeader = `127.0.0.1:${host.port}`;
  cookie = `tessera_session=${host.token}`;
  bearer = `Bearer ${host.token}`;
});

after(async () => {
  await host.close();
  await caches.close();
  await rm(dir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with full control of the headers (Host defaults to 127.0.0.1:PORT). */
function raw(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; port?: number }): Promise<RawResponse> {
  const port = options.port ?? host.port;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A contract call as the page makes it: cookie, own Origin, JSON. */
function post(name: string, input: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw({
    method: 'POST',
    path: `/api/${name}`,
    headers: { Cookie: cookie, Origin: `http://${hostHeader}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
}

function json(res: RawResponse): { ok: boolean; result?: unknown; error?: { code: string; message: string; details?: unknown } } {
  assert.match(String(res.headers['content-type']), /^application\/json/);
  return JSON.parse(res.body);
}

type WsOutcome = { ws: WebSocket; status?: undefined } | { ws?: undefined; status: number };

/** Opens /events; resolves with the socket, or with the HTTP status of the refusal. */
function openEvents(headers: Record<string, string>, options: WebSocket.ClientOptions = {}, port = host.port): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/events`, { headers, ...options });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return once(ws, 'message').then(([data]) => JSON.parse(String(data)));
}

// ---------------------------------------------------------------------------------------------

test('binds 127.0.0.1 by default and prints the URL with a per-launch token', () => {
  assert.equal(host.address.address, '127.0.0.1');
  assert.equal(host.address.port, host.port);
  assert.match(host.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(host.url, `http://127.0.0.1:${host.port}/?token=${host.token}`);
  assert.equal(host.origin, `http://127.0.0.1:${host.port}`);
  assert.ok(!logs.some((l) => l.level === 'warn'), 'a loopback bind is not worth a warning');
  assert.ok(!logs.some((l) => JSON.stringify(l).includes(host.token)), 'the token is never logged');
});

test('without a token: 401 JSON for the API, a 401 page for the console', async () => {
  const api = await raw({ method: 'POST', path: '/api/app.info', headers: { Origin: host.origin, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(api.status, 401);
  assert.equal(json(api).error?.code, 'UNAUTHORIZED');

  const page = await raw({ path: '/' });
  assert.equal(page.status, 401);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.match(page.body, /tessera serve/);
  assert.doesNotMatch(page.body, /Tessera test page/);

  for (const path of ['/assets/app-1a2b3c.js', '/index.html', '/jobs/42', '/metrics']) {
    const res = await raw({ path });
    assert.equal(res.status, 401, path);
    assert.doesNotMatch(res.body, /tessera"\)|Tessera test page|tessera_test/, path);
  }
});

test('a wrong token is refused wherever it is presented', async () => {
  const wrong = `${host.token.slice(0, -1)}${host.token.endsWith('A') ? 'B' : 'A'}`;
  const viaUrl = await raw({ path: `/?token=${wrong}` });
  assert.equal(viaUrl.status, 401);
  assert.equal(viaUrl.headers['set-cookie'], undefined);
  const viaBearer = await raw({
    method: 'POST',
    path: '/api/app.info',
    headers: { Authorization: `Bearer ${wrong}`, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(viaBearer.status, 401);
  const viaCookie = await raw({ path: '/', headers: { Cookie: `tessera_session=${wrong}` } });
  assert.equal(viaCookie.status, 401);
  const empty = await raw({ path: '/?token=' });
  assert.equal(empty.status, 401);
});

test('the token in the URL becomes an HttpOnly SameSite=Strict cookie and leaves the address bar', async () => {
  const res = await raw({ path: `/?token=${host.token}`, headers: { 'Sec-Fetch-Site': 'none', 'Sec-Fetch-Mode': 'navigate' } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/');
  assert.equal(res.headers['cache-control'], 'no-store');
  const [setCookie] = res.headers['set-cookie'] ?? [];
  assert.equal(setCookie, `tessera_session=${host.token}; HttpOnly; SameSite=Strict; Path=/`);

  const page = await raw({ path: '/', headers: { Cookie: setCookie!.split(';')[0]! } });
  assert.equal(page.status, 200);
  assert.match(page.body, /Tessera test page/);
});

test('the cookie (with our Origin) and a Bearer header (without one) both authenticate requests', async () => {
  const viaCookie = await post('app.info', {});
  assert.equal(viaCookie.status, 200);
  assert.deepEqual(json(viaCookie), { ok: true, result: INFO });

  const viaBearer = await raw({ method: 'POST', path: '/api/jobs.list', headers: { Authorization: bearer, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(viaBearer.status, 200);
  assert.deepEqual(json(viaBearer), { ok: true, result: { rows: [], nextCursor: null } });

  const emptyBody = await raw({
    method: 'POST',
    path: '/api/queue.get',
    headers: { Authorization: bearer, 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(emptyBody.status, 200, 'an empty body is the empty input');
});

test('a Host that is not ours is refused even with a valid token (DNS rebinding)', async () => {
  for (const badHost of [`evil.com:${host.port}`, `127.0.0.1.nip.io:${host.port}`, `localhost:${host.port + 1}`, '127.0.0.1', `0.0.0.0:${host.port}`]) {
    const api = await raw({
      method: 'POST',
      path: '/api/app.info',
      headers: { Host: badHost, Authorization: bearer, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(api.status, 403, badHost);
    assert.equal(json(api).error?.code, 'FORBIDDEN');
    const login = await raw({ path: `/?token=${host.token}`, headers: { Host: badHost } });
    assert.equal(login.status, 403, badHost);
    assert.equal(login.headers['set-cookie'], undefined);
    const page = await raw({ path: '/', headers: { Host: badHost, Cookie: cookie } });
    assert.equal(page.status, 403, badHost);
    assert.doesNotMatch(page.body, /Tessera test page/);
    const ws = await openEvents({ Host: badHost, Origin: `http://${badHost}`, Cookie: cookie });
    assert.equal(ws.status, 403, badHost);
  }
  for (const goodHost of [`localhost:${host.port}`, `[::1]:${host.port}`]) {
    const res = await raw({
      method: 'POST',
      path: '/api/app.info',
      headers: { Host: goodHost, Origin: `http://${goodHost}`, Cookie: cookie, 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200, goodHost);
  }
});

test('cross-origin requests are refused: foreign Origin, missing Origin on a cookie POST, cross-site fetch metadata', async () => {
  const foreign = await post('app.info', {}, { Origin: 'http://evil.com' });
  assert.equal(foreign.status, 403);
  assert.equal(json(foreign).error?.code, 'FORBIDDEN');
  assert.equal((await post('app.info', {}, { Origin: `http://localhost:${host.port}` })).status, 403, 'the Origin must match the Host used');
  assert.equal((await post('app.info', {}, { Origin: 'null' })).status, 403);

  const noOrigin = await raw({ method: 'POST', path: '/api/app.info', headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(noOrigin.status, 403);

  const bearerForeign = await raw({
    method: 'POST',
    path: '/api/app.info',
    headers: { Authorization: bearer, Origin: 'http://evil.com', 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(bearerForeign.status, 403, 'a foreign Origin is refused whatever the authentication');

  const crossSite = await raw({ path: '/', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' } });
  assert.equal(crossSite.status, 403);
  const sameSiteFetch = await raw({ path: '/assets/app-1a2b3c.js', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' } });
  assert.equal(sameSiteFetch.status, 403, 'another port of localhost is the same site, not the same origin');
});

test('WebSocket upgrades need our Origin and the token', async () => {
  assert.equal((await openEvents({ Cookie: cookie, Origin: 'http://evil.com' })).status, 403);
  assert.equal((await openEvents({ Cookie: cookie })).status, 403, 'no Origin');
  assert.equal((await openEvents({ Authorization: bearer })).status, 403, 'no Origin, even with Bearer');
  assert.equal((await openEvents({ Cookie: cookie, Origin: host.origin, 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  assert.equal((await openEvents({ Origin: host.origin })).status, 401);
  assert.equal((await openEvents({ Origin: host.origin, Cookie: 'tessera_session=nope' })).status, 401);
  const wrongPath = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/other`, { headers: { Cookie: cookie, Origin: host.origin } });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
  assert.equal(wrongPath, 404);
});

test('state never changes by GET, and there is no CORS', async () => {
  const get = await raw({ path: '/api/jobs.list', headers: { Cookie: cookie } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');

  const preflight = await raw({
    method: 'OPTIONS',
    path: '/api/jobs.cancel',
    headers: { Origin: 'http://evil.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  assert.ok(preflight.status === 405 || preflight.status === 403, String(preflight.status));
  const sameOriginOptions = await raw({
    method: 'OPTIONS',
    path: '/api/jobs.cancel',
    headers: { Origin: host.origin, 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(sameOriginOptions.status, 405);
  assert.equal(sameOriginOptions.headers.allow, 'POST');

  for (const res of [preflight, sameOriginOptions, await post('app.info', {}), await raw({ path: '/', headers: { Cookie: cookie, Origin: host.origin } })]) {
    assert.deepEqual(
      Object.keys(res.headers).filter((h) => h.startsWith('access-control-')),
      [],
    );
  }
});

test('request bodies: JSON only, at most 1 MB', async () => {
  const text = await post('app.info', {}, { 'Content-Type': 'text/plain' });
  assert.equal(text.status, 415);
  const form = await post('app.info', {}, { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  const none = await raw({ method: 'POST', path: '/api/app.info', headers: { Authorization: bearer }, body: '{}' });
  assert.equal(none.status, 415);

  const big = await raw({
    method: 'POST',
    path: '/api/jobs.list',
    headers: { Authorization: bearer, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filter: { text: 'x'.repeat(1024 * 1024 + 10) } }),
  });
  assert.equal(big.status, 413);

  const notJson = await raw({ method: 'POST', path: '/api/app.info', headers: { Authorization: bearer, 'Content-Type': 'application/json' }, body: '{"a":' });
  assert.equal(notJson.status, 400);
  assert.equal(json(notJson).error?.code, 'BAD_INPUT');
});

test('replies map to HTTP statuses: BAD_INPUT 400 naming the field, unknown and missing 404', async () => {
  const bad = await post('jobs.get', { id: 'x' });
  assert.equal(bad.status, 400);
  const body = json(bad);
  assert.equal(body.ok, false);
  assert.equal(body.error?.code, 'BAD_INPUT');
  assert.match(body.error!.message, /\bid\b/);
  assert.deepEqual(
    (body.error!.details as { issues: { field: string }[] }).issues.map((i) => i.field),
    ['id'],
  );

  const unknown = await post('jobs.explode', {});
  assert.equal(unknown.status, 404);
  assert.equal(json(unknown).error?.code, 'UNKNOWN_REQUEST');
  const proto = await post('__proto__', {});
  assert.equal(proto.status, 404);
  assert.equal(json(proto).error?.code, 'UNKNOWN_REQUEST');

  const missing = await post('jobs.get', { id: 7 });
  assert.equal(missing.status, 404);
  assert.equal(json(missing).error?.code, 'NOT_FOUND');
  assert.deepEqual(json(unknown).error?.details, { request: 'jobs.explode' });
});

test('caches.open of a missing path and of a file that is no cache: the same 404, no errno, no 500', async () => {
  const bodies: string[] = [];
  for (const path of [join(dir, 'missing.mbtiles'), join(dir, 'secret.txt'), rendererDir]) {
    const res = await post('caches.open', { path });
    assert.equal(res.status, 404, res.body);
    const body = json(res);
    assert.equal(body.error?.code, 'NOT_FOUND');
    assert.doesNotMatch(res.body, /ENOENT|EISDIR|SQLITE|errno|TOP-SECRET/);
    bodies.push(res.body.replace(JSON.stringify(path).slice(1, -1), '<path>'));
  }
  assert.equal(new Set(bodies).size, 1, bodies.join('\n'));
});

test('engine events arrive over the WebSocket; what the client sends is ignored', async () => {
  const opened = await openEvents({ Cookie: cookie, Origin: host.origin });
  assert.ok(opened.ws);
  const ws = opened.ws;
  try {
    ws.send('{"event":"queue.changed","payload":{"paused":true}}');
    ws.send('garbage');
    const payload: QueueState = { paused: true, queued: 3, running: 1, maxRunning: 2 };
    const arrived = nextMessage(ws);
    bus.emit('queue.changed', payload);
    assert.deepEqual(await arrived, { event: 'queue.changed', payload });

    const progress = { jobId: 1, done: 5, total: 10, failed: 0, bytes: 100, skipped: 0, rate: 2, etaSeconds: 3 };
    const second = nextMessage(ws);
    bus.emit('job.progress', progress);
    assert.deepEqual(await second, { event: 'job.progress', payload: progress });
  } finally {
    ws.close();
    await once(ws, 'close');
  }

  const viaBearer = await openEvents({ Authorization: bearer, Origin: host.origin });
  assert.ok(viaBearer.ws, 'scripts may use Bearer on the upgrade too');
  viaBearer.ws.terminate();
});

test('/metrics: authenticated Prometheus text, 404 and quiet when switched off', async () => {
  assert.equal((await raw({ path: '/metrics' })).status, 401);
  const on = await raw({ path: '/metrics', headers: { Authorization: bearer } });
  assert.equal(on.status, 200);
  assert.match(String(on.headers['content-type']), /^text\/plain/);
  assert.match(on.body, /^tessera_test_requests_total 3$/m);
  assert.equal((await raw({ path: '/metrics', headers: { Cookie: cookie } })).status, 200);
  assert.equal((await raw({ method: 'POST', path: '/metrics', headers: { Authorization: bearer } })).status, 405);

  metricsOn = false;
  try {
    const before = logs.length;
    const off = await raw({ path: '/metrics', headers: { Authorization: bearer } });
    assert.equal(off.status, 404);
    assert.equal(json(off).error?.code, 'NOT_FOUND');
    assert.deepEqual(json(off).error?.details, { path: '/metrics' });
    assert.deepEqual(
      logs.slice(before).filter((l) => l.level !== 'debug'),
      [],
      'a disabled feature logs nothing above debug',
    );
  } finally {
    metricsOn = true;
  }

  const none = await startTestHost({ metrics: undefined });
  try {
    assert.equal((await raw({ port: none.port, path: '/metrics', headers: { Authorization: `Bearer ${none.token}` } })).status, 404);
  } finally {
    await none.close();
  }
});

test('directory traversal never reaches a file outside the renderer', async () => {
  for (const path of [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/..\\..\\secret.txt',
    '/assets/link.txt',
    '/.%2e/secret.txt',
  ]) {
    const res = await raw({ path, headers: { Cookie: cookie } });
    assert.notEqual(res.status, 200, path);
    assert.doesNotMatch(res.body, /TOP-SECRET|root:/, path);
  }
});

test('static files: types, cache headers, the single-page fallback, HEAD', async () => {
  const js = await raw({ path: '/assets/app-1a2b3c.js', headers: { Cookie: cookie } });
  assert.equal(js.status, 200);
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['cache-control'], 'private, max-age=31536000, immutable');
  assert.equal(js.body, 'console.log("tessera");');

  const css = await raw({ path: '/assets/style-4d5e.css', headers: { Cookie: cookie } });
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  const svg = await raw({ path: '/logo.svg', headers: { Cookie: cookie } });
  assert.equal(svg.headers['content-type'], 'image/svg+xml');
  assert.equal(svg.headers['cache-control'], 'no-cache');

  for (const path of ['/', '/jobs/42', '/index.html']) {
    const page = await raw({ path, headers: { Cookie: cookie } });
    assert.equal(page.status, 200, path);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.body, /Tessera test page/);
  }

  assert.equal((await raw({ path: '/assets/missing-9z.js', headers: { Cookie: cookie } })).status, 404);
  const head = await raw({ method: 'HEAD', path: '/assets/app-1a2b3c.js', headers: { Cookie: cookie } });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String('console.log("tessera");'.length));
  assert.equal((await raw({ method: 'PUT', path: '/index.html', headers: { Cookie: cookie, Origin: host.origin } })).status, 405);
});

test('security headers are on every response, errors included', async () => {
  const responses = [
    await raw({ path: '/', headers: { Cookie: cookie } }),
    await raw({ path: '/assets/app-1a2b3c.js', headers: { Cookie: cookie } }),
    await raw({ path: '/' }),
    await raw({ path: '/', headers: { Host: 'evil.com' } }),
    await raw({ path: '/nope.js', headers: { Cookie: cookie } }),
    await raw({ path: `/?token=${host.token}` }),
    await post('app.info', {}),
    await post('jobs.get', { id: 'x' }),
    await raw({ path: '/metrics', headers: { Authorization: bearer } }),
  ];
  for (const res of responses) {
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/, String(res.status));
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
  }
  assert.match(String(responses[0]!.headers['content-security-policy']), new RegExp(`connect-src [^;]*ws://127\\.0\\.0\\.1:${host.port}`));
});

test('a missing renderer build is a clear 503 page, not an error', async () => {
  const unbuilt = await startTestHost({ rendererDir: join(dir, 'not-built') });
  try {
    const page = await raw({ port: unbuilt.port, path: '/', headers: { Authorization: `Bearer ${unbuilt.token}` } });
    assert.equal(page.status, 503);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /npm run build/);
    assert.equal((await raw({ port: unbuilt.port, path: '/assets/app.js', headers: { Authorization: `Bearer ${unbuilt.token}` } })).status, 404);
  } finally {
    await unbuilt.close();
  }
});

test('binding beyond loopback happens only when asked, with a warning; allowedHosts are accepted', async () => {
  const lines: LogLine[] = [];
  const wide = await startTestHost({ host: '0.0.0.0', allowedHosts: ['tessera.test'], token: 'a-fixed-token-for-this-test' }, lines);
  try {
    assert.equal(wide.address.address, '0.0.0.0');
    assert.equal(wide.url, `http://127.0.0.1:${wide.port}/?token=a-fixed-token-for-this-test`);
    assert.equal(lines.filter((l) => l.level === 'warn').length, 1);
    const named = `tessera.test:${wide.port}`;
    const ok = await raw({
      port: wide.port,
      method: 'POST',
      path: '/api/app.info',
      headers: { Host: named, Origin: `http://${named}`, Cookie: 'tessera_session=a-fixed-token-for-this-test', 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(ok.status, 200);
    const other = await raw({
      port: wide.port,
      path: '/',
      headers: { Host: `other.test:${wide.port}`, Cookie: 'tessera_session=a-fixed-token-for-this-test' },
    });
    assert.equal(other.status, 403);
  } finally {
    await wide.close();
  }
  await assert.rejects(startTestHost({ token: 'short' }), /at least 16/);
});

test('heartbeat: a client that stops answering pings is terminated; a live one stays', async () => {
  const lines: LogLine[] = [];
  const quick = await startTestHost({ heartbeatIntervalMs: 150 }, lines);
  try {
    const headers = { Authorization: `Bearer ${quick.token}`, Origin: quick.origin };
    const dead = await openEvents(headers, { autoPong: false }, quick.port);
    const live = await openEvents(headers, {}, quick.port);
    assert.ok(dead.ws && live.ws);
    const [code] = (await once(dead.ws, 'close')) as [number];
    assert.equal(code, 1006, 'terminated, not closed politely');
    await sleep(450);
    assert.equal(live.ws.readyState, WebSocket.OPEN, 'answered every ping over three intervals');
    live.ws.terminate();
  } finally {
    await quick.close();
  }
});

test('a slow event consumer is dropped instead of growing the buffer', async () => {
  const lines: LogLine[] = [];
  const host2 = await startTestHost({ maxBufferedBytes: 64 * 1024 }, lines);
  try {
    const opened = await openEvents({ Authorization: `Bearer ${host2.token}`, Origin: host2.origin }, {}, host2.port);
    assert.ok(opened.ws);
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (opened.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const big = { id: 1, jobId: 1, at: new Date().toISOString(), type: 'log', message: 'x', data: { blob: 'y'.repeat(256 * 1024) } };
    for (let i = 0; i < 400 && !lines.some((l) => l.message.includes('slow event client')); i++) {
      bus.emit('job.event', big);
      await sleep(1);
    }
    assert.ok(lines.some((l) => l.level === 'warn' && l.message.includes('slow event client')));
    opened.ws.terminate();
  } finally {
    await host2.close();
  }
});

test('close() ends connections and WebSockets and stops forwarding events', async () => {
  const lines: LogLine[] = [];
  const temp = await startTestHost({}, lines);
  const opened = await openEvents({ Authorization: `Bearer ${temp.token}`, Origin: temp.origin }, {}, temp.port);
  assert.ok(opened.ws);
  const closed = once(opened.ws, 'close');
  await temp.close();
  await closed;
  await temp.close(); // idempotent
  bus.emit('queue.changed', QUEUE); // no listener left that could write to a closed socket
  await assert.rejects(raw({ port: temp.port, path: '/' }), /ECONNREFUSED/);
});
