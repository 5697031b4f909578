/**
 * The storage screen over storage.status: a meter per volume and per quota with the right numbers,
 * the floor marked, warnings on top, and a refetch when a job finishes.
 */
import { afterEach, expect, test } from 'vitest';
import type { CacheEntry, JobSummary, StorageStatus } from '../../shared/contract.js';
import { type Mounted, mount, waitFor } from '../testing/mount.js';
import { formatBytes } from './bytes.js';
import { StorageView } from './storage-view.js';
import { splitByQuota } from './quota-scope.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function status(extra: Partial<StorageStatus> = {}): StorageStatus {
  return {
    volumes: [
      { path: '/srv/tessera', roles: ['data directory'], totalBytes: 500 * GiB, freeBytes: 120 * GiB },
      { path: '/mnt/tiles', roles: ['job 12 output', 'job 14 output'], totalBytes: 100 * GiB, freeBytes: 256 * MiB },
    ],
    quotas: [
      { name: 'cache quota (data directory)', jobId: null, limitBytes: 200 * GiB, usedBytes: 190 * GiB },
      { name: 'job output', jobId: 14, limitBytes: null, usedBytes: 3 * GiB },
    ],
    freeSpaceFloorBytes: 512 * MiB,
    warnings: ['/mnt/tiles: 256 MiB free, below the 512 MiB floor; jobs writing there will wait', 'the data directory holds 190.0 GiB of its 200.0 GiB quota'],
    ...extra,
  };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

const meters = () =>
  [...mounted!.container.querySelectorAll<HTMLElement>('[role="meter"]')].map((m) => ({
    label: m.getAttribute('aria-label'),
    now: Number(m.getAttribute('aria-valuenow')),
    min: Number(m.getAttribute('aria-valuemin')),
    max: Number(m.getAttribute('aria-valuemax')),
    text: m.getAttribute('aria-valuetext'),
  }));

