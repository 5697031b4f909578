/**
 * The console's shell and Queue screen end to end: the real `tessera serve` on a store seeded with
 * a small history (queue paused), Debian's Chromium at 1280×800. Filters by state and text, bulk
 * retry of two failed jobs, the finish notes when they run again, the dark theme (and that it
 * survives a reload, as the screen does), keyboard shortcuts, the 1024×700 layout (nothing scrolls
 * sideways on the queue, the catalogue and a job detail; row actions and the error column whole),
 * and a screenshot of each state to e2e/artifacts/ (queue*.png, shortcuts.png, job-detail-1024.png).
 *
 * The tests run in order on one console and one page.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, type Console, launchBrowser, startConsole, stopConsole, until as untilWithin } from './harness.js';
import { type SeedJob, seedStore } from './seed-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-screens-'));
const missing = (name: string) => join(dir, 'gone', name);

/** Oldest first; the ids are 1…7 in this order. */
const SEED: SeedJob[] = [
  { name: 'verify alps-hillshade.mbtiles', cache: '/srv/tiles/alps-hillshade.mbtiles', state: 'succeeded', total: 5460 },
  { name: 'verify pyrenees-dem.mbtiles', cache: missing('pyrenees-dem.mbtiles'), state: 'failed', error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${missing('pyrenees-dem.mbtiles')}` } },
  {
    name: 'verify tatra-ortho.mbtiles',
    cache: '/srv/tiles/tatra-ortho.mbtiles',
    state: 'partial',
    total: 4096,
    failed: 17,
    items: ['z9', 'z10', 'z11', 'z12'],
    error: { code: 'TILE_CORRUPT', message: '1 of 4 item(s) failed; first: z12: 17 of 1024 tiles at z12 are corrupt' },
  },
  { name: 'verify carpathians.mbtiles', cache: missing('carpathians.mbtiles'), state: 'failed', error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${missing('carpathians.mbtiles')}` } },
  { name: 'verify alps-vector.pmtiles', cache: '/srv/tiles/alps-vector.pmtiles', state: 'succeeded', total: 21_845 },
  { name: 'verify balkans-hillshade.mbtiles', cache: '/srv/tiles/balkans-hillshade.mbtiles', state: 'cancelled' },
  { name: 'verify dolomites.mbtiles', cache: missing('dolomites.mbtiles'), state: 'queued' },
];
const FAILED = [2, 4];

let tessera: Console;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  seedStore(join(dir, 'data'), SEED, { paused: true });
  tessera = await startConsole(join(dir, 'data'));
  ({ context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile'), { width: 1280, height: 800 }));
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await context?.close().catch(() => {});
  await stopConsole(tessera);
  rmSync(dir, { recursive: true, force: true });
});

test('a. the queue shows the waiting job on top and the history below, and fits 1280×800', async () => {
  await page.goto(tessera.url);
  await until('the rows', async () => ((await historyIds()).length === 6 ? true : null));
  assert.deepEqual(await activeIds(), [7]);
  assert.deepEqual(await historyIds(), [6, 5, 4, 3, 2, 1]);
  assert.equal(await page.locator('[data-testid="toggle-queue"]').textContent(), 'Resume queue');
  assert.match((await page.locator('.active-section .badge-warn').textContent()) ?? '', /paused/);
  assert.match((await rowText(3)) ?? '', /z12: 17 of 1024 tiles at z12 are corrupt/);

  const layout = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight, innerWidth, innerHeight }));
  assert.ok(layout.scrollWidth <= layout.innerWidth && layout.scrollHeight <= layout.innerHeight, `the page scrolls: ${JSON.stringify(layout)}`);
  await shot('queue');
});

test('b. filters by state and by text ask the engine and narrow the rows', async () => {
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  await until('the failed jobs only', async () => ((await historyIds()).join() === FAILED.toReversed().join() ? true : null));
  assert.equal(await page.locator('.active-section .none').count(), 1, 'the active section should say the filter leaves it out');

  await page.getByRole('searchbox', { name: 'Search jobs' }).fill('pyrenees');
  await until('the text filter', async () => ((await historyIds()).join() === '2' ? true : null));
  await shot('queue-filtered');

  await page.getByRole('searchbox', { name: 'Search jobs' }).fill('no such job anywhere');
  await page.locator('.blank').waitFor();
  assert.match((await page.locator('.blank').textContent()) ?? '', /No jobs match these filters/);
  await shot('queue-no-match');

  await page.locator('.blank').getByRole('button', { name: 'Clear filters' }).click();
  await until('every job again', async () => ((await historyIds()).length === 6 ? true : null));
  assert.deepEqual(pageErrors, []);
});

