/**
 * The Caches screen end to end: the real `tessera serve`, Debian's Chromium, caches made by real
 * jobs from real data (a raster preseed of Blue Marble into MBTiles, a vector preseed of Natural
 * Earth countries into PMTiles, a verify of GDAL's own hillshade MBTiles). The screen lists the
 * three with the tile counts read from the files; a truncate of z3 through the screen's form
 * (count first, then the job) leaves z0–2 as they were; the map's picker lists them; screenshots
 * at 1440×900 and 1024×700, where nothing may scroll sideways.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import type { JobStartInput, JobSummary } from '../shared/contract.js';
import { openTileCache } from '../main/tile-cache/open-tile-cache.js';
import { ARTIFACTS, type Console, expect, test } from './console-fixture.js';
import { blueMarbleTif, hillshadeMbtiles, worldMapGpkg } from './fixtures.js';
import { pageApi } from './page-actions.js';

const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 1024, height: 700 };
test.use({ consoleOptions: { viewport: WIDE } });
test.describe.configure({ mode: 'serial' });

let tessera: Console;
let page: Page;
let pageErrors: string[] = [];
const paths = { world: '', countries: '', hillshade: '' };

/** Starts a job through the page's session and waits until it has ended. */
async function runJob(input: JobStartInput): Promise<JobSummary> {
  const started = await pageApi<JobSummary>(page, 'jobs.start', input);
  for (let job = started; ; ) {
    if (!['queued', 'running', 'cancelling'].includes(job.state)) return job;
    await page.waitForTimeout(250);
    job = await pageApi<JobSummary>(page, 'jobs.get', { id: started.id });
  }
}

/** Tiles per zoom, read from the cache by Tessera's reader (not through the console). */
async function perZoom(path: string): Promise<Map<number, number>> {
  const reader = await openTileCache(path);
  try {
    return new Map((await reader.zoomLevels()).filter((l) => l.count > 0).map((l) => [l.z, l.count]));
  } finally {
    await reader.close();
  }
}
const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

const row = (path: string) => page.locator(`[data-testid="cache"][data-path="${path}"]`);

/** What scrolls sideways: the page, <main>, or the table's scroller. */
function sideways(): Promise<string[]> {
  return page.evaluate(() => {
    const wide = (el: Element | null, what: string) => (el && el.scrollWidth > el.clientWidth ? [`${what}: ${el.scrollWidth} > ${el.clientWidth}`] : []);
    return [
      ...wide(document.scrollingElement, 'page'),
      ...wide(document.querySelector('main'), 'main'),
      ...wide(document.querySelector('.caches-scroll'), 'table'),
    ];
  });
}

async function shot(name: string, size: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(size);
  await page.locator('[data-testid="cache"]').first().waitFor();
  // From the top, as the screen opens (the clicks above scrolled it).
  await page.evaluate(() => {
    document.querySelector('main')?.scrollTo(0, 0);
    window.scrollTo(0, 0);
  });
  expect(await sideways(), `${name} at ${size.width}×${size.height}`).toEqual([]);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${name}-${size.width}.png`), await page.screenshot({ animations: 'disabled' }));
}

test.beforeAll(async ({ workDir, tessera: host, session }) => {
  test.setTimeout(240_000);
  tessera = host;
  ({ page, pageErrors } = session);
  await page.goto(tessera.url);
  paths.world = join(workDir, 'world.mbtiles');
  paths.countries = join(workDir, 'countries.pmtiles');
  paths.hillshade = hillshadeMbtiles(workDir);
  const jobs: JobStartInput[] = [
    { kind: 'preseed-raster', params: { datasets: [blueMarbleTif()], minZoom: 0, maxZoom: 3, output: paths.world } },
    { kind: 'preseed-vector', params: { sources: [worldMapGpkg()], layers: [{ name: 'countries' }], minZoom: 0, maxZoom: 4, output: paths.countries } },
    { kind: 'verify', params: { cache: paths.hillshade } },
  ];
  for (const input of jobs) expect((await runJob(input)).state, input.kind).toBe('succeeded');
});

test('a. the caches of three jobs are listed with the tiles counted from the files, their sizes and last jobs', async () => {
  await page.goto(`${tessera.origin}/#/caches`);
  await expect(page.locator('[data-testid="cache"]')).toHaveCount(3);
  for (const [path, kind] of [
    [paths.world, 'preseed-raster'],
    [paths.countries, 'preseed-vector'],
    [paths.hillshade, 'verify'],
  ] as const) {
    const counts = await perZoom(path);
    await expect(row(path).locator('[data-testid="tile-count"]')).toHaveText(total(counts).toLocaleString('en-US'));
    await expect(row(path).locator('[data-testid="zooms"]')).toHaveText(`z${Math.min(...counts.keys())}–${Math.max(...counts.keys())}`);
    await expect(row(path)).toContainText(kind);
    await expect(row(path).locator('[data-testid="size"]')).not.toHaveText('–');
  }
  await expect(row(paths.world)).toContainText('MBTiles · PNG raster');
  await expect(row(paths.countries)).toContainText('PMTiles · vector (MVT)');
  expect(total(await perZoom(paths.world))).toBe(1 + 4 + 16 + 64);
});

