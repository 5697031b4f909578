/**
 * The holdings a STAC catalogue describes, read from the engine's parts: every catalogue dataset,
 * and the caches finished preseed jobs wrote that are still there.
 */
import { existsSync } from 'node:fs';
import { type CatalogDataset, type JobSummary, cacheOf } from '../../shared/contract.js';
import type { Catalog } from '../catalog/catalog.js';
import type { JobStore } from '../store/job-store.js';
import type { CacheRegistry } from '../tile-cache/cache-registry.js';
import type { StacHoldings } from './stac-export.js';

export function stacHoldings(parts: { catalog: Catalog; store: JobStore; caches: CacheRegistry }): StacHoldings {
  return {
    async datasets() {
      const all: CatalogDataset[] = [];
      let cursor: string | undefined;
      do {
        const page = parts.catalog.list({ limit: 500, ...(cursor !== undefined && { cursor }) });
        all.push(...page.rows);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return all;
    },
    async cacheJobs() {
      const found: { job: JobSummary; cache: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = parts.store.listJobs({ kinds: ['preseed-raster', 'preseed-vector'], states: ['succeeded', 'partial'] }, cursor, 500);
        for (const job of page.rows) {
          const cache = cacheOf(job)?.path;
          if (cache && existsSync(cache)) found.push({ job, cache });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      return found;
    },
    openCache: (path) => parts.caches.open(path),
  };
}
