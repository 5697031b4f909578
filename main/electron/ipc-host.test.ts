/**
 * The Electron IPC path end to end, without Electron: the preload's transport and the main
 * process's IPC host joined by an in-memory ipcMain/ipcRenderer pair, with the real dispatcher
 * and createTesseraApi in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpcMainInvokeEvent } from 'electron';
import { type AppInfo, type JobProgress, type QueueState, createTesseraApi } from '../../shared/contract.js';
import { toTesseraError } from '../../shared/errors.js';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../preload/ipc-channels.js';
import { createIpcTransport } from '../../preload/ipc-transport.js';
import { EventBus } from '../engine/event-bus.js';
import { type ContractHandlers, createDispatcher } from '../engine/handlers.js';
import { FORBIDDEN_REPLY, registerIpcHost } from './ipc-host.js';

type Frame = { url: string; parent: unknown } | null;
type Handler = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, ...args: unknown[]) => unknown;

const APP_FRAME: Frame = { url: 'tessera://app/index.html', parent: null };
const INFO: AppInfo = { version: '0.1.0', host: 'electron', dataDir: '/data', threads: 4 };
const QUEUE: QueueState = { paused: false, queued: 0, running: 0, maxRunning: 2 };

/** An ipcMain, an ipcRenderer and the window's webContents, joined in memory. */
function fakeIpc(senderFrame: () => Frame) {
  const handlers = new Map<string, Handler>();
  const rendererListeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  const sent: unknown[][] = [];
  const contents = {
    url: 'tessera://app/index.html',
    destroyed: false,
    send(channel: string, ...args: unknown[]) {
      sent.push([channel, ...args]);
      for (const l of rendererListeners.get(channel) ?? []) l({ sender: 'the ipcRenderer itself' }, ...args);
    },
    isDestroyed() {
      return this.destroyed;
    },
    getURL() {
      return this.url;
    },
  };
  const ipcMain = {
    handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown) {
      assert.ok(!handlers.has(channel), 'one handler per channel');
      // The host reads only senderFrame, which is all the stand-in event has.
      handlers.set(channel, handler as Handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  };
  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Structured clone, as Electron does between processes.
      return structuredClone(await handler({ senderFrame: senderFrame() as IpcMainInvokeEvent['senderFrame'] }, ...structuredClone(args)));
    },
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
      rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
    },
  };
  return { handlers, ipcMain, ipcRenderer, contents, sent };
}

function handlersFor(calls: string[]): ContractHandlers {
  const unexpected = () => {
    throw new Error('not used by this test');
  };
  return new Proxy({} as ContractHandlers, {
    get: (_t, name: string) => {
      if (name === 'app.info') return () => (calls.push('app.info'), INFO);
      if (name === 'queue.pause') return () => (calls.push('queue.pause'), { ...QUEUE, paused: true });
      return unexpected;
    },
  });
}

function setUp(frame: () => Frame = () => APP_FRAME) {
  const ipc = fakeIpc(frame);
  const calls: string[] = [];
  const events = new EventBus();
  const refused: unknown[] = [];
  const dispose = registerIpcHost({
    ipcMain: ipc.ipcMain,
    dispatch: createDispatcher(handlersFor(calls)),
    events,
    eventTarget: () => ipc.contents,
    onRefused: (detail) => refused.push(detail),
  });
  const api = createTesseraApi(createIpcTransport(ipc.ipcRenderer));
  return { ...ipc, calls, events, refused, dispose, api };
}

test('a request from the app page reaches the engine and its result comes back', async () => {
  const { api, calls } = setUp();
  assert.deepEqual(await api.app.info({}), INFO);
  assert.deepEqual(await api.queue.pause({}), { ...QUEUE, paused: true });
  assert.deepEqual(calls, ['app.info', 'queue.pause']);
});

test('an engine error reaches the page with its code and details', async () => {
  const { api, calls } = setUp();
  // jobs.get with a bad id fails validation in the dispatcher: BAD_INPUT naming the field.
  const reason = await api.jobs.get({ id: -1 }).then(
    () => assert.fail('should reject'),
    (r: unknown) => r,
  );
  // A plain object, because contextBridge would strip an Error down to its message.
  assert.ok(!(reason instanceof Error));
  assert.deepEqual(Object.keys(reason as object).sort(), ['code', 'details', 'message']);
  const error = toTesseraError(reason);
  assert.equal(error.code, 'BAD_INPUT');
  assert.match(error.message, /^jobs\.get: id:/);
  assert.deepEqual((error.details as { request: string }).request, 'jobs.get');
  assert.deepEqual(calls, []);
});

