/**
 * The engine a command that changes things (runs, cancels, estimates, deletes) works with: the
 * running console's, over its loopback host, while one holds the data directory (client mode,
 * engine-client.ts); otherwise one opened in this process, taking the lock. Both are used through
 * the contract's handlers, so a command's output and exit code are the same either way.
 */
import type { ContractHandlers, JobProgress, JobSummary } from '../../shared/contract.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { type Connection, readConnection } from '../hosts/connection-file.js';
import { openEngine } from './command-support.js';
import { RemoteEngine } from './engine-client.js';
import { request } from './request.js';

export interface JobEngine {
  readonly handlers: ContractHandlers;
  /** The console this command talks to; null when it opened the data directory itself. */
  readonly console: Connection | null;
  /** Progress of every job (subscribe before submitting: the stream is already open). */
  onProgress(listener: (progress: JobProgress) => void): () => void;
  /** Resolves with the job once it has ended. */
  waitFor(id: number): Promise<JobSummary>;
  /**
   * Waits for what job `id` leaves running after it ends (the analyses of the datasets it made:
   * invalid geometries, thumbnail, preview), so the summary reads them finished in both modes.
   */
  settle(id: number): Promise<void>;
  /** Where a credential given on the command line is saved: the engine's store, by its contract request. */
  readonly credentials: Pick<CredentialStore, 'save'>;
  close(): Promise<void>;
}

/**
 * Opens the engine for a command: the console's when a live one left its connection file, else
 * this process's (DATA_DIR_LOCKED still, when the holder is a console that offers no connection:
 * one listening beyond loopback). `events`: open the event stream now (commands that follow a job).
 */
export async function openJobEngine(dataDir: string, holder: string, options: { events?: boolean } = {}): Promise<JobEngine> {
  const connection = readConnection(dataDir);
  if (connection) {
    const remote = new RemoteEngine(connection);
    try {
      await remote.ping();
      if (options.events) await remote.listen();
    } catch (error) {
      await remote.close();
      throw error;
    }
    return {
      handlers: remote.handlers,
      console: connection,
      onProgress: (listener) => remote.on('job.progress', listener),
      waitFor: (id) => remote.waitFor(id),
      settle: (id) => remote.analysesDone(id),
      credentials: { save: (credential) => request(remote.handlers, 'credentials.save', credential) },
      close: () => remote.close(),
    };
  }
  const engine = await openEngine(dataDir, holder);
  return {
    handlers: engine.handlers,
    console: null,
    onProgress: (listener) => engine.events.on('job.progress', listener),
    waitFor: (id) => engine.waitFor(id),
    settle: () => engine.catalog.analysesDone(),
    credentials: engine.credentials,
    close: () => engine.close(),
  };
}
