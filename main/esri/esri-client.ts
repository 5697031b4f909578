/**
 * The HTTP client for ArcGIS REST services, made for flaky networks and servers.
 *
 * - Every request is a POST with a form body: long object-id lists fit, and the token travels in
 *   the body, never in a URL (the reviewed server put both in GET URLs).
 * - Each request has its own timeout (connect, headers and the whole body).
 * - An answer is only a result when it is complete JSON without an Esri error: HTTP 200 with
 *   `{"error": …}`, a body cut short and an HTML page are all failures, never "no features".
 * - Transient failures (timeouts, resets, 429, 5xx, Esri 5xx bodies, truncated bodies) are
 *   retried with exponential backoff and full jitter; a Retry-After header is honoured.
 * - A circuit breaker per host opens after consecutive failures. A job's requests then wait
 *   (announcing "source unavailable, retrying at …"), probe the service when the breaker allows,
 *   and carry on once it answers: a server that is down makes a job wait, not fail.
 * - Permanent failures (400, 403, 404, a refused token) are thrown at once, with the server's
 *   message. A refused token is renewed once when the credential can make a new one.
 * - Secrets are scrubbed from every message and detail the client produces.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError } from 'cockatiel';
import { AbortError, TesseraError, isAbortError, serializeError, type SerializedError } from '../../shared/errors.js';
import { esriErrorOf, esriErrorToTesseraError, failure, httpStatusToTesseraError, parseRetryAfter, reasonOf, type FailureReason } from './esri-errors.js';
import { DEFAULT_BREAKER, HostBreaker, type BreakerOptions } from './host-breaker.js';

/** Where a request's token comes from; see main/credentials/. */
export interface TokenSource {
  /** The token to send (made on first use for a username and password). */
  token(signal: AbortSignal): Promise<string>;
  /** Makes a new token after the server refused one; false when this source cannot. */
  renew(signal: AbortSignal): Promise<boolean>;
  /** Every secret this source knows, to scrub from messages. */
  secrets(): string[];
}

/** The referer generated tokens are bound to; every request sends it as its Referer header. */
export const TOKEN_REFERER = 'https://tessera.invalid/';

export type ClientEvent =
  | { type: 'retry'; url: string; attempt: number; delayMs: number; reason: FailureReason; error: SerializedError }
  | { type: 'unavailable'; host: string; retryAt: string; failures: number; error: SerializedError }
  | { type: 'available'; host: string; downMs: number }
  | { type: 'token-renewed'; host: string };

export interface ClientOptions {
  /** Per-request timeout in ms (connect to last body byte). */
  timeoutMs: number;
  /** First backoff in ms; doubles per attempt up to maxDelayMs; the wait is uniform in [0, that]. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After honoured as given; longer ones are capped (and said so). */
  maxRetryAfterMs: number;
  /** Transient failures of one request before it is given up (a transient error for the caller). */
  maxAttempts: number;
  /**
   * Wait while a host's breaker is open (jobs) instead of failing at once with the last error
   * (discovery, where a person is waiting for an answer).
   */
  waitWhenUnavailable: boolean;
  breaker: BreakerOptions;
  /** Uniform in [0, 1); seeded in tests so runs repeat. */
  random: () => number;
  fetch: typeof fetch;
  userAgent: string;
}

export const DEFAULT_CLIENT: ClientOptions = {
  timeoutMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 10 * 60_000,
  maxAttempts: 8,
  waitWhenUnavailable: true,
  breaker: DEFAULT_BREAKER,
  random: Math.random,
  fetch: (...args) => fetch(...args),
  userAgent: 'Tessera (ArcGIS REST migration)',
};

/** What the client did, for the job report. */
export interface ClientStats {
  requests: number;
  retries: number;
  retriesByReason: Partial<Record<FailureReason, number>>;
  breakerOpenings: number;
  waitedMs: number;
  bytes: number;
  tokenRenewals: number;
}