test('c. bulk retry of the two failed jobs re-queues both; resumed, they fail again and say so', async () => {
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  await until('the failed jobs only', async () => ((await historyIds()).length === 2 ? true : null));
  for (const id of FAILED) await page.getByRole('checkbox', { name: `Select job ${id}` }).check();
  assert.equal(await page.locator('[data-testid="selected-count"]').textContent(), '2 selected');
  await page.getByRole('button', { name: 'Retry selected' }).click();

  const outcome = page.locator('[data-testid="bulk-outcome"]');
  await outcome.waitFor();
  assert.equal((await outcome.textContent())?.startsWith('Retry: 2 re-queued.'), true, (await outcome.textContent()) ?? '');
  // The engine's job.changed events move them, in place, out of the (failed-only) history.
  await until('the failed history to empty', async () => ((await historyIds()).length === 0 ? true : null));
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  // In the scheduler's order: same priority, so oldest first.
  await until('both in the queue', async () => ((await activeIds()).join() === '2,4,7' ? true : null));
  for (const id of FAILED) assert.equal((await bridgeGet(id)).state, 'queued');
  await shot('queue-bulk-retry');

  // Resume: the three queued jobs run (their caches do not exist) and fail; each finish is a note.
  await outcome.getByRole('button', { name: 'Dismiss' }).click();
  await page.locator('[data-testid="toggle-queue"]').click();
  await until('the three finish notes', async () => ((await page.locator('[data-testid="toast"]').count()) === 3 ? true : null), 15_000);
  const notes = await page.locator('[data-testid="toast"]').allTextContents();
  for (const id of [2, 4, 7]) assert.ok(notes.some((n) => n.startsWith(`Job #${id} failed`)), `no note for job ${id}: ${JSON.stringify(notes)}`);
  await until('the queue to empty', async () => ((await activeIds()).length === 0 ? true : null));
  await until('the counts to settle', async () => ((await page.locator('.active-section .section-head').textContent())?.includes('0 running of 2 · 0 queued') ? true : null));
  await shot('queue-notes');
  while ((await page.locator('[data-testid="toast"]').count()) > 0) await page.locator('[data-testid="toast"]').first().getByRole('button', { name: 'Dismiss' }).click();
  assert.deepEqual(pageErrors, []);
});

test('d. the dark theme applies at once and survives a reload, as the screen in the address does', async () => {
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  const dark = await page.evaluate(() => ({ theme: document.documentElement.dataset.theme, bg: getComputedStyle(document.body).backgroundColor }));
  assert.equal(dark.theme, 'dark');
  assert.ok(luminance(dark.bg) < 0.1, `the background is not dark: ${dark.bg}`);
  await shot('queue-dark');

  await page.locator('[data-testid="job-3"] td.progress').click();
  await until('the job detail address', async () => (page.url().endsWith('#/jobs/3') ? true : null));
  await page.reload();
  await page.locator('.job-detail').waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.goBack();
  await until('back on the queue', async () => ((await historyIds()).length > 0 ? true : null));

  await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
  assert.ok(luminance(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)) > 0.8);
  assert.deepEqual(pageErrors, []);
});

test('e. keyboard shortcuts move between screens, list themselves, search and pause', async () => {
  await page.locator('body').click({ position: { x: 5, y: 790 } });
  await page.keyboard.press('g');
  await page.keyboard.press('s');
  await until('the storage screen', async () => (page.url().endsWith('#/storage') ? true : null));
  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await until('the queue screen', async () => (page.url().endsWith('#/queue') && (await historyIds()).length > 0 ? true : null));

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'queue-search');
  await page.keyboard.type('tatra');
  await until('the search to narrow the history', async () => ((await historyIds()).join() === '3' ? true : null));
  await page.keyboard.press('Escape');
  const paused = (await page.evaluate(() => window.tessera.queue.get({}))).paused;
  await page.keyboard.press('p');
  const label = paused ? 'Pause queue' : 'Resume queue';
  await until(`the button to say ${label}`, async () => ((await page.locator('[data-testid="toggle-queue"]').textContent()) === label ? true : null));
  assert.equal((await page.evaluate(() => window.tessera.queue.get({}))).paused, !paused);
  assert.deepEqual(pageErrors, []);
});

