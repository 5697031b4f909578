/**
 * The catalogue's "Preview on map" of a vector dataset, end to end: the real `tessera serve`,
 * Debian's Chromium, a real dataset (rgdal's scot_BNG.shp, 56 Scottish districts in British
 * National Grid) dropped on the console and ingested. The preview is the dataset's own vector
 * tiles, cut on demand from its GeoPackage (main/catalog/dataset-tiles.ts): at z8 the district
 * under a click is identified with its attributes, the outline is called the dataset's extent, and
 * tile URLs carry an id, never the file's path.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ARTIFACTS, expect, test } from './console-fixture.js';
import { rgdalVector } from './fixtures.js';
import { dropFiles } from './page-actions.js';

test.use({ consoleOptions: { viewport: { width: 1440, height: 900 } } });
test.describe.configure({ mode: 'serial' });

let page: Page;
let pageErrors: string[] = [];
const tileRequests: { url: string; status: number }[] = [];

type MapElement = HTMLElement & {
  __map: {
    jumpTo(o: { center: [number, number]; zoom: number }): void;
    project(p: [number, number]): { x: number; y: number };
    getZoom(): number;
    once(e: string, f: () => void): void;
    triggerRepaint(): void;
  };
};

/** Inverness, in the district of the same name. */
const INVERNESS: [number, number] = [-4.2, 57.47];

/** Waits until the map has drawn everything it asked for after the last move. */
async function settled(): Promise<void> {
  await page.locator('[data-testid="map"]').evaluate(
    (el) =>
      new Promise<void>((resolve) => {
        const map = (el as MapElement).__map;
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
  );
  await page.locator('[data-testid="map"][data-ready="true"]').waitFor({ timeout: 30_000 });
}

test.beforeAll(async ({ tessera, session }) => {
  ({ page, pageErrors } = session);
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/tiles/')) tileRequests.push({ url: r.url(), status: r.status() });
  });
  // The token URL first: the session cookie comes from it.
  await page.goto(tessera.url);
  await page.goto(`${tessera.origin}/#/catalog`);
  await page.locator('.catalog-empty').waitFor();
  await dropFiles(
    page,
    ['shp', 'shx', 'dbf', 'prj'].map((ext) => rgdalVector(`scot_BNG.${ext}`)),
  );
  await expect(page.locator('[data-testid="ingest-card"]').first(), 'the ingest to succeed').toHaveAttribute('data-state', 'succeeded', { timeout: 120_000 });
});

test('a vector dataset previews as its own vector tiles: at z8 a click identifies the district, with its attributes', async ({ tessera }) => {
  test.setTimeout(120_000);
  await page.goto(`${tessera.origin}/#/catalog`);
  const dismiss = page.locator('[data-testid="ingest-card"]').getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  const row = page.locator('[data-testid="dataset"][data-name="scot_BNG"]');
  await row.getByRole('button', { name: 'Preview on map' }).click();
  await page.locator('[data-testid="map"][data-ready="true"]').waitFor({ timeout: 60_000 });
  expect(page.url()).toMatch(/#\/map\?dataset=\d+&extent=/);

  const side = page.locator('.map-side');
  await expect(side).toContainText('GeoPackage, tiles cut on demand · vector (MVT)');
  await expect(side).toContainText('0–14');
  await expect(side, "the outline is the dataset's extent").toContainText('Dataset extent');
  await expect(side).not.toContainText('Job extent');
  expect((await page.locator('.map-layers li').textContent()) ?? '').toMatch(/scot_BNG\s*polygon/);

  await page.locator('[data-testid="map"]').evaluate((el, center) => (el as MapElement).__map.jumpTo({ center, zoom: 8 }), INVERNESS);
  await settled();
  await expect(page.locator('[data-testid="map-zoom"]')).toContainText('8');
  const z8 = tileRequests.filter((t) => /\/tiles\/[0-9a-f]{12}\/8\/\d+\/\d+/.test(t.url));
  expect(
    z8.some((t) => t.status === 200),
    'z8 tiles were served',
  ).toBe(true);

  const point = await page.locator('[data-testid="map"]').evaluate((el, p) => (el as MapElement).__map.project(p), INVERNESS);
  const box = (await page.locator('[data-testid="map"]').boundingBox())!;
  await page.mouse.click(box.x + point.x, box.y + point.y);
  const picked = page.locator('[data-testid="map-picked"]');
  await expect(picked, "the clicked district's attributes").toContainText('Inverness');
  await expect(picked).toContainText('SMR');
  expect((await picked.locator('caption').first().textContent()) ?? '').toMatch(/scot_BNG/);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'catalogue-vector-preview-1440.png') });
  await page.setViewportSize({ width: 1024, height: 700 });
  await settled();
  await expect(picked).toContainText('Inverness');
  await page.screenshot({ path: join(ARTIFACTS, 'catalogue-vector-preview-1024.png') });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll at 1024 px').toBe(true);
});

test('tile URLs carry an id, never a path; tiles off the data are empty 204s and nothing else fails', async () => {
  expect(tileRequests.length).toBeGreaterThan(0);
  for (const t of tileRequests) {
    expect(t.url).not.toMatch(/gpkg|catalog|scot_BNG/);
    expect([200, 204], `${t.url} answered ${t.status}`).toContain(t.status);
  }
  expect(pageErrors).toEqual([]);
});
