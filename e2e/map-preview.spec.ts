/**
 * The map preview end to end: the real `tessera serve`, Debian's Chromium (WebGL2 on SwiftShader),
 * GDAL-made caches. A raster MBTiles (SRTM hillshade) and a vector MBTiles (Natural Earth
 * countries) are opened through the console's `#/map?path=…` address, and pixels of the drawn map
 * are sampled at `map.project()` points to prove the tiles were drawn: grey hillshade inside its
 * square degree, country fill over Brazil and Russia, background over the ocean. Every request the
 * page makes must go to the console's own origin (the map works offline), and the page must log no
 * error (CSP violations included).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { cacheIdFor } from '../main/tile-cache/cache-registry.js';
import { ARTIFACTS, type Console, expect, test } from './console-fixture.js';
import { HILLSHADE_INSIDE, countriesMbtiles, hillshadeMbtiles } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1400, height: 860 } } });
test.describe.configure({ mode: 'serial' });

const caches = { raster: '', vector: '' };
let tessera: Console;
let page: Page;
let pageErrors: string[] = [];
let workDir = '';
/** Every URL the page asked for, and the status of every tile response. */
const requested: string[] = [];
const tileStatuses: { url: string; status: number }[] = [];

type Rgb = [number, number, number];

test.beforeAll(async ({ workDir: dir, tessera: host, session }) => {
  workDir = dir;
  tessera = host;
  caches.raster = hillshadeMbtiles(dir);
  caches.vector = countriesMbtiles(dir, 4);
  ({ page, pageErrors } = session);
  page.on('request', (r) => requested.push(r.url()));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/tiles/')) tileStatuses.push({ url: r.url(), status: r.status() });
  });
  // Sign in: the printed URL trades its token for the session cookie.
  await page.goto(tessera.url);
  expect(new URL(page.url()).href).toBe(`${tessera.origin}/`);
  // These tests prove the caches' own pixels against the bare background; the basemap under them
  // (land where a cache has no tile) has its own spec, map-basemap.spec.ts.
  await page.evaluate(() => localStorage.setItem('tessera.map.basemap', 'off'));
});

const mapSelector = (path: string) => `[data-testid="map"][data-cache-id="${cacheIdFor(path)}"]`;

/** Goes to the map screen for `path` and waits until its tiles are drawn. */
async function openMap(path: string, extent?: [number, number, number, number]): Promise<void> {
  const hash = `#/map?path=${encodeURIComponent(path)}${extent ? `&extent=${extent.join(',')}` : ''}`;
  await page.goto(`${tessera.origin}/${hash}`);
  await page.locator(`${mapSelector(path)}[data-ready="true"]`).waitFor({ timeout: 30_000 });
}

/** Screen positions (relative to the map container) of lon/lat points, from the page's own map. */
async function project(path: string, points: [number, number][]): Promise<{ x: number; y: number }[]> {
  return page.evaluate(
    ([selector, pts]) => {
      const el = document.querySelector(selector) as (HTMLElement & { __map?: { project(p: [number, number]): { x: number; y: number } } }) | null;
      if (!el?.__map) throw new Error(`no map at ${selector}`);
      return pts.map((p) => {
        const { x, y } = el.__map!.project(p);
        return { x, y };
      });
    },
    [mapSelector(path), points] as const,
  );
}

/** A paint property of the page's map (the colours the style really uses). */
async function paint(path: string, layer: string, property: string): Promise<unknown> {
  return page.evaluate(
    ([selector, l, p]) => {
      const el = document.querySelector(selector) as (HTMLElement & { __map?: { getPaintProperty(l: string, p: string): unknown } }) | null;
      return el!.__map!.getPaintProperty(l, p);
    },
    [mapSelector(path), layer, property] as const,
  );
}

/** A screenshot of the map container, decoded: what the user sees, pixel by pixel. */
async function mapPixels(path: string, file: string): Promise<(x: number, y: number) => Rgb> {
  const png = await page.locator(mapSelector(path)).screenshot();
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, file), png);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x, y) => {
    const px = Math.round(x);
    const py = Math.round(y);
    expect(px >= 0 && py >= 0 && px < info.width && py < info.height, `(${px}, ${py}) is outside the ${info.width}×${info.height} map`).toBe(true);
    const i = (py * info.width + px) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
}

