/**
 * The registry of job kinds' plug-ins. A new kind adds its contract to shared/kinds/index.ts and
 * its plug-in here; the engine, hosts and CLI need no other change.
 */
import type { ContractHandlers, JobEstimate, JobKind, JobParamsOf, RequestName, RequestParsed, RequestResult } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { NewItem, StoredItem } from '../store/job-store.js';
import type { AnyJobKindPlugin, ItemContext, KindEnvironment } from './job-kind.js';
import { esriMigrateKind } from '../esri/migrate-kind.js';
import { ingestKind } from '../ingest/ingest-kind.js';
import { rasterPreseedKind } from '../preseed/raster/raster-preseed-kind.js';
import { vectorPreseedKind } from '../preseed/vector/vector-preseed-kind.js';
import { truncateKind } from '../truncate/truncate-kind.js';
import { verifyKind } from '../verify/verify-kind.js';

/** One plug-in per kind, each typed by its own kind. */
export type KindPlugins = { [K in JobKind]: AnyJobKindPlugin<K> };

export const JOB_KIND_PLUGINS: KindPlugins = {
  verify: verifyKind,
  'preseed-raster': rasterPreseedKind,
  'preseed-vector': vectorPreseedKind,
  ingest: ingestKind,
  'migrate-esri': esriMigrateKind,
  truncate: truncateKind,
};

/**
 * A job's plug-in with the job's params bound to it: the engine calls a kind only through this,
 * so params of one kind can never reach another kind's plug-in, and the engine need not know any
 * kind's types (its items' spec, checkpoint and session stay the kind's own).
 */
export interface BoundKind {
  kind: JobKind;
  itemConcurrency: number;
  describe(): string;
  validate(env: KindEnvironment): Promise<void>;
  validateRetry(changed: readonly string[], env: KindEnvironment): Promise<void>;
  /** Undefined when the kind has no dry run. */
  estimate: ((env: KindEnvironment, signal: AbortSignal) => Promise<JobEstimate>) | undefined;
  plan(signal: AbortSignal, env: KindEnvironment): Promise<NewItem[]>;
  begin(env: KindEnvironment, signal: AbortSignal): Promise<unknown>;
  end(session: unknown, outcome: { cancelled: boolean; items: readonly StoredItem[] }, env: KindEnvironment): Promise<void>;
  runItem(item: StoredItem, context: ItemContext): Promise<Record<string, unknown>>;
  jobQuota(session: unknown): { limitBytes: number; usedBytes: number } | null;
}

/** Binds `job`'s params to its kind's plug-in (from `plugins`, which tests may replace in part). */
export function bindKind<K extends JobKind>(job: { kind: K; params: JobParamsOf<K> }, plugins: Partial<KindPlugins> = {}): BoundKind {
  const plugin: AnyJobKindPlugin<K> = plugins[job.kind] ?? JOB_KIND_PLUGINS[job.kind];
  const params = job.params;
  const estimate = plugin.estimate;
  return {
    kind: job.kind,
    itemConcurrency: Math.max(1, plugin.itemConcurrency ?? 1),
    describe: () => plugin.describe(params),
    validate: async (env) => plugin.validate?.(params, env),
    validateRetry: async (changed, env) => plugin.validateRetry?.(params, changed, env),
    estimate: estimate && ((env, signal) => estimate.call(plugin, params, env, signal)),
    plan: (signal, env) => plugin.plan(params, signal, env),
    begin: async (env, signal) => plugin.begin?.(params, env, signal),
    end: async (session, outcome, env) => plugin.end?.(params, session, outcome, env),
    runItem: (item, context) => plugin.runItem(params, item, context),
    jobQuota: (session) => plugin.jobQuota?.(params, session) ?? null,
  };
}

/**
 * The handler of a request a kind serves itself (see JobKindPlugin.requests): the engine lists the
 * request, the kind that declares it answers it, with the engine's environment at the time of the call.
 */
export function kindRequest<N extends RequestName>(
  name: N,
  env: () => KindEnvironment,
  plugins: Partial<KindPlugins> = {},
): (input: RequestParsed<N>) => Promise<RequestResult<N>> | RequestResult<N> {
  const all: KindPlugins = { ...JOB_KIND_PLUGINS, ...plugins };
  return (input) => {
    for (const plugin of Object.values(all)) {
      const served: ContractHandlers[N] | undefined = plugin.requests?.(env())[name];
      if (served) return served(input);
    }
    throw new TesseraError('UNKNOWN_REQUEST', `no job kind serves ${name}`, { details: { request: name } });
  };
}
