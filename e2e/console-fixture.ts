/**
 * The Playwright fixtures every end-to-end spec uses: a real `tessera serve` on a fresh data
 * directory (harness.ts starts it) and a browser page on its console, in Debian's Chromium as
 * playwright.config.ts launches it.
 *
 * They are worker-scoped: each spec file is a story whose tests run in order (serial mode) on one
 * console, one page and one job history. Each file sets its own `consoleOptions` with a top-level
 * `test.use(...)`; a worker-scoped option registered at another place forces another worker, so
 * every file gets a worker, a host, a data directory and a browser context of its own, all torn
 * down (context closed, host stopped with SIGTERM then SIGKILL, directory removed) once the file's
 * tests are done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type BrowserContext, type Page } from '@playwright/test';
import { type Console, startConsole, stopConsole } from './harness.js';

export { expect } from '@playwright/test';
export { ARTIFACTS, type Console, within } from './harness.js';

export interface ConsoleOptions {
  /** The page's viewport; 1280×720 unless set. */
  viewport?: { width: number; height: number };
  /** Runs on the data directory before the host opens it (e.g. to seed the job store). */
  beforeStart?: (dataDir: string) => void | Promise<void>;
  /** More options for `tessera serve`, read after beforeStart (e.g. `--queue` of a Redis it started). */
  serveArgs?: () => readonly string[];
}

/** The browser side: the page on the console and its uncaught errors and console errors. */
export interface ConsoleSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors (CSP violations among them); any is a failure. */
  pageErrors: string[];
}

interface TestFixtures {
  /**
   * Attaches what the host wrote to stderr to every failed test (the report and the list show it),
   * and fails a test whose file would share another file's console.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: Playwright's type for a fixture that gives no value (`await use()`)
  hostLog: void;
}

interface ConsoleFixtures {
  consoleOptions: ConsoleOptions;
  /** A fresh temporary directory for the file's fixtures; the host's data directory is `data/` in it. */
  workDir: string;
  dataDir: string;
  /** The running `tessera serve`. */
  tessera: Console;
  session: ConsoleSession;
}

/** The spec file whose tests this worker's console serves (see `hostLog`). */
let consoleFile: string | undefined;

/** Hosts and GDAL-made fixtures take a while on two shared cores. */
const SETUP_TIMEOUT = 120_000;

export const test = base.extend<TestFixtures, ConsoleFixtures>({
  consoleOptions: [{}, { scope: 'worker', option: true }],

  workDir: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixture's dependencies from this pattern.
    async ({}, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-'));
      await use(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],

  dataDir: [async ({ workDir }, use) => use(join(workDir, 'data')), { scope: 'worker' }],

  tessera: [
    async ({ dataDir, consoleOptions }, use) => {
      await consoleOptions.beforeStart?.(dataDir);
      const tessera = await startConsole(dataDir, consoleOptions.serveArgs?.() ?? []);
      try {
        await use(tessera);
      } finally {
        await stopConsole(tessera);
      }
    },
    { scope: 'worker', timeout: SETUP_TIMEOUT },
  ],

  session: [
    async ({ browser, tessera: _host, consoleOptions }, use) => {
      const context = await browser.newContext({ viewport: consoleOptions.viewport ?? { width: 1280, height: 720 }, colorScheme: 'light' });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      page.on('console', (message) => {
        const source = message.location().url;
        // Chromium asks for a favicon by itself: not the page's doing.
        if (message.type() === 'error' && !source.endsWith('/favicon.ico')) pageErrors.push(`console: ${message.text()} (${source})`);
      });
      try {
        await use({ context, page, pageErrors });
      } finally {
        await context.close().catch(() => {});
      }
    },
    { scope: 'worker', timeout: SETUP_TIMEOUT },
  ],

  hostLog: [
    async ({ tessera }, use, testInfo) => {
      // Each file's story needs a console of its own: two files sharing a worker would share one.
      consoleFile ??= testInfo.file;
      if (testInfo.file !== consoleFile)
        throw new Error(`${testInfo.file} shares a console with ${consoleFile}: give each spec file its own top-level test.use({ consoleOptions: … })`);
      await use();
      const stderr = tessera.stderr();
      if (testInfo.status !== testInfo.expectedStatus && stderr !== '')
        await testInfo.attach('tessera serve stderr', { body: stderr.slice(-20_000), contentType: 'text/plain' });
    },
    { auto: true },
  ],
});
