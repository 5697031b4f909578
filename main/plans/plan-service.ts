/**
 * The engine's plan requests (plans.check, plans.apply) for folder sources. Reading a folder and
 * diffing is free to run at any time; applying is single-flight per source, so a reconcile asked
 * for while one runs makes exactly one more after it and never two jobs for one change.
 */
import type { JobStartInput, JobSummary, PathUse } from '../../shared/contract.js';
import type { PlanReport } from '../../shared/plan-shapes.js';
import type { PlanRecords } from '../store/plan-records.js';
import { checkoutGitSource, isGitSource, parseGitSource } from './git-source.js';
import { type PlanSnapshot, readPlanFolder } from './plan-source.js';
import { applyPlans, diffPlans } from './reconcile.js';
import type { Logger } from '../logging/logger.js';
import { PlanSync } from './plan-sync.js';
import { SingleFlight } from './single-flight.js';

export interface PlanServiceOptions {
  /** Where git sources are checked out (plan-sources/ under it). */
  dataDir: string;
  records: PlanRecords;
  /** The job a record names, or null when it is gone. */
  job(id: number): JobSummary | null;
  /** jobs.start, as a person would call it. */
  start(input: JobStartInput): Promise<JobSummary>;
  /** The engine's path policy, for the source folder itself. */
  assertPaths(uses: PathUse[]): Promise<void>;
  now?: () => Date;
  /** Sources kept reconciled and on schedule while the engine runs (PlanSync), and where it reports. */
  sync?: { sources: readonly string[]; intervalMs?: number; logger: Logger; setHealth(state: 'ok' | 'failed' | 'disabled', message: string): void };
}

export class PlanService {
  private readonly flights = new Map<string, SingleFlight<PlanReport>>();
  private readonly now: () => Date;
  private sync: PlanSync | null = null;

  constructor(private readonly options: PlanServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** What a reconcile of `source` would do now (`tessera plans diff` / `plans list`). */
  async check(source: string): Promise<PlanReport> {
    const snapshot = await this.snapshot(source);
    return diffPlans({ snapshot, records: this.options.records.list(source), job: this.options.job, now: this.now() });
  }

  /**
   * The plans of a source now: a folder read as it is (the path policy applies to it), or a git
   * source fetched and read at its branch's tip (the commit is named in the report).
   */
  private async snapshot(source: string): Promise<PlanSnapshot> {
    if (!isGitSource(source)) {
      await this.options.assertPaths([{ field: 'source', path: source, access: 'read' }]);
      return readPlanFolder(source);
    }
    const git = parseGitSource(source);
    const { folder, commit } = await checkoutGitSource(this.options.dataDir, git);
    return { ...(await readPlanFolder(folder)), source, commit };
  }

  /** Reconciles `source`: starts the jobs of new and changed plans and of schedules that are due, records removed ones. */
  async apply(source: string): Promise<PlanReport> {
    if (isGitSource(source))
      parseGitSource(source); // refuses a bad source before queueing a run
    else await this.options.assertPaths([{ field: 'source', path: source, access: 'read' }]);
    let flight = this.flights.get(source);
    if (!flight) {
      flight = new SingleFlight(() => this.reconcile(source));
      this.flights.set(source, flight);
    }
    return flight.run();
  }

  /** Starts keeping the configured sources reconciled (nothing when there are none). */
  startSync(): void {
    const sync = this.options.sync;
    if (!sync) return;
    this.sync = new PlanSync({ ...sync, apply: (source) => this.apply(source) });
    this.sync.start();
  }

  /** A file of a kept source changed by Tessera itself ("Save as plan"): reconcile it now. */
  sourceChanged(source: string): void {
    void this.sync?.reconcile(source);
  }

  /** The sources kept reconciled from now on (the settings' plan sources changed). */
  syncSources(sources: readonly string[]): void {
    this.sync?.setSources(sources);
  }

  /** Stops the sync and waits for any reconcile running or queued (the engine calls this before it closes). */
  async close(): Promise<void> {
    this.sync?.close();
    for (const flight of this.flights.values()) await flight.settled();
  }

  private async reconcile(source: string): Promise<PlanReport> {
    const snapshot = await this.snapshot(source);
    const { records } = this.options;
    return applyPlans(
      { snapshot, records: records.list(source), job: this.options.job, now: this.now() },
      {
        start: this.options.start,
        applied: (r) => records.applied(r),
        removed: (s, n, at) => records.removed(s, n, at),
        scheduled: (s, n, at, outcome) => records.scheduled(s, n, at, outcome),
      },
    );
  }
}