test('f. at 1024×700 the queue, the catalogue and a job detail do not scroll sideways, and row actions are whole', async () => {
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    await page.goto(`${tessera.url.split('#')[0]}#/queue`);
    await until('the rows', async () => ((await historyIds()).length > 0 ? true : null));
    assert.deepEqual(await sideways(), [], 'the queue scrolls sideways');
    // Every row's buttons (Retry of the failed jobs, Cancel / Resume) lie whole inside the table's
    // box, and the Job column keeps a readable width.
    const boxes = await page.evaluate(() => {
      const scroller = document.querySelector('.history-scroll')!.getBoundingClientRect();
      const buttons = [...document.querySelectorAll('.history-scroll td.actions button')].map((b) => {
        const r = b.getBoundingClientRect();
        return { text: b.textContent, inside: r.left >= scroller.left && r.right <= scroller.right, clipped: b.scrollWidth > b.clientWidth };
      });
      return { buttons, name: document.querySelector('.history-scroll td.name')!.getBoundingClientRect().width };
    });
    assert.ok(boxes.buttons.some((b) => b.text === 'Retry'), JSON.stringify(boxes));
    for (const b of boxes.buttons) assert.ok(b.inside && !b.clipped, `a row button is cut off: ${JSON.stringify(b)}`);
    assert.ok(boxes.name >= 160, `the Job column is ${boxes.name} px wide`);
    await shot('queue-1024');

    await page.goto(`${tessera.url.split('#')[0]}#/catalog`);
    await page.locator('.catalog-view').waitFor();
    assert.deepEqual(await sideways(), [], 'the catalogue scrolls sideways');

    await page.goto(`${tessera.url.split('#')[0]}#/jobs/3`);
    await page.locator('.items-table tr[data-label]').first().waitFor({ timeout: 10_000 });
    assert.deepEqual(await sideways(), [], 'the job detail scrolls sideways');
    const message = await page.evaluate(() => {
      const cell = document.querySelector('.items-table td.message code')!.closest('td')!.getBoundingClientRect();
      const panel = document.querySelector('.items .table-scroll')!.getBoundingClientRect();
      return { left: cell.left, right: cell.right, panelRight: panel.right };
    });
    assert.ok(message.right <= message.panelRight + 0.5 && message.right - message.left >= 200, `the error column is cut off: ${JSON.stringify(message)}`);
    await shot('job-detail-1024');
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  assert.deepEqual(pageErrors, []);
});

/** Whatever scrolls sideways: the page, <main>, or a table's scroller (each as `what: scroll > client`). */
function sideways(): Promise<string[]> {
  return page.evaluate(() => {
    const wide = (el: Element | null, what: string) => (el && el.scrollWidth > el.clientWidth ? [`${what}: ${el.scrollWidth} > ${el.clientWidth}`] : []);
    return [
      ...wide(document.scrollingElement, 'page'),
      ...wide(document.querySelector('main'), 'main'),
      ...[...document.querySelectorAll('.history-scroll, .active-scroll, .table-scroll, .catalog-scroll')].flatMap((el) => wide(el, el.className)),
    ];
  });
}

// -----------------------------------------------------------------------------------------------

async function shot(name: string): Promise<void> {
  const png = await page.screenshot({ animations: 'disabled' });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
}

function ids(selector: string): Promise<number[]> {
  return page.evaluate((sel) => [...document.querySelectorAll(`${sel} [data-testid^="job-"]`)].map((r) => Number(r.getAttribute('data-testid')!.slice(4))), selector);
}
const activeIds = () => ids('table.jobs.active');
const historyIds = () => ids('.history-scroll');
const rowText = (id: number) => page.locator(`[data-testid="job-${id}"]`).textContent();

function bridgeGet(id: number): Promise<JobSummary> {
  return page.evaluate((jobId) => window.tessera.jobs.get({ id: jobId }), id);
}

/** Relative luminance (0 black … 1 white) of a computed `rgb(…)` colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((c) => Number(c) / 255);
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  return untilWithin(what, probe, timeoutMs, intervalMs, () => tessera.stderr());
}
