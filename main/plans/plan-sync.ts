/**
 * The hosted service that keeps plan sources reconciled while the console runs (`tessera serve
 * --plans DIR`): a change in a source folder (fs events, debounced) or the poll (the fallback for
 * file systems without events, and the clock of the schedules) asks for a reconcile; the
 * PlanService's single flight makes overlapping asks one more run, never two at once. Its state is
 * a health check of its own ("plans"): a source that cannot be read fails that check only, never
 * the engine or the other services. With no sources it does nothing and says nothing.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../logging/logger.js';
import { isGitSource } from './git-source.js';
import type { PlanReport } from '../../shared/plan-shapes.js';

export interface PlanSyncOptions {
  sources: readonly string[];
  /** Reconciles one source (PlanService.apply). */
  apply(source: string): Promise<PlanReport>;
  setHealth(state: 'ok' | 'failed', message: string): void;
  logger: Logger;
  /** The poll: schedules are checked at this period too. */
  intervalMs?: number;
  /** Quiet time after the last file event before reconciling (an editor saves in several writes). */
  debounceMs?: number;
}

export class PlanSync {
  private readonly watchers: FSWatcher[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private poll: NodeJS.Timeout | undefined;
  private readonly outcome = new Map<string, { ok: boolean; message: string }>();
  private closed = false;

  constructor(private readonly options: PlanSyncOptions) {}

  /** Starts watching and polling, and reconciles every source once now. */
  start(): void {
    const { sources, intervalMs = 30_000 } = this.options;
    if (sources.length === 0) return;
    for (const source of sources) {
      // A git source has no folder to watch: the poll fetches it.
      if (isGitSource(source)) continue;
      try {
        // Recursive watching is native on Linux (Node ≥ 20), macOS and Windows.
        const watcher = watch(source, { recursive: true }, () => this.soon(source));
        watcher.on('error', (error) => this.options.logger.warn('plan source watch failed; the poll goes on', { source, error: String(error) }));
        this.watchers.push(watcher);
      } catch (error) {
        this.options.logger.warn('plan source cannot be watched; polling it', { source, error: String(error) });
      }
    }
    this.poll = setInterval(() => {
      for (const source of sources) void this.reconcile(source);
    }, intervalMs);
    this.poll.unref();
    for (const source of sources) void this.reconcile(source);
  }

  private soon(source: string): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(source));
    const timer = setTimeout(() => void this.reconcile(source), this.options.debounceMs ?? 300);
    timer.unref();
    this.timers.set(source, timer);
  }

  /** One reconcile of a source, its outcome folded into the "plans" health check. Never throws. */
  async reconcile(source: string): Promise<void> {
    if (this.closed) return;
    try {
      const report = await this.options.apply(source);
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
    for (const watcher of this.watchers) watcher.close();
  }
}
