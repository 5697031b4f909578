/**
 * The catalogue screen through the contract: what each dataset shows, previewing on the map,
 * preseeding with the form prefilled, deleting (and a refused delete), and refreshing when an
 * ingest finishes.
 */
import { afterEach, expect, test } from 'vitest';
import type { BulkResult, CatalogDataset, JobSummary } from '../../shared/contract.js';
import { usePreseedDraft } from '../preseed/preseed-draft.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { useUi } from '../ui-store.js';
import { CatalogView } from './catalog-view.js';

const world: CatalogDataset = {
  id: 1,
  name: 'world_map',
  kind: 'vector',
  path: '/data/catalog/world_map-1a2b/world_map.gpkg',
  layers: [
    {
      name: 'countries',
      geometryType: 'Multi Polygon',
      featureCount: 240,
      fields: [{ name: 'NAME', type: 'string' }],
      crs: 'EPSG:4326',
      bounds: [-179.9, -89.9, 179.9, 83.6],
      invalidGeometries: 0,
    },
  ],
  raster: null,
  bounds: [-179.9, -89.9, 179.9, 83.6],
  sizeBytes: 5 * 1024 ** 2,
  source: { type: 'file', files: ['/home/gis/world_map.gpkg'] },
  jobId: 4,
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  thumbnail: 'data:image/png;base64,iVBORw0KGgo=',
  preview: '/data/catalog/world_map-1a2b/preview.mbtiles',
  analysisPending: false,
};
const dem: CatalogDataset = {
  ...world,
  id: 2,
  name: 'N57E011',
  kind: 'raster',
  path: '/data/catalog/N57E011-99aa/N57E011.tif',
  layers: [],
  raster: { width: 1201, height: 1201, bands: 1, dataType: 'Int16', crs: 'EPSG:4326' },
  bounds: [10.9996, 56.9996, 12.0004, 58.0004],
  sizeBytes: 2 * 1024 ** 2,
  source: { type: 'file', files: ['/home/gis/N57E011.hgt'] },
  thumbnail: null,
  preview: null,
};

function handlers(rows: CatalogDataset[], deleteResult?: (ids: number[]) => BulkResult): Handlers {
  let current = [...rows];
  return {
    'app.info': () => ({ version: '0.1.0', host: 'headless', dataDir: '/data', threads: 2 }),
    'catalog.list': (input) => ({
      rows: current.filter((d) => !input.kind || d.kind === input.kind).filter((d) => !input.text || d.name.toLowerCase().includes(input.text.toLowerCase())),
      nextCursor: null,
    }),
    'catalog.delete': ({ ids }) => {
      const result = deleteResult?.(ids) ?? { ok: ids, failed: [] };
      current = current.filter((d) => !result.ok.includes(d.id));
      return result;
    },
  };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  useUi.setState({ screen: { name: 'queue' } });
});
const page = () => mounted!.container;
const row = (name: string) => page().querySelector<HTMLElement>(`[data-testid="dataset"][data-name="${name}"]`);

test('each dataset shows its kind, contents, CRS, extent, size, source and thumbnail', async () => {
  mounted = await mount(<CatalogView />, handlers([world, dem]));
  await waitFor('the rows', () => row('N57E011'));
  const w = row('world_map')!.textContent!;
  expect(w).toContain('vector');
  expect(w).toContain('countries: Multi Polygon, 240 features');
  expect(w).toContain('EPSG:4326');
  expect(w).toContain('-179.90, -89.90, 179.90, 83.60');
  expect(w).toContain('5 MiB');
  expect(w).toContain('world_map.gpkg');
  expect(row('world_map')!.querySelector('img')?.getAttribute('src')).toBe(world.thumbnail);
  const d = row('N57E011')!;
  expect(d.textContent).toContain('1201 × 1201 px, 1 band Int16');
  expect(d.querySelector('img')).toBeNull();
  expect(byText<HTMLButtonElement>(d, 'button', 'Preview on map')!.disabled).toBe(true);
});

