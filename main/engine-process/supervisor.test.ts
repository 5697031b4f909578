/**
 * The supervisor's rules, against engine processes the test plays itself (an in-memory channel):
 * a reply owed at a crash fails with ENGINE_RESTARTING, a request made while it restarts waits for
 * the new process, an aborted request does not stay pending and tells the engine, and a first start
 * that fails is reported with its code and never restarted. The real process is in
 * engine-process.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TesseraError } from '../../shared/errors.js';
import { type FromEngine, type ToEngine, parseEngineProcessArgs } from './channel-protocol.js';
import { type EngineProcess, EngineSupervisor } from './supervisor.js';

/** An engine process played by the test: what the supervisor posts, and hands to answer it. */
class FakeProcess implements EngineProcess {
  readonly received: ToEngine[] = [];
  private readonly listeners = new Set<(m: FromEngine) => void>();
  private exit!: (e: { code: number | null; signal: string | null }) => void;
  readonly exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => (this.exit = resolve));
  constructor(
    readonly pid: number,
    readonly args: string[],
  ) {}
  post(message: ToEngine): void {
    this.received.push(message);
    if (message.type === 'close') queueMicrotask(() => this.exit({ code: 0, signal: null }));
  }
  onMessage(listener: (m: FromEngine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  send(message: FromEngine): void {
    for (const l of this.listeners) l(message);
  }
  kill(): void {
    this.exit({ code: null, signal: 'SIGKILL' });
  }
  requests(): Extract<ToEngine, { type: 'request' }>[] {
    return this.received.filter((m): m is Extract<ToEngine, { type: 'request' }> => m.type === 'request');
  }
}

function setUp(onLaunch: (p: FakeProcess, args: string[]) => void = (p) => queueMicrotask(() => p.send({ type: 'ready', pid: p.pid }))) {
  const launched: FakeProcess[] = [];
  const supervisor = new EngineSupervisor({
    launch: (args) => {
      const p = new FakeProcess(1000 + launched.length, args);
      launched.push(p);
      onLaunch(p, args);
      return p;
    },
    engine: { dataDir: '/data', host: 'headless' },
    logger: { info() {}, warn() {}, error() {} },
    initialDelayMs: 10,
  });
  return { supervisor, launched };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test('a reply owed at a crash fails with ENGINE_RESTARTING; a request during the restart waits for the new process', async () => {
  const { supervisor, launched } = setUp();
  await supervisor.start();
  const owed = supervisor.request('jobs.list', { limit: 5 });
  await tick();
  launched[0]!.kill();
  await assert.rejects(owed, (e: TesseraError) => e.code === 'ENGINE_RESTARTING' && e.transient && /jobs\.list.*SIGKILL.*may or may not/.test(e.message));

  const waiting = supervisor.request('queue.get', {});
  await until(() => launched[1]?.requests().length === 1);
  const [request] = launched[1]!.requests();
  assert.equal(request!.name, 'queue.get');
  launched[1]!.send({ type: 'reply', id: request!.id, reply: { ok: true, result: { paused: false, queued: 0, running: 0, maxRunning: 2 } } });
  assert.deepEqual(await waiting, { paused: false, queued: 0, running: 0, maxRunning: 2 });
  // The restarted process resumes what the crash interrupted.
  assert.equal(parseEngineProcessArgs(launched[0]!.args).resumeRecovered, false);
  assert.equal(parseEngineProcessArgs(launched[1]!.args).resumeRecovered, true);
  assert.equal(parseEngineProcessArgs(launched[1]!.args).lockOwnerPid, process.pid, 'the lock names the supervisor');
  await supervisor.close();
  assert.deepEqual(launched[1]!.received.at(-1), { type: 'close' });
});

test('an aborted request rejects at once and tells the engine process, whose late reply is dropped', async () => {
  const { supervisor, launched } = setUp();
  await supervisor.start();
  const controller = new AbortController();
  const asked = supervisor.request('jobs.estimate', { kind: 'verify', params: { cache: '/x.mbtiles' } }, controller.signal);
  await tick();
  controller.abort();
  await assert.rejects(asked, (e: TesseraError) => e.code === 'ABORTED');
  const [request] = launched[0]!.requests();
  assert.deepEqual(launched[0]!.received.at(-1), { type: 'cancel', id: request!.id });
  launched[0]!.send({ type: 'reply', id: request!.id, reply: { ok: true, result: null } });
  await supervisor.close();
});

test('a first start that fails is reported with its code and not restarted', async () => {
  const { supervisor, launched } = setUp((p) =>
    queueMicrotask(() => {
      p.send({ type: 'failed', error: { code: 'DATA_DIR_LOCKED', message: 'the data directory /data is in use by another Tessera' } });
      p.kill();
    }),
  );
  await assert.rejects(supervisor.start(), (e: TesseraError) => e.code === 'DATA_DIR_LOCKED');
  await tick();
  assert.equal(launched.length, 1);
});

async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !probe(); i++) await tick();
  assert.ok(probe(), 'timed out');
}

test('closing while the engine process opens ends that process; start() then fails with ENGINE_STOPPED', async () => {
  const { supervisor, launched } = setUp(() => {});
  const starting = supervisor.start();
  await tick();
  await supervisor.close();
  await assert.rejects(starting, (e: TesseraError) => e.code === 'ENGINE_STOPPED');
  assert.deepEqual(await launched[0]!.exited, { code: null, signal: 'SIGKILL' });
  launched[0]!.send({ type: 'ready', pid: 1000 });
  assert.equal(supervisor.state, 'closed', 'a late ready does not bring it back');
});
