/** The caches.* requests the engine serves (caches.open stays with the map preview's registry). */
import type { ContractHandlers } from '../../shared/contract.js';
import type { CacheList } from './cache-list.js';

export type CacheRequest = 'caches.list' | 'caches.add' | 'caches.remove' | 'caches.delete';

/** Handlers over `list`; `assertPaths` refuses paths outside the data roots (before a file is looked at). */
export function cacheHandlers(list: CacheList, assertPaths: (uses: { field: string; path: string }[]) => Promise<void>): Pick<ContractHandlers, CacheRequest> {
  return {
    'caches.list': () => list.list(),
    'caches.add': async (i) => {
      await assertPaths([{ field: 'path', path: i.path }]);
      return list.add(i.path);
    },
    // Only the list changes: nothing on disk is read or touched, wherever it is.
    'caches.remove': (i) => list.remove(i.path),
    'caches.delete': async (i) => {
      await assertPaths([{ field: 'path', path: i.path }]);
      return list.delete(i.path);
    },
  };
}
