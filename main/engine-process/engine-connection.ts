/**
 * The host's side of one engine process's channel: numbered requests matched to their replies,
 * a caller's AbortSignal sent across as `cancel` (its promise rejects at once, never left pending),
 * and every reply still owed failed together when the process goes (`failAll`).
 *
 * One connection lives as long as one process; the supervisor makes a new one for each restart.
 */
import type { Reply } from '../../shared/contract.js';
import { AbortError, type SerializedError } from '../../shared/errors.js';
import type { ChannelEnd, FromEngine, ToEngine } from './channel-protocol.js';

interface Pending {
  resolve(reply: Reply<unknown>): void;
  reject(error: unknown): void;
  name: string;
}

export class EngineConnection {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: SerializedError | null = null;
  private readonly off: () => void;

  constructor(
    private readonly end: ChannelEnd<ToEngine, FromEngine>,
    onOther: (message: Exclude<FromEngine, { type: 'reply' }>) => void,
  ) {
    this.off = end.onMessage((message) => {
      if (message.type !== 'reply') return onOther(message);
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      waiting.resolve(message.reply);
    });
  }

  /** How many replies are owed. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends request `name` and resolves with its reply (a failure is an `{ ok: false }` reply with
   * its code, as at every host). Rejects only with an AbortError when `signal` fires first.
   */
  request(name: string, input: unknown, signal?: AbortSignal): Promise<Reply<unknown>> {
    if (this.failure) return Promise.resolve({ ok: false, error: this.failure });
    if (signal?.aborted) return Promise.reject(new AbortError());
    const id = this.nextId++;
    return new Promise<Reply<unknown>>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.end.post({ type: 'cancel', id });
        reject(new AbortError(`${name} was cancelled`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done =
        <T>(settle: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          settle(value);
        };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), name });
      try {
        this.end.post({ type: 'request', id, name, input });
      } catch (error) {
        // A channel already closed (the process is exiting): answered as the exit will answer the rest.
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'ENGINE_RESTARTING', message: `${name}: the engine process is not reachable (${String(error)})` } });
      }
    });
  }

  /** The process is gone: every reply owed becomes `error` (with the request's name), and so does every later request. */
  failAll(error: (name: string) => SerializedError): void {
    this.failure ??= error('any request');
    this.off();
    const owed = [...this.pending.values()];
    this.pending.clear();
    for (const waiting of owed) waiting.resolve({ ok: false, error: error(waiting.name) });
  }
}
