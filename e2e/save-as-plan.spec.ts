/**
 * "Save as plan…" on the preseed form, end to end: the real `tessera serve` with a plan source
 * folder in its settings, Debian's Chromium; the raster form filled for the real SRTM tile at z6,
 * saved as a plan into the folder from the panel, and the plan sync of the same console then
 * starting the plan's job, which succeeds. Nothing is started by the form itself.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { expect, test } from './console-fixture.js';
import { srtmDem } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1280, height: 900 } } });

test('the preseed form saved as a plan into a plan source folder; the plan sync starts its job', async ({ tessera, workDir, dataDir, session }) => {
  test.setTimeout(180_000);
  const { page, pageErrors } = session;
  const folder = join(workDir, 'plans');
  mkdirSync(folder, { recursive: true });
  await page.goto(tessera.url);
  await page.locator('header h1').waitFor();
  await page.evaluate((planSources) => window.tessera.settings.update({ planSources }), [folder]);

  await page.keyboard.press('g');
  await page.keyboard.press('p');
  await page.locator('#preseed-form-raster').waitFor({ timeout: 15_000 });
  await page.locator('[data-field="params.datasets.0"]').fill(srtmDem());
  await page.locator('[data-field="params.minZoom"]').fill('6');
  await page.locator('[data-field="params.maxZoom"]').fill('6');
  const output = join(dataDir, 'caches', 'N57E011.mbtiles');
  await expect(page.locator('[data-field="params.output"]')).toHaveValue(output);

  await page.getByRole('button', { name: 'Save as plan…' }).click();
  await expect(page.locator('[data-testid="plan-text"]')).toContainText('kind: preseed-raster', { timeout: 30_000 });
  await expect(page.locator('[data-testid="plan-save-to"] select')).toHaveValue(folder);
  await page.getByRole('button', { name: 'Save to folder' }).click();
  await expect(page.locator('[data-testid="plan-saved"]')).toContainText(join(folder, 'N57E011.yaml'));
  expect(readFileSync(join(folder, 'N57E011.yaml'), 'utf8')).toMatch(/^# Made by Tessera from the preseed form/);

  // The console's own plan sync sees the file and starts the job; the form started none.
  await expect
    .poll(
      async () => {
        const jobs = await page.evaluate(() => window.tessera.jobs.list({ limit: 10 }));
        return jobs.rows.filter((j) => j.kind === 'preseed-raster').map((j) => j.state);
      },
      { message: 'the plan job', timeout: 120_000, intervals: [250] },
    )
    .toEqual(['succeeded']);
  expect(existsSync(output)).toBe(true);
  expect(pageErrors).toEqual([]);
});
