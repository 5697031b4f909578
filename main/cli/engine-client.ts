/**
 * The CLI's client mode: the contract spoken to the engine of a running console (`tessera serve`)
 * over its loopback HTTP host, with the token from the data directory's connection file
 * (main/hosts/connection-file.ts). Requests are the host's `POST /api/<name>` with
 * `Authorization: Bearer`; events come from its `/events` WebSocket, opened with the host's own
 * origin (the host refuses an upgrade from any other, and this client is no browser page).
 *
 * The handlers have the contract's shapes, so the commands run the same code in both modes.
 */
import type { ContractHandlers, EventName, Events, JobSummary, Reply, RequestName } from '../../shared/contract.js';
import { FINISHED_JOB_STATES } from '../../shared/job-states.js';
import { TesseraError, fromSerialized } from '../../shared/errors.js';
import type { Connection } from '../hosts/connection-file.js';
import { allRows } from './request.js';

/**
 * How long a request may take before the console is called unresponsive: long, as in-process has
 * no limit and a report or an estimate over large data can take minutes; the first request (the
 * ping) must answer at once.
 */
const REQUEST_TIMEOUT_MS = 10 * 60_000;
const PING_TIMEOUT_MS = 10_000;
/** Between two looks at a job that is being waited for, when no event about it came. */
const WAIT_POLL_MS = 1000;
/** How long a finished job's datasets are waited for while the console analyses them. */
const ANALYSIS_WAIT_MS = 120_000;

/**
 * Socket errors that mean nobody listens at the console's address any more (it was stopped or
 * killed): the console is gone, not slow. undici names a socket closed mid-reply UND_ERR_SOCKET.
 */
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The console went away or cannot be reached: the command fails (exit 1) saying so. */
function unreachable(connection: Connection, error: unknown): TesseraError {
  const reason = errorText(error);
  const gone = GONE.has(reason);
  const who = `the Tessera console (tessera serve, pid ${connection.pid}) at ${connection.origin} that held the data directory`;
  return new TesseraError('IO_ERROR', gone ? `${who} is not running any more (${reason})` : `${who} did not answer (${reason})`, {
    details: { origin: connection.origin, pid: connection.pid, reason, consoleGone: gone },
  });
}

/** Whether `error` says the console this command was talking to is no longer running. */
export function isConsoleGone(error: unknown): boolean {
  return error instanceof TesseraError && (error.details as { consoleGone?: unknown } | undefined)?.consoleGone === true;
}

/**
 * The console died while job `job` ran in it: the job stays where it was (the next engine on the
 * data directory marks it interrupted), so the operator is told which job and how to go on.
 */
export function interruptedByConsole(error: TesseraError, job: { id: number; name: string }): TesseraError {
  return new TesseraError(
    'IO_ERROR',
    `${error.message}: job ${job.id} (${job.name}) ran there and is now interrupted; resume it with: tessera jobs resume ${job.id} (or Resume in the console once it runs again)`,
    { details: { ...(error.details as object), jobId: job.id, resume: `tessera jobs resume ${job.id}` } },
  );
}

function errorText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** One contract request to the console; its refusal comes back as the TesseraError it was. */
export async function callRemote(connection: Connection, name: string, input: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${connection.origin}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${connection.token}` },
      body: JSON.stringify(input ?? {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw unreachable(connection, error);
  }
  const text = await response.text();
  let reply: Reply<unknown>;
  try {
    reply = JSON.parse(text) as Reply<unknown>;
  } catch {
    throw new TesseraError('INTERNAL', `the console answered ${name} with HTTP ${response.status} and no contract reply`, {
      details: { status: response.status },
    });
  }
  // The host's own refusals (a wrong token, a refused origin) are `{ error }` without `ok`.
  if (reply.ok === true) return reply.result;
  const error = (reply as { error?: Parameters<typeof fromSerialized>[0] }).error;
  if (!error) throw new TesseraError('INTERNAL', `the console answered ${name} with HTTP ${response.status} and no contract reply`);
  throw fromSerialized(error);
}

/** The contract's handlers, each one a request to the console. */
export function remoteHandlers(connection: Connection): ContractHandlers {
  return new Proxy({} as ContractHandlers, {
    get: (_, name) => (typeof name === 'string' ? (input: unknown) => callRemote(connection, name as RequestName, input) : undefined),
  });
}

type Listener = (event: EventName, payload: unknown) => void;

/**
 * A running console's engine as the job commands use it: its handlers, its events (the WebSocket,
 * opened on first use) and waiting for a job to end.
 */
export class RemoteEngine {
  readonly handlers: ContractHandlers;
  private socket: import('ws').WebSocket | null = null;
  private readonly listeners = new Set<Listener>();

  constructor(readonly connection: Connection) {
    this.handlers = remoteHandlers(connection);
  }

  /** Asks the console who it is: a connection file whose console does not answer is found out here. */
  async ping(): Promise<void> {
    await callRemote(this.connection, 'app.info', {}, PING_TIMEOUT_MS);
  }

  /** Opens the event stream; resolves once the console has accepted it, so no later event is missed. */
  async listen(): Promise<void> {
    if (this.socket) return;
    const { WebSocket } = await import('ws');
    const url = new URL('/events', this.connection.origin);
    url.protocol = 'ws:';
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.connection.token}`, origin: this.connection.origin },
      perMessageDeflate: false,
    });
    this.socket = socket;
    socket.on('message', (data) => {
      let frame: { event: EventName; payload: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        return;
      }
      for (const listener of this.listeners) listener(frame.event, frame.payload);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_, response) =>
        reject(new TesseraError('FORBIDDEN', `the console refused its event stream (HTTP ${response.statusCode})`)),
      );
      socket.once('error', (error) => reject(unreachable(this.connection, error)));
    });
    // After the open: a console that goes away ends the wait below through its failing requests.
    socket.on('error', () => {});
  }

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    const wrapped: Listener = (name, payload) => {
      if (name === event) listener(payload as Events[E]);
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  /**
   * Resolves with the job once it has ended: on its `job.changed` event, or the next look at it.
   * A look that meets the console's engine process restarting after a crash (ENGINE_RESTARTING)
   * looks again: the restarted engine resumes the job, as the command's user would want.
   */
  async waitFor(id: number): Promise<JobSummary> {
    for (;;) {
      const job = await Promise.resolve(this.handlers['jobs.get']({ id })).catch((error: unknown) => {
        if (error instanceof TesseraError && error.code === 'ENGINE_RESTARTING') return null;
        throw error;
      });
      if (job !== null && FINISHED_JOB_STATES.includes(job.state)) return job;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, WAIT_POLL_MS);
        const off = this.on('job.changed', (j) => {
          if (j.id === id && FINISHED_JOB_STATES.includes(j.state)) done();
        });
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  /**
   * Resolves once no dataset job `id` made is still being analysed in the console (it analyses
   * them itself; the summary should read them finished, as in-process), or after ANALYSIS_WAIT_MS.
   */
  async analysesDone(id: number): Promise<void> {
    const end = Date.now() + ANALYSIS_WAIT_MS;
    for (;;) {
      const pending = (await allRows(this.handlers, 'catalog.list', { limit: 1000 })).some((d) => d.jobId === id && d.analysisPending);
      if (!pending || Date.now() > end) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, WAIT_POLL_MS);
        const off = this.on('catalog.changed', () => done());
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState === socket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }
}
