/**
 * Fixing a job from its detail screen, over an in-memory engine that answers through the real
 * contract: "Retry with CRS…" on an ingest whose layer has no CRS (the picker, the retry's params,
 * a refusal kept in the dialog), the event log in the operator's words, the parameters by file
 * name, and "Run again with these settings…" opening a form or a panel instead of starting a job.
 */
import { act } from 'react';
import { afterEach, expect, test } from 'vitest';
import type { BulkResult, CrsMatch, JobEvent, JobItem, JobSummary, RequestParsed } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { usePreseedDraft } from '../preseed/preseed-draft.js';
import { useUi } from '../ui-store.js';
import { JobDetail } from './job-detail.js';

const NOW = '2026-12-07T09:00:00.000Z';
const WGS84: CrsMatch = { code: 'EPSG:4326', name: 'WGS 84', area: 'World', kind: 'geographic' };
const NO_CRS = 'cities.shp › cities: it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry';
const FILES = ['upload:0a1b2c3d-shp', 'upload:0a1b2c3d-shx', 'upload:0a1b2c3d-dbf'];

function item(ordinal: number, extra: Partial<JobItem>): JobItem {
  return {
    id: 50 + ordinal,
    jobId: 5,
    ordinal,
    label: '',
    state: 'succeeded',
    attempts: 1,
    done: 10,
    total: 10,
    failed: 0,
    skipped: 0,
    bytes: 10,
    error: null,
    result: null,
    startedAt: NOW,
    finishedAt: NOW,
    ...extra,
  };
}

function ingestJob(): { job: JobSummary; items: JobItem[]; events: JobEvent[] } {
  const names = ['cities.shp', 'cities.shx', 'cities.dbf'];
  const items = [
    item(0, { label: 'cities.shp', done: 61_568, total: 61_568, result: { files: FILES.map((ref, i) => ({ ref, name: names[i] })) } }),
    item(1, {
      label: 'cities.shp › cities',
      state: 'failed',
      done: 0,
      total: 61_568,
      error: { code: 'NO_GEOREFERENCE', message: NO_CRS, details: { reason: 'no-crs', layer: 'cities' } },
    }),
  ];
  const job = {
    id: 5,
    kind: 'ingest',
    name: 'ingest cities.shp and 2 more',
    state: 'partial',
    priority: 0,
    params: { files: FILES },
    createdAt: NOW,
    startedAt: NOW,
    finishedAt: NOW,
    updatedAt: NOW,
    items: { total: 2, queued: 0, running: 0, succeeded: 1, partial: 0, failed: 1, cancelled: 0, interrupted: 0 },
    progress: { jobId: 5, done: 61_568, total: 123_136, failed: 0, bytes: 61_568, rate: 0, etaSeconds: null },
    error: { code: 'NO_GEOREFERENCE', message: `1 of 2 item(s) failed; first: ${NO_CRS}` },
  } as JobSummary;
  const events: JobEvent[] = [
    {
      id: 1,
      jobId: 5,
      at: NOW,
      type: 'item.failed',
      message: `cities.shp › cities: running → failed (NO_GEOREFERENCE: ${NO_CRS})`,
      data: { itemId: 51, label: 'cities.shp › cities', error: { code: 'NO_GEOREFERENCE', message: NO_CRS, details: { gdal: 'no SRS' } } },
    },
  ];
  return { job, items, events };
}

function engine(job: JobSummary, items: JobItem[], events: JobEvent[] = [], retry?: Handlers['jobs.retry']): Handlers {
  return {
    'jobs.get': () => job,
    'jobs.items': () => ({ rows: items, nextCursor: null }),
    'jobs.events': () => events,
    'jobs.tileIssues': () => ({ rows: [], nextCursor: null }),
    'crs.search': () => [WGS84],
    'jobs.retry': retry ?? (({ ids }) => ({ ok: ids, failed: [] })),
    'jobs.start': (input) => ({ ...job, ...input, id: 6, state: 'queued' }) as JobSummary,
    'jobs.rerun': () => ({ ...job, id: 7, state: 'queued' }),
  };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  useUi.setState({ screen: { name: 'queue' } });
});

