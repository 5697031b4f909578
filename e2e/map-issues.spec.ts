/**
 * Tile issues on the map and the compare swipe end to end (issue 16, items 5 and 6): the real
 * `tessera serve`, Debian's Chromium (WebGL2 on SwiftShader), a GDAL-made hillshade cache, a copy of
 * it with five z10 tiles damaged (as job-detail.spec.ts makes it), and a vector cache of Natural
 * Earth countries made by GDAL.
 *
 * A verify of the damaged copy (with a tile-size limit low enough to find a few oversized tiles too)
 * is started through the page's own `window.tessera`. From its page, "Show on map" for a corrupt
 * tile opens the map on that tile: its outline is sampled on the screenshot in the corrupt colour
 * at the tile's projected edge, an oversized tile's in the oversized colour, the legend counts
 * what the engine recorded, a click on a square names its issue, and the link goes back to the
 * job's row. Then the hillshade is compared with the countries: with the divider at each edge the
 * frame is all one cache or all the other; in the middle, left of it is the first cache's pixels
 * and right of it the second's; a pan on one side moves the other. Screenshots at 1440×900 and
 * 1024×700 land in e2e/artifacts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import sharp from 'sharp';
import { cacheIdFor } from '../main/tile-cache/cache-registry.js';
import type { JobSummary, TileIssue } from '../shared/contract.js';
import { tileBoundsLonLat } from '../shared/tile-grid.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, type Console, expect, test } from './console-fixture.js';
import { corruptCopy, countriesMbtiles, hillshadeMbtiles } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1440, height: 900 } } });
test.describe.configure({ mode: 'serial' });

type Rgb = [number, number, number];
type Tile = [number, number, number];

/** As renderer/map/tile-issue-style.ts ISSUE_COLOURS: the test holds the screen to those values. */
const CORRUPT: Rgb = [0xe3, 0x00, 0x0f];
const OVERSIZED: Rgb = [0xff, 0x8c, 0x00];
/** Bytes above which a tile is oversized: the hillshade's largest z9 and z10 tiles are about 25 KB. */
const MAX_TILE_BYTES = 20_000;

let tessera: Console;
let page: Page;
let pageErrors: string[] = [];
let clean = '';
let damaged = '';
let countries = '';
let job: JobSummary;
let issues: TileIssue[] = [];
const requested: string[] = [];

test.beforeAll(async ({ workDir, tessera: host, session }) => {
  tessera = host;
  ({ page, pageErrors } = session);
  page.on('request', (r) => requested.push(r.url()));
  clean = hillshadeMbtiles(workDir);
  damaged = join(workDir, 'hillshade-damaged.mbtiles');
  corruptCopy(clean, damaged, { truncate: 2, zero: 1, garbage: 2 });
  countries = countriesMbtiles(workDir, 4);
  await page.goto(tessera.url);
  await page.evaluate(() => localStorage.setItem('tessera.theme', 'light'));
});

// -----------------------------------------------------------------------------------------------
// Helpers

type MapHandle = HTMLElement & {
  __map: {
    project(p: [number, number]): { x: number; y: number };
    getCenter(): { lng: number; lat: number };
    getZoom(): number;
    queryRenderedFeatures(o: object): unknown[];
  };
};

const nameOf = (t: Pick<TileIssue, 'z' | 'x' | 'y'>) => `${t.z}/${t.x}/${t.y}`;

async function project(map: Locator, points: [number, number][]): Promise<{ x: number; y: number }[]> {
  return map.evaluate((el, pts) => pts.map((p) => (el as MapHandle).__map.project(p)), points);
}

/** Waits until `map` has settled (every tile in or known missing). */
async function settled(map: Locator): Promise<void> {
  await expect(map).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.getByText('Loading tiles…')).toHaveCount(0, { timeout: 30_000 });
}

