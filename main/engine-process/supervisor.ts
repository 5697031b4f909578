/**
 * The engine process's supervisor, in the host process: starts the engine process, waits for it
 * to be ready, and is the engine the hosts see (a HostedEngine: handlers, events, host services)
 * across its restarts.
 *
 * On an exit it did not ask for (a crash, kill -9):
 * - the replies owed fail with ENGINE_RESTARTING (transient: the request may or may not have been
 *   carried out), and `engine.state` tells every client "restarting", as does an `engine` health
 *   check, which `app.health` answers at once while no engine is there;
 * - it starts a new process after a backoff (doubling from `initialDelayMs`), which recovers the
 *   jobs the crash cut short and resumes them from their checkpoints (`resumeRecovered`);
 * - requests made meanwhile wait for it (at most `requestWaitMs`) or fail with ENGINE_RESTARTING;
 * - after `maxCrashes` crashes in a row, each within `stableMs` of its start, it stops restarting:
 *   state `stopped`, requests fail with ENGINE_STOPPED, saying why.
 * `close()` asks the engine to close (running jobs end interrupted, as in one process) and waits for
 * the process to exit; one that does not within `closeTimeoutMs` is killed.
 *
 * How a process is started is the launcher's business (node-launcher.ts: child_process.fork;
 * main/electron/utility-launcher.ts: Electron's utilityProcess): the only part that differs.
 */
import {
  type ContractHandlers,
  type EngineState,
  type HealthCheck,
  REQUEST_NAMES,
  type RequestInput,
  type RequestName,
  type RequestResult,
} from '../../shared/contract.js';
import { type SerializedError, TesseraError, fromSerialized, serializeError } from '../../shared/errors.js';
import type { SecretCipher } from '../credentials/secret-cipher.js';
import { EventBus } from '../engine/event-bus.js';
import type { HostedEngine, MetricsText } from '../engine/hosted-engine.js';
import type { TileResponse } from '../tile-cache/cache-registry.js';
import {
  type ChannelEnd,
  type ChannelRequestName,
  type HostServiceName,
  type HostServiceRequests,
  type EngineProcessOptions,
  type FromEngine,
  type ToEngine,
  engineProcessArgs,
} from './channel-protocol.js';
import { EngineConnection } from './engine-connection.js';

/** A started engine process, whatever started it. */
export interface EngineProcess extends ChannelEnd<ToEngine, FromEngine> {
  readonly pid: number | undefined;
  /** Resolves once, when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Ends it at once (SIGKILL). */
  kill(): void;
}

/** Starts an engine process with these arguments (engineProcessArgs). */
export type EngineLauncher = (args: string[]) => EngineProcess;

export interface SupervisorOptions {
  launch: EngineLauncher;
  engine: Omit<EngineProcessOptions, 'lockOwnerPid' | 'resumeRecovered'>;
  logger: { info(m: string, d?: object): void; warn(m: string, d?: object): void; error(m: string, d?: object): void };
  /** Seals credential secrets for the engine process (the desktop's OS keychain); without it the engine keeps its file key. */
  cipher?: SecretCipher;
  /** First delay before a restart; doubles with each crash in a row. Default 500 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Crashes in a row (each within `stableMs` of its start) after which it stops restarting. Default 5. */
  maxCrashes?: number;
  /** A process that ran this long before it crashed starts the count again. Default 60 s. */
  stableMs?: number;
  /** How long a new process may take to open its engine (recovery, disk check, staging sweep). Default 120 s. */
  readyTimeoutMs?: number;
  /** How long a request waits for a restarting engine before it fails. Default 15 s. */
  requestWaitMs?: number;
  closeTimeoutMs?: number;
}

type Phase = 'starting' | 'running' | 'restarting' | 'stopped' | 'closing' | 'closed';

