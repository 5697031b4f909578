/** Under a volume's gauge: the caches on that device and, on the data directory's volume, the catalogue. */
import { afterEach, expect, test } from 'vitest';
import type { CacheEntry, CatalogDataset } from '../../shared/contract.js';
import { type Mounted, mount, waitFor } from '../testing/mount.js';
import { VolumeHoldings } from './volume-holdings.js';

const MiB = 1024 ** 2;
const on = (path: string, device: string, sizeBytes: number) =>
  ({
    ...{ path, name: path.split('/').pop()!, origin: 'job', kind: 'mbtiles', format: 'png', minZoom: 0, maxZoom: 1, bounds: null, tileCount: 5 },
    ...{ zooms: [], device, sizeBytes, lastJob: null, preseedJobId: null, jobCount: 1, problem: null },
  }) as CacheEntry;

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

test("a volume lists the caches on its device, with their sizes, and the data directory's volume the catalogue", async () => {
  const caches = [on('/srv/a.mbtiles', '10', 2 * MiB), on('/srv/b.pmtiles', '10', MiB), on('/mnt/c.mbtiles', '20', 5 * MiB)];
  const datasets = [{ sizeBytes: 4 * MiB }, { sizeBytes: 4 * MiB }] as CatalogDataset[];
  mounted = await mount(<VolumeHoldings volume={{ path: '/srv', roles: ['data directory'], totalBytes: 1e12, freeBytes: 1e11, device: '10' }} />, {
    'caches.list': () => caches,
    'catalog.list': () => ({ rows: datasets, nextCursor: null }),
  });
  const box = await waitFor('the holdings', () => {
    const b = mounted!.container.querySelector('[data-testid="volume-holdings"]');
    return b?.textContent?.includes('catalogue') ? b : null;
  });
  expect(box.querySelector('a[href="#/caches"]')!.textContent).toBe('2 tile caches, 3 MiB');
  expect(box.textContent).toContain('a.mbtiles (2 MiB), b.pmtiles (1 MiB)');
  expect(box.textContent).not.toContain('c.mbtiles');
  expect(box.querySelector('a[href="#/catalog"]')!.textContent).toBe('2 catalogue datasets, 8 MiB');
});
