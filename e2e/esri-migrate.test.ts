/**
 * The Esri migration wizard end to end: the real `tessera serve`, Debian's Chromium, and the Koop
 * fixture (a real ArcGIS REST server on loopback) behind the fault-injecting proxy.
 *
 * a. A secured service: a token typed once, the layers discovered with their counts, one layer
 *    migrated; the job's params, events and the page hold the credential's id, never the token.
 * b. An outage in the middle of a migration: the wizard shows the breaker open ("source
 *    unavailable, retrying at …"), then the copy completes with every layer checked.
 *
 * The tests run in order and share one console, one browser, one fixture.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { JobSummary } from '../shared/contract.js';
import type {} from '../preload/window-api.js';
import { type FaultProxy, startFaultProxy } from '../main/esri/testing/fault-proxy.js';
import { type KoopFixture, startKoopFixture } from '../main/esri/testing/koop-fixture.js';
import { cataloguedCopy, compareWithSource } from '../main/esri/testing/migration-harness.js';
import { type FixtureServices, naturalEarthServicesCached } from '../main/esri/testing/natural-earth-services.js';
import { ARTIFACTS, type Console, launchBrowser, startConsole, stopConsole, until } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-esri-'));
const dataDir = join(dir, 'data');
let fixtureDir = '';
let services: FixtureServices;
let koop: KoopFixture;
let proxy: FaultProxy;
let tessera: Console;
let context: BrowserContext;
let page: Page;
let pageErrors: string[] = [];

before(async () => {
  ({ dir: fixtureDir, services } = naturalEarthServicesCached());
  koop = await startKoopFixture(fixtureDir, services);
  proxy = await startFaultProxy({ target: koop.origin, seed: 1, rate: 0 });
  tessera = await startConsole(dataDir);
  ({ context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile'), { width: 1280, height: 900 }));
  await page.goto(tessera.url);
  await page.locator('header h1').waitFor();
});

after(async () => {
  await context?.close().catch(() => {});
  await stopConsole(tessera);
  await proxy?.close();
  await koop?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function discover(url: string): Promise<void> {
  await page.evaluate(() => (window.location.hash = '#/migrate'));
  await page.locator('#migrate-title').waitFor();
  await page.locator('input[type="url"]').fill(url);
}

async function jobs(): Promise<JobSummary[]> {
  return page.evaluate(async () => (await window.tessera.jobs.list({ limit: 50 })).rows);
}

test('a. a secured service: the token typed once, layers with counts, a checked copy; the token nowhere after', async () => {
  await discover(`${proxy.via(koop.serviceUrl('secure'))}/`);
  await page.getByLabel('Token', { exact: true }).check();
  await page.locator('input[aria-label="Token"]').fill(koop.staticToken);
  await page.getByRole('button', { name: 'Discover layers' }).click();
  const row = page.locator('tr[data-layer="0"]');
  await row.waitFor();
  assert.equal(await row.locator('[data-column="count"]').textContent(), '46');
  assert.equal(await page.locator('input[aria-label="Token"]').inputValue(), '', 'the token left the page once saved');
  await page.getByLabel('Dataset name').fill('secure borders');
  await page.getByRole('button', { name: 'Start the migration' }).click();
  await until('the copy to succeed', async () => ((await page.locator('[data-testid="migrate-state"]').textContent()) === 'succeeded' ? true : null), 30_000);
  await until('the checks', async () => ((await page.locator('tr[data-label="0 Disputed borders"] [data-column="checked"]').textContent())?.includes('count and ids match') ? true : null), 10_000);

  const [job] = await jobs();
  assert.match(String((job!.params as { credentialId?: string }).credentialId), /^cred_/);
  const everything = JSON.stringify(
    await page.evaluate(async (id) => ({
      job: await window.tessera.jobs.get({ id }),
      items: await window.tessera.jobs.items({ id, limit: 100 }),
      events: await window.tessera.jobs.events({ id, limit: 1000 }),
      report: await window.tessera.jobs.report({ id, format: 'json' }),
    }), job!.id),
  );
  assert.ok(!everything.includes(koop.staticToken), 'the token is in no job data or report');
  assert.ok(!(await page.content()).includes(koop.staticToken), 'nor in the page');
  const copy = cataloguedCopy(dataDir, 'secure borders');
  assert.equal(copy.source.url, proxy.via(koop.serviceUrl('secure')));
  assert.ok(!Number.isNaN(Date.parse(copy.source.copiedAt)), copy.source.copiedAt);
  const [c] = compareWithSource(fixtureDir, copy.path, [services.secure![0]!]);
  assert.equal(c!.copy.checksum, c!.source.checksum);
  assert.deepEqual(pageErrors, []);
});

test('b. an outage mid-migration: the breaker shows "source unavailable, retrying at …", then the copy completes', async () => {
  await page.getByRole('button', { name: 'Migrate another service' }).click();
  await discover(proxy.via(koop.serviceUrl('world')));
  await page.getByRole('button', { name: 'Discover layers' }).click();
  await page.locator('tr[data-layer="6"]').waitFor();
  for (const id of [2, 3, 4, 5, 6]) await page.locator(`tr[data-layer="${id}"] input[type="checkbox"]`).uncheck();
  await page.getByLabel('Dataset name').fill('world outage');
  await page.getByRole('button', { name: 'Start the migration' }).click();
  const states = page.locator('tr[data-label="0 States and provinces"]');
  await states.waitFor();
  await until('the first page of states', async () => (/^[1-9]/.test(((await states.locator('[data-column="progress"]').textContent()) ?? '').trim()) ? true : null), 30_000, 25);
  await proxy.down();
  const breaker = page.locator('[data-testid="breaker"]');
  await until('the breaker to open', async () => ((await breaker.getAttribute('data-state')) === 'open' ? true : null), 60_000, 100);
  assert.match((await breaker.textContent()) ?? '', /^Source unavailable \(127\.0\.0\.1:\d+\): waiting, retrying at /);
  assert.equal(await page.locator('[data-testid="migrate-state"]').textContent(), 'running', 'the job waits; it does not fail');
  await page.screenshot({ path: join(ARTIFACTS, 'esri-migrate-outage.png'), fullPage: true });
  await proxy.up();
  await until('the copy to succeed', async () => ((await page.locator('[data-testid="migrate-state"]').textContent()) === 'succeeded' ? true : null), 120_000, 100);
  await until('the breaker to close', async () => ((await breaker.getAttribute('data-state')) === 'closed' ? true : null), 10_000);
  assert.match((await breaker.textContent()) ?? '', /^Source available again \(127\.0\.0\.1:\d+\) after [\d.]+ (ms|s|min)\.$/);
  for (const label of ['0 States and provinces', '1 Countries']) {
    await until(`${label} checked`, async () => ((await page.locator(`tr[data-label="${label}"] [data-column="checked"]`).textContent())?.includes('count and ids match') ? true : null), 10_000);
  }
  await page.screenshot({ path: join(ARTIFACTS, 'esri-migrate-done.png'), fullPage: true });
  for (const c of compareWithSource(fixtureDir, cataloguedCopy(dataDir, 'world outage').path, [services.world![0]!, services.world![1]!])) {
    assert.deepEqual(c.differing, [], c.layer);
    assert.equal(c.copy.checksum, c.source.checksum, c.layer);
  }
  assert.deepEqual(pageErrors, []);
});
