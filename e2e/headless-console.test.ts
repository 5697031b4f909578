/**
 * The headless console end to end: the real `tessera serve` process, Debian's Chromium, real
 * GDAL-made caches. A person's path through the console (open the printed URL, watch a job, cancel,
 * retry), what a hostile page on another port of 127.0.0.1 can and cannot do to it, and a screenshot.
 *
 * The tests run in order and share one console, one browser profile and one job history: (a) needs
 * the history empty, (b) fills it, (c) counts it, (d) photographs it, (e) stops the console.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from '../main/hosts/http-security.js';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { corruptCopy, hillshadeMbtiles, largeRasterMbtiles } from './fixtures.js';
import { ARTIFACTS, type Console, launchBrowser, startConsole, stopConsole, until as untilWithin, within } from './harness.js';

/** Tiles in the cache that (b) cancels mid-run: about 10 s of decoding on two cores, so there is time to watch it. */
const LARGE_TILES = 6000;

const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
const caches = { hillshade: '', corrupt: '', large: '' };

let tessera: Console;
let context: BrowserContext;
let page: Page;
/** Uncaught exceptions and console errors (CSP violations among them) in the console page; any is a failure. */
let pageErrors: string[] = [];

before(async () => {
  caches.hillshade = hillshadeMbtiles(dir);
  caches.large = largeRasterMbtiles(dir, LARGE_TILES);
  caches.corrupt = join(dir, 'hillshade-damaged.mbtiles');
  corruptCopy(caches.hillshade, caches.corrupt, { truncate: 2, zero: 1, garbage: 2 });

  tessera = await startConsole(join(dir, 'data'));
  ({ context, page, pageErrors } = await launchBrowser(join(dir, 'chromium-profile')));
});

after(async () => {
  await context?.close().catch(() => {});
  await stopConsole(tessera);
  rmSync(dir, { recursive: true, force: true });
});

// -----------------------------------------------------------------------------------------------