export class EngineSupervisor implements HostedEngine {
  readonly dataDir: string;
  /** The engine's events, re-emitted here across restarts, and `engine.state` of the supervisor's own. */
  readonly events = new EventBus();
  readonly handlers: ContractHandlers;
  private phase: Phase = 'starting';
  private current: { process: EngineProcess; connection: EngineConnection; startedAt: number } | null = null;
  private crashes = 0;
  private restarts = 0;
  private lastCrash: { message: string; at: string } | null = null;
  private readyWaiters = new Set<() => void>();
  private restartTimer: NodeJS.Timeout | null = null;
  /** A process started but not ready yet: closing meanwhile ends it (it takes no `close` before it is ready). */
  private launching: EngineProcess | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.dataDir = options.engine.dataDir;
    const handlers: Partial<Record<RequestName, (input: unknown) => Promise<unknown>>> = {};
    for (const name of REQUEST_NAMES) handlers[name] = (input) => this.call(name, input);
    this.handlers = handlers as ContractHandlers;
  }

  /** The engine process's pid while one runs. */
  get pid(): number | undefined {
    return this.current?.process.pid;
  }

  /** Replies the engine process owes now. */
  get inFlight(): number {
    return this.current?.connection.inFlight ?? 0;
  }

  get state(): EngineState['state'] | 'starting' | 'closing' | 'closed' {
    return this.phase;
  }

  /** Starts the first engine process and resolves once its engine is open; rejects with its error (DATA_DIR_LOCKED…) otherwise. */
  async start(): Promise<void> {
    const failure = await this.launch(false);
    if (failure !== null) {
      this.phase = 'closed';
      throw fromSerialized(failure);
    }
  }

  /** A contract request with its input as a client writes it (defaults filled in by the engine's parse), typed end to end. */
  request<N extends RequestName>(name: N, input: RequestInput<N>, signal?: AbortSignal): Promise<RequestResult<N>> {
    return this.call(name, input, signal) as Promise<RequestResult<N>>;
  }

  tile(id: string, z: number, x: number, y: number): Promise<TileResponse | null> {
    return this.service('host.tile', { id, z, x, y });
  }

  metrics(): Promise<MetricsText | null> {
    return this.service('host.metrics', {});
  }

  uploadInUse(id: string): Promise<boolean> {
    return this.service('host.uploadInUse', { id });
  }

  async assertPaths(uses: readonly { field: string; path: string }[]): Promise<void> {
    await this.service('host.assertPaths', { uses: [...uses] });
  }

  private service<N extends HostServiceName>(name: N, input: HostServiceRequests[N][0]): Promise<HostServiceRequests[N][1]> {
    return this.call(name, input) as Promise<HostServiceRequests[N][1]>;
  }

  /**
   * A request to the engine process: at once while it runs, after the restart while it restarts
   * (at most requestWaitMs). Throws the engine's error (its code kept) or ENGINE_RESTARTING/_STOPPED.
   */
  async call(name: ChannelRequestName, input: unknown, signal?: AbortSignal): Promise<unknown> {
    // While no engine runs, health is the supervisor's to tell: the console's pills show why at once.
    if (name === 'app.health' && this.phase !== 'running') return this.engineChecks();
    if (name === 'app.health') return [...this.engineChecks(), ...((await this.forward(name, input, signal)) as HealthCheck[])];
    return this.forward(name, input, signal);
  }

  private async forward(name: ChannelRequestName, input: unknown, signal?: AbortSignal): Promise<unknown> {
    if (this.phase === 'starting' || this.phase === 'restarting') await this.untilReady(name, signal);
    const current = this.current;
    if (this.phase !== 'running' || current === null) throw this.unavailable(name);
    const reply = await current.connection.request(name, input, signal);
    if (!reply.ok) throw fromSerialized(reply.error);
    return reply.result;
  }

  /** Closes the engine (as in one process) and waits for its process to exit. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const previous = this.phase;
    this.phase = 'closing';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.wakeWaiters();
    const current = this.current;
    if (current === null || previous === 'stopped' || previous === 'closed') {
      const opening = this.launching;
      if (opening) {
        opening.kill();
        await opening.exited;
      }
      this.phase = 'closed';
      return;
    }
    current.process.post({ type: 'close' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.closeTimeoutMs ?? 60_000)));
    const outcome = await Promise.race([current.process.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.logger.error('the engine process did not close in time; killed', { pid: current.process.pid });
      current.process.kill();
      await current.process.exited;
    }
    this.phase = 'closed';
  }

  /** Starts a process; resolves null once its engine is ready, or the reason it is not (after which a restart is scheduled unless first). */
  private launch(afterCrash: boolean): Promise<SerializedError | null> {
    const args = engineProcessArgs({
      ...this.options.engine,
      lockOwnerPid: process.pid,
      resumeRecovered: afterCrash,
      ...(this.options.cipher && { hostCipher: this.options.cipher.name }),
    });
    const child = this.options.launch(args);
    this.launching = child;
    const startedAt = Date.now();
    return new Promise((resolve) => {
      let ready = false;
      let failed: SerializedError | null = null;
      const readyTimer = setTimeout(() => {
        failed = { code: 'TIMEOUT', message: `the engine process was not ready within ${this.options.readyTimeoutMs ?? 120_000} ms` };
        child.kill();
      }, this.options.readyTimeoutMs ?? 120_000);
      const connection = new EngineConnection(child, (message) => {
        if (message.type === 'event') this.events.emit(message.name, message.payload as never);
        else if (message.type === 'cipher') this.answerCipher(child, message);
        else if (message.type === 'failed') failed = message.error;
        else if (message.type === 'ready') {
          // Closed while it opened: close() has ended it already.
          if (this.phase === 'closing' || this.phase === 'closed') return;
          ready = true;
          this.launching = null;
          clearTimeout(readyTimer);
          this.current = { process: child, connection, startedAt };
          this.phase = 'running';
          if (afterCrash) {
            this.restarts++;
            this.announce(
              'running',
              `the engine process was restarted after a crash (${this.lastCrash?.message ?? 'unknown'}); interrupted jobs resume from their checkpoints`,
            );
            this.options.logger.info('engine process restarted', { enginePid: message.pid, restarts: this.restarts });
          }
          this.wakeWaiters();
          resolve(null);
        }
      });
      void child.exited.then(({ code, signal }) => {
        clearTimeout(readyTimer);
        if (this.launching === child) this.launching = null;
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        connection.failAll((name) => ({
          code: this.phase === 'closing' || this.phase === 'closed' ? 'ENGINE_STOPPED' : 'ENGINE_RESTARTING',
          message: `${name}: the engine process exited (${how}) before answering; it may or may not have been carried out`,
        }));
        if (this.current?.process === child) this.current = null;
        if (this.phase === 'closing' || this.phase === 'closed') {
          if (!ready) resolve({ code: 'ENGINE_STOPPED', message: 'closed before the engine process was ready' });
          return;
        }
        if (!ready && !afterCrash) {
          // The first start failing is the caller's to report (a locked directory is not a crash to retry).
          resolve(failed ?? { code: 'INTERNAL', message: `the engine process exited (${how}) before its engine was open` });
          return;
        }
        if (!ready) resolve(failed);
        this.crashed(failed ? `${how}: ${failed.message}` : how, Date.now() - startedAt);
      });
    });
  }

  private crashed(how: string, ranMs: number): void {
    this.crashes = ranMs >= (this.options.stableMs ?? 60_000) ? 1 : this.crashes + 1;
    this.lastCrash = { message: `the engine process exited (${how})`, at: new Date().toISOString() };
    const max = this.options.maxCrashes ?? 5;
    if (this.crashes >= max) {
      this.phase = 'stopped';
      const message = `${this.lastCrash.message}; it crashed ${this.crashes} times in a row, each within ${Math.round((this.options.stableMs ?? 60_000) / 1000)} s of starting, so Tessera stopped restarting it: see the log above, then restart Tessera`;
      this.options.logger.error(message);
      this.announce('stopped', message);
      this.wakeWaiters();
      return;
    }
    const delay = Math.min((this.options.initialDelayMs ?? 500) * 2 ** (this.crashes - 1), this.options.maxDelayMs ?? 30_000);
    this.phase = 'restarting';
    const message = `${this.lastCrash.message}; restarting in ${(delay / 1000).toFixed(1)} s (attempt ${this.crashes} of ${max - 1})`;
    this.options.logger.warn(message);
    this.announce('restarting', message);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.phase === 'restarting') void this.launch(true);
    }, delay);
  }

  private answerCipher(child: EngineProcess, call: Extract<FromEngine, { type: 'cipher' }>): void {
    const cipher = this.options.cipher;
    const answer = cipher
      ? (call.op === 'seal' ? cipher.seal(call.text) : cipher.open(call.text)).then((result) => ({ ok: true as const, result }))
      : Promise.resolve({ ok: false as const, error: { code: 'INTERNAL' as const, message: 'this host seals no credentials' } });
    void answer
      .catch((error: unknown) => ({ ok: false as const, error: serializeError(error) }))
      .then((reply) => child.post({ type: 'cipher-reply', id: call.id, reply }));
  }

  private announce(state: EngineState['state'], message: string): void {
    this.events.emit('engine.state', { state, message, restarts: this.restarts });
  }

  /** The `engine` health check: only once the process has crashed (before that there is nothing to say that the others do not). */
  private engineChecks(): HealthCheck[] {
    if (this.lastCrash === null && this.phase === 'running') return [];
    const checkedAt = new Date().toISOString();
    switch (this.phase) {
      case 'running':
        return [
          {
            name: 'engine',
            state: 'ok',
            message: `restarted ${this.restarts} time(s); last crash at ${this.lastCrash?.at}: ${this.lastCrash?.message}`,
            checkedAt,
          },
        ];
      case 'stopped':
        return [{ name: 'engine', state: 'failed', message: `stopped restarting: ${this.lastCrash?.message}`, checkedAt }];
      default:
        return [{ name: 'engine', state: 'failed', message: `restarting: ${this.lastCrash?.message ?? 'starting'}`, checkedAt }];
    }
  }

  private untilReady(name: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        if (signal?.aborted) reject(signal.reason);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        reject(this.unavailable(name));
      }, this.options.requestWaitMs ?? 15_000);
      this.readyWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wakeWaiters(): void {
    for (const wake of [...this.readyWaiters]) wake();
  }

  private unavailable(name: string): TesseraError {
    if (this.phase === 'restarting' || this.phase === 'starting')
      return new TesseraError(
        'ENGINE_RESTARTING',
        `${name}: the engine is restarting after a crash (${this.lastCrash?.message ?? 'starting'}); try again in a moment`,
      );
    if (this.phase === 'stopped')
      return new TesseraError('ENGINE_STOPPED', `${name}: the engine is not running: ${this.lastCrash?.message}; Tessera stopped restarting it`);
    return new TesseraError('ENGINE_STOPPED', `${name}: the engine is shutting down`);
  }
}
