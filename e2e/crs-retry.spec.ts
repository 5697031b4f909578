/**
 * Fixing a job from the window, end to end: the real `tessera serve`, Debian's Chromium, real GDAL.
 * A Shapefile without .prj (rgdal's cities, copied here without it) is dropped and ingested; its
 * layer fails with NO_GEOREFERENCE in the operator's words; a plain retry fails the same way;
 * "Retry with CRS…" opens the picker, "4326" and "WGS 84" are typed, EPSG:4326 is picked with the
 * keyboard, and the job succeeds. "Run again with these settings…" opens the ingest's panel and a
 * vector preseed's form filled in, which is edited before it starts. Screenshots at 1440×900 and
 * 1024×700: e2e/artifacts/crs-*.png.
 *
 * The tests run in order on one console and one page.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { CatalogDataset, JobSummary, Page as ResultPage } from '../shared/contract.js';
import { ARTIFACTS, expect, test } from './console-fixture.js';
import { dropFiles as dropOnPage, pageApi } from './page-actions.js';
import { countriesTopoJson, rgdalVector } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1440, height: 900 } } });
test.describe.configure({ mode: 'serial' });

let page: Page;
let pageErrors: string[] = [];
let shapefile: string[] = [];
let ingest: JobSummary;

test.beforeAll(async ({ workDir, tessera, session }) => {
  const dir = join(workDir, 'files', 'noprj');
  mkdirSync(dir, { recursive: true });
  shapefile = ['shp', 'shx', 'dbf'].map((ext) => {
    const to = join(dir, `cities.${ext}`);
    copyFileSync(rgdalVector(`cities.${ext}`), to);
    return to;
  });
  ({ page, pageErrors } = session);
  await page.goto(tessera.url);
});

/** Drops `paths` on the console's page. */
const dropFiles = (paths: string[]) => dropOnPage(page, paths);
/** A contract call with the page's session. */
const api = <T>(name: string, input: unknown) => pageApi<T>(page, name, input);

const detail = () => page.locator('[data-testid="job-detail"]');
const layerRow = () => page.locator('tr[data-label="cities.shp › cities"]');

/** Types into the picker and picks the first match with the keyboard once it is the CRS wanted. */
async function pickWithKeyboard(text: string, code: string): Promise<void> {
  const input = page.getByRole('combobox', { name: 'Coordinate reference system' });
  await input.fill(text);
  const option = page.locator(`[role="option"][data-code="${code}"]`);
  await expect(option, `${code} among the matches for "${text}"`).toBeVisible({ timeout: 10_000 });
  // The first match is the active one; ↓ ↑ walk the list and come back to it.
  await input.press('ArrowDown');
  await input.press('ArrowUp');
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await input.press('Enter');
  await expect(page.locator('[data-testid="crs-picked"]')).toContainText(`Picked: ${code}`);
}

test('a Shapefile without .prj fails in the operator’s words, with the code and GDAL’s text one click away', async ({ tessera }) => {
  test.setTimeout(180_000);
  await page.goto(`${tessera.origin}/#/catalog`);
  await dropFiles(shapefile);
  await expect
    .poll(async () => (await api<ResultPage<JobSummary>>('jobs.list', { filter: { kinds: ['ingest'] }, limit: 5 })).rows[0]?.state, {
      message: 'the ingest to finish',
      timeout: 120_000,
    })
    // Its file was read; its one layer failed: no dataset made, so the job failed.
    .toBe('failed');
  ingest = (await api<ResultPage<JobSummary>>('jobs.list', { filter: { kinds: ['ingest'] }, limit: 5 })).rows[0]!;
  await page.goto(`${tessera.origin}/#/jobs/${ingest.id}`);
  await expect(detail()).toHaveAttribute('data-state', 'failed');

  const message = layerRow().locator('td.message');
  await expect(message).toContainText('it has no CRS (no .prj beside the Shapefile); give its CRS (e.g. EPSG:27700) and retry');
  const said = (await message.locator('div').first().textContent()) ?? '';
  // The layer once (its own column names it), no internal field, no staging path.
  expect(said).not.toContain('cities.shp');
  expect(said).not.toMatch(/assignCrs|staging|upload:/);
  const disclosure = message.locator('details.raw-error');
  await expect(disclosure.locator('code')).toBeHidden();
  await disclosure.locator('summary').click();
  await expect(disclosure.locator('code')).toHaveText('NO_GEOREFERENCE');

  // Parameters: the files by name, not by upload id.
  const files = page.locator('.kv [data-field="files"]');
  await expect(files).toContainText('Files');
  await expect(files).toContainText('cities.shp');
  expect((await files.textContent()) ?? '').not.toContain('upload:');
  expect((await page.locator('.job-detail').textContent()) ?? '').not.toContain('assignCrs');
  await page.screenshot({ path: join(ARTIFACTS, 'crs-failed-1440.png'), fullPage: true });
});

