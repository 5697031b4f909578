/**
 * The end-to-end tests (e2e/*.spec.ts) on the Playwright test runner.
 *
 * Which files run: the specs as tsc compiles them into dist/e2e (`npm run build` does it, as for
 * every other Node test here), not Playwright's own TypeScript loader on e2e/. The specs and the
 * main/ test helpers they import (the real-data fixtures, the Esri Koop fixture and fault proxy,
 * the store seeder) find their files relative to their own compiled place (`import.meta.url` in
 * dist/: the CLI the harness spawns, the repository's `.data/`), and they load gdal-async,
 * better-sqlite3 and sharp: from dist they run exactly as the host and `npm run test:node` run
 * them, type-checked by the build. Source maps (tsc writes them) point failures back at e2e/*.ts.
 * The config sits at the repository's root so that a plain `npx playwright test` finds it, and
 * outside e2e/ so that tsc does not compile it into dist/e2e.
 *
 * One test:  npm run build && npx playwright test job-detail      (a file name's part)
 *            npx playwright test -g "settings"                     (a title's part)
 * Reports:   playwright-report/ (HTML: npx playwright show-report), test-results/ (traces and
 *            screenshots of failed tests: npx playwright show-trace test-results/…/trace.zip).
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './e2e/chromium.ts';

export default defineConfig({
  testDir: 'dist/e2e',
  testMatch: '*.spec.js',
  // Two cores, and each file runs a real host (GDAL jobs, worker threads) beside Chromium: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Per test; the long ones (ingest, migration, preseed) set their own with test.setTimeout.
  timeout: 120_000,
  // Web-first assertions wait this long, as the old polling helper did by default.
  expect: { timeout: 5000 },
  outputDir: 'test-results',
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS },
  },
  projects: [{ name: 'headless-console' }],
});