test('a. the printed URL signs the browser in and shows the empty console', async () => {
  const response = await page.goto(tessera.url);
  assert.ok(response);
  assert.equal(response.status(), 200);
  assert.equal(response.request().redirectedFrom()?.url(), tessera.url, 'the token URL should redirect');

  const address = new URL(page.url());
  assert.equal(address.href, `${tessera.origin}/`, 'the token should be gone from the address bar');

  const cookie = (await context.cookies(tessera.origin)).find((c) => c.name === SESSION_COOKIE);
  assert.ok(cookie, 'the session cookie should be set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  const scriptCookies = await page.evaluate(() => document.cookie);
  assert.ok(!scriptCookies.includes(SESSION_COOKIE) && !scriptCookies.includes(tessera.token), `document.cookie shows the session: ${scriptCookies}`);

  assert.equal(await page.locator('header h1').textContent(), 'Tessera');
  const pills = await until('the health pills', async () => {
    const texts = await page.locator('header .pill').allTextContents();
    return texts.includes('store: ok') ? texts : null;
  });
  assert.ok(pills.includes('recovery: ok'), `no "recovery: ok" pill in ${JSON.stringify(pills)}`);
  assert.ok(pills.some((p) => p.startsWith('disk: ')), `no disk pill in ${JSON.stringify(pills)}`);

  const empty = page.locator('main .empty');
  await empty.waitFor({ timeout: 5000 });
  assert.match((await empty.textContent()) ?? '', /^No jobs yet\./);
  assert.equal(await page.locator('[data-testid^="job-"]').count(), 0);
});

test('b. a job started through the page bridge runs live, cancels, fails partly, retries and succeeds', async () => {
  // -- a long verify: running, its bar moving, then Cancel.
  const large = await startJob(caches.large);
  await until('the job row to show running', async () => ((await rowOf(large.id))?.state === 'running' ? true : null), 10_000);

  const seen = new Set<number>();
  await until(
    'the progress bar to move twice while running',
    async () => {
      const row = await rowOf(large.id);
      if (row?.state === 'running' && row.valueNow !== null) seen.add(row.valueNow);
      if (row !== null && row.state !== 'running') throw new Error(`the job left running (${row.state}) after bar values ${[...seen].join(', ')}`);
      return seen.size >= 3 ? true : null;
    },
    8000,
    40,
  );

  const cancelButton = page.locator(`[data-testid="job-${large.id}"]`).getByRole('button', { name: 'Cancel' });
  await cancelButton.click();
  const clickedAt = Date.now();
  await until('the row to show cancelled', async () => ((await rowOf(large.id))?.state === 'cancelled' ? true : null), 2000, 20);
  assert.ok(Date.now() - clickedAt <= 2000);
  const cancelled = await bridgeGet(large.id);
  assert.equal(cancelled.state, 'cancelled');
  assert.ok(cancelled.progress.done < LARGE_TILES, `the job was cancelled after it finished (${cancelled.progress.done} tiles done)`);

  // -- a damaged copy: partial, with its error; Retry runs it again, and it is still partial.
  const damaged = await startJob(caches.corrupt);
  await until('the damaged cache to end partial', async () => ((await rowOf(damaged.id))?.state === 'partial' ? true : null), 15_000);
  const partial = await bridgeGet(damaged.id);
  assert.ok(partial.error);
  assert.equal(partial.error.code, 'TILE_CORRUPT');
  assert.match(partial.error.message, /z10: 5 of \d+ tiles at z10 are corrupt/);
  assert.ok((await rowOf(damaged.id))?.text.includes(partial.error.message), 'the row should show the error text');
  const firstFinish = partial.finishedAt;
  assert.ok(firstFinish);

  await page.locator(`[data-testid="job-${damaged.id}"]`).getByRole('button', { name: 'Retry' }).click();
  const retried = await until(
    'the retried job to finish again',
    async () => {
      const job = await bridgeGet(damaged.id);
      return job.state === 'partial' && job.finishedAt !== null && job.finishedAt > firstFinish ? job : null;
    },
    15_000,
  );
  const log = await page.evaluate((id) => window.tessera.jobs.events({ id }), damaged.id);
  assert.ok(log.some((e) => e.message.includes('(retry)')), `no retry in the job's log: ${JSON.stringify(log.map((e) => e.message))}`);
  const again = retried.error;
  assert.ok(again);
  assert.equal(again.code, 'TILE_CORRUPT', 'the tiles are still bad, so the retry should end partial again');
  await until('the row to show partial again with the error', async () => {
    const row = await rowOf(damaged.id);
    return row?.state === 'partial' && row.text.includes(again.message) ? true : null;
  });

  // -- a clean cache: succeeded, no error.
  const clean = await startJob(caches.hillshade);
  await until('the clean cache to succeed', async () => ((await rowOf(clean.id))?.state === 'succeeded' ? true : null), 15_000);
  assert.equal((await bridgeGet(clean.id)).error, null);
  assert.deepEqual(pageErrors, []);
});

test('c. a page on another origin cannot drive the console, nor can a rebinding Host', async () => {
  const jobsBefore = await listJobs();
  const evil = await startEvilServer(tessera.port, caches.hillshade);
  const attacker = await context.newPage();
  try {
    // The attacker's requests that reached the console and were answered, from the browser's network log.
    const answered: Promise<{ method: string; url: string; status: number | null }>[] = [];
    attacker.on('requestfinished', (request) => {
      if (!request.url().startsWith(tessera.origin)) return;
      answered.push(request.response().then((response) => ({ method: request.method(), url: request.url(), status: response?.status() ?? null })));
    });

    await attacker.goto(evil.origin);
    const results = await until('the evil page to finish its attempts', () => attacker.evaluate(() => (window as unknown as { attacks?: AttackResults }).attacks ?? null), 10_000);

    assert.equal(results.corsFetch.ok, false, `a credentialed JSON fetch succeeded: ${JSON.stringify(results.corsFetch)}`);
    assert.ok(!results.noCorsPost.ok || (results.noCorsPost.type === 'opaque' && results.noCorsPost.status === 0), `the no-cors POST was readable: ${JSON.stringify(results.noCorsPost)}`);
    assert.ok(!results.socket.includes('open') && !results.socket.includes('message'), `the WebSocket opened: ${results.socket.join(' ')}`);
    assert.ok(results.socket.includes('error') || results.socket.some((e) => e.startsWith('close')), `the WebSocket neither failed nor closed: ${results.socket.join(' ')}`);

    // A classic form CSRF: a real navigation, text/plain. It is same-site (another port of 127.0.0.1),
    // so even the SameSite=Strict cookie goes along: only the console's Origin check stands in the way.
    const navigation = attacker.waitForResponse((r) => r.request().isNavigationRequest() && r.url() === `${tessera.origin}/api/jobs.start`);
    await attacker.evaluate(() => (document.getElementById('csrf') as HTMLFormElement).submit());
    const formResponse = await navigation;
    assert.equal(formResponse.request().method(), 'POST');
    assert.ok(((await formResponse.request().allHeaders()).cookie ?? '').includes(SESSION_COOKIE), 'the form post went without the session cookie, so it proves nothing');
    assert.equal(formResponse.status(), 403, `the form post got ${formResponse.status()}: ${await formResponse.text()}`);

    // Whatever else of the attacks reached the console was refused too.
    const seen = await Promise.all(answered);
    assert.ok(seen.some((r) => r.method === 'POST' && r.url.endsWith('/api/jobs.start')), `no POST from the evil page reached the console: ${JSON.stringify(seen)}`);
    for (const r of seen) assert.equal(r.status, 403, `${r.method} ${r.url} was answered ${r.status}`);
  } finally {
    await attacker.close();
    await evil.close();
  }

  // DNS rebinding: the right credentials, but a Host the console does not answer to.
  const rebound = await rawRequest(tessera.port, `evil.example:${tessera.port}`, tessera.token);
  assert.equal(rebound.status, 403, `a rebinding Host got ${rebound.status}: ${rebound.body}`);
  const control = await rawRequest(tessera.port, `127.0.0.1:${tessera.port}`, tessera.token);
  assert.equal(control.status, 200, `the same request with the console's own Host got ${control.status}: ${control.body}`);

  const jobsAfter = await listJobs();
  assert.deepEqual(
    jobsAfter.map((j) => j.id),
    jobsBefore.map((j) => j.id),
    'an attack created a job',
  );
});

test('d. a screenshot of the console with jobs in it', async () => {
  // A running job makes the queue worth a look; it is cancelled once photographed.
  const running = await startJob(caches.large);
  await until('a running job with some progress', async () => {
    const row = await rowOf(running.id);
    return row?.state === 'running' && (row.valueNow ?? 0) >= 8 ? true : null;
  }, 10_000);
  const shot = await page.screenshot({ fullPage: true, animations: 'disabled' });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'console.png'), shot);
  assert.ok(shot.length > 10_000, 'the screenshot is suspiciously small');

  // The layout holds: the table fits the viewport's width and nothing spills sideways.
  const layout = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, tables: document.querySelectorAll('table.jobs').length }));
  assert.ok(layout.scrollWidth <= layout.innerWidth, `the page scrolls sideways: ${JSON.stringify(layout)}`);
  assert.equal(layout.tables, 2);

  await page.evaluate((id) => window.tessera.jobs.cancel({ ids: [id] }), running.id);
  await until('the photographed job to be cancelled', async () => ((await rowOf(running.id))?.state === 'cancelled' ? true : null), 5000);
  assert.deepEqual(pageErrors, []);
});

