/**
 * The engine's automation services and their requests (issue 17): plans as code (PlanService,
 * its sync and schedules) and the STAC catalogue of what the engine holds. Kept out of engine.ts,
 * which owns jobs; these only start jobs through it and read its store, catalogue and caches.
 */
import type { ContractHandlers, JobStartInput, JobSummary, PathUse } from '../../shared/contract.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Logger } from '../logging/logger.js';
import { bindKind } from '../kinds/index.js';
import { planFromInput, planFromJob } from '../plans/plan-from-job.js';
import { savePlan } from '../plans/plan-save.js';
import { PlanService } from '../plans/plan-service.js';
import { effectivePlanSources } from '../plans/plan-source-setting.js';
import { exportStac } from '../stac/stac-export.js';
import { stacHoldings } from '../stac/stac-holdings.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { PublishTarget } from '../stac/stac-publish.js';
import type { EventBus } from './event-bus.js';
import { type StacPublishingParts, type StacRequests, stacPublishing } from './stac-publishing.js';
import type { Db } from '../store/database.js';
import type { JobStore } from '../store/job-store.js';
import { PlanRecords } from '../store/plan-records.js';
import type { CacheRegistry } from '../tile-cache/cache-registry.js';
import type { EngineHealth } from './health.js';

export interface AutomationParts {
  db: Db;
  dataDir: string;
  store: JobStore;
  catalog: Catalog;
  caches: CacheRegistry;
  health: EngineHealth;
  logger: Logger;
  /** `--plans` sources, for this run only (the settings' planSources are kept too). */
  planSources: readonly string[];
  /** The settings' plan sources now. */
  settingsPlanSources(): readonly string[] | undefined;
  planSyncIntervalMs?: number;
  events: EventBus;
  credentials: CredentialStore;
  /** `--stac-publish URL`: publish there while the engine runs (this run only; the setting otherwise). */
  stacPublish?: PublishTarget;
  stacPublishTuning?: StacPublishingParts['tuning'];
  start(input: JobStartInput): Promise<JobSummary>;
  assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void>;
}

export type AutomationRequests =
  | 'plans.sources'
  | 'plans.check'
  | 'plans.apply'
  | 'plans.fromJob'
  | 'plans.fromInput'
  | 'plans.save'
  | 'stac.export'
  | StacRequests;

export interface Automation {
  plans: PlanService;
  handlers: Pick<ContractHandlers, AutomationRequests>;
  /** The engine's handlers, wrapped so that requests that change holdings ask for a STAC publish. */
  watch(all: ContractHandlers): ContractHandlers;
  /** Starts the hosted services (plan sync, STAC publish); each reports its own health. */
  start(): void;
  close(): Promise<void>;
}

export function automation(parts: AutomationParts): Automation {
  const plans = new PlanService({
    dataDir: parts.dataDir,
    records: new PlanRecords(parts.db),
    job: (id) => (parts.store.jobExists(id) ? parts.store.getJob(id) : null),
    start: parts.start,
    assertPaths: parts.assertPaths,
    sync: {
      sources: effectivePlanSources(parts.planSources, parts.settingsPlanSources()),
      intervalMs: parts.planSyncIntervalMs,
      logger: parts.logger,
      setHealth: (state, text) => parts.health.set('plans', state, text),
    },
  });
  const holdings = () => stacHoldings(parts);
  const stac = stacPublishing({ ...parts, holdings, runTarget: parts.stacPublish, tuning: parts.stacPublishTuning });
  return {
    plans,
    watch: stac.watch,
    start() {
      plans.startSync();
      stac.service.start();
    },
    async close() {
      await Promise.all([plans.close(), stac.service.close()]);
    },
    handlers: {
      ...stac.handlers,
      'plans.sources': () => effectivePlanSources(parts.planSources, parts.settingsPlanSources()),
      'plans.check': (i) => plans.check(i.source),
      'plans.apply': (i) => plans.apply(i.source),
      'plans.fromJob': (i) => {
        const job = parts.store.getJob(i.id);
        // A name the kind made up is not the plan's: the plan is named after what the job makes.
        return planFromJob(job, new Date(), { named: job.name !== bindKind(job).describe() });
      },
      'plans.fromInput': (i) => planFromInput(i),
      'plans.save': async (i) => {
        const saved = await savePlan(i, effectivePlanSources(parts.planSources, parts.settingsPlanSources()), parts.assertPaths);
        // The folder's watcher sees it too; this covers file systems without events.
        plans.sourceChanged(i.source);
        return saved;
      },
      'stac.export': async (i) => {
        await parts.assertPaths([{ field: 'directory', path: i.directory }]);
        return exportStac(i.directory, holdings(), { checksums: i.checksums });
      },
    },
  };
}
