/**
 * The map's basemap and behaviour end to end (issue 16, items 1 and 2): the real `tessera serve`,
 * Debian's Chromium (WebGL2 on SwiftShader), the basemap the build made with Tessera's own vector
 * preseed, and a cache of two far-apart areas (Sweden and Chicago) made here with the same preseed
 * (the CLI, one job, a coverage file of two boxes) from Natural Earth countries (world-atlas).
 *
 * Pixels are sampled at `map.project()` points of screenshots: basemap land where the cache has no
 * tile (and the sea colour there once the basemap is switched off); the cache opens on Sweden with
 * its fill drawn within 10 s; the area list moves the map to Chicago, where the cache is drawn too.
 * Screenshots at 1440×900 and 1024×700, light and dark, land in e2e/artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { cacheIdFor } from '../main/tile-cache/cache-registry.js';
import { ARTIFACTS, type Console, expect, test } from './console-fixture.js';

test.use({ consoleOptions: { viewport: { width: 1440, height: 900 } } });
test.describe.configure({ mode: 'serial' });

type Rgb = [number, number, number];
type Box = [number, number, number, number];

const SWEDEN: Box = [11.5, 56.0, 19.0, 63.0];
const CHICAGO: Box = [-88.2, 41.5, -87.3, 42.3];
/** Points well inside each box, on land (Natural Earth 1:50m). */
const IN_SWEDEN: [number, number][] = [
  [15.0, 58.0],
  [14.5, 61.5],
  [16.5, 60.0],
];
const IN_CHICAGO: [number, number][] = [
  [-87.9, 41.9],
  [-88.0, 41.7],
];
/** Land where the cache has no tile: Norway, west of the Swedish box (the cache holds z2–8 only). */
const NORWAY: [number, number] = [8.5, 61.0];
/** The cache's DIST CLI, as `npm run build` leaves it. */
const CLI = fileURLToPath(new URL('../main/cli/bin.js', import.meta.url));

let tessera: Console;
let page: Page;
let pageErrors: string[] = [];
let cache = '';
const tileStatuses: { url: string; status: number }[] = [];
const requested: string[] = [];
/** What the devtools console shows as errors (a 404 tile logs "Failed to load resource…" there). */
const consoleErrors: string[] = [];

