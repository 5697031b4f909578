/**
 * The engine process: a Node entry that opens the Engine on a data directory and serves it to its
 * host over a message channel (engine-server.ts). Its supervisor (supervisor.ts) starts it with
 * `child_process.fork` under plain Node (`tessera serve`) or Electron's `utilityProcess.fork` (the
 * desktop app), so GDAL, the store's synchronous writes and the worker pool never share a process
 * with the window or the HTTP host, and a crash here takes down only this process.
 *
 * Life: open → `ready` (or `failed` with the error's code, and exit 1) → requests and events →
 * `close` → the engine closes (as it does in process: running jobs end interrupted, the store closed,
 * the lock released) → `closed` → exit. Signals are the supervisor's business: SIGINT from a
 * terminal reaches the whole process group, and the engine closes when its host says so, not
 * before; SIGTERM sent to this process alone closes it as `close` would.
 */
import { type SerializedError, serializeError } from '../../shared/errors.js';
// Renamed here: Biome takes any use…() call for a React hook (lint/correctness/useHookAtTopLevel).
import { useSecretCipher as installSecretCipher } from '../credentials/secret-cipher.js';
import { Engine } from '../engine/engine.js';
import { engineHostServices } from '../engine/hosted-engine.js';
import { type LogLevel, createLogger } from '../logging/logger.js';
import { type ChannelEnd, type FromEngine, type ToEngine, parseEngineProcessArgs } from './channel-protocol.js';
import { serveEngine } from './engine-server.js';
import { hostCipher } from './host-cipher.js';

/** Electron's `process.parentPort` in a utility process, as far as this entry uses it. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The channel to the host: Electron's parentPort in a utility process, else Node's IPC channel of a forked child. */
function channelToHost(): ChannelEnd<FromEngine, ToEngine> & { close(): void } {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      post: (message) => parentPort.postMessage(message),
      onMessage(listener) {
        const wrapped = (event: { data: unknown }) => listener(event.data as ToEngine);
        parentPort.on('message', wrapped);
        return () => parentPort.off('message', wrapped);
      },
      // Electron ends a utility process whose parent has gone; exiting is enough.
      close: () => process.exit(0),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('the engine process has no channel to its host: start it with child_process.fork or utilityProcess.fork');
  return {
    post: (message) => void send(message),
    onMessage(listener) {
      const wrapped = (message: unknown) => listener(message as ToEngine);
      process.on('message', wrapped);
      return () => process.off('message', wrapped);
    },
    // Disconnecting sends what is queued first; the process then ends when nothing else runs.
    close: () => process.disconnect(),
  };
}

async function main(): Promise<void> {
  const options = parseEngineProcessArgs(process.argv);
  const end = channelToHost();
  const logger = createLogger((options.logLevel as LogLevel | undefined) ?? undefined);
  // A host that dies (kill -9 of `tessera serve`) takes its engine with it, as in one process:
  // nothing is closed, so the next start finds the running jobs and marks them interrupted.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => logger.debug('engine process: SIGINT left to the host, which closes the engine'));

  // Before the engine opens its credential store: the desktop's secrets are sealed by the OS keychain, in the host.
  const cipherName = options.hostCipher;
  installSecretCipher(cipherName === undefined ? null : () => hostCipher(cipherName, end));
  let engine: Engine;
  try {
    engine = await Engine.open({
      dataDir: options.dataDir,
      host: options.host,
      holder: options.holder,
      version: options.version,
      exposed: options.exposed,
      planSources: options.planSources,
      ...(options.stacPublish && { stacPublish: stacPublishTarget(options.stacPublish) }),
      ...(options.queueEnv && process.env[options.queueEnv] && { queue: process.env[options.queueEnv] }),
      ...(options.spillDir && { spillDir: options.spillDir }),
      threads: options.threads,
      lockOwnerPid: options.lockOwnerPid,
      resumeRecovered: options.resumeRecovered,
      logger,
    });
  } catch (error) {
    const wire: SerializedError = serializeError(error);
    // The host reports it (serve's one line, the app's dialog); here it would be said twice.
    logger.debug('the engine could not open', { error: wire.message, code: wire.code });
    end.post({ type: 'failed', error: wire });
    end.close();
    return;
  }

  const stop = serveEngine(
    {
      handlers: engine.handlers,
      events: engine.events,
      services: engineHostServices(engine),
      onInternalError: (error, name) => logger.error(`request ${name} failed`, { error: String(error) }),
    },
    end,
  );
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= engine
      .close()
      .catch((error: unknown) => logger.error('the engine did not close cleanly', { error: String(error) }))
      .finally(() => {
        stop();
        end.post({ type: 'closed' });
        end.close();
        // Whatever still holds the loop (a socket a library left open) does not keep a closed engine's process.
        setTimeout(() => process.exit(0), 2000).unref();
      });
    return closing;
  };
  end.onMessage((message) => {
    if (message.type === 'close') void close();
  });
  process.on('SIGTERM', () => void close());
  end.post({ type: 'ready', pid: process.pid });
}

main().catch((error: unknown) => {
  // Nothing to tell the host through: its exit code and stderr say it (the supervisor logs both).
  process.stderr.write(`tessera engine process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/** The STAC publish target the supervisor named, its token read from the environment variable it named (inherited from the host). */
function stacPublishTarget(o: { url: string; tokenEnv?: string }): { url: string; token?: string } {
  const token = o.tokenEnv === undefined ? undefined : process.env[o.tokenEnv];
  return { url: o.url, ...(token && { token }) };
}
