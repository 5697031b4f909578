/**
 * The Esri client against a real HTTP server on loopback whose answers each test scripts: what is a
 * result, what is retried (and how long it waits), what fails at once, when the breaker opens.
 */
import assert from 'node:assert/strict';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { TesseraError } from '../../shared/errors.js';
import { type ClientEvent, EsriClient, type TokenSource } from './esri-client.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let script: Handler[] = [];
const seen: { url: string; body: string; headers: IncomingMessage['headers'] }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8').on('data', (d: string) => (body += d));
  req.on('end', () => {
    seen.push({ url: req.url ?? '', body, headers: req.headers });
    const next = script.shift() ?? ((_q, _b, r) => json(r, { ok: true }));
    next(req, body, res);
  });
});
let base = '';

before(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/arcgis/rest/services/A/FeatureServer`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function json(res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function fresh(extra: Partial<ConstructorParameters<typeof EsriClient>[0]> = {}, auth: TokenSource | null = null) {
  script = [];
  seen.length = 0;
  // A generous timeout: a loaded machine must not turn a scripted answer into a timeout.
  return new EsriClient(
    { timeoutMs: 5000, baseDelayMs: 5, maxDelayMs: 20, breaker: { threshold: 4, openMs: 50, maxOpenMs: 200 }, random: () => 0.5, ...extra },
    auth,
  );
}

function run(client: EsriClient, params: Record<string, string> = { where: '1=1' }) {
  const events: ClientEvent[] = [];
  const promise = client.request(`${base}/0/query`, params, { signal: new AbortController().signal, onEvent: (e) => events.push(e), probeUrl: base });
  return { events, promise };
}

test("an Esri error body with HTTP 200 is an error: a 400 fails at once with the server's message", async () => {
  const client = fresh();
  script = [(_q, _b, r) => json(r, { error: { code: 400, message: 'Unable to complete operation.', details: ["'where' parameter is invalid"] } })];
  const { promise, events } = run(client);
  await assert.rejects(
    promise,
    (e: unknown) =>
      e instanceof TesseraError &&
      e.code === 'BAD_INPUT' &&
      !e.transient &&
      e.message === "the server answered error 400: Unable to complete operation.; 'where' parameter is invalid",
  );
  assert.equal(seen.length, 1, 'not retried');
  assert.equal(events.length, 0);
});

test('transient failures are retried: Esri 500 bodies, 503, resets, truncated bodies, timeouts; then the result', async () => {
  // A breaker that stays closed here: this test is about the retries themselves.
  const client = fresh({ timeoutMs: 1500, breaker: { threshold: 10, openMs: 50, maxOpenMs: 200 } });
  script = [
    (_q, _b, r) => json(r, { error: { code: 500, message: 'Unable to complete operation.' } }),
    (_q, _b, r) => r.writeHead(503).end('<html>busy</html>'),
    (q) => q.socket.resetAndDestroy(),
    (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      r.write('{"features": [', () => r.socket?.destroy());
    },
    (_q, _b, r) => {
      r.writeHead(200, { 'content-type': 'application/json', 'content-length': '14' });
      r.end('{"features": [');
    },
    () => {}, // never answers: the per-request timeout
    (_q, _b, r) => json(r, { features: [], exceededTransferLimit: false }),
  ];
  const { promise, events } = run(client);
  assert.deepEqual(await promise, { features: [], exceededTransferLimit: false });
  assert.deepEqual(
    events.map((e) => (e.type === 'retry' ? e.reason : e.type)),
    ['esri-error', 'http-5xx', 'connection', 'truncated', 'truncated', 'timeout'],
  );
  assert.equal(client.stats.retries, 6);
  assert.equal(client.stats.requests, 7);
});

test('429 waits as long as Retry-After says (plus a little jitter), not the shorter backoff', async () => {
  const client = fresh();
  script = [(_q, _b, r) => r.writeHead(429, { 'retry-after': '1' }).end('slow down')];
  const { promise, events } = run(client);
  await promise;
  const retry = events[0] as Extract<ClientEvent, { type: 'retry' }>;
  assert.equal(retry.reason, 'http-429');
  assert.ok(retry.delayMs >= 1000 && retry.delayMs <= 1100, `waited ${retry.delayMs} ms`);
});

test('exponential backoff with full jitter, capped', () => {
  const client = new EsriClient({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
  const plain = new TesseraError('HTTP_5XX', 'x');
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((a) => client.delayFor(a, plain)),
    [100, 200, 400, 799, 999, 999],
  );
  const low = new EsriClient({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
  assert.equal(low.delayFor(4, plain), 0);
});

test('an HTML page with HTTP 200 is not taken for data, and not retried', async () => {
  const client = fresh();
  script = [(_q, _b, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in</body></html>')];
  await assert.rejects(
    run(client).promise,
    (e: unknown) => e instanceof TesseraError && e.code === 'BAD_INPUT' && /did not answer JSON.*Please sign in/.test(e.message),
  );
  assert.equal(seen.length, 1);
});

test('parameters and the token travel in a POST body, never in the URL; a refused static token is not retried', async () => {
  const token = 'tok-0123456789abcdef';
  const client = fresh({}, { token: async () => token, renew: async () => false, secrets: () => [token] });
  script = [(_q, b, r) => json(r, { error: { code: 498, message: `Invalid token ${new URLSearchParams(b).get('token')}` } })];
  await assert.rejects(run(client, { where: "NAME = 'x'", objectIds: '1,2,3' }).promise, (e: unknown) => {
    assert.ok(e instanceof TesseraError && e.code === 'UNAUTHORIZED' && !e.transient);
    assert.ok(!e.message.includes(token) && e.message.includes('[redacted]'), `the token is scrubbed from: ${e.message}`);
    return true;
  });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.url, '/arcgis/rest/services/A/FeatureServer/0/query');
  const body = new URLSearchParams(seen[0]!.body);
  assert.equal(body.get('token'), token);
  assert.equal(body.get('objectIds'), '1,2,3');
  assert.equal(body.get('f'), 'json');
});

test('a token the credential can make again is renewed once after a 498', async () => {
  let n = 0;
  const client = fresh({}, { token: async () => `t${n}`, renew: async () => (++n, true), secrets: () => [`t${n}`] });
  script = [
    (_q, _b, r) => json(r, { error: { code: 498, message: 'Invalid token.' } }),
    (_q, b, r) => json(r, { count: 3, sent: new URLSearchParams(b).get('token') }),
  ];
  const { promise, events } = run(client);
  assert.deepEqual(await promise, { count: 3, sent: 't1' });
  assert.deepEqual(
    events.map((e) => e.type),
    ['token-renewed'],
  );
});

test('a person waiting (discovery) gets "source unavailable" once the breaker opens, not endless retries', async () => {
  const client = fresh({ waitWhenUnavailable: false, maxAttempts: 10 });
  script = Array.from({ length: 10 }, () => (_q: IncomingMessage, _b: string, r: ServerResponse) => void r.writeHead(502).end());
  await assert.rejects(
    run(client).promise,
    (e: unknown) =>
      e instanceof TesseraError &&
      e.code === 'HTTP_5XX' &&
      e.transient &&
      /^source unavailable: 127\.0\.0\.1:\d+ failed 4 times in a row; last: HTTP 502/.test(e.message),
  );
  assert.equal(seen.length, 4);
});

test('a refused connection is not an HTTP 5xx: IO_ERROR, retried, and the breaker still opens', async () => {
  // A real closed loopback port: bound, its number noted, then closed before anything connects.
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as { port: number }).port;
  closed.close();
  await once(closed, 'close');
  const client = fresh({ waitWhenUnavailable: false, maxAttempts: 10 });
  const events: ClientEvent[] = [];
  const url = `http://127.0.0.1:${port}/arcgis/rest/services`;
  await assert.rejects(client.request(url, {}, { signal: new AbortController().signal, onEvent: (e) => events.push(e) }), (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, 'IO_ERROR');
    assert.ok(e.transient);
    assert.match(e.message, new RegExp(`^source unavailable: 127\\.0\\.0\\.1:${port} failed 4 times in a row; last: connection failed .*ECONNREFUSED`));
    assert.equal((e.details as { reason?: string }).reason, 'connection');
    return true;
  });
  const retries = events.filter((e) => e.type === 'retry') as Extract<ClientEvent, { type: 'retry' }>[];
  assert.equal(retries.length, 4, 'each of the 4 failures that opened the breaker was retried');
  assert.ok(retries.every((r) => r.reason === 'connection' && r.error.code === 'IO_ERROR'));
  assert.equal(client.stats.breakerOpenings, 1);
});

