/**
 * The registry of job kinds. A new kind adds its params to the contract's JobStartInput and its
 * plug-in here; the engine, hosts and CLI need no other change.
 */
import type { JobKind } from '../../shared/contract.js';
import type { JobKindPlugin } from './job-kind.js';
import { ingestKind } from '../ingest/ingest-kind.js';
import { esriMigrateKind } from '../esri/migrate-kind.js';
import { rasterPreseedKind } from '../preseed/raster/raster-preseed-kind.js';
import { vectorPreseedKind } from '../preseed/vector/vector-preseed-kind.js';
import { verifyKind } from '../verify/verify-kind.js';

export const JOB_KIND_PLUGINS: { [K in JobKind]: JobKindPlugin<never> } = {
  verify: verifyKind as JobKindPlugin<never>,
  'preseed-raster': rasterPreseedKind as JobKindPlugin<never>,
  'preseed-vector': vectorPreseedKind as JobKindPlugin<never>,
  ingest: ingestKind as JobKindPlugin<never>,
  'migrate-esri': esriMigrateKind as JobKindPlugin<never>,
};

export function pluginFor(kind: JobKind): JobKindPlugin<unknown> {
  return JOB_KIND_PLUGINS[kind] as JobKindPlugin<unknown>;
}
