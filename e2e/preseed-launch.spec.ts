/**
 * A raster preseed launched from the console, end to end: the real `tessera serve`, Debian's
 * Chromium (WebGL2 on SwiftShader), and a hillshade GDAL makes from the real SRTM tile N57E011 in
 * the test's temp dir. The form is filled for z8–10 (reached with the `g p` shortcut), the dry run
 * must show the tiles per zoom of the DEM's real extent (counted here from gdalinfo's WGS84 extent,
 * independently of the engine), Start must open the new job, the job must succeed, and "Open on
 * map" must draw grey hillshade inside the square degree, sampled at `map.project()` points as
 * e2e/map-preview.spec.ts does. Then a cache quota far below what the job needs must block Start
 * with the numbers. Screenshots: e2e/artifacts/preseed*.png.
 *
 * The tests run in order on one console and one page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { cacheIdFor } from '../main/tile-cache/cache-registry.js';
import { ARTIFACTS, expect, test, within } from './console-fixture.js';
import { HILLSHADE_INSIDE, countriesTopoJson, srtmDem } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1440, height: 960 } } });
test.describe.configure({ mode: 'serial' });

let dataDir = '';
let hillshade = '';
/** Where the form puts the cache by default: `<dataDir>/caches/<first dataset's name>.mbtiles`. */
let output = '';
const ZOOMS = [8, 9, 10];
let page: Page;
let pageErrors: string[] = [];
let job: JobSummary;

type Rgb = [number, number, number];

test.beforeAll(({ workDir, dataDir: data, session }) => {
  dataDir = data;
  hillshade = join(workDir, 'hillshade.tif');
  output = join(dataDir, 'caches', 'hillshade.mbtiles');
  // As main/testing/real-data.ts makes its hillshade: GDAL's own, edges computed, degrees to metres.
  execFileSync('gdaldem', ['hillshade', '-q', '-compute_edges', '-s', '111120', srtmDem(), hillshade], { stdio: ['ignore', 'ignore', 'pipe'] });
  ({ page, pageErrors } = session);
});

const field = (name: string) => page.locator(`[data-field="${name}"]`);

/** Page errors that are this test's business: the catalogue is not built yet, and its refusal is logged by the browser. */
function ownErrors(): string[] {
  return pageErrors.filter((e) => !e.includes('/api/catalog.list'));
}

/** WGS84 west, south, east, north of a raster, from gdalinfo. */
function wgs84Extent(path: string): [number, number, number, number] {
  const info = JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8' })) as { wgs84Extent: { coordinates: [number, number][][] } };
  const ring = info.wgs84Extent.coordinates[0]!;
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

/** XYZ tiles of zoom `z` that meet a WGS84 box. */
function tilesOver([w, s, e, n]: [number, number, number, number], z: number): number {
  const side = 2 ** z;
  const x = (lon: number) => Math.floor(((lon + 180) / 360) * side);
  const y = (lat: number) => {
    const rad = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * side);
  };
  return (x(e) - x(w) + 1) * (y(s) - y(n) + 1);
}

/**
 * The whole form in one picture: the shell is one window high and the screen scrolls inside it,
 * so the window is made tall enough for the form while the picture is taken.
 */
async function screenshotWhole(file: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const height = await page.locator('.preseed-view').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(3000, height + 120) });
  try {
    // The extent map follows its container's size on the next frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, file) });
  } finally {
    await page.setViewportSize(viewport);
  }
}

function distance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