export function emptyStats(): ClientStats {
  return { requests: 0, retries: 0, retriesByReason: {}, breakerOpenings: 0, waitedMs: 0, bytes: 0, tokenRenewals: 0 };
}

export interface RequestOptions {
  signal: AbortSignal;
  /** Receives retries, outages and recoveries (a job turns them into its event log). */
  onEvent?: (event: ClientEvent) => void;
  /** Counters to add to (an item's own, besides the client's). */
  stats?: ClientStats;
  /** A cheap URL to probe when the breaker allows (the service's JSON); the request's own URL when absent. */
  probeUrl?: string;
  /** Send without a token even when the client has one (the token service itself). */
  anonymous?: boolean;
}

export class EsriClient {
  readonly options: ClientOptions;
  readonly stats = emptyStats();
  private readonly breakers = new Map<string, HostBreaker>();
  private readonly auth: TokenSource | null;

  constructor(options: Partial<ClientOptions> = {}, auth: TokenSource | null = null) {
    this.options = { ...DEFAULT_CLIENT, ...options, breaker: { ...DEFAULT_BREAKER, ...options.breaker } };
    this.auth = auth;
  }

  /** The breaker of a host (created closed on first use). */
  breaker(host: string): HostBreaker {
    let b = this.breakers.get(host);
    if (!b) {
      b = new HostBreaker(host, this.options.breaker);
      this.breakers.set(host, b);
    }
    return b;
  }

  /**
   * POSTs `params` (plus f=json and the token) to `url` and returns the parsed JSON, retrying
   * transient failures as described above. Rejects with AbortError when `signal` fires.
   */
  async request(url: string, params: Record<string, string | number | boolean>, options: RequestOptions): Promise<Record<string, unknown>> {
    const { signal } = options;
    const host = new URL(url).host;
    const breaker = this.breaker(host);
    let attempt = 0;
    let renewed = false;
    let outage: { since: number; announcedRetryAt: number | null } | null = null;

    for (;;) {
      if (signal.aborted) throw new AbortError();
      if (breaker.state !== 'closed') {
        if (!this.options.waitWhenUnavailable) throw this.unavailableError(breaker, url);
        outage ??= { since: breaker.openedAt ?? Date.now(), announcedRetryAt: null };
        await this.waitForProbe(breaker, url, options, outage);
        continue;
      }
      if (outage) {
        options.onEvent?.({ type: 'available', host, downMs: Date.now() - outage.since });
        outage = null;
      }
      attempt++;
      const openings = breaker.openings;
      try {
        return await breaker.policy.execute(() => this.once(url, params, options), signal);
      } catch (error) {
        if (breaker.openings > openings) this.count(options, (s) => (s.breakerOpenings += breaker.openings - openings));
        if (signal.aborted || isAbortError(error)) throw new AbortError();
        if (error instanceof BrokenCircuitError) continue;
        const e = this.scrub(error);
        if (e.code === 'UNAUTHORIZED' && this.auth && !options.anonymous && !renewed) {
          renewed = true;
          let made = false;
          try {
            made = await this.auth.renew(signal);
          } catch (renewError) {
            if (signal.aborted || isAbortError(renewError)) throw new AbortError();
            throw this.scrub(renewError);
          }
          if (made) {
            this.count(options, (s) => s.tokenRenewals++);
            options.onEvent?.({ type: 'token-renewed', host });
            attempt--;
            continue;
          }
        }
        if (!e.transient) throw e;
        const reason = reasonOf(e) ?? 'connection';
        this.count(options, (s) => {
          s.retries++;
          s.retriesByReason[reason] = (s.retriesByReason[reason] ?? 0) + 1;
        });
        if (attempt >= this.options.maxAttempts) {
          throw new TesseraError(e.code, `${e.message} (gave up after ${attempt} attempts)`, { details: e.details, transient: true });
        }
        // The breaker has just opened: the loop waits for it instead of backing off blindly.
        if (breaker.state !== 'closed' && this.options.waitWhenUnavailable) continue;
        const delayMs = this.delayFor(attempt, e);
        options.onEvent?.({ type: 'retry', url, attempt, delayMs, reason, error: e.toJSON() });
        await this.wait(delayMs, signal, options);
      }
    }
  }

