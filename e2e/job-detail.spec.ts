/**
 * The job detail, storage and settings screens end to end: the real `tessera serve`, Debian's
 * Chromium at 1280×800, a GDAL-made hillshade cache and a copy of it with five tiles damaged at z10.
 * A verify of the damaged copy is started through the page's own `window.tessera`; its detail
 * screen must show it partial, with the failed z10 item and the exact bad tiles; "Retry failed
 * items" must run that item a second time; each report button must download a real report; the
 * storage screen must show the data directory's volume; a settings change must survive a reload.
 *
 * The tests run in order and share one console, one browser and one job.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, expect, test } from './console-fixture.js';
import { corruptCopy, hillshadeMbtiles } from './fixtures.js';

test.use({ consoleOptions: { viewport: { width: 1280, height: 800 } } });
test.describe.configure({ mode: 'serial' });

let damagedPath = '';
/** The z/x/y names of the tiles corruptCopy broke. */
let broken: string[] = [];
let page: Page;
let pageErrors: string[] = [];
let job: JobSummary;

test.beforeAll(({ workDir, session }) => {
  const clean = hillshadeMbtiles(workDir);
  damagedPath = join(workDir, 'hillshade-damaged.mbtiles');
  const damage = corruptCopy(clean, damagedPath, { truncate: 2, zero: 1, garbage: 2 });
  broken = [...damage.truncated, ...damage.zeroed, ...damage.garbled];
  ({ page, pageErrors } = session);
});

// -----------------------------------------------------------------------------------------------

test('a. the printed URL signs the browser in', async ({ tessera }) => {
  await page.goto(tessera.url);
  expect(page.url(), 'the token should be traded for the cookie and leave the address bar').toBe(`${tessera.origin}/`);
  await page.locator('header h1').waitFor();
});

test('b. the detail of a partial verify: the failed z10 item, its error and the named bad tiles', async () => {
  job = await page.evaluate((cache) => window.tessera.jobs.start({ kind: 'verify', params: { cache } }), damagedPath);
  await expect.poll(async () => (await bridgeGet(job.id)).state, { message: 'the verify to end partial', timeout: 20_000 }).toBe('partial');

  await openScreen(`#/jobs/${job.id}`);
  const detail = page.locator('[data-testid="job-detail"]');
  await detail.waitFor();
  await expect(detail, 'the detail to show partial').toHaveAttribute('data-state', 'partial');
  expect(await page.locator('[data-testid="job-state"]').textContent()).toBe('partial');
  expect(await page.locator('#job-title').textContent()).toBe(job.name);
  expect((await page.locator('.job-error').textContent()) ?? '').toMatch(/z10: 5 of \d+ tiles at z10 are corrupt.*TILE_CORRUPT/);

  const z10 = page.locator('.items-table tr[data-label="z10"]');
  await z10.waitFor();
  expect(await z10.getAttribute('data-state')).toBe('failed');
  const z10Text = (await z10.textContent()) ?? '';
  expect(z10Text.includes('TILE_CORRUPT'), `the z10 row: ${z10Text}`).toBe(true);
  expect(await z10.locator('[data-column="attempts"]').textContent()).toBe('1');
  // The other zoom levels are fine.
  const others = await page
    .locator('.items-table tbody tr[data-label]')
    .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-label')}:${r.getAttribute('data-state')}`));
  expect(others.length, `items: ${others.join(' ')}`).toBeGreaterThan(1);
  for (const row of others) if (!row.startsWith('z10:')) expect(row, `items: ${others.join(' ')}`).toMatch(/:succeeded$/);

  // Every damaged tile is named, as z/x/y, as corrupt.
  await expect.poll(() => page.locator('.issues-table tbody tr').count(), { message: 'the tile issues' }).toBeGreaterThanOrEqual(broken.length);
  for (const name of broken) {
    const row = page.locator(`[data-testid="tile-${name}"]`);
    expect(await row.count(), `no row for the damaged tile ${name}`).toBe(1);
    expect(await row.getAttribute('data-issue')).toBe('corrupt');
  }
  // The timeline ends with the job going partial, coloured as bad news.
  const last = page.locator('.timeline-list .tl').last();
  expect(await last.getAttribute('data-type')).toBe('state.partial');
  expect((await last.getAttribute('class')) ?? '').toMatch(/tone-bad/);
});

test('c. "Retry failed items" runs z10 a second time, and only z10', async () => {
  const before = await itemAttempts();
  await page.getByRole('button', { name: 'Retry failed items' }).click();
  const z10 = page.locator('.items-table tr[data-label="z10"]');
  await expect
    .poll(async () => `${await z10.locator('[data-column="attempts"]').textContent()} ${await z10.getAttribute('data-state')}`, {
      message: 'z10 on its second attempt, failed again',
      timeout: 20_000,
    })
    .toBe('2 failed');
  await expect(page.locator('[data-testid="job-state"]'), 'the job partial again').toHaveText('partial', { timeout: 10_000 });
  const afterRetry = await itemAttempts();
  for (const [label, attempts] of Object.entries(before)) expect(afterRetry[label], `attempts of ${label}`).toBe(label === 'z10' ? attempts + 1 : attempts);
  await expect.poll(() => page.locator('.timeline-list .tl[data-type="state.queued"]').count(), { message: 'the retry in the timeline' }).toBeGreaterThan(0);

  await shoot('job-detail.png');
  await expectNoSidewaysScroll();
});

