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
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { corruptCopy, hillshadeMbtiles } from './fixtures.js';
import { ARTIFACTS, type Console, launchBrowser, startConsole, stopConsole, until as untilWithin } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-detail-'));
let damagedPath = '';
/** The z/x/y names of the tiles corruptCopy broke. */
let broken: string[] = [];
let tessera: Console;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];
let job: JobSummary;

before(async () => {
  const clean = hillshadeMbtiles(dir);
  damagedPath = join(dir, 'hillshade-damaged.mbtiles');
  const damage = corruptCopy(clean, damagedPath, { truncate: 2, zero: 1, garbage: 2 });
  broken = [...damage.truncated, ...damage.zeroed, ...damage.garbled];
  tessera = await startConsole(join(dir, 'data'));
  ({ context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile'), { width: 1280, height: 800 }));
});

after(async () => {
  await context?.close().catch(() => {});
  await stopConsole(tessera);
  rmSync(dir, { recursive: true, force: true });
});

// -----------------------------------------------------------------------------------------------

test('a. the printed URL signs the browser in', async () => {
  await page.goto(tessera.url);
  assert.equal(page.url(), `${tessera.origin}/`, 'the token should be traded for the cookie and leave the address bar');
  await page.locator('header h1').waitFor();
});

test('b. the detail of a partial verify: the failed z10 item, its error and the named bad tiles', async () => {
  job = await page.evaluate((cache) => window.tessera.jobs.start({ kind: 'verify', params: { cache } }), damagedPath);
  await until('the verify to end partial', async () => ((await bridgeGet(job.id)).state === 'partial' ? true : null), 20_000);

  await openScreen(`#/jobs/${job.id}`);
  const detail = page.locator('[data-testid="job-detail"]');
  await detail.waitFor();
  await until('the detail to show partial', async () => ((await detail.getAttribute('data-state')) === 'partial' ? true : null));
  assert.equal(await page.locator('[data-testid="job-state"]').textContent(), 'partial');
  assert.equal(await page.locator('#job-title').textContent(), job.name);
  assert.match((await page.locator('.job-error').textContent()) ?? '', /TILE_CORRUPT.*z10: 5 of \d+ tiles at z10 are corrupt/);

  const z10 = page.locator('.items-table tr[data-label="z10"]');
  await z10.waitFor();
  assert.equal(await z10.getAttribute('data-state'), 'failed');
  const z10Text = (await z10.textContent()) ?? '';
  assert.ok(z10Text.includes('TILE_CORRUPT'), `the z10 row: ${z10Text}`);
  assert.equal(await z10.locator('[data-column="attempts"]').textContent(), '1');
  // The other zoom levels are fine.
  const others = await page.locator('.items-table tbody tr[data-label]').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-label')}:${r.getAttribute('data-state')}`));
  assert.ok(others.length > 1, `items: ${others.join(' ')}`);
  for (const row of others) if (!row.startsWith('z10:')) assert.match(row, /:succeeded$/, `items: ${others.join(' ')}`);

  // Every damaged tile is named, as z/x/y, as corrupt.
  await until('the tile issues', async () => ((await page.locator('.issues-table tbody tr').count()) >= broken.length ? true : null));
  for (const name of broken) {
    const row = page.locator(`[data-testid="tile-${name}"]`);
    assert.equal(await row.count(), 1, `no row for the damaged tile ${name}`);
    assert.equal(await row.getAttribute('data-issue'), 'corrupt');
  }
  // The timeline ends with the job going partial, coloured as bad news.
  const last = page.locator('.timeline-list .tl').last();
  assert.equal(await last.getAttribute('data-type'), 'state.partial');
  assert.match((await last.getAttribute('class')) ?? '', /tone-bad/);
});

test('c. "Retry failed items" runs z10 a second time, and only z10', async () => {
  const before = await itemAttempts();
  await page.getByRole('button', { name: 'Retry failed items' }).click();
  await until('z10 on its second attempt, failed again', async () => {
    const row = page.locator('.items-table tr[data-label="z10"]');
    const attempts = await row.locator('[data-column="attempts"]').textContent();
    return attempts === '2' && (await row.getAttribute('data-state')) === 'failed' ? true : null;
  }, 20_000);
  await until('the job partial again', async () => ((await page.locator('[data-testid="job-state"]').textContent()) === 'partial' ? true : null), 10_000);
  const afterRetry = await itemAttempts();
  for (const [label, attempts] of Object.entries(before)) assert.equal(afterRetry[label], label === 'z10' ? attempts + 1 : attempts, `attempts of ${label}`);
  await until('the retry in the timeline', async () => ((await page.locator('.timeline-list .tl[data-type="state.queued"]').count()) > 0 ? true : null));

  await shoot('job-detail.png');
  await assertNoSidewaysScroll();
});

test('d. each report button downloads its report', async () => {
  const csv = await download('csv');
  assert.equal(csv.name, `tessera-job-${job.id}.csv`);
  const lines = csv.body.toString('utf8').split('\r\n');
  assert.match(lines[0]!, /^item,state,attempts,done,total,failed,bytes,error_code,error_message/);
  const z10 = lines.find((l) => l.startsWith('z10,'));
  assert.ok(z10, `no z10 row in:\n${lines.join('\n')}`);
  assert.match(z10, /^z10,failed,2,.*TILE_CORRUPT/);

  const json = await download('json');
  assert.equal(json.name, `tessera-job-${job.id}.json`);
  const doc = JSON.parse(json.body.toString('utf8')) as { job: { id: number }; items: { label: string }[]; tileIssues: { z: number; x: number; y: number }[] };
  assert.equal(doc.job.id, job.id);
  assert.ok(doc.items.some((i) => i.label === 'z10'));
  const named = new Set(doc.tileIssues.map((t) => `${t.z}/${t.x}/${t.y}`));
  for (const name of broken) assert.ok(named.has(name), `${name} is not among the JSON report's tile issues`);

  const html = await download('html');
  assert.equal(html.name, `tessera-job-${job.id}.html`);
  const text = html.body.toString('utf8');
  assert.match(text, /^<!doctype html>/i);
  assert.ok(text.includes(job.name), `the HTML report does not name the job (${job.name})`);

  const pdf = await download('pdf');
  assert.equal(pdf.name, `tessera-job-${job.id}.pdf`);
  assert.equal(pdf.body.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.body.length > 1000, `a ${pdf.body.length}-byte PDF`);
  assert.match(pdf.body.subarray(-1024).toString('latin1'), /%%EOF\s*$/, 'the PDF was cut short');
  assert.deepEqual(pageErrors, []);
});

test('e. the storage screen shows the data directory’s volume and the cache quota', async () => {
  await openScreen('#/storage');
  const meter = page.locator('[data-testid="volume"] [role="meter"]').first();
  await meter.waitFor();
  const [now, max, text] = await Promise.all([meter.getAttribute('aria-valuenow'), meter.getAttribute('aria-valuemax'), meter.getAttribute('aria-valuetext')]);
  assert.ok(Number(max) > 0 && Number(now) > 0 && Number(now) <= Number(max), `meter ${now} of ${max}`);
  assert.match(text ?? '', / used of .*, .* free$/);
  assert.ok(((await page.locator('[data-testid="volume"]').first().textContent()) ?? '').includes('data directory'));
  const quota = page.locator('[data-testid="quota"]').first();
  assert.match((await quota.textContent()) ?? '', /no quota/);
  await shoot('storage.png');
  await assertNoSidewaysScroll();
});

test('f. settings: keeping finished jobs for 30 days is saved and survives a reload', async () => {
  await openScreen('#/settings');
  await page.locator('[data-testid="data-dir"]').waitFor();
  assert.equal(await page.locator('[data-testid="data-dir"]').inputValue(), join(dir, 'data'));
  assert.equal(await page.getByRole('radio', { name: 'forever', exact: true }).isChecked(), true);

  await page.getByRole('radio', { name: 'for', exact: true }).check();
  await page.getByLabel('Days to keep finished jobs').fill('30');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await until('Saved', async () => (((await page.locator('[data-testid="save-status"]').textContent()) ?? '').startsWith('Saved') ? true : null));
  assert.equal((await page.evaluate(() => window.tessera.settings.get({}))).retentionDays, 30);
  await shoot('settings.png');
  await assertNoSidewaysScroll();

  await page.reload();
  const days = page.getByLabel('Days to keep finished jobs');
  await days.waitFor();
  assert.equal(await days.inputValue(), '30');
  assert.equal(await page.getByRole('radio', { name: 'for', exact: true }).isChecked(), true);

  // A bad value is refused next to its field and never sent.
  await page.locator('[data-field="maxRunningJobs"]').fill('0');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const error = page.locator('.field.has-error .field-error');
  await error.waitFor();
  assert.equal(await error.textContent(), 'Must be at least 1');
  assert.equal((await page.evaluate(() => window.tessera.settings.get({}))).maxRunningJobs > 0, true);
  assert.deepEqual(pageErrors, []);
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
  const rows = await page.locator('.items-table tbody tr[data-label]').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-label')!, Number(tr.querySelector('[data-column="attempts"]')?.textContent)] as const));
  return Object.fromEntries(rows);
}

/** Clicks a report button and returns what the browser downloaded. */
async function download(format: 'json' | 'csv' | 'html' | 'pdf'): Promise<{ name: string; body: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.locator(`.export-buttons button[data-format="${format}"]`).click()]);
  const failure = await file.failure();
  assert.equal(failure, null, `the ${format} download failed`);
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
  assert.ok(shot.length > 10_000, `the ${name} screenshot is suspiciously small`);
}

async function assertNoSidewaysScroll(): Promise<void> {
  const layout = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  assert.ok(layout.scrollWidth <= layout.innerWidth, `the page scrolls sideways: ${JSON.stringify(layout)}`);
}

function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  return untilWithin(what, probe, timeoutMs, intervalMs, () => tessera.stderr());
}