test('a. the raster form, reached with g p, shows the dry run of the hillshade at z8–10', async ({ tessera }) => {
  // The dry run waits for the engine's estimate (up to 90 s on busy cores).
  test.setTimeout(180_000);
  await page.goto(tessera.url);
  expect(page.url()).toBe(`${tessera.origin}/`);
  await page.locator('header h1').waitFor();
  await page.keyboard.press('g');
  await page.keyboard.press('p');
  await page.locator('#preseed-form-raster').waitFor({ timeout: 15_000 });
  expect(new URL(page.url()).hash).toBe('#/preseed');
  expect(await page.locator('nav a[aria-current="page"] .rail-label').first().textContent()).toBe('Preseed');

  await field('params.datasets.0').fill(hillshade);
  await field('params.minZoom').fill('8');
  await field('params.maxZoom').fill('10');
  // The default output, in the data directory, and the format it makes.
  await expect(field('params.output'), 'the default output').toHaveValue(output);
  expect((await page.locator('[data-testid="output-kind"]').textContent()) ?? '').toMatch(/MBTiles/);

  // The dry run comes by itself once the form is valid and still.
  const rows = page.locator('[data-testid="estimate-zooms"] tbody tr');
  await expect
    .poll(async () => (await rows.count()) === ZOOMS.length && (await page.locator('[data-testid="estimate"]').getAttribute('data-outdated')) === 'false', {
      message: 'the dry run',
      timeout: 90_000,
      intervals: [50],
    })
    .toBe(true);
  const extent = wgs84Extent(hillshade);
  for (const [i, z] of ZOOMS.entries()) {
    const cells = await rows.nth(i).locator('th, td').allTextContents();
    expect(cells[0]).toBe(`z${z}`);
    expect(Number(cells[1]!.replace(/,/g, '')), `tiles at z${z}: ${cells.join(' | ')}`).toBe(tilesOver(extent, z));
  }
  const total = ZOOMS.reduce((n, z) => n + tilesOver(extent, z), 0);
  expect(Number(((await page.locator('[data-testid="estimate-tiles"]').textContent()) ?? '').replace(/,/g, ''))).toBe(total);
  expect((await page.locator('[data-testid="estimate-bytes"]').textContent()) ?? '').toMatch(/^about \d|^unknown/);
  expect((await page.locator('[data-testid="estimate-time"]').textContent()) ?? '').toMatch(/^about \d|^unknown/);
  // The dataset is usable, and the job fits.
  const dataset = page.locator(`[data-testid="estimate-datasets"] li[data-path="${hillshade}"]`);
  expect((await dataset.textContent()) ?? '').toMatch(new RegExp(`${total} tiles`));
  // GDAL measures the DEM's 3″ pixels at 57.5°N as native ≈ z10.3: z10 is not upsampled, so no warning.
  expect(await dataset.locator('[data-testid="native-zoom"]').textContent()).toBe(' · native ≈z10.3');
  expect(await dataset.locator('[data-testid="upsampled"]').count()).toBe(0);
  expect(await page.locator('[data-testid="storage-problem"]').count()).toBe(0);
  expect(await page.locator('[data-testid="start"]').isDisabled()).toBe(false);

  await screenshotWhole('preseed.png');

  // Past the DEM's native ≈z10.3 the form warns, under the zooms and in the dry run, by how many levels.
  await field('params.maxZoom').fill('12');
  const warning = "z12 is 1.7 levels past the source's native ≈z10.3: tiles there are upsampled";
  await expect(page.locator('[data-testid="zoom-upsampled"]')).toHaveText(warning, { timeout: 90_000 });
  await expect(dataset.locator('[data-testid="upsampled"]')).toHaveText(warning);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'preseed-upsampled.png') });
  // Back to z8–10 for the job the next test starts.
  await field('params.maxZoom').fill('10');
  await expect(page.locator('[data-testid="zoom-upsampled"]')).toHaveCount(0, { timeout: 90_000 });
  await expect
    .poll(async () => (await rows.count()) === ZOOMS.length && (await page.locator('[data-testid="estimate"]').getAttribute('data-outdated')) === 'false', {
      message: 'the dry run of z8–10 again',
      timeout: 90_000,
    })
    .toBe(true);
  expect(ownErrors()).toEqual([]);
});