test('requests from other origins, subframes and vanished frames are refused before the engine', async () => {
  for (const frame of [
    { url: 'https://evil.example/', parent: null },
    { url: 'file:///tmp/index.html', parent: null },
    { url: 'tessera://evil/index.html', parent: null },
    { url: 'tessera://app/index.html', parent: APP_FRAME },
    null,
  ]) {
    const { api, calls, refused } = setUp(() => frame);
    const reason = await api.app.info({}).then(
      () => assert.fail('should reject'),
      (r: unknown) => r,
    );
    assert.equal(toTesseraError(reason).code, 'FORBIDDEN', JSON.stringify(frame));
    assert.deepEqual(calls, []);
    assert.equal(refused.length, 1);
  }
});

test('the invoke handler itself: FORBIDDEN, a non-string name, an unknown request', async () => {
  const { handlers } = setUp();
  const handler = handlers.get(INVOKE_CHANNEL)!;
  assert.deepEqual(await handler({ senderFrame: null }, 'app.info', {}), FORBIDDEN_REPLY);
  const badName = (await handler({ senderFrame: APP_FRAME as never }, 42, {})) as { ok: false; error: { code: string } };
  assert.equal(badName.error.code, 'BAD_INPUT');
  const unknown = (await handler({ senderFrame: APP_FRAME as never }, 'fs.readFile', { path: '/etc/passwd' })) as { ok: false; error: { code: string } };
  assert.equal(unknown.error.code, 'UNKNOWN_REQUEST');
});

test('engine events reach page listeners as payloads only; unsubscribe stops them', () => {
  const { api, events, sent } = setUp();
  const got: unknown[][] = [];
  const off = api.on('job.progress', (...args: unknown[]) => got.push(args));
  const queue: unknown[] = [];
  api.on('queue.changed', (q) => queue.push(q));

  const progress: JobProgress = { jobId: 7, done: 10, total: 100, failed: 0, bytes: 2048, skipped: 0, rate: 5, etaSeconds: 18 };
  events.emit('job.progress', progress);
  events.emit('queue.changed', QUEUE);
  assert.deepEqual(got, [[progress]], 'the listener gets the payload and nothing else (no IPC event object)');
  assert.deepEqual(queue, [QUEUE]);
  assert.deepEqual(sent, [
    [EVENT_CHANNEL, 'job.progress', progress],
    [EVENT_CHANNEL, 'queue.changed', QUEUE],
  ]);

  off();
  events.emit('job.progress', progress);
  assert.equal(got.length, 1);
  assert.throws(() => api.on('no.such.event' as never, () => {}), /unknown event/);
});

test('a throwing page listener does not stop the others', () => {
  const ipc = fakeIpc(() => APP_FRAME);
  const events = new EventBus();
  registerIpcHost({ ipcMain: ipc.ipcMain, dispatch: createDispatcher(handlersFor([])), events, eventTarget: () => ipc.contents });
  const errors: unknown[] = [];
  const transport = createIpcTransport(ipc.ipcRenderer, (e) => errors.push(e));
  const got: unknown[] = [];
  transport.subscribe('queue.changed', () => {
    throw new Error('listener bug');
  });
  transport.subscribe('queue.changed', (p) => got.push(p));
  events.emit('queue.changed', QUEUE);
  assert.deepEqual(got, [QUEUE]);
  assert.equal(errors.length, 1);
});

test('events are not sent to a destroyed window or a page that is not the app', () => {
  const { events, contents, sent } = setUp();
  contents.url = 'https://evil.example/';
  events.emit('queue.changed', QUEUE);
  contents.url = 'tessera://app/index.html';
  contents.destroyed = true;
  events.emit('queue.changed', QUEUE);
  assert.deepEqual(sent, []);
});

test('the disposer removes the handler and stops forwarding', async () => {
  const { dispose, handlers, events, sent, api } = setUp();
  dispose();
  assert.equal(handlers.has(INVOKE_CHANNEL), false);
  events.emit('queue.changed', QUEUE);
  assert.deepEqual(sent, []);
  const reason = await api.app.info({}).then(
    () => assert.fail('should reject'),
    (r: unknown) => r,
  );
  assert.equal(toTesseraError(reason).code, 'INTERNAL');
});

test('a malformed reply is an INTERNAL error, not a crash', async () => {
  const transport = createIpcTransport({ invoke: async () => ({ weird: true }), on: () => {} });
  const reason = await transport.invoke('app.info', {}).then(
    () => assert.fail('should reject'),
    (r: unknown) => r,
  );
  assert.equal(toTesseraError(reason).code, 'INTERNAL');
});
