/**
 * What every end-to-end test needs: the real `tessera serve` process on a fresh data directory,
 * Debian's Chromium with the flags that work here, and polling helpers (no fixed sleeps).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium.js';

/** dist/e2e/ → the compiled CLI. */
const BIN = fileURLToPath(new URL('../main/cli/bin.js', import.meta.url));
/** The source tree's gitignored folder for screenshots. */
export const ARTIFACTS = fileURLToPath(new URL('../../e2e/artifacts/', import.meta.url));

export { CHROMIUM_FLAGS };

export interface Console {
  child: ChildProcess;
  /** The printed URL, with its token. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `args`: more options for `tessera serve` (e.g. `--queue redis://…`). */
export async function startConsole(dataDir: string, args: readonly string[] = []): Promise<Console> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json', '--data-dir', dataDir, ...args], {
    env: { ...process.env, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`tessera serve printed no URL within 15 s\n${stderr}`)), 15_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const end = out.indexOf('\n');
        if (end === -1) return;
        clearTimeout(timer);
        resolve(out.slice(0, end));
      });
      void exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`tessera serve exited (${e.code ?? e.signal}) before printing its URL\n${stderr}`));
      });
    });
    const doc = JSON.parse(line) as { url: string; dataDir: string; port: number };
    const url = new URL(doc.url);
    assert.equal(doc.dataDir, dataDir);
    assert.equal(url.hostname, '127.0.0.1');
    assert.equal(Number(url.port), doc.port);
    const token = url.searchParams.get('token');
    assert.ok(token !== null && token.length >= 16, `no token in ${doc.url}`);
    return { child, url: doc.url, origin: url.origin, port: doc.port, token, stderr: () => stderr, exited };
  } catch (error) {
    // Not handed to the caller, so nothing else would stop it.
    child.kill('SIGKILL');
    throw error;
  }
}

/** Stops the console (SIGTERM, then SIGKILL after 10 s). */
export async function stopConsole(tessera: Console | undefined): Promise<void> {
  if (!tessera || tessera.child.exitCode !== null || tessera.child.signalCode !== null) return;
  tessera.child.kill('SIGTERM');
  if ((await within(tessera.exited, 10_000)) === null) tessera.child.kill('SIGKILL');
}

/**
 * Chromium on a fresh profile in `profileDir`, with one page whose uncaught errors and console
 * errors (CSP violations among them) are collected in `pageErrors`.
 */
export async function launchBrowser(
  profileDir: string,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 720 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    const source = message.location().url;
    // Chromium asks for a favicon by itself: not the page's doing.
    if (message.type() === 'error' && !source.endsWith('/favicon.ico')) pageErrors.push(`console: ${message.text()} (${source})`);
  });
  return { context, page, pageErrors };
}

export async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 5000, intervalMs = 25, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${context()}`);
    await sleep(intervalMs);
  }
}

export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