/** A screenshot of `target` (saved as `file`) and a reader of its pixels, in its own coordinates. */
async function pixels(target: Locator, file: string): Promise<(x: number, y: number) => Rgb> {
  const png = await target.screenshot({ animations: 'disabled' });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, file), png);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x, y) => {
    const [px, py] = [Math.round(x), Math.round(y)];
    expect(px >= 0 && py >= 0 && px < info.width && py < info.height, `(${px}, ${py}) is outside the ${info.width}×${info.height} image`).toBe(true);
    const i = (py * info.width + px) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
}

const distance = (a: Rgb, b: Rgb) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

/**
 * The colour nearest `want` within `reach` px across an edge at (x, y) (vertical scan for a
 * horizontal edge): an outline is a few pixels wide and antialiased, and projection rounds.
 */
function nearestAcross(pixel: (x: number, y: number) => Rgb, x: number, y: number, want: Rgb, reach = 3, horizontal = true): Rgb {
  let best: Rgb = pixel(x, y);
  for (let d = -reach; d <= reach; d++) {
    const got = horizontal ? pixel(x, y + d) : pixel(x + d, y);
    if (distance(got, want) < distance(best, want)) best = got;
  }
  return best;
}

/** Points on a tile's four edges, at `along` of their length: [lon, lat, horizontal edge?]. */
function edgePoints([z, x, y]: Tile, along: number): [number, number, boolean][] {
  const [w, s, e, n] = tileBoundsLonLat(z, x, y);
  const lon = w + (e - w) * along;
  // Along a meridian, in Mercator: the halfway latitude is not the mean, but any point on the edge will do.
  const lat = s + (n - s) * along;
  return [
    [lon, n, true],
    [lon, s, true],
    [w, lat, false],
    [e, lat, false],
  ];
}

async function shoot(name: string): Promise<void> {
  // The shell's "job finished" toasts would sit over the screen being photographed.
  const dismiss = page.locator('[data-testid="toast"] button[aria-label="Dismiss"]');
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  const shot = await page.screenshot({ animations: 'disabled' });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, name), shot);
  expect(shot.length, `the ${name} screenshot is suspiciously small`).toBeGreaterThan(10_000);
}

async function expectNoSidewaysScroll(): Promise<void> {
  const layout = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(layout.scrollWidth, `the page scrolls sideways: ${JSON.stringify(layout)}`).toBeLessThanOrEqual(layout.innerWidth);
}

const issueMap = () => page.locator(`[data-testid="map"][data-cache-id="${cacheIdFor(damaged)}"]`);

/**
 * Waits until the issue squares are on the screen: `data-ready` follows the cache's tiles only, and
 * the squares' GeoJSON is cut into tiles in MapLibre's worker, after the source is given the data.
 */
