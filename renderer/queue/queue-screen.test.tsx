/**
 * The Queue screen in the real shell, over the in-memory transport (every call validated with the
 * contract's zod schemas before the fake engine answers it): the filters' jobs.list inputs, cursor
 * paging as the virtualised history scrolls, bulk cancel/retry with per-id refusals, and live
 * updates written into the cached rows in place.
 */
import { TesseraError } from '../../shared/errors.js';
import { act } from 'react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { JobFilter, RequestParsed } from '../../shared/contract.js';
import { App } from '../app.js';
import { useLiveProgress } from '../live-progress.js';
import { useToasts } from '../shell/notifications.js';
import { type Mounted, byText, click, mount, setChecked, setValue, waitFor } from '../testing/mount.js';
import { useUi } from '../ui-store.js';
import { NO_FILTERS } from './filters.js';
import { HEADER_HEIGHT, ROW_HEIGHT } from './history-list.js';
import { stubHistoryLayout } from './layout-stub.js';
import { useQueueUi } from './queue-store.js';
import { fakeEngine, history, job, progress } from '../testing/test-jobs.js';

const ACTIVE = ['running', 'cancelling', 'queued'];

let m: Mounted | null = null;

beforeEach(() => {
  stubHistoryLayout();
});

afterEach(async () => {
  await m?.unmount();
  m = null;
  vi.restoreAllMocks();
  useQueueUi.setState({ filters: NO_FILTERS, selected: new Set() });
  useUi.setState({ screen: { name: 'queue' }, shortcutsOpen: false });
  useLiveProgress.setState({ byJob: {} });
  useToasts.setState({ toasts: [] });
  window.history.replaceState(null, '', '/');
});

const container = () => m!.container;
const rowOf = (id: number) => container().querySelector<HTMLTableRowElement>(`[data-testid="job-${id}"]`);
const idsIn = (selector: string) =>
  [...container().querySelectorAll(`${selector} [data-testid^="job-"]`)].map((r) => Number(r.getAttribute('data-testid')!.slice(4)));
const activeIds = () => idsIn('table.jobs.active');
const historyIds = () => idsIn('.history-scroll');
const listCalls = () => m!.callsTo('jobs.list');
const historyCalls = () => listCalls().filter((c) => !c.filter?.states?.some((s) => ACTIVE.includes(s)));
const lastHistoryCall = () => historyCalls().at(-1);
const search = () => container().querySelector<HTMLInputElement>('#queue-search')!;
const chip = (state: string) => byText<HTMLButtonElement>(container(), '.filter-bar .states button', state)!;
const historyCount = () => container().querySelector('[data-testid="history-count"]')?.textContent ?? '';

/** Scrolls the history so that row `index` is the last one in view, as a wheel would. */
async function scrollHistoryTo(index: number): Promise<void> {
  const scroller = container().querySelector<HTMLDivElement>('.history-scroll')!;
  await act(async () => {
    scroller.scrollTop = Math.max(0, HEADER_HEIGHT + (index + 1) * ROW_HEIGHT - 520);
    scroller.dispatchEvent(new Event('scroll'));
  });
}

