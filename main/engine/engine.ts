/**
 * The job engine: owns a data directory, its store and the worker pool; schedules jobs within the
 * concurrency limits; runs each job's items with retries; carries one AbortSignal per job from the
 * cancel request to the worker loops; and announces every change on its event bus.
 *
 * Both hosts and the CLI drive it through `handlers`, the contract's requests.
 */
import { join } from 'node:path';
import {
  type JobEstimate,
  type JobStartInput,
  type JobSummary,
  type QueueState,
  type Settings,
  type BulkResult,
  type KindedParams,
  pathsOf,
} from '../../shared/contract.js';
import { type RetryChange, retryChange } from './retry-change.js';
import { searchCrs } from '../gdal/crs-search.js';
import { TesseraError, serializeError } from '../../shared/errors.js';
import { type ContractHandlers, parseRequest } from './handlers.js';
import { readOnlyHandlers } from './read-only-handlers.js';
import { type Automation, automation } from './automation.js';
import { type Db, openDatabase } from '../store/database.js';
import { JobStore } from '../store/job-store.js';
import { type DataDirLock, lockDataDir } from './data-dir.js';
import { EventBus } from './event-bus.js';
import { waitForJob } from './wait-for-job.js';
import { cancelTarget } from '../store/job-states.js';
import type { KindEnvironment } from '../kinds/job-kind.js';
import { type BoundKind, bindKind, kindRequest } from '../kinds/index.js';
import { type ActiveJob, JobRunner } from './job-runner.js';
import { runningJobQuotas, runningOutputPaths } from './running-storage.js';
import { EngineHealth } from './health.js';
import { sweepIngestStaging } from '../ingest/ingest-kind.js';
import { type Logger, createLogger } from '../logging/logger.js';
import { EngineMetrics } from './metrics.js';
import { type PathUse, assertPathsAllowed, jobPaths, pathPolicy } from '../paths/path-policy.js';
import { DEFAULT_SETTINGS, type EngineOptions, defaultWorkerFile } from './engine-options.js';
import { type Poller, startPoller } from './poller.js';
import { ProgressTracker } from './progress-tracker.js';
import { storageStatus } from '../disk/storage.js';
import { CacheRegistry } from '../tile-cache/cache-registry.js';
import type { TaskPool } from '../pool/task-pool.js';
import { TaskPools } from './task-pools.js';
import { QueueSetting } from './queue-setting.js';
import { configureQueue, settingsHandlers } from './settings-handlers.js';
import { configureGdal } from '../gdal/gdal-config.js';
import { Catalog } from '../catalog/catalog.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { CacheList } from '../caches/cache-list.js';
import { cacheHandlers } from '../caches/cache-handlers.js';
import { CacheRecords } from '../caches/cache-records.js';