  /** Sleeps until the breaker allows a probe, announcing the outage, then probes the service. */
  private async waitForProbe(
    breaker: HostBreaker,
    url: string,
    options: RequestOptions,
    outage: { since: number; announcedRetryAt: number | null },
  ): Promise<void> {
    const { signal } = options;
    const retryAt = breaker.retryAt ?? Date.now();
    if (outage.announcedRetryAt !== retryAt && breaker.state === 'open') {
      outage.announcedRetryAt = retryAt;
      options.onEvent?.({
        type: 'unavailable',
        host: breaker.host,
        retryAt: new Date(retryAt).toISOString(),
        failures: breaker.openings,
        error: serializeError(this.scrub(breaker.lastError ?? new TesseraError('IO_ERROR', 'unreachable'))),
      });
    }
    // A probe already running (half-open) settles the state for everybody: poll briefly.
    await this.wait(breaker.state === 'half-open' ? 50 : Math.max(0, retryAt - Date.now()), signal, options);
    if (breaker.state === 'closed') return;
    const openings = breaker.openings;
    try {
      await breaker.policy.execute(() => this.once(options.probeUrl ?? url, {}, { ...options, anonymous: false }), signal);
    } catch (error) {
      if (breaker.openings > openings) this.count(options, (s) => (s.breakerOpenings += breaker.openings - openings));
      if (signal.aborted || isAbortError(error)) throw new AbortError();
      // A failed probe reopens the breaker (for longer); a permanent answer closes it: the server is up.
    }
  }

  /**
   * The error for a person who cannot wait out an open breaker. It keeps the last failure's code:
   * a refused or reset connection stays IO_ERROR, a timeout TIMEOUT, and only a server that
   * answered 5xx is HTTP_5XX. Always transient: the host may be back in a moment.
   */
  private unavailableError(breaker: HostBreaker, url: string): TesseraError {
    const last = breaker.lastError ? this.scrub(breaker.lastError) : null;
    return failure(
      last?.transient ? last.code : 'IO_ERROR',
      `source unavailable: ${breaker.host} failed ${this.options.breaker.threshold} times in a row${last ? `; last: ${last.message}` : ''}`,
      { reason: reasonOf(last) ?? 'connection', url: url.split('?')[0]! },
      true,
    );
  }

  /** Exponential backoff with full jitter; Retry-After wins when the server gives one. */
  delayFor(attempt: number, error: TesseraError): number {
    const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(this.options.random() * ceiling);
    const retryAfter = (error.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
    if (retryAfter === undefined) return jittered;
    // Honour it, plus a little jitter so many clients told the same second do not return together.
    return Math.min(this.options.maxRetryAfterMs, retryAfter) + Math.round(this.options.random() * Math.min(1000, retryAfter * 0.1));
  }

  private async wait(ms: number, signal: AbortSignal, options: RequestOptions): Promise<void> {
    if (ms <= 0) return;
    const started = Date.now();
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new AbortError();
    } finally {
      const waited = Date.now() - started;
      this.count(options, (s) => (s.waitedMs += waited));
    }
  }

