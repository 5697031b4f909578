/**
 * The shell against the real contract over the in-memory transport (renderer/testing/): the
 * header's health and pause/resume, hash routing both ways (reload, links, back), themes, keyboard
 * shortcuts, and the note when a job finishes. The Queue screen has its own tests in queue/.
 *
 * No @testing-library (not a dependency): react-dom/client and React's act(), as mount.tsx does.
 */
import { act } from 'react';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { App } from './app.js';
import { useLiveProgress } from './live-progress.js';
import { NO_FILTERS } from './queue/filters.js';
import { stubHistoryLayout } from './queue/layout-stub.js';
import { useQueueUi } from './queue/queue-store.js';
import { fakeEngine, history, job } from './testing/test-jobs.js';
import { useToasts } from './shell/notifications.js';
import { SHORTCUTS } from './shell/shortcuts.js';
import { type Mounted, byText, click, mount, setValue, waitFor } from './testing/mount.js';
import { useUi } from './ui-store.js';

let m: Mounted | null = null;

beforeEach(() => {
  stubHistoryLayout();
  window.history.replaceState(null, '', '/');
});

afterEach(async () => {
  await m?.unmount();
  m = null;
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  useQueueUi.setState({ filters: NO_FILTERS, selected: new Set() });
  useUi.setState({ screen: { name: 'queue' }, shortcutsOpen: false, theme: 'system' });
  useLiveProgress.setState({ byJob: {} });
  useToasts.setState({ toasts: [] });
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

const container = () => m!.container;
const rowOf = (id: number) => container().querySelector<HTMLTableRowElement>(`[data-testid="job-${id}"]`);
const screen = () => useUi.getState().screen;
const press = async (key: string, target: EventTarget = window) => {
  await act(async () => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
};

test('the header shows the name, one pill per health check, and pauses and resumes the queue', async () => {
  const engine = fakeEngine(history(3));
  m = await mount(<App />, engine.handlers);
  const pills = await waitFor('the health pills', () => {
    // The header's own row (the summary pill and its popover repeat them for narrow windows).
    const texts = [...container().querySelectorAll('header .health-list .pill')].map((p) => p.textContent);
    return texts.length > 0 && texts;
  });
  expect(container().querySelector('header h1')?.textContent).toBe('Tessera');
  expect(pills).toEqual(['store: ok', 'disk: ok']);

  const toggle = await waitFor('the queue button', () => container().querySelector<HTMLButtonElement>('[data-testid="toggle-queue"]'));
  expect(toggle.textContent).toBe('Pause queue');
  await click(toggle);
  await waitFor('the queue to pause', () => toggle.textContent === 'Resume queue');
  expect(m.callsTo('queue.pause')).toEqual([{}]);
  expect(container().querySelector('.badge-warn')?.textContent).toContain('paused');

  // Another window resumed it: the event says so.
  await act(async () => m!.emit('queue.changed', { paused: false, queued: 0, running: 1, maxRunning: 2 }));
  await waitFor('the button to follow the event', () => toggle.textContent === 'Pause queue');
});

test('an engine process that crashes shows in the health pills at once, and everything is asked again once it runs', async () => {
  const engine = fakeEngine(history(2));
  m = await mount(<App />, engine.handlers);
  const pills = () => [...container().querySelectorAll('header .health-list .pill')].map((p) => p.textContent).join(' ');
  await waitFor('the health pills', () => pills().includes('store: ok'));
  const listed = m.callsTo('jobs.list').length;

  // The supervisor answers app.health by itself while the engine restarts (main/engine-process/).
  engine.handlers['app.health'] = () => [
    { name: 'engine', state: 'failed', message: 'restarting: the engine process exited (signal SIGKILL)', checkedAt: new Date().toISOString() },
  ];
  await act(async () => m!.emit('engine.state', { state: 'restarting', message: 'the engine process exited (signal SIGKILL)', restarts: 0 }));
  // Restarting is a wait, not a fault (amber); the checks from before the crash stay, marked stale.
  await waitFor('the engine pill', () => pills().startsWith('engine: restarting'));
  expect(pills()).toContain('store: ok');
  expect(container().querySelector('header .health-list .pill.health-restarting')?.getAttribute('title')).toContain('SIGKILL');
  expect(container().querySelector('header .health-list .pill.health-stale')?.textContent).toBe('store: ok');

  engine.handlers['app.health'] = () => [{ name: 'store', state: 'ok', message: 'job store open', checkedAt: new Date().toISOString() }];
  await act(async () => m!.emit('engine.state', { state: 'running', message: 'restarted', restarts: 1 }));
  await waitFor('the pills to recover', () => pills() === 'store: ok');
  await waitFor('the queue to be asked again', () => m!.callsTo('jobs.list').length > listed);
});

test('a job joining or leaving the queue refreshes its counts, which the engine does not announce', async () => {
  const engine = fakeEngine(history(2));
  engine.queue = { paused: true, queued: 0, running: 0, maxRunning: 2 };
  m = await mount(<App />, engine.handlers);
  const counts = () => container().querySelector('.active-section .section-head')?.textContent ?? '';
  await waitFor('the queue counts', () => counts().includes('0 queued'));
  const asked = m.callsTo('queue.get').length;

  engine.queue = { ...engine.queue, queued: 1 };
  await act(async () => m!.emit('job.changed', job(3, 'queued')));
  await waitFor('the new count', () => counts().includes('1 queued'), { timeoutMs: 3000 });
  expect(m.callsTo('queue.get')).toHaveLength(asked + 1);
  expect(container().querySelector('nav [title="0 running, 1 queued"]')?.textContent).toBe('1');

  // A counter moving on the same job asks nothing more.
  await act(async () => m!.emit('job.changed', job(3, 'queued', { updatedAt: '2026-11-29T09:00:05.000Z' })));
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(m.callsTo('queue.get')).toHaveLength(asked + 1);
});

test('the hash names the screen: a reload keeps it, links and navigation write it, back returns', async () => {
  window.history.replaceState(null, '', '/#/jobs/2');
  const engine = fakeEngine(history(3));
  m = await mount(<App />, engine.handlers);
  expect(screen()).toEqual({ name: 'job', jobId: 2 });
  // The rail shows the job under the queue.
  await waitFor('the rail entry for the job', () => byText(container(), 'nav a', 'Job #2'));

  await click(byText(container(), 'nav a', /^Queue/)!);
  await waitFor('the queue', () => screen().name === 'queue' && rowOf(3));
  expect(window.location.hash).toBe('#/queue');

  await click(rowOf(3)!.querySelector('td.num')!);
  expect(screen()).toEqual({ name: 'job', jobId: 3 });
  expect(window.location.hash).toBe('#/jobs/3');

  await act(async () => {
    window.history.back();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  await waitFor('back to the queue', () => screen().name === 'queue');
  expect(window.location.hash).toBe('#/queue');

  await act(async () => {
    window.location.hash = '#/settings';
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  expect(screen()).toEqual({ name: 'settings' });
  expect(byText(container(), 'nav a[aria-current="page"]', /^Settings/)).not.toBeNull();
});

test('an empty address shows the queue and stays clean', async () => {
  const engine = fakeEngine([]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the empty queue', () => container().querySelector('main .empty'));
  expect(window.location.hash).toBe('');
});

test('the theme picker switches light, dark and system, and remembers the choice', async () => {
  m = await mount(<App />, fakeEngine([]).handlers);
  expect(document.documentElement.dataset.theme).toBe('system');
  const picker = container().querySelector<HTMLSelectElement>('select[aria-label="Theme"]')!;
  await setValue(picker, 'dark');
  expect(document.documentElement.dataset.theme).toBe('dark');
  expect(localStorage.getItem('tessera.theme')).toBe('dark');
  await setValue(picker, 'light');
  expect(document.documentElement.dataset.theme).toBe('light');
});

test('keyboard shortcuts: g-sequences, p, /, ? and Esc; none fire while typing', async () => {
  const engine = fakeEngine([job(4, 'running'), ...history(3)]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(4));

  await press('g');
  await press('s');
  expect(screen()).toEqual({ name: 'storage' });
  await press('g');
  await press(',');
  expect(screen()).toEqual({ name: 'settings' });
  await press('g');
  await press('q');
  expect(screen()).toEqual({ name: 'queue' });

  await press('?');
  const dialog = await waitFor('the shortcut list', () => container().querySelector('[role="dialog"]'));
  expect(dialog.textContent).toContain('Pause or resume the queue');
  expect(dialog.querySelectorAll('tr')).toHaveLength(SHORTCUTS.length);
  await press('Escape');
  expect(container().querySelector('[role="dialog"]')).toBeNull();

  await press('p');
  await waitFor('queue.pause', () => m!.callsTo('queue.pause').length === 1);

  const searchBox = await waitFor('the search box', () => container().querySelector<HTMLInputElement>('#queue-search'));
  await press('/');
  expect(document.activeElement).toBe(searchBox);
  // Typed into the search box, g s is text.
  await press('g', searchBox);
  await press('s', searchBox);
  expect(screen()).toEqual({ name: 'queue' });

  // Esc closes the job detail.
  await act(async () => useUi.getState().navigate({ name: 'job', jobId: 4 }));
  searchBox.blur();
  await press('Escape');
  expect(screen()).toEqual({ name: 'queue' });
});

test('a job that finishes is announced once, in the page, with a way to open it', async () => {
  const engine = fakeEngine([job(5, 'running'), ...history(2)]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the rows', () => rowOf(5));

  await act(async () => m!.emit('job.changed', job(5, 'running', { updatedAt: '2026-11-29T09:00:01.000Z' })));
  expect(container().querySelector('[data-testid="toast"]')).toBeNull();

  const finished = job(5, 'partial', { finishedAt: '2026-11-29T09:01:00.000Z', error: { code: 'TILE_CORRUPT', message: '2 of 40 tiles are corrupt' } });
  await act(async () => m!.emit('job.changed', finished));
  const toast = await waitFor('the toast', () => container().querySelector('[data-testid="toast"]'));
  expect(toast.textContent).toContain('Job #5 partial');
  expect(toast.textContent).toContain('TILE_CORRUPT: 2 of 40 tiles are corrupt');
  expect(toast.classList.contains('tone-warn')).toBe(true);

  // The same finish again (a counter moved) is not announced twice.
  await act(async () => m!.emit('job.changed', finished));
  expect(container().querySelectorAll('[data-testid="toast"]')).toHaveLength(1);

  await click(byText(toast, 'button', 'Open')!);
  expect(screen()).toEqual({ name: 'job', jobId: 5 });
  expect(container().querySelector('[data-testid="toast"]')).toBeNull();
});

test('with the permission granted, a finish is a desktop notification instead', async () => {
  const shown: { title: string; body: string | undefined }[] = [];
  class FakeNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    onclick: (() => void) | null = null;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
    }
    close() {}
  }
  vi.stubGlobal('Notification', FakeNotification);
  const engine = fakeEngine([job(7, 'running')]);
  m = await mount(<App />, engine.handlers);
  await waitFor('the row', () => rowOf(7));
  await act(async () => m!.emit('job.changed', job(7, 'succeeded', { finishedAt: '2026-11-29T09:02:00.000Z' })));
  expect(shown).toEqual([{ title: 'Job #7 succeeded', body: 'verify cache-7.mbtiles — 100 of 100 done' }]);
  expect(container().querySelector('[data-testid="toast"]')).toBeNull();
  expect(container().querySelector('nav')?.textContent).toContain('Desktop notifications on');
});
