/**
 * Both bridges over one real engine, for the fuzz and attack families: the headless HTTP host
 * (started for real on a loopback port, as `tessera serve` starts it) and the Electron IPC host's
 * handler path (registered on an in-memory ipcMain, called as the trusted app frame, with
 * Electron's structured clone in between), both over the engine's own dispatcher.
 *
 * The engine's queue is paused and every kind's plan is stubbed to plan nothing, so a fuzzed
 * jobs.start that happens to be valid is accepted and stored but never writes anything; the
 * kinds' own `validate` and `estimate` still run (they only read).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { registerIpcHost } from '../main/electron/ipc-host.js';
import { Engine } from '../main/engine/engine.js';
import { JOB_KIND_PLUGINS, type KindPlugins } from '../main/kinds/index.js';
import type { AnyJobKindPlugin } from '../main/kinds/job-kind.js';
import { createLogger } from '../main/logging/logger.js';
import { createDispatcher } from '../main/engine/handlers.js';
import type { HeadlessHost } from '../main/hosts/headless-host.js';
import { startHeadless } from '../main/hosts/start-headless.js';
import type { JobKind, Reply } from '../shared/contract.js';
import { INVOKE_CHANNEL } from '../preload/ipc-channels.js';
import { hostedEngine } from '../main/engine/hosted-engine.js';

export interface Bridges {
  engine: Engine;
  host: HeadlessHost;
  dataDir: string;
  /** Internal errors the dispatcher reported (each is a 5xx the caller saw). */
  internalErrors: string[];
  /** The IPC host's invoke handler, called as the app's own top frame. */
  ipcInvoke(name: unknown, input: unknown): Promise<Reply<unknown>>;
  close(): Promise<void>;
}

type Handler = (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, ...args: unknown[]) => Promise<Reply<unknown>>;

/** Starts an engine on `dir`/data with both hosts over it. */
export async function startBridges(dir: string, port: number): Promise<Bridges> {
  const dataDir = join(dir, 'data');
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
  // The real kinds' validation and estimates, with nothing to run: every job plans no item.
  const inert = <K extends JobKind>(real: AnyJobKindPlugin<K>): AnyJobKindPlugin<K> => {
    const { begin: _begin, end: _end, ...rest } = real;
    return { ...rest, plan: async () => [], runItem: async () => ({}) };
  };
  const plugins: KindPlugins = {
    verify: inert(JOB_KIND_PLUGINS.verify),
    'preseed-raster': inert(JOB_KIND_PLUGINS['preseed-raster']),
    'preseed-vector': inert(JOB_KIND_PLUGINS['preseed-vector']),
    ingest: inert(JOB_KIND_PLUGINS.ingest),
    'migrate-esri': inert(JOB_KIND_PLUGINS['migrate-esri']),
    truncate: inert(JOB_KIND_PLUGINS.truncate),
  };
  const logger = createLogger('silent');
  const engine = await Engine.open({ dataDir, host: 'headless', holder: 'reliability suite', logger, threads: 1, estimateTimeoutMs: 3000, plugins });
  await engine.handlers['queue.pause']({});
  const internalErrors: string[] = [];
  const dispatch = createDispatcher(engine.handlers, (error, name) => internalErrors.push(`${name}: ${String(error).slice(0, 300)}`));
  const host = await startHeadless(hostedEngine(engine), {
    rendererDir,
    port,
    logger: { info() {}, debug() {}, warn() {}, error() {} },
    onInternalError: (error, name) => internalErrors.push(`${name}: ${String(error).slice(0, 300)}`),
  });
  let handler: Handler | null = null;
  const unregister = registerIpcHost({
    ipcMain: {
      handle: (channel: string, h: unknown) => {
        if (channel === INVOKE_CHANNEL) handler = h as Handler;
      },
      removeHandler: () => {
        handler = null;
      },
    } as never,
    dispatch,
    events: engine.events,
    eventTarget: () => null,
  });
  const appFrame = { url: 'tessera://app/index.html', parent: null } as unknown as IpcMainInvokeEvent['senderFrame'];
  return {
    engine,
    host,
    dataDir,
    internalErrors,
    // Structured clone both ways, as Electron does between the renderer and the main process.
    ipcInvoke: async (name, input) => structuredClone(await handler!({ senderFrame: appFrame }, ...structuredClone([name, input]))),
    async close() {
      unregister();
      await host.close();
      await engine.close();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One HTTP request with full control of the headers (fetch forbids setting Host and Origin). */
export function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number; keepAlive?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
        agent: options.keepAlive === false ? false : agent,
        setHost: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 15_000, () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
