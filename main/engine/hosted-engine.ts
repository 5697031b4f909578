/**
 * What a host (the headless host, the desktop app's IPC and protocol, the CLI's loopback channel)
 * needs of an engine, wherever the engine runs: the contract's handlers and events, plus the few
 * things a host serves that are not contract requests (a tile for the map, the metrics text,
 * whether an upload is still wanted, a path check for the desktop's Show in folder).
 *
 * Two implementations: `hostedEngine(engine)` below, for an engine in this process (tests, the
 * benchmarks), and the engine process's client (main/engine-process/), which sends each of these
 * over its message channel. The hosts cannot tell them apart.
 */
import type { ContractHandlers, PathUse } from '../../shared/contract.js';
import { uploadInUse } from '../ingest/uploads.js';
import type { TileResponse } from '../tile-cache/cache-registry.js';
import type { Engine } from './engine.js';
import type { EventBus } from './event-bus.js';

/** The Prometheus exposition as the /metrics route sends it. */
export interface MetricsText {
  contentType: string;
  text: string;
}

/** The engine's services that hosts use beside the contract; each one is a message to an engine process. */
export interface EngineHostServices {
  /** Tile z/x/y of a cache opened by `caches.open` or `catalog.previewTiles` (by its registry id), or null. */
  tile(id: string, z: number, x: number, y: number): Promise<TileResponse | null>;
  /** The metrics text, or null while Settings switch metrics off. */
  metrics(): Promise<MetricsText | null>;
  /** Whether a job that may still run names upload `id` (the upload route keeps it then). */
  uploadInUse(id: string): Promise<boolean>;
  /** Refuses (BAD_INPUT naming the field) paths outside the data roots, as a job's paths are. */
  assertPaths(uses: readonly Pick<PathUse, 'field' | 'path'>[]): Promise<void>;
}

export interface HostedEngine extends EngineHostServices {
  readonly dataDir: string;
  readonly handlers: ContractHandlers;
  readonly events: Pick<EventBus, 'on' | 'onAny'>;
}

/** The host services of an engine open in this process: what the engine process answers its parent with, too. */
export function engineHostServices(engine: Engine): EngineHostServices {
  return {
    tile: (id, z, x, y) => engine.caches.tile(id, z, x, y),
    metrics: async () =>
      engine.settings().metricsEnabled ? { contentType: engine.metrics.registry.contentType, text: await engine.metrics.registry.metrics() } : null,
    uploadInUse: async (id) => uploadInUse(engine.catalog.db, id),
    assertPaths: (uses) => engine.assertPaths(uses),
  };
}

/** An engine open in this process, as a host sees it. */
export function hostedEngine(engine: Engine): HostedEngine {
  return { dataDir: engine.dataDir, handlers: engine.handlers, events: engine.events, ...engineHostServices(engine) };
}
