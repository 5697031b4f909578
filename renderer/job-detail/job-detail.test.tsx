/**
 * The job detail screen over an in-memory engine that answers through the real contract (every
 * input validated with the contract's schemas): paging items by cursor, sorting and filtering them,
 * the actions, and the live updates from engine events.
 */
import { afterEach, expect, test } from 'vitest';
import type { ItemState, JobEvent, JobItem, JobSummary, TileIssue } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { Handlers } from '../testing/memory-transport.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from '../testing/mount.js';
import { useUi } from '../ui-store.js';
import { JobDetail } from './job-detail.js';
import { focusIssueOnOpen } from './tile-issues.js';

const NOW = '2026-11-29T09:00:00.000Z';

function summary(id: number, items: JobItem[], extra: Partial<JobSummary> = {}): JobSummary {
  const count = (s: ItemState) => items.filter((i) => i.state === s).length;
  return {
    id,
    kind: 'verify',
    name: `verify damaged-${id}.mbtiles`,
    state: 'partial',
    priority: 0,
    params: { cache: `/data/damaged-${id}.mbtiles`, maxTileBytes: 512_000 },
    createdAt: NOW,
    startedAt: NOW,
    finishedAt: NOW,
    updatedAt: NOW,
    items: {
      total: items.length,
      queued: count('queued'),
      running: count('running'),
      succeeded: count('succeeded'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      interrupted: count('interrupted'),
    },
    progress: { jobId: id, done: 100, total: 100, failed: 5, bytes: 1 << 20, skipped: 0, rate: 0, etaSeconds: null },
    error: { code: 'TILE_CORRUPT', message: '1 of 6 item(s) failed; first: z10: 5 of 24 tiles at z10 are corrupt' },
    ...extra,
  } as JobSummary;
}

function item(jobId: number, ordinal: number, extra: Partial<JobItem> = {}): JobItem {
  return {
    id: 1000 + ordinal,
    jobId,
    ordinal,
    label: `z${ordinal}`,
    state: 'succeeded',
    attempts: 1,
    done: 4 ** Math.min(ordinal, 8),
    total: 4 ** Math.min(ordinal, 8),
    failed: 0,
    bytes: 100 * ordinal,
    skipped: 0,
    error: null,
    result: null,
    startedAt: NOW,
    finishedAt: NOW,
    ...extra,
  };
}

/** Six zoom levels, as verify plans them; z10 failed with corrupt tiles, z7 retried once. */
function zoomItems(jobId: number): JobItem[] {
  return [
    item(jobId, 5),
    item(jobId, 6),
    item(jobId, 7, { attempts: 3 }),
    item(jobId, 8, { state: 'cancelled', attempts: 0, done: 10 }),
    item(jobId, 9, { state: 'failed', attempts: 2, failed: 1, error: { code: 'IO_ERROR', message: 'EIO: read failed' } }),
    item(jobId, 10, { state: 'failed', failed: 5, error: { code: 'TILE_CORRUPT', message: '5 of 24 tiles at z10 are corrupt' } }),
  ].map((it, ordinal) => ({ ...it, ordinal }));
}

interface Engine {
  job: JobSummary;
  items: JobItem[];
  events: JobEvent[];
  issues: TileIssue[];
  handlers: Handlers;
}

/** One job in memory, paged as the store pages (keyset cursors; here the next offset as text). */
function engine(job: JobSummary, items: JobItem[], events: JobEvent[] = [], issues: TileIssue[] = []): Engine {
  const state: Engine = { job, items, events, issues, handlers: {} };
  const find = (id: number) => {
    if (id !== state.job.id) throw new TesseraError('NOT_FOUND', `job ${id} does not exist`);
    return state.job;
  };
  const page = <T,>(rows: T[], cursor: string | undefined, limit: number) => {
    const start = cursor === undefined ? 0 : Number(cursor);
    return { rows: rows.slice(start, start + limit), nextCursor: start + limit < rows.length ? String(start + limit) : null };
  };
  state.handlers = {
    'jobs.get': ({ id }) => find(id),
    'jobs.items': ({ id, cursor, limit }) => (find(id), page(state.items, cursor, limit)),
    'jobs.events': ({ id, afterId, limit }) => (find(id), state.events.filter((e) => e.id > (afterId ?? 0)).slice(0, limit)),
    'jobs.tileIssues': ({ id, cursor, limit }) => (find(id), page(state.issues, cursor, limit)),
    'jobs.retry': ({ ids }) => {
      for (const id of ids) find(id);
      for (const it of state.items) if (it.state === 'failed') it.state = 'queued';
      state.job = { ...state.job, state: 'queued', finishedAt: null };
      return { ok: ids, failed: [] };
    },
    'jobs.cancel': ({ ids }) => ({ ok: ids, failed: [] }),
    'jobs.rerun': ({ id }) => ({ ...find(id), id: id + 100, state: 'queued' }),
    // A job that ran in the engine's own threads: no tasks per worker.
    'jobs.workers': ({ id }) => (find(id), []),
  };
  return state;
}

function event(jobId: number, id: number, type: string, message: string): JobEvent {
  return { id, jobId, at: NOW, type, message, data: null };
}

let mounted: Mounted | null = null;
afterEach(async () => {
  await mounted?.unmount();
  mounted = null;
  useUi.setState({ screen: { name: 'queue' } });
});

async function show(e: Engine, jobId = e.job.id): Promise<Mounted> {
  mounted = await mount(<JobDetail jobId={jobId} />, e.handlers);
  return mounted;
}

const page = () => mounted!.container;
const itemLabels = () => [...page().querySelectorAll<HTMLTableRowElement>('.items-table tbody tr[data-label]')].map((r) => r.dataset.label);
const header = (column: string) => page().querySelector<HTMLButtonElement>(`button.sort[data-column="${column}"]`)!;
const button = (name: string | RegExp) => byText<HTMLButtonElement>(page(), 'button', name);

test('the header, parameters, items, tile issues and timeline of a partial verify job', async () => {
  const e = engine(
    summary(7, zoomItems(7)),
    zoomItems(7),
    [
      event(7, 1, 'created', 'verify job created'),
      event(7, 2, 'state.running', 'queued → running'),
      event(7, 3, 'item.retry', 'z7: attempt 1 failed'),
      event(7, 4, 'item.failed', 'z10: running → failed'),
      event(7, 5, 'state.partial', 'running → partial'),
    ],
    [
      { itemId: 1010, z: 10, x: 550, y: 300, issue: 'corrupt', detail: 'PNG truncated' },
      { itemId: 1010, z: 10, x: 551, y: 300, issue: 'corrupt', detail: 'empty file' },
    ],
  );
  await show(e);
  await waitFor('the items', () => itemLabels().length === 6);

  expect(page().querySelector('h2')?.textContent).toBe('verify damaged-7.mbtiles');
  expect(page().querySelector('[data-testid="job-state"]')?.textContent).toBe('partial');
  expect(page().querySelector('.job-error')?.textContent).toContain('TILE_CORRUPT');
  expect(page().querySelector('.kv')?.textContent).toContain('/data/damaged-7.mbtiles');
  // Labels and units, not field names and raw numbers.
  expect(page().querySelector('.kv [data-field="maxTileBytes"]')?.textContent).toBe('Largest tile500 KiB');
  expect(itemLabels()).toEqual(['z5', 'z6', 'z7', 'z8', 'z9', 'z10']);
  const z10 = page().querySelector('tr[data-label="z10"]')!;
  expect(z10.textContent).toContain('TILE_CORRUPT');
  expect(z10.textContent).toContain('5 of 24 tiles at z10 are corrupt');

  await waitFor('the tile issues', () => page().querySelector('[data-testid="tile-10/550/300"]'));
  expect(page().querySelector('[data-testid="tile-10/550/300"]')?.textContent).toContain('z10');
  await waitFor('the timeline', () => page().querySelectorAll('.timeline-list .tl').length === 5);
  const tones = [...page().querySelectorAll<HTMLElement>('.timeline-list .tl')].map((li) => `${li.dataset.type}:${li.className.replace('tl tone-', '')}`);
  expect(tones).toEqual(['created:muted', 'state.running:info', 'item.retry:warn', 'item.failed:bad', 'state.partial:bad']);

  // Each bad tile can be looked at on the map: opened on that tile, with the job's bad tiles drawn.
  await click(byText(page().querySelector('[data-testid="tile-10/550/300"]')!, 'button', 'Show on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: '/data/damaged-7.mbtiles', jobId: 7, tile: [10, 550, 300] });
});

test('items sort by any column, both ways', async () => {
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  await show(e);
  await waitFor('the items', () => itemLabels().length === 6);

  await click(header('attempts'));
  expect(itemLabels()).toEqual(['z8', 'z5', 'z6', 'z10', 'z9', 'z7']);
  expect(header('attempts').closest('th')?.getAttribute('aria-sort')).toBe('ascending');
  await click(header('attempts'));
  expect(itemLabels()).toEqual(['z7', 'z9', 'z5', 'z6', 'z10', 'z8']);
  expect(header('attempts').closest('th')?.getAttribute('aria-sort')).toBe('descending');

  await click(header('state'));
  expect(itemLabels()).toEqual(['z8', 'z9', 'z10', 'z5', 'z6', 'z7']);

  await click(header('label'));
  await click(header('label'));
  expect(itemLabels()).toEqual(['z10', 'z9', 'z8', 'z7', 'z6', 'z5']);

  await click(header('errorCode'));
  expect(itemLabels()).toEqual(['z9', 'z10', 'z5', 'z6', 'z7', 'z8']);
  // The error column reads as one plain title, not "Error code · message".
  expect([...page().querySelectorAll('.items-table thead th')].map((th) => th.textContent?.replace(/[▲▼]/g, ''))).toEqual([
    'Item',
    'State',
    'Attempts',
    'Done / total',
    'Failed',
    'Bytes',
    'Error',
  ]);

  await click(header('failed'));
  await click(header('failed'));
  expect(itemLabels().slice(0, 2)).toEqual(['z10', 'z9']);
});

test('items filter by state and by text in the error message, together with a sort', async () => {
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  await show(e);
  await waitFor('the items', () => itemLabels().length === 6);
  const stateFilter = page().querySelector<HTMLSelectElement>('select[aria-label="Filter by state"]')!;
  const textFilter = page().querySelector<HTMLInputElement>('input[aria-label="Filter by item or error"]')!;
  expect([...stateFilter.options].map((o) => o.textContent)).toEqual([
    'All states (6)',
    'queued (0)',
    'running (0)',
    'succeeded (3)',
    'failed (2)',
    'cancelled (1)',
    'interrupted (0)',
  ]);

  await setValue(stateFilter, 'failed');
  expect(itemLabels()).toEqual(['z9', 'z10']);
  expect(page().querySelector('[data-testid="items-summary"]')?.textContent).toBe('2 of 6 items match');

  await setValue(textFilter, 'tiles at z10');
  expect(itemLabels()).toEqual(['z10']);

  await setValue(stateFilter, '');
  await setValue(textFilter, 'eio');
  expect(itemLabels()).toEqual(['z9']);

  await setValue(textFilter, 'no such thing');
  expect(itemLabels()).toEqual([]);
  expect(page().querySelector('.items-table tbody')?.textContent).toBe('No loaded item matches the filter.');

  // A sort applies to what the filter lets through.
  await setValue(textFilter, '');
  await setValue(stateFilter, 'succeeded');
  await click(header('attempts'));
  await click(header('attempts'));
  expect(itemLabels()).toEqual(['z7', 'z5', 'z6']);
});

test('a job with many items is paged through jobs.items by cursor until every item is loaded', { timeout: 20_000 }, async () => {
  const many = Array.from({ length: 1234 }, (_, i) =>
    item(3, i, {
      id: i + 1,
      label: `tile-block-${i}`,
      state: i % 100 === 99 ? 'failed' : 'succeeded',
      error: i % 100 === 99 ? { code: 'TILE_CORRUPT', message: `block ${i} is corrupt` } : null,
    }),
  );
  const e = engine(summary(3, many), many);
  const memory = await show(e);
  await waitFor('every item', () => page().querySelector('[data-testid="items-summary"]')?.textContent === '1,234 items', { timeoutMs: 15_000 });

  const pages = memory.callsTo('jobs.items');
  expect(pages.map((p) => p.cursor)).toEqual([undefined, '500', '1000']);
  expect(pages.every((p) => p.id === 3 && p.limit === 500)).toBe(true);
  // Filtering covers all of them, the last page included.
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Filter by state"]')!, 'failed');
  expect(itemLabels()).toHaveLength(12);
  expect(itemLabels().at(-1)).toBe('tile-block-1199');
});

test('"Retry failed items" sends jobs.retry for this job, and the attempts move when the engine reruns them', async () => {
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  const memory = await show(e);
  await waitFor('the items', () => itemLabels().length === 6);
  expect(button('Cancel')).toBeNull();

  await click(button('Retry failed items')!);
  await waitFor('jobs.retry', () => memory.callsTo('jobs.retry').length === 1);
  expect(memory.callsTo('jobs.retry')).toEqual([{ ids: [7] }]);
  await waitFor('the job to show queued', () => page().querySelector('[data-testid="job-state"]')?.textContent === 'queued');

  // The engine runs the failed item again: the same tiles are still bad.
  const z10 = e.items.find((i) => i.label === 'z10')!;
  Object.assign(z10, { state: 'failed', attempts: 2 });
  e.job = summary(7, e.items);
  memory.emit('job.changed', e.job);
  await waitFor('attempt 2 of z10', () => page().querySelector('tr[data-label="z10"] [data-column="attempts"]')?.textContent === '2');
  expect(page().querySelector('[data-testid="job-state"]')?.textContent).toBe('partial');
});

test('a running job follows job.progress, job.changed and job.event; Cancel sends jobs.cancel', async () => {
  const items = [item(4, 0, { state: 'running', done: 10, total: 100 })];
  const e = engine(
    summary(4, items, {
      state: 'running',
      finishedAt: null,
      error: null,
      progress: { jobId: 4, done: 10, total: 100, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null },
    }),
    items,
    [event(4, 1, 'state.running', 'queued → running')],
  );
  const memory = await show(e);
  const bar = () => page().querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow');
  await waitFor('the header', () => bar() === '10');
  await waitFor('the first event', () => page().querySelectorAll('.timeline-list .tl').length === 1);

  memory.emit('job.progress', { jobId: 4, done: 60, total: 100, failed: 1, bytes: 0, skipped: 0, rate: 25, etaSeconds: 2 });
  memory.emit('job.progress', { jobId: 5, done: 99, total: 100, failed: 0, bytes: 0, skipped: 0, rate: 0, etaSeconds: null });
  await waitFor('the bar to move', () => bar() === '60');
  expect(page().querySelector('[data-testid="job-progress-text"]')?.textContent).toBe('60 / 100 tiles · 1 bad · 25 tiles/s · ETA 2.0 s');

  memory.emit('job.event', event(4, 2, 'item.retry', 'z0: attempt 1 failed (IO_ERROR); retrying in 250 ms'));
  memory.emit('job.event', event(4, 2, 'item.retry', 'z0: attempt 1 failed (IO_ERROR); retrying in 250 ms'));
  memory.emit('job.event', event(9, 3, 'state.failed', 'another job'));
  await waitFor('the live event', () => page().querySelectorAll('.timeline-list .tl').length === 2);
  expect(page().querySelector('[data-testid="event-2"]')?.className).toBe('tl tone-warn');

  await click(button('Cancel')!);
  await waitFor('jobs.cancel', () => memory.callsTo('jobs.cancel').length === 1);
  expect(memory.callsTo('jobs.cancel')).toEqual([{ ids: [4] }]);

  e.job = {
    ...e.job,
    state: 'cancelled',
    finishedAt: NOW,
    progress: { jobId: 4, done: 60, total: 100, failed: 1, bytes: 0, skipped: 0, rate: 0, etaSeconds: null },
  };
  memory.emit('job.changed', e.job);
  await waitFor('the cancelled state', () => page().querySelector('[data-testid="job-state"]')?.textContent === 'cancelled');
  expect(button('Cancel')).toBeNull();
  expect(button('Resume')).not.toBeNull();
  // A late progress tick does not undo the final numbers.
  memory.emit('job.progress', { jobId: 4, done: 70, total: 100, failed: 1, bytes: 0, skipped: 0, rate: 25, etaSeconds: 1 });
  await waitFor('a render', () => true);
  expect(bar()).toBe('60');
});

test('"Run again with these settings" starts a rerun and goes to the new job; "Open on map" goes to the cache', async () => {
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  const memory = await show(e);
  await waitFor('the actions', () => button('Run again with these settings'));

  // With the job, so that its bad tiles are drawn over the cache.
  await click(button('Open on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: '/data/damaged-7.mbtiles', jobId: 7 });

  await click(button('Run again with these settings')!);
  await waitFor('the new job', () => useUi.getState().screen.name === 'job');
  expect(memory.callsTo('jobs.rerun')).toEqual([{ id: 7 }]);
  expect(useUi.getState().screen).toEqual({ name: 'job', jobId: 107 });
});

test('a preseed offers "Open on map" for its output once it succeeded or ended partial, framed by its bbox', async () => {
  const output = '/srv/tessera/caches/N57E011.mbtiles';
  const params = {
    datasets: ['/data/N57E011.hgt'],
    minZoom: 8,
    maxZoom: 10,
    bbox: [11.2, 57.2, 11.8, 57.8] as [number, number, number, number],
    mode: 'resume' as const,
    output,
    tileSize: 256 as const,
    format: 'png' as const,
    quality: 85,
    pngPalette: false,
    pngCompression: 6,
    pngAdaptiveFiltering: true,
    resampling: 'average' as const,
    scale: 'auto' as const,
  };
  const preseed = summary(9, [item(9, 0, { label: 'N57E011.hgt' })], {
    kind: 'preseed-raster',
    name: `preseed raster ${output}`,
    state: 'running',
    finishedAt: null,
    error: null,
    params,
  });
  const e = engine(preseed, [item(9, 0, { label: 'N57E011.hgt', state: 'running' })]);
  const memory = await show(e);
  await waitFor('the actions', () => button(/^Run again with these settings/));
  // Still running: the output is not finished, so there is nothing to open yet.
  expect(button('Open on map')).toBeNull();

  for (const state of ['failed', 'cancelled'] as const) {
    e.job = { ...e.job, state, finishedAt: NOW };
    memory.emit('job.changed', e.job);
    await waitFor(`the ${state} state`, () => page().querySelector('[data-testid="job-state"]')?.textContent === state);
    expect(button('Open on map')).toBeNull();
  }
  for (const state of ['partial', 'succeeded'] as const) {
    e.job = { ...e.job, state, finishedAt: NOW };
    memory.emit('job.changed', e.job);
    await waitFor(`the ${state} state`, () => page().querySelector('[data-testid="job-state"]')?.textContent === state);
    expect(button('Open on map')?.title).toBe(output);
  }
  await click(button('Open on map')!);
  expect(useUi.getState().screen).toEqual({ name: 'map', cachePath: output, extent: [11.2, 57.2, 11.8, 57.8], jobId: 9 });
});

test('tile issues page by cursor on request', { timeout: 20_000 }, async () => {
  const issues: TileIssue[] = Array.from({ length: 620 }, (_, i) => ({ itemId: 1010, z: 10, x: i, y: 3, issue: 'corrupt', detail: 'bad' }));
  const e = engine(summary(7, zoomItems(7)), zoomItems(7), [], issues);
  const memory = await show(e);
  await waitFor('the first page of tiles', () => page().querySelectorAll('.issues-table tbody tr').length === 500, { timeoutMs: 8000 });
  expect(page().querySelector('[data-testid="issues-summary"]')?.textContent).toBe('500+ tiles');
  await click(button('Load more tiles')!);
  await waitFor('all tiles', () => page().querySelectorAll('.issues-table tbody tr').length === 620, { timeoutMs: 8000 });
  expect(memory.callsTo('jobs.tileIssues').map((c) => c.cursor)).toEqual([undefined, '500']);
  expect(button('Load more tiles')).toBeNull();
  expect(page().querySelector('[data-testid="tile-10/619/3"] td:nth-child(4)')?.textContent).toBe('z10');
});

test('the map’s link to one issue opens the job on its row, reading pages until it is found', { timeout: 20_000 }, async () => {
  const issues: TileIssue[] = Array.from({ length: 620 }, (_, i) => ({ itemId: 1010, z: 10, x: i, y: 3, issue: 'corrupt', detail: 'bad' }));
  const e = engine(summary(7, zoomItems(7)), zoomItems(7), [], issues);
  // jsdom lays nothing out and has no scrollIntoView: record which element was asked to scroll.
  const scrolled: Element[] = [];
  const original = Element.prototype.scrollIntoView;
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolled.push(this);
  };
  try {
    focusIssueOnOpen(7, '10/600/3/corrupt');
    const memory = await show(e);
    const row = await waitFor('the focused row', () => page().querySelector('[data-testid="tile-10/600/3"][data-focused="true"]'), { timeoutMs: 8000 });
    // It was on the second page: read without a click, and no further.
    expect(memory.callsTo('jobs.tileIssues').map((c) => c.cursor)).toEqual([undefined, '500']);
    await waitFor('the scroll', () => scrolled.includes(row));
    expect(page().querySelectorAll('[data-focused="true"]')).toHaveLength(1);
  } finally {
    Element.prototype.scrollIntoView = original;
  }
});

test('a job that does not exist says so', async () => {
  const e = engine(summary(7, []), []);
  await show(e, 41);
  const alert = await waitFor('the alert', () => page().querySelector('[role="alert"]'));
  expect(alert.textContent).toContain('Job 41 does not exist.');
  expect(page().querySelector('table')).toBeNull();
  await click(button('Back to the jobs')!);
  expect(useUi.getState().screen).toEqual({ name: 'queue' });
});

test('a queued job with no items yet says what to expect', async () => {
  const e = engine(summary(2, [], { state: 'queued', startedAt: null, finishedAt: null, error: null }), []);
  await show(e);
  await waitFor('the empty items', () => byText(page(), 'p', 'Not planned yet: items appear when the job starts.'));
  expect(page().textContent).toContain('No bad tiles recorded.');
  expect(page().textContent).toContain('Nothing logged yet.');
  expect(button('Cancel')).not.toBeNull();
  expect(button('Retry failed items')).toBeNull();
});

test('a job that finishes while its summary is being read shows its final state, not the stale answer', async () => {
  const items = [item(9, 0, { state: 'running', done: 1, total: 10 })];
  const running = summary(9, items, { state: 'running', finishedAt: null, error: null });
  const e = engine(running, items);
  // The first jobs.get is answered only after the job has finished: its answer is stale on arrival.
  let release: (() => void) | null = null;
  let calls = 0;
  e.handlers['jobs.get'] = async () => {
    calls++;
    const answer = e.job;
    if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
    return answer;
  };
  const memory = await show(e);
  await waitFor('the first jobs.get', () => release !== null);
  const done = [{ ...items[0]!, state: 'succeeded' as const, done: 10 }];
  const finished = summary(9, done, { state: 'succeeded', error: null });
  // The engine has finished the job and says so; the stale "running" answer lands after that.
  e.job = finished;
  memory.emit('job.changed', finished);
  (release as unknown as () => void)();
  await waitFor('the final state', () => page().querySelector('[data-testid="job-state"]')?.textContent === 'succeeded');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(page().querySelector('[data-testid="job-state"]')?.textContent).toBe('succeeded');
});

test('an item error written for the operator keeps GDAL’s own words one click away', async () => {
  const gdal = "`/data/staging/job-3/u0/garbage.bin' not recognized as a supported file format.";
  const items = [
    item(3, 0, {
      label: 'garbage.bin',
      state: 'failed',
      error: { code: 'DATASET_UNREADABLE', message: 'garbage.bin: not a format Tessera reads', details: { reason: 'unrecognised-format', gdal } },
    }),
    item(3, 1, { state: 'failed', error: { code: 'IO_ERROR', message: 'EIO: read failed' } }),
  ];
  await show(engine(summary(3, items), items));
  await waitFor('the items', () => itemLabels().length === 2);
  // The file once (the Item column names it), the code and GDAL's words behind a disclosure.
  const garbage = page().querySelector('tr[data-label="garbage.bin"] td.message')!;
  expect(garbage.querySelector('div')?.textContent).toBe('not a format Tessera reads');
  const raw = page().querySelectorAll<HTMLDetailsElement>('.items-table details.raw-error');
  expect(raw.length).toBe(2);
  expect(raw[0]!.open).toBe(false);
  expect(raw[0]!.querySelector('summary')?.textContent).toBe("Code and GDAL's own words");
  expect(raw[0]!.querySelector('code')?.textContent).toBe('DATASET_UNREADABLE');
  expect(raw[0]!.querySelector('pre')?.textContent).toBe(gdal);
  // An error without GDAL's text has its code behind the disclosure, and no raw text.
  expect(raw[1]!.querySelector('summary')?.textContent).toBe('Error code');
  expect(raw[1]!.querySelector('code')?.textContent).toBe('IO_ERROR');
  expect(raw[1]!.querySelector('pre')).toBeNull();
});

test('"Save as plan…" shows the plan file from plans.fromJob with Download and Copy; a refusal says why', async () => {
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  const yaml = '# Made by Tessera from job 7\nname: verify-hill\nkind: verify\nparams:\n  cache: /srv/hill.mbtiles\n';
  e.handlers['plans.fromJob'] = () => ({ fileName: 'verify-hill.yaml', yaml });
  const memory = await show(e);
  await waitFor('the actions', () => button('Save as plan…') !== null);
  await click(button('Save as plan…')!);
  await waitFor('the plan', () => page().querySelector('[data-testid="plan-text"]')?.textContent === yaml);
  expect(memory.callsTo('plans.fromJob')).toEqual([{ id: 7 }]);
  expect(button('Download verify-hill.yaml')).not.toBeNull();
  await click(button('Close')!);
  expect(page().querySelector('[data-testid="save-as-plan"]')).toBeNull();

  e.handlers['plans.fromJob'] = () => {
    throw new TesseraError('BAD_INPUT', 'id: job 7 ingested files uploaded through the console (1); a plan names files on this machine');
  };
  await mounted?.unmount();
  const again = await show(e);
  await waitFor('the actions', () => button('Save as plan…') !== null);
  await click(button('Save as plan…')!);
  await waitFor('the refusal', () => byText(page(), '[role="alert"]', /^No plan: job 7 ingested files uploaded/) !== null);
  expect(again.callsTo('plans.fromJob').length).toBe(1);
});

test('an ingest: a staged Shapefile whose layer failed reads failed, with why, not "succeeded" beside its layer', async () => {
  const items = [
    item(12, 0, { label: 'GSHHS_l_L2.shp', state: 'succeeded' }),
    item(12, 1, {
      label: 'GSHHS_l_L2.shp › GSHHS_l_L2',
      state: 'failed',
      error: { code: 'NO_GEOREFERENCE', message: 'GSHHS_l_L2.shp › GSHHS_l_L2: it has no CRS (no .prj beside the Shapefile); give its CRS and retry' },
    }),
    item(12, 2, { label: 'cities.shp', state: 'succeeded' }),
    item(12, 3, { label: 'cities.shp › cities', state: 'succeeded' }),
  ];
  const e = engine(
    summary(12, items, { kind: 'ingest', name: 'ingest GSHHS_l_L2.shp and 1 more', params: { files: ['/d/GSHHS_l_L2.shp', '/d/cities.shp'] } }),
    items,
  );
  await show(e);
  await waitFor('the items', () => itemLabels().length === 4);
  const row = (label: string) => page().querySelector<HTMLTableRowElement>(`tr[data-label="${label}"]`)!;
  expect(row('GSHHS_l_L2.shp').dataset.state).toBe('succeeded');
  expect(row('GSHHS_l_L2.shp').querySelector('.pill')?.textContent).toBe('failed');
  expect(row('GSHHS_l_L2.shp').querySelector('[data-testid="item-state-note"]')?.textContent).toBe('copied and read; 1 of 1 layer failed');
  expect(row('cities.shp').querySelector('.pill')?.textContent).toBe('succeeded');
  expect(row('cities.shp').querySelector('[data-testid="item-state-note"]')).toBeNull();
});

test('the item table’s sort and state filter are held in the address: a reload (or a shared link) shows the same rows', async () => {
  window.location.hash = '#/jobs/7';
  const e = engine(summary(7, zoomItems(7)), zoomItems(7));
  await show(e);
  await waitFor('the items', () => itemLabels().length === 6);
  await click(header('failed'));
  await setValue(page().querySelector<HTMLSelectElement>('select[aria-label="Filter by state"]')!, 'failed');
  await waitFor('the address', () => window.location.hash.includes('state=failed'));
  expect(window.location.hash).toBe('#/jobs/7?sort=failed.asc&state=failed');
  await mounted!.unmount();

  // Opened again from that address: the same two rows, in the same order.
  await show(e);
  await waitFor('the filtered items', () => itemLabels().length === 2);
  expect(itemLabels()).toEqual(['z9', 'z10']);
  // Another job's page is left alone by this one.
  window.location.hash = '#/jobs/8';
  window.dispatchEvent(new HashChangeEvent('hashchange'));
  await waitFor('a render', () => true);
  expect(window.location.hash).toBe('#/jobs/8');
  window.location.hash = '';
});

test('a job run through the task queue shows its tasks per worker; an in-process job shows no Workers section', async () => {
  const e = engine(summary(7, zoomItems(7), { state: 'running', finishedAt: null }), zoomItems(7));
  let answer = [
    { worker: 'render-07', tasksDone: 30, tasksFailed: 0, tiles: 300, lastSeenAt: NOW },
    { worker: 'render-08', tasksDone: 10, tasksFailed: 2, tiles: 41, lastSeenAt: NOW },
  ];
  e.handlers['jobs.workers'] = () => answer;
  await show(e);
  await waitFor('the workers section', () => page().querySelectorAll('[data-testid="job-workers"] tbody tr').length === 2);
  const section = page().querySelector('[data-testid="job-workers"]')!;
  expect(section.querySelector('h3')?.textContent).toBe('Workers');
  expect(section.textContent).toContain('40 tasks through the task queue');
  const rows = [...section.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
  expect(rows.map((r) => r.slice(0, 3))).toEqual([
    ['render-07', '30 (75 %)', '300'],
    ['render-08', '10 (25 %) · 2 failed', '41'],
  ]);
  // Read again while the job runs (every 2 s): a third worker joins.
  answer = [...answer, { worker: 'render-09', tasksDone: 5, tasksFailed: 0, tiles: 50, lastSeenAt: NOW }];
  await waitFor('the third worker', () => page().querySelectorAll('[data-testid="job-workers"] tbody tr').length === 3, { timeoutMs: 4000 });
  await mounted!.unmount();

  // The same page for a job that ran in the engine's threads: nothing about workers.
  const local = engine(summary(8, zoomItems(8)), zoomItems(8));
  await show(local);
  await waitFor('the items', () => itemLabels().length === 6);
  expect(page().querySelector('[data-testid="job-workers"]')).toBeNull();
  expect(page().textContent).not.toContain('task queue');
});
