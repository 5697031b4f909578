/**
 * The engine's automation services and their requests (issue 17): plans as code (PlanService,
 * its sync and schedules) and the STAC catalogue of what the engine holds. Kept out of engine.ts,
 * which owns jobs; these only start jobs through it and read its store, catalogue and caches.
 */
import type { ContractHandlers, JobStartInput, JobSummary, PathUse } from '../../shared/contract.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Logger } from '../logging/logger.js';
import { planFromJob } from '../plans/plan-from-job.js';
import { PlanService } from '../plans/plan-service.js';
import { effectivePlanSources } from '../plans/plan-source-setting.js';
import { exportStac } from '../stac/stac-export.js';
import { stacHoldings } from '../stac/stac-holdings.js';
import { searchStac } from '../stac/stac-search.js';
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
  start(input: JobStartInput): Promise<JobSummary>;
  assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void>;
}

export type AutomationRequests = 'plans.sources' | 'plans.check' | 'plans.apply' | 'plans.fromJob' | 'stac.search' | 'stac.export';

export function automation(parts: AutomationParts): { plans: PlanService; handlers: Pick<ContractHandlers, AutomationRequests> } {
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
  return {
    plans,
    handlers: {
      'plans.sources': () => effectivePlanSources(parts.planSources, parts.settingsPlanSources()),
      'plans.check': (i) => plans.check(i.source),
      'plans.apply': (i) => plans.apply(i.source),
      'plans.fromJob': (i) => planFromJob(parts.store.getJob(i.id)),
      'stac.search': (i) => searchStac(holdings(), i),
      'stac.export': async (i) => {
        await parts.assertPaths([{ field: 'directory', path: i.directory }]);
        return exportStac(i.directory, holdings(), { checksums: i.checksums });
      },
    },
  };
}
