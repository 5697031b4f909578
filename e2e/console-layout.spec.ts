/**
 * The console's layout and the trust it asks for, end to end: the real `tessera serve` on a store
 * seeded with a small history, Debian's Chromium. The upload dock (byte progress per file, a
 * failed file's error on its own row, the Storage screen's gauges, never over the screen), the
 * settings' warnings, unit conversion and the header's disk pill following a save at once, filters
 * held in the address across a reload, a verify started from the Map screen and from a job's
 * output, and every screen at 1440×900 and 1024×700 without a sideways scroll, photographed.
 *
 * Screenshots go to e2e/artifacts/; with TESSERA_DOC_IMAGES=1 also to docs/images/ (the README's
 * images: <screen>-1440.png and <screen>-1024.png, and console.png).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { JobSummary } from '../shared/contract.js';
import { formatBytes } from '../shared/format.js';
import type {} from '../preload/window-api.js';
import { ARTIFACTS, type ConsoleOptions, expect, test } from './console-fixture.js';
import { hillshadeMbtiles, worldMapGpkg } from './fixtures.js';
import { seedStore } from './seed-store.js';

const DOC_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1024, height: 700 };

const options: ConsoleOptions = {
  viewport: WIDE,
  beforeStart: (dataDir) => {
    const gone = join(dirname(dataDir), 'gone');
    seedStore(dataDir, [
      {
        name: 'verify northern-alps-hillshade-z0-14-with-a-name-long-enough-to-wrap.mbtiles',
        cache: '/srv/tiles/alps.mbtiles',
        state: 'succeeded',
        total: 5460,
      },
      {
        name: 'verify pyrenees-dem.mbtiles',
        cache: join(gone, 'pyrenees-dem.mbtiles'),
        state: 'failed',
        error: { code: 'CACHE_UNREADABLE', message: `no such file or directory: ${join(gone, 'pyrenees-dem.mbtiles')}` },
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
      { name: 'verify balkans-hillshade.mbtiles', cache: '/srv/tiles/balkans.mbtiles', state: 'cancelled' },
    ]);
  },
};
test.use({ consoleOptions: options });
test.describe.configure({ mode: 'serial' });

let page: Page;
let pageErrors: string[] = [];
let origin = '';
let mbtiles = '';

test.beforeAll(async ({ workDir, tessera, session }) => {
  ({ page, pageErrors } = session);
  origin = tessera.url.split('#')[0]!;
  mkdirSync(ARTIFACTS, { recursive: true });
  mbtiles = hillshadeMbtiles(workDir);
  writeFileSync(join(workDir, 'garbage.geojson'), 'this is not GeoJSON at all\n'.repeat(40));
  await page.goto(tessera.url);
});

test('a. the upload dock: bytes per file as they go, the failed file on its own row, the Storage gauges, never over the screen', async ({ workDir }) => {
  test.setTimeout(240_000);
  await page.goto(`${origin}#/catalog`);
  await page.locator('.catalog-view').waitFor();
  // Every text a file's byte cell shows while it is sent (the gpkg is over one 8 MiB chunk, so at least one lies between).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { bytesSeen: string[] }).bytesSeen = seen;
    new MutationObserver(() => {
      for (const cell of document.querySelectorAll('[data-testid="ingest-row"][data-status="sending"] [data-testid="row-bytes"]'))
        seen.push(cell.textContent ?? '');
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await dropFiles([worldMapGpkg(), join(workDir, 'garbage.geojson')]);
  const dock = page.locator('[data-testid="ingest-panel"]');
  const card = dock.locator('[data-testid="ingest-card"]').first();
  await expect(card, 'the ingest to finish partial').toHaveAttribute('data-state', 'partial', { timeout: 180_000 });

  const seen = await page.evaluate(() => (window as unknown as { bytesSeen: string[] }).bytesSeen);
  const between = seen.map((t) => /^(\d+\.\d) of (\d+\.\d) MiB$/.exec(t)).filter((m) => m !== null && Number(m[1]) > 0 && Number(m[1]) < Number(m[2]));
  expect(between.length, `no byte progress between 0 and the whole: ${JSON.stringify(seen.slice(0, 20))}`).toBeGreaterThan(0);
  const mib = ((statSync(worldMapGpkg()).size + statSync(join(workDir, 'garbage.geojson')).size) / 1024 ** 2).toFixed(1);
  await expect(dock.locator('[data-testid="ingest-summary"]')).toHaveText(`2 of 2 files · ${mib} of ${mib} MiB`);

  const garbage = card.locator('[data-testid="ingest-row"][data-name="garbage.geojson"]');
  await expect(garbage).toHaveAttribute('data-status', 'failed');
  expect(await garbage.locator('.ingest-status').textContent()).not.toBe('sent');
  await expect(garbage.locator('[data-testid="item-error"]'), 'the failure on a row of its own').toContainText('garbage.geojson');
  await expect(card.locator('[data-testid="ingest-row"][data-name="world_map.gpkg"]')).toHaveAttribute('data-status', 'ingested');

  // Docked: <main> ends where the dock begins, so nothing of the screen lies under it.
  const boxes = await page.evaluate(() => ({
    main: document.querySelector('main')!.getBoundingClientRect().bottom,
    dock: document.querySelector('[data-testid="ingest-panel"]')!.getBoundingClientRect().top,
  }));
  expect(boxes.main, JSON.stringify(boxes)).toBeLessThanOrEqual(boxes.dock + 0.5);
  // The finished job's toast stacks above the dock, not over its cards and gauges.
  const toast = page.locator('[data-testid="toast"]').first();
  await toast.waitFor();
  const toastBottom = await toast.evaluate((t) => t.getBoundingClientRect().bottom);
  expect(toastBottom, 'the toast ends above the dock').toBeLessThanOrEqual(boxes.dock + 0.5);
  await shot('uploads', WIDE);

  // Its gauges are the Storage screen's own: the same words on both, read from the same query.
  // By the rail, not a new page load: the dock (UI state) stays.
  await page.locator('nav.rail a[href="#/storage"]').click();
  await page.locator('.storage-view [data-testid="quota"]').first().waitFor();
  const docked = await gaugeTexts('[data-testid="ingest-panel"]');
  expect(docked.length, 'the dock shows the data directory and its quota').toBeGreaterThanOrEqual(2);
  await expect
    .poll(
      async () => {
        const screen = await gaugeTexts('.storage-view');
        return docked.filter((t) => !screen.includes(t));
      },
      { message: "the dock's gauges to read as the Storage screen's" },
    )
    .toEqual([]);

  // Folded, the dock keeps its one-line summary.
  await dock.getByRole('button', { name: 'Uploads' }).click();
  await expect(dock.locator('.ingest-dock-body')).toHaveCount(0);
  await expect(dock.locator('[data-testid="ingest-summary"]')).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test('b. settings warn before a floor above the volume or a quota below what is used, convert units, and the disk pill follows at once', async () => {
  await page.goto(`${origin}#/settings`);
  const floor = page.locator('[data-field="freeSpaceFloorBytes"]');
  const floorUnit = page.getByRole('combobox', { name: 'Free-space floor unit' });
  await floor.waitFor();
  await expect(floor).toHaveValue('512');
  await floorUnit.selectOption('GiB');
  await expect(floor, '512 MiB in GiB').toHaveValue('0.5');
  await floor.fill('500');
  await floorUnit.selectOption('MiB');
  await expect(floor, '500 GiB in MiB').toHaveValue('512000');

  // Twice the data directory's volume: no job could ever write there.
  const volume = (await page.evaluate(() => window.tessera.storage.status({}))).volumes.find((v) => v.roles.includes('data directory'))!;
  const twice = Math.ceil((2 * volume.totalBytes) / 1024 ** 3);
  await floorUnit.selectOption('GiB');
  await floor.fill(String(twice));
  const warnings = page.locator('[data-testid="settings-warnings"] li');
  await expect(warnings.first()).toHaveText(
    `Every preseed and upload writing to ${volume.path} will wait for ever: the floor ${formatBytes(twice * 1024 ** 3)} is above this volume's ${formatBytes(volume.totalBytes)}.`,
  );
  await page.getByRole('radio', { name: 'limit to' }).first().check();
  await page.getByRole('combobox', { name: 'Cache quota unit' }).selectOption('MiB');
  await page.locator('[data-field="cacheQuotaBytes"]').fill('0.01');
  await expect(warnings.last()).toHaveText(/^Every job that writes to the data directory will be refused: the quota 10\.2 KiB is below the .+ already used\.$/);
  await warnings.last().scrollIntoViewIfNeeded();
  await shot('settings-warnings', WIDE);

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('[data-testid="settings-confirm"]')).toBeVisible();
  expect((await page.evaluate(() => window.tessera.settings.get({}))).freeSpaceFloorBytes, 'nothing saved before Save anyway').toBe(512 * 1024 ** 2);
  const disk = page.locator('.health .health-list .pill', { hasText: /^disk:/ });
  await expect(disk).toHaveText('disk: ok');
  const saved = Date.now();
  await page.getByRole('button', { name: 'Save anyway' }).click();
  // Not the 30 s poll: the save itself asks again.
  await expect(disk, 'the pill to fail at once').toHaveText('disk: failed', { timeout: 5_000 });

  await floorUnit.selectOption('MiB');
  await floor.fill('512');
  await page.getByRole('radio', { name: 'none' }).first().check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(disk, 'the pill back to ok at once').toHaveText('disk: ok', { timeout: 5_000 });
  expect(Date.now() - saved, 'both pills within seconds, not a poll').toBeLessThan(20_000);
  expect(pageErrors).toEqual([]);
});

test('c. queue and catalogue filters live in the address: a reload keeps them', async () => {
  await page.goto(`${origin}#/queue`);
  await page.getByRole('button', { name: 'failed', exact: true }).click();
  await page.getByRole('searchbox', { name: 'Search jobs' }).fill('pyrenees');
  await expect(page).toHaveURL(/#\/queue\?state=failed&q=pyrenees$/);
  await expect.poll(() => jobIds('.history-scroll'), { message: 'the filtered list' }).toEqual([2]);
  await page.reload();
  await expect.poll(() => jobIds('.history-scroll'), { message: 'still filtered after the reload' }).toEqual([2]);
  await expect(page.getByRole('button', { name: 'failed', exact: true })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('searchbox', { name: 'Search jobs' })).toHaveValue('pyrenees');
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page).toHaveURL(/#\/queue$/);

  await page.goto(`${origin}#/catalog?kind=raster`);
  await page.reload();
  await expect(page.getByRole('combobox', { name: 'Kind' })).toHaveValue('raster');
  await expect(page.locator('.catalog-empty')).toHaveText(/No dataset matches/);
  await page.getByRole('combobox', { name: 'Kind' }).selectOption('vector');
  await expect(page).toHaveURL(/#\/catalog\?kind=vector$/);
  expect(pageErrors).toEqual([]);
});

test('d. a verify starts from the Map screen and from a job’s output', async () => {
  test.setTimeout(120_000);
  await page.goto(`${origin}#/map?path=${encodeURIComponent(mbtiles)}`);
  await page.locator('[data-testid="map"][data-ready="true"]').waitFor({ timeout: 60_000 });
  await page.locator('.map-side').getByRole('button', { name: 'Verify this cache' }).click();
  await expect(page).toHaveURL(/#\/jobs\/\d+$/);
  const first = Number(/#\/jobs\/(\d+)$/.exec(page.url())![1]);
  await expect.poll(async () => (await job(first)).state, { message: 'the verify to succeed', timeout: 60_000 }).toBe('succeeded');
  const verified = await job(first);
  expect(verified.kind).toBe('verify');
  expect(verified.name).toBe(`verify ${basename(mbtiles)}`);
  expect(verified.progress.done).toBeGreaterThan(0);

  await page.locator('.job-detail').getByRole('button', { name: 'Verify this cache' }).click();
  await expect(page).toHaveURL(new RegExp(`#/jobs/${first + 1}$`));
  await expect.poll(async () => (await job(first + 1)).state, { message: 'the second verify', timeout: 60_000 }).toBe('succeeded');
  expect(pageErrors).toEqual([]);
});

const SCREENS: { name: string; hash: () => string; ready: string }[] = [
  { name: 'queue', hash: () => '#/queue', ready: '.history-scroll [data-testid^="job-"]' },
  { name: 'job', hash: () => '#/jobs/3', ready: '.items-table tr[data-label]' },
  { name: 'preseed', hash: () => '#/preseed/raster', ready: '.preseed-view form' },
  { name: 'catalogue', hash: () => '#/catalog', ready: '[data-testid="dataset"]' },
  { name: 'migrate', hash: () => '#/migrate', ready: '.migrate-view' },
  { name: 'map', hash: () => `#/map?path=${encodeURIComponent(mbtiles)}`, ready: '[data-testid="map"][data-ready="true"]' },
  { name: 'caches', hash: () => '#/caches', ready: '.caches-view [data-testid="cache"]' },
  { name: 'storage', hash: () => '#/storage', ready: '.storage-view [data-testid="volume"]' },
  { name: 'plans', hash: () => '#/plans', ready: '.plans-view .plans-add ~ p, .plans-view [data-testid="plan-source"]' },
  { name: 'settings', hash: () => '#/settings', ready: '[data-field="freeSpaceFloorBytes"]' },
];

test('e. every screen at 1440×900 and 1024×700: nothing scrolls sideways; the rail folds and stays folded', async () => {
  test.setTimeout(240_000);
  // Each screen is loaded afresh below, so no finished drop stays in the dock: the screens are photographed bare.
  try {
    for (const size of [WIDE, NARROW]) {
      await page.setViewportSize(size);
      for (const screen of SCREENS) {
        await page.goto(`${origin}${screen.hash()}`);
        await page.locator(screen.ready).first().waitFor({ timeout: 60_000 });
        expect(await sideways(), `${screen.name} at ${size.width}×${size.height}`).toEqual([]);
        await shot(screen.name, size);
        if (screen.name === 'queue' && size === NARROW) await expectReadableNames();
      }
    }
    // At 1024 the rail folds to letters, and a reload keeps it folded.
    await page.goto(`${origin}#/queue`);
    await page.getByRole('button', { name: 'Collapse the rail' }).click();
    await page.reload();
    await expect(page.locator('nav.rail')).toHaveClass(/collapsed/);
    expect((await page.locator('nav.rail').boundingBox())!.width).toBeLessThan(60);
    await page.locator(SCREENS[0]!.ready).first().waitFor();
    expect(await sideways(), 'the queue with a folded rail').toEqual([]);
    await shot('queue-rail-folded', NARROW);
    await page.getByRole('button', { name: 'Expand the rail' }).click();
  } finally {
    await page.setViewportSize(WIDE);
  }
  await page.goto(`${origin}#/queue`);
  await page.locator(SCREENS[0]!.ready).first().waitFor();
  await shot('console', null);
  expect(pageErrors).toEqual([]);
});

test('f. at 1024 the header stays one row with every health check present: a summary pill, its popover, an unbroken Pause queue', async () => {
  // The plans and stac-publish checks only exist once those are set up: added to the engine's real answer here.
  const extra = [
    { name: 'plans', state: 'ok', message: '2 plans in sync', checkedAt: new Date().toISOString() },
    { name: 'stac-publish', state: 'failed', message: 'POST /collections: 401 Unauthorized', checkedAt: new Date().toISOString() },
  ];
  await page.route('**/api/app.health', async (route) => {
    const response = await route.fetch();
    const reply = (await response.json()) as { ok: boolean; result?: unknown[] };
    if (reply.ok) reply.result = [...reply.result!, ...extra];
    await route.fulfill({ response, json: reply });
  });
  try {
    const header = page.locator('header.topbar');
    for (const size of [NARROW, WIDE]) {
      await page.setViewportSize(size);
      await page.goto(`${origin}#/queue`);
      await page.locator(SCREENS[0]!.ready).first().waitFor();
      await expect(page.locator('header .health-list .pill', { hasText: 'stac-publish: failed' })).toHaveCount(1);
      const toggle = page.getByTestId('toggle-queue');
      const lines = await toggle.evaluate((b) => Math.round(b.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(b).lineHeight)));
      expect(lines, `"Pause queue" on one line at ${size.width}`).toBe(1);
      expect((await header.boundingBox())!.height, `the header's height at ${size.width}`).toBeLessThan(56);
      if (size === NARROW) {
        const summary = page.getByTestId('health-summary');
        await expect(summary).toHaveText(/^\d+ checks · 1 failing$/);
        await summary.click();
        await expect(page.locator('header .health-popover .pill', { hasText: 'stac-publish: failed' })).toBeVisible();
        await page.screenshot({ path: join(ARTIFACTS, 'header-health-popover-1024.png') });
        await summary.click();
      } else {
        await expect(page.getByTestId('health-summary')).toBeHidden();
        await page.screenshot({ path: join(ARTIFACTS, 'header-health-1440.png') });
      }
    }
  } finally {
    await page.unroute('**/api/app.health');
    await page.setViewportSize(WIDE);
  }
});

