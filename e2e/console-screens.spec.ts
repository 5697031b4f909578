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
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, type ConsoleOptions, expect, test } from './console-fixture.js';
import { type SeedJob, seedStore } from './seed-store.js';

/** Oldest first; the ids are 1…7 in this order. `dir` is the test's temp directory, where nothing is `gone/`. */
const seedJobs = (dir: string): SeedJob[] => {
  const missing = (name: string) => join(dir, 'gone', name);
  return [
    { name: 'verify alps-hillshade.mbtiles', cache: '/srv/tiles/alps-hillshade.mbtiles', state: 'succeeded', total: 5460 },
    {
      name: 'verify pyrenees-dem.mbtiles',
      cache: missing('pyrenees-dem.mbtiles'),
      state: 'failed',
      error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${missing('pyrenees-dem.mbtiles')}` },
    },
    {
      name: 'verify tatra-ortho.mbtiles',
      cache: '/srv/tiles/tatra-ortho.mbtiles',
      state: 'partial',
      total: 4096,
      failed: 17,
      items: ['z9', 'z10', 'z11', 'z12'],
      error: { code: 'TILE_CORRUPT', message: '1 of 4 item(s) failed; first: z12: 17 of 1024 tiles at z12 are corrupt' },
    },
    {
      name: 'verify carpathians.mbtiles',
      cache: missing('carpathians.mbtiles'),
      state: 'failed',
      error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${missing('carpathians.mbtiles')}` },
    },
    { name: 'verify alps-vector.pmtiles', cache: '/srv/tiles/alps-vector.pmtiles', state: 'succeeded', total: 21_845 },
    { name: 'verify balkans-hillshade.mbtiles', cache: '/srv/tiles/balkans-hillshade.mbtiles', state: 'cancelled' },
    { name: 'verify dolomites.mbtiles', cache: missing('dolomites.mbtiles'), state: 'queued' },
  ];
};
const FAILED = [2, 4];

const options: ConsoleOptions = {
  viewport: { width: 1280, height: 800 },
  beforeStart: (dataDir) => {
    seedStore(dataDir, seedJobs(dirname(dataDir)), { paused: true });
  },
};
test.use({ consoleOptions: options });
test.describe.configure({ mode: 'serial' });

let page: Page;
let pageErrors: string[] = [];

test.beforeAll(({ session }) => {
  ({ page, pageErrors } = session);
  mkdirSync(ARTIFACTS, { recursive: true });
});

test('a. the queue shows the waiting job on top and the history below, and fits 1280×800', async ({ tessera }) => {
  await page.goto(tessera.url);
  await expect.poll(async () => (await historyIds()).length, { message: 'the rows' }).toBe(6);
  expect(await activeIds()).toEqual([7]);
  expect(await historyIds()).toEqual([6, 5, 4, 3, 2, 1]);
  expect(await page.locator('[data-testid="toggle-queue"]').textContent()).toBe('Resume queue');
  expect((await page.locator('.active-section .badge-warn').textContent()) ?? '').toMatch(/paused/);
  expect((await rowText(3)) ?? '').toMatch(/z12: 17 of 1024 tiles at z12 are corrupt/);

  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    innerWidth,
    innerHeight,
  }));
  expect(layout.scrollWidth <= layout.innerWidth && layout.scrollHeight <= layout.innerHeight, `the page scrolls: ${JSON.stringify(layout)}`).toBe(true);
  await shot('queue');
});

test('b. filters by state and by text ask the engine and narrow the rows', async () => {
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  await expect.poll(historyIds, { message: 'the failed jobs only' }).toEqual(FAILED.toReversed());
  expect(await page.locator('.active-section .none').count(), 'the active section should say the filter leaves it out').toBe(1);

  await page.getByRole('searchbox', { name: 'Search jobs' }).fill('pyrenees');
  await expect.poll(historyIds, { message: 'the text filter' }).toEqual([2]);
  await shot('queue-filtered');

  await page.getByRole('searchbox', { name: 'Search jobs' }).fill('no such job anywhere');
  await expect(page.locator('.blank')).toHaveText(/No jobs match these filters/);
  await shot('queue-no-match');

  await page.locator('.blank').getByRole('button', { name: 'Clear filters' }).click();
  await expect.poll(async () => (await historyIds()).length, { message: 'every job again' }).toBe(6);
  expect(pageErrors).toEqual([]);
});

