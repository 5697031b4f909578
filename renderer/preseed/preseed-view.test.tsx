/**
 * The preseed screen against the real contract over the in-memory transport (every call checked
 * with the contract's schemas): validation at the fields, a box drawn on the map going into the
 * params, the dry run (tiles per zoom, size, time, per-dataset errors, a storage refusal), a stale
 * dry run that must not overwrite a newer one, the engine's field errors at start, and going to
 * the new job. jsdom has no WebGL, so maplibre-gl is a stand-in that converts pixels to degrees
 * with a fixed linear rule; the real map is drawn in Chromium by e2e/preseed-launch.test.ts.
 */
import { act } from 'react';
import { afterEach, expect, test, vi } from 'vitest';
import type { Bbox, JobEstimate, JobSummary, RasterPreseedParams, RequestParsed } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setChecked, setValue, waitFor } from '../testing/mount.js';
import { useUi } from '../ui-store.js';

/** What the stand-in map was asked to show, per source. */
const mapData = new Map<string, unknown>();

vi.mock('maplibre-gl/dist/maplibre-gl-worker.mjs?url', () => ({ default: '/assets/worker.mjs' }));
vi.mock('maplibre-gl/dist/maplibre-gl.css', () => ({}));
vi.mock('maplibre-gl', () => {
  class FakeMap {
    private readonly handlers = new Map<string, ((e: unknown) => void)[]>();
    constructor(readonly options: Record<string, unknown>) {
      setTimeout(() => this.fire('load', {}), 0);
    }
    on(type: string, f: (e: unknown) => void) {
      this.handlers.set(type, [...(this.handlers.get(type) ?? []), f]);
      return this;
    }
    once(type: string, f: (e: unknown) => void) {
      return this.on(type, f);
    }
    off() {
      return this;
    }
    fire(type: string, e: unknown) {
      for (const f of this.handlers.get(type) ?? []) f(e);
    }
    addControl() {
      return this;
    }
    getSource(id: string) {
      return { setData: (data: unknown) => mapData.set(id, data) };
    }
    setPaintProperty() {}
    fitBounds() {}
    /** 10 px per degree, from 0°E 60°N at the top left. */
    unproject([x, y]: [number, number]) {
      return { lng: x / 10, lat: 60 - y / 10 };
    }
    getBounds() {
      return { getWest: () => 10.5, getSouth: () => 56.75, getEast: () => 12.25, getNorth: () => 58.5 };
    }
    remove() {}
  }
  class Control {}
  return { Map: FakeMap, NavigationControl: Control, setWorkerUrl: () => {} };
});

const { PreseedView } = await import('./preseed-view.js');
const { usePreseedDraft } = await import('./preseed-draft.js');
const { emptyRasterForm, emptyVectorForm } = await import('./preseed-form.js');

const DATA_DIR = '/srv/tessera';
const DEM = '/data/srtm/N57E011.hgt';
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function estimateOf(input: RequestParsed<'jobs.estimate'>, change: Partial<JobEstimate> = {}): JobEstimate {
  const params = input.params as RasterPreseedParams;
  const zooms = [];
  for (let z = params.minZoom; z <= params.maxZoom; z++) zooms.push({ z, tiles: 4 ** (z - params.minZoom) * 2 });
  const totalTiles = zooms.reduce((n, z) => n + z.tiles, 0);
  return {
    kind: 'preseed-raster',
    datasets: params.datasets.map((path) => ({ path, bounds: [10.9996, 56.9996, 12.0004, 58.0004] as Bbox, tiles: totalTiles, error: null })),
    zooms,
    totalTiles,
    tilesUpperBound: false,
    sample: { tiles: 8, zooms: [10], bytesPerTile: 20 * 1024, secondsPerTile: 0.004 },
    estimatedBytes: totalTiles * 20 * 1024,
    estimatedSeconds: totalTiles * 0.004,
    range: { tiles: [totalTiles, totalTiles], bytes: [totalTiles * 15 * 1024, totalTiles * 30 * 1024], seconds: [totalTiles * 0.003, totalTiles * 0.006] },
    storage: { output: params.output, freeBytes: 40 * GiB, floorBytes: 512 * MiB, quotaBytes: null, quotaUsedBytes: 0, problem: null },
    ...change,
  };
}

