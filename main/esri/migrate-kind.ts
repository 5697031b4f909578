/**
 * migrate-esri: layers of an ArcGIS FeatureServer or MapServer into one GeoPackage in the
 * catalogue; one item per layer or table.
 *
 * The plan reads the service (names and counts for the items); `begin` opens the job's staging
 * GeoPackage and its HTTP client (one breaker per host, shared by the items); each item copies one
 * layer page by page (main/esri/layer-copy.ts) and proves it complete; `end` commits the file to the
 * catalogue (a draft, then one commit; a refresh replaces the earlier copy and keeps its id) only
 * when every layer passed its check. Outages make items wait (their events say until when),
 * they do not fail them. Credentials are resolved from their id inside the engine: params,
 * events, results and logs never hold a secret.
 */
import { formatDuration } from '../../shared/format.js';
import { rename } from 'node:fs/promises';
import { TesseraError, toTesseraError } from '../../shared/errors.js';
import { sameServer } from '../credentials/credential-store.js';
import { connectEsri } from './connect.js';
import { DISCOVERY_CLIENT, discoverEsri } from './discover.js';
import type { ClientEvent, ClientOptions, EsriClient } from './esri-client.js';
import { listedLayers } from './esri-layer.js';
import { copyLayer, type LayerCopyResult } from './layer-copy.js';
import { MigrationGeoPackage } from './migration-geopackage.js';
import { lockStaging, stagingPath } from './migration-output.js';
import { layerUrl, parseServiceUrl, queryUrl } from './service-url.js';
import type { NewItem } from '../store/job-store.js';
import type { JobKindPlugin } from '../kinds/job-kind.js';

/** Knobs for tests and benchmarks (timeouts, backoff, breaker, page size); production uses the defaults. */
export interface MigrationTuning {
  client: Partial<ClientOptions>;
  maxPageSize?: number;
}

let tuning: MigrationTuning = { client: {} };

/**
 * The plan reads the service once, before any item can wait for it: a few more attempts than an
 * interactive discovery (a flaky network should not fail the whole job), but no waiting on an
 * open breaker (with layer ids given, the items are made without the server and wait instead).
 */
const PLAN_CLIENT: Partial<ClientOptions> = { waitWhenUnavailable: false, maxAttempts: 6 };

/** Replaces the HTTP client's settings for migrations started from now on (tests, benchmarks). */
export function tuneEsriMigration(next: MigrationTuning): void {
  tuning = next;
}

interface Session {
  serviceUrl: string;
  file: MigrationGeoPackage;
  staging: string;
  client: EsriClient;
  serviceJson: () => Promise<Record<string, unknown>>;
  /** Hosts whose breaker is open, and the probe time last announced. */
  outages: Map<string, { retryAt: string }>;
  /** Aborts what the session itself started (the shared read of the service JSON). */
  stop: AbortController;
  release: () => void;
}

/** One item per layer or table of the service. */
interface LayerSpec {
  layerId: number;
  url: string;
}

/**
 * Where a layer's copy stood at its last commit. The GeoPackage's own progress table is what a
 * resume reads; this copy is for the job's item row (shown in the job detail).
 */
interface LayerCheckpoint {
  table: string | null;
  mode: string | null;
  nextOffset: number | null;
  lastObjectId: number | null;
  written: number;
}