export { defaultWorkerFile, type EngineOptions };

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
  /** The Caches screen's list: jobs' caches and those added by hand (main/caches/). */
  readonly cacheList: CacheList;
  private readonly db: Db;
  private readonly lock: DataDirLock;
  private readonly logger: Logger;
  private readonly pools: TaskPools; // the engine's threads or a task queue's workers: a job cannot tell which
  private readonly queueSetting: QueueSetting;
  private readonly options: EngineOptions;
  private readonly active = new Map<number, ActiveJob>();
  private readonly runner: JobRunner;
  private readonly health: EngineHealth;
  private readonly automated: Automation;
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
    this.cacheList = new CacheList({ store: this.store, records: new CacheRecords(db) });
    this.events = new EventBus((error) => logger.error('event listener failed', { error: String(error) }));
    this.metrics = new EngineMetrics(() => ({ queued: this.store.countByState().queued ?? 0, running: this.active.size }));
    const health = (state: 'ok' | 'failed' | 'disabled', message: string) => this.health.set('queue', state, message);
    this.pools = new TaskPools(options, { logger, metrics: this.metrics, active: this.active, health });
    this.queueSetting = new QueueSetting(this.store, this.credentials);
    this.lastEventId = this.store.lastEventId();
    this.health = new EngineHealth({
      store: this.store,
      dataDir: this.dataDir,
      logger,
      settings: () => this.settings(),
      flushEvents: () => this.flushEvents(),
    });
    this.runner = new JobRunner({
      store: this.store,
      dataDir: this.dataDir,
      logger,
      metrics: this.metrics,
      settings: () => this.settings(),
      environment: (run) => this.kindEnvironment(run?.pool),
      kindOf: (job) => this.kindOf(job),
      announce: (id) => this.announce(id),
      flushEvents: () => this.flushEvents(),
      setHealth: (name, state, message) => this.health.set(name, state, message),
      maxAttempts: options.maxAttempts ?? 4,
      backoff: { initialDelayMs: options.backoff?.initialDelayMs ?? 250, maxDelayMs: options.backoff?.maxDelayMs ?? 30_000 },
    });
    this.automated = automation({
      ...{ db, dataDir: options.dataDir, store: this.store, catalog: this.catalog, caches: this.caches, health: this.health, logger },
      ...{ planSources: options.planSources ?? [], settingsPlanSources: () => this.settings().planSources, planSyncIntervalMs: options.planSyncIntervalMs },
      ...{ events: this.events, credentials: this.credentials, stacPublish: options.stacPublish, stacPublishTuning: options.stacPublishTuning },
      start: (input) => this.start(input),
      assertPaths: (uses) => this.assertPaths(uses),
    });
    this.handlers = this.automated.watch(this.createHandlers());
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
    const lock = lockDataDir(options.dataDir, options.holder ?? options.host, options.lockOwnerPid);
    let db: Db;
    try {
      db = openDatabase(join(options.dataDir, 'jobs.sqlite'));
    } catch (error) {
      lock.release();
      throw error;
    }
    const engine = new Engine(options, lock, db, logger);
    engine.health.set('store', 'ok', 'job store open and migrated');
    const recovered = engine.health.runStartupServices();
    // Analyses (counts, previews) a stopped engine left undone: never a reason not to start.
    try {
      engine.catalog.resumeAnalyses();
    } catch (error) {
      logger.warn('undone dataset analyses were not queued', { error: String(error) });
    }
    await configureQueue({ settings: () => engine.settings(), queueSetting: engine.queueSetting, pools: engine.pools, health: engine.health });
    await engine.health.checkDisk();
    engine.pollers.push(
      startPoller(
        () => engine.health.checkDisk(),
        options.diskCheckIntervalMs ?? 30_000,
        (e) => logger.warn('disk check failed', { error: String(e) }),
      ),
    );
    engine.pollers.push(
      startPoller(
        async () => engine.health.applyRetention(),
        6 * 3600_000,
        (e) => logger.warn('retention failed', { error: String(e) }),
      ),
    );
    // Uploads of failed ingests and leftovers of stopped jobs go at start and hourly, not only when an upload arrives.
    const sweep = () => sweepIngestStaging(engine, { jobFolders: 'finished' }).then(() => {});
    await sweep().catch((e: unknown) => logger.warn('staging sweep failed', { error: String(e) }));
    engine.pollers.push(startPoller(sweep, options.stagingSweepIntervalMs ?? 3600_000, (e) => logger.warn('staging sweep failed', { error: String(e) })));
    // Restarted after its process crashed (main/engine-process/): what was running goes on from its checkpoints.
    if (options.resumeRecovered && recovered.length > 0) engine.retry(recovered);
    engine.pump();
    engine.automated.start();
    return engine;
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  private createHandlers(): ContractHandlers {
    return {
      ...readOnlyHandlers({ store: this.store, catalog: this.catalog, withLiveProgress: (job) => this.withLiveProgress(job) }),
      'app.info': () => ({ version: this.options.version ?? '0.0.0', host: this.options.host, dataDir: this.dataDir, threads: this.pools.pool.threads }),
      // The disk is read again on every ask (one statfs): the pill follows space freed or taken at once, not at the next poll.
      'app.health': async () => {
        await this.health.checkDisk();
        return this.health.list();
      },
      ...this.pools.handlers(this.store),
      'jobs.start': (i) => this.start(i),
      'jobs.estimate': (i) => this.estimate(i),
      'jobs.cancel': (i) => this.cancel(i.ids),
      'jobs.retry': (i) => (i.params === undefined ? this.retry(i.ids) : this.retryWith(i.ids, i.params)),
      'crs.search': (i) => searchCrs(i),
      'jobs.rerun': (i) => this.rerun(i.id),
      'caches.open': (i) => this.assertPaths([{ field: 'path', path: i.path }]).then(() => this.caches.open(i.path)),
      ...cacheHandlers(this.cacheList, (uses) => this.assertPaths(uses)),
      // Imported on first use, like the catalogue's other GDAL code.
      'catalog.previewTiles': async (i) => (await import('../catalog/dataset-tiles.js')).openCatalogTiles(this.caches, this.catalog.get(i.id), this.pools.pool),
      'catalog.delete': (i) => this.catalog.delete(i.ids),
      'esri.discover': kindRequest('esri.discover', () => this.kindEnvironment(), this.options.plugins),
      'credentials.save': (i) => this.credentials.save(i),
      'storage.status': () =>
        storageStatus({
          dataDir: this.dataDir,
          settings: this.settings(),
          extraPaths: runningOutputPaths(this.active.values()),
          jobQuotas: runningJobQuotas(this.active.values(), this.store, (job) => this.kindOf(job)),
        }),
      'queue.get': () => this.queueState(),
      'queue.pause': () => this.setPaused(true),
      'queue.resume': () => this.setPaused(false),
      ...this.automated.handlers,
      ...settingsHandlers({
        ...{ store: this.store, settings: () => this.settings(), queueSetting: this.queueSetting, pools: this.pools, health: this.health },
        runPlanSources: this.options.planSources ?? [],
        syncPlanSources: (sources) => this.automated.plans.syncSources(sources),
        assertPaths: (uses) => this.assertPaths(uses),
        pump: () => this.pump(),
      }),
    };
  }

  /** Accepts a job (validated against the contract and by its kind) and queues it. */
  async start(input: JobStartInput): Promise<JobSummary> {
    const parsed = parseRequest('jobs.start', input);
    if (this.closing) throw new TesseraError('STORE_UNAVAILABLE', 'the engine is shutting down');
    const kind = this.kindOf(parsed);
    await this.assertPaths(jobPaths(parsed)); // before validate, which would tell whether a file exists
    await kind.validate(this.kindEnvironment());
    const job = this.store.createJob({ kind: parsed.kind, name: parsed.name ?? kind.describe(), params: parsed.params, priority: parsed.priority });
    this.announce(job.id);
    this.events.emit('queue.changed', this.queueState());
    this.pump();
    return this.store.getJob(job.id);
  }

  /** A dry run of a job that is not started: what it would make, need and take. */
  async estimate(input: JobStartInput): Promise<JobEstimate> {
    const parsed = parseRequest('jobs.estimate', input);
    const kind = this.kindOf(parsed);
    await this.assertPaths(jobPaths(parsed));
    if (!kind.estimate)
      throw new TesseraError('BAD_INPUT', `kind: ${parsed.kind} jobs have no estimate`, {
        details: { issues: [{ field: 'kind', message: 'no estimate for this kind' }] },
      });
    // A dry run reads datasets and renders a sample: bounded, so a slow source cannot hang the form.
    return kind.estimate(this.kindEnvironment(), AbortSignal.timeout(this.options.estimateTimeoutMs ?? 60_000));
  }

  /** Refuses (BAD_INPUT naming the field) paths outside the data roots, where they apply. */
  assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void> {
    return assertPathsAllowed(uses, pathPolicy(this.settings(), this.dataDir, this.options.exposed ?? false));
  }

  /** `pool`: a running job's own (the one it started on); else the pool for what starts now. */
  private kindEnvironment(pool: TaskPool = this.pools.pool): KindEnvironment {
    return {
      settings: () => this.settings(),
      dataDir: this.dataDir,
      pool,
      logger: this.logger,
      catalog: this.catalog,
      credentials: this.credentials,
      requestTimeoutMs: this.options.estimateTimeoutMs ?? 60_000,
      ...(this.options.spillDir && { spillDir: this.options.spillDir }),
    };
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
      if (target === 'cancelled') this.runner.cancelQueuedItems(id);
      this.metrics.cancellations.inc({ kind: job.kind });
      this.announce(id);
    });
    this.events.emit('queue.changed', this.queueState());
    return result;
  }

  /** Re-queues what did not succeed in each job (failed items of a partial job, the rest of an interrupted one). */
  retry(ids: readonly number[], changes: readonly (RetryChange | { error: unknown } | undefined)[] = []): BulkResult {
    const result = this.bulk(ids, (id) => {
      const change = changes[ids.indexOf(id)];
      if (change && 'error' in change) throw change.error;
      this.store.requeue(id, change);
      this.announce(id);
    });
    this.events.emit('queue.changed', this.queueState());
    this.pump();
    return result;
  }

  /** A retry that changes params first ("Retry with CRS…" gives an ingest its assignCrs): see retry-change.ts. */
  async retryWith(ids: readonly number[], patch: Readonly<Record<string, unknown>>): Promise<BulkResult> {
    const env = this.kindEnvironment();
    const changes = await Promise.all(
      ids.map((id) =>
        Promise.resolve()
          .then(() => retryChange(this.store.getJob(id), patch, (job) => this.kindOf(job), env))
          .catch((error: unknown) => ({ error })),
      ),
    );
    return this.retry(ids, changes);
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

  /** The job's kind with its params bound (tests may replace a kind's plug-in). */
  private kindOf(job: KindedParams): BoundKind {
    return bindKind(job, this.options.plugins);
  }

  /** Waits until the job reaches a state it does not leave by itself. */
  waitFor(id: number): Promise<JobSummary> {
    return waitForJob({ store: this.store, active: this.active, events: this.events }, id);
  }

  /**
   * Stops taking jobs, stops running ones at their next checkpoint, closes everything. A shutdown
   * is not the user's cancel: a running job ends `interrupted` (its unfinished items queued), as a
   * kill -9 leaves it, so `jobs resume` finishes it; a graceful stop must not lose more than a crash.
   * A job already being cancelled ends cancelled, as its user asked.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.automated.close();
    await Promise.all(this.pollers.map((p) => p.stop()));
    const running = [...this.active.values()];
    for (const job of running) {
      job.shutdown = true;
      job.controller.abort();
    }
    await Promise.allSettled(running.map((j) => j.done));
    await this.catalog.close();
    await this.pools.destroy();
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
    // What it writes (a preseed's output): the storage gauges show that volume, a full one is waited out.
    const outputs = pathsOf(job).flatMap((use) => (use.access === 'write' ? [use.path] : []));
    const { pool, release } = this.pools.acquire(id, this.store);
    const entry: ActiveJob = { id, kind: job.kind, controller, tracker, outputs, pool, done: Promise.resolve() };
    this.active.set(id, entry);
    this.metrics.jobsStarted.inc({ kind: job.kind });
    this.announce(id);
    this.events.emit('queue.changed', this.queueState());
    entry.done = this.runner.run(entry).finally(() => {
      release();
      this.active.delete(id);
      this.flushEvents();
      this.events.emit('queue.changed', this.queueState());
      this.pump();
    });
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
