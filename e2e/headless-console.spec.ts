/**
 * The headless console end to end: the real `tessera serve` process, Debian's Chromium, real
 * GDAL-made caches. A person's path through the console (open the printed URL, watch a job, cancel,
 * retry), what a hostile page on another port of 127.0.0.1 can and cannot do to it, and a screenshot.
 *
 * The tests run in order (serial) and share one console, one browser context and one job history: (a) needs
 * the history empty, (b) fills it, (c) counts it, (d) photographs it, (d2) kills its engine process
 * mid-job, (e) stops the console.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { SESSION_COOKIE } from '../main/hosts/http-security.js';
import type { JobSummary } from '../shared/contract.js';
// For its declaration of `window.tessera`, which the page.evaluate callbacks below call.
import type {} from '../preload/window-api.js';
import { ARTIFACTS, expect, test, within } from './console-fixture.js';
import { corruptCopy, hillshadeMbtiles, largeRasterMbtiles } from './fixtures.js';

test.describe.configure({ mode: 'serial' });
// Its own worker (and so its own console), as every spec file has.
test.use({ consoleOptions: { viewport: { width: 1280, height: 720 } } });

/** Tiles in the cache that (b) cancels mid-run: about 10 s of decoding on two cores, so there is time to watch it. */
const LARGE_TILES = 6000;

const caches = { hillshade: '', corrupt: '', large: '' };

let context: BrowserContext;
let page: Page;
/** Uncaught exceptions and console errors (CSP violations among them) in the console page; any is a failure. */
let pageErrors: string[] = [];

test.beforeAll(({ workDir, session }) => {
  caches.hillshade = hillshadeMbtiles(workDir);
  caches.large = largeRasterMbtiles(workDir, LARGE_TILES);
  caches.corrupt = join(workDir, 'hillshade-damaged.mbtiles');
  corruptCopy(caches.hillshade, caches.corrupt, { truncate: 2, zero: 1, garbage: 2 });
  ({ context, page, pageErrors } = session);
});

// -----------------------------------------------------------------------------------------------

test('a. the printed URL signs the browser in and shows the empty console', async ({ tessera }) => {
  const response = await page.goto(tessera.url);
  expect(response).toBeTruthy();
  expect(response!.status()).toBe(200);
  expect(response!.request().redirectedFrom()?.url(), 'the token URL should redirect').toBe(tessera.url);

  const address = new URL(page.url());
  expect(address.href, 'the token should be gone from the address bar').toBe(`${tessera.origin}/`);

  const cookie = (await context.cookies(tessera.origin)).find((c) => c.name === SESSION_COOKIE);
  expect(cookie, 'the session cookie should be set').toBeTruthy();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  const scriptCookies = await page.evaluate(() => document.cookie);
  expect(!scriptCookies.includes(SESSION_COOKIE) && !scriptCookies.includes(tessera.token), `document.cookie shows the session: ${scriptCookies}`).toBe(true);

  expect(await page.locator('header h1').textContent()).toBe('Tessera');
  const pillTexts = () => page.locator('header .health-list .pill').allTextContents();
  await expect.poll(pillTexts, { message: 'the health pills' }).toContain('store: ok');
  const pills = await pillTexts();
  expect(pills, `no "recovery: ok" pill in ${JSON.stringify(pills)}`).toContain('recovery: ok');
  expect(
    pills.some((p) => p.startsWith('disk: ')),
    `no disk pill in ${JSON.stringify(pills)}`,
  ).toBe(true);

  const empty = page.locator('main .empty');
  await expect(empty).toHaveText(/^No jobs yet\./);
  expect(await page.locator('[data-testid^="job-"]').count()).toBe(0);
});