// -----------------------------------------------------------------------------------------------

/**
 * At 1024×700 with the rail open the queue's job names stay readable (issue 15's "p." stub): the
 * name column keeps at least 230 px, and a name too long for it is cut in its middle, its start and
 * its file's end (".mbtiles") both in view.
 */
async function expectReadableNames(): Promise<void> {
  const row = page.locator('.history-scroll [data-testid="job-1"]');
  await row.scrollIntoViewIfNeeded();
  const measured = await row.locator('td.name a').evaluate((a) => {
    const cell = a.closest('td')!.getBoundingClientRect();
    const part = (kind: string) => a.querySelector(`.${kind}`)!.getBoundingClientRect();
    return { cell: cell.width, head: part('head').width, tailRight: part('tail').right, linkRight: a.getBoundingClientRect().right, text: a.textContent };
  });
  expect(measured.text).toBe('verify northern-alps-hillshade-z0-14-with-a-name-long-enough-to-wrap.mbtiles');
  expect(measured.cell, 'the name column at 1024').toBeGreaterThanOrEqual(230);
  expect(measured.head, 'the readable start of the name').toBeGreaterThanOrEqual(100);
  expect(measured.tailRight, 'the end of the name is not cut').toBeLessThanOrEqual(measured.linkRight + 0.5);
}

