/**
 * Discovery of an ArcGIS REST service before a migration: the service's layers and tables with
 * their geometry type, fields, spatial reference, page size, paging capabilities and feature
 * count, so a person sees what they are about to copy. A folder URL lists its services.
 *
 * Discovery has a person waiting for it: it retries a transient failure a few times and then
 * says what went wrong, rather than waiting out an outage like a job does. A layer that cannot be
 * read gets its own error; the others are still listed.
 */
import type { EsriService } from '../../shared/contract.js';
import { AbortError, serializeError, toTesseraError } from '../../shared/errors.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { connectEsri } from './connect.js';
import type { ClientOptions, EsriClient } from './esri-client.js';
import { crsLabel, listedLayers, readLayerInfo, type EsriLayerInfo } from './esri-layer.js';
import { layerUrl, parseEsriUrl, queryUrl, servicesRoot } from './service-url.js';

/** Discovery's client: quick to give up, never waits for an open breaker. */
export const DISCOVERY_CLIENT: Partial<ClientOptions> = {
  timeoutMs: 30_000,
  maxAttempts: 3,
  baseDelayMs: 300,
  maxDelayMs: 3_000,
  maxRetryAfterMs: 10_000,
  waitWhenUnavailable: false,
};

/** Layers read at once: enough to be quick, few enough not to hammer a small server. */
const LAYER_CONCURRENCY = 4;

export async function discoverEsri(
  url: string,
  options: { credentials: CredentialStore; credentialId?: string; signal: AbortSignal; client?: Partial<ClientOptions> },
): Promise<EsriService> {
  const parsed = parseEsriUrl(url);
  const target = parsed.kind === 'service' ? parsed.serviceUrl : parsed.folderUrl;
  const client = await connectEsri(target, {
    credentials: options.credentials,
    credentialId: options.credentialId,
    client: { ...DISCOVERY_CLIENT, ...options.client },
    signal: options.signal,
  });
  if (parsed.kind === 'folder') {
    const json = await client.request(parsed.folderUrl, {}, { signal: options.signal });
    const root = servicesRoot(parsed.folderUrl) ?? parsed.folderUrl;
    const path = (name: string) => name.split('/').map(encodeURIComponent).join('/');
    // Sub-folders are listed too (type 'Folder'), so a person can walk down to a service.
    const folders = (Array.isArray(json.folders) ? (json.folders as unknown[]) : [])
      .filter((f): f is string => typeof f === 'string')
      .map((f) => ({ name: f, type: 'Folder', url: `${root}/${path(f)}` }));
    const services = (Array.isArray(json.services) ? (json.services as { name?: unknown; type?: unknown }[]) : [])
      .filter((s) => typeof s.name === 'string' && typeof s.type === 'string')
      .map((s) => ({ name: s.name as string, type: s.type as string, url: `${root}/${path(s.name as string)}/${s.type as string}` }));
    return { url: parsed.folderUrl, type: 'folder', name: parsed.name, services: [...folders, ...services], layers: [] };
  }
  const serviceJson = await client.request(parsed.serviceUrl, {}, { signal: options.signal });
  const listed = listedLayers(serviceJson);
  const layers = await mapLimit(listed, LAYER_CONCURRENCY, (l) => describeLayer(client, parsed.serviceUrl, l.id, serviceJson, options.signal, l));
  return {
    url: parsed.serviceUrl,
    type: parsed.type,
    name: typeof serviceJson.name === 'string' && serviceJson.name ? serviceJson.name : parsed.name,
    services: [],
    layers,
  };
}

async function describeLayer(
  client: EsriClient,
  serviceUrl: string,
  id: number,
  serviceJson: Record<string, unknown>,
  signal: AbortSignal,
  listed: { name: string; type: 'layer' | 'table' },
): Promise<EsriService['layers'][number]> {
  let info: EsriLayerInfo | null = null;
  try {
    info = readLayerInfo(await client.request(layerUrl(serviceUrl, id), {}, { signal, probeUrl: serviceUrl }), id, serviceJson);
    const counted = await client.request(queryUrl(serviceUrl, id), { where: '1=1', returnCountOnly: true }, { signal, probeUrl: serviceUrl });
    return summary(info, typeof counted.count === 'number' ? counted.count : null, null);
  } catch (error) {
    if (signal.aborted) throw new AbortError();
    const e = serializeError(toTesseraError(error));
    if (info) return summary(info, null, e);
    return {
      id,
      name: listed.name,
      type: listed.type,
      geometryType: null,
      fields: [],
      crs: null,
      maxRecordCount: 0,
      supportsPagination: false,
      supportsAdvancedQueries: false,
      count: null,
      error: e,
    };
  }
}

function summary(info: EsriLayerInfo, count: number | null, error: EsriService['layers'][number]['error']): EsriService['layers'][number] {
  return {
    id: info.id,
    name: info.name,
    type: info.type,
    geometryType: info.geometryType,
    fields: info.fields.map((f) => ({ name: f.name, type: f.type, alias: typeof f.alias === 'string' && f.alias !== '' ? f.alias : null })),
    crs: crsLabel(info.spatialReference),
    maxRecordCount: info.maxRecordCount,
    supportsPagination: info.supportsPagination,
    supportsAdvancedQueries: info.supportsAdvancedQueries,
    count,
    error,
  };
}

/** Maps with at most `limit` calls in flight, keeping the input's order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}
