/**
 * The Workers screen and a job's tasks per worker end to end: a redis-server this spec starts on a
 * free loopback port, two real `tessera worker` processes, the real `tessera serve --queue` and
 * Debian's Chromium. The screen lists both workers (name, host, concurrency) and what they run; a
 * raster preseed through them shows, on its page, a Workers section naming both with task and tile
 * counts that add up to the job's. Screenshots at 1440×900 and 1024×700 to e2e/artifacts/ (and
 * docs/images/ with TESSERA_DOC_IMAGES=1); at each size nothing scrolls sideways. Skipped, saying
 * why, only when redis-server is not installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { NO_REDIS, TestRedis } from '../main/queue/testing/redis-server.js';
import { blueMarbleTif } from '../main/testing/real-data.js';
import type { JobSummary, JobWorkerTasks } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, type ConsoleOptions, expect, test } from './console-fixture.js';

const BIN = fileURLToPath(new URL('../main/cli/bin.js', import.meta.url));
const DOC_IMAGES = fileURLToPath(new URL('../../docs/images/', import.meta.url));
const WORKERS = ['render-a', 'render-b'];

let redis: TestRedis | null = null;
const workers: ChildProcess[] = [];
// The Playwright worker may end without afterAll (a timeout): Redis must not outlive it.
process.once('exit', () => {
  for (const w of workers) w.kill('SIGKILL');
  redis?.kill();
});

async function startWorker(url: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--name', name], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`tessera worker ${name} exited with ${code}`)));
  });
  return child;
}

const options: ConsoleOptions = {
  viewport: { width: 1440, height: 900 },
  beforeStart: async () => {
    redis = await TestRedis.start();
    for (const name of WORKERS) await startWorker(redis.url, name);
  },
  serveArgs: () => ['--queue', redis!.url],
};
test.use({ consoleOptions: options });
test.describe.configure({ mode: 'serial' });
test.skip(NO_REDIS !== false, NO_REDIS || '');

let page: Page;
let pageErrors: string[] = [];
let jobId = 0;

test.beforeAll(({ session }) => {
  ({ page, pageErrors } = session);
  mkdirSync(ARTIFACTS, { recursive: true });
});

test.afterAll(async () => {
  // SIGTERM: each finishes what it holds and exits 0 (the console's queue stays up until then).
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null) return resolve();
          w.once('exit', () => resolve());
          w.kill('SIGTERM');
        }),
    ),
  );
});

test('a. the Workers screen lists both workers with name, host and concurrency, and what they run', async ({ tessera, dataDir }) => {
  test.setTimeout(180_000);
  await page.goto(tessera.url);
  await page.goto(`${tessera.origin}/#/workers`);
  const rows = page.locator('.workers-table tbody tr');
  await expect(rows).toHaveCount(2, { timeout: 15_000 });
  expect(await page.locator('.workers-view').textContent()).toContain(`redis://127.0.0.1:${redis!.port}/0 (set by --queue at start)`);
  const cells = async (row: number) => (await rows.nth(row).locator('th, td').allTextContents()).map((t) => t.trim());
  for (const [i, name] of WORKERS.entries()) expect((await cells(i)).slice(0, 4)).toEqual([name, hostname(), expect.stringMatching(/^\d+$/), '1']);

  // A preseed through them: while it runs, each worker's "Now" names the job, linked.
  const job = await page.evaluate((params) => window.tessera.jobs.start({ kind: 'preseed-raster', name: 'blue marble z0–5 through the workers', params }), {
    datasets: [blueMarbleTif()],
    minZoom: 0,
    maxZoom: 5,
    output: join(dataDir, 'bm-workers.mbtiles'),
  });
  jobId = job.id;
  await expect(page.locator(`.workers-table a[href="#/jobs/${jobId}"]`).first()).toBeVisible({ timeout: 30_000 });
  await shot('workers', 1440);
  await page.setViewportSize({ width: 1024, height: 700 });
  await expect(page.locator('.workers-table tbody tr')).toHaveCount(2);
  await expectNoSidewaysScroll();
  await shot('workers', 1024);
  expect(pageErrors).toEqual([]);
});

test('b. the job that ran through them shows its tasks per worker, adding up to the job', async ({ tessera }) => {
  test.setTimeout(240_000);
  const done = await page.evaluate(async (id) => {
    for (;;) {
      const job: JobSummary = await window.tessera.jobs.get({ id });
      if (!['queued', 'running', 'cancelling'].includes(job.state)) return job;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, jobId);
  expect(done.state).toBe('succeeded');
  const byWorker: JobWorkerTasks[] = await page.evaluate((id) => window.tessera.jobs.workers({ id }), jobId);
  expect(byWorker.map((w) => w.worker)).toEqual(WORKERS);
  expect(byWorker.reduce((n, w) => n + w.tiles, 0)).toBe(done.progress.done);

  await page.goto(`${tessera.origin}/#/jobs/${jobId}`);
  const section = page.locator('[data-testid="job-workers"]');
  await expect(section.locator('tbody tr')).toHaveCount(2);
  const tasks = byWorker.reduce((n, w) => n + w.tasksDone, 0);
  await expect(section).toContainText(`${tasks.toLocaleString('en-US')} tasks through the task queue`);
  for (const [i, w] of byWorker.entries()) {
    const cells = (await section.locator('tbody tr').nth(i).locator('th, td').allTextContents()).map((t) => t.trim());
    expect(cells[0]).toBe(w.worker);
    expect(cells[1]).toMatch(new RegExp(`^${w.tasksDone} \\(\\d+ %\\)$`));
    expect(cells[2]).toBe(w.tiles.toLocaleString('en-US'));
  }
  // The finish note is the toasts' to show, not this picture's.
  const dismiss = page.locator('[data-testid="toast"] button[aria-label="Dismiss"]');
  while ((await dismiss.count()) > 0) await dismiss.first().click();
  await expectNoSidewaysScroll();
  await section.scrollIntoViewIfNeeded();
  await shot('job-workers', 1024);
  await page.setViewportSize({ width: 1440, height: 900 });
  await section.scrollIntoViewIfNeeded();
  await expectNoSidewaysScroll();
  await shot('job-workers', 1440);
  expect(pageErrors).toEqual([]);
});

async function expectNoSidewaysScroll(): Promise<void> {
  const wide = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(wide.scroll, 'nothing scrolls sideways').toBeLessThanOrEqual(wide.client);
}

/** A screenshot to e2e/artifacts/ as `<name>-<width>.png`, and to docs/images/ when asked. */
async function shot(name: string, width: number): Promise<void> {
  const png = await page.screenshot({ animations: 'disabled' });
  writeFileSync(join(ARTIFACTS, `${name}-${width}.png`), png);
  if (process.env.TESSERA_DOC_IMAGES === '1') writeFileSync(join(DOC_IMAGES, `${name}-${width}.png`), png);
}
