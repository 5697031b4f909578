/**
 * The preview's states against the real contract over an in-memory transport. jsdom has no WebGL,
 * so maplibre-gl is replaced by a stand-in that records what the preview asks of the map; the
 * drawing itself is proved in Chromium by e2e/map-preview.test.ts.
 */
import { afterEach, expect, test, vi } from 'vitest';
import type { TileCacheSummary } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import { type Mounted, click, mount, setChecked, setValue, waitFor } from '../testing/mount.js';

const created: { options: Record<string, unknown>; layout: Record<string, string> }[] = [];

vi.mock('maplibre-gl/dist/maplibre-gl-worker.mjs?url', () => ({ default: '/assets/worker.mjs' }));
vi.mock('maplibre-gl/dist/maplibre-gl.css', () => ({}));
vi.mock('maplibre-gl', () => {
  class FakeMap {
    private readonly handlers = new Map<string, ((e: unknown) => void)[]>();
    readonly layout: Record<string, string> = {};
    constructor(readonly options: Record<string, unknown>) {
      created.push({ options, layout: this.layout });
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
      return {};
    }
    isSourceLoaded() {
      return true;
    }
    setLayoutProperty(layer: string, _name: string, value: string) {
      this.layout[layer] = value;
    }
    setPaintProperty() {}
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
