/**
 * Ingestion end to end: the real `tessera serve`, Debian's Chromium, real files. Files are dropped
 * on the console through a synthetic DataTransfer (as a drag from the desktop delivers them),
 * uploaded in chunks to the upload route, ingested by one job, and shown in the catalogue; one is
 * previewed on the map, where its pixels are sampled. Refusals (an empty file, a file over the
 * ingest quota, a Shapefile without a .prj) show with their reasons.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { CatalogDataset, Page as ResultPage } from '../shared/contract.js';
import { countriesShapefileZip, shapefileWithoutPrjZip } from '../main/ingest/testing/ingest-fixtures.js';
import { countriesTopoJson, illinoisNad27Tif, srtmDem, worldMapGpkg } from './fixtures.js';
import { ARTIFACTS, type Console, launchBrowser, startConsole, stopConsole, until } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-ingest-'));
let tessera: Console;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
const files: Record<string, string> = {};

before(async () => {
  mkdirSync(join(dir, 'files'));
  files.gpkg = worldMapGpkg();
  files.shpZip = await countriesShapefileZip(join(dir, 'files'));
  files.topo = countriesTopoJson();
  files.dem = srtmDem();
  files.nad27 = illinoisNad27Tif();
  files.noPrj = shapefileWithoutPrjZip(join(dir, 'files'));
  files.empty = join(dir, 'files', 'empty.geojson');
  writeFileSync(files.empty, '');
  tessera = await startConsole(join(dir, 'data'));
  ({ context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile'), { width: 1400, height: 900 }));
  await page.goto(tessera.url);
});

after(async () => {
  await context?.close().catch(() => {});
  await stopConsole(tessera);
  rmSync(dir, { recursive: true, force: true });
});

/** Drops `paths` on the page as a drag from the desktop would: dragenter, dragover, drop. */
async function dropFiles(paths: string[]): Promise<void> {
  const payload = paths.map((p) => ({ name: basename(p), base64: readFileSync(p).toString('base64') }));
  await page.evaluate((list) => {
    const transfer = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], f.name));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

/** A contract call with the page's session (the cookie), as the console makes them. */
async function api<T>(name: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ([n, i]) => {
      const response = await fetch(`/api/${n}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(i) });
      const reply = (await response.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!reply.ok) throw new Error(reply.error?.message);
      return reply.result;
    },
    [name, input] as const,
  ) as Promise<T>;
}

test('dropped files are uploaded, ingested and listed in the catalogue; refusals say why', { timeout: 300_000 }, async () => {
  await page.goto(`${tessera.origin}/#/catalog`);
  await page.locator('.catalog-empty').waitFor();
  await dropFiles([files.gpkg!, files.shpZip!, files.topo!, files.dem!, files.nad27!, files.noPrj!, files.empty!]);

  const card = page.locator('[data-testid="ingest-card"]').first();
  await card.waitFor();
  const row = (name: string) => card.locator(`[data-testid="ingest-row"][data-name="${name}"]`);
  await until('the empty file to be refused', async () => ((await row('empty.geojson').textContent())?.includes('empty.geojson is empty (0 bytes)') ? true : null), 10_000);
  // The job runs once every other file has arrived; it ends partial: the Shapefile without .prj needs a CRS.
  await until('the job to finish', async () => ((await card.getAttribute('data-state')) === 'partial' ? true : null), 240_000, 250, () => tessera.stderr());
  const noPrj = await row('trin_inca_no_prj.zip').locator('[data-testid="item-error"]').textContent();
  assert.match(noPrj ?? '', /has no CRS \(no \.prj beside the Shapefile\)/);
  assert.match((await row('world_map.gpkg').textContent()) ?? '', /5 of 5 done/);

  await page.locator('a[href="#/catalog"]').last().click();
  const datasets = page.locator('[data-testid="dataset"]');
  await until('five datasets', async () => ((await datasets.count()) === 5 ? true : null), 20_000);
  const world = page.locator('[data-testid="dataset"][data-name="world_map"]');
  const text = (await world.textContent()) ?? '';
  assert.match(text, /states_provinces: Multi Polygon, 4,556 features/);
  assert.match(text, /EPSG:4326/);
  assert.match(text, /world_map\.gpkg \(uploaded\)/);
  // Drawn just after the dataset is recorded, and announced by catalog.changed.
  await until('a thumbnail', async () => ((await world.locator('img').count()) > 0 && (await world.locator('img').isVisible()) ? true : null), 20_000);
  assert.match((await page.locator('[data-testid="dataset"][data-name="N57E011"]').textContent()) ?? '', /1201 × 1201 px, 1 band Int16/);
  assert.match((await page.locator('[data-testid="dataset"][data-name="SP27GTIF"]').textContent()) ?? '', /EPSG:26771/);

  const listed = await api<ResultPage<CatalogDataset>>('catalog.list', { limit: 100 });
  assert.deepEqual(listed.rows.map((d) => d.name).sort(), ['N57E011', 'SP27GTIF', 'countries', 'countries-110m', 'world_map']);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'catalogue.png'), fullPage: true });
});

test('a dataset previews on the map: its features are drawn where they are', { timeout: 120_000 }, async () => {
  await page.goto(`${tessera.origin}/#/catalog`);
  // The finished drop's card is put away, as an operator would once it has been read.
  const dismiss = page.locator('[data-testid="ingest-card"]').getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  const world = page.locator('[data-testid="dataset"][data-name="world_map"]');
  await world.getByRole('button', { name: 'Preview on map' }).click();
  const map = page.locator('[data-testid="map"][data-ready="true"]');
  await map.waitFor({ timeout: 60_000 });
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
  assert.ok(Math.max(...land.map((v, i) => Math.abs(v - sea[i]!))) > 30, `Brazil ${land} should differ from the Atlantic ${sea}`);
});

test('a file larger than the ingest quota is refused before a byte is sent', { timeout: 60_000 }, async () => {
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
    assert.match((await card.textContent()) ?? '', /N57E011\.hgt \(2\.8 MiB\) is larger than the ingest quota per job \(1 MiB\); nothing of it was sent/);
    assert.deepEqual(uploads, []);
  } finally {
    await api('settings.update', { ingestJobQuotaBytes: null });
  }
  assert.deepEqual(pageErrors, []);
});
