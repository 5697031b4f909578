/** The map's cache picker over caches.list: raster and vector apart, the open cache selected, a pick reported. */
import { afterEach, expect, test } from 'vitest';
import type { CacheEntry } from '../../shared/contract.js';
import { type Mounted, mount, setValue, waitFor } from '../testing/mount.js';
import { CachePicker } from './cache-picker.js';

function cache(path: string, format: CacheEntry['format'], extra: Partial<CacheEntry> = {}): CacheEntry {
  return {
    ...{ path, name: path.split('/').pop()!, origin: 'job', kind: 'mbtiles', format, minZoom: 0, maxZoom: 3, bounds: null },
    ...{ tileCount: 85, zooms: [], device: '1', sizeBytes: 1000, lastJob: null, preseedJobId: null, jobCount: 1, problem: null },
    ...extra,
  } as CacheEntry;
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

test('lists readable caches by tile type, selects the open one, and reports a pick', async () => {
  const picks: string[] = [];
  const list = [
    cache('/d/world.mbtiles', 'png'),
    cache('/d/states.pmtiles', 'pbf', { kind: 'pmtiles', minZoom: 2, maxZoom: 2, tileCount: 1234 }),
    cache('/d/gone.mbtiles', null, { kind: null, problem: 'missing' }),
  ];
  mounted = await mount(<CachePicker value="/d/states.pmtiles" onPick={(p) => picks.push(p)} />, { 'caches.list': () => list });
  const select = await waitFor('the options', () => mounted!.container.querySelector<HTMLSelectElement>('select:not([disabled])'));
  const groups = [...select.querySelectorAll('optgroup')].map((g) => [g.label, [...g.querySelectorAll('option')].map((o) => o.textContent)]);
  expect(groups).toEqual([
    ['Raster', ['world.mbtiles · z0–3 · 85 tiles']],
    ['Vector', ['states.pmtiles · z2 · 1,234 tiles']],
  ]);
  expect(select.value).toBe('/d/states.pmtiles');
  await setValue(select, '/d/world.mbtiles');
  expect(picks).toEqual(['/d/world.mbtiles']);
});

test('without caches it says so and cannot be opened', async () => {
  mounted = await mount(<CachePicker value="" onPick={() => {}} />, { 'caches.list': () => [] });
  const select = await waitFor('the empty picker', () => {
    const s = mounted!.container.querySelector<HTMLSelectElement>('select');
    return s?.textContent === 'No caches yet' ? s : null;
  });
  expect(select.disabled).toBe(true);
});