test('b. a job started through the page bridge runs live, cancels, fails partly, retries and succeeds', async () => {
  // -- a long verify: running, its bar moving, then Cancel.
  const large = await startJob(caches.large);
  await expect(row(large.id), 'the job row to show running').toHaveAttribute('data-state', 'running', { timeout: 10_000 });

  const seen = new Set<number>();
  await expect
    .poll(
      async () => {
        const r = await rowOf(large.id);
        if (r?.state === 'running' && r.valueNow !== null) seen.add(r.valueNow);
        if (r !== null && r.state !== 'running') throw new Error(`the job left running (${r.state}) after bar values ${[...seen].join(', ')}`);
        return seen.size;
      },
      { message: 'the progress bar to move twice while running', timeout: 8000, intervals: [40] },
    )
    .toBeGreaterThanOrEqual(3);

  const cancelButton = row(large.id).getByRole('button', { name: 'Cancel' });
  await cancelButton.click();
  const clickedAt = Date.now();
  await expect(row(large.id), 'the row to show cancelled').toHaveAttribute('data-state', 'cancelled', { timeout: 2000 });
  expect(Date.now() - clickedAt).toBeLessThanOrEqual(2000);
  const cancelled = await bridgeGet(large.id);
  expect(cancelled.state).toBe('cancelled');
  expect(cancelled.progress.done, `the job was cancelled after it finished (${cancelled.progress.done} tiles done)`).toBeLessThan(LARGE_TILES);

  // -- a damaged copy: partial, with its error; Retry runs it again, and it is still partial.
  const damaged = await startJob(caches.corrupt);
  await expect(row(damaged.id), 'the damaged cache to end partial').toHaveAttribute('data-state', 'partial', { timeout: 15_000 });
  const partial = await bridgeGet(damaged.id);
  expect(partial.error).toBeTruthy();
  expect(partial.error!.code).toBe('TILE_CORRUPT');
  expect(partial.error!.message).toMatch(/z10: 5 of \d+ tiles at z10 are corrupt/);
  expect((await rowOf(damaged.id))?.text.includes(partial.error!.message), 'the row should show the error text').toBe(true);
  const firstFinish = partial.finishedAt;
  expect(firstFinish).toBeTruthy();

  await row(damaged.id).getByRole('button', { name: 'Retry' }).click();
  let retried: JobSummary | undefined;
  await expect
    .poll(
      async () => {
        const job = await bridgeGet(damaged.id);
        retried = job;
        return job.state === 'partial' && job.finishedAt !== null && job.finishedAt > firstFinish!;
      },
      { message: 'the retried job to finish again', timeout: 15_000 },
    )
    .toBe(true);
  const log = await page.evaluate((id) => window.tessera.jobs.events({ id }), damaged.id);
  expect(
    log.some((e) => e.message.includes('(retry)')),
    `no retry in the job's log: ${JSON.stringify(log.map((e) => e.message))}`,
  ).toBe(true);
  const again = retried!.error;
  expect(again).toBeTruthy();
  expect(again!.code, 'the tiles are still bad, so the retry should end partial again').toBe('TILE_CORRUPT');
  await expect(page.locator(`[data-testid="job-${damaged.id}"][data-state="partial"]`), 'the row to show partial again with the error').toContainText(
    again!.message,
  );

  // -- a clean cache: succeeded, no error.
  const clean = await startJob(caches.hillshade);
  await expect(row(clean.id), 'the clean cache to succeed').toHaveAttribute('data-state', 'succeeded', { timeout: 15_000 });
  expect((await bridgeGet(clean.id)).error).toBeNull();
  expect(pageErrors).toEqual([]);
});

test('c. a page on another origin cannot drive the console, nor can a rebinding Host', async ({ tessera }) => {
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
    let results: AttackResults | undefined;
    await expect
      .poll(
        async () => {
          results = await attacker.evaluate(() => (window as unknown as { attacks?: AttackResults }).attacks);
          return results !== undefined;
        },
        { message: 'the evil page to finish its attempts', timeout: 10_000 },
      )
      .toBe(true);
    const r = results!;

    expect(r.corsFetch.ok, `a credentialed JSON fetch succeeded: ${JSON.stringify(r.corsFetch)}`).toBe(false);
    expect(
      !r.noCorsPost.ok || (r.noCorsPost.type === 'opaque' && r.noCorsPost.status === 0),
      `the no-cors POST was readable: ${JSON.stringify(r.noCorsPost)}`,
    ).toBe(true);
    expect(!r.socket.includes('open') && !r.socket.includes('message'), `the WebSocket opened: ${r.socket.join(' ')}`).toBe(true);
    expect(r.socket.includes('error') || r.socket.some((e) => e.startsWith('close')), `the WebSocket neither failed nor closed: ${r.socket.join(' ')}`).toBe(
      true,
    );

    // A classic form CSRF: a real navigation, text/plain. It is same-site (another port of 127.0.0.1),
    // so even the SameSite=Strict cookie goes along: only the console's Origin check stands in the way.
    const navigation = attacker.waitForResponse((res) => res.request().isNavigationRequest() && res.url() === `${tessera.origin}/api/jobs.start`);
    await attacker.evaluate(() => (document.getElementById('csrf') as HTMLFormElement).submit());
    const formResponse = await navigation;
    expect(formResponse.request().method()).toBe('POST');
    expect((await formResponse.request().allHeaders()).cookie ?? '', 'the form post went without the session cookie, so it proves nothing').toContain(
      SESSION_COOKIE,
    );
    expect(formResponse.status(), `the form post got ${formResponse.status()}: ${await formResponse.text()}`).toBe(403);

    // Whatever else of the attacks reached the console was refused too.
    const seen = await Promise.all(answered);
    expect(
      seen.some((a) => a.method === 'POST' && a.url.endsWith('/api/jobs.start')),
      `no POST from the evil page reached the console: ${JSON.stringify(seen)}`,
    ).toBe(true);
    for (const a of seen) expect(a.status, `${a.method} ${a.url} was answered ${a.status}`).toBe(403);
  } finally {
    await attacker.close();
    await evil.close();
  }

  // DNS rebinding: the right credentials, but a Host the console does not answer to.
  const rebound = await rawRequest(tessera.port, `evil.example:${tessera.port}`, tessera.token);
  expect(rebound.status, `a rebinding Host got ${rebound.status}: ${rebound.body}`).toBe(403);
  const control = await rawRequest(tessera.port, `127.0.0.1:${tessera.port}`, tessera.token);
  expect(control.status, `the same request with the console's own Host got ${control.status}: ${control.body}`).toBe(200);

  const jobsAfter = await listJobs();
  expect(
    jobsAfter.map((j) => j.id),
    'an attack created a job',
  ).toEqual(jobsBefore.map((j) => j.id));
});

