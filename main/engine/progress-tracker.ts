/**
 * A job's live counters, its rate and ETA, and a throttle on how often they are announced.
 *
 * Workers finish tiles by the thousand per second; screens need about ten updates a second at most,
 * and the store needs far fewer. Counters are plain additions on the engine's single thread, so no
 * update is lost to interleaving (unlike `bytes += await f()`).
 */
import type { JobProgress } from '../../shared/contract.js';
import type { Counters } from '../store/job-store.js';

const RATE_WINDOW_MS = 5_000;

/** Counters plus a delta; a unit skipped (see JobProgress.skipped) is one the total no longer counts. */
export function addCounters(counters: Counters, delta: Partial<Counters>): Counters {
  return {
    done: counters.done + (delta.done ?? 0),
    total: counters.total + (delta.total ?? 0),
    failed: counters.failed + (delta.failed ?? 0),
    bytes: counters.bytes + (delta.bytes ?? 0),
    skipped: counters.skipped + (delta.skipped ?? 0),
  };
}

export class ProgressTracker {
  readonly jobId: number;
  private counters: Counters;
  private readonly samples: { at: number; done: number }[] = [];
  private lastEmit = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly minIntervalMs: number;
  private readonly emit: (progress: JobProgress) => void;
  private readonly now: () => number;

  constructor(jobId: number, initial: Counters, emit: (progress: JobProgress) => void, options: { minIntervalMs?: number; now?: () => number } = {}) {
    this.jobId = jobId;
    this.counters = { ...initial };
    this.emit = emit;
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.samples.push({ at: this.now(), done: initial.done });
  }

  add(delta: Partial<Counters>): void {
    this.counters = addCounters(this.counters, delta);
    this.schedule();
  }

  /** Replaces the counters (a finished job's are the sum of its items', read back from the store). */
  set(counters: Counters): void {
    this.counters = addCounters({ done: 0, total: 0, failed: 0, bytes: 0, skipped: 0 }, counters);
  }

  get current(): Counters {
    return { ...this.counters };
  }

  snapshot(): JobProgress {
    const at = this.now();
    this.samples.push({ at, done: this.counters.done });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    const rate = seconds > 0.2 ? (this.counters.done - first.done) / seconds : 0;
    const left = Math.max(0, this.counters.total - this.counters.done);
    return {
      jobId: this.jobId,
      ...this.counters,
      rate: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round(left / rate) : left === 0 && this.counters.total > 0 ? 0 : null,
    };
  }

  /** Announces now (used at state changes, so the final numbers are never throttled away). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastEmit = this.now();
    this.emit(this.snapshot());
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastEmit + this.minIntervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }
}