const page = () => mounted!.container;
const button = (name: string | RegExp, root: ParentNode = page()) => byText<HTMLButtonElement>(root, 'button', name);

async function pick(label: string, text: string): Promise<void> {
  const input = page().querySelector<HTMLInputElement>(`input[role="combobox"][id="${byText<HTMLLabelElement>(page(), 'label', label)!.htmlFor}"]`)!;
  await setValue(input, text);
  await waitFor(`the matches for ${text}`, () => page().querySelector('[role="option"][data-code="EPSG:4326"]'));
  // The first match is the active one: Enter picks it, as the keyboard does.
  await act(async () => {
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
  });
}

test('Retry with CRS… sends the CRS picked as the retry’s params; parameters and log read as the operator’s', async () => {
  const { job, items, events } = ingestJob();
  mounted = await mount(<JobDetail jobId={5} />, engine(job, items, events));
  await waitFor('the failed layer', () => page().querySelector('tr[data-label="cities.shp › cities"]'));

  // Files by their names, not upload ids; the layer's message without the layer's name again.
  const files = page().querySelector('.kv [data-field="files"]')!;
  expect([...files.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['cities.shp', 'cities.shx', 'cities.dbf']);
  expect(page().querySelector('.kv')?.textContent).not.toContain('upload:');
  const message = page().querySelector('tr[data-label="cities.shp › cities"] td.message div')!;
  expect(message.textContent).toBe('it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry');
  // The item's done / total in bytes, as the ingest counts.
  expect(page().querySelector('tr[data-label="cities.shp"] td.progress')?.textContent).toBe('60.1 KiB / 60.1 KiB');
  // The log: the layer once, the code and GDAL's words behind a disclosure.
  await waitFor('the log', () => page().querySelector('.tl[data-type="item.failed"]'));
  const logged = page().querySelector('.tl[data-type="item.failed"] .tl-message')!;
  expect(logged.firstChild?.textContent).toBe(
    'cities.shp › cities failed: it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry',
  );
  expect(logged.querySelector('details code')?.textContent).toBe('NO_GEOREFERENCE');
  expect(logged.querySelector('details pre')?.textContent).toBe('no SRS');

  await click(button('Retry with CRS…', page().querySelector('.job-actions')!)!);
  const dialog = page().querySelector('[role="dialog"]')!;
  expect(dialog.textContent).toContain('cities.shp › cities');
  expect(button('Retry with the CRS picked', dialog)?.disabled).toBe(true);
  await pick('Coordinate reference system', '4326');
  await click(button('Retry with EPSG:4326', dialog)!);
  await waitFor('the dialog to close', () => page().querySelector('[role="dialog"]') === null);
  expect(mounted.callsTo('jobs.retry')).toEqual([{ ids: [5], params: { assignCrs: 'EPSG:4326' } }]);
});

test('a retry the engine refuses keeps the dialog open with the reason', async () => {
  const { job, items } = ingestJob();
  const refuse = ({ ids }: RequestParsed<'jobs.retry'>): BulkResult => ({
    ok: [],
    failed: ids.map((id) => ({ id, error: { code: 'BAD_INPUT', message: 'params.assignCrs: GDAL does not know the CRS "EPSG:4326"' } })),
  });
  mounted = await mount(<JobDetail jobId={5} />, engine(job, items, [], refuse));
  await waitFor('the row’s action', () => page().querySelector('tr[data-label="cities.shp › cities"] button.give-crs'));
  // The row's own button opens the same dialog.
  await click(button('Retry with CRS…', page().querySelector('tr[data-label="cities.shp › cities"]')!)!);
  await pick('Coordinate reference system', 'wgs');
  await click(button('Retry with EPSG:4326')!);
  await waitFor('the refusal', () => page().querySelector('[role="dialog"] [role="alert"]'));
  expect(page().querySelector('[role="dialog"] [role="alert"]')?.textContent).toContain('GDAL does not know the CRS');
});

test('no Retry with CRS… where a CRS would not help', async () => {
  const { job, items } = ingestJob();
  items[1] = { ...items[1]!, error: { code: 'DATASET_UNREADABLE', message: 'cities.shp › cities: broken' } };
  mounted = await mount(<JobDetail jobId={5} />, engine(job, items));
  await waitFor('the actions', () => button('Retry failed items'));
  expect(button('Retry with CRS…')).toBeNull();
});

test('Run again on an ingest opens its panel; the new job starts with the CRS chosen there', async () => {
  const { job, items } = ingestJob();
  mounted = await mount(<JobDetail jobId={5} />, engine(job, items));
  await waitFor('the actions', () => button('Run again with these settings…'));
  await click(button('Run again with these settings…')!);
  expect(mounted.callsTo('jobs.start')).toEqual([]);
  await pick('CRS for sources without one', '4326');
  await click(button('Start the new job')!);
  await waitFor('the new job', () => useUi.getState().screen.name === 'job');
  expect(mounted.callsTo('jobs.start')).toEqual([{ kind: 'ingest', name: job.name, priority: 0, params: { files: FILES, assignCrs: 'EPSG:4326' } }]);
  expect(useUi.getState().screen).toEqual({ name: 'job', jobId: 6 });
});

test('Run again on a vector preseed opens its form filled in, and starts nothing', async () => {
  const { job } = ingestJob();
  const preseed = {
    ...job,
    kind: 'preseed-vector',
    name: 'states z0–7',
    state: 'succeeded',
    error: null,
    params: {
      sources: ['/data/world.gpkg'],
      minZoom: 0,
      maxZoom: 7,
      output: '/srv/states.mbtiles',
      mode: 'resume',
      extent: 4096,
      buffer: 64,
      tolerance: 3,
      maxTileBytes: 512_000,
      thin: false,
      layers: [{ name: 'states_provinces' }],
    },
  } as JobSummary;
  mounted = await mount(<JobDetail jobId={5} />, engine(preseed, []));
  await waitFor('the actions', () => button('Run again with these settings…'));
  // Layers as a list, bytes in units.
  expect(page().querySelector('.kv [data-field="layers"]')?.textContent).toBe('Layersstates_provinces');
  expect(page().querySelector('.kv [data-field="maxTileBytes"]')?.textContent).toBe('Largest tile500 KiB');
  await click(button('Run again with these settings…')!);
  expect(useUi.getState().screen).toEqual({ name: 'preseed', kind: 'vector' });
  const form = usePreseedDraft.getState().vector;
  expect(form).toMatchObject({
    sources: ['/data/world.gpkg'],
    minZoom: '0',
    maxZoom: '7',
    output: '/srv/states.mbtiles',
    name: 'states z0–7',
    maxTileKiB: '500',
  });
  expect(form.layers.map((l) => l.name)).toEqual(['states_provinces']);
  expect(mounted.callsTo('jobs.start')).toEqual([]);
  expect(mounted.callsTo('jobs.rerun')).toEqual([]);
});

test('Run again on an ingest whose uploads are gone says so in words, without upload ids', async () => {
  const { job, items } = ingestJob();
  const handlers = engine(job, items);
  handlers['jobs.start'] = () => {
    throw new TesseraError('BAD_INPUT', `params.files.0: ${FILES[0]}: no such upload (it was never made, or it expired and was removed)`);
  };
  mounted = await mount(<JobDetail jobId={5} />, handlers);
  await waitFor('the actions', () => button('Run again with these settings…'));
  await click(button('Run again with these settings…')!);
  expect(page().querySelector('[data-testid="uploads-note"]')?.textContent).toContain('drop them on the window again');
  await click(button('Start the new job')!);
  await waitFor('the refusal', () => page().querySelector('[data-testid="run-again"] [role="alert"]'));
  const said = page().querySelector('[data-testid="run-again"] [role="alert"]')!.textContent!;
  expect(said).toBe('The new job was refused: file 1: the uploaded copy is no longer kept');
});