/** What scrolls sideways: the page (its scrolling element), <main>, or a table's scroller. */
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

/** A screenshot to e2e/artifacts/ as `<name>-<width>.png` (`<name>.png` without a size), and to docs/images/ when asked. */
async function shot(name: string, size: { width: number } | null): Promise<void> {
  const file = size === null ? `${name}.png` : `${name}-${size.width}.png`;
  const png = await page.screenshot({ animations: 'disabled' });
  writeFileSync(join(ARTIFACTS, file), png);
  if (process.env.TESSERA_DOC_IMAGES === '1') writeFileSync(join(DOC_IMAGES, file), png);
}

async function gaugeTexts(scope: string): Promise<string[]> {
  return page.locator(`${scope} [data-testid="quota"] .gauge-text, ${scope} [data-testid="volume"] .gauge-text`).allTextContents();
}

function jobIds(selector: string): Promise<number[]> {
  return page.evaluate(
    (sel) => [...document.querySelectorAll(`${sel} [data-testid^="job-"]`)].map((r) => Number(r.getAttribute('data-testid')!.slice(4))),
    selector,
  );
}

function job(id: number): Promise<JobSummary> {
  return page.evaluate((jobId) => window.tessera.jobs.get({ id: jobId }), id);
}

/** Drops `paths` on the page as a drag from the desktop would: dragenter, dragover, drop. */
async function dropFiles(paths: string[]): Promise<void> {
  const payload = paths.map((p) => ({ name: basename(p), base64: readFileSync(p).toString('base64') }));
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop'])
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}
