/**
 * The Caches screen over an in-memory engine that keeps a list of caches: rows with their numbers,
 * each action sending the right contract call (checked by the contract's own schemas), the
 * truncate form's dry run and start, delete only after confirming, refusals shown.
 */
import { afterEach, expect, test } from 'vitest';
import type { CacheEntry, JobEstimate, JobStartInput, RequestParsed } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { usePreseedDraft } from '../preseed/preseed-draft.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { job } from '../testing/test-jobs.js';
import { useUi } from '../ui-store.js';
import { boundsText, formatText, truncateInput, zoomText } from './cache-format.js';
import { CachesView } from './caches-view.js';

const MiB = 1024 ** 2;

function cache(path: string, extra: Partial<CacheEntry> = {}): CacheEntry {
  return {
    path,
    name: path
      .split('/')
      .pop()!
      .replace(/\.\w+$/, ''),
    origin: 'job',
    kind: 'mbtiles',
    format: 'png',
    minZoom: 0,
    maxZoom: 2,
    bounds: [-180, -85.05, 180, 85.05],
    tileCount: 21,
    zooms: [
      { z: 0, count: 1 },
      { z: 1, count: 4 },
      { z: 2, count: 16 },
    ],
    device: '2049',
    sizeBytes: 3 * MiB,
    lastJob: { id: 7, kind: 'preseed-raster', name: 'bluemarble', state: 'succeeded', at: '2026-12-01T10:00:00.000Z' },
    preseedJobId: 7,
    jobCount: 1,
    problem: null,
    ...extra,
  };
}

const world = cache('/data/world.mbtiles');
const states = cache('/data/states.pmtiles', {
  kind: 'pmtiles',
  format: 'pbf',
  minZoom: 0,
  maxZoom: 6,
  tileCount: 5120,
  zooms: [{ z: 6, count: 5120 }],
  lastJob: { id: 9, kind: 'verify', name: 'verify states', state: 'partial', at: '2026-12-02T10:00:00.000Z' },
  preseedJobId: null,
  origin: 'both',
});

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
});

/** An engine holding `list`: caches.* change it, jobs.* answer as a real one would. */
function engine(list: CacheEntry[]) {
  let caches = [...list];
  return {
    'caches.list': () => caches,
    'caches.remove': ({ path }: RequestParsed<'caches.remove'>) => {
      caches = caches.filter((c) => c.path !== path);
      return { path };
    },
    'caches.delete': ({ path }: RequestParsed<'caches.delete'>) => {
      if (path === states.path) throw new TesseraError('BAD_INPUT', 'path: job 12 uses /data/states.pmtiles; cancel it or wait for it to end');
      caches = caches.filter((c) => c.path !== path);
      return { path, freedBytes: 3 * MiB };
    },
    'caches.add': ({ path }: RequestParsed<'caches.add'>) => {
      if (!path.endsWith('.mbtiles')) throw new TesseraError('BAD_INPUT', `path: ${path} is not a tile cache Tessera can read`);
      const added = cache(path, { origin: 'added', lastJob: null, preseedJobId: null, jobCount: 0 });
      caches = [...caches, added];
      return added;
    },
    'jobs.start': (input: RequestParsed<'jobs.start'>) => job(40, 'queued', { kind: input.kind, params: input.params } as never),
    'jobs.estimate': (input: RequestParsed<'jobs.estimate'>) => estimate(input as JobStartInput),
    'jobs.get': ({ id }: RequestParsed<'jobs.get'>) =>
      job(id, 'succeeded', {
        kind: 'preseed-raster',
        name: 'bluemarble',
        params: { datasets: ['/data/bluemarble.tif'], minZoom: 0, maxZoom: 2, output: world.path } as never,
      } as never),
  };
}

function estimate(input: JobStartInput): JobEstimate {
  const p = input.params as { minZoom: number; maxZoom: number };
  const zooms = world.zooms.filter((z) => z.z >= p.minZoom && z.z <= p.maxZoom).map((z) => ({ z: z.z, tiles: z.count }));
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);
  return {
    kind: 'truncate',
    datasets: [],
    zooms,
    totalTiles,
    tilesUpperBound: false,
    sample: null,
    estimatedBytes: null,
    estimatedSeconds: null,
    range: null,
    storage: { output: world.path, freeBytes: 1e12, floorBytes: 0, quotaBytes: null, quotaUsedBytes: 0, problem: null },
  };
}