test('the filters become jobs.list filters: state, kind, text once typing stops, and the date range', async () => {
  const engine = fakeEngine([job(22, 'queued'), job(21, 'running'), ...history(20)]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the first rows', () => rowOf(20) && rowOf(21));

  // No filter: the active section asks for its states, the history for everything (it leaves the
  // active rows out itself, so the store can page by its primary key).
  expect(listCalls()).toEqual([
    { filter: { states: ACTIVE }, limit: 200 },
    { filter: {}, limit: 200 },
  ]);
  expect(historyIds()).not.toContain(21);
  expect(historyIds()).not.toContain(22);

  // One finished state: only the history is asked (the active section has nothing to show).
  await click(chip('failed'));
  await waitFor('the failed jobs only', () => historyIds().length > 0 && historyIds().every((id) => id % 3 === 0) && historyIds());
  expect(lastHistoryCall()).toEqual({ filter: { states: ['failed'] }, limit: 200 });
  expect(chip('failed').getAttribute('aria-pressed')).toBe('true');
  expect(container().querySelector('.active-section')?.textContent).toContain('leaves out running and queued jobs');

  // A state of each section: each gets its share (the history's is the same as before: cached).
  const historyRequests = historyCalls().length;
  await click(chip('running'));
  await waitFor('the running job alone', () => activeIds().join() === '21');
  expect(listCalls().at(-1)).toEqual({ filter: { states: ['running'] }, limit: 200 });
  expect(historyCalls()).toHaveLength(historyRequests);
  await click(chip('running'));

  await setValue(container().querySelector<HTMLSelectElement>('select[aria-label="Kind"]')!, 'verify');
  await waitFor('the kind filter', () => lastHistoryCall()?.filter?.kinds);
  expect(lastHistoryCall()).toEqual({ filter: { states: ['failed'], kinds: ['verify'] }, limit: 200 });

  // Typing: one request once the typing pauses, for the final text only.
  const before = listCalls().length;
  await setValue(search(), 'cache-1');
  await setValue(search(), 'cache-12');
  expect(listCalls().length).toBe(before);
  await waitFor('the text filter to be sent', () => lastHistoryCall()?.filter?.text === 'cache-12');
  expect(listCalls().some((c) => c.filter?.text === 'cache-1')).toBe(false);
  expect(lastHistoryCall()).toEqual({ filter: { states: ['failed'], kinds: ['verify'], text: 'cache-12' }, limit: 200 });
  await waitFor('job 12 alone', () => historyIds().join() === '12');

  // Dates are whole local days: from its first millisecond to the last one of the "to" day.
  await setValue(container().querySelector<HTMLInputElement>('input[aria-label="Created from"]')!, '2026-11-01');
  await setValue(container().querySelector<HTMLInputElement>('input[aria-label="Created to"]')!, '2026-11-29');
  await waitFor('the date range', () => lastHistoryCall()?.filter?.createdTo);
  const expected: JobFilter = {
    states: ['failed'],
    kinds: ['verify'],
    text: 'cache-12',
    createdFrom: new Date(2026, 10, 1).toISOString(),
    createdTo: new Date(new Date(2026, 10, 30).getTime() - 1).toISOString(),
  };
  expect(lastHistoryCall()).toEqual({ filter: expected, limit: 200 });

  // Clearing brings back the unfiltered lists (from the cache: no new request is needed).
  await click(byText(container(), 'button', 'Clear filters')!);
  await waitFor('every job again', () => historyIds().includes(20) && activeIds().includes(22));
  expect(search().value).toBe('');
});

test('scrolling to the end of the history asks for the next page by cursor and appends its rows', async () => {
  const engine = fakeEngine(history(450));
  m = await mount(<App />, engine.handlers);
  await waitFor('the first page', () => rowOf(450));
  expect(historyCalls()).toEqual([{ filter: {}, limit: 200 }]);
  expect(historyCount()).toBe('200 loaded, more as you scroll');
  // Virtualised: a window's worth of rows (plus overscan) is in the DOM, not 200.
  expect(historyIds().length).toBeLessThan(40);

  // Half-way through the first page nothing more is asked for.
  await scrollHistoryTo(100);
  await waitFor('row 350 in view', () => rowOf(350));
  expect(historyCalls()).toHaveLength(1);

  await scrollHistoryTo(199);
  await waitFor('the second page', () => historyCount() === '400 loaded, more as you scroll');
  expect(historyCalls()[1]).toEqual({ filter: {}, cursor: 'c251', limit: 200 });

  await scrollHistoryTo(399);
  await waitFor('the last page', () => historyCount() === '450 jobs');
  expect(historyCalls()[2]).toEqual({ filter: {}, cursor: 'c51', limit: 200 });
  expect(historyCalls()).toHaveLength(3);

  await scrollHistoryTo(449);
  await waitFor('the oldest job', () => rowOf(1));
  expect(rowOf(1)?.dataset.index).toBe('449');
  // The rows are in order, newest first, without gaps or repeats.
  const ids = historyIds();
  expect(ids).toEqual(ids.map((_, i) => ids[0]! - i));
  expect(container().querySelector('.more-row')).toBeNull();
});

test('a page that fails to load says so in the list and can be asked for again', async () => {
  const engine = fakeEngine(history(300));
  let failNext = true;
  const list = engine.handlers['jobs.list']!;
  engine.handlers['jobs.list'] = (input: RequestParsed<'jobs.list'>) => {
    if (input.cursor !== undefined && failNext) {
      failNext = false;
      throw Object.assign(new Error('the job store is busy'), { code: 'STORE_UNAVAILABLE' });
    }
    return list(input);
  };
  m = await mount(<App />, engine.handlers);
  await waitFor('the first page', () => rowOf(300));
  await scrollHistoryTo(199);
  const alert = await waitFor('the paging error', () => container().querySelector('.more-row [role="alert"]'));
  expect(alert.textContent).toContain('Could not load more jobs: the job store is busy');
  await click(byText(alert, 'button', 'Try again')!);
  await waitFor('the second page', () => historyCount() === '300 jobs');
});

test('bulk retry and bulk cancel send the selected ids and list each refused one with its reason', async () => {
  const engine = fakeEngine([job(9, 'running', { progress: progress(9, 5, 100) }), ...history(6)]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(6) && rowOf(9));
  const box = (id: number) => rowOf(id)!.querySelector<HTMLInputElement>('input[type="checkbox"]')!;

  expect(container().querySelector('.bulk-bar')?.textContent).toContain('Tick jobs');
  await setChecked(box(6), true);
  await setChecked(box(3), true);
  await setChecked(box(5), true);
  expect(container().querySelector('[data-testid="selected-count"]')?.textContent).toBe('3 selected');
  expect(rowOf(6)?.classList.contains('selected')).toBe(true);

  await click(byText(container(), 'button', 'Retry selected')!);
  const outcome = await waitFor('the retry outcome', () => container().querySelector('[data-testid="bulk-outcome"]'));
  expect(m.callsTo('jobs.retry')).toEqual([{ ids: [6, 3, 5] }]);
  expect(outcome.getAttribute('role')).toBe('alert');
  expect(outcome.textContent).toContain('Retry: 2 re-queued, 1 refused.');
  expect(outcome.querySelector('[data-testid="bulk-failure-5"]')?.textContent).toBe('#5 ILLEGAL_TRANSITION job 5 is succeeded');
  // What was done leaves the selection; what was refused stays ticked.
  expect(container().querySelector('[data-testid="selected-count"]')?.textContent).toBe('1 selected');
  expect(box(5).checked).toBe(true);
  expect(box(6).checked).toBe(false);

  await click(byText(outcome, 'button', 'Dismiss')!);
  await setChecked(box(5), false);
  await setChecked(box(9), true);
  await setChecked(box(4), true);
  await click(byText(container(), 'button', 'Cancel selected')!);
  await waitFor('the cancel outcome', () => container().querySelector('[data-testid="bulk-outcome"]')?.textContent?.startsWith('Cancel'));
  expect(m.callsTo('jobs.cancel')).toEqual([{ ids: [9, 4] }]);
  const cancelOutcome = container().querySelector('[data-testid="bulk-outcome"]')!;
  expect(cancelOutcome.textContent).toContain('Cancel: 1 cancelled, 1 refused.');
  expect(cancelOutcome.querySelector('[data-testid="bulk-failure-4"]')?.textContent).toContain('job 4 is succeeded');

  // Select-all in the history header takes every loaded history row.
  await click(container().querySelector<HTMLInputElement>('.history-scroll thead input[type="checkbox"]')!);
  expect(container().querySelector('[data-testid="selected-count"]')?.textContent).toBe('6 selected');
});

test('job.changed events update, move, add and drop rows in place, without refetching the lists', async () => {
  const engine = fakeEngine([job(10, 'running', { progress: progress(10, 10, 100) }), ...history(5)]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(10) && rowOf(1));
  const requests = listCalls().length;
  const row2 = rowOf(2);
  expect(activeIds()).toEqual([10]);
  expect(historyIds()).toEqual([5, 4, 3, 2, 1]);

  // react-query tells its observers on a zero timeout, after act() returns: hence waitFor below.
  // A history row changes: only that row's content changes, the others keep their DOM nodes.
  await act(async () => m!.emit('job.changed', job(3, 'failed', { error: { code: 'TILE_CORRUPT', message: 'z12: 3 tiles are corrupt' } })));
  await waitFor('row 3 to change', () => rowOf(3)?.textContent?.includes('z12: 3 tiles are corrupt'));
  expect(rowOf(2)).toBe(row2);

  // The running job finishes: it leaves the queue and takes its place at the top of the history.
  await act(async () => m!.emit('job.changed', job(10, 'succeeded', { progress: progress(10, 100, 100) })));
  await waitFor('job 10 in the history', () => historyIds().join() === '10,5,4,3,2,1');
  expect(activeIds()).toEqual([]);
  expect(rowOf(10)?.dataset.state).toBe('succeeded');

  // A new job appears in the queue; a retried one moves up from the history.
  await act(async () => m!.emit('job.changed', job(11, 'queued')));
  await act(async () => m!.emit('job.changed', job(4, 'queued')));
  await waitFor('jobs 4 and 11 in the queue', () => activeIds().join() === '4,11');
  expect(historyIds()).toEqual([10, 5, 3, 2, 1]);
  expect(rowOf(2)).toBe(row2);

  expect(listCalls().length).toBe(requests);
});

test('a running job shows its live progress, rate and ETA from job.progress events', async () => {
  const engine = fakeEngine([job(2, 'running', { progress: progress(2, 10, 200) }), job(1, 'succeeded')]);
  m = await mount(<App />, engine.handlers);
  const bar = () => rowOf(2)?.querySelector('[role="progressbar"]');
  await waitFor('the running job', () => bar());
  expect(bar()?.getAttribute('aria-valuenow')).toBe('5');

  await act(async () => m!.emit('job.progress', progress(2, 110, 200, { rate: 42.4, etaSeconds: 65, failed: 3 })));
  await waitFor('the bar to move', () => bar()?.getAttribute('aria-valuenow') === '55');
  expect(rowOf(2)?.textContent).toContain('110 / 200 · 3 bad');
  expect(rowOf(2)?.textContent).toContain('42/s');
  expect(rowOf(2)?.textContent).toContain('ETA 1m 05s');

  // A late tick for a finished job does not overwrite its final numbers.
  await act(async () => m!.emit('job.progress', progress(1, 3, 100)));
  expect(rowOf(1)?.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('100');
});

test('empty, filtered-empty and error states', async () => {
  const engine = fakeEngine([]);
  m = await mount(<App />, engine.handlers);
  const empty = await waitFor('the empty state', () => container().querySelector('.empty'));
  expect(empty.textContent).toMatch(/^No jobs yet\./);
  // It points at what the window can do, never at a terminal command (which a running console locks out).
  expect(empty.textContent).not.toMatch(/tessera |terminal/);
  expect([...empty.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['#/preseed', '#/catalog', '#/migrate', '#/map']);
  expect(container().querySelector('table')).toBeNull();

  await click(chip('partial'));
  const blank = await waitFor('the filtered empty state', () => container().querySelector('.blank'));
  expect(blank.textContent).toContain('No jobs match these filters.');
  expect(container().querySelector('.empty')).toBeNull();
  await click(byText(blank, 'button', 'Clear filters')!);
  await waitFor('the empty state again', () => container().querySelector('.empty'));
  await m.unmount();

  let broken = true;
  const failing = fakeEngine([job(1, 'succeeded')]);
  const list = failing.handlers['jobs.list']!;
  failing.handlers['jobs.list'] = (input: RequestParsed<'jobs.list'>) => {
    if (broken) throw Object.assign(new Error('the job store is closed'), { code: 'STORE_UNAVAILABLE' });
    return list(input);
  };
  m = await mount(<App />, failing.handlers);
  const alert = await waitFor('the error', () => container().querySelector('.queue-screen [role="alert"]'));
  expect(alert.textContent).toContain('Could not load jobs: the job store is closed');
  broken = false;
  await click(byText(alert, 'button', 'Try again')!);
  await waitFor('the job after the retry', () => rowOf(1));
});

test('after the engine stopped restarting, one message says so instead of loading rows or Try again', async () => {
  const engine = fakeEngine([job(1, 'succeeded')]);
  engine.handlers['jobs.list'] = () => {
    throw new TesseraError('ENGINE_STOPPED', 'jobs.list: the engine is not running: it crashed 5 times in a row; Tessera stopped restarting it');
  };
  m = await mount(<App />, engine.handlers);
  const stopped = await waitFor('the stopped message', () => container().querySelector('[data-testid="engine-stopped"]'), {
    container: container().querySelector('main') ?? undefined,
  });
  expect(stopped.textContent).toContain('The engine stopped after repeated crashes.');
  expect(stopped.textContent).toContain('Restart Tessera');
  expect(stopped.textContent).toContain('tessera serve');
  expect(stopped.textContent).toContain('crashed 5 times in a row');
  expect(container().querySelector('.skeleton')).toBeNull();
  expect(byText(stopped, 'button', 'Try again')).toBeFalsy();
});

test('clicking a row opens the job detail, and its Cancel button does not', async () => {
  const engine = fakeEngine([job(2, 'running'), job(1, 'succeeded')]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(2));
  await click(byText(rowOf(2)!, 'button', 'Cancel')!);
  await waitFor('the cancel call', () => m!.callsTo('jobs.cancel').length === 1);
  expect(useUi.getState().screen).toEqual({ name: 'queue' });
  expect(m.callsTo('jobs.cancel')).toEqual([{ ids: [2] }]);

  await click(rowOf(1)!.querySelector('td.progress')!);
  expect(useUi.getState().screen).toEqual({ name: 'job', jobId: 1 });
  expect(window.location.hash).toBe('#/jobs/1');
});

test('the filters are held in the address: set from it, written to it, and back to the filtered list after a job', async () => {
  const engine = fakeEngine([job(2, 'failed'), job(1, 'succeeded')]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(2) && rowOf(1));
  await click(chip('failed'));
  expect(window.location.hash).toBe('#/queue?state=failed');
  await waitFor('only the failed job', () => rowOf(1) === null);

  // A link (or a typed address) sets the filters.
  window.location.hash = '#/queue?state=succeeded&q=job';
  await waitFor('the succeeded job only', () => rowOf(1) !== null && rowOf(2) === null);
  expect(chip('succeeded').getAttribute('aria-pressed')).toBe('true');
  expect(search().value).toBe('job');

  // Away to a job and back by the rail: the address holds the filters again.
  await click(rowOf(1)!.querySelector('td.progress')!);
  expect(window.location.hash).toBe('#/jobs/1');
  await click(container().querySelector<HTMLAnchorElement>('nav.rail a[href="#/queue"]')!);
  await waitFor('the filters back in the address', () => window.location.hash === '#/queue?state=succeeded&q=job');
});