test('a plain retry fails the same clear way', async () => {
  test.setTimeout(120_000);
  await page.getByRole('button', { name: 'Retry failed items' }).click();
  // Finished again once the layer has had its second attempt.
  await expect
    .poll(
      async () => {
        const job = await api<JobSummary>('jobs.get', { id: ingest.id });
        const items = await api<ResultPage<{ label: string; attempts: number; state: string }>>('jobs.items', { id: ingest.id, limit: 10 });
        const layer = items.rows.find((i) => i.label === 'cities.shp › cities');
        return `${job.state} ${layer?.state} ${layer?.attempts}`;
      },
      { timeout: 60_000 },
    )
    .toBe('failed failed 2');
  await expect(detail()).toHaveAttribute('data-state', 'failed');
  await expect(layerRow().locator('td.message')).toContainText('it has no CRS (no .prj beside the Shapefile)');
  await expect(layerRow().locator('td[data-column="attempts"]')).toHaveText('2');
});

test('Retry with CRS… picks EPSG:4326 from the keyboard, and the layer is imported', async () => {
  test.setTimeout(180_000);
  await page.locator('.job-actions').getByRole('button', { name: 'Retry with CRS…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry with a coordinate reference system' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('cities.shp › cities');
  // Typed focus lands in the search box at once.
  await expect(page.getByRole('combobox', { name: 'Coordinate reference system' })).toBeFocused();

  // By code, then by name: both find it; the second pick stands.
  await pickWithKeyboard('4326', 'EPSG:4326');
  await pickWithKeyboard('WGS 84', 'EPSG:4326');
  await page.getByRole('combobox', { name: 'Coordinate reference system' }).fill('Long Island ftUS');
  await expect(page.locator('[role="option"][data-code="EPSG:2263"]')).toBeVisible({ timeout: 10_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'crs-picker-1440.png'), fullPage: true });
  // The same at 1024×700: the dialog, the list and the item table's error column inside the window.
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scroll at 1024 px').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'crs-picker-1024.png'), fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
  await page.getByRole('combobox', { name: 'Coordinate reference system' }).press('Escape');
  await expect(page.locator('[role="option"]').first()).toBeHidden();

  await dialog.getByRole('button', { name: 'Retry with EPSG:4326' }).click();
  await expect(detail()).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(dialog).toBeHidden();
  await expect(layerRow()).toHaveAttribute('data-state', 'succeeded');
  await expect(page.locator('.tl[data-type="params.changed"]')).toContainText('retried with CRS for sources without one: EPSG:4326');
  await expect(page.locator('.kv [data-field="assignCrs"]')).toContainText('EPSG:4326');

  const catalog = await api<ResultPage<CatalogDataset>>('catalog.list', { text: 'cities', limit: 10 });
  expect(catalog.rows.length).toBe(1);
  expect(JSON.stringify(catalog.rows[0])).toMatch(/EPSG:4326/);
  await page.screenshot({ path: join(ARTIFACTS, 'crs-succeeded-1440.png'), fullPage: true });
});

test('at 1024×700 Run again on an ingest offers its CRS fields, prefilled, inside the window', async ({ tessera }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    await page.goto(`${tessera.origin}/#/jobs/${ingest.id}`);
    await expect(detail()).toBeVisible();
    await page.getByRole('button', { name: 'Run again with these settings…' }).click();
    const panel = page.getByRole('dialog', { name: 'Run again with these settings' });
    await expect(panel).toBeVisible();
    // The ingest's CRS as it was retried with, ready to be changed.
    await expect(panel.locator('[data-testid="crs-picked"]').first()).toContainText('Picked: EPSG:4326');
    await panel.getByRole('combobox', { name: 'Reproject to' }).fill('3857');
    await expect(page.locator('[role="option"][data-code="EPSG:3857"]')).toBeVisible({ timeout: 10_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scroll at 1024 px').toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'crs-run-again-1024.png'), fullPage: true });
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await expect(panel).toBeHidden();
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});

test('Run again with these settings… opens a vector preseed’s form filled in; the edit is what starts', async ({ tessera, dataDir }) => {
  test.setTimeout(180_000);
  const output = join(dataDir, 'caches', 'countries-again.mbtiles');
  const first = await api<JobSummary>('jobs.start', {
    kind: 'preseed-vector',
    name: 'countries z0–1',
    params: { sources: [countriesTopoJson()], minZoom: 0, maxZoom: 1, output, layers: [{ name: 'countries', as: 'land' }] },
  });
  await page.goto(`${tessera.origin}/#/jobs/${first.id}`);
  await expect(detail()).toHaveAttribute('data-state', /succeeded|partial/, { timeout: 120_000 });
  // Layers as a list, bytes in units.
  await expect(page.locator('.kv [data-field="layers"]')).toContainText('countries (as land)');
  await expect(page.locator('.kv [data-field="maxTileBytes"]')).toContainText('500 KiB');
  const before = (await api<ResultPage<JobSummary>>('jobs.list', { filter: {}, limit: 50 })).rows.length;

  await page.getByRole('button', { name: 'Run again with these settings…' }).click();
  await page.locator('#preseed-form-vector').waitFor();
  const field = (name: string) => page.locator(`#preseed-form-vector [data-field="${name}"]`);
  await expect(field('params.minZoom')).toHaveValue('0');
  await expect(field('params.maxZoom')).toHaveValue('1');
  await expect(field('params.output')).toHaveValue(output);
  await expect(field('params.layers.0.name')).toHaveValue('countries');
  await expect(field('params.layers.0.as')).toHaveValue('land');
  // Nothing started by opening the form.
  expect((await api<ResultPage<JobSummary>>('jobs.list', { filter: {}, limit: 50 })).rows.length).toBe(before);
  await page.screenshot({ path: join(ARTIFACTS, 'crs-run-again-form-1440.png'), fullPage: true });

  await field('params.maxZoom').fill('2');
  await page.locator('[data-testid="start"]').click();
  await expect(detail()).toBeVisible({ timeout: 30_000 });
  const again = (await api<ResultPage<JobSummary>>('jobs.list', { filter: { kinds: ['preseed-vector'] }, limit: 5 })).rows[0]!;
  expect(again.id).not.toBe(first.id);
  expect(again.params).toMatchObject({ sources: [countriesTopoJson()], minZoom: 0, maxZoom: 2, output, layers: [{ name: 'countries', as: 'land' }] });
});

test('the queue says how many jobs run at once and counts an ingest in bytes', async ({ tessera }) => {
  await page.goto(`${tessera.origin}/#/queue`);
  await expect(page.locator('.active-section .section-head')).toContainText(/\d+ running · at most \d+ at once · \d+ queued/, { timeout: 30_000 });
  const row = page.locator(`[data-testid="job-${ingest.id}"]`);
  await expect(row).toContainText(/\d+(\.\d+)? (KiB|MiB) \/ \d+(\.\d+)? (KiB|MiB)/);
  expect((await row.textContent()) ?? '').not.toContain('upload:');
  await page.screenshot({ path: join(ARTIFACTS, 'crs-queue-1440.png') });
  expect(pageErrors).toEqual([]);
});

test('a vector preseed of the .shp without .prj (lon/lat numbers, no CRS) fails NO_GEOREFERENCE; Retry with CRS… tiles it', async ({ workDir }) => {
  test.setTimeout(180_000);
  // Its numbers would pass for lon/lat (they are), but nothing says so: not guessed, asked.
  const output = join(workDir, 'cities.mbtiles');
  const started = await api<JobSummary>('jobs.start', { kind: 'preseed-vector', params: { sources: [shapefile[0]!], minZoom: 0, maxZoom: 4, output } });
  await page.goto(`${new URL(page.url()).origin}/#/jobs/${started.id}`);
  await expect(detail()).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  const item = page.locator('tr[data-label="cities.shp"]');
  await expect(item).toContainText('names no CRS (no .prj beside the Shapefile)');
  await page.locator('.job-actions').getByRole('button', { name: 'Retry with CRS…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retry with a coordinate reference system' });
  await pickWithKeyboard('4326', 'EPSG:4326');
  await dialog.getByRole('button', { name: 'Retry with EPSG:4326' }).click();
  await expect(detail()).toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
  await expect(page.locator('.kv [data-field="assignCrs"]')).toContainText('EPSG:4326');
  await expect(page.locator('[data-testid="job-progress-text"]')).toContainText(/^[\d,]+ \/ [\d,]+ tiles/);
  const done = await api<JobSummary>('jobs.get', { id: started.id });
  expect(done.progress.done).toBeGreaterThan(0);
  await page.screenshot({ path: join(ARTIFACTS, 'crs-vector-retried-1440.png'), fullPage: true });
});