test('d. a screenshot of the console with jobs in it', async () => {
  // A running job makes the queue worth a look; it is cancelled once photographed.
  const running = await startJob(caches.large);
  await expect
    .poll(
      async () => {
        const r = await rowOf(running.id);
        return r?.state === 'running' && (r.valueNow ?? 0) >= 8;
      },
      { message: 'a running job with some progress', timeout: 10_000 },
    )
    .toBe(true);
  const shot = await page.screenshot({ fullPage: true, animations: 'disabled' });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'console.png'), shot);
  expect(shot.length, 'the screenshot is suspiciously small').toBeGreaterThan(10_000);

  // The layout holds: the table fits the viewport's width and nothing spills sideways.
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    tables: document.querySelectorAll('table.jobs').length,
  }));
  expect(layout.scrollWidth, `the page scrolls sideways: ${JSON.stringify(layout)}`).toBeLessThanOrEqual(layout.innerWidth);
  expect(layout.tables).toBe(2);

  await page.evaluate((id) => window.tessera.jobs.cancel({ ids: [id] }), running.id);
  await expect(row(running.id), 'the photographed job to be cancelled').toHaveAttribute('data-state', 'cancelled');
  expect(pageErrors).toEqual([]);
});

test('d2. kill -9 of the engine process: the pills say it restarts (the others kept, stale), and the running job resumes and finishes', async ({ tessera }) => {
  const job = await startJob(caches.large);
  await expect(row(job.id), 'the job row to show running').toHaveAttribute('data-state', 'running', { timeout: 10_000 });
  await expect.poll(async () => (await rowOf(job.id))?.valueNow ?? 0, { message: 'some tiles verified', intervals: [40] }).toBeGreaterThan(0);

  // `tessera serve` supervises one child: the engine process (main/engine-process/).
  const enginePid = Number(execFileSync('pgrep', ['-P', String(tessera.child.pid)], { encoding: 'utf8' }).trim());
  expect(enginePid, `no engine process under serve (pid ${tessera.child.pid})`).toBeGreaterThan(0);
  const restarting = page.waitForSelector('header .health-list .pill.health-restarting:text-is("engine: restarting")', { timeout: 10_000 });
  // The checks the engine process answers itself stay on show meanwhile, marked stale.
  const stale = page.waitForSelector('header .health-list .pill.health-stale:text-is("store: ok")', { timeout: 10_000 });
  process.kill(enginePid, 'SIGKILL');
  await Promise.all([restarting, stale]);
  const enginePill = page.locator('header .health-list .pill', { hasText: /^engine: / });
  await expect(enginePill).toHaveText('engine: ok', { timeout: 20_000 });
  await expect(enginePill).toHaveAttribute('title', /SIGKILL/);
  await expect(page.locator('header .health-list .pill.health-stale')).toHaveCount(0);

  await expect(row(job.id), 'the interrupted job to resume on its own and finish').toHaveAttribute('data-state', 'succeeded', { timeout: 60_000 });
  const done = await bridgeGet(job.id);
  expect(done.progress.done).toBe(done.progress.total);
  const log = await page.evaluate((id) => window.tessera.jobs.events({ id }), job.id);
  expect(log.some((e) => /previous process stopped/.test(e.message))).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('e. SIGTERM stops the console cleanly', async ({ tessera }) => {
  await context.close();
  tessera.child.kill('SIGTERM');
  const exit = await within(tessera.exited, 10_000);
  expect(exit, `the console did not stop within 10 s of SIGTERM\n${tessera.stderr()}`).toBeTruthy();
  expect(exit, tessera.stderr()).toEqual({ code: 0, signal: null });
});

// -----------------------------------------------------------------------------------------------
// Helpers

/** A job's row in the console. */
function row(id: number) {
  return page.locator(`[data-testid="job-${id}"]`);
}

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
  const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Totally harmless</title></head><body>
<h1>Nothing to see here</h1>
<form id="csrf" method="POST" action="${target}/api/jobs.start" enctype="text/plain"><input type="hidden" name="${escapeHtml(field)}" value="${escapeHtml(value)}"></form>
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
