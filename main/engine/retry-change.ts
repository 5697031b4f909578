/**
 * What a retry with new params ("Retry with CRS…") changes in a job: only the params its kind's
 * contract lets a retry change (KindContract.retryParams), parsed by the kind's schema as a start
 * would be, then checked by its plug-in (validateRetry), and said in the job log in the operator's
 * words. The store applies it with the re-queue, in one transaction (JobStore.requeue).
 */
import { type JobParams, type JobSummary, retryParamsOf } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { paramLabel, paramLines } from '../../shared/param-labels.js';
import { parseRequest } from './handlers.js';
import type { KindEnvironment } from '../kinds/job-kind.js';
import type { BoundKind } from '../kinds/index.js';
import type { KindedParams } from '../../shared/contract.js';

export interface RetryChange {
  params: JobParams;
  /** The job log's line: "retried with CRS for sources without one: EPSG:4326". */
  message: string;
  patch: Record<string, unknown>;
}

/**
 * The params `job` runs with after the retry's `patch` (`null` removes a param); BAD_INPUT naming
 * `params.<field>` for a field a retry may not change or a value the kind refuses.
 */
export async function retryChange(
  job: JobSummary,
  patch: Readonly<Record<string, unknown>>,
  kindOf: (job: KindedParams) => BoundKind,
  env: KindEnvironment,
): Promise<RetryChange> {
  const allowed = retryParamsOf(job.kind);
  const issues = Object.keys(patch)
    .filter((field) => !allowed.includes(field))
    .map((field) => ({
      field: `params.${field}`,
      message:
        allowed.length === 0 ? `a retry of this ${job.kind} job changes no params` : `a retry of this ${job.kind} job may change only ${allowed.join(', ')}`,
    }));
  if (issues.length > 0) throw new TesseraError('BAD_INPUT', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
  const merged: Record<string, unknown> = { ...job.params };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete merged[field];
    else merged[field] = value;
  }
  const parsed = parseRequest('jobs.start', { kind: job.kind, params: merged, priority: job.priority, name: job.name });
  await kindOf(parsed).validateRetry(Object.keys(patch), env);
  const said = Object.entries(patch).map(([field, value]) => `${paramLabel(field)}: ${value === null ? 'none' : paramLines(field, value).join(', ')}`);
  return { params: parsed.params, message: `retried with ${said.join('; ')}`, patch: { ...patch } };
}