test('d. each report button downloads its report', async () => {
  const csv = await download('csv');
  expect(csv.name).toBe(`tessera-job-${job.id}.csv`);
  const lines = csv.body.toString('utf8').split('\r\n');
  expect(lines[0]!).toMatch(/^item,state,attempts,done,total,failed,bytes,error_code,error_message/);
  const z10 = lines.find((l) => l.startsWith('z10,'));
  expect(z10, `no z10 row in:\n${lines.join('\n')}`).toBeTruthy();
  expect(z10).toMatch(/^z10,failed,2,.*TILE_CORRUPT/);

  const json = await download('json');
  expect(json.name).toBe(`tessera-job-${job.id}.json`);
  const doc = JSON.parse(json.body.toString('utf8')) as { job: { id: number }; items: { label: string }[]; tileIssues: { z: number; x: number; y: number }[] };
  expect(doc.job.id).toBe(job.id);
  expect(doc.items.some((i) => i.label === 'z10')).toBe(true);
  const named = new Set(doc.tileIssues.map((t) => `${t.z}/${t.x}/${t.y}`));
  for (const name of broken) expect(named.has(name), `${name} is not among the JSON report's tile issues`).toBe(true);

  const html = await download('html');
  expect(html.name).toBe(`tessera-job-${job.id}.html`);
  const text = html.body.toString('utf8');
  expect(text).toMatch(/^<!doctype html>/i);
  expect(text.includes(job.name), `the HTML report does not name the job (${job.name})`).toBe(true);

  const pdf = await download('pdf');
  expect(pdf.name).toBe(`tessera-job-${job.id}.pdf`);
  expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.body.length, `a ${pdf.body.length}-byte PDF`).toBeGreaterThan(1000);
  expect(pdf.body.subarray(-1024).toString('latin1'), 'the PDF was cut short').toMatch(/%%EOF\s*$/);
  expect(pageErrors).toEqual([]);
});

test('e. the storage screen shows the data directory’s volume and the cache quota', async () => {
  await openScreen('#/storage');
  const meter = page.locator('[data-testid="volume"] [role="meter"]').first();
  await meter.waitFor();
  const [now, max, text] = await Promise.all([meter.getAttribute('aria-valuenow'), meter.getAttribute('aria-valuemax'), meter.getAttribute('aria-valuetext')]);
  expect(Number(max) > 0 && Number(now) > 0 && Number(now) <= Number(max), `meter ${now} of ${max}`).toBe(true);
  expect(text ?? '').toMatch(/ used of .*, .* free$/);
  expect((await page.locator('[data-testid="volume"]').first().textContent()) ?? '').toContain('data directory');
  const quota = page.locator('[data-testid="quota"]').first();
  expect((await quota.textContent()) ?? '').toMatch(/no quota/);
  await shoot('storage.png');
  await expectNoSidewaysScroll();
});

test('f. settings: keeping finished jobs for 30 days is saved and survives a reload', async ({ dataDir }) => {
  await openScreen('#/settings');
  await page.locator('[data-testid="data-dir"]').waitFor();
  expect(await page.locator('[data-testid="data-dir"]').inputValue()).toBe(dataDir);
  expect(await page.getByRole('radio', { name: 'forever', exact: true }).isChecked()).toBe(true);

  await page.getByRole('radio', { name: 'for', exact: true }).check();
  await page.getByLabel('Days to keep finished jobs').fill('30');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('[data-testid="save-status"]'), 'Saved').toHaveText(/^Saved/);
  expect((await page.evaluate(() => window.tessera.settings.get({}))).retentionDays).toBe(30);
  await shoot('settings.png');
  await expectNoSidewaysScroll();

  await page.reload();
  const days = page.getByLabel('Days to keep finished jobs');
  await days.waitFor();
  expect(await days.inputValue()).toBe('30');
  expect(await page.getByRole('radio', { name: 'for', exact: true }).isChecked()).toBe(true);

  // A bad value is refused next to its field and never sent.
  await page.locator('[data-field="maxRunningJobs"]').fill('0');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const error = page.locator('.field.has-error .field-error');
  await error.waitFor();
  expect(await error.textContent()).toBe('Must be at least 1');
  expect((await page.evaluate(() => window.tessera.settings.get({}))).maxRunningJobs).toBeGreaterThan(0);
  expect(pageErrors).toEqual([]);
});

// -----------------------------------------------------------------------------------------------
// Helpers

/** Goes to a console screen by its hash, as a link or the rail would. */
async function openScreen(hash: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

function bridgeGet(id: number): Promise<JobSummary> {
  return page.evaluate((jobId) => window.tessera.jobs.get({ id: jobId }), id);
}

/** Attempts per item label, as the table shows them. */
async function itemAttempts(): Promise<Record<string, number>> {
  const rows = await page
    .locator('.items-table tbody tr[data-label]')
    .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-label')!, Number(tr.querySelector('[data-column="attempts"]')?.textContent)] as const));
  return Object.fromEntries(rows);
}

/** Clicks a report button and returns what the browser downloaded. */
async function download(format: 'json' | 'csv' | 'html' | 'pdf'): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: 20_000 }),
    page.locator(`.export-buttons button[data-format="${format}"]`).click(),
  ]);
  const failure = await file.failure();
  expect(failure, `the ${format} download failed`).toBeNull();
  const path = await file.path();
  return { name: file.suggestedFilename(), body: readFileSync(path) };
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
