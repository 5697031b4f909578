/**
 * Under a volume's gauge on the Storage screen: which tile caches (caches.list, matched by the
 * volume's device) and, on the data directory's volume, how much of the catalogue use its space,
 * each linked to the screen that can clean it up.
 */
import { useQuery } from '@tanstack/react-query';
import type { VolumeStatus } from '../../shared/contract.js';
import { formatBytes } from '../storage/bytes.js';
import { cachesKey } from './cache-format.js';
import { useAppInfo } from '../data/app-info.js';
import { splitByQuota } from '../storage/quota-scope.js';
import './volume-holdings.css';

/** Caches named per volume before the rest is summed up as "and N more". */
const SHOWN = 5;

export function VolumeHoldings({ volume }: { volume: VolumeStatus }) {
  const caches = useQuery({ queryKey: cachesKey, queryFn: () => window.tessera.caches.list({}) });
  const dataDirectory = volume.roles.includes('data directory');
  // One page is plenty to size the catalogue; a catalogue beyond it says "at least".
  const catalog = useQuery({
    queryKey: ['catalog.list', 'storage'],
    queryFn: () => window.tessera.catalog.list({ limit: 1000 }),
    enabled: dataDirectory,
  });
  const info = useAppInfo();
  const here = (caches.data ?? []).filter((c) => volume.device !== undefined && c.device === volume.device);
  // Caches on this volume but outside the data directory: the cache quota does not count them (Quotas says so too).
  const outside = info.data ? splitByQuota(here, info.data.dataDir).outside : [];
  const cacheBytes = here.reduce((n, c) => n + (c.sizeBytes ?? 0), 0);
  const datasets = catalog.data?.rows ?? [];
  const datasetBytes = datasets.reduce((n, d) => n + d.sizeBytes, 0);
  if (here.length === 0 && datasets.length === 0) return null;
  return (
    <div className="volume-holdings small" data-testid="volume-holdings">
      {here.length > 0 && (
        <p>
          <a href="#/caches">
            {here.length} tile {here.length === 1 ? 'cache' : 'caches'}, {formatBytes(cacheBytes)}
          </a>
          :{' '}
          {here
            .slice(0, SHOWN)
            .map((c) => `${c.name} (${c.sizeBytes === null ? '?' : formatBytes(c.sizeBytes)})`)
            .join(', ')}
          {here.length > SHOWN && `, and ${here.length - SHOWN} more`}
        </p>
      )}
      {outside.length > 0 && (
        <p className="muted" data-testid="outside-quota">
          {outside.length === here.length ? (here.length === 1 ? 'It is' : 'All are') : `${outside.length} of them are`} outside the data directory: not counted
          by the cache quota.
        </p>
      )}
      {datasets.length > 0 && (
        <p>
          <a href="#/catalog">
            {catalog.data?.nextCursor ? 'over ' : ''}
            {datasets.length} catalogue {datasets.length === 1 ? 'dataset' : 'datasets'}, {formatBytes(datasetBytes)}
          </a>
        </p>
      )}
    </div>
  );
}