export const esriMigrateKind: JobKindPlugin<'migrate-esri', LayerSpec, LayerCheckpoint, Session> = {
  kind: 'migrate-esri',
  itemConcurrency: 2,

  describe: (params) => `migrate ${params.name} from ${new URL(params.url).host}`,

  // The wizard's first step: what a service holds, read with a saved credential when one is named.
  requests: (env) => ({
    'esri.discover': (input) =>
      discoverEsri(input.url, { credentials: env.credentials, credentialId: input.credentialId, signal: AbortSignal.timeout(env.requestTimeoutMs) }),
  }),

  async validate(params, env) {
    const service = parseServiceUrl(params.url, 'params.url');
    if (params.credentialId !== undefined) {
      let info: ReturnType<typeof env.credentials.info>;
      try {
        info = env.credentials.info(params.credentialId);
      } catch {
        throw new TesseraError('BAD_INPUT', `params.credentialId: no saved credential ${params.credentialId}`, {
          details: { issues: [{ field: 'params.credentialId', message: 'not found' }] },
        });
      }
      if (!sameServer(info.url, service.serviceUrl)) {
        throw new TesseraError(
          'BAD_INPUT',
          `params.credentialId: credential ${params.credentialId} is for ${new URL(info.url).host}, not ${new URL(service.serviceUrl).host}`,
          {
            details: { issues: [{ field: 'params.credentialId', message: 'saved for another server' }] },
          },
        );
      }
    }
    if (params.layers && new Set(params.layers).size !== params.layers.length) {
      throw new TesseraError('BAD_INPUT', 'params.layers: a layer id is listed twice', {
        details: { issues: [{ field: 'params.layers', message: 'duplicate layer id' }] },
      });
    }
  },

  async plan(params, signal, env): Promise<NewItem<LayerSpec>[]> {
    const service = parseServiceUrl(params.url, 'params.url');
    const wanted = params.layers ?? (service.layerId !== null ? [service.layerId] : null);
    let listed: { id: number; name: string; type: 'layer' | 'table' }[] | null = null;
    let client: EsriClient | null = null;
    try {
      client = await connectEsri(service.serviceUrl, {
        credentials: env.credentials,
        credentialId: params.credentialId,
        client: { ...DISCOVERY_CLIENT, ...tuning.client, ...PLAN_CLIENT },
        signal,
      });
      listed = listedLayers(await client.request(service.serviceUrl, {}, { signal }));
    } catch (error) {
      // With layer ids given, the items can be made without the server: they wait for it when they run.
      if (wanted === null) throw toTesseraError(error);
    }
    const ids = wanted ?? listed!.map((l) => l.id);
    const items: NewItem<LayerSpec>[] = [];
    for (const id of ids) {
      const known = listed?.find((l) => l.id === id);
      let total = 0;
      if (known && client) {
        try {
          const counted = await client.request(queryUrl(service.serviceUrl, id), { where: params.where ?? '1=1', returnCountOnly: true }, { signal });
          if (typeof counted.count === 'number') total = counted.count;
        } catch {
          // Counted again when the item runs.
        }
      }
      items.push({ label: known ? `${id} ${known.name}` : `layer ${id}`, spec: { layerId: id, url: layerUrl(service.serviceUrl, id) }, total });
    }
    return items;
  },

  async begin(params, env) {
    const service = parseServiceUrl(params.url, 'params.url');
    const staging = stagingPath(env.dataDir, params, service.serviceUrl);
    const release = lockStaging(staging);
    try {
      const client = await connectEsri(service.serviceUrl, {
        credentials: env.credentials,
        credentialId: params.credentialId,
        client: tuning.client,
        signal: AbortSignal.timeout(60_000),
      });
      const file = await MigrationGeoPackage.open(staging);
      const stop = new AbortController();
      let serviceJson: Promise<Record<string, unknown>> | null = null;
      const session: Session = {
        serviceUrl: service.serviceUrl,
        file,
        staging,
        client,
        stop,
        release,
        outages: new Map(),
        // Read once, by whichever item needs it first; it waits out an outage like the items do.
        serviceJson: () =>
          (serviceJson ??= client.request(service.serviceUrl, {}, { signal: stop.signal }).catch((error: unknown) => {
            serviceJson = null;
            throw error;
          })),
      };
      return session;
    } catch (error) {
      release();
      throw error;
    }
  },

  async runItem(params, item, ctx) {
    const session = ctx.session;
    const layerId = item.spec.layerId;
    let done = item.done;
    let total = item.total;
    const announce = (event: ClientEvent) => {
      switch (event.type) {
        case 'retry':
          ctx.event('esri.retry', `${item.label}: ${event.reason} (${event.error.message}); attempt ${event.attempt + 1} in ${formatDuration(event.delayMs)}`, {
            layerId,
            reason: event.reason,
            attempt: event.attempt,
            delayMs: event.delayMs,
            code: event.error.code,
          });
          break;
        case 'unavailable': {
          // One breaker per host serves every item: say each new probe time once per job.
          const outage = session.outages.get(event.host);
          if (outage?.retryAt === event.retryAt) break;
          session.outages.set(event.host, { retryAt: event.retryAt });
          ctx.event('esri.unavailable', `source unavailable (${event.host}): ${event.error.message}; retrying at ${event.retryAt}`, {
            layerId,
            host: event.host,
            retryAt: event.retryAt,
            openings: event.failures,
            breaker: 'open',
          });
          break;
        }
        case 'available':
          if (!session.outages.delete(event.host)) break;
          ctx.event('esri.available', `source available again (${event.host}) after ${formatDuration(event.downMs)}`, {
            layerId,
            host: event.host,
            downMs: event.downMs,
            breaker: 'closed',
          });
          break;
        case 'token-renewed':
          ctx.event('esri.token', `${item.label}: the server refused the token; a new one was made`, { layerId, host: event.host });
          break;
      }
    };
    const result: LayerCopyResult = await copyLayer({
      client: session.client,
      serviceUrl: session.serviceUrl,
      serviceJson: session.serviceJson,
      layerId,
      where: params.where ?? null,
      file: session.file,
      signal: ctx.signal,
      maxPageSize: tuning.maxPageSize,
      knownCount: item.total,
      onClientEvent: announce,
      onNote: (type, message, data) => ctx.event(type, message, data),
      onProgress: (delta, progress) => {
        // The file is the truth (its progress is committed with its features): align the item's
        // counters with it, which also covers a crash between a commit and the last checkpoint.
        const doneDelta = progress.written - done;
        const totalDelta = delta.total !== undefined ? delta.total - total : 0;
        if (doneDelta !== 0 || totalDelta !== 0 || delta.bytes) ctx.progress({ done: doneDelta, total: totalDelta, bytes: delta.bytes ?? 0 });
        done = progress.written;
        if (delta.total !== undefined) total = delta.total;
        ctx.checkpoint({
          table: progress.tableName,
          mode: progress.mode,
          nextOffset: progress.nextOffset,
          lastObjectId: progress.lastObjectId,
          written: progress.written,
        });
      },
    });
    const { columns, ...rest } = result;
    return { ...rest, fields: columns.map((c) => ({ name: c.name, type: c.ogrType, alias: c.alias, domain: c.domain?.name ?? null })) };
  },

  async end(params, session, outcome, env) {
    const s = session;
    try {
      const failedOrLeft = outcome.items.filter((i) => i.state !== 'succeeded');
      if (outcome.cancelled || failedOrLeft.length > 0) {
        await s.file.close();
        env.logger.info(`migration "${params.name}": ${failedOrLeft.length} layer(s) not copied; the partial copy stays in ${s.staging} for a retry`);
        return;
      }
      const copiedAt = new Date().toISOString();
      try {
        await s.file.finish({
          serviceUrl: s.serviceUrl,
          copiedAt,
          where: params.where ?? null,
          layers: outcome.items.map((i) => {
            const r = i.result as { layerId?: number; layerName?: string; sourceCount?: number } | null;
            return { layerId: r?.layerId ?? i.spec.layerId, layerName: r?.layerName ?? i.label, sourceCount: r?.sourceCount ?? i.done };
          }),
        });
      } finally {
        // Closed whatever happened: a failed finish leaves the staging file for a retry, not a handle.
        await s.file.close();
      }
      const jobId = outcome.items[0]?.jobId;
      if (jobId === undefined) throw new TesseraError('INTERNAL', `migration "${params.name}" finished with no items; nothing to record in the catalogue`);
      const draft = await env.catalog.openDraft({ jobId, key: 'esri', kind: 'vector', name: params.name });
      try {
        // Same volume (both under the data directory), so the finished copy moves in one rename.
        await rename(s.staging, draft.file);
        // A refresh is a migration with the same name from the same service: it keeps the dataset's id.
        const earlier = env.catalog.findByServiceUrl(s.serviceUrl).find((d) => d.name === params.name);
        const dataset = await env.catalog.commit(draft, {
          name: params.name,
          jobId,
          source: { type: 'esri', url: s.serviceUrl, layers: outcome.items.map((i) => i.spec.layerId), copiedAt },
          ...(earlier ? { replaces: earlier.id } : {}),
        });
        env.logger.info(`migration "${params.name}" is in the catalogue as dataset ${dataset.id}${earlier ? ' (refreshed)' : ''}`);
      } catch (error) {
        await env.catalog.discardDraft(draft);
        throw error;
      }
    } finally {
      s.stop.abort();
      s.release();
    }
  },
};
