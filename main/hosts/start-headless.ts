/**
 * The headless host, assembled on a running engine: the engine's handlers behind a dispatcher, its
 * event bus, its metrics (while Settings enable them), the tile route over its open caches, the
 * streaming upload route (an upload a job still needs is kept), and the built renderer.
 *
 * The engine is a HostedEngine (main/engine/hosted-engine.ts): one in this process, or the client
 * of an engine process (main/engine-process/, what `tessera serve` runs), the same to the host.
 *
 * `tessera serve` starts it this way; so can tests, the reliability suite and the benchmarks,
 * instead of assembling the same pieces by hand.
 */
import { fileURLToPath } from 'node:url';
import { createDispatcher } from '../engine/handlers.js';
import type { HostedEngine } from '../engine/hosted-engine.js';
import { type HeadlessHost, type HeadlessHostOptions, type HostLogger, startHeadlessHost } from './headless-host.js';
import { createStacRoute } from './stac-route.js';
import { createTileRoute } from './tile-route.js';
import { BasemapTiles, withBasemap } from './basemap-tiles.js';
import { createUploadRoute } from './upload-route.js';

export type { HostedEngine };

export interface StartHeadlessOptions
  extends Pick<HeadlessHostOptions, 'host' | 'port' | 'allowedHosts' | 'token' | 'heartbeatIntervalMs' | 'maxBufferedBytes' | 'maxEventClients'> {
  /** The built renderer; default the one beside this module (dist/renderer/). */
  rendererDir?: string;
  /** The host's log and the requests that failed with INTERNAL; default warnings to the console. */
  logger?: HostLogger & { error(message: string, data?: object): void };
  /** Also told of every request that failed with INTERNAL (tests count them). */
  onInternalError?: (error: unknown, name: string) => void;
}

/** The renderer the build puts beside main/: dist/renderer/. */
export function defaultRendererDir(): string {
  return fileURLToPath(new URL('../../renderer/', import.meta.url));
}

/** Starts the headless host on `engine`; resolves once it listens. Closing it leaves the engine open. */
export function startHeadless(engine: HostedEngine, options: StartHeadlessOptions = {}): Promise<HeadlessHost> {
  const { rendererDir = defaultRendererDir(), logger, onInternalError, ...listen } = options;
  const dispatch = createDispatcher(engine.handlers, (error, name) => {
    logger?.error(`request ${name} failed`, { error: String(error) });
    onInternalError?.(error, name);
  });
  return startHeadlessHost({
    ...listen,
    dispatch,
    events: engine.events,
    // The engine's counters: asked of the engine (its process) at each scrape.
    metrics: () => engine.metrics(),
    rendererDir,
    ...(logger && { logger }),
    // Cache tiles are asked of the engine, not read here from the file: its registry holds the open
    // readers behind the ids in tile URLs, and a catalogue dataset's tiles are cut in its worker
    // pool. The basemap is a file of the app's own, read here.
    tileHandler: createTileRoute(withBasemap(engine, new BasemapTiles())),
    stacHandler: createStacRoute(engine.handlers),
    // Uploads stream to the staging folder from this process: their bytes never cross a channel,
    // and all the route needs of the engine is its settings (quota, floor) and whether a job still
    // names an old upload.
    uploadHandler: createUploadRoute({
      dataDir: engine.dataDir,
      settings: () => engine.handlers['settings.get']({}),
      isInUse: (id) => engine.uploadInUse(id),
    }),
  });
}