test('b. truncate z3 from the screen: the dry run counts 64, the job deletes them, z0–2 stay', async () => {
  test.setTimeout(120_000);
  const before = await perZoom(paths.world);
  await row(paths.world).getByRole('button', { name: 'Truncate…' }).click();
  const form = row(paths.world).locator('.truncate-panel');
  await form.locator('select').nth(0).selectOption('3');
  await form.locator('select').nth(1).selectOption('3');
  await form.getByRole('button', { name: 'Count tiles' }).click();
  await expect(form.locator('[data-testid="truncate-count"]')).toHaveText('64 of 85 tiles would be deleted (z3 64)');
  await form.getByRole('button', { name: 'Delete 64 tiles' }).click();
  // The form closes (the cache changes under it); the row links to the job until the list shows it as the last one.
  await expect(form).toHaveCount(0);
  // The list is read again when the job ends.
  await expect(row(paths.world).locator('[data-testid="tile-count"]')).toHaveText('21', { timeout: 60_000 });
  await expect(row(paths.world)).toContainText('truncate');
  await expect(row(paths.world).locator('.state-succeeded')).toBeVisible();

  const after = await perZoom(paths.world);
  expect([...after]).toEqual([...before].filter(([z]) => z !== 3));
  const db = new Database(paths.world, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT value FROM metadata WHERE name = 'maxzoom'").pluck().get()).toBe('2');
  } finally {
    db.close();
  }
  // In the screenshots the truncate form is open under the hillshade, as it looks before a count.
  await row(paths.hillshade).getByRole('button', { name: 'Truncate…' }).click();
  // The finished jobs' notes would cover the rows: dismissed, as a user would.
  const dismiss = page.getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await shot('caches', WIDE);
  await shot('caches', NARROW);
  await page.setViewportSize(WIDE);
});

test('c. the map screen picks a cache from the same list and opens it', async () => {
  await page.goto(`${tessera.origin}/#/map`);
  const picker = page.getByRole('combobox', { name: 'Caches' });
  await expect(picker.locator('option')).toHaveCount(4);
  await picker.selectOption(paths.countries);
  await expect(page).toHaveURL(new RegExp(`#/map\\?path=${encodeURIComponent(paths.countries).replace(/[.]/g, '\\.')}`));
  await page.locator('[data-testid="map"][data-ready="true"]').waitFor({ timeout: 30_000 });
  // Beside the path field, the picker fits a 1024-px window.
  await page.setViewportSize(NARROW);
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'map-picker-1024.png'), await page.screenshot({ animations: 'disabled' }));
  await page.setViewportSize(WIDE);
  expect(pageErrors).toEqual([]);
});

test('d. the Storage screen names the tile caches under the gauge of the volume they are on', async () => {
  await page.goto(`${tessera.origin}/#/storage`);
  // The caches and the data directory share the test's temporary volume.
  const holdings = page.locator('[data-testid="volume"] + [data-testid="volume-holdings"]').first();
  await expect(holdings.locator('a[href="#/caches"]')).toHaveText(/^3 tile caches, /);
  await expect(holdings).toContainText('world (');
  // The caches are in the work folder, beside the data directory, not in it: the quota does not count them, and says so.
  await expect(holdings.locator('[data-testid="outside-quota"]')).toHaveText('All are outside the data directory: not counted by the cache quota.');
  const scope = page.locator('[data-testid="quota-scope"]');
  await expect(scope).toContainText(/Counted by the cache quota: everything under the data directory \S+\/data, whatever its volume/);
  await expect(scope).toContainText('(none now)');
  await expect(scope).toContainText(`Not counted: tile caches outside the data directory, even on the same volume`);
  await expect(scope).toContainText(paths.world);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'storage-caches-1440.png'), await page.screenshot({ animations: 'disabled' }));
  expect(pageErrors).toEqual([]);
});

test('e. at 1024×700 a cache path wraps only at its separators, the file name whole', async () => {
  await page.setViewportSize(NARROW);
  try {
    await page.goto(`${tessera.origin}/#/caches`);
    await expect(page.locator('[data-testid="cache"]')).toHaveCount(3);
    // Where each path's lines end: the character before each line break, measured in the page.
    const lines = await page.locator('[data-testid="cache"] .path').evaluateAll((cells) =>
      cells.map((cell) => {
        const text: { node: Text; i: number }[] = [];
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) for (let i = 0; i < (n as Text).length; i++) text.push({ node: n as Text, i });
        const range = document.createRange();
        const tops = text.map(({ node, i }) => {
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          return Math.round(range.getBoundingClientRect().top);
        });
        const chars = text.map(({ node, i }) => node.data[i]!);
        const out: string[] = [];
        let line = '';
        chars.forEach((c, k) => {
          if (k > 0 && tops[k]! > tops[k - 1]!) {
            out.push(line);
            line = '';
          }
          line += c;
        });
        out.push(line);
        return out;
      }),
    );
    expect(
      lines.some((l) => l.length > 1),
      `some path wraps at 1024: ${JSON.stringify(lines)}`,
    ).toBe(true);
    for (const l of lines) {
      for (const part of l.slice(0, -1)) expect(part, `a line of ${l.join('')} ends at a separator: ${JSON.stringify(l)}`).toMatch(/\/$/);
      expect(l.at(-1), 'the file name whole on its own line').toBe(l.join('').split('/').pop());
    }
  } finally {
    await page.setViewportSize(WIDE);
  }
  expect(pageErrors).toEqual([]);
});