test('c. bulk retry of the two failed jobs re-queues both; resumed, they fail again and say so', async () => {
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  await expect.poll(async () => (await historyIds()).length, { message: 'the failed jobs only' }).toBe(2);
  for (const id of FAILED) await page.getByRole('checkbox', { name: `Select job ${id}` }).check();
  expect(await page.locator('[data-testid="selected-count"]').textContent()).toBe('2 selected');
  await page.getByRole('button', { name: 'Retry selected' }).click();

  const outcome = page.locator('[data-testid="bulk-outcome"]');
  await outcome.waitFor();
  expect((await outcome.textContent()) ?? '').toMatch(/^Retry: 2 re-queued\./);
  // The engine's job.changed events move them, in place, out of the (failed-only) history.
  await expect.poll(async () => (await historyIds()).length, { message: 'the failed history to empty' }).toBe(0);
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  // In the scheduler's order: same priority, so oldest first.
  await expect.poll(activeIds, { message: 'both in the queue' }).toEqual([2, 4, 7]);
  for (const id of FAILED) expect((await bridgeGet(id)).state).toBe('queued');
  await shot('queue-bulk-retry');

  // Resume: the three queued jobs run (their caches do not exist) and fail; each finish is a note.
  await outcome.getByRole('button', { name: 'Dismiss' }).click();
  await page.locator('[data-testid="toggle-queue"]').click();
  const toasts = page.locator('[data-testid="toast"]');
  // Two notes show at once (renderer/shell/toasts.tsx); the third waits behind "1 more note".
  await expect(page.locator('[data-testid="toast-more"]'), 'the three finish notes').toContainText('1 more note', { timeout: 15_000 });
  await expect(toasts).toHaveCount(2);
  await expect.poll(async () => (await activeIds()).length, { message: 'the queue to empty' }).toBe(0);
  await expect(page.locator('.active-section .section-head'), 'the counts to settle').toContainText('0 running · at most 2 at once · 0 queued');
  await shot('queue-notes');
  // Each dismissal brings the one behind it forward: every job's note is read on the way.
  const notes: string[] = [];
  while ((await toasts.count()) > 0) {
    notes.push(...(await toasts.allTextContents()));
    await toasts.first().getByRole('button', { name: 'Dismiss' }).click();
  }
  for (const id of [2, 4, 7])
    expect(
      notes.some((n) => n.startsWith(`Job #${id} failed`)),
      `no note for job ${id}: ${JSON.stringify(notes)}`,
    ).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('d. the dark theme applies at once and survives a reload, as the screen in the address does', async () => {
  await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
  const dark = await page.evaluate(() => ({ theme: document.documentElement.dataset.theme, bg: getComputedStyle(document.body).backgroundColor }));
  expect(dark.theme).toBe('dark');
  expect(luminance(dark.bg), `the background is not dark: ${dark.bg}`).toBeLessThan(0.1);
  await shot('queue-dark');

  await page.locator('[data-testid="job-3"] td.progress').click();
  await expect(page, 'the job detail address').toHaveURL(/#\/jobs\/3$/);
  await page.reload();
  await page.locator('.job-detail').waitFor({ timeout: 10_000 });
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  await page.goBack();
  await expect.poll(async () => (await historyIds()).length, { message: 'back on the queue' }).toBeGreaterThan(0);

  await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
  expect(luminance(await page.evaluate(() => getComputedStyle(document.body).backgroundColor))).toBeGreaterThan(0.8);
  expect(pageErrors).toEqual([]);
});

test('e. keyboard shortcuts move between screens, list themselves, search and pause', async () => {
  await page.locator('body').click({ position: { x: 5, y: 790 } });
  await page.keyboard.press('g');
  await page.keyboard.press('s');
  await expect(page, 'the storage screen').toHaveURL(/#\/storage$/);
  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await expect(page, 'the queue screen').toHaveURL(/#\/queue$/);
  await expect.poll(async () => (await historyIds()).length, { message: 'the queue screen' }).toBeGreaterThan(0);

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  await shot('shortcuts');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await page.keyboard.press('/');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('queue-search');
  await page.keyboard.type('tatra');
  await expect.poll(historyIds, { message: 'the search to narrow the history' }).toEqual([3]);
  await page.keyboard.press('Escape');
  const paused = (await page.evaluate(() => window.tessera.queue.get({}))).paused;
  await page.keyboard.press('p');
  const label = paused ? 'Pause queue' : 'Resume queue';
  await expect(page.locator('[data-testid="toggle-queue"]'), `the button to say ${label}`).toHaveText(label);
  expect((await page.evaluate(() => window.tessera.queue.get({}))).paused).toBe(!paused);
  expect(pageErrors).toEqual([]);
});

test('f. at 1024×700 the queue, the catalogue and a job detail do not scroll sideways, and row actions are whole', async ({ tessera }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    await page.goto(`${tessera.url.split('#')[0]}#/queue`);
    await expect.poll(async () => (await historyIds()).length, { message: 'the rows' }).toBeGreaterThan(0);
    expect(await sideways(), 'the queue scrolls sideways').toEqual([]);
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
    expect(
      boxes.buttons.some((b) => b.text === 'Retry'),
      JSON.stringify(boxes),
    ).toBe(true);
    for (const b of boxes.buttons) expect(b.inside && !b.clipped, `a row button is cut off: ${JSON.stringify(b)}`).toBe(true);
    expect(boxes.name, `the Job column is ${boxes.name} px wide`).toBeGreaterThanOrEqual(160);
    await shot('queue-1024');

    await page.goto(`${tessera.url.split('#')[0]}#/catalog`);
    await page.locator('.catalog-view').waitFor();
    expect(await sideways(), 'the catalogue scrolls sideways').toEqual([]);

    await page.goto(`${tessera.url.split('#')[0]}#/jobs/3`);
    await page.locator('.items-table tr[data-label]').first().waitFor({ timeout: 10_000 });
    expect(await sideways(), 'the job detail scrolls sideways').toEqual([]);
    const message = await page.evaluate(() => {
      const cell = document.querySelector('.items-table td.message code')!.closest('td')!.getBoundingClientRect();
      const panel = document.querySelector('.items .table-scroll')!.getBoundingClientRect();
      return { left: cell.left, right: cell.right, panelRight: panel.right };
    });
    expect(message.right <= message.panelRight + 0.5 && message.right - message.left >= 200, `the error column is cut off: ${JSON.stringify(message)}`).toBe(
      true,
    );
    await shot('job-detail-1024');
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  expect(pageErrors).toEqual([]);
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
  return page.evaluate(
    (sel) => [...document.querySelectorAll(`${sel} [data-testid^="job-"]`)].map((r) => Number(r.getAttribute('data-testid')!.slice(4))),
    selector,
  );
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