test('e. SIGTERM stops the console cleanly', async () => {
  await context.close();
  tessera.child.kill('SIGTERM');
  const exit = await within(tessera.exited, 10_000);
  assert.ok(exit, `the console did not stop within 10 s of SIGTERM\n${tessera.stderr()}`);
  assert.deepEqual(exit, { code: 0, signal: null }, tessera.stderr());
});

// -----------------------------------------------------------------------------------------------
// Helpers

/** Starts `tessera serve` on a free port and resolves with what its one line of JSON says. */

/**
 * Polls `probe` until it returns something other than null (a thrown error fails at once).
 * The console is event-driven, so a condition normally holds within a few polls.
 */

/** What `promise` resolves to, or null when that takes longer than `ms` (the timer does not hold the process open). */

/** A job row as the console shows it, or null while there is none. */
async function rowOf(id: number): Promise<{ state: string | null; valueNow: number | null; text: string } | null> {
  return page.evaluate((jobId) => {
    const row = document.querySelector(`[data-testid="job-${jobId}"]`);
    if (!row) return null;
    const bar = row.querySelector('[role="progressbar"]');
    const now = bar?.getAttribute('aria-valuenow');
    return { state: row.getAttribute('data-state'), valueNow: now == null ? null : Number(now), text: row.textContent ?? '' };
  }, id);
}