function job(id: number, params: RasterPreseedParams): JobSummary {
  const at = '2026-11-29T09:00:00.000Z';
  return {
    id,
    kind: 'preseed-raster',
    name: `preseed raster ${params.output}`,
    state: 'queued',
    priority: 0,
    params,
    createdAt: at,
    startedAt: null,
    finishedAt: null,
    updatedAt: at,
    runSeconds: 0,
    items: { total: 1, queued: 1, running: 0, succeeded: 0, partial: 0, failed: 0, cancelled: 0, interrupted: 0 },
    progress: { jobId: id, done: 0, total: 0, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null },
    error: null,
  };
}

function handlers(extra: Handlers = {}): Handlers {
  return {
    'app.info': () => ({ version: '0.1.0-test', host: 'headless', dataDir: DATA_DIR, threads: 2 }),
    'catalog.list': () => ({ rows: [], nextCursor: null }),
    'jobs.estimate': (input) => estimateOf(input),
    ...extra,
  };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  mapData.clear();
  usePreseedDraft.setState({ raster: emptyRasterForm(), vector: emptyVectorForm(), lastKind: 'raster' });
  useUi.setState({ screen: { name: 'queue' } });
  localStorage.clear();
});

const page = () => mounted!.container;
const field = <E extends HTMLElement = HTMLInputElement>(name: string) => {
  const el = page().querySelector<E>(`[data-field="${name}"]`);
  if (!el) throw new Error(`no field ${name}`);
  return el;
};
/** The error shown with a field: in its form row, its path row or its layer row. */
const errorAt = (name: string) => field(name).closest('.field, li, .layer-row')?.querySelector('.field-error')?.textContent ?? null;
const button = (name: string | RegExp) => byText<HTMLButtonElement>(page(), 'button', name);
const estimatePanel = () => page().querySelector<HTMLElement>('[data-testid="estimate"]')!;

async function open(h: Handlers, delayMs = 10_000, kind: 'raster' | 'vector' = 'raster'): Promise<Mounted> {
  mounted = await mount(<PreseedView kind={kind} estimateDelayMs={delayMs} />, h);
  // The default output appears once app.info has answered.
  await waitFor('the data directory', () => field('params.output').value.startsWith(DATA_DIR));
  return mounted;
}

async function fillRaster(): Promise<void> {
  await setValue(field('params.datasets.0'), DEM);
  await setValue(field('params.minZoom'), '8');
  await setValue(field('params.maxZoom'), '10');
}

test('errors show at their field once it is touched, all of them on Start, and nothing is sent', async () => {
  const m = await open(handlers());
  // Untouched: no error yet, though the form is not complete.
  expect(page().querySelectorAll('.field-error')).toHaveLength(0);

  await setValue(field('params.maxZoom'), '31');
  expect(errorAt('params.maxZoom')).toBe('Must be at most 30');
  expect(field('params.maxZoom').getAttribute('aria-invalid')).toBe('true');
  const describedBy = field('params.maxZoom').getAttribute('aria-describedby')!.split(' ');
  expect(describedBy.map((id) => document.getElementById(id)?.textContent)).toContain('Must be at most 30');
  await setValue(field('params.maxZoom'), '6');
  await setValue(field('params.minZoom'), '9');
  expect(errorAt('params.minZoom')).toBe('The first zoom must not be greater than the last');

  await setValue(field('params.bbox.0'), '11');
  expect(errorAt('params.bbox.0')).toBe('South: Enter a number');

  await click(button('Start preseed')!);
  expect(errorAt('params.datasets.0')).toBe('Dataset path is empty');
  expect(document.activeElement).toBe(field('params.datasets.0'));
  expect(page().textContent).toContain('Nothing was started: fix the fields marked in the form.');
  expect(m.callsTo('jobs.start')).toEqual([]);
  expect(m.callsTo('jobs.estimate')).toEqual([]);
  expect(estimatePanel().textContent).toContain('Once the form is complete');
});