const row = (path: string) => mounted!.container.querySelector<HTMLElement>(`[data-testid="cache"][data-path="${path}"]`);

test('each cache shows its format, tile type, zooms, tile count, bounds, size and last job', async () => {
  mounted = await mount(<CachesView />, engine([world, states]));
  await waitFor('the rows', () => row(states.path));
  const w = row(world.path)!;
  expect(w.textContent).toContain('MBTiles · PNG raster');
  expect(w.querySelector('[data-testid="zooms"]')!.textContent).toBe('z0–2');
  expect(w.querySelector('[data-testid="tile-count"]')!.textContent).toBe('21');
  expect(w.textContent).toContain('z0 1 · z1 4 · z2 16');
  expect(w.querySelector('.bounds')!.textContent!.trim()).toBe('W -180.00 S -85.05 E 180.00 N 85.05');
  expect(w.querySelector('[data-testid="size"]')!.textContent).toBe('3 MiB');
  expect(w.querySelector('a[href="#/jobs/7"]')!.textContent).toBe('#7 preseed-raster');
  const s = row(states.path)!;
  expect(s.textContent).toContain('PMTiles · vector (MVT)');
  expect(s.textContent).toContain('5,120');
  expect(s.querySelector('.state-partial')!.textContent).toBe('partial');
  expect(s.textContent).toContain('added');
  expect(mounted.container.querySelector('[data-testid="caches-total"]')!.textContent).toBe('2 caches, 6 MiB on disk');
  // No preseed made the PMTiles: nothing to fill the form from.
  expect(byText<HTMLButtonElement>(s, 'button', 'Preseed more…')!.disabled).toBe(true);
});

