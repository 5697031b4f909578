/**
 * The messages between a host process and its engine process: the contract's requests and events,
 * the host services that are not contract requests (main/engine/hosted-engine.ts), a request's
 * cancellation, and the process's life (ready, failed to open, close, closed).
 *
 * Both transports carry them with the structured clone algorithm (child_process.fork with
 * `serialization: 'advanced'`, Electron's utilityProcess MessagePort), so a tile's Uint8Array
 * crosses as bytes, not as JSON.
 */
import type { AppInfo, EventName, Events, PathUse, Reply, RequestName } from '../../shared/contract.js';
import type { SerializedError } from '../../shared/errors.js';
import type { MetricsText } from '../engine/hosted-engine.js';
import type { TileResponse } from '../tile-cache/cache-registry.js';

/** The host services, as requests on the channel: [input, result]. */
export interface HostServiceRequests {
  'host.tile': [{ id: string; z: number; x: number; y: number }, TileResponse | null];
  'host.metrics': [Record<string, never>, MetricsText | null];
  'host.uploadInUse': [{ id: string }, boolean];
  'host.assertPaths': [{ uses: Pick<PathUse, 'field' | 'path'>[] }, null];
}
export type HostServiceName = keyof HostServiceRequests;
export const HOST_SERVICE_NAMES: readonly HostServiceName[] = ['host.tile', 'host.metrics', 'host.uploadInUse', 'host.assertPaths'];

/** Every request name the channel carries. */
export type ChannelRequestName = RequestName | HostServiceName;
/** Host → engine process. */
export type ToEngine =
  /** `name` is checked and `input` parsed by the engine process's dispatcher, as at any host. */
  | { type: 'request'; id: number; name: string; input: unknown }
  /** The caller gave up on request `id` (its AbortSignal fired): the reply is not wanted. */
  | { type: 'cancel'; id: number }
  /** Close the engine (running jobs end interrupted, resumable; the store is closed), answer `closed`, then exit. */
  | { type: 'close' }
  /** The host's answer to a `cipher` call. */
  | { type: 'cipher-reply'; id: number; reply: Reply<string> };

/** Engine process → host. */
export type FromEngine =
  /** The engine is open (and has resumed what a crash cut short, when asked to). */
  | { type: 'ready'; pid: number }
  /** The engine could not open (a locked data directory, a store newer than the app): not worth a restart. */
  | { type: 'failed'; error: SerializedError }
  | { type: 'reply'; id: number; reply: Reply<unknown> }
  | { type: 'event'; name: EventName; payload: Events[EventName] }
  | { type: 'closed' }
  /**
   * Seal or open a credential secret with the host's cipher: the desktop app's is the OS keychain
   * (Electron's safeStorage), which only its main process can reach.
   */
  | { type: 'cipher'; id: number; op: 'seal' | 'open'; text: string };

/** How the engine process opens its engine: plain data, passed on its command line. */
export interface EngineProcessOptions {
  dataDir: string;
  host: AppInfo['host'];
  holder?: string;
  version?: string;
  exposed?: boolean;
  planSources?: string[];
  /** `tessera serve --stac-publish URL [--token-env VAR]`: the token is read from VAR in the engine process, never put on its command line. */
  stacPublish?: { url: string; tokenEnv?: string };
  /** `--queue redis://…`: the name of the environment variable holding the task queue's URL (it may carry a password, so never on a command line). */
  queueEnv?: string;
  /** `--spill-dir DIR`: where jobs put working files workers must read (EngineOptions.spillDir). */
  spillDir?: string;
  threads?: number;
  /** The supervisor's pid, which the data directory's lock names (main/engine/data-dir.ts). */
  lockOwnerPid?: number;
  /** A restart after a crash: jobs that were running resume at once. */
  resumeRecovered?: boolean;
  /** The name of the host's cipher, when credential secrets are sealed by the host (`cipher` messages) rather than with the file key. */
  hostCipher?: string;
  /** pino's level for the engine's log (stderr); default TESSERA_LOG_LEVEL or info. */
  logLevel?: string;
}

const OPTIONS_FLAG = '--engine-options=';

/** The engine process's command line for `options`. */
export function engineProcessArgs(options: EngineProcessOptions): string[] {
  return [`${OPTIONS_FLAG}${Buffer.from(JSON.stringify(options)).toString('base64url')}`];
}

/** The options on the engine process's command line; throws when they are missing (the entry was started by hand). */
export function parseEngineProcessArgs(argv: readonly string[]): EngineProcessOptions {
  const arg = argv.find((a) => a.startsWith(OPTIONS_FLAG));
  if (arg === undefined) throw new Error(`the engine process is started by its supervisor, with ${OPTIONS_FLAG}…`);
  const options = JSON.parse(Buffer.from(arg.slice(OPTIONS_FLAG.length), 'base64url').toString('utf8')) as EngineProcessOptions;
  if (typeof options.dataDir !== 'string' || typeof options.host !== 'string') throw new Error('the engine options name no data directory or host');
  return options;
}

/** One end of the channel: what both transports (a forked child, a utility process) give. */
export interface ChannelEnd<Out, In> {
  post(message: Out): void;
  /** Subscribes; returns the unsubscribe function. */
  onMessage(listener: (message: In) => void): () => void;
}