test('a job waits while the breaker is open, probes the service, and carries on when it answers', async () => {
  const client = fresh({ maxAttempts: 10 });
  const down = (_q: IncomingMessage, _b: string, r: ServerResponse) => void r.writeHead(503).end();
  // 4 failures open the breaker; the first probe fails (it reopens, for longer); the second answers.
  script = [down, down, down, down, down, (_q, _b, r) => json(r, { name: 'A' }), (_q, _b, r) => json(r, { features: [] })];
  const { promise, events } = run(client);
  assert.deepEqual(await promise, { features: [] });
  const types = events.map((e) => e.type);
  assert.deepEqual(
    types.filter((t) => t !== 'retry'),
    ['unavailable', 'unavailable', 'available'],
  );
  const [first, second] = events.filter((e) => e.type === 'unavailable') as Extract<ClientEvent, { type: 'unavailable' }>[];
  assert.ok(Date.parse(second!.retryAt) > Date.parse(first!.retryAt));
  assert.match(first!.error.message, /HTTP 503/);
  // The probes asked for the service, not the query.
  assert.deepEqual(
    seen.slice(4, 6).map((s) => s.url),
    ['/arcgis/rest/services/A/FeatureServer', '/arcgis/rest/services/A/FeatureServer'],
  );
  assert.equal(client.stats.breakerOpenings, 2);
});

test('cancelling stops a wait at once', async () => {
  const client = fresh();
  script = [(_q, _b, r) => r.writeHead(429, { 'retry-after': '60' }).end()];
  const controller = new AbortController();
  const promise = client.request(`${base}/0/query`, {}, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(promise, (e: unknown) => e instanceof TesseraError && e.code === 'ABORTED');
});
