/**
 * "Save as plan" (issue 17): a job someone started by hand, written as a plan file that starts the
 * same job, so an ad hoc preseed becomes plans as code without retyping it. The params are the
 * contract's as the job holds them, less every value the kind's schema would fill in by itself
 * (a plan states what was chosen, not the defaults of the version that wrote it); the file reads
 * back through parsePlanFile to exactly the job's params (tested).
 */
import { stringify } from 'yaml';
import type { JobSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { type JobKind, KIND_CONTRACTS, cacheOf, pathsOf } from '../../shared/kinds/index.js';
import { pathStem, slugPlanName } from '../../shared/plan-name.js';

export interface PlanFromJob {
  /** A file name for the plan: its name and `.yaml`. */
  fileName: string;
  yaml: string;
}

/**
 * The plan file of a job not started yet ("Save as plan" on the preseed form): the same file as
 * planFromJob writes once it has run, name included (a name typed in the form, else the output's).
 */
export function planFromInput(input: { kind: JobKind; name?: string; params: unknown }, now: Date = new Date()): PlanFromJob {
  const typed = input.name?.trim() ?? '';
  const job = { id: 0, kind: input.kind, name: typed, params: input.params as JobSummary['params'] };
  return planFromJob(job, now, { madeFrom: 'the preseed form', named: typed !== '' });
}

export interface PlanNaming {
  /** Where the plan came from, for its header ("job 12", "the preseed form"). */
  madeFrom?: string;
  /**
   * Whether someone gave the job its name: then the plan is named after it ("Hillshade west" →
   * Hillshade-west). A name the kind made up ("preseed-raster bluemarble.tif → bm.mbtiles") is
   * long and says what the params say: the plan is named after what the job makes instead (bm).
   */
  named: boolean;
}

/**
 * A plan's name (shared/plan-name.ts): the job's own name when someone gave it, else the stem of
 * the cache it makes or checks, else of the first file it reads, else the job's name made valid.
 */
export function defaultPlanName(job: Pick<JobSummary, 'id' | 'kind' | 'name' | 'params'>, named: boolean): string {
  const typed = named ? slugPlanName(job.name) : '';
  if (typed) return typed;
  const cache = cacheOf(job as Parameters<typeof cacheOf>[0]);
  const read = pathsOf(job as Parameters<typeof pathsOf>[0]).find((use) => use.access === 'read' && !use.path.startsWith('upload:'));
  const path = cache?.path ?? read?.path ?? '';
  return slugPlanName(pathStem(path)) || planName(job.name, job.id);
}

/** The plan file that starts `job` again (`now` dates its header). */
export function planFromJob(
  job: Pick<JobSummary, 'id' | 'kind' | 'name' | 'params'>,
  now: Date = new Date(),
  naming: PlanNaming = { named: true },
): PlanFromJob {
  const madeFrom = naming.madeFrom ?? `job ${job.id}`;
  const params = job.params as Record<string, unknown>;
  const uploaded = pathsOf({ kind: job.kind, params } as Parameters<typeof pathsOf>[0]).filter((use) => use.path.startsWith('upload:'));
  if (uploaded.length)
    throw new TesseraError(
      'BAD_INPUT',
      `id: job ${job.id} ingested files uploaded through the console (${uploaded.length}); a plan names files on this machine: ingest them by path to make a plan of it`,
      { details: { issues: [{ field: 'id', message: 'the job ingested uploaded files, not paths' }] } },
    );
  const name = defaultPlanName(job, naming.named);
  const text = stringify({ name, kind: job.kind, params: withoutDefaults(job.kind, params) }, { lineWidth: 0 });
  const header = `# Made by Tessera from ${madeFrom}${job.name ? ` ("${job.name.replace(/[\r\n]/g, ' ')}")` : ''} on ${now.toISOString().slice(0, 10)}.\n# Add a schedule ("0 3 * * *" or "every 6h") or refresh: { olderThan: 7d } as needed.\n`;
  return { fileName: `${name}.yaml`, yaml: header + text };
}

/** A job name as a plan name: letters, digits, ".", "_" and "-", starting with a letter or digit. */
export function planName(jobName: string, id: number): string {
  return slugPlanName(jobName) || `job-${id}`;
}

/** `params` without the top-level values the kind's schema fills in by itself when they are left out. */
function withoutDefaults(kind: JobKind, params: Record<string, unknown>): Record<string, unknown> {
  const schema = KIND_CONTRACTS[kind].params;
  const full = JSON.stringify(schema.parse(params));
  const kept = { ...params };
  for (const key of Object.keys(params)) {
    const { [key]: _dropped, ...rest } = kept;
    const parsed = schema.safeParse(rest);
    if (parsed.success && JSON.stringify(parsed.data) === full) delete kept[key];
  }
  return kept;
}
