/**
 * What the cache quota counts, said beside it: everything under the data directory (its caches,
 * the catalogue, uploads), and not the caches written elsewhere. Without it the Storage screen
 * lists a volume's caches outside the data directory beside a quota that leaves them out, which
 * reads as a contradiction (the quota "used" looks too small for the caches listed).
 */
import { useQuery } from '@tanstack/react-query';
import type { CacheEntry } from '../../shared/contract.js';
import { cachesKey } from '../caches/cache-format.js';
import { useAppInfo } from '../data/app-info.js';
import { formatBytes } from './bytes.js';

/** Caches shown by name before the rest are summed up as "and N more". */
const SHOWN = 4;

/** Whether `path` lies inside the folder `dir` (either written with or without a trailing separator). */
export function isInside(path: string, dir: string): boolean {
  const folder = dir.replace(/[\\/]+$/, '');
  return path === folder || path.startsWith(`${folder}/`) || path.startsWith(`${folder}\\`);
}

/** The caches the quota counts (inside `dataDir`) and those it does not. */
export function splitByQuota(caches: readonly CacheEntry[], dataDir: string): { inside: CacheEntry[]; outside: CacheEntry[] } {
  const inside: CacheEntry[] = [];
  const outside: CacheEntry[] = [];
  for (const c of caches) (isInside(c.path, dataDir) ? inside : outside).push(c);
  return { inside, outside };
}

const sizeOf = (list: readonly CacheEntry[]) => list.reduce((n, c) => n + (c.sizeBytes ?? 0), 0);
const named = (list: readonly CacheEntry[]) =>
  list
    .slice(0, SHOWN)
    .map((c) => `${c.path} (${c.sizeBytes === null ? '?' : formatBytes(c.sizeBytes)})`)
    .join(', ') + (list.length > SHOWN ? `, and ${list.length - SHOWN} more` : '');

export function QuotaScope() {
  const info = useAppInfo();
  const caches = useQuery({ queryKey: cachesKey, queryFn: () => window.tessera.caches.list({}) });
  const dataDir = info.data?.dataDir;
  if (!dataDir) return null;
  const { inside, outside } = splitByQuota(caches.data ?? [], dataDir);
  return (
    <div className="quota-scope small" data-testid="quota-scope">
      <p>
        <strong>Counted by the cache quota:</strong> everything under the data directory <code>{dataDir}</code>, whatever its volume: the catalogue, uploads,
        and the tile caches written there
        {caches.data &&
          ` (${inside.length === 0 ? 'none now' : `${inside.length} ${inside.length === 1 ? 'cache' : 'caches'}, ${formatBytes(sizeOf(inside))}`})`}
        .
      </p>
      <p>
        <strong>Not counted:</strong> tile caches outside the data directory, even on the same volume; they take space on their volume (its gauge above), and
        only the free-space floor guards them
        {caches.data && (outside.length === 0 ? ' (none now).' : `: ${named(outside)}, ${formatBytes(sizeOf(outside))} in all.`)}
        {!caches.data && '.'}
      </p>
    </div>
  );
}
