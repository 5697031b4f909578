/**
 * `settings.get` and `settings.update`: what a saved setting changes at once (plan sources, the
 * metrics and retention checks, the disk floor, the task queue for jobs started afterwards) and
 * what a reply may hold (the task queue's password never: main/engine/queue-setting.ts).
 */
import type { Settings } from '../../shared/contract.js';
import { toTesseraError } from '../../shared/errors.js';
import type { PathUse } from '../paths/path-policy.js';
import { checkPlanSources, effectivePlanSources } from '../plans/plan-source-setting.js';
import type { JobStore } from '../store/job-store.js';
import type { ContractHandlers } from './handlers.js';
import type { EngineHealth } from './health.js';
import type { QueueSetting } from './queue-setting.js';
import type { TaskPools } from './task-pools.js';

export interface SettingsParts {
  store: JobStore;
  settings(): Settings;
  queueSetting: QueueSetting;
  pools: TaskPools;
  health: EngineHealth;
  /** `--plans` of this run, beside the setting's sources. */
  runPlanSources: readonly string[];
  syncPlanSources(sources: string[]): void;
  assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void>;
  /** Starts what may start now (a limit may have been raised). */
  pump(): void;
}

/** Settings › Task queue (its password unsealed) or `--queue` → the pool new jobs get; the `queue` check says why not. */
export async function configureQueue(parts: Pick<SettingsParts, 'settings' | 'queueSetting' | 'pools' | 'health'>): Promise<void> {
  try {
    const settings = await parts.queueSetting.migrate(parts.settings());
    parts.pools.configure(await parts.queueSetting.connectUrl(settings.queue));
  } catch (error) {
    // Its password cannot be unsealed (another keychain): no queue from the setting, `--queue` still applies.
    parts.pools.configure(null);
    parts.health.set('queue', 'failed', `Settings › Task queue cannot be used: ${toTesseraError(error).message}`);
  }
}

export function settingsHandlers(parts: SettingsParts): Pick<ContractHandlers, 'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => parts.queueSetting.shown(parts.settings()),
    'settings.update': async (patch) => {
      if (patch.planSources) await checkPlanSources(patch.planSources, (uses) => parts.assertPaths(uses));
      const before = parts.settings();
      const queue = patch.queue === undefined ? {} : { queue: await parts.queueSetting.save(patch.queue, before.queue) };
      const next = { ...before, ...patch, ...queue } as Settings;
      parts.store.setSetting('settings', next);
      // Jobs started from now on use the new queue (or none); running ones keep theirs.
      let warnings: string[] = [];
      if (patch.queue !== undefined) {
        await configureQueue(parts);
        await parts.pools.settle();
        // Saved and in effect, but said: an unusable URL would otherwise leave jobs waiting unexplained.
        const warning = parts.pools.queueWarning();
        if (warning) warnings = [warning];
      }
      if (patch.planSources) parts.syncPlanSources(effectivePlanSources([...parts.runPlanSources], next.planSources));
      parts.health.setMetrics(next.metricsEnabled);
      parts.health.applyRetention();
      // A new floor changes the disk's health at once, not at the next 30 s poll.
      await parts.health.checkDisk();
      parts.pump();
      return { ...parts.queueSetting.shown(next), ...(warnings.length > 0 && { warnings }) };
    },
  };
}
