/**
 * The hosted service that keeps a remote STAC API up to date with what this Tessera holds (issue
 * 17): configured by the `stac.publish` store setting (Settings, or `tessera serve --stac-publish
 * URL` for one run). A change (a dataset ingested or deleted, a cache produced, truncated or
 * deleted) asks for a publish; the SingleFlight makes any number of asks during a publish exactly
 * one more publish after it, never two at once and never a change dropped (the reviewed server's
 * STAC sync cancelled itself on a change and never restarted, follow-up 4). A slow poll catches
 * what no event announces (a file removed behind Tessera's back).
 *
 * Its state is the `stac-publish` health check of its own: a dead server fails that check only
 * (its breaker opens, the check names the server and when it will be tried again), never the
 * engine or the other services. Switched off, it has no check and logs at debug only.
 */
import type { StacPublishResult } from '../../shared/stac-shapes.js';
import { toTesseraError } from '../../shared/errors.js';
import { type BreakerOptions, HostBreaker } from '../esri/host-breaker.js';
import type { Logger } from '../logging/logger.js';
import { SingleFlight } from '../plans/single-flight.js';
import { type LocalStac, type PublishOptions, type PublishTarget, publishStac } from './stac-publish.js';

export const STAC_PUBLISH_CHECK = 'stac-publish';

export interface StacPublishServiceOptions {
  /** Where to publish now (settings and --stac-publish), the token opened; null when publishing is off. */
  target(): Promise<PublishTarget | null>;
  /** The holdings as STAC, read at the start of each publish (so a publish sees every earlier change). */
  local(): Promise<LocalStac>;
  setHealth(state: 'ok' | 'failed' | 'disabled', message: string): void;
  logger: Logger;
  prefix: string;
  /** The catch-all poll. Default 10 minutes. */
  intervalMs?: number;
  /** A publish that failed with the breaker still closed is tried again after this. Default 30 s. */
  retryAfterFailureMs?: number;
  breaker?: BreakerOptions;
  retry?: Pick<PublishOptions, 'maxAttempts' | 'backoff' | 'timeoutMs'>;
}

export class StacPublishService {
  private readonly flight = new SingleFlight(() => this.publishOnce());
  private readonly controller = new AbortController();
  private breaker: HostBreaker | null = null;
  private poll: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private reported = false;
  /** Publishes run (tests count them). */
  runs = 0;
  last: StacPublishResult | null = null;

  constructor(private readonly options: StacPublishServiceOptions) {}

  /** Publishes once now (if a target is set) and from then on at each change and poll. */
  start(): void {
    this.poll = setInterval(() => this.changed('poll'), this.options.intervalMs ?? 600_000);
    this.poll.unref();
    this.changed('start');
  }

  /** Something published may have changed: one publish now, or one more after the running one. */
  changed(why: string): void {
    if (this.controller.signal.aborted) return;
    void this.flight.run().catch(() => {
      // Folded into the health check by publishOnce; nothing is lost, the next change or poll tries again.
    });
    this.options.logger.debug('stac publish asked', { why });
  }

  /** The target changed (Settings): a new breaker (a new server's outage is its own), and a publish. */
  retarget(): void {
    this.breaker = null;
    this.changed('target changed');
  }

  /** Resolves once no publish runs or waits to run. */
  settled(): Promise<void> {
    return this.flight.settled();
  }

  get breakerState(): HostBreaker['state'] | null {
    return this.breaker?.state ?? null;
  }

  private async publishOnce(): Promise<StacPublishResult | null> {
    let target: PublishTarget | null;
    try {
      target = await this.options.target();
    } catch (error) {
      // The token cannot be opened (sealed by another keychain, its credential gone): this check fails, nothing else.
      const e = toTesseraError(error);
      this.options.logger.warn('stac publish: its target cannot be read', { code: e.code, error: e.message });
      this.report('failed', `the STAC API's settings cannot be used: ${e.message}`);
      throw error;
    }
    if (target === null) {
      // Switched off: said once, if it had been on; otherwise nothing at all (finding 7).
      if (this.reported) this.options.setHealth('disabled', 'no STAC API to publish to');
      this.options.logger.debug('stac publish: off');
      return null;
    }
    const host = new URL(target.url).host;
    if (this.breaker?.host !== target.url) this.breaker = new HostBreaker(target.url, this.options.breaker);
    this.runs++;
    try {
      const local = await this.options.local();
      const result = await publishStac(target, local, {
        signal: this.controller.signal,
        breaker: this.breaker,
        prefix: this.options.prefix,
        ...this.options.retry,
      });
      this.last = result;
      this.report('ok', `published to ${host}: ${local.items.length} item(s) (${result.created} new, ${result.updated} changed, ${result.deleted} deleted)`);
      return result;
    } catch (error) {
      if (this.controller.signal.aborted) return null;
      const e = toTesseraError(error);
      const open = this.breaker.state !== 'closed';
      const message = open
        ? `${host} is not answering; circuit open, next try after ${new Date(this.breaker.retryAt ?? Date.now()).toISOString()} (${e.message})`
        : `publish to ${host} failed: ${e.message}`;
      this.options.logger.warn('stac publish failed', { target: host, code: e.code, error: e.message, breaker: this.breaker.state });
      this.report('failed', message);
      this.retryLater(open ? (this.breaker.retryAt ?? Date.now()) - Date.now() : (this.options.retryAfterFailureMs ?? 30_000));
      throw error;
    }
  }

  /**
   * A failed publish is tried again by itself (when the breaker lets a probe through, or after a
   * pause), not only at the next change or poll: what changed is never left unpublished for long.
   */
  private retryLater(ms: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.changed('retry after a failed publish'), Math.max(1_000, ms));
    this.retryTimer.unref();
  }

  private report(state: 'ok' | 'failed', message: string): void {
    this.reported = true;
    this.options.setHealth(state, message);
  }

  close(): Promise<void> {
    clearInterval(this.poll);
    clearTimeout(this.retryTimer);
    this.controller.abort();
    return this.flight.settled();
  }
}
