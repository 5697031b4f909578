/**
 * The preview's states against the real contract over an in-memory transport. jsdom has no WebGL,
 * so maplibre-gl is replaced by a stand-in that records what the preview asks of the map; the
 * drawing itself is proved in Chromium by e2e/map-preview.test.ts.
 */
import { afterEach, expect, test, vi } from 'vitest';
import type { TileCacheSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, click, mount, setChecked, setValue, waitFor } from '../testing/mount.js';

const created: { options: Record<string, unknown>; layout: Record<string, string>; fitted: unknown[] }[] = [];

vi.mock('maplibre-gl/dist/maplibre-gl-worker.mjs?url', () => ({ default: '/assets/worker.mjs' }));
vi.mock('maplibre-gl/dist/maplibre-gl.css', () => ({}));
vi.mock('maplibre-gl', () => {
  class FakeMap {
    private readonly handlers = new Map<string, ((e: unknown) => void)[]>();
    readonly layout: Record<string, string> = {};
    readonly fitted: unknown[] = [];
    private readonly added = new Set<string>();
    constructor(readonly options: Record<string, unknown>) {
      created.push({ options, layout: this.layout, fitted: this.fitted });
      // The style "loads" and the tiles "arrive" on the next turn, as they would.
      setTimeout(() => {
        this.fire('load', {});
        this.fire('idle', {});
      }, 0);
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
    getSource() {
      return { setData: async () => {} };
    }
    getZoom() {
      return 3.25;
    }
    getLayersOrder() {
      const style = this.options.style as { layers: { id: string }[] };
      return [...style.layers.map((l) => l.id), ...this.added];
    }
    getLayer(id: string) {
      return this.getLayersOrder().includes(id) ? {} : undefined;
    }
    addSource() {}
    addLayer(layer: { id: string }) {
      this.added.add(layer.id);
    }
    removeLayer(id: string) {
      this.added.delete(id);
    }
    removeSource() {}
    fitBounds(bounds: unknown) {
      this.fitted.push(bounds);
    }
    isSourceLoaded() {
      return true;
    }
    setLayoutProperty(layer: string, _name: string, value: string) {
      this.layout[layer] = value;
    }
    setPaintProperty() {}
    // What compare's two maps ask of each other (compare-view.tsx keeps them in step).
    setMinZoom() {}
    setMaxZoom() {}
    jumpTo() {}
    getCenter() {
      return { lng: 0, lat: 0 };
    }
    getBearing() {
      return 0;
    }
    getPitch() {
      return 0;
    }
    remove() {}
  }
  class Control {}
  return { Map: FakeMap, NavigationControl: Control, ScaleControl: Control, Marker: Control, setWorkerUrl: () => {} };
});

const { MapPreview } = await import('./map-preview.js');

const countries: TileCacheSummary = {
  id: 'a0777484ea2c',
  path: '/data/countries.mbtiles',
  kind: 'mbtiles',
  format: 'pbf',
  name: 'countries',
  bounds: [-180, -55.6, 180, 83.6],
  minZoom: 0,
  maxZoom: 4,
  vectorLayers: [{ id: 'countries', fields: { name: 'String' }, geometryType: 'polygon', minZoom: 0, maxZoom: 4 }],
  tileUrlTemplate: 'tiles/a0777484ea2c/{z}/{x}/{y}',
};

let mounted: Mounted | undefined;
afterEach(async () => {
  await mounted?.unmount();
  mounted = undefined;
  created.length = 0;
  localStorage.clear();
});

test('without a path it asks for one and opens nothing', async () => {
  mounted = await mount(<MapPreview />, {});
  expect(mounted.container.textContent).toContain('Open an MBTiles, PMTiles or tile folder to preview it.');
  // The cache picker reads the list of caches; nothing is opened.
  expect(mounted.calls.map((c) => c.name)).toEqual(['caches.list']);
  expect(created).toEqual([]);
});

test("a path that is no tile cache shows the engine's error, naming it", async () => {
  mounted = await mount(<MapPreview />, {
    'caches.open': ({ path }) => {
      throw new TesseraError('NOT_FOUND', `path: no tile cache at ${path} (an MBTiles file, a PMTiles archive or a z/x/y tile directory)`);
    },
  });
  await setValue(mounted.container.querySelector('#map-cache-path')!, '  /data/notes.txt ');
  await click(mounted.container.querySelector('button[type=submit]')!);
  const alert = await waitFor('the error', () => mounted!.container.querySelector('[role=alert]'));
  expect(alert.textContent).toBe('No tile cache at /data/notes.txt (an MBTiles file, a PMTiles archive or a z/x/y tile directory)');
  expect(mounted.callsTo('caches.open')).toEqual([{ path: '/data/notes.txt' }]);
  expect(created).toEqual([]);
});

test('a cache path from the route opens at once: map fitted to the bounds, facts, layer toggles', async () => {
  mounted = await mount(<MapPreview cachePath="/data/countries.mbtiles" />, { 'caches.open': () => countries });
  const canvas = await waitFor('the map to be ready', () => mounted!.container.querySelector<HTMLElement>('[data-testid=map][data-ready=true]'));
  expect(canvas.dataset.cacheId).toBe(countries.id);
  expect(mounted.callsTo('caches.open')).toEqual([{ path: '/data/countries.mbtiles' }]);
  const { options, layout } = created[0]!;
  expect(options).toMatchObject({ bounds: countries.bounds, minZoom: 0, maxZoom: 8 });
  const style = options.style as { sources: Record<string, { tiles: string[] }> };
  expect(style.sources.cache!.tiles[0]).toMatch(/^http:\/\/[^/]+\/tiles\/a0777484ea2c\/\{z\}\/\{x\}\/\{y\}\?v=\d+$/);
  expect(mounted.container.querySelector('.map-facts')!.textContent).toContain('MBTiles · vector (MVT)');

  const toggle = mounted.container.querySelector<HTMLInputElement>('.map-layers input[type=checkbox]')!;
  expect(mounted.container.querySelector('.map-layers')!.textContent).toContain('polygon · z0–4 · 1 fields');
  await setChecked(toggle, false);
  expect(layout['cache:countries:fill']).toBe('none');
  expect(layout['cache:countries:circle']).toBe('none');
  await setChecked(toggle, true);
  expect(layout['cache:countries:fill']).toBe('visible');
});

const twoAreas: TileCacheSummary = {
  ...countries,
  id: 'b0777484ea2c',
  path: '/data/two.mbtiles',
  format: 'png',
  vectorLayers: [],
  bounds: [-88, 41.6, 24.2, 69.1],
  areas: [
    { bounds: [11, 55.3, 24.2, 69.1], tiles: 40, z: 7 },
    { bounds: [-88, 41.6, -87.5, 42.1], tiles: 2, z: 7 },
  ],
};

test('a cache of two areas opens on the larger, lists both, and the list moves the map to the other', async () => {
  mounted = await mount(<MapPreview cachePath="/data/two.mbtiles" />, { 'caches.open': () => twoAreas });
  await waitFor('the map to be ready', () => mounted!.container.querySelector('[data-testid=map][data-ready=true]'));
  const { options, fitted } = created[0]!;
  expect(options).toMatchObject({ bounds: twoAreas.areas![0]!.bounds });
  const items = [...mounted.container.querySelectorAll<HTMLButtonElement>('[data-testid=map-areas] button')];
  expect(items.map((b) => b.textContent)).toEqual(['62.2°N 17.6°E · 40 tiles at z7', '41.9°N 87.8°W · 2 tiles at z7']);
  expect(items[0]!.getAttribute('aria-current')).toBe('true');
  await click(items[1]!);
  expect(fitted).toEqual([twoAreas.areas![1]!.bounds]);
  expect(items[1]!.getAttribute('aria-current')).toBe('true');

  // Fit to data: the whole cache.
  await click([...mounted.container.querySelectorAll<HTMLButtonElement>('.map-toolbar button')].find((b) => b.textContent === 'Fit to data')!);
  expect(fitted.at(-1)).toEqual(twoAreas.bounds);
  expect(mounted.container.querySelector('[data-testid=map-zoom]')!.textContent).toBe('Zoom 3.3 · tiles z4');
});

test('the basemap is under the cache, and switching it off hides it on this map and the next', async () => {
  mounted = await mount(<MapPreview cachePath="/data/countries.mbtiles" />, { 'caches.open': () => countries });
  await waitFor('the map to be ready', () => mounted!.container.querySelector('[data-testid=map][data-ready=true]'));
  const style = created[0]!.options.style as { sources: Record<string, { tiles: string[] }>; layers: { id: string; layout?: { visibility: string } }[] };
  expect(style.sources.basemap!.tiles[0]).toMatch(/^http:\/\/[^/]+\/tiles\/basemap\/\{z\}\/\{x\}\/\{y\}$/);
  const ids = style.layers.map((l) => l.id);
  expect(ids.indexOf('basemap:land')).toBeLessThan(ids.indexOf('cache:countries:fill'));
  expect(style.layers.find((l) => l.id === 'basemap:land')!.layout!.visibility).toBe('visible');

  const basemap = mounted.container.querySelector<HTMLInputElement>('.map-toolbar input[type=checkbox]')!;
  await setChecked(basemap, false);
  expect(created[0]!.layout['basemap:land']).toBe('none');
  expect(created[0]!.layout['basemap:borders']).toBe('none');
  expect(localStorage.getItem('tessera.map.basemap')).toBe('off');

  // Remembered: the next map is made without it.
  await mounted.unmount();
  created.length = 0;
  mounted = await mount(<MapPreview cachePath="/data/countries.mbtiles" />, { 'caches.open': () => countries });
  await waitFor('the map to be ready', () => mounted!.container.querySelector('[data-testid=map][data-ready=true]'));
  const next = created[0]!.options.style as typeof style;
  expect(next.layers.find((l) => l.id === 'basemap:land')!.layout!.visibility).toBe('none');
  expect(mounted.container.querySelector<HTMLInputElement>('.map-toolbar input[type=checkbox]')!.checked).toBe(false);
});

test('a missing tile is no error; any other map error is said on the map', async () => {
  mounted = await mount(<MapPreview cachePath="/data/countries.mbtiles" />, { 'caches.open': () => countries });
  await waitFor('the map to be ready', () => mounted!.container.querySelector('[data-testid=map][data-ready=true]'));
  const map = (mounted.container.querySelector('[data-testid=map]') as HTMLElement & { __map: { fire(t: string, e: unknown): void } }).__map;
  const { act } = await import('react');
  await act(async () => map.fire('error', { error: Object.assign(new Error('Not Found'), { status: 404 }) }));
  expect(mounted.container.querySelector('[role=alert]')).toBeNull();
  expect(mounted.container.textContent).not.toContain('Loading tiles…');
  await act(async () => map.fire('error', { error: Object.assign(new Error('Internal Server Error'), { status: 500 }) }));
  expect(mounted.container.querySelector('[role=alert]')!.textContent).toBe('Internal Server Error');
});

test("a catalogue dataset opens by id as its vector tiles: the outline is the dataset's extent, and there is no cache to verify", async () => {
  const scot: TileCacheSummary = {
    ...countries,
    id: 'c0777484ea2c',
    kind: 'geopackage',
    path: '/data/catalog/scot/scot_BNG.gpkg',
    maxZoom: 14,
    tileUrlTemplate: 'tiles/c0777484ea2c/{z}/{x}/{y}',
  };
  const extent: [number, number, number, number] = [-9.198, 54.508, -0.746, 60.848];
  mounted = await mount(<MapPreview datasetId={7} extent={extent} />, { 'catalog.previewTiles': () => scot });
  await waitFor('the map to be ready', () => mounted!.container.querySelector<HTMLElement>('[data-testid=map][data-ready=true]'));
  expect(mounted.callsTo('catalog.previewTiles')).toEqual([{ id: 7 }]);
  expect(mounted.callsTo('caches.open')).toEqual([]);
  const side = mounted.container.querySelector('.map-side')!.textContent ?? '';
  expect(side).toContain('GeoPackage, tiles cut on demand · vector (MVT)');
  expect(side).toContain('Dataset extent -9.198, 54.508, -0.746, 60.848');
  expect(side).not.toContain('Job extent');
  expect(side).not.toContain('Verify');
  const style = created.at(-1)!.options.style as { sources: Record<string, { tiles: string[] }> };
  expect(style.sources.cache!.tiles[0]).toMatch(/\/tiles\/c0777484ea2c\/\{z\}\/\{x\}\/\{y\}\?v=\d+$/);
});

test('compare has the map’s side panel: both caches with their zooms and the zoom drawn, swap sides and close compare', async () => {
  const hill: TileCacheSummary = {
    ...countries,
    id: '0123456789ab',
    path: '/data/tiles/hillshade.mbtiles',
    format: 'png',
    name: 'hillshade',
    minZoom: 7,
    maxZoom: 10,
    vectorLayers: [],
    tileUrlTemplate: 'tiles/0123456789ab/{z}/{x}/{y}',
  };
  const { useUi } = await import('../ui-store.js');
  mounted = await mount(<MapPreview cachePath={countries.path} compareWith={hill.path} />, {
    'caches.open': ({ path }) => (path === hill.path ? hill : countries),
  });
  const panel = await waitFor('the compare panel with the zoom', () => {
    const p = mounted!.container.querySelector<HTMLElement>('aside[aria-label="Compared caches"]');
    return p?.querySelector('[data-testid="compare-zoom"]') ? p : null;
  });
  const side = (which: string) => panel.querySelector<HTMLElement>(`[data-testid="compare-side-${which}"]`)!;
  expect(side('left').textContent).toContain('countries');
  expect(side('left').querySelector('[data-testid="compare-zooms"]')?.textContent).toBe('z0–4');
  expect(side('right').textContent).toContain('hillshade');
  expect(side('right').textContent).toContain('MBTiles · PNG');
  expect(side('right').querySelector('[data-testid="compare-zooms"]')?.textContent).toBe('z7–10');
  expect(side('right').textContent).toContain('/data/tiles/hillshade.mbtiles');
  // The maps are at zoom 3.25: the vector cache draws its z3, the raster one has nothing above z7.
  expect(panel.querySelector('[data-testid="compare-zoom"]')?.textContent).toBe('Zoom 3.3, both sides');
  expect(side('left').querySelector('[data-testid="compare-drawn"]')?.textContent).toBe('tiles z3');
  expect(side('right').querySelector('[data-testid="compare-drawn"]')?.textContent).toBe('none this far out (from z7)');

  const button = (name: string) => [...panel.querySelectorAll('button')].find((b) => b.textContent === name)!;
  await click(button('Swap sides'));
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: hill.path, compareWith: countries.path });
  await click(button('Close compare'));
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: countries.path });
});

test('a compare whose right cache cannot be opened keeps its panel, so it can be closed', async () => {
  mounted = await mount(<MapPreview cachePath={countries.path} compareWith="/data/gone.mbtiles" />, {
    'caches.open': ({ path }) => {
      if (path === countries.path) return countries;
      throw new TesseraError('NOT_FOUND', `path: no tile cache at ${path} (an MBTiles file, a PMTiles archive or a z/x/y tile directory)`);
    },
  });
  await waitFor('the refusal', () => mounted!.container.querySelector('[role="alert"]'));
  const panel = mounted.container.querySelector<HTMLElement>('aside[aria-label="Compared caches"]')!;
  expect(panel.textContent).toContain('/data/gone.mbtiles');
  expect([...panel.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Swap sides', 'Close compare']);
});