test('b. Start opens the new job, which succeeds and writes the MBTiles', async () => {
  test.setTimeout(300_000);
  await page.locator('[data-testid="start"]').click();
  await expect(page, 'the job detail').toHaveURL(/#\/jobs\/\d+$/, { timeout: 15_000 });
  const id = Number(new URL(page.url()).hash.split('/')[2]);
  const detail = page.locator('[data-testid="job-detail"]');
  await detail.waitFor();
  try {
    await expect(detail, 'the job to finish').toHaveAttribute('data-state', /^(succeeded|partial|failed|cancelled)$/, { timeout: 240_000 });
  } catch (error) {
    // Say where the job stood (from the engine itself), so a stall can be told from a slow run.
    const where = await within(
      page.evaluate(async (jobId) => {
        const [j, items, events, queue] = await Promise.all([
          window.tessera.jobs.get({ id: jobId }),
          window.tessera.jobs.items({ id: jobId, limit: 20 }),
          window.tessera.jobs.events({ id: jobId, limit: 50 }),
          window.tessera.queue.get({}),
        ]);
        return JSON.stringify({
          state: j.state,
          progress: j.progress,
          items: items.rows.map((i) => [i.label, i.state, i.done, i.total, i.error]),
          events: events.map((e) => `${e.type}: ${e.message}`),
          queue,
        });
      }, id),
      10_000,
    ).catch((e: unknown) => `the engine did not answer: ${String(e)}`);
    throw new Error(`${(error as Error).message}\njob ${id}: ${where ?? 'the engine did not answer within 10 s'}`);
  }
  job = await page.evaluate((jobId) => window.tessera.jobs.get({ id: jobId }), id);
  expect(job.kind).toBe('preseed-raster');
  expect(job.state, `the job ended ${job.state}: ${JSON.stringify(job.error)}`).toBe('succeeded');
  expect(job.params).toEqual({ ...job.params, datasets: [hillshade], minZoom: 8, maxZoom: 10, output, format: 'png', tileSize: 256 });
  expect(existsSync(output), `no cache at ${output}`).toBe(true);
  expect((await page.locator('#job-title').textContent()) ?? '').toMatch(/\S/);
  await page.getByRole('button', { name: 'Open on map' }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'preseed-job.png') });
  expect(ownErrors()).toEqual([]);
});

test('c. "Open on map" draws the new cache: grey hillshade inside its square degree', async () => {
  await page.getByRole('button', { name: 'Open on map' }).click();
  const selector = `[data-testid="map"][data-cache-id="${cacheIdFor(output)}"]`;
  await page.locator(`${selector}[data-ready="true"]`).waitFor({ timeout: 30_000 });
  // The map is opened for this job: its bad tiles, if any, are drawn there too.
  const hash = new URL(page.url()).hash;
  expect(hash.replace(/&job=\d+$/, '')).toBe(`#/map?path=${encodeURIComponent(output)}`);
  expect(hash).toMatch(/&job=\d+$/);

  const background = await page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLElement & { __map: { getPaintProperty(l: string, p: string): unknown } };
    return el.__map.getPaintProperty('background', 'background-color') as string;
  }, selector);
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background);
  expect(m, `background ${background}`).toBeTruthy();
  if (!m) throw new Error(`background ${background}`);
  const bg: Rgb = [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];

  const inside = HILLSHADE_INSIDE;
  const points = await page.evaluate(
    ([sel, pts]) => {
      const el = document.querySelector(sel) as HTMLElement & { __map: { project(p: [number, number]): { x: number; y: number } } };
      return pts.map((p) => {
        const { x, y } = el.__map.project(p);
        return { x, y };
      });
    },
    [selector, inside] as const,
  );
  const png = await page.locator(selector).screenshot();
  writeFileSync(join(ARTIFACTS, 'preseed-result-map.png'), png);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  points.forEach((p, i) => {
    const px = Math.round(p.x);
    const py = Math.round(p.y);
    expect(px >= 0 && py >= 0 && px < info.width && py < info.height, `${inside[i]} is off the map`).toBe(true);
    const k = (py * info.width + px) * info.channels;
    const rgb: Rgb = [data[k]!, data[k + 1]!, data[k + 2]!];
    expect(distance(rgb, bg), `${inside[i]} is the background colour ${rgb}: no hillshade drawn there`).toBeGreaterThan(20);
    expect(Math.max(...rgb) - Math.min(...rgb), `${inside[i]} is ${rgb}, not the hillshade's grey`).toBeLessThanOrEqual(6);
    expect(rgb[0], `${inside[i]} is ${rgb}, too dark for a hillshade`).toBeGreaterThan(30);
  });
  expect((await page.locator('.map-facts').textContent()) ?? '').toMatch(/MBTiles · PNG/);
  expect((await page.locator('.map-facts').textContent()) ?? '').toMatch(/8–10/);
  await page.screenshot({ path: join(ARTIFACTS, 'preseed-result-map-console.png') });
  expect(ownErrors()).toEqual([]);
});

