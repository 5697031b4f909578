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
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { JobSummary } from '../shared/contract.js';
import type {} from '../preload/window-api.js';
import { type FaultProxy, startFaultProxy } from '../main/esri/testing/fault-proxy.js';
import { type KoopFixture, startKoopFixture } from '../main/esri/testing/koop-fixture.js';
import { cataloguedCopy, compareWithSource } from '../main/esri/testing/migration-harness.js';
import { type FixtureServices, naturalEarthServicesCached } from '../main/esri/testing/natural-earth-services.js';
import { ARTIFACTS, expect, test } from './console-fixture.js';

test.use({ consoleOptions: { viewport: { width: 1280, height: 900 } } });
test.describe.configure({ mode: 'serial' });

let fixtureDir = '';
let services: FixtureServices;
let koop: KoopFixture;
let proxy: FaultProxy;
let page: Page;
let pageErrors: string[] = [];

test.beforeAll(async ({ tessera, session }) => {
  ({ dir: fixtureDir, services } = naturalEarthServicesCached());
  koop = await startKoopFixture(fixtureDir, services);
  proxy = await startFaultProxy({ target: koop.origin, seed: 1, rate: 0 });
  ({ page, pageErrors } = session);
  await page.goto(tessera.url);
  await page.locator('header h1').waitFor();
});

test.afterAll(async () => {
  await proxy?.close();
  await koop?.close();
});

async function discover(url: string): Promise<void> {
  await page.evaluate(() => (window.location.hash = '#/migrate'));
  await page.locator('#migrate-title').waitFor();
  await page.locator('input[type="url"]').fill(url);
}

async function jobs(): Promise<JobSummary[]> {
  return page.evaluate(async () => (await window.tessera.jobs.list({ limit: 50 })).rows);
}

test('a. a secured service: the token typed once, layers with counts, a checked copy; the token nowhere after', async ({ dataDir }) => {
  await discover(`${proxy.via(koop.serviceUrl('secure'))}/`);
  await page.getByLabel('Token', { exact: true }).check();
  await page.locator('input[aria-label="Token"]').fill(koop.staticToken);
  await page.getByRole('button', { name: 'Discover layers' }).click();
  const row = page.locator('tr[data-layer="0"]');
  await row.waitFor();
  expect(await row.locator('[data-column="count"]').textContent()).toBe('46');
  expect(await page.locator('input[aria-label="Token"]').inputValue(), 'the token left the page once saved').toBe('');
  await page.getByLabel('Dataset name').fill('secure borders');
  await page.getByRole('button', { name: 'Start the migration' }).click();
  await expect(page.locator('[data-testid="migrate-state"]'), 'the copy to succeed').toHaveText('succeeded', { timeout: 30_000 });
  await expect(page.locator('tr[data-label="0 Disputed borders"] [data-column="checked"]'), 'the checks').toContainText('count and ids match', {
    timeout: 10_000,
  });

  const [job] = await jobs();
  expect(String((job!.params as { credentialId?: string }).credentialId)).toMatch(/^cred_/);
  const everything = JSON.stringify(
    await page.evaluate(
      async (id) => ({
        job: await window.tessera.jobs.get({ id }),
        items: await window.tessera.jobs.items({ id, limit: 100 }),
        events: await window.tessera.jobs.events({ id, limit: 1000 }),
        report: await window.tessera.jobs.report({ id, format: 'json' }),
      }),
      job!.id,
    ),
  );
  expect(everything.includes(koop.staticToken), 'the token is in no job data or report').toBe(false);
  expect((await page.content()).includes(koop.staticToken), 'nor in the page').toBe(false);
  const copy = cataloguedCopy(dataDir, 'secure borders');
  expect(copy.source.url).toBe(proxy.via(koop.serviceUrl('secure')));
  expect(Number.isNaN(Date.parse(copy.source.copiedAt)), copy.source.copiedAt).toBe(false);
  const [c] = compareWithSource(fixtureDir, copy.path, [services.secure![0]!]);
  expect(c!.copy.checksum).toBe(c!.source.checksum);
  expect(pageErrors).toEqual([]);
});

test('b. an outage mid-migration: the breaker shows "source unavailable, retrying at …", then the copy completes', async ({ dataDir }) => {
  test.setTimeout(300_000);
  await page.getByRole('button', { name: 'Migrate another service' }).click();
  await discover(proxy.via(koop.serviceUrl('world')));
  await page.getByRole('button', { name: 'Discover layers' }).click();
  await page.locator('tr[data-layer="6"]').waitFor();
  for (const id of [2, 3, 4, 5, 6]) await page.locator(`tr[data-layer="${id}"] input[type="checkbox"]`).uncheck();
  await page.getByLabel('Dataset name').fill('world outage');
  // A second per answer: the states' five pages then take seconds, so the outage lands mid-layer
  // however fast this machine copies (without it the layer could be done before the proxy goes down).
  proxy.setLatency(1000);
  await page.getByRole('button', { name: 'Start the migration' }).click();
  const states = page.locator('tr[data-label="0 States and provinces"]');
  await states.waitFor();
  await expect(states.locator('[data-column="progress"]'), 'the first page of states').toHaveText(/^\s*[1-9]/, { timeout: 30_000 });
  await proxy.down();
  const breaker = page.locator('[data-testid="breaker"]');
  await expect(breaker, 'the breaker to open').toHaveAttribute('data-state', 'open', { timeout: 60_000 });
  expect((await breaker.textContent()) ?? '').toMatch(/^Source unavailable \(127\.0\.0\.1:\d+\): waiting, retrying at /);
  expect(await page.locator('[data-testid="migrate-state"]').textContent(), 'the job waits; it does not fail').toBe('running');
  await page.screenshot({ path: join(ARTIFACTS, 'esri-migrate-outage.png'), fullPage: true });
  proxy.setLatency(0);
  await proxy.up();
  await expect(page.locator('[data-testid="migrate-state"]'), 'the copy to succeed').toHaveText('succeeded', { timeout: 120_000 });
  await expect(breaker, 'the breaker to close').toHaveAttribute('data-state', 'closed', { timeout: 10_000 });
  expect((await breaker.textContent()) ?? '').toMatch(/^Source available again \(127\.0\.0\.1:\d+\) after [\d.]+ (ms|s|min)\.$/);
  for (const label of ['0 States and provinces', '1 Countries']) {
    await expect(page.locator(`tr[data-label="${label}"] [data-column="checked"]`), `${label} checked`).toContainText('count and ids match', {
      timeout: 10_000,
    });
  }
  await page.screenshot({ path: join(ARTIFACTS, 'esri-migrate-done.png'), fullPage: true });
  for (const c of compareWithSource(fixtureDir, cataloguedCopy(dataDir, 'world outage').path, [services.world![0]!, services.world![1]!])) {
    expect(c.differing, c.layer).toEqual([]);
    expect(c.copy.checksum, c.layer).toBe(c.source.checksum);
  }
  expect(pageErrors).toEqual([]);
});