  /** One attempt: POST, read the whole body within the timeout, parse, detect Esri errors. */
  private async once(url: string, params: Record<string, string | number | boolean>, options: RequestOptions): Promise<Record<string, unknown>> {
    const { signal } = options;
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) body.set(k, String(v));
    body.set('f', 'json');
    if (this.auth && !options.anonymous) body.set('token', await this.auth.token(signal));
    const bare = url.split('?')[0]!;
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    this.count(options, (s) => s.requests++);
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await this.options.fetch(bare, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'user-agent': this.options.userAgent,
          referer: TOKEN_REFERER,
        },
        signal: both,
        redirect: 'follow',
      });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (signal.aborted) throw new AbortError();
      if (timeout.aborted)
        throw failure('TIMEOUT', `no complete answer from ${new URL(bare).host} within ${this.options.timeoutMs} ms`, { reason: 'timeout', url: bare });
      throw this.transportError(error, bare);
    }
    this.count(options, (s) => (s.bytes += bytes.byteLength));
    const text = new TextDecoder().decode(bytes);
    const declared = response.headers.get('content-length');
    if (declared !== null && !response.headers.get('content-encoding') && Number(declared) !== bytes.byteLength) {
      throw failure('IO_ERROR', `the answer was cut short: ${bytes.byteLength} of ${declared} bytes`, {
        reason: 'truncated',
        url: bare,
        status: response.status,
      });
    }
    const parsed = parseJson(text);
    if (!response.ok) {
      const esri = parsed.ok ? esriErrorOf(parsed.value) : null;
      if (esri) {
        const e = esriErrorToTesseraError(esri, bare, response.status);
        if (e.transient || response.status < 500) throw e;
      }
      throw httpStatusToTesseraError(
        response.status,
        response.statusText,
        bare,
        parseRetryAfter(response.headers.get('retry-after')),
        parsed.ok ? '' : snippet(text),
      );
    }
    if (!parsed.ok) {
      if (/^\s*[{[]/.test(text))
        throw failure('IO_ERROR', `the answer is not complete JSON (${bytes.byteLength} bytes; cut short?)`, {
          reason: 'truncated',
          url: bare,
          status: response.status,
        });
      throw failure(
        'BAD_INPUT',
        `the server did not answer JSON (is this an ArcGIS REST URL?): ${snippet(text)}`,
        { reason: 'not-json', url: bare, status: response.status },
        false,
      );
    }
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw failure('IO_ERROR', `the answer is JSON but not an object: ${snippet(text)}`, { reason: 'truncated', url: bare, status: response.status });
    }
    const esri = esriErrorOf(value);
    if (esri) {
      const e = esriErrorToTesseraError(esri, bare, response.status);
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfterMs !== undefined && e.transient)
        throw new TesseraError(e.code, e.message, { details: { ...(e.details as object), retryAfterMs }, transient: true });
      throw e;
    }
    return value as Record<string, unknown>;
  }

  private transportError(error: unknown, url: string): TesseraError {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const message = typeof cause?.message === 'string' ? cause.message : error instanceof Error ? error.message : String(error);
    const host = new URL(url).host;
    // undici reports a body cut off mid-stream as "terminated" (UND_ERR_SOCKET as the cause).
    const truncated = error instanceof TypeError && /terminated/i.test(error.message);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return failure('IO_ERROR', `cannot resolve ${host}: ${code}`, { reason: 'connection', url, errno: code }, code === 'EAI_AGAIN');
    }
    if (
      code === 'CERT_HAS_EXPIRED' ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
    ) {
      return failure('BAD_INPUT', `TLS: ${host}'s certificate is not trusted (${code})`, { reason: 'client-error', url, errno: code }, false);
    }
    return failure('IO_ERROR', `${truncated ? 'the answer was cut short' : 'connection failed'} (${host}${code ? `: ${code}` : ''}): ${message}`, {
      reason: truncated ? 'truncated' : 'connection',
      url,
      errno: code,
    });
  }

  private count(options: RequestOptions, apply: (s: ClientStats) => void): void {
    apply(this.stats);
    if (options.stats) apply(options.stats);
  }

  /** Replaces every secret the token source knows with [redacted]. */
  scrub(error: unknown): TesseraError {
    const e =
      error instanceof TesseraError ? error : failure('IO_ERROR', error instanceof Error ? error.message : String(error), { reason: 'connection', url: '' });
    const secrets = this.auth?.secrets().filter((s) => s.length >= 4) ?? [];
    if (secrets.length === 0) return e;
    const clean = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
    const details = e.details === undefined ? undefined : JSON.parse(clean(JSON.stringify(e.details)));
    return new TesseraError(e.code, clean(e.message), { details, transient: e.transient });
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function snippet(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
