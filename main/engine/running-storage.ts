/**
 * What the running jobs add to the storage gauges (storage.status): the volumes they write to,
 * and their own quotas (an ingest's per-job quota) with what each holds so far.
 */
import { dirname } from 'node:path';
import type { KindedParams, QuotaStatus } from '../../shared/contract.js';
import type { BoundKind } from '../kinds/index.js';
import type { JobStore } from '../store/job-store.js';
import type { ActiveJob } from './job-runner.js';

/** Where the running jobs write, so the storage gauges show those volumes too. */
export function runningOutputPaths(active: Iterable<ActiveJob>): { path: string; role: string }[] {
  const paths: { path: string; role: string }[] = [];
  for (const run of active) {
    for (const output of run.outputs) paths.push({ path: dirname(output), role: `job ${run.id} output` });
  }
  return paths;
}

/** Running jobs' own quotas, with what each holds so far. */
export function runningJobQuotas(active: Iterable<ActiveJob>, store: JobStore, kindOf: (job: KindedParams) => BoundKind): QuotaStatus[] {
  const quotas: QuotaStatus[] = [];
  for (const run of active) {
    const job = store.getJob(run.id);
    const quota = kindOf(job).jobQuota(run.session);
    if (quota) quotas.push({ name: `job ${job.id} quota (${job.name})`, jobId: job.id, ...quota });
  }
  return quotas;
}
