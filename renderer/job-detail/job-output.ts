/**
 * The tile cache a job is about, whatever its kind: the cache a verify reads, the output a preseed
 * writes; ingests and migrations make catalogue datasets, not caches. Each kind's contract
 * (shared/kinds/) says which; nothing here reads params by their field names.
 */
import { type Bbox, type JobState, type KindedParams, cacheOf } from '../../shared/contract.js';

/** The cache path of a job (verify's cache, a preseed's output); '' for kinds without one. */
export function outputOf(job: KindedParams): string {
  return cacheOf(job)?.path ?? '';
}

/** States in which a preseed's output holds what the job made (a partial one holds the good part). */
const PRESEED_VIEWABLE: readonly JobState[] = ['succeeded', 'partial'];

/**
 * Where "Open on map" goes for a job, or null when there is nothing to look at yet: a verify's
 * cache at any time (it existed before the job), a preseed's output once the job succeeded or
 * ended partial, framed by the preseed's bbox when it had one.
 */
export function mapTargetOf(job: KindedParams & { state: JobState }): { cachePath: string; extent?: Bbox } | null {
  const cache = cacheOf(job);
  if (cache === null) return null;
  const cachePath = cache.path;
  if (cache.role === 'cache') return { cachePath };
  if (!PRESEED_VIEWABLE.includes(job.state)) return null;
  const bbox = 'bbox' in job.params ? job.params.bbox : undefined;
  return bbox === undefined ? { cachePath } : { cachePath, extent: bbox };
}