test('open on map, verify, and preseed more go where they should', async () => {
  mounted = await mount(<CachesView />, engine([world]));
  await waitFor('the row', () => row(world.path));
  await click(byText(row(world.path)!, 'button', 'Open on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: world.path });

  await click(byText(row(world.path)!, 'button', 'Verify')!);
  await waitFor('the verify job', () => useUi.getState().screen.name === 'job');
  expect(mounted.callsTo('jobs.start')[0]).toMatchObject({ kind: 'verify', params: { cache: world.path } });
  expect(useUi.getState().screen).toEqual({ name: 'job', jobId: 40 });

  await click(byText(row(world.path)!, 'button', 'Preseed more…')!);
  await waitFor('the preseed form', () => useUi.getState().screen.name === 'preseed');
  expect(mounted.callsTo('jobs.get')).toEqual([{ id: 7 }]);
  expect(useUi.getState().screen).toEqual({ name: 'preseed', kind: 'raster' });
  expect(usePreseedDraft.getState().raster.output).toBe(world.path);
  expect(usePreseedDraft.getState().raster.datasets).toEqual(['/data/bluemarble.tif']);
});

test('truncate: a dry run counts the tiles, then the job starts with the zooms and the box', async () => {
  mounted = await mount(<CachesView />, engine([world]));
  await waitFor('the row', () => row(world.path));
  await click(byText(row(world.path)!, 'button', 'Truncate…')!);
  const panel = await waitFor('the truncate form', () => row(world.path)!.querySelector<HTMLFormElement>('.truncate-panel'));
  const [from, to] = [...panel.querySelectorAll('select')];
  await setValue(from!, '1');
  await setValue(to!, '2');
  await setValue(panel.querySelector('input')!, '-180,-85,0,85');
  await click(byText(panel, 'button', 'Count tiles')!);
  const count = await waitFor('the count', () => panel.querySelector('[data-testid="truncate-count"]'));
  expect(count.textContent).toBe('20 of 21 tiles would be deleted (z1 4, z2 16)');
  expect(mounted.callsTo('jobs.estimate')[0]).toEqual({
    kind: 'truncate',
    params: { cache: world.path, minZoom: 1, maxZoom: 2, bbox: [-180, -85, 0, 85] },
    priority: 0,
  });

  await click(byText(panel, 'button', 'Delete 20 tiles')!);
  // The form closes (the cache changes under it) and the row links to the job.
  const started = await waitFor('the job', () => row(world.path)!.querySelector('[data-testid="truncate-started"]'));
  expect(row(world.path)!.querySelector('.truncate-panel')).toBeNull();
  expect(started.querySelector('a')!.getAttribute('href')).toBe('#/jobs/40');
  expect(mounted.callsTo('jobs.start')[0]!.kind).toBe('truncate');
});

test('delete asks first and deletes only that cache; a refusal is shown; remove takes it off the list', async () => {
  mounted = await mount(<CachesView />, engine([world, states]));
  await waitFor('the rows', () => row(states.path));
  await click(byText(row(world.path)!, 'button', 'Delete…')!);
  expect(mounted.callsTo('caches.delete')).toEqual([]);
  await click(byText(row(world.path)!, 'button', 'Delete 3 MiB from disk')!);
  await waitFor('the row to go', () => row(world.path) === null);
  expect(mounted.callsTo('caches.delete')).toEqual([{ path: world.path }]);

  await click(byText(row(states.path)!, 'button', 'Delete…')!);
  await click(byText(row(states.path)!, 'button', 'Delete 3 MiB from disk')!);
  const alert = await waitFor('the refusal', () => row(states.path)!.querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('job 12 uses /data/states.pmtiles');

  await click(byText(row(states.path)!, 'button', 'Remove from list')!);
  await waitFor('the row to go', () => row(states.path) === null);
  expect(mounted.callsTo('caches.remove')).toEqual([{ path: states.path }]);
});

test('a cache added by path joins the list; what is not a cache is refused in words', async () => {
  mounted = await mount(<CachesView />, engine([]));
  await waitFor('the empty list', () => byText(mounted!.container, 'p', 'No tile caches yet.'));
  const input = mounted.container.querySelector<HTMLInputElement>('input[aria-label="Path of a cache to add"]')!;
  await setValue(input, '/data/notes.txt');
  await click(byText(mounted.container, 'button', 'Add cache')!);
  const refusal = await waitFor('the refusal', () => mounted!.container.querySelector('.add-cache [role="alert"]'));
  expect(refusal.textContent).toContain('not a tile cache');
  await setValue(input, '/data/hand.mbtiles');
  await click(byText(mounted.container, 'button', 'Add cache')!);
  await waitFor('the new row', () => row('/data/hand.mbtiles'));
  expect(row('/data/hand.mbtiles')!.textContent).toContain('added by hand');
});

test('the words and the truncate input, without a DOM', () => {
  expect(formatText({ kind: 'directory', format: 'webp' })).toBe('z/x/y folder · WebP raster');
  expect(formatText({ kind: null, format: null })).toBe('unreadable');
  expect(zoomText({ minZoom: 5, maxZoom: 5 })).toBe('z5');
  expect(zoomText({ minZoom: null, maxZoom: null })).toBe('–');
  expect(boundsText(null)).toBe('no bounds');
  expect(truncateInput('/c.mbtiles', { minZoom: '5', maxZoom: '6', bbox: '' })).toEqual({
    input: { kind: 'truncate', params: { cache: '/c.mbtiles', minZoom: 5, maxZoom: 6 } },
  });
  expect(truncateInput('/c.mbtiles', { minZoom: '6', maxZoom: '5', bbox: '' })).toEqual({ problem: 'From zoom must not be above To zoom' });
  expect(truncateInput('/c.mbtiles', { minZoom: '5', maxZoom: '6', bbox: '1,2,,4' })).toEqual({
    problem: 'The box needs four numbers: west, south, east, north in degrees',
  });
  expect(truncateInput('/c.mbtiles', { minZoom: '31', maxZoom: '40', bbox: '' })).toEqual({ problem: 'From zoom must be a zoom level from 0 to 30' });
  // The newcomer trial's box: said in the form's words before anything is sent.
  expect(truncateInput('/c.mbtiles', { minZoom: '5', maxZoom: '6', bbox: '200,0,0,0' })).toEqual({
    problem: 'The box: west and east are longitudes, from -180 to 180',
  });
  expect(truncateInput('/c.mbtiles', { minZoom: '5', maxZoom: '6', bbox: '10,0,-10,5' })).toEqual({
    problem: 'The box: west (10) must be less than east (-10)',
  });
  expect(truncateInput('/c.mbtiles', { minZoom: '5', maxZoom: '6', bbox: '-100, 20, -60, 50' })).toEqual({
    input: { kind: 'truncate', params: { cache: '/c.mbtiles', minZoom: 5, maxZoom: 6, bbox: [-100, 20, -60, 50] } },
  });
});