test('d. a cache quota far below what a job needs blocks Start, with the numbers', async () => {
  // The dry run waits for the engine's estimate (up to 90 s on busy cores).
  test.setTimeout(180_000);
  await page.evaluate(() => window.tessera.settings.update({ cacheQuotaBytes: 64 * 1024 }));
  try {
    // Back to the form through the console (no reload: the draft is kept), one zoom deeper into another file.
    await page.locator('nav a', { hasText: 'Preseed' }).click();
    await page.locator('#preseed-form-raster').waitFor();
    expect(await field('params.datasets.0').inputValue()).toBe(hillshade);
    await field('params.output').fill(join(dataDir, 'caches', 'hillshade-z11.mbtiles'));
    await field('params.maxZoom').fill('11');
    // The dry run of z8–10 stays on screen, marked outdated, while z8–11 is estimated: its verdict
    // is not the new form's (Start follows the current one only), so wait for the current one.
    const problem = page.locator('[data-testid="estimate"][data-outdated="false"] [data-testid="storage-problem"]');
    await problem.waitFor({ timeout: 90_000 });
    const text = (await problem.textContent()) ?? '';
    expect(text).toMatch(/QUOTA_EXCEEDED/);
    expect(text).toMatch(/the job needs about [\d.]+ (?:[KMGT]i)?B, and the data directory already holds [\d.]+ (?:[KMGT]i)?B of its 64 KiB quota/);
    expect(await page.locator('[data-testid="start"]').isDisabled()).toBe(true);
    await screenshotWhole('preseed-quota.png');
  } finally {
    await page.evaluate(() => window.tessera.settings.update({ cacheQuotaBytes: null }));
  }
  expect(ownErrors()).toEqual([]);
});

test('e. the vector form: a source, a layer with its attributes and zooms, the size policy', async () => {
  // The dry run waits for the engine's estimate (up to 90 s on busy cores).
  test.setTimeout(180_000);
  await page.locator('#preseed-tab-vector').click();
  await page.locator('#preseed-form-vector').waitFor();
  expect(new URL(page.url()).hash).toBe('#/preseed/vector');
  await field('params.sources.0').fill(countriesTopoJson());
  await field('params.minZoom').fill('0');
  await field('params.maxZoom').fill('4');
  await page.getByRole('button', { name: 'Add layer' }).click();
  await field('params.layers.0.name').fill('countries');
  await page.getByLabel('Layer 1 attributes: which').selectOption('only');
  await field('params.layers.0.attributes').fill('name');
  await page.getByLabel('thin them until they fit').check();
  expect(await field('params.output').inputValue()).toBe(join(dataDir, 'caches', 'countries-110m.mbtiles'));
  // Whatever the vector kind answers (it is built separately), the form waits for it before the picture.
  await expect
    .poll(() => page.locator('[data-testid="estimate-zooms"], [data-testid="estimate-error"]').count(), {
      message: 'the vector dry run to answer',
      timeout: 90_000,
    })
    .toBeGreaterThan(0);
  await screenshotWhole('preseed-vector.png');
  // The raster draft is where it was.
  await page.locator('#preseed-tab-raster').click();
  expect(await field('params.datasets.0').inputValue()).toBe(hillshade);
});

test('f. at 1024×700 a box across the antimeridian is refused beside its inputs, in sight without scrolling', async ({ tessera }) => {
  const viewport = page.viewportSize()!;
  await page.setViewportSize({ width: 1024, height: 700 });
  try {
    // Through the launch URL (its token) first, so that the test also runs on its own.
    await page.goto(tessera.url);
    await page.goto(`${tessera.origin}/#/preseed`);
    await page.locator('#preseed-form-raster').waitFor();
    for (const [i, v] of ['170', '-20', '-170', '20'].entries()) await field(`params.bbox.${i}`).fill(v);
    const box = field('params.bbox.2').locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " field ")][1]');
    const error = box.locator('.field-error');
    await expect(error).toHaveText('West must be less than east (a box across the antimeridian is two jobs)');
    // Where the operator is looking (the East input, in the middle of the window), the reason is in
    // the window too; below the extent map (as it was) it lay past the window's bottom edge.
    await field('params.bbox.2').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const input = (await field('params.bbox.2').boundingBox())!;
    const reason = (await error.boundingBox())!;
    expect(reason.y, 'the reason starts inside the window').toBeGreaterThanOrEqual(0);
    expect(reason.y + reason.height, 'the reason ends inside the 700-px window').toBeLessThanOrEqual(700);
    expect(reason.y - (input.y + input.height), 'the reason right under the inputs').toBeLessThan(120);
    await expect(field('params.bbox.0')).toHaveAttribute('aria-invalid', 'true');
    await expect(field('params.bbox.2')).toHaveAttribute('aria-invalid', 'true');
  } finally {
    await page.setViewportSize(viewport);
  }
});
