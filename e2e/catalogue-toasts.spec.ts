/**
 * Toasts over the catalogue at 1024×700: notes of finished jobs sit at the window's bottom right,
 * where the catalogue's rows keep their actions (Preview on map, Preseed…, Delete…). With a full
 * catalogue and two failed ingests' notes showing (a failure's note stays 20 s), every row action
 * on screen must be the element under its own centre (nothing drawn over it, so a click reaches
 * it), and the last row's actions can be scrolled into view clear of the notes. Real `tessera
 * serve`, Debian's Chromium, real files ingested by path.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { ARTIFACTS, expect, test } from './console-fixture.js';
import { rgdalVector, worldMapGpkg } from './fixtures.js';
import { pageApi } from './page-actions.js';

test.use({ consoleOptions: { viewport: { width: 1024, height: 700 } } });

/** The row actions on screen that something else covers at their centre: their row's name and label. */
async function coveredActions(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const covered: string[] = [];
    for (const button of document.querySelectorAll<HTMLButtonElement>('[data-testid="dataset"] td.actions button')) {
      const r = button.getBoundingClientRect();
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (r.width === 0 || y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) continue;
      // Clipped by its scrolling panel: not on screen, so not covered either.
      const panel = button.closest('.table-scroll, .catalog-list, main');
      const p = panel?.getBoundingClientRect();
      if (p && (y < p.top || y > p.bottom)) continue;
      const top = document.elementFromPoint(x, y);
      if (top && !button.contains(top)) covered.push(`${button.closest('tr')?.dataset.name}: ${button.textContent} (under ${top.className || top.tagName})`);
    }
    return covered;
  });
}

test('no note of a finished job covers a catalogue row action at 1024×700', async ({ tessera, session, workDir }) => {
  test.setTimeout(240_000);
  const { page } = session;
  await page.goto(tessera.url);
  await page.locator('header h1').waitFor();
  // Enough datasets to fill the catalogue past the window's bottom: one job, files by path.
  const files = [
    worldMapGpkg(),
    rgdalVector('cities.shp'),
    rgdalVector('scot_BNG.shp'),
    rgdalVector('kiritimati_primary_roads.shp'),
    rgdalVector('test_trk2.gpx'),
    rgdalVector('airports.gml'),
    rgdalVector('b_pump.gpkg'),
  ];
  const ingest = await pageApi<{ id: number }>(page, 'jobs.start', { kind: 'ingest', params: { files } });
  await expect
    .poll(async () => (await pageApi<{ state: string }>(page, 'jobs.get', { id: ingest.id })).state, { timeout: 180_000 })
    .toMatch(/succeeded|partial/);
  await page.goto(`${tessera.origin}/#/catalog`);
  // Six or seven datasets, whichever file a GDAL build reads: more than the window shows at once.
  await expect.poll(() => page.locator('[data-testid="dataset"]').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);

  // Two failed ingests' notes (20 s each), shown while the catalogue lists its datasets.
  const garbage = join(workDir, 'garbage.bin');
  writeFileSync(garbage, Buffer.alloc(4096, 7));
  for (let i = 0; i < 2; i++) await pageApi(page, 'jobs.start', { kind: 'ingest', name: `garbage ${i}`, params: { files: [garbage] } });
  await expect(page.locator('[data-testid="toast"]')).toHaveCount(2, { timeout: 60_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'catalogue-toasts-1024.png') });

  // What is on screen now, and the last row scrolled as far up as it goes.
  expect(await coveredActions(page)).toEqual([]);
  await page.locator('[data-testid="dataset"]').last().locator('td.actions button').last().scrollIntoViewIfNeeded();
  await page.evaluate(() => {
    for (const el of document.querySelectorAll<HTMLElement>('main, main *')) if (el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight;
  });
  await expect(page.locator('[data-testid="toast"]')).toHaveCount(2);
  expect(await coveredActions(page)).toEqual([]);
  // And a click on the last row's action reaches it (Delete… asks first: nothing is deleted).
  await page.locator('[data-testid="dataset"]').last().getByRole('button', { name: 'Delete…' }).click({ trial: false, timeout: 5000 });
  await expect(page.locator('[data-testid="dataset"]').last().getByRole('button', { name: 'Keep' })).toBeVisible();
});
