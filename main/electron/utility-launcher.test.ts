/**
 * The utilityProcess adapter's wiring, with a fake of Electron's utilityProcess (Electron cannot run
 * here): the entry and its arguments reach fork, messages go both ways as the supervisor's
 * channel, an exit resolves `exited`, and the supervisor's kill is a SIGKILL of the pid.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { FromEngine } from '../engine-process/channel-protocol.js';
import { ENGINE_MALLOC_ARENAS, engineExecArgv } from '../engine-process/engine-tuning.js';
import { type UtilityChild, type UtilityForker, utilityLauncher } from './utility-launcher.js';

class FakeUtilityChild extends EventEmitter implements UtilityChild {
  readonly posted: unknown[] = [];
  killed = false;
  constructor(readonly pid: number | undefined) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

test('the utility process launcher forks the entry and carries the channel both ways', async () => {
  const forks: { modulePath: string; args?: string[]; options?: object }[] = [];
  const child = new FakeUtilityChild(4321);
  const forker: UtilityForker = {
    fork(modulePath, args, options) {
      forks.push({ modulePath, args, options });
      return child;
    },
  };
  const killed: number[] = [];
  const launch = utilityLauncher(forker, '/app/dist/main/engine-process/engine-entry.js', (pid) => killed.push(pid));
  const engine = launch(['--engine-options=abc']);
  assert.equal(forks[0]!.modulePath, '/app/dist/main/engine-process/engine-entry.js');
  assert.deepEqual(forks[0]!.args, ['--engine-options=abc']);
  assert.equal((forks[0]!.options as { serviceName: string }).serviceName, 'Tessera engine');
  // The engine's tunings that only work from a process's start (main/engine-process/engine-tuning.ts).
  const options = forks[0]!.options as { env: NodeJS.ProcessEnv; execArgv: string[] };
  assert.equal(options.env.MALLOC_ARENA_MAX, process.env.MALLOC_ARENA_MAX ?? String(ENGINE_MALLOC_ARENAS));
  assert.deepEqual(options.execArgv, engineExecArgv(process.env));
  assert.equal(engine.pid, 4321);

  engine.post({ type: 'request', id: 1, name: 'app.info', input: {} });
  assert.deepEqual(child.posted, [{ type: 'request', id: 1, name: 'app.info', input: {} }]);

  const got: FromEngine[] = [];
  const off = engine.onMessage((m) => got.push(m));
  child.emit('message', { type: 'ready', pid: 4321 });
  off();
  child.emit('message', { type: 'closed' });
  assert.deepEqual(got, [{ type: 'ready', pid: 4321 }]);

  engine.kill();
  assert.deepEqual(killed, [4321], 'a SIGKILL of the pid, not the polite kill()');
  assert.equal(child.killed, false);
  child.emit('exit', 9);
  assert.deepEqual(await engine.exited, { code: 9, signal: null });
});
