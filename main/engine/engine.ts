/**
 * The job engine: owns a data directory, its store and the worker pool; schedules jobs within the
 * concurrency limits; runs each job's items with retries; carries one AbortSignal per job from the
 * cancel request to the worker loops; and announces every change on its event bus.
 *
 * Both hosts and the CLI drive it through `handlers`, the contract's requests.
 */
import { statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import {
  type AppInfo,
  FINISHED_JOB_STATES,
  type HealthCheck,
  type JobEstimate,
  type JobStartInput,
  type JobSummary,
  type QueueState,
  type QuotaStatus,
  type Settings,
  type BulkResult,
  type JobKind,
} from '../../shared/contract.js';
import { type SerializedError, TesseraError, isAbortError, isDiskFull, serializeError, toTesseraError } from '../../shared/errors.js';
import type { ContractHandlers } from './handlers.js';
import { parseRequest } from './handlers.js';
import { type Db, openDatabase } from '../store/database.js';
import { type Counters, JobStore, type StoredItem } from '../store/job-store.js';
import { type DataDirLock, lockDataDir } from './data-dir.js';
import { EventBus } from './event-bus.js';
import { cancelTarget, finalJobState } from '../store/job-states.js';
import type { ItemContext, JobKindPlugin } from '../kinds/job-kind.js';
import { pluginFor } from '../kinds/index.js';
import { sweepIngestStaging } from '../ingest/ingest-kind.js';
import { type Logger, createLogger } from '../logging/logger.js';
import { EngineMetrics } from './metrics.js';
import { type PathUse, assertPathsAllowed, jobPaths, pathPolicy } from '../paths/path-policy.js';
import { type Poller, startPoller } from './poller.js';
import { ProgressTracker } from './progress-tracker.js';
import { buildReport } from '../reports/report.js';
import { storageStatus } from '../disk/storage.js';
import { formatBytes } from '../../shared/format.js';
import { waitForSpace } from '../disk/disk-guard.js';
import { CacheRegistry } from '../tile-cache/cache-registry.js';
import { WorkerPool } from '../pool/worker-pool.js';
import { configureGdal } from '../gdal/gdal-config.js';
import { Catalog } from '../catalog/catalog.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { discoverEsri } from '../esri/discover.js';

export interface EngineOptions {
  dataDir: string;
  host: AppInfo['host'];
  /** What holds the data directory's lock, shown to a second engine that is refused. */
  holder?: string;
  logger?: Logger;
  /** CPU worker threads (default: the cores). */
  threads?: number;
  /** The pool's worker module; defaults to the compiled workers/pool-entry.js. */
  workerFile?: string;
  /** Max attempts per item for transient failures (first try included). */
  maxAttempts?: number;
  /** Backoff between attempts. */
  backoff?: { initialDelayMs: number; maxDelayMs: number };
  /** Interval of the disk check poll. */
  diskCheckIntervalMs?: number;
  /** Interval of the staging area's sweep (uploads no job needs, leftovers of stopped jobs). */
  stagingSweepIntervalMs?: number;
  version?: string;
  /** How long a dry run (jobs.estimate) may take before it is abandoned (TIMEOUT). */
  estimateTimeoutMs?: number;
  /**
   * The headless host listens beyond loopback: every path a request names must lie in a data root
   * (path-policy.ts), as when Settings list data roots.
   */
  exposed?: boolean;
  /** Replaces kinds' plug-ins (tests drive the engine with kinds whose behaviour they control). */
  plugins?: Partial<Record<JobKind, JobKindPlugin<never>>>;
}

/** Room the job store needs to commit (WAL frames, a checkpoint): waited for even with a floor of 0. */
const STORE_HEADROOM_BYTES = 8 * 1024 * 1024;
/** How often, and how long each time, an outcome is tried again on a full store volume. */
const SETTLE_ATTEMPTS = 4;
const SETTLE_WAIT_MS = 15_000;

const DEFAULT_SETTINGS: Settings = {
  maxRunningJobs: 2,
  maxRunningPerKind: {},
  retentionDays: null,
  metricsEnabled: true,
  cacheQuotaBytes: null,
  freeSpaceFloorBytes: 512 * 1024 * 1024,
  ingestJobQuotaBytes: null,
  dataRoots: [],
  allowGdalVirtualPaths: false,
};

interface ActiveJob {
  id: number;
  kind: JobSummary['kind'];
  controller: AbortController;
  tracker: ProgressTracker;
  done: Promise<void>;
  /** What the kind's `begin` made for this run (e.g. its output writer). */
  session?: unknown;
}

export class Engine {
  readonly events: EventBus;
  readonly metrics: EngineMetrics;
  readonly handlers: ContractHandlers;
  readonly store: JobStore;
  readonly dataDir: string;
  /** Tile caches opened for the map preview; both hosts serve their tiles from here. */
  readonly caches = new CacheRegistry();
  readonly catalog: Catalog;
  readonly credentials: CredentialStore;
  private readonly db: Db;
  private readonly lock: DataDirLock;
  private readonly logger: Logger;
  private readonly pool: WorkerPool;
  private readonly options: EngineOptions;
  private readonly active = new Map<number, ActiveJob>();
  private readonly health = new Map<string, HealthCheck>();
  private readonly pollers: Poller[] = [];
  private lastEventId = 0;
  private closing = false;

  private constructor(options: EngineOptions, lock: DataDirLock, db: Db, logger: Logger) {
    this.options = options;
    this.dataDir = options.dataDir;
    this.lock = lock;
    this.db = db;
    this.logger = logger;
    this.store = new JobStore(db);
    this.catalog = new Catalog(db, options.dataDir, (ids) => this.events.emit('catalog.changed', { ids }));
    this.credentials = new CredentialStore(options.dataDir);
    this.events = new EventBus((error) => logger.error('event listener failed', { error: String(error) }));
    this.metrics = new EngineMetrics(() => ({ queued: this.store.countByState().queued ?? 0, running: this.active.size }));
    this.pool = new WorkerPool({ filename: options.workerFile ?? defaultWorkerFile(), threads: options.threads });
    this.pool.onWorkerRestart = (error) => {
      this.metrics.workerRestarts.inc();
      logger.warn(error.message);
    };
    this.lastEventId = this.store.lastEventId();
    this.handlers = this.createHandlers();
  }

  /**
   * Opens the engine on a data directory: takes its lock, opens and migrates the store, then runs
   * the start-up services (crash recovery, disk check, retention), each reporting its health; a
   * failing service is reported, it does not stop the engine.
   */
  static async open(options: EngineOptions): Promise<Engine> {
    // Before any job can read a raster: GDAL fixes its cache size at the first read.
    configureGdal();
    const logger = options.logger ?? createLogger();
    const lock = lockDataDir(options.dataDir, options.holder ?? options.host);
    let db: Db;
    try {
      db = openDatabase(join(options.dataDir, 'jobs.sqlite'));
    } catch (error) {
      lock.release();
      throw error;
    }
    const engine = new Engine(options, lock, db, logger);
    engine.setHealth('store', 'ok', 'job store open and migrated');
    engine.runStartupServices();
    // Analyses (counts, previews) a stopped engine left undone: never a reason not to start.
    try {
      engine.catalog.resumeAnalyses();
    } catch (error) {
      logger.warn('undone dataset analyses were not queued', { error: String(error) });
    }
    await engine.checkDisk();
    engine.pollers.push(startPoller(() => engine.checkDisk(), options.diskCheckIntervalMs ?? 30_000, (e) => logger.warn('disk check failed', { error: String(e) })));
    engine.pollers.push(startPoller(async () => engine.applyRetention(), 6 * 3600_000, (e) => logger.warn('retention failed', { error: String(e) })));
    // Uploads of failed ingests and leftovers of stopped jobs go at start and hourly, not only when an upload arrives.
    const sweep = () => sweepIngestStaging(engine, { jobFolders: 'finished' }).then(() => {});
    await sweep().catch((e: unknown) => logger.warn('staging sweep failed', { error: String(e) }));
    engine.pollers.push(startPoller(sweep, options.stagingSweepIntervalMs ?? 3600_000, (e) => logger.warn('staging sweep failed', { error: String(e) })));
    engine.pump();
    return engine;
  }

  // ------------------------------------------------------------------------------------------
  // Start-up services and health

  private runStartupServices(): void {
    try {
      const ids = this.store.markInterrupted();
      this.setHealth('recovery', 'ok', ids.length ? `marked ${ids.length} job(s) interrupted: ${ids.join(', ')}` : 'no job was left running');
      if (ids.length) this.logger.warn(`found ${ids.length} job(s) left running by a previous process; marked interrupted`, { ids });
    } catch (error) {
      this.setHealth('recovery', 'failed', toTesseraError(error).message);
      this.logger.error('crash recovery failed', { error: String(error) });
    }
    this.applyRetention();
    const settings = this.settings();
    this.setHealth('metrics', settings.metricsEnabled ? 'ok' : 'disabled', settings.metricsEnabled ? 'served at /metrics by the headless host' : 'switched off in settings');
    this.flushEvents();
  }

  private applyRetention(): void {
    const days = this.settings().retentionDays;
    if (days === null) {
      // Switched off: say so at debug only, so a disabled feature stays quiet.
      this.logger.debug('retention is off: job history is kept forever');
      this.setHealth('retention', 'disabled', 'off: history is kept forever');
      return;
    }
    try {
      const purged = this.store.purgeFinishedBefore(new Date(Date.now() - days * 86_400_000));
      this.setHealth('retention', 'ok', `keeps ${days} day(s); purged ${purged} job(s)`);
      if (purged) this.logger.info(`retention purged ${purged} finished job(s) older than ${days} day(s)`);
    } catch (error) {
      this.setHealth('retention', 'failed', toTesseraError(error).message);
    }
  }

  private async checkDisk(): Promise<void> {
    try {
      const fs = await statfs(this.dataDir);
      const free = fs.bavail * fs.bsize;
      const floor = this.settings().freeSpaceFloorBytes;
      if (free < floor) this.setHealth('disk', 'failed', `only ${formatBytes(free)} free in ${this.dataDir} (floor ${formatBytes(floor)})`);
      else this.setHealth('disk', 'ok', `${formatBytes(free)} free in ${this.dataDir}`);
    } catch (error) {
      this.setHealth('disk', 'failed', `cannot read free space of ${this.dataDir}: ${(error as Error).message}`);
    }
  }

  private setHealth(name: string, state: HealthCheck['state'], message: string): void {
    this.health.set(name, { name, state, message, checkedAt: new Date().toISOString() });
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  private createHandlers(): ContractHandlers {
    return {
      'app.info': () => ({ version: this.options.version ?? '0.0.0', host: this.options.host, dataDir: this.dataDir, threads: this.pool.threads }),
      'app.health': () => [...this.health.values()],
      'jobs.list': (i) => this.store.listJobs(i.filter, i.cursor, i.limit),
      'jobs.get': (i) => this.withLiveProgress(this.store.getJob(i.id)),
      'jobs.items': (i) => this.store.listItems(i.id, { states: i.states, cursor: i.cursor, limit: i.limit }),
      'jobs.events': (i) => this.store.events(i.id, i.afterId, i.limit),
      'jobs.tileIssues': (i) => this.store.tileIssues(i.id, i.cursor, i.limit),
      'jobs.start': (i) => this.start(i),
      'jobs.estimate': (i) => this.estimate(i),
      'jobs.cancel': (i) => this.cancel(i.ids),
      'jobs.retry': (i) => this.retry(i.ids),
      'jobs.rerun': (i) => this.rerun(i.id),
      'jobs.report': (i) => buildReport(this.store, i.id, i.format, this.catalog),
      'caches.open': async (i) => {
        await this.assertPaths([{ field: 'path', path: i.path }]);
        return this.caches.open(i.path);
      },
      'catalog.list': (i) => this.catalog.list(i),
      'catalog.get': (i) => this.catalog.get(i.id),
      'catalog.delete': (i) => this.catalog.delete(i.ids),
      'esri.discover': (i) => discoverEsri(i.url, { credentials: this.credentials, credentialId: i.credentialId, signal: AbortSignal.timeout(this.options.estimateTimeoutMs ?? 60_000) }),
      'credentials.save': (i) => this.credentials.save(i),
      'storage.status': () => storageStatus({ dataDir: this.dataDir, settings: this.settings(), extraPaths: this.outputPaths(), jobQuotas: this.jobQuotas() }),
      'queue.get': () => this.queueState(),
      'queue.pause': () => this.setPaused(true),
      'queue.resume': () => this.setPaused(false),
      'settings.get': () => this.settings(),
      'settings.update': async (patch) => {
        const next = { ...this.settings(), ...patch } as Settings;
        this.store.setSetting('settings', next);
        this.setHealth('metrics', next.metricsEnabled ? 'ok' : 'disabled', next.metricsEnabled ? 'served at /metrics by the headless host' : 'switched off in settings');
        this.applyRetention();
        // A new floor changes the disk's health at once, not at the next 30 s poll.
        await this.checkDisk();
        this.pump();
        return next;
      },
    };
  }

  /** Accepts a job (validated against the contract and by its kind) and queues it. */
  async start(input: JobStartInput): Promise<JobSummary> {
    const parsed = parseRequest('jobs.start', input);
    if (this.closing) throw new TesseraError('STORE_UNAVAILABLE', 'the engine is shutting down');
    const plugin = this.plugin(parsed.kind);
    await this.assertPaths(jobPaths(parsed)); // before validate, which would tell whether a file exists
    await plugin.validate?.(parsed.params, this.kindEnvironment());
    const job = this.store.createJob({ kind: parsed.kind, name: parsed.name ?? plugin.describe(parsed.params), params: parsed.params, priority: parsed.priority });
    this.announce(job.id);
    this.events.emit('queue.changed', this.queueState());
    this.pump();
    return this.store.getJob(job.id);
  }

  /** A dry run of a job that is not started: what it would make, need and take. */
  async estimate(input: JobStartInput): Promise<JobEstimate> {
    const parsed = parseRequest('jobs.estimate', input);
    const plugin = this.plugin(parsed.kind);
    await this.assertPaths(jobPaths(parsed));
    if (!plugin.estimate) throw new TesseraError('BAD_INPUT', `kind: ${parsed.kind} jobs have no estimate`, { details: { issues: [{ field: 'kind', message: 'no estimate for this kind' }] } });
    // A dry run reads datasets and renders a sample: bounded, so a slow source cannot hang the form.
    return plugin.estimate(parsed.params, this.kindEnvironment(), AbortSignal.timeout(this.options.estimateTimeoutMs ?? 60_000));
  }

  /** Where the running jobs write, so the storage gauges show those volumes too. */
  private outputPaths(): { path: string; role: string }[] {
    const paths: { path: string; role: string }[] = [];
    for (const id of this.active.keys()) {
      const params = this.store.getJob(id).params as { output?: unknown };
      if (typeof params.output === 'string') paths.push({ path: dirname(params.output), role: `job ${id} output` });
    }
    return paths;
  }

  /** Running jobs' own quotas (an ingest's per-job quota), with what each holds so far. */
  private jobQuotas(): QuotaStatus[] {
    const quotas: QuotaStatus[] = [];
    for (const run of this.active.values()) {
      const job = this.store.getJob(run.id);
      const quota = this.plugin(job.kind).jobQuota?.(job.params, run.session);
      if (quota) quotas.push({ name: `job ${job.id} quota (${job.name})`, jobId: job.id, ...quota });
    }
    return quotas;
  }

  /** Refuses (BAD_INPUT naming the field) paths outside the data roots, where they apply. */
  private assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void> {
    return assertPathsAllowed(uses, pathPolicy(this.settings(), this.dataDir, this.options.exposed ?? false));
  }

  private kindEnvironment() {
    return { settings: () => this.settings(), dataDir: this.dataDir, pool: this.pool, logger: this.logger, catalog: this.catalog, credentials: this.credentials };
  }

  /** Cancels each job: a queued one at once (it never starts), a running one through cancelling. */
  cancel(ids: readonly number[]): BulkResult {
    const result = this.bulk(ids, (id) => {
      const job = this.store.getJob(id);
      const target = cancelTarget(job.state);
      if (target === null) throw new TesseraError('ILLEGAL_TRANSITION', `job ${id} is ${job.state}; there is nothing to cancel`);
      // The signal first: a cancel must stop the work even when the store cannot record it (a full volume).
      this.active.get(id)?.controller.abort();
      this.store.transitionJob(id, target, { message: `cancel requested (${job.state} → ${target})` });
      if (target === 'cancelled') this.cancelQueuedItems(id);
      this.metrics.cancellations.inc({ kind: job.kind });
      this.announce(id);
    });
    this.events.emit('queue.changed', this.queueState());
    return result;
  }

  /** Re-queues what did not succeed in each job (failed items of a partial job, the rest of an interrupted one). */
  retry(ids: readonly number[]): BulkResult {
    const result = this.bulk(ids, (id) => {
      this.store.requeue(id);
      this.announce(id);
    });
    this.events.emit('queue.changed', this.queueState());
    this.pump();
    return result;
  }

  /** A new job with the same kind, params and priority. */
  rerun(id: number): Promise<JobSummary> {
    const job = this.store.getJob(id);
    return this.start({ kind: job.kind, params: job.params, priority: job.priority, name: job.name } as JobStartInput);
  }

  queueState(): QueueState {
    const counts = this.store.countByState();
    return { paused: this.isPaused(), queued: counts.queued ?? 0, running: this.active.size, maxRunning: this.settings().maxRunningJobs };
  }

  settings(): Settings {
    return { ...DEFAULT_SETTINGS, ...(this.store.getSetting<Partial<Settings>>('settings') ?? {}) };
  }

  private plugin(kind: JobKind): JobKindPlugin<unknown> {
    return (this.options.plugins?.[kind] as JobKindPlugin<unknown> | undefined) ?? pluginFor(kind);
  }

  /** Waits until the job reaches a state it does not leave by itself. */
  async waitFor(id: number): Promise<JobSummary> {
    for (;;) {
      const job = this.store.getJob(id);
      if (FINISHED_JOB_STATES.includes(job.state) && !this.active.has(id)) return job;
      const running = this.active.get(id);
      if (running) await running.done;
      // Running in the store but run by nobody: its end could not be recorded (see runJob). It
      // stays so until start-up recovery; waiting for it would never end.
      else if (job.state === 'running' || job.state === 'cancelling') return job;
      else
        await new Promise<void>((resolve) => {
          const off = this.events.on('job.changed', (j) => {
            if (j.id === id) {
              off();
              resolve();
            }
          });
        });
    }
  }

  /** Stops taking jobs, cancels running ones (they end interrupted-free: cancelled), closes everything. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all(this.pollers.map((p) => p.stop()));
    const running = [...this.active.values()];
    for (const job of running) {
      try {
        this.cancel([job.id]);
      } catch {
        // already finishing
      }
    }
    await Promise.allSettled(running.map((j) => j.done));
    await this.catalog.close();
    await this.pool.destroy();
    await this.caches.close();
    this.flushEvents();
    this.db.close();
    this.lock.release();
  }

  // ------------------------------------------------------------------------------------------
  // Scheduling and running

  private isPaused(): boolean {
    return this.store.getSetting<boolean>('queue.paused') ?? false;
  }

  private setPaused(paused: boolean): QueueState {
    this.store.setSetting('queue.paused', paused);
    this.events.emit('queue.changed', this.queueState());
    if (!paused) this.pump();
    return this.queueState();
  }

  /** Starts queued jobs, by priority then age, while the limits allow. */
  private pump(): void {
    if (this.closing || this.isPaused()) return;
    const settings = this.settings();
    for (const candidate of this.store.queuedJobs()) {
      if (this.active.size >= settings.maxRunningJobs) break;
      const perKind = settings.maxRunningPerKind[candidate.kind];
      if (perKind !== undefined && [...this.active.values()].filter((j) => j.kind === candidate.kind).length >= perKind) continue;
      this.launch(candidate.id);
    }
  }

  private launch(id: number): void {
    const job = this.store.transitionJob(id, 'running');
    const controller = new AbortController();
    const tracker = new ProgressTracker(id, job.progress, (p) => this.events.emit('job.progress', p));
    const entry: ActiveJob = { id, kind: job.kind, controller, tracker, done: Promise.resolve() };
    this.active.set(id, entry);
    this.metrics.jobsStarted.inc({ kind: job.kind });
    this.announce(id);
    this.events.emit('queue.changed', this.queueState());
    entry.done = this.runJob(entry).finally(() => {
      this.active.delete(id);
      this.events.emit('queue.changed', this.queueState());
      this.pump();
    });
  }

  private async runJob(run: ActiveJob): Promise<void> {
    const { id, controller, tracker } = run;
    const signal = controller.signal;
    const job = this.store.getJob(id);
    const plugin = this.plugin(job.kind);
    let failure: TesseraError | null = null;
    let began = false;
    // A timed save that fails (a full disk: SQLITE_FULL) must not take the process down from a
    // timer; the items' checkpoints stay the truth and the next save or recovery catches up.
    let saveFailing = false;
    const persist = setInterval(() => {
      try {
        this.store.saveJobCounters(id, tracker.current);
        if (saveFailing) this.logger.info(`job ${id}: its counters are saved again`);
        saveFailing = false;
      } catch (error) {
        // Once per streak: a full volume would otherwise write this line every second.
        if (!saveFailing) this.logger.warn(`job ${id}: could not save its counters (retried every second, said once): ${toTesseraError(error).message}`);
        saveFailing = true;
      }
    }, 1000);
    try {
      if (!this.store.isPlanned(id)) {
        const items = await plugin.plan(job.params, signal, this.kindEnvironment());
        if (items.length === 0) throw new TesseraError('NO_ITEMS', 'the job has nothing to do: its plan is empty');
        this.store.addItems(id, items);
        tracker.add({ total: items.reduce((n, i) => n + (i.total ?? 0), 0) });
        this.announce(id);
      }
      const queue = this.store.runnableItems(id);
      run.session = plugin.begin ? await plugin.begin(job.params, this.kindEnvironment(), signal) : undefined;
      began = true;
      const lanes = Array.from({ length: Math.max(1, plugin.itemConcurrency ?? 1) }, async () => {
        for (let item = queue.shift(); item && !signal.aborted; item = queue.shift()) await this.runItem(run, item);
      });
      await Promise.all(lanes);
    } catch (error) {
      if (!signal.aborted && !isAbortError(error)) {
        failure = toTesseraError(error);
        this.logger.warn(`job ${id} failed: ${failure.message}`, { code: failure.code });
      }
    } finally {
      clearInterval(persist);
    }
    if (began && plugin.end) {
      try {
        await plugin.end(job.params, run.session, { cancelled: signal.aborted, items: this.store.allItems(id) }, this.kindEnvironment());
      } catch (error) {
        if (!signal.aborted && !isAbortError(error)) {
          failure ??= toTesseraError(error);
          this.logger.warn(`job ${id}: completing its output failed: ${failure.message}`, { code: failure.code });
        }
      }
    }
    try {
      await this.finishJob(run, failure);
    } catch (error) {
      // The store could not record the end (its volume stayed full). The job stays `running` in the
      // store, which start-up recovery turns into `interrupted` with its unfinished items queued:
      // nothing is claimed that was not done.
      run.tracker.stop();
      this.setHealth('store', 'failed', `could not record the end of job ${id}: ${toTesseraError(error).message}`);
      this.logger.error(`job ${id}: could not record its end: ${String(error)}`);
    }
  }

  private async finishJob(run: ActiveJob, failure: TesseraError | null): Promise<void> {
    const { id, controller, tracker } = run;
    const aborted = controller.signal.aborted;
    tracker.stop();
    await this.settle(id, controller.signal, () => {
      if (aborted) this.cancelQueuedItems(id);
      // An item still `running` here is one whose outcome could not be recorded (a full store
      // volume): its attempt was cut short, so it goes back to the queue for the next retry.
      for (const item of this.store.itemsInState(id, 'running')) this.store.transitionItem(item.id, aborted ? 'cancelled' : 'queued', { message: `${item.label}: attempt cut short, its outcome was not recorded` });
      this.store.saveJobCounters(id, tracker.current);
      const { items, state: current } = this.store.getJob(id);
      const unfinished = items.queued + items.running;
      let error = failure;
      if (!error && !aborted && unfinished > 0) {
        error = new TesseraError('INTERNAL', `${unfinished} of ${items.total} item(s) did not run to their end; retry the job to run them`, { details: { unfinishedItems: unfinished } });
      }
      const final = current === 'cancelling' || aborted ? 'cancelled' : error ? (items.succeeded > 0 && !failure ? 'partial' : 'failed') : finalJobState(items, false);
      const summary = this.store.transitionJob(id, final, { error: final === 'cancelled' ? null : (error?.toJSON() ?? this.itemFailureSummary(id, items)) });
      this.metrics.jobsFinished.inc({ kind: summary.kind, state: final });
    });
    tracker.flush();
    this.announce(id);
  }

  private async runItem(run: ActiveJob, queued: StoredItem): Promise<void> {
    const { id: jobId, controller, tracker } = run;
    const signal = controller.signal;
    const job = this.store.getJob(jobId);
    const plugin = this.plugin(job.kind);
    let item = this.store.transitionItem(queued.id, 'running');
    let counters: Counters = { done: item.done, total: item.total, failed: item.failed, bytes: item.bytes };
    this.announce(jobId);
    let waitingFor: string | null = null;
    const context: ItemContext = {
      ...this.kindEnvironment(),
      session: run.session,
      signal,
      waitForSpace: (path) =>
        waitForSpace(path, {
          signal,
          floorBytes: () => this.settings().freeSpaceFloorBytes,
          onWait: (message, data) => {
            waitingFor = message;
            this.logger.warn(`job ${jobId}: ${message}`);
            context.event('waiting', `${item.label}: ${message}`, data);
          },
          onResume: (message) => {
            if (waitingFor !== null) context.event('resumed', `${item.label}: ${message}`);
            waitingFor = null;
          },
        }),
      progress: (delta) => {
        counters = { done: counters.done + (delta.done ?? 0), total: counters.total + (delta.total ?? 0), failed: counters.failed + (delta.failed ?? 0), bytes: counters.bytes + (delta.bytes ?? 0) };
        tracker.add(delta);
      },
      checkpoint: (checkpoint) => this.store.saveItemProgress(item.id, counters, checkpoint),
      recordIssues: (issues) => this.store.recordTileIssues(jobId, issues.map((i) => ({ ...i, itemId: item.id }))),
      event: (type, message, data) => {
        this.store.appendEvent(jobId, type, message, data ?? null);
        this.flushEvents();
      },
      count: (metric, n) => this.metrics[metric].inc({ kind: job.kind }, n),
    };
    const policy = retry(
      handleWhen((error) => !isAbortError(error) && toTesseraError(error).transient),
      {
        maxAttempts: (this.options.maxAttempts ?? 4) - 1,
        backoff: new ExponentialBackoff({ initialDelay: this.options.backoff?.initialDelayMs ?? 250, maxDelay: this.options.backoff?.maxDelayMs ?? 30_000 }),
      },
    );
    const onRetry = policy.onRetry((event) => {
      if (!('error' in event)) return;
      this.metrics.retries.inc({ kind: job.kind });
      try {
        this.store.recordAttemptError(item.id, serializeError(event.error), event.delay);
        this.flushEvents();
      } catch (error) {
        // The store's own volume may be the full one: the retry goes on, unrecorded.
        this.logger.warn(`job ${jobId}: could not record a failed attempt of ${item.label}: ${String(error)}`);
      }
    });
    try {
      const result = await policy.execute(async () => {
        item = this.store.getItem(item.id); // a retry resumes from the latest checkpoint
        // ...and so do its counters: what a failed attempt counted after that checkpoint is done again,
        // so it is taken back (else a retried item ends at more than its total).
        const lost = { done: counters.done - item.done, failed: counters.failed - item.failed, bytes: counters.bytes - item.bytes, total: counters.total - item.total };
        if (lost.done || lost.failed || lost.bytes || lost.total) tracker.add({ done: -lost.done, failed: -lost.failed, bytes: -lost.bytes, total: -lost.total });
        counters = { done: item.done, total: item.total, failed: item.failed, bytes: item.bytes };
        try {
          return await plugin.runItem(job.params, item, context);
        } catch (error) {
          // A full volume (the store's SQLITE_FULL, an output's ENOSPC) is waited out like an output
          // below the floor, then the item resumes from its last checkpoint.
          // (A kind that decided a full disk is final, as ingest does for a copy that ran out of room,
          // throws it as not transient: that fails the item at once.)
          if (!signal.aborted && isDiskFull(error) && toTesseraError(error).transient) await this.waitForRoom(jobId, context, job.params);
          throw error;
        }
      }, signal);
      await this.settle(jobId, signal, () => {
        this.store.saveItemProgress(item.id, counters);
        this.store.transitionItem(item.id, 'succeeded', { result });
      });
    } catch (error) {
      await this.settle(jobId, signal, () => {
        this.store.saveItemProgress(item.id, counters);
        if (signal.aborted || isAbortError(error)) {
          this.store.transitionItem(item.id, 'cancelled', { message: `${item.label}: cancelled` });
        } else {
          const e = toTesseraError(error);
          const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined;
          this.store.transitionItem(item.id, 'failed', { error: e.toJSON(), result: details });
        }
      });
    } finally {
      onRetry.dispose();
      try {
        this.announce(jobId);
      } catch (error) {
        this.logger.warn(`job ${jobId}: could not announce its change: ${String(error)}`);
      }
    }
  }

  /**
   * Waits until the data directory's volume (the store writes checkpoints there) and the job's
   * output volume have room again: above the free-space floor and never less than STORE_HEADROOM,
   * since SQLite cannot commit into a volume with a few blocks left even when the floor is 0.
   */
  private async waitForRoom(jobId: number, context: ItemContext, params: unknown): Promise<void> {
    const output = (params as { output?: unknown }).output;
    const paths = [this.dataDir, ...(typeof output === 'string' ? [output] : [])];
    for (const path of paths) {
      await waitForSpace(path, {
        signal: context.signal,
        floorBytes: () => Math.max(this.settings().freeSpaceFloorBytes, STORE_HEADROOM_BYTES),
        onWait: (waiting, data) => {
          // The store's own need, when it is above the floor the user set, is said: a wait "below
          // the 8.0 MiB floor" with the floor set to 0 would read as a bug.
          const message = path === this.dataDir && data.floorBytes > this.settings().freeSpaceFloorBytes ? `${waiting} (the job store needs that much room to record progress)` : waiting;
          this.logger.warn(`job ${jobId}: ${message}`);
          try {
            context.event('waiting', message, data);
          } catch {
            // the store's volume is the full one: the log line above says it
          }
        },
        onResume: (message) => {
          try {
            context.event('resumed', message);
          } catch {
            // as above
          }
        },
      });
    }
  }

  /**
   * Runs a store write that records an outcome (an item's or job's state). When the store's volume
   * is full it waits for room and tries again, so an outcome is never dropped while the work it
   * describes is done; a write that still fails is thrown, and the job ends without claiming
   * success (markInterrupted or the next retry puts its unfinished items back in the queue).
   */
  private async settle(jobId: number, signal: AbortSignal, write: () => void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        write();
        return;
      } catch (error) {
        const e = toTesseraError(error);
        // A cancelled job tries once more only: its user asked it to stop, not to wait for a disk.
        if (!isDiskFull(e) || attempt >= (signal.aborted ? 2 : SETTLE_ATTEMPTS)) throw e;
        this.logger.warn(`job ${jobId}: the job store's volume is full; waiting for room to record an outcome`);
        const wait = signal.aborted ? AbortSignal.timeout(SETTLE_WAIT_MS / 5) : AbortSignal.any([signal, AbortSignal.timeout(SETTLE_WAIT_MS)]);
        await waitForSpace(this.dataDir, {
          signal: wait,
          floorBytes: () => STORE_HEADROOM_BYTES,
          onWait: (message) => this.logger.warn(`job ${jobId}: ${message}`),
        }).catch(() => {});
      }
    }
  }

  /** The job-level error of a job whose items failed: how many, and the first item's reason. */
  private itemFailureSummary(jobId: number, items: JobSummary['items']): SerializedError | null {
    if (items.failed === 0) return null;
    const first = this.store.listItems(jobId, { states: ['failed'], limit: 1 }).rows[0];
    return {
      code: first?.error?.code ?? 'INTERNAL',
      // An item's message names its file (and layer) already: it is not named twice.
      message: `${items.failed} of ${items.total} item(s) failed; first: ${first?.error?.message.startsWith(`${first.label}: `) ? first.error.message : `${first?.label}: ${first?.error?.message ?? 'unknown error'}`}`,
      details: { failedItems: items.failed },
    };
  }

  private cancelQueuedItems(jobId: number): void {
    for (const item of this.store.runnableItems(jobId)) this.store.transitionItem(item.id, 'cancelled', { message: `${item.label}: cancelled before it started` });
  }

  private bulk(ids: readonly number[], action: (id: number) => void): BulkResult {
    const result: BulkResult = { ok: [], failed: [] };
    for (const id of ids) {
      try {
        action(id);
        result.ok.push(id);
      } catch (error) {
        result.failed.push({ id, error: serializeError(error) });
      }
    }
    return result;
  }

  private withLiveProgress(job: JobSummary): JobSummary {
    const live = this.active.get(job.id);
    return live ? { ...job, progress: live.tracker.snapshot() } : job;
  }

  /** Emits the job's summary and any new event-log entries. */
  private announce(jobId: number): void {
    this.events.emit('job.changed', this.withLiveProgress(this.store.getJob(jobId)));
    this.flushEvents();
  }

  private flushEvents(): void {
    for (;;) {
      const batch = this.store.eventsSince(this.lastEventId);
      for (const event of batch) this.events.emit('job.event', event);
      if (batch.length === 0) return;
      this.lastEventId = batch[batch.length - 1]!.id;
    }
  }
}


/** The compiled worker module next to this file in dist/. */
export function defaultWorkerFile(): string {
  return fileURLToPath(new URL('../../workers/pool-entry.js', import.meta.url));
}