test.beforeAll(async ({ workDir, tessera: host, session }) => {
  tessera = host;
  ({ page, pageErrors } = session);
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/tiles/')) tileStatuses.push({ url: r.url(), status: r.status() });
  });
  // Two boxes an ocean apart, one job: the cache's bounds are their union (mid-Atlantic in the middle).
  const coverage = join(workDir, 'two-areas.geojson');
  const box = ([w, s, e, n]: Box) => ({
    type: 'Feature',
    properties: {},
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    },
  });
  writeFileSync(coverage, JSON.stringify({ type: 'FeatureCollection', features: [box(SWEDEN), box(CHICAGO)] }));
  cache = join(workDir, 'two-areas.mbtiles');
  const atlas = dirname(createRequire(import.meta.url).resolve('world-atlas/package.json'));
  // z2 and up: the z0–1 tiles would hold the whole world (the coverage only chooses tiles, not features).
  execFileSync(
    process.execPath,
    [
      CLI,
      'preseed',
      'vector',
      join(atlas, 'countries-50m.json'),
      '--layer',
      'countries',
      '--zoom',
      '2-8',
      '--coverage',
      coverage,
      '-o',
      cache,
      '--data-dir',
      join(workDir, 'cli-data'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await page.goto(tessera.url);
  await page.evaluate(() => localStorage.setItem('tessera.theme', 'light'));
});

const mapSelector = () => `[data-testid="map"][data-cache-id="${cacheIdFor(cache)}"]`;

type MapHandle = HTMLElement & {
  __map: {
    project(p: [number, number]): { x: number; y: number };
    getPaintProperty(l: string, p: string): unknown;
    getBounds(): { contains(p: [number, number]): boolean };
    jumpTo(o: object): void;
    queryRenderedFeatures(o: object): unknown[];
  };
};

async function project(points: [number, number][]): Promise<{ x: number; y: number }[]> {
  return page.locator(mapSelector()).evaluate((el, pts) => pts.map((p) => (el as MapHandle).__map.project(p)), points);
}

async function paint(layer: string, property: string): Promise<Rgb> {
  const colour = (await page.locator(mapSelector()).evaluate((el, [l, p]) => (el as MapHandle).__map.getPaintProperty(l!, p!), [layer, property])) as string;
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) throw new Error(`not a #rrggbb colour: ${colour}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** Waits until the map has settled (every tile in or known missing). */
async function settled(): Promise<void> {
  await page.locator(`${mapSelector()}[data-ready="true"]`).waitFor({ timeout: 30_000 });
  await expect(page.getByText('Loading tiles…')).toHaveCount(0);
}

async function mapPixels(file: string): Promise<(p: { x: number; y: number }) => Rgb> {
  const png = await page.locator(mapSelector()).screenshot();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, file), png);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return ({ x, y }) => {
    const [px, py] = [Math.round(x), Math.round(y)];
    expect(px >= 0 && py >= 0 && px < info.width && py < info.height, `(${px}, ${py}) is outside the ${info.width}×${info.height} map`).toBe(true);
    const i = (py * info.width + px) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
}

const distance = (a: Rgb, b: Rgb) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
const blend = (top: Rgb, under: Rgb, opacity: number) => top.map((c, i) => Math.round(c * opacity + under[i]! * (1 - opacity))) as Rgb;

test('a cache of two areas opens on the larger (Sweden) with its tiles drawn within 10 s, and Loading clears', async () => {
  const started = Date.now();
  await page.goto(`${tessera.origin}/#/map?path=${encodeURIComponent(cache)}`);
  await page.locator(`${mapSelector()}[data-ready="true"]`).waitFor({ timeout: 10_000 });
  const points = await project(IN_SWEDEN);
  const land = await paint('basemap:land', 'fill-color');
  const sea = await paint('background', 'background-color');
  const fill = await paint('cache:countries:fill', 'fill-color');
  const pixel = await mapPixels('map-two-areas-sweden.png');
  const elapsed = Date.now() - started;
  for (const [i, p] of points.entries()) {
    const got = pixel(p);
    // The cache's fill over the basemap's land: not the sea, not bare land.
    expect(distance(got, sea), `${IN_SWEDEN[i]} is the sea colour ${got}`).toBeGreaterThan(20);
    expect(distance(got, land), `${IN_SWEDEN[i]} is bare basemap land ${got}: no cache tile drawn`).toBeGreaterThan(20);
    expect(distance(got, blend(fill, land, 0.6)), `${IN_SWEDEN[i]} is ${got}, not the countries fill over land`).toBeLessThanOrEqual(12);
  }
  expect(elapsed, 'opened and drawn').toBeLessThan(10_000);
  // Opened on Sweden, not mid-Atlantic: Chicago is out of view.
  const inView = await page.locator(mapSelector()).evaluate((el, p) => (el as MapHandle).__map.getBounds().contains(p), IN_CHICAGO[0]!);
  expect(inView).toBe(false);
  await settled();
  await expect(page.getByRole('alert')).toHaveCount(0);

  const areas = page.getByTestId('map-areas').getByRole('button');
  await expect(areas).toHaveCount(2);
  await expect(areas.first()).toHaveAttribute('aria-current', 'true');
  await expect(areas.first()).toContainText('°N');
  await expect(page.getByTestId('map-zoom')).toHaveText(/^Zoom \d+\.\d · tiles z\d$/);
});

