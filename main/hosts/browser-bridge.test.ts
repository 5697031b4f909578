/**
 * The browser bridge (preload/browser-bridge.ts) under Node against the real headless host.
 * Node's fetch has no cookie jar and Node 20 has no WebSocket global, so the test authenticates
 * with a Bearer header and passes the `ws` class (with our Origin and the token) as WebSocketImpl.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { type BrowserTransportOptions, createBrowserTransport } from '../../preload/browser-bridge.js';
import { type AppInfo, type QueueState, REQUEST_NAMES, type TesseraApi, createTesseraApi } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { EventBus } from '../engine/event-bus.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { type HeadlessHost, startHeadlessHost } from './headless-host.js';

const INFO: AppInfo = { version: '0.0.0-test', host: 'headless', dataDir: '/nowhere', threads: 1 };
const TOKEN = 'bridge-test-token-0123456789abcdef';

function testHandlers(): ContractHandlers {
  const notHere = () => {
    throw new TesseraError('NOT_FOUND', 'not in this test');
  };
  return { ...Object.fromEntries(REQUEST_NAMES.map((name) => [name, notHere])), 'app.info': () => INFO } as unknown as ContractHandlers;
}

let dir: string;
let bus: EventBus;
let host: HeadlessHost;

function start(port: number, events: EventBus): Promise<HeadlessHost> {
  return startHeadlessHost({
    dispatch: createDispatcher(testHandlers()),
    events,
    rendererDir: dir,
    port,
    token: TOKEN,
    logger: { info() {}, warn() {}, debug() {} },
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-bridge-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  bus = new EventBus();
  host = await start(0, bus);
});

after(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

/** The `ws` class as a browser WebSocket: sends our Origin (a browser always does) and the token. */
function socketClass(origin: string, sockets: WebSocket[]): NonNullable<BrowserTransportOptions['WebSocketImpl']> {
  class NodeBrowserSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: origin, Authorization: `Bearer ${TOKEN}` } });
      sockets.push(this);
    }
  }
  return NodeBrowserSocket as unknown as NonNullable<BrowserTransportOptions['WebSocketImpl']>;
}

function bridge(sockets: WebSocket[] = [], extra: BrowserTransportOptions = {}): TesseraApi {
  return createTesseraApi(
    createBrowserTransport({
      baseUrl: host.origin,
      headers: { Authorization: `Bearer ${TOKEN}` },
      WebSocketImpl: socketClass(host.origin, sockets),
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      ...extra,
    }),
  );
}

async function until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test('requests resolve with the result', async () => {
  const api = bridge();
  assert.deepEqual(await api.app.info({}), INFO);
});

test('a failed request rejects with a TesseraError carrying code and details', async () => {
  const api = bridge();
  const bad = await api.jobs.get({ id: 'x' as unknown as number }).then(
    () => assert.fail('should reject'),
    (error: unknown) => error,
  );
  assert.ok(bad instanceof TesseraError);
  assert.equal(bad.code, 'BAD_INPUT');
  assert.deepEqual(
    (bad.details as { issues: { field: string }[] }).issues.map((i) => i.field),
    ['id'],
  );

  await assert.rejects(api.jobs.get({ id: 1 }), (error: TesseraError) => error.code === 'NOT_FOUND');
  const noToken = createTesseraApi(createBrowserTransport({ baseUrl: host.origin }));
  await assert.rejects(noToken.app.info({}), (error: TesseraError) => error.code === 'UNAUTHORIZED');
  const nowhere = createTesseraApi(createBrowserTransport({ baseUrl: 'http://127.0.0.1:1' }));
  await assert.rejects(nowhere.app.info({}), (error: TesseraError) => error.code === 'IO_ERROR' && error.transient);
});

test('events arrive on one shared socket; the last unsubscribe closes it', async () => {
  const sockets: WebSocket[] = [];
  const api = bridge(sockets);
  const seen: QueueState[] = [];
  const alsoSeen: QueueState[] = [];
  const off = api.on('queue.changed', (q) => seen.push(q));
  const offOther = api.on('queue.changed', (q) => alsoSeen.push(q));
  const offProgress = api.on('job.progress', () => assert.fail('not this event'));
  assert.equal(sockets.length, 1);
  await once(sockets[0]!, 'open');

  const q: QueueState = { paused: true, queued: 1, running: 0, maxRunning: 2 };
  bus.emit('queue.changed', q);
  await until(() => seen.length === 1 && alsoSeen.length === 1, 'the event');
  assert.deepEqual(seen, [q]);

  off();
  off(); // a second call is harmless and does not count twice
  bus.emit('queue.changed', { ...q, queued: 2 });
  await until(() => alsoSeen.length === 2, 'the second event');
  assert.equal(seen.length, 1, 'an unsubscribed listener hears nothing more');

  offOther();
  assert.equal(sockets[0]!.readyState, WebSocket.OPEN, 'still open for the job.progress listener');
  offProgress();
  await until(() => sockets[0]!.readyState === WebSocket.CLOSED, 'the socket to close');
  bus.emit('queue.changed', q);
  await sleep(30);
  assert.equal(alsoSeen.length, 2);
  assert.equal(sockets.length, 1, 'no reconnect after a deliberate close');
});

test('a throwing listener does not stop the others', async () => {
  const sockets: WebSocket[] = [];
  const errors: unknown[] = [];
  const api = bridge(sockets, { onListenerError: (e) => errors.push(e) });
  const seen: unknown[] = [];
  const offBad = api.on('job.changed', () => {
    throw new Error('listener bug');
  });
  const offGood = api.on('job.changed', (j) => seen.push(j));
  await once(sockets[0]!, 'open');
  bus.emit('job.changed', { id: 1 } as never);
  await until(() => seen.length === 1, 'the event');
  assert.equal(errors.length, 1);
  offBad();
  offGood();
});

test('a dropped socket reconnects with backoff and events flow again', async () => {
  const localBus = new EventBus();
  const first = await start(0, localBus);
  const port = first.port;
  const sockets: WebSocket[] = [];
  const api = createTesseraApi(
    createBrowserTransport({
      baseUrl: first.origin,
      headers: { Authorization: `Bearer ${TOKEN}` },
      WebSocketImpl: socketClass(first.origin, sockets),
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    }),
  );
  const seen: QueueState[] = [];
  const off = api.on('queue.changed', (q) => seen.push(q));
  await once(sockets[0]!, 'open');
  await first.close();

  // While the host is down the bridge keeps trying, no faster than its backoff allows.
  await sleep(250);
  const attempts = sockets.length;
  assert.ok(attempts >= 2 && attempts <= 12, `attempts while down: ${attempts}`);

  const second = await start(port, localBus);
  try {
    await until(() => sockets.at(-1)!.readyState === WebSocket.OPEN, 'the reconnect');
    const q: QueueState = { paused: false, queued: 0, running: 1, maxRunning: 2 };
    localBus.emit('queue.changed', q);
    await until(() => seen.length === 1, 'the event after reconnecting');
    assert.deepEqual(seen, [q]);
    off();
  } finally {
    await second.close();
  }
});
