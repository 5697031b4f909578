/**
 * The one list of job kinds. JobKind, the params of each kind, the jobs.start input union and the
 * JobSummary union (shared/contract.ts) are all derived from it; a new kind adds its contract
 * module here and its plug-in to main/kinds/index.ts.
 */
import { z } from 'zod';
import type { Footprint, JobCache, KindContract, PathUse } from './kind-contract.js';
import type { JobItem } from '../contract.js';
import type { ProgressUnit } from '../format.js';
import { esriMigrateContract } from './esri-migrate.js';
import { ingestContract } from './ingest.js';
import { rasterPreseedContract } from './raster-preseed.js';
import { vectorPreseedContract } from './vector-preseed.js';
import { truncateContract } from './truncate.js';
import { verifyContract } from './verify.js';
import { JOB_KIND_NAMES, type JobKindName } from './kind-names.js';

export const KIND_CONTRACTS = {
  verify: verifyContract,
  'preseed-raster': rasterPreseedContract,
  'preseed-vector': vectorPreseedContract,
  ingest: ingestContract,
  'migrate-esri': esriMigrateContract,
  truncate: truncateContract,
} as const satisfies Record<JobKindName, unknown>;

/** Job kinds the engine knows. */
export type JobKind = keyof typeof KIND_CONTRACTS;
// The names' own list (kind-names.ts, read by the CLI without zod): `satisfies` above holds it to these keys.
export const JOB_KINDS = [...JOB_KIND_NAMES] as [JobKind, ...JobKind[]];

type ParamsSchema<K extends JobKind> = (typeof KIND_CONTRACTS)[K]['params'];
/** The params of a job of kind K, as the engine stores them (defaults applied). */
export type JobParamsOf<K extends JobKind> = z.output<ParamsSchema<K>>;
/** The params of a job of any kind (narrow by the job's `kind`). */
export type JobParams = JobParamsOf<JobKind>;
/** A kind with its own params: what JobSummary and the start input are made of. */
export type KindedParams = { [K in JobKind]: { kind: K; params: JobParamsOf<K> } }[JobKind];

const priority = z.number().int().min(-10).max(10).default(0);
const jobName = z.string().trim().min(1).max(200).optional();

function startInput<K extends JobKind>(kind: K) {
  return z.object({ kind: z.literal(kind), params: KIND_CONTRACTS[kind].params as ParamsSchema<K>, name: jobName, priority }).strict();
}

/** Input of jobs.start (and jobs.estimate): one member per job kind. */
export const JobStartInput = z.discriminatedUnion('kind', [
  startInput('verify'),
  startInput('preseed-raster'),
  startInput('preseed-vector'),
  startInput('ingest'),
  startInput('migrate-esri'),
  startInput('truncate'),
]);
export type JobStartInput = z.input<typeof JobStartInput>;
/** jobs.start's input once parsed: defaults applied, its params typed by its kind. */
export type JobStart = z.output<typeof JobStartInput>;
// Every kind of the list is a member of the union, and nothing else is.
const startKinds: Record<JobKind, true> = {
  verify: true,
  'preseed-raster': true,
  'preseed-vector': true,
  ingest: true,
  'migrate-esri': true,
  truncate: true,
} satisfies Record<JobStart['kind'], true>;
void startKinds;

/** Each kind's contract typed by its own params: indexing it with a job's kind keeps kind and params together. */
type Contracts = { [K in JobKind]: KindContract<ParamsSchema<K>> };
const CONTRACTS: Contracts = KIND_CONTRACTS;

/** Every path a job's params name, read or written. */
export function pathsOf<K extends JobKind>(job: { kind: K; params: JobParamsOf<K> }): PathUse[] {
  return CONTRACTS[job.kind].paths(job.params);
}

/** The tile cache a job is about (its output or the cache it checks), or null. */
export function cacheOf<K extends JobKind>(job: { kind: K; params: JobParamsOf<K> }): JobCache | null {
  return CONTRACTS[job.kind].cache(job.params);
}

/** Where each of a finished job's items did its work. */
export function footprintsOf<K extends JobKind>(job: { kind: K; params: JobParamsOf<K> }, items: readonly JobItem[]): Footprint[] {
  return CONTRACTS[job.kind].footprints(job.params, items);
}

/** What a kind's progress counts. */
export function unitOf(kind: JobKind): ProgressUnit {
  return CONTRACTS[kind].unit;
}

/** The params a retry of this kind may change (see KindContract.retryParams). */
export function retryParamsOf(kind: JobKind): readonly string[] {
  return CONTRACTS[kind].retryParams ?? [];
}

/** Whether jobs of this kind add datasets to the catalogue. */
export function makesDatasets(kind: JobKind): boolean {
  return CONTRACTS[kind].makesDatasets;
}

/** The kinds that add datasets to the catalogue. */
export const DATASET_KINDS: readonly JobKind[] = JOB_KINDS.filter(makesDatasets);

export type { Footprint, JobCache, PathUse } from './kind-contract.js';
