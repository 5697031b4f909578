/**
 * Ingestion end to end: the real `tessera serve`, Debian's Chromium, real files. Files are dropped
 * on the console through a synthetic DataTransfer (as a drag from the desktop delivers them),
 * uploaded in chunks to the upload route, ingested by one job, and shown in the catalogue; one is
 * previewed on the map, where its pixels are sampled. Refusals (an empty file, a file over the
 * ingest quota, a Shapefile without a .prj) show with their reasons.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import type { CatalogDataset, Page as ResultPage } from '../shared/contract.js';
import { countriesShapefileZip, shapefileWithoutPrjZip } from '../main/ingest/testing/ingest-fixtures.js';
import { ARTIFACTS, expect, test } from './console-fixture.js';
import { dropFiles as dropOnPage, pageApi } from './page-actions.js';
import { countriesTopoJson, illinoisNad27Tif, srtmDem, worldMapGpkg } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1400, height: 900 } } });
test.describe.configure({ mode: 'serial' });

let page: Page;
let pageErrors: string[] = [];
const files: Record<string, string> = {};

test.beforeAll(async ({ workDir, tessera, session }) => {
  mkdirSync(join(workDir, 'files'));
  files.gpkg = worldMapGpkg();
  files.shpZip = await countriesShapefileZip(join(workDir, 'files'));
  files.topo = countriesTopoJson();
  files.dem = srtmDem();
  files.nad27 = illinoisNad27Tif();
  files.noPrj = shapefileWithoutPrjZip(join(workDir, 'files'));
  files.empty = join(workDir, 'files', 'empty.geojson');
  writeFileSync(files.empty, '');
  ({ page, pageErrors } = session);
  await page.goto(tessera.url);
});

/** Drops `paths` on the console's page. */
const dropFiles = (paths: string[]) => dropOnPage(page, paths);
/** A contract call with the page's session. */
const api = <T>(name: string, input: unknown) => pageApi<T>(page, name, input);

test('dropped files are uploaded, ingested and listed in the catalogue; refusals say why', async ({ tessera }) => {
  test.setTimeout(300_000);
  await page.goto(`${tessera.origin}/#/catalog`);
  await page.locator('.catalog-empty').waitFor();
  await dropFiles([files.gpkg!, files.shpZip!, files.topo!, files.dem!, files.nad27!, files.noPrj!, files.empty!]);

  const card = page.locator('[data-testid="ingest-card"]').first();
  await card.waitFor();
  const row = (name: string) => card.locator(`[data-testid="ingest-row"][data-name="${name}"]`);
  await expect(row('empty.geojson'), 'the empty file to be refused').toContainText('empty.geojson is empty (0 bytes)', { timeout: 10_000 });
  // The job runs once every other file has arrived; it ends partial: the Shapefile without .prj needs a CRS.
  await expect(card, 'the job to finish').toHaveAttribute('data-state', 'partial', { timeout: 240_000 });
  const noPrj = await row('trin_inca_no_prj.zip').locator('[data-testid="item-error"]').textContent();
  expect(noPrj ?? '').toMatch(/has no CRS \(no \.prj beside the Shapefile\)/);
  expect((await row('world_map.gpkg').textContent()) ?? '').toMatch(/4 of 4 layers imported/);
  // The job line counts files and layers apart, never "items": the 6 files sent (the empty one was
  // refused) hold 10 layers (world_map's 4, the TopoJSON's 2, one each for the rest); the one
  // without a .prj fails.
  await expect(card.locator('[data-testid="drop-job-line"]')).toHaveText(' · partial · 6 files · 10 layers: 9 imported, 1 failed');

  await page.locator('a[href="#/catalog"]').last().click();
  const datasets = page.locator('[data-testid="dataset"]');
  await expect(datasets, 'five datasets').toHaveCount(5, { timeout: 20_000 });
  const world = page.locator('[data-testid="dataset"][data-name="world_map"]');
  const text = (await world.textContent()) ?? '';
  expect(text).toMatch(/states_provinces: Multi Polygon, 4,556 features/);
  expect(text).toMatch(/EPSG:4326/);
  expect(text).toMatch(/world_map\.gpkg \(uploaded\)/);
  // Drawn just after the dataset is recorded, and announced by catalog.changed.
  await expect(world.locator('img').first(), 'a thumbnail').toBeVisible({ timeout: 20_000 });
  expect((await page.locator('[data-testid="dataset"][data-name="N57E011"]').textContent()) ?? '').toMatch(/1201 × 1201 px, 1 band Int16/);
  expect((await page.locator('[data-testid="dataset"][data-name="SP27GTIF"]').textContent()) ?? '').toMatch(/EPSG:26771/);

  const listed = await api<ResultPage<CatalogDataset>>('catalog.list', { limit: 100 });
  expect(listed.rows.map((d) => d.name).sort()).toEqual(['N57E011', 'SP27GTIF', 'countries', 'countries-110m', 'world_map']);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'catalogue.png'), fullPage: true });
});

test('a dataset previews on the map: its features are drawn where they are', async ({ tessera }) => {
  test.setTimeout(120_000);
  await page.goto(`${tessera.origin}/#/catalog`);
  // The finished drop's card is put away, as an operator would once it has been read.
  const dismiss = page.locator('[data-testid="ingest-card"]').getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  const world = page.locator('[data-testid="dataset"][data-name="world_map"]');
  await world.getByRole('button', { name: 'Preview on map' }).click();
  const map = page.locator('[data-testid="map"][data-ready="true"]');
  await map.waitFor({ timeout: 60_000 });
  // Tiles cut on demand arrive after the map says it is ready (on a loaded machine, seconds later):
  // the pixels are read again until they show the land, or the poll gives up.
  await expect
    .poll(
      async () => {
        const [brazil, atlantic] = await page.evaluate(() => {
          const el = document.querySelector('[data-testid="map"]') as HTMLElement & { __map: { project(p: [number, number]): { x: number; y: number } } };
          return [el.__map.project([-52, -10]), el.__map.project([-30, -30])];
        });
        const png = await map.screenshot();
        writeFileSync(join(ARTIFACTS, 'catalogue-preview.png'), png);
        const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const at = (p: { x: number; y: number }) => {
          const i = (Math.round(p.y) * info.width + Math.round(p.x)) * info.channels;
          return [data[i]!, data[i + 1]!, data[i + 2]!];
        };
        const land = at(brazil!);
        const sea = at(atlantic!);
        return Math.max(...land.map((v, i) => Math.abs(v - sea[i]!)));
      },
      { timeout: 30_000, message: 'Brazil (land, drawn) should differ from the Atlantic' },
    )
    .toBeGreaterThan(30);
});

test('a file larger than the ingest quota is refused before a byte is sent', async ({ tessera }) => {
  test.setTimeout(60_000);
  await api('settings.update', { ingestJobQuotaBytes: 1024 * 1024 });
  try {
    await page.goto(`${tessera.origin}/#/catalog`);
    await page.locator('[data-testid="dataset"]').first().waitFor();
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/uploads')) uploads.push(r.url());
    });
    await dropFiles([files.dem!]);
    const card = page.locator('[data-testid="ingest-card"][data-state="nothing"]');
    await card.waitFor({ timeout: 20_000 });
    expect((await card.textContent()) ?? '').toMatch(/N57E011\.hgt \(2\.8 MiB\) is larger than the ingest quota per job \(1 MiB\); nothing of it was sent/);
    expect(uploads).toEqual([]);
  } finally {
    await api('settings.update', { ingestJobQuotaBytes: null });
  }
  expect(pageErrors).toEqual([]);
});
