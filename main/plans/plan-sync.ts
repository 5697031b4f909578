/**
 * The hosted service that keeps plan sources reconciled while the console runs (`tessera serve
 * --plans DIR`): a change in a source folder (fs events, debounced) or the poll (the fallback for
 * file systems without events, and the clock of the schedules) asks for a reconcile; the
 * PlanService's single flight makes overlapping asks one more run, never two at once. Its state is
 * a health check of its own ("plans"): a source that cannot be read fails that check only, never
 * the engine or the other services. With no sources it does nothing and logs nothing. The sources
 * are the command line's (`--plans`) and the settings' (planSources); a settings change takes
 * effect at once (setSources).
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../logging/logger.js';
import { isGitSource } from './git-source.js';
import type { PlanReport } from '../../shared/plan-shapes.js';

export interface PlanSyncOptions {
  sources: readonly string[];
  /** Reconciles one source (PlanService.apply). */
  apply(source: string): Promise<PlanReport>;
  setHealth(state: 'ok' | 'failed' | 'disabled', message: string): void;
  logger: Logger;
  /** The poll: schedules are checked at this period too. */
  intervalMs?: number;
  /** Quiet time after the last file event before reconciling (an editor saves in several writes). */
  debounceMs?: number;
}

export class PlanSync {
  /** Per source: its folder's watcher (null for git sources and folders that cannot be watched). */
  private readonly watched = new Map<string, FSWatcher | null>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private poll: NodeJS.Timeout | undefined;
  private readonly outcome = new Map<string, { ok: boolean; message: string }>();
  private closed = false;

  constructor(private readonly options: PlanSyncOptions) {}

  /** The sources kept reconciled now. */
  get sources(): string[] {
    return [...this.watched.keys()];
  }

  /** Starts watching and polling, and reconciles every source once now. */
  start(): void {
    this.setSources(this.options.sources);
  }

  /**
   * Keeps exactly `sources` reconciled from now on (the settings changed): a new source is watched
   * and reconciled at once; a removed one is no longer watched, polled or reported, and its plans'
   * records and outputs stay as they are (nothing is undone by forgetting a source).
   */
  setSources(sources: readonly string[]): void {
    if (this.closed) return;
    const had = this.watched.size > 0;
    const next = new Set(sources);
    for (const [source, watcher] of this.watched) {
      if (next.has(source)) continue;
      watcher?.close();
      clearTimeout(this.timers.get(source));
      this.timers.delete(source);
      this.watched.delete(source);
      this.outcome.delete(source);
    }
    const added = [...next].filter((source) => !this.watched.has(source));
    for (const source of added) this.watched.set(source, this.watch(source));
    if (this.watched.size === 0) {
      clearInterval(this.poll);
      this.poll = undefined;
      // The last source removed: the check says the service is off (with none from the start, it is never set).
      if (had) this.options.setHealth('disabled', 'no plan sources: add a folder or git repository in Settings or with --plans');
      return;
    }
    if (!this.poll) {
      this.poll = setInterval(() => {
        for (const source of this.watched.keys()) void this.reconcile(source);
      }, this.options.intervalMs ?? 30_000);
      this.poll.unref();
    }
    if (added.length === 0) this.report();
    for (const source of added) void this.reconcile(source);
  }

  private watch(source: string): FSWatcher | null {
    // A git source has no folder to watch: the poll fetches it.
    if (isGitSource(source)) return null;
    try {
      // Recursive watching is native on Linux (Node ≥ 20), macOS and Windows.
      const watcher = watch(source, { recursive: true }, () => this.soon(source));
      watcher.on('error', (error) => this.options.logger.warn('plan source watch failed; the poll goes on', { source, error: String(error) }));
      return watcher;
    } catch (error) {
      this.options.logger.warn('plan source cannot be watched; polling it', { source, error: String(error) });
      return null;
    }
  }

  private soon(source: string): void {
    if (this.closed || !this.watched.has(source)) return;
    clearTimeout(this.timers.get(source));
    const timer = setTimeout(() => void this.reconcile(source), this.options.debounceMs ?? 300);
    timer.unref();
    this.timers.set(source, timer);
  }

  /** One reconcile of a source, its outcome folded into the "plans" health check. Never throws. */
  async reconcile(source: string): Promise<void> {
    if (this.closed || !this.watched.has(source)) return;
    try {
      const report = await this.options.apply(source);
      // Removed from the settings while it ran: its outcome is no longer anyone's concern.
      if (!this.watched.has(source)) return;
      const started = report.plans.filter((p) => p.startedJobId !== undefined);
      if (started.length) this.options.logger.info('plans reconciled', { source, started: started.map((p) => `${p.name}: job ${p.startedJobId}`) });
      // A file that is not a valid plan is a plan not applied: the check says so (the other plans
      // of the source are applied all the same).
      const bad = new Set(report.errors.map((e) => e.file)).size;
      this.outcome.set(source, {
        ok: bad === 0,
        message: `${report.plans.length} plan(s)${bad ? `, ${bad} file(s) not applied: not valid plans (the Plans screen and tessera plans diff show why)` : ''}`,
      });
    } catch (error) {
      if (!this.watched.has(source)) return;
      this.options.logger.warn('plan source reconcile failed', { source, error: String(error) });
      this.outcome.set(source, { ok: false, message: error instanceof Error ? error.message : String(error) });
    }
    this.report();
  }

  private report(): void {
    if (this.closed) return;
    const failed = [...this.outcome].filter(([, o]) => !o.ok);
    const text = [...this.outcome].map(([source, o]) => `${source}: ${o.message}`).join('; ');
    this.options.setHealth(failed.length ? 'failed' : 'ok', text);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.poll);
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const watcher of this.watched.values()) watcher?.close();
  }
}
