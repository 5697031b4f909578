/**
 * The tile cache a job is about, whatever its kind: the cache a verify reads, the output a preseed
 * writes; ingests and migrations make catalogue datasets, not caches. JobSummary's params are a
 * union that its `kind` does not narrow, so the params are narrowed by their own fields here,
 * once, instead of at every place that wants the path.
 */
import type { Bbox, JobState, JobSummary } from '../../shared/contract.js';
import { assertNever } from '../../shared/assert-never.js';

type JobLike = Pick<JobSummary, 'kind' | 'params'>;

/** The cache path of a job: verify's `params.cache`, a preseed's `params.output`; '' for kinds without one. */
export function outputOf(job: JobLike): string {
  const params = job.params;
  switch (job.kind) {
    case 'verify':
      return 'cache' in params ? params.cache : '';
    case 'preseed-raster':
    case 'preseed-vector':
      return 'output' in params ? params.output : '';
    case 'ingest':
    case 'migrate-esri':
      return '';
    default:
      return assertNever(job.kind);
  }
}

/** States in which a preseed's output holds what the job made (a partial one holds the good part). */
const PRESEED_VIEWABLE: readonly JobState[] = ['succeeded', 'partial'];

/**
 * Where "Open on map" goes for a job, or null when there is nothing to look at yet: a verify's
 * cache at any time (it existed before the job), a preseed's output once the job succeeded or
 * ended partial, framed by the preseed's bbox when it had one.
 */
export function mapTargetOf(job: Pick<JobSummary, 'kind' | 'params' | 'state'>): { cachePath: string; extent?: Bbox } | null {
  const cachePath = outputOf(job);
  if (cachePath === '') return null;
  if (job.kind === 'verify') return { cachePath };
  if (!PRESEED_VIEWABLE.includes(job.state)) return null;
  const bbox = 'bbox' in job.params ? job.params.bbox : undefined;
  return bbox === undefined ? { cachePath } : { cachePath, extent: bbox };
}