test('basemap land is drawn where the cache has no tile, and switching it off leaves the sea colour', async () => {
  const [norway] = await project([NORWAY]);
  const land = await paint('basemap:land', 'fill-color');
  const sea = await paint('background', 'background-color');
  const pixel = await mapPixels('map-basemap-norway.png');
  expect(distance(pixel(norway!), land), `Norway is ${pixel(norway!)}, expected basemap land ${land}`).toBeLessThanOrEqual(4);
  // No tile of the cache there: the basemap alone drew it.
  const cacheTiles = tileStatuses.filter((t) => t.url.includes(`/tiles/${cacheIdFor(cache)}/`));
  expect(cacheTiles.some((t) => t.status === 204)).toBe(true);
  expect(cacheTiles.every((t) => t.status === 200 || t.status === 204)).toBe(true);
  // The sparse cache's gaps (and the basemap's open sea) leave the devtools console clean.
  expect(consoleErrors, 'console errors on the Map screen over a sparse cache').toEqual([]);
  const basemapTiles = tileStatuses.filter((t) => t.url.includes('/tiles/basemap/'));
  expect(basemapTiles.some((t) => t.status === 200)).toBe(true);

  await page.getByRole('checkbox', { name: 'Basemap' }).uncheck();
  await settled();
  const off = await mapPixels('map-basemap-off.png');
  expect(distance(off(norway!), sea), `with the basemap off Norway is ${off(norway!)}`).toBeLessThanOrEqual(4);
  // Remembered: a reload keeps it off; switched back on for the rest.
  await page.reload();
  await settled();
  await expect(page.getByRole('checkbox', { name: 'Basemap' })).not.toBeChecked();
  await page.getByRole('checkbox', { name: 'Basemap' }).check();
  await settled();
});

test('the area list jumps to Chicago, drawn there; fit to data shows both', async () => {
  await page.getByTestId('map-areas').getByRole('button').nth(1).click();
  await settled();
  const points = await project(IN_CHICAGO);
  const land = await paint('basemap:land', 'fill-color');
  const fill = await paint('cache:countries:fill', 'fill-color');
  const pixel = await mapPixels('map-two-areas-chicago.png');
  for (const [i, p] of points.entries()) {
    expect(distance(pixel(p), blend(fill, land, 0.6)), `${IN_CHICAGO[i]} is ${pixel(p)}`).toBeLessThanOrEqual(12);
  }
  await expect(page.getByTestId('map-areas').getByRole('button').nth(1)).toHaveAttribute('aria-current', 'true');

  await page.getByRole('button', { name: 'Fit to data' }).click();
  await settled();
  const both = await page
    .locator(mapSelector())
    .evaluate((el, pts) => pts.every((p) => (el as MapHandle).__map.getBounds().contains(p)), [IN_SWEDEN[0]!, IN_CHICAGO[0]!]);
  expect(both).toBe(true);
});

test('a click highlights the feature and shows its attributes', async () => {
  await page.getByTestId('map-areas').getByRole('button').first().click();
  await settled();
  const [p] = await project([IN_SWEDEN[0]!]);
  await page.locator(mapSelector()).click({ position: { x: p!.x, y: p!.y } });
  await expect(page.getByTestId('map-picked')).toContainText('Sweden');
  // Drawn once the map has rendered the layers the click added.
  await expect
    .poll(() => page.locator(mapSelector()).evaluate((el) => (el as MapHandle).__map.queryRenderedFeatures({ layers: ['tessera-picked-line'] }).length))
    .toBeGreaterThan(0);
  await settled();
  const pixel = await mapPixels('map-picked.png');
  // Inside Sweden the highlight's fill tints the cache's own.
  const fill = await paint('cache:countries:fill', 'fill-color');
  const land = await paint('basemap:land', 'fill-color');
  expect(distance(pixel(p!), blend(fill, land, 0.6))).toBeGreaterThan(10);
});

test('screenshots at 1440×900 and 1024×700, light and dark; offline; no page errors', async () => {
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => localStorage.setItem('tessera.theme', t), theme);
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.reload();
      await settled();
      await page.screenshot({ path: join(ARTIFACTS, `map-basemap-${theme}-${width}.png`) });
    }
  }
  await page.evaluate(() => localStorage.setItem('tessera.theme', 'light'));
  const foreign = requested.filter((url) => !url.startsWith(`${tessera.origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  expect(foreign, 'the page asked for something outside the console').toEqual([]);
  expect(pageErrors).toEqual([]);
});