function hex(colour: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  expect(m, `not a #rrggbb colour: ${colour}`).toBeTruthy();
  if (!m) throw new Error(`not a #rrggbb colour: ${colour}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

function tileY(lat: number, z: number): number {
  const rad = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * 2 ** z);
}

function assertOffline(): void {
  const foreign = requested.filter((url) => !url.startsWith(`${tessera.origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  expect(foreign, 'the page asked for something outside the console').toEqual([]);
}

test('a. a GDAL raster MBTiles is drawn: grey hillshade inside its square degree, background outside', async () => {
  await openMap(caches.raster);
  const background = hex((await paint(caches.raster, 'background', 'background-color')) as string);

  // Inside N57E011 (land and the Kattegat alike: the hillshade is grey everywhere there).
  const inside = HILLSHADE_INSIDE;
  // West and east of it, where the cache has no data.
  const outside: [number, number][] = [
    [10.8, 57.5],
    [12.2, 57.5],
  ];
  const points = await project(caches.raster, [...inside, ...outside]);
  const pixel = await mapPixels(caches.raster, 'map-raster.png');
  points.slice(0, inside.length).forEach((p, i) => {
    const [r, g, b] = pixel(p.x, p.y);
    expect(distance([r, g, b], background), `${inside[i]} is the background colour ${[r, g, b]}: no hillshade drawn there`).toBeGreaterThan(20);
    expect(Math.max(r, g, b) - Math.min(r, g, b), `${inside[i]} is ${[r, g, b]}, not the hillshade's grey`).toBeLessThanOrEqual(6);
    expect(r, `${inside[i]} is ${[r, g, b]}, too dark for a hillshade`).toBeGreaterThan(30);
  });
  points.slice(inside.length).forEach((p, i) => {
    expect(distance(pixel(p.x, p.y), background), `${outside[i]} should be background, is ${pixel(p.x, p.y)}`).toBeLessThanOrEqual(3);
  });

  const tiles = tileStatuses.filter((t) => t.url.includes(`/tiles/${cacheIdFor(caches.raster)}/`));
  expect(tiles.length, `only ${tiles.length} tile requests`).toBeGreaterThanOrEqual(4);
  expect(
    tiles.every((t) => t.status === 200),
    `tile responses: ${JSON.stringify(tiles)}`,
  ).toBe(true);
  expect((await page.locator('.map-facts').textContent()) ?? '').toMatch(/MBTiles · PNG/);
  await page.screenshot({ path: join(ARTIFACTS, 'map-raster-console.png') });
  assertOffline();
  expect(pageErrors).toEqual([]);
});

test('b. a vector MBTiles is drawn: country fill over Brazil and Russia, background over the ocean', async () => {
  await openMap(caches.vector);
  const background = hex((await paint(caches.vector, 'background', 'background-color')) as string);
  const fill = hex((await paint(caches.vector, 'cache:countries:fill', 'fill-color')) as string);
  const opacity = (await paint(caches.vector, 'cache:countries:fill', 'fill-opacity')) as number;
  const expectedFill = fill.map((c, i) => Math.round(c * opacity + background[i]! * (1 - opacity))) as Rgb;

  const land: [number, number][] = [
    [-52, -10], // Brazil
    [100, 62], // Russia
    [-100, 45], // the United States
  ];
  const ocean: [number, number][] = [
    [-30, -30], // South Atlantic
    [-150, 0], // Pacific
    [75, -20], // Indian Ocean
  ];
  const points = await project(caches.vector, [...land, ...ocean]);
  const pixel = await mapPixels(caches.vector, 'map-vector.png');
  points.slice(0, land.length).forEach((p, i) => {
    const got = pixel(p.x, p.y);
    expect(distance(got, expectedFill), `${land[i]} is ${got}, expected the countries fill ${expectedFill}`).toBeLessThanOrEqual(6);
  });
  points.slice(land.length).forEach((p, i) => {
    const got = pixel(p.x, p.y);
    expect(distance(got, background), `${ocean[i]} is ${got}, expected the background ${background}`).toBeLessThanOrEqual(3);
  });

  // The layer list, from the cache's metadata.
  const layers = page.locator('.map-layers li');
  expect(await layers.count()).toBe(1);
  expect((await layers.textContent()) ?? '').toMatch(/countries\s*polygon · z0–4/);

  // Clicking Brazil shows its attributes.
  const box = (await page.locator(mapSelector(caches.vector)).boundingBox())!;
  await page.mouse.click(box.x + points[0]!.x, box.y + points[0]!.y);
  const picked = page.locator('[data-testid="map-picked"]');
  await expect(picked, "the clicked feature's attributes").toContainText('Brazil');
  expect((await picked.locator('caption').first().textContent()) ?? '').toMatch(/countries/);
  await page.screenshot({ path: join(ARTIFACTS, 'map-vector-console.png') });

  // Hiding the layer leaves only the background.
  await layers.locator('input[type=checkbox]').uncheck();
  await page.locator(`${mapSelector(caches.vector)}`).evaluate(
    (el) =>
      new Promise<void>((resolve) => {
        const map = (el as HTMLElement & { __map: { once(e: string, f: () => void): void; triggerRepaint(): void } }).__map;
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
  );
  const hiddenPixel = await mapPixels(caches.vector, 'map-vector-hidden.png');
  expect(distance(hiddenPixel(points[0]!.x, points[0]!.y), background), 'Brazil still drawn with its layer hidden').toBeLessThanOrEqual(3);
  await layers.locator('input[type=checkbox]').check();

  // Missing ocean tiles are empty 204s, drawn as nothing; nothing else fails.
  const tiles = tileStatuses.filter((t) => t.url.includes(`/tiles/${cacheIdFor(caches.vector)}/`));
  expect(
    tiles.some((t) => t.status === 200),
    'no vector tile was served',
  ).toBe(true);
  expect(
    tiles.every((t) => t.status === 200 || t.status === 204),
    `tile responses: ${JSON.stringify(tiles.filter((t) => t.status !== 200 && t.status !== 204))}`,
  ).toBe(true);
  assertOffline();
  expect(pageErrors).toEqual([]);
});

test('c. the tile grid shows z/x/y labels and the job extent is outlined', async () => {
  const extent: [number, number, number, number] = [11.2, 57.2, 11.8, 57.8];
  await openMap(caches.raster, extent);
  await page.getByLabel('Tile grid with z/x/y').check();
  const labels = page.locator('.map-tile-label');
  await expect.poll(() => labels.count(), { message: 'grid labels' }).toBeGreaterThan(0);
  const texts = await labels.allTextContents();
  expect(
    texts.every((t) => /^\d+\/\d+\/\d+$/.test(t)),
    JSON.stringify(texts),
  ).toBe(true);
  // Labelled at the zoom of the 256-px tiles MapLibre draws: the map's zoom, rounded, plus one.
  const mapZoom = await page.locator(mapSelector(caches.raster)).evaluate((el) => (el as HTMLElement & { __map: { getZoom(): number } }).__map.getZoom());
  const tileZoom = Math.min(10, Math.max(7, Math.round(mapZoom) + 1));
  expect(
    texts.every((t) => t.startsWith(`${tileZoom}/`)),
    `map zoom ${mapZoom}: ${JSON.stringify(texts)}`,
  ).toBe(true);
  // The labelled tiles are the ones over N57E011.
  expect(texts, JSON.stringify(texts)).toContain(`${tileZoom}/${Math.floor(((11.5 + 180) / 360) * 2 ** tileZoom)}/${tileY(57.5, tileZoom)}`);

  // The extent's dashed outline: dark pixels somewhere along its north edge.
  const along = Array.from({ length: 21 }, (_, i) => [extent[0] + ((extent[2] - extent[0]) * i) / 20, extent[3]] as [number, number]);
  const points = await project(caches.raster, along);
  const pixel = await mapPixels(caches.raster, 'map-grid-extent.png');
  const dark = points.filter((p) => pixel(p.x, p.y).every((c) => c < 60));
  expect(dark.length, `only ${dark.length} of ${points.length} points on the extent's north edge are dark`).toBeGreaterThanOrEqual(5);
  await page.screenshot({ path: join(ARTIFACTS, 'map-grid-extent-console.png') });
  assertOffline();
  expect(pageErrors).toEqual([]);
});

test('d. a path that is not a tile cache says so, naming it', async () => {
  const bogus = join(workDir, 'not-a-cache.txt');
  writeFileSync(bogus, 'hello');
  await page.goto(`${tessera.origin}/#/map?path=${encodeURIComponent(bogus)}`);
  const alert = page.locator('.map-preview [role="alert"]');
  await alert.waitFor({ timeout: 10_000 });
  // The same answer as for a missing path (no file-existence oracle), naming the path.
  expect((await alert.textContent()) ?? '').toMatch(new RegExp(`No tile cache at ${bogus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  // Failed contract calls are answered, not logged as page errors.
  expect(pageErrors.filter((e) => !e.includes('/api/caches.open'))).toEqual([]);
});