test('a box across the antimeridian is refused beside its inputs, above the extent map, with west and east marked', async () => {
  await open(handlers());
  for (const [i, v] of ['170', '-20', '-170', '20'].entries()) await setValue(field(`params.bbox.${i}`), v);
  const error = await waitFor('the box error', () => field('params.bbox.0').closest('.field')?.querySelector('.field-error'));
  expect(error.textContent).toBe('West must be less than east (a box across the antimeridian is two jobs)');
  // The reason comes before the map in the page, right under the four inputs (at 1024×700 the map
  // below them fills the rest of the window).
  const map = field('params.bbox.0').closest('.field')!.querySelector('[data-testid="extent-map"], .extent-map')!;
  expect(map, 'the extent map').toBeTruthy();
  expect(error.compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect(field('params.bbox.3').closest('.bbox-field')!.compareDocumentPosition(error) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  expect([0, 1, 2, 3].map((i) => field(`params.bbox.${i}`).getAttribute('aria-invalid'))).toEqual(['true', 'false', 'true', 'false']);
});

test('the output defaults to the data directory’s caches folder, and its format follows the extension', async () => {
  await open(handlers());
  const kind = () => page().querySelector('[data-testid="output-kind"]')?.textContent;
  expect(field('params.output').value).toBe(`${DATA_DIR}/caches/raster-preseed.mbtiles`);
  await setValue(field('params.datasets.0'), DEM);
  expect(field('params.output').value).toBe(`${DATA_DIR}/caches/N57E011.mbtiles`);
  expect(kind()).toBe('Makes: MBTiles (one SQLite file)');

  await setValue(field('params.output'), '/tiles/alps.pmtiles');
  expect(kind()).toBe('Makes: PMTiles archive (written at the end)');
  await setValue(field('params.output'), '/tiles/alps');
  expect(kind()).toBe('Makes: z/x/y tile folder');
  // A typed output stays when the dataset changes; the default comes back on request.
  await setValue(field('params.datasets.0'), '/data/other.tif');
  expect(field('params.output').value).toBe('/tiles/alps');
  await click(button('Use the default')!);
  expect(field('params.output').value).toBe(`${DATA_DIR}/caches/other.mbtiles`);
});

test('a box shift-dragged on the map fills the four fields and goes into the estimate’s params', async () => {
  const m = await open(handlers());
  await fillRaster();
  const map = await waitFor('the map', () => page().querySelector<HTMLElement>('[data-testid="extent-map"][data-ready="true"]'));

  // A click (no drag) draws nothing.
  await act(async () => {
    map.dispatchEvent(new MouseEvent('mousedown', { clientX: 110, clientY: 30, shiftKey: true, bubbles: true }));
    window.dispatchEvent(new MouseEvent('mouseup', { clientX: 110, clientY: 30, bubbles: true }));
  });
  expect(['params.bbox.0', 'params.bbox.1', 'params.bbox.2', 'params.bbox.3'].map((f) => field(f).value)).toEqual(['', '', '', '']);

  // Without Shift and without the Draw toggle, a drag is the map's (a pan): no box.
  await act(async () => {
    map.dispatchEvent(new MouseEvent('mousedown', { clientX: 110, clientY: 30, bubbles: true }));
    window.dispatchEvent(new MouseEvent('mouseup', { clientX: 125, clientY: 50, bubbles: true }));
  });
  expect(field('params.bbox.0').value).toBe('');

  // Shift-drag from (11°E, 57°N) to (12.5°E, 55°N): the box shows while dragging, then lands in the fields.
  await act(async () => {
    map.dispatchEvent(new MouseEvent('mousedown', { clientX: 110, clientY: 30, shiftKey: true, bubbles: true }));
    window.dispatchEvent(new MouseEvent('mousemove', { clientX: 120, clientY: 45, bubbles: true }));
  });
  expect(JSON.stringify(mapData.get('preseed-box'))).toContain('[[11,57],[12,57],[12,55.5],[11,55.5],[11,57]]');
  await act(async () => {
    window.dispatchEvent(new MouseEvent('mouseup', { clientX: 125, clientY: 50, bubbles: true }));
  });
  expect(['params.bbox.0', 'params.bbox.1', 'params.bbox.2', 'params.bbox.3'].map((f) => field(f).value)).toEqual(['11', '55', '12.5', '57']);

  await click(button('Estimate')!);
  await waitFor('the estimate', () => m.callsTo('jobs.estimate').length === 1);
  expect(m.callsTo('jobs.estimate')[0]!.params).toMatchObject({ bbox: [11, 55, 12.5, 57] });

  // "Draw a box" draws with a plain drag; "Use this view" takes the map's view; "Clear the box" empties it.
  await click(button('Draw a box')!);
  expect(button(/^Drawing/)!.getAttribute('aria-pressed')).toBe('true');
  await act(async () => {
    map.dispatchEvent(new MouseEvent('mousedown', { clientX: 100, clientY: 20, bubbles: true }));
    window.dispatchEvent(new MouseEvent('mouseup', { clientX: 105, clientY: 25, bubbles: true }));
  });
  expect(field('params.bbox.0').value).toBe('10');
  expect(field('params.bbox.3').value).toBe('58');
  await click(button('Use this view')!);
  expect(['params.bbox.0', 'params.bbox.1', 'params.bbox.2', 'params.bbox.3'].map((f) => field(f).value)).toEqual(['10.5', '56.75', '12.25', '58.5']);
  await click(button('Clear the box')!);
  expect(field('params.bbox.2').value).toBe('');
  await click(button('Estimate')!);
  await waitFor('the second estimate', () => m.callsTo('jobs.estimate').length === 2);
  expect(m.callsTo('jobs.estimate')[1]!.params).not.toHaveProperty('bbox');
});

test('the dry run: tiles per zoom, size and time, a dataset it cannot use, and a quota refusal that blocks Start', async () => {
  const broken = '/data/broken.tif';
  const m = await open(
    handlers({
      'jobs.estimate': (input) => {
        const e = estimateOf(input);
        return {
          ...e,
          datasets: [
            e.datasets[0]!,
            { path: broken, bounds: null, tiles: 0, error: { code: 'DATASET_UNREADABLE', message: `${broken}: not recognized as a supported file format` } },
          ],
          storage: {
            ...e.storage,
            quotaBytes: 2 * GiB,
            quotaUsedBytes: 1.9 * GiB,
            problem: {
              code: 'QUOTA_EXCEEDED',
              message: 'quota',
              details: { output: e.storage.output, neededBytes: 840 * MiB, quotaBytes: 2 * GiB, quotaUsedBytes: 1.9 * GiB },
            },
          },
        };
      },
    }),
    20,
  );
  await fillRaster();
  await click(button('Add dataset')!);
  await setValue(field('params.datasets.1'), broken);
  // Estimated by itself once the form is valid and still.
  await waitFor('the estimate', () => page().querySelector('[data-testid="estimate-zooms"]'));
  expect(m.callsTo('jobs.estimate')).toHaveLength(1);
  expect(m.callsTo('jobs.estimate')[0]).toEqual({
    kind: 'preseed-raster',
    priority: 0,
    params: expect.objectContaining({ datasets: [DEM, broken], minZoom: 8, maxZoom: 10 }),
  });

  const rows = [...page().querySelectorAll('[data-testid="estimate-zooms"] tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  expect(rows).toEqual([
    ['z8', '2', '40 KiB'],
    ['z9', '8', '160 KiB'],
    ['z10', '32', '640 KiB'],
  ]);
  expect(page().querySelector('[data-testid="estimate-tiles"]')?.textContent).toBe('42');
  expect(page().querySelector('[data-testid="estimate-bytes"]')?.textContent).toBe('about 840 KiB (630 KiB–1.2 MiB)');
  expect(page().querySelector('[data-testid="estimate-time"]')?.textContent).toBe('about 0s (0s–0s)');
  expect(page().querySelector('[data-testid="estimate-tiles-bound"]'), 'a raster count is exact here').toBeNull();

  // The dataset it cannot use: in the dry run and at its own field.
  const bad = page().querySelector(`[data-testid="estimate-datasets"] li[data-path="${broken}"]`)!;
  expect(bad.textContent).toContain('DATASET_UNREADABLE');
  expect(field('params.datasets.1').closest('li')?.querySelector('.field-warning')?.textContent).toContain('not recognized as a supported file format');
  expect(estimatePanel().textContent).toContain('1 of 2 cannot be used: the job would end partial');

  // The quota: said with the numbers, and Start is off.
  const problem = page().querySelector('[data-testid="storage-problem"]')!;
  expect(problem.getAttribute('role')).toBe('alert');
  expect(problem.textContent).toContain('QUOTA_EXCEEDED');
  expect(problem.textContent).toContain('the job needs about 840 MiB, and the data directory already holds 1.9 GiB of its 2 GiB quota (102.4 MiB left)');
  expect(button('Start preseed')!.disabled).toBe(true);
  await click(button('Start preseed')!);
  expect(m.callsTo('jobs.start')).toEqual([]);

  // A smaller job is estimated again by itself; the old answer is marked out of date meanwhile.
  await setValue(field('params.maxZoom'), '9');
  expect(estimatePanel().dataset.outdated).toBe('true');
  expect(button('Start preseed')!.disabled).toBe(false);
  await waitFor('the new estimate', () => m.callsTo('jobs.estimate').length === 2 && estimatePanel().dataset.outdated === 'false');
  expect(page().querySelector('[data-testid="estimate-tiles"]')?.textContent).toBe('10');
});

test('a disk-full refusal names the free space and the floor', async () => {
  await open(
    handlers({
      'jobs.estimate': (input) => {
        const e = estimateOf(input);
        return {
          ...e,
          storage: {
            ...e.storage,
            freeBytes: 3 * GiB,
            problem: {
              code: 'DISK_FULL',
              message: 'disk',
              details: { output: e.storage.output, neededBytes: 2.8 * GiB, freeBytes: 3 * GiB, floorBytes: 512 * MiB },
            },
          },
        };
      },
    }),
  );
  await fillRaster();
  await click(button('Estimate')!);
  const problem = await waitFor('the refusal', () => page().querySelector('[data-testid="storage-problem"]'));
  expect(problem.textContent).toContain(
    `Not enough disk space: the job needs about 2.8 GiB, and the volume of ${DATA_DIR}/caches/N57E011.mbtiles has 3 GiB free, of which 512 MiB must stay free (the free-space floor).`,
  );
});

test('an estimate that arrives after a newer one does not replace it', async () => {
  const held: { maxZoom: number; resolve: (e: JobEstimate) => void; estimate: JobEstimate }[] = [];
  const m = await open(
    handlers({
      'jobs.estimate': (input) => {
        const estimate = estimateOf(input);
        // The zoom-10 estimate is slow; the zoom-11 one is quick.
        if ((input.params as RasterPreseedParams).maxZoom === 11) return estimate;
        return new Promise<JobEstimate>((resolve) => held.push({ maxZoom: 10, resolve, estimate }));
      },
    }),
  );
  await fillRaster();
  await click(button('Estimate')!);
  await waitFor('the slow estimate to be asked', () => held.length === 1);
  expect(page().querySelector('[data-testid="estimate-status"]')?.textContent).toBe('Estimating…');

  await setValue(field('params.maxZoom'), '11');
  await click(button('Estimate')!);
  await waitFor('the quick estimate', () => page().querySelector('[data-testid="estimate-tiles"]')?.textContent === '170');

  // Now the old answer arrives: z8–10 has 42 tiles. It must not show.
  await act(async () => held[0]!.resolve(held[0]!.estimate));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await act(async () => {});
  expect(page().querySelector('[data-testid="estimate-tiles"]')?.textContent).toBe('170');
  expect([...page().querySelectorAll('[data-testid="estimate-zooms"] tbody th')].map((th) => th.textContent)).toEqual(['z8', 'z9', 'z10', 'z11']);
  expect(m.callsTo('jobs.estimate').map((c) => (c.params as RasterPreseedParams).maxZoom)).toEqual([10, 11]);

  // Going back to zoom 10 shows the answer that belongs to it.
  await setValue(field('params.maxZoom'), '10');
  await click(button('Estimate')!);
  await waitFor('the zoom-10 answer', () => page().querySelector('[data-testid="estimate-tiles"]')?.textContent === '42');
});

test('typing is estimated once, when the form has been still for the delay', async () => {
  const m = await open(handlers(), 40);
  await fillRaster();
  await setValue(field('params.maxZoom'), '11');
  await setValue(field('params.maxZoom'), '12');
  await waitFor('the estimate', () => page().querySelector('[data-testid="estimate-tiles"]'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(m.callsTo('jobs.estimate').map((c) => (c.params as RasterPreseedParams).maxZoom)).toEqual([12]);
});

test('the engine’s refusal at start lands at the field it names, until that field is edited', async () => {
  const m = await open(
    handlers({
      'jobs.start': () => {
        throw new TesseraError('BAD_INPUT', `jobs.start: params.datasets.0: cannot open ${DEM}`, {
          details: { request: 'jobs.start', issues: [{ field: 'params.datasets.0', message: `cannot open ${DEM}: permission denied` }] },
        });
      },
    }),
  );
  await fillRaster();
  await click(button('Start preseed')!);
  await waitFor('the engine’s error', () => errorAt('params.datasets.0'));
  expect(m.callsTo('jobs.start')).toHaveLength(1);
  expect(errorAt('params.datasets.0')).toBe(`cannot open ${DEM}: permission denied`);
  expect(field('params.datasets.0').getAttribute('aria-invalid')).toBe('true');
  expect(useUi.getState().screen).toEqual({ name: 'queue' });

  await setValue(field('params.datasets.0'), '/data/srtm/N58E011.hgt');
  expect(errorAt('params.datasets.0')).toBeNull();
});

test('any other refusal at start is said as such', async () => {
  await open(
    handlers({
      'jobs.start': () => {
        throw new TesseraError('DISK_FULL', `${DATA_DIR}/caches/N57E011.mbtiles: the job needs about 3 GiB but its volume has 1 GiB free`);
      },
    }),
  );
  await fillRaster();
  await click(button('Start preseed')!);
  const alert = await waitFor('the alert', () => page().querySelector('[data-testid="start-error"]'));
  expect(alert.textContent).toBe(`Could not start: ${DATA_DIR}/caches/N57E011.mbtiles: the job needs about 3 GiB but its volume has 1 GiB free`);
});

test('a started job opens its detail, and its paths are suggested next time', async () => {
  const m = await open(handlers({ 'jobs.start': (input) => job(42, input.params as RasterPreseedParams) }));
  await fillRaster();
  await setValue(field<HTMLSelectElement>('params.format'), 'webp');
  await setValue(field('params.quality'), '70');
  await setValue(field('name'), 'SRTM hillshade');
  await click(button('Start preseed')!);
  await waitFor('the job detail', () => useUi.getState().screen.name === 'job');
  expect(useUi.getState().screen).toEqual({ name: 'job', jobId: 42 });
  expect(m.callsTo('jobs.start')).toEqual([
    {
      kind: 'preseed-raster',
      name: 'SRTM hillshade',
      priority: 0,
      params: {
        datasets: [DEM],
        minZoom: 8,
        maxZoom: 10,
        tileSize: 256,
        format: 'webp',
        quality: 70,
        pngPalette: false,
        pngCompression: 6,
        pngAdaptiveFiltering: true,
        resampling: 'average',
        scale: 'auto',
        mode: 'resume',
        output: `${DATA_DIR}/caches/N57E011.mbtiles`,
      },
    },
  ]);
  // The new job is in the cache already: the detail does not start from "Loading".
  expect(m.queryClient.getQueryData(['jobs.get', { id: 42 }])).toMatchObject({ id: 42 });
  expect(JSON.parse(localStorage.getItem('tessera.recentPaths')!)).toEqual([DEM, `${DATA_DIR}/caches/N57E011.mbtiles`]);
});

test('the vector form: sources, layers with names, attributes and zooms, the size policy', async () => {
  const m = await open(
    handlers({ 'jobs.start': (input) => ({ ...job(7, {} as RasterPreseedParams), kind: 'preseed-vector', params: input.params as never }) }),
    10_000,
    'vector',
  );
  await setValue(field('params.sources.0'), '/data/world_map.gpkg');
  await setValue(field('params.minZoom'), '0');
  await setValue(field('params.maxZoom'), '6');
  await click(button('Add layer')!);
  await setValue(field('params.layers.0.name'), 'countries');
  await setValue(field('params.layers.0.as'), 'admin0');
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Layer 1 attributes: which"]')!, 'only');
  expect(errorAt('params.layers.0.attributes')).toBe('Name the attributes to keep, or choose “none”');
  await setValue(field('params.layers.0.attributes'), 'name, iso_a2');
  await setValue(field('params.layers.0.maxZoom'), '4');
  await setValue(field('params.maxTileBytes'), '250');
  await setChecked(byText<HTMLLabelElement>(page(), 'label', /thin them/)!.querySelector('input')!, true);
  expect(field('params.output').value).toBe(`${DATA_DIR}/caches/world_map.mbtiles`);
  await click(button('Start preseed')!);
  await waitFor('the job', () => m.callsTo('jobs.start').length === 1);
  expect(m.callsTo('jobs.start')[0]).toEqual({
    kind: 'preseed-vector',
    priority: 0,
    params: {
      sources: ['/data/world_map.gpkg'],
      layers: [{ name: 'countries', as: 'admin0', attributes: ['name', 'iso_a2'], maxZoom: 4 }],
      minZoom: 0,
      maxZoom: 6,
      extent: 4096,
      buffer: 64,
      tolerance: 3,
      maxTileBytes: 250 * 1024,
      thin: true,
      mode: 'resume',
      output: `${DATA_DIR}/caches/world_map.mbtiles`,
    },
  });
});

test('each tab keeps its own draft, and the arrow keys move between the tabs', async () => {
  await open(handlers());
  await setValue(field('params.datasets.0'), DEM);
  const rasterTab = page().querySelector<HTMLButtonElement>('#preseed-tab-raster')!;
  expect(rasterTab.getAttribute('aria-selected')).toBe('true');
  await act(async () => {
    rasterTab.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
  });
  expect(useUi.getState().screen).toEqual({ name: 'preseed', kind: 'vector' });
  expect(usePreseedDraft.getState().lastKind).toBe('vector');
  // The screen follows the route in the app; here the test re-renders what the route now names.
  await mounted!.unmount();
  mounted = await mount(<PreseedView kind="vector" />, handlers());
  await waitFor('the vector form', () => page().querySelector('[data-field="params.sources.0"]'));
  expect(page().querySelector('#preseed-tab-vector')?.getAttribute('aria-selected')).toBe('true');
  await mounted.unmount();
  mounted = await mount(<PreseedView />, handlers());
  // No kind in the route: the tab used last.
  await waitFor('the vector form again', () => page().querySelector('[data-field="params.sources.0"]'));
  await click(page().querySelector('#preseed-tab-raster')!);
  await mounted.unmount();
  mounted = await mount(<PreseedView kind="raster" />, handlers());
  await waitFor('the raster form', () => page().querySelector('[data-field="params.datasets.0"]'));
  expect(field('params.datasets.0').value).toBe(DEM);
});

test('pasting several lines into a dataset field makes a row of each', async () => {
  await open(handlers());
  const input = field('params.datasets.0');
  await act(async () => {
    const event = new Event('paste', { bubbles: true, cancelable: true }) as Event & { clipboardData: { getData: () => string } };
    event.clipboardData = { getData: () => '/data/a.tif\n/data/b.tif\r\n\n/data/c.tif\n' };
    input.dispatchEvent(event);
  });
  expect(['params.datasets.0', 'params.datasets.1', 'params.datasets.2'].map((f) => field(f).value)).toEqual(['/data/a.tif', '/data/b.tif', '/data/c.tif']);
  await click(page().querySelector('button[aria-label="Remove dataset 2"]')!);
  expect(['params.datasets.0', 'params.datasets.1'].map((f) => field(f).value)).toEqual(['/data/a.tif', '/data/c.tif']);
});

test('under the zooms, the max zoom is checked against each dataset’s native zoom from the last dry run', async () => {
  // 10.27: the SRTM tile's native zoom as GDAL measures it at 256-px tiles (main/preseed/raster/native-zoom.test.ts).
  await open(
    handlers({
      'jobs.estimate': (input) => {
        const e = estimateOf(input);
        return { ...e, datasets: e.datasets.map((d) => ({ ...d, nativeZoom: 10.27 })) };
      },
    }),
    20,
  );
  await fillRaster();
  await waitFor('the estimate', () => page().querySelector('[data-testid="native-zoom"]'));
  expect(page().querySelector('[data-testid="native-zoom"]')?.textContent).toBe(' · native ≈z10.3');
  expect(page().querySelector('[data-testid="zoom-upsampled"]'), 'z10 is not past ≈z10.3').toBeNull();
  await setValue(field('params.maxZoom'), '12');
  // With the dry run of the new zooms (the native zoom is for the tile size that run was asked for).
  await waitFor('the warning', () => page().querySelector('[data-testid="zoom-upsampled"]'));
  expect(page().querySelector('[data-testid="zoom-upsampled"]')?.textContent).toBe(
    "z12 is 1.7 levels past the source's native ≈z10.3: tiles there are upsampled",
  );
});

test('"Save as plan…" on the form: the form as a plan file (plans.fromInput), saved into a plan source folder', async () => {
  const yaml = '# Made by Tessera from the preseed form\nname: N57E011\nkind: preseed-raster\n';
  const m = await open(
    handlers({
      'plans.fromInput': (input) => ({ fileName: 'N57E011.yaml', yaml: `${yaml}# ${(input.params as RasterPreseedParams).maxZoom}\n` }),
      'plans.sources': () => ['/srv/plans', 'https://git.example.org/gis/plans.git#main'],
      'plans.save': (input) => ({ path: `${input.source}/${input.fileName}` }),
    }),
  );
  // An incomplete form is not a plan: its errors are shown instead.
  await click(button('Save as plan…')!);
  expect(page().querySelector('[data-testid="save-as-plan"]')).toBeNull();
  expect(m.callsTo('plans.fromInput')).toEqual([]);

  await fillRaster();
  await click(button('Save as plan…')!);
  await waitFor('the plan', () => page().querySelector('[data-testid="plan-text"]')?.textContent === `${yaml}# 10\n`);
  expect(m.callsTo('plans.fromInput')).toMatchObject([{ kind: 'preseed-raster', params: { datasets: [DEM], minZoom: 8, maxZoom: 10 } }]);
  // Only folder sources are offered: a git source is written by a commit.
  const folders = [...page().querySelectorAll<HTMLOptionElement>('[data-testid="plan-save-to"] option')].map((o) => o.value);
  expect(folders).toEqual(['/srv/plans']);
  await click(button('Save to folder')!);
  await waitFor('saved', () => page().querySelector('[data-testid="plan-saved"]') !== null);
  expect(m.callsTo('plans.save')).toEqual([{ source: '/srv/plans', fileName: 'N57E011.yaml', yaml: `${yaml}# 10\n` }]);
  expect(page().querySelector('[data-testid="plan-saved"]')?.textContent).toMatch(/Saved as \/srv\/plans\/N57E011\.yaml/);
  // Nothing was started by saving: the plan sync starts it.
  expect(m.callsTo('jobs.start')).toEqual([]);
});
