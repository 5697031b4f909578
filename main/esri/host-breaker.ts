/**
 * A circuit breaker per host (cockatiel's), that also knows when it will let the next call
 * through, so a job can say "source unavailable, retrying at 14:05:12" rather than failing items.
 *
 * Only transient failures (timeouts, resets, 429, 5xx, truncated bodies) count against a host: a
 * 400 for a bad where clause means the server is up and answering.
 */
import {
  CircuitState,
  ConsecutiveBreaker,
  type IBackoff,
  type IBackoffFactory,
  type IHalfOpenAfterBackoffContext,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { isAbortError, toTesseraError } from '../../shared/errors.js';

export interface BreakerOptions {
  /** Consecutive transient failures that open the breaker. */
  threshold: number;
  /** How long the first opening lasts; each failed probe doubles it, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 5, openMs: 5_000, maxOpenMs: 60_000 };

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Doubling open periods; remembers the last one handed out so the wait can be announced. */
class DoublingOpen implements IBackoffFactory<IHalfOpenAfterBackoffContext> {
  last = 0;
  constructor(private readonly options: BreakerOptions) {}
  next(context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> {
    const duration = Math.min(this.options.maxOpenMs, this.options.openMs * 2 ** Math.max(0, context.attempt - 1));
    this.last = duration;
    return { duration, next: (c) => this.next(c) };
  }
}

export class HostBreaker {
  readonly policy: CircuitBreakerPolicy;
  /** When the breaker will let a probe through; null while closed. */
  retryAt: number | null = null;
  openedAt: number | null = null;
  /** Consecutive openings in this outage (1 on the first). */
  openings = 0;
  lastError: unknown = null;
  private readonly periods: DoublingOpen;

  constructor(
    readonly host: string,
    options: BreakerOptions = DEFAULT_BREAKER,
  ) {
    this.periods = new DoublingOpen(options);
    this.policy = circuitBreaker(
      handleWhen((error) => !isAbortError(error) && toTesseraError(error).transient),
      { halfOpenAfter: this.periods, breaker: new ConsecutiveBreaker(options.threshold) },
    );
    this.policy.onBreak((reason) => {
      const now = Date.now();
      this.openedAt ??= now;
      this.openings++;
      this.retryAt = now + this.periods.last;
      if ('error' in reason) this.lastError = reason.error;
    });
    this.policy.onReset(() => {
      this.retryAt = null;
      this.openedAt = null;
      this.openings = 0;
    });
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }
}