test('volumes and quotas show as meters with their numbers, the floor is marked, and the warnings lead', async () => {
  mounted = await mount(<StorageView />, { 'storage.status': () => status() });
  await waitFor('the meters', () => meters().length === 3);

  expect(meters()).toEqual([
    { label: '/srv/tessera', now: 380 * GiB, min: 0, max: 500 * GiB, text: '380 GiB used of 500 GiB, 120 GiB free' },
    { label: '/mnt/tiles', now: 100 * GiB - 256 * MiB, min: 0, max: 100 * GiB, text: '99.8 GiB used of 100 GiB, 256 MiB free' },
    { label: 'cache quota (data directory)', now: 190 * GiB, min: 0, max: 200 * GiB, text: '190 GiB used of 200 GiB' },
  ]);
  const volumes = [...mounted.container.querySelectorAll<HTMLElement>('[data-testid="volume"]')];
  expect(volumes[0]!.textContent).toContain('data directory');
  expect([...volumes[1]!.querySelectorAll('.roles li')].map((li) => li.textContent)).toEqual(['job 12 output', 'job 14 output']);
  expect(volumes[1]!.textContent).toContain('below the floor');
  expect(volumes[1]!.querySelector('.gauge')?.className).toBe('gauge tone-bad');
  expect(volumes[0]!.querySelector('.gauge')?.className).toBe('gauge tone-ok');
  // The floor mark sits where the last 512 MiB of the volume start.
  expect(volumes[0]!.querySelector<HTMLElement>('.gauge-mark')?.style.left).toBe(`${(100 * (500 * GiB - 512 * MiB)) / (500 * GiB)}%`);

  const quotas = [...mounted.container.querySelectorAll<HTMLElement>('[data-testid="quota"]')];
  expect(quotas[0]!.textContent).toContain('190 GiB used of 200 GiB (95%)');
  expect(quotas[0]!.querySelector('.gauge')?.className).toBe('gauge tone-warn');
  expect(quotas[1]!.textContent).toBe('job output (job 14)3 GiB used · no quota');
  expect(quotas[1]!.querySelector('[role="meter"]')).toBeNull();

  const warnings = mounted.container.querySelector('.storage-warnings');
  expect(warnings?.getAttribute('role')).toBe('alert');
  expect(warnings?.querySelector('strong')?.textContent).toBe('2 warnings');
  expect([...warnings!.querySelectorAll('li')].map((li) => li.textContent)).toEqual(status().warnings);
  // The warnings come before the gauges.
  expect(warnings!.compareDocumentPosition(mounted.container.querySelector('[role="meter"]')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
});

test('no warnings, no warning box', async () => {
  mounted = await mount(<StorageView />, { 'storage.status': () => status({ warnings: [] }) });
  await waitFor('the meters', () => meters().length === 3);
  expect(mounted.container.querySelector('.storage-warnings')).toBeNull();
  expect(mounted.container.querySelector('[role="alert"]')).toBeNull();
});

test('a job that finishes refreshes the gauges; one that merely changes does not', async () => {
  let free = 120 * GiB;
  mounted = await mount(<StorageView />, {
    'storage.status': () => status({ volumes: [{ path: '/srv/tessera', roles: ['data directory'], totalBytes: 500 * GiB, freeBytes: free }], warnings: [] }),
  });
  await waitFor('the meter', () => meters().length === 2);
  const calls = () => mounted!.callsTo('storage.status').length;
  expect(calls()).toBe(1);

  const job = { id: 3, state: 'running' } as JobSummary;
  mounted.emit('job.changed', job);
  await waitFor('a tick', () => true);
  expect(calls()).toBe(1);

  free = 100 * GiB;
  mounted.emit('job.changed', { ...job, state: 'succeeded' });
  await waitFor('the new numbers', () => meters()[0]?.text === `${formatBytes(400 * GiB)} used of 500 GiB, 100 GiB free`);
  expect(calls()).toBe(2);
});

test('a failing storage.status shows why', async () => {
  mounted = await mount(<StorageView />, {});
  const alert = await waitFor('the alert', () => mounted!.container.querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('Could not read the storage status: storage.status is not served in this test');
});

test('the quotas say what the cache quota counts (the data directory) and which caches it does not (those outside it)', async () => {
  const cache = (path: string, sizeBytes: number, device: string) => ({ path, name: path.split('/').pop(), sizeBytes, device }) as CacheEntry;
  mounted = await mount(<StorageView />, {
    'storage.status': () => status({ warnings: [] }),
    'app.info': () => ({ version: '0.1.0', host: 'headless', dataDir: '/srv/tessera', threads: 2 }),
    'caches.list': () => [
      cache('/srv/tessera/caches/alps.mbtiles', 40 * MiB, '1'),
      cache('/srv/tessera-old/hill.mbtiles', 2 * GiB, '1'),
      cache('/mnt/tiles/world.pmtiles', 3 * GiB, '2'),
    ],
  });
  const scope = await waitFor(
    'the quota scope',
    () =>
      mounted!.container.querySelector('[data-testid="quota-scope"]')?.textContent?.includes('in all') &&
      mounted!.container.querySelector('[data-testid="quota-scope"]'),
  );
  expect(scope.textContent).toContain('Counted by the cache quota: everything under the data directory /srv/tessera');
  expect(scope.textContent).toContain('(1 cache, 40 MiB)');
  // A folder whose name merely starts like the data directory's is outside it.
  expect(scope.textContent).toContain('Not counted: tile caches outside the data directory, even on the same volume');
  expect(scope.textContent).toContain('/srv/tessera-old/hill.mbtiles (2 GiB), /mnt/tiles/world.pmtiles (3 GiB), 5 GiB in all.');
});

test('splitByQuota: inside means under the folder, with or without a trailing separator', () => {
  const c = (path: string) => ({ path }) as CacheEntry;
  expect(splitByQuota([c('/d/a.mbtiles'), c('/data/x'), c('/d')], '/d/')).toEqual({ inside: [c('/d/a.mbtiles'), c('/d')], outside: [c('/data/x')] });
});