async function issuesDrawn(): Promise<void> {
  const map = issueMap();
  await expect
    .poll(() => map.evaluate((el) => (el as MapHandle).__map.queryRenderedFeatures({ layers: ['tessera-issues-line'] }).length), {
      message: 'the issue squares drawn',
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  await settled(map);
}

// -----------------------------------------------------------------------------------------------

test('a verify finds the damaged tiles (corrupt) and the largest ones (oversized)', async () => {
  job = await page.evaluate(([cache, max]) => window.tessera.jobs.start({ kind: 'verify', params: { cache, maxTileBytes: max } }), [
    damaged,
    MAX_TILE_BYTES,
  ] as const);
  await expect
    .poll(async () => (await page.evaluate((id) => window.tessera.jobs.get({ id }), job.id)).state, { message: 'the verify to end partial', timeout: 30_000 })
    .toBe('partial');
  issues = (await page.evaluate((id) => window.tessera.jobs.tileIssues({ id, limit: 5000 }), job.id)).rows;
  expect(issues.filter((t) => t.issue === 'corrupt').length, JSON.stringify(issues)).toBe(5);
  expect(issues.filter((t) => t.issue === 'oversized').length, JSON.stringify(issues)).toBeGreaterThan(0);
});

test('"Show on map" on the job page opens the map on that tile, outlined in the corrupt colour, its issue shown', async () => {
  const target = issues.find((t) => t.issue === 'corrupt')!;
  await page.evaluate((h) => {
    window.location.hash = h;
  }, `#/jobs/${job.id}`);
  const row = page.locator(`[data-testid="tile-${nameOf(target)}"]`).first();
  await row.getByRole('button', { name: 'Show on map' }).click();
  await expect.poll(() => page.evaluate(() => window.location.hash)).toContain(`job=${job.id}`);
  expect(await page.evaluate(() => decodeURIComponent(window.location.hash))).toContain(`tile=${nameOf(target)}`);
  const map = issueMap();
  await settled(map);
  await issuesDrawn();

  // The legend counts what the engine recorded.
  const legend = page.getByTestId('map-issues');
  await expect(legend.locator('li[data-kind="corrupt"]')).toContainText('corrupt 5');
  const oversized = issues.filter((t) => t.issue === 'oversized');
  await expect(legend.locator('li[data-kind="oversized"]')).toContainText(`oversized ${oversized.length}`);
  await expect(page.getByTestId('map-issues-note')).toHaveText(`${issues.length} bad tiles`);
  // The route's tile is the selection: its issue, detail and name.
  const card = page.getByTestId('map-issue-picked').locator('[data-issue="corrupt"]');
  await expect(card).toContainText(nameOf(target));
  await expect(card).toContainText(target.detail);

  // On the screen: the tile's edges in the corrupt colour; its inside is the hillshade (a faint tint), not the outline.
  const tile: Tile = [target.z, target.x, target.y];
  const edges = edgePoints(tile, 0.5);
  const points = await project(
    map,
    edges.map(([lon, lat]) => [lon, lat]),
  );
  const [w, s, e, n] = tileBoundsLonLat(...tile);
  const [inside] = await project(map, [[(w + e) / 2, (s + n) / 2]]);
  const pixel = await pixels(map, 'map-issues-corrupt.png');
  const found = points.map((p, i) => nearestAcross(pixel, p.x, p.y, CORRUPT, 3, edges[i]![2]));
  for (const [i, got] of found.entries()) expect(distance(got, CORRUPT), `edge ${i} of ${nameOf(target)} is ${got}`).toBeLessThanOrEqual(40);
  expect(distance(pixel(inside!.x, inside!.y), CORRUPT), 'the middle of the tile is outline-coloured').toBeGreaterThan(80);
});

test('an oversized tile is outlined in its own colour, and a click on it names its issue', async () => {
  const map = issueMap();
  // A tile not also corrupt, so that its outline is not drawn over by a corrupt square of the same tile.
  const corrupt = new Set(issues.filter((t) => t.issue === 'corrupt').map(nameOf));
  const target = issues.find((t) => t.issue === 'oversized' && !corrupt.has(nameOf(t)))!;
  const tile: Tile = [target.z, target.x, target.y];
  // A quarter along each edge: each such point lies on the edge of one z10 child only (a z9 square's
  // middle points are z10 corners), and an issue square of that child would be drawn over it.
  const edges = [...edgePoints(tile, 0.25), ...edgePoints(tile, 0.75)];
  const points = await project(
    map,
    edges.map(([lon, lat]) => [lon, lat]),
  );
  const box = (await map.boundingBox())!;
  const visible = points.map((p, i) => [p, edges[i]![2]] as const).filter(([p]) => p.x > 4 && p.y > 4 && p.x < box.width - 4 && p.y < box.height - 4);
  expect(visible.length, `no edge of ${nameOf(target)} is in view`).toBeGreaterThan(0);
  const pixel = await pixels(map, 'map-issues-oversized.png');
  const hits = visible.filter(([p, horizontal]) => distance(nearestAcross(pixel, p.x, p.y, OVERSIZED, 3, horizontal), OVERSIZED) <= 40);
  expect(hits.length, `no edge point of ${nameOf(target)} shows the oversized colour`).toBeGreaterThan(0);

  // A click inside the tile (a quarter in from its north-west corner, inside one child tile).
  const [w, s, e, n] = tileBoundsLonLat(...tile);
  const [at] = await project(map, [[w + (e - w) * 0.25, n - (n - s) * 0.25]]);
  expect(at!.x > 0 && at!.y > 0 && at!.x < box.width && at!.y < box.height, `${nameOf(target)} is out of view`).toBe(true);
  await map.click({ position: { x: at!.x, y: at!.y } });
  // The deepest tile under the click comes first; this one is among the cards.
  const card = page.getByTestId('map-issue-picked').locator('[data-issue="oversized"]', { hasText: nameOf(target) });
  await expect(card).toHaveCount(1);
  await expect(card).toContainText(/bytes >/);
});

test('screenshots of the bad tiles at 1440×900 and 1024×700', async () => {
  const target = issues.find((t) => t.issue === 'corrupt')!;
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto(`${tessera.origin}/#/map?path=${encodeURIComponent(damaged)}&job=${job.id}&tile=${encodeURIComponent(nameOf(target))}`);
    // The same address as the map already shows is no navigation: load it afresh, as a shared link would be.
    await page.reload();
    await settled(issueMap());
    await expect(page.getByTestId('map-issue-picked')).toContainText(nameOf(target));
    await issuesDrawn();
    await shoot(`map-issues-${width}.png`);
    await expectNoSidewaysScroll();
  }
  // Dark: the outlines keep their colours, on a black halo.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.evaluate(() => localStorage.setItem('tessera.theme', 'dark'));
  await page.reload();
  await settled(issueMap());
  await expect(page.getByTestId('map-issue-picked')).toContainText(nameOf(target));
  await issuesDrawn();
  await shoot('map-issues-dark-1440.png');
  await page.evaluate(() => localStorage.setItem('tessera.theme', 'light'));
  await page.reload();
  await settled(issueMap());
});

test('the issue links back to its row on the job page', async () => {
  const target = issues.find((t) => t.issue === 'corrupt')!;
  await page
    .getByTestId('map-issue-picked')
    .locator('[data-issue="corrupt"]')
    .getByRole('button', { name: new RegExp(`Show in job #${job.id}`) })
    .click();
  const row = page.locator(`[data-testid="tile-${nameOf(target)}"][data-issue="corrupt"]`);
  await expect(row).toHaveAttribute('data-focused', 'true');
  await expect(row).toBeInViewport();
  expect(await page.evaluate(() => window.location.hash)).toBe(`#/jobs/${job.id}`);
  await shoot('map-issues-job-row.png');
});

// -----------------------------------------------------------------------------------------------
// Compare

const left = () => page.getByTestId('compare-left');
const right = () => page.getByTestId('compare-right');
const frame = () => page.locator('.compare-frame');
const divider = () => page.getByRole('separator', { name: 'Swipe between the two caches' });

test('"Compare with…" on the map opens the swipe, with an address that opens it again', async () => {
  await page.goto(`${tessera.origin}/#/map?path=${encodeURIComponent(clean)}`);
  await settled(page.locator(`[data-testid="map"][data-cache-id="${cacheIdFor(clean)}"]`));
  await page.getByRole('button', { name: 'Compare with…' }).click();
  await page.getByLabel('Compare with (path of the right-hand cache)').fill(countries);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(left()).toHaveAttribute('data-cache-id', cacheIdFor(clean));
  await expect(right()).toHaveAttribute('data-cache-id', cacheIdFor(countries));
  await settled(left());
  await settled(right());
  const hash = await page.evaluate(() => window.location.hash);
  expect(decodeURIComponent(hash)).toBe(`#/map?path=${clean}&compare=${countries}`);
  await page.reload();
  await settled(left());
  await settled(right());
  await expect(right()).toHaveAttribute('data-cache-id', cacheIdFor(countries));
  await expect(divider()).toHaveAttribute('aria-valuenow', '50');
});

test('the swipe: left of the divider the hillshade, right of it the countries; the two maps move together', async () => {
  const box = (await frame().boundingBox())!;
  // Two points inside the hillshade's square degree (it opens in the middle of the frame), either
  // side of the divider's middle place: over the Kattegat (sea in the countries) and over Sweden.
  const [p1, p2] = await project(left(), [
    [11.2, 57.5],
    [11.8, 57.5],
  ]);
  expect(p1!.x < box.width / 2 - 20 && p2!.x > box.width / 2 + 20, `the points ${JSON.stringify([p1, p2])} are not either side of the middle`).toBe(true);
  const shot = async (file: string) => pixels(frame(), file);
  // All the left cache: the divider at the right edge.
  await divider().focus();
  await page.keyboard.press('End');
  await expect(divider()).toHaveAttribute('aria-valuenow', '100');
  const onlyLeft = await shot('compare-only-left.png');
  await page.keyboard.press('Home');
  await expect(divider()).toHaveAttribute('aria-valuenow', '0');
  const onlyRight = await shot('compare-only-right.png');
  // The two caches look different at both points, or the test would prove nothing.
  for (const p of [p1!, p2!]) expect(distance(onlyLeft(p.x, p.y), onlyRight(p.x, p.y)), `the two caches look alike at ${p.x},${p.y}`).toBeGreaterThan(30);

  // Dragged back to the middle with the pointer.
  const handle = (await divider().boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(divider()).toHaveAttribute('aria-valuenow', '50');
  const split = await shot('compare-split.png');
  expect(distance(split(p1!.x, p1!.y), onlyLeft(p1!.x, p1!.y)), `left of the divider: ${split(p1!.x, p1!.y)}`).toBeLessThanOrEqual(6);
  expect(distance(split(p2!.x, p2!.y), onlyRight(p2!.x, p2!.y)), `right of the divider: ${split(p2!.x, p2!.y)}`).toBeLessThanOrEqual(6);

  // A pan on the right side moves the left map too (and a pan on the left, the right).
  const centre = async (l: Locator) => l.evaluate((el) => (el as MapHandle).__map.getCenter());
  const before = await centre(left());
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * 0.4, { steps: 6 });
  await page.mouse.up();
  const [a, b] = [await centre(left()), await centre(right())];
  expect(Math.abs(a.lng - before.lng), 'the left map did not follow the pan').toBeGreaterThan(1e-3);
  expect(Math.abs(a.lng - b.lng) + Math.abs(a.lat - b.lat), `left ${JSON.stringify(a)} right ${JSON.stringify(b)}`).toBeLessThan(1e-9);
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.6, { steps: 6 });
  await page.mouse.up();
  const [c, d] = [await centre(left()), await centre(right())];
  expect(Math.abs(c.lng - a.lng), 'the left map did not pan').toBeGreaterThan(1e-3);
  expect(Math.abs(c.lng - d.lng) + Math.abs(c.lat - d.lat), `left ${JSON.stringify(c)} right ${JSON.stringify(d)}`).toBeLessThan(1e-9);
});

test('compare screenshots at 1440×900 and 1024×700; offline; no page errors', async () => {
  for (const [width, height] of [
    [1440, 900],
    [1024, 700],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.reload();
    await settled(left());
    await settled(right());
    await shoot(`map-compare-${width}.png`);
    await expectNoSidewaysScroll();
  }
  const foreign = requested.filter((url) => !url.startsWith(`${tessera.origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
  expect(foreign, 'the page asked for something outside the console').toEqual([]);
  expect(pageErrors).toEqual([]);
});