test("preview opens a vector dataset's own tiles (by id) and a raster's picture on the map, framed by the extent", async () => {
  const drawn = { ...dem, preview: '/data/catalog/N57E011-99aa/preview.mbtiles', thumbnail: world.thumbnail };
  mounted = await mount(<CatalogView />, handlers([world, drawn]));
  await waitFor('the rows', () => row('N57E011'));
  await click(byText(row('world_map')!, 'button', 'Preview on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', datasetId: world.id, extent: world.bounds });
  await click(byText(row('N57E011')!, 'button', 'Preview on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: drawn.preview, extent: dem.bounds });
});

test('preseed opens the form of its kind with the dataset in it', async () => {
  usePreseedDraft.getState().setRaster({ ...usePreseedDraft.getState().raster, minZoom: '3', datasets: ['/old.tif'] });
  mounted = await mount(<CatalogView />, handlers([world, dem]));
  await waitFor('the rows', () => row('N57E011'));
  await click(byText(row('N57E011')!, 'button', 'Preseed raster…')!);
  expect(useUi.getState().screen).toEqual({ name: 'preseed', kind: 'raster' });
  expect(usePreseedDraft.getState().raster.datasets).toEqual([dem.path]);
  expect(usePreseedDraft.getState().raster.minZoom).toBe('3');
  await click(byText(row('world_map')!, 'button', 'Preseed vector…')!);
  expect(usePreseedDraft.getState().vector.sources).toEqual([world.path]);
  expect(usePreseedDraft.getState().lastKind).toBe('vector');
});

test('delete asks first, then removes the row; a refusal is shown with its reason', async () => {
  mounted = await mount(
    <CatalogView />,
    handlers([world, dem], (ids) =>
      ids.includes(2)
        ? { ok: [], failed: [{ id: 2, error: { code: 'ILLEGAL_TRANSITION', message: 'dataset 2 (N57E011) is in use by job 9, which is running' } }] }
        : { ok: ids, failed: [] },
    ),
  );
  await waitFor('the rows', () => row('N57E011'));
  await click(byText(row('world_map')!, 'button', 'Delete…')!);
  expect(mounted.callsTo('catalog.delete')).toEqual([]);
  await click(byText(row('world_map')!, 'button', 'Delete world_map')!);
  await waitFor('the row to go', () => row('world_map') === null);
  expect(mounted.callsTo('catalog.delete')).toEqual([{ ids: [1] }]);

  await click(byText(row('N57E011')!, 'button', 'Delete…')!);
  await click(byText(row('N57E011')!, 'button', 'Delete N57E011')!);
  await waitFor('the refusal', () => row('N57E011')!.querySelector('[role="alert"]'));
  expect(row('N57E011')!.querySelector('[role="alert"]')!.textContent).toBe('Not deleted: dataset 2 (N57E011) is in use by job 9, which is running');
});

test('search and kind filter go to the engine; the list refreshes when an ingest finishes', async () => {
  const rows = [world];
  mounted = await mount(<CatalogView />, { ...handlers([]), 'catalog.list': () => ({ rows: [...rows], nextCursor: null }) });
  await waitFor('the row', () => row('world_map'));
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Kind"]')!, 'raster');
  await waitFor('the kind filter', () => mounted!.callsTo('catalog.list').some((c) => c.kind === 'raster'));
  await setValue(page().querySelector<HTMLInputElement>('input[type="search"]')!, 'world');
  await waitFor('the search', () => mounted!.callsTo('catalog.list').some((c) => c.text === 'world'));
  rows.push(dem);
  mounted.emit('job.changed', { id: 5, kind: 'ingest', state: 'succeeded' } as JobSummary);
  await waitFor('the new dataset', () => row('N57E011'));
});

test('a picture still being drawn says so, and appears when catalog.changed announces it', async () => {
  let current: CatalogDataset[] = [
    { ...world, thumbnail: null, preview: null, analysisPending: true },
    { ...dem, thumbnail: null, preview: null, analysisPending: true },
  ];
  mounted = await mount(<CatalogView />, { ...handlers([]), 'catalog.list': () => ({ rows: current, nextCursor: null }) });
  await waitFor('the rows', () => row('N57E011'));
  expect(row('world_map')!.querySelector('[data-testid="picture-state"]')?.textContent).toBe('drawing…');
  // A vector dataset's map needs no picture: its tiles are cut from the dataset itself.
  expect((byText(row('world_map')!, 'button', 'Preview on map') as HTMLButtonElement).disabled).toBe(false);
  const rasterButton = byText(row('N57E011')!, 'button', 'Preview on map') as HTMLButtonElement;
  expect(rasterButton.disabled).toBe(true);
  expect(rasterButton.title).toBe('Its preview is being drawn');
  current = [world, { ...dem, preview: '/data/catalog/N57E011-99aa/preview.mbtiles', thumbnail: world.thumbnail }];
  mounted.emit('catalog.changed', { ids: [world.id, dem.id] });
  await waitFor('the thumbnail', () => row('N57E011')!.querySelector('img'));
  expect((byText(row('N57E011')!, 'button', 'Preview on map') as HTMLButtonElement).disabled).toBe(false);
});

test('an empty catalogue says how to fill it', async () => {
  mounted = await mount(<CatalogView />, handlers([]));
  await waitFor('the empty state', () => page().querySelector('.catalog-empty'));
  expect(page().textContent).toContain('Drop files anywhere on this window');
  expect(page().textContent).toContain('tessera ingest');
});