/** Starts a verify through the page's own `window.tessera`, as the console's code would. */
function startJob(cache: string): Promise<JobSummary> {
  return page.evaluate((path) => window.tessera.jobs.start({ kind: 'verify', params: { cache: path } }), cache);
}

function bridgeGet(id: number): Promise<JobSummary> {
  return page.evaluate((jobId) => window.tessera.jobs.get({ id: jobId }), id);
}

function listJobs(): Promise<JobSummary[]> {
  return page.evaluate(() => window.tessera.jobs.list({ limit: 1000 }).then((p) => p.rows));
}

/** What the evil page found out; see evilPage(). */
interface AttackResults {
  corsFetch: { ok: boolean; type?: string; status?: number; error?: string };
  noCorsPost: { ok: boolean; type?: string; status?: number; error?: string };
  socket: string[];
}

/** A second server on 127.0.0.1, another port: the same site as the console, a different origin. */
async function startEvilServer(consolePort: number, cache: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const html = evilPage(consolePort, cache);
  const server = http.createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The attacker's page. On load it tries, against the console: a credentialed JSON fetch (needs a
 * CORS preflight), a no-cors text/plain POST (a "simple" request that needs none) and a WebSocket
 * to /events, then sets `window.attacks`. It also holds a text/plain form for the test to submit.
 */
function evilPage(consolePort: number, cache: string): string {
  const target = `http://127.0.0.1:${consolePort}`;
  const body = JSON.stringify({ kind: 'verify', params: { cache } });
  const script = `
const target = ${JSON.stringify(target)};
const body = ${JSON.stringify(body)};
async function attempt(run) {
  try { return { ok: true, ...(await run()) }; } catch (error) { return { ok: false, error: String(error) }; }
}
(async () => {
  const corsFetch = await attempt(async () => {
    const r = await fetch(target + '/api/jobs.start', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body });
    return { type: r.type, status: r.status };
  });
  const noCorsPost = await attempt(async () => {
    const r = await fetch(target + '/api/jobs.start', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body });
    return { type: r.type, status: r.status };
  });
  const socket = await new Promise((resolve) => {
    const seen = [];
    const ws = new WebSocket('ws://127.0.0.1:${consolePort}/events');
    ws.onopen = () => seen.push('open');
    ws.onmessage = () => seen.push('message');
    ws.onerror = () => seen.push('error');
    ws.onclose = (e) => { seen.push('close ' + e.code); resolve(seen); };
    setTimeout(() => resolve([...seen, 'timeout']), 3000);
  });
  window.attacks = { corsFetch, noCorsPost, socket };
})();`;
  // A text/plain form sends `name=value`: the `=` goes inside a JSON string, so the body is valid JSON.
  const field = `${body.slice(0, -1)},"name":"`;
  const value = '"}';
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Totally harmless</title></head><body>
<h1>Nothing to see here</h1>
<form id="csrf" method="POST" action="${target}/api/jobs.start" enctype="text/plain"><input type="hidden" name="${escape(field)}" value="${escape(value)}"></form>
<script>${script}</script>
</body></html>`;
}

/** A POST to /api/jobs.list from Node with both credentials and the given Host header. */
function rawRequest(port: number, host: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/jobs.list',
        headers: { Host: host, Cookie: `${SESSION_COOKIE}=${token}`, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  return untilWithin(what, probe, timeoutMs, intervalMs, () => tessera.stderr());
}
