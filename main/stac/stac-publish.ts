/**
 * One publish of what this Tessera holds to a remote STAC API with the Transactions extension
 * (issue 17): each collection is POSTed (PUT over it on 409), the remote items of those
 * collections are listed (following next links), and each local item is POSTed when new, PUT when
 * the remote copy differs, left alone when it is the same; remote items whose dataset or cache is
 * gone here are DELETEd. Every request goes through a retry with exponential backoff (transient
 * faults only: timeouts, resets, 429, 5xx, cut bodies) inside the target's circuit breaker, so a
 * dead server stops the publish early instead of being hammered.
 *
 * Collections are published as `<prefix><collection>` (e.g. `gis-01-tile-caches`): several
 * Tesseras can publish to one server without overwriting one another, and a receiving Tessera's
 * own collections (read-only) are never hit.
 */
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { BrokenCircuitError } from 'cockatiel';
import type { StacCollection, StacItem, StacPublishResult } from '../../shared/stac-shapes.js';
import { TesseraError, isAbortError, toTesseraError } from '../../shared/errors.js';
import type { HostBreaker } from '../esri/host-breaker.js';

export interface PublishTarget {
  /** The API's root, e.g. https://stac.example.org/ or http://host:7340/stac. */
  url: string;
  /** Sent as `Authorization: Bearer …`; never logged. */
  token?: string;
}

export interface PublishOptions {
  signal: AbortSignal;
  /** The target's breaker: shared by every publish to it, so an outage is remembered between them. */
  breaker: HostBreaker;
  /** Prepended to each collection id (see above). */
  prefix: string;
  /** Attempts per request, the first included. Default 5. */
  maxAttempts?: number;
  backoff?: { initialDelayMs: number; maxDelayMs: number };
  /** Per request. Default 30 s. */
  timeoutMs?: number;
}

/** What is published: the holdings as STAC items and collections (unprefixed, as stac.search gives them). */
export interface LocalStac {
  collections: StacCollection[];
  items: StacItem[];
  skipped: string[];
}

interface Answer {
  status: number;
  body: unknown;
}

function failure(status: number, text: string, what: string, root: string): TesseraError {
  const snippet = text.slice(0, 200);
  const details = { request: what, status };
  // The first request is a POST of a collection: a server that does not take it at all (a web
  // page, a read-only STAC API, a Tessera's own root instead of its /stac) is the wrong address,
  // which "the STAC API answered 405" would not tell the operator.
  if (status === 405 || status === 501) {
    const message = `${root} is not a STAC API with the Transactions extension (${what} answered ${status}); give the API's root, e.g. a Tessera's …/stac`;
    return new TesseraError('BAD_INPUT', message, { details: { ...details, issues: [{ field: 'url', message }] } });
  }
  if (status === 429) return new TesseraError('HTTP_429', `${what}: 429 Too Many Requests`, { details });
  if (status >= 500) return new TesseraError('HTTP_5XX', `${what}: HTTP ${status} ${snippet}`, { details });
  if (status === 401) return new TesseraError('UNAUTHORIZED', `${what}: 401, the STAC API wants a (different) token: ${snippet}`, { details });
  if (status === 403) return new TesseraError('FORBIDDEN', `${what}: 403 ${snippet}`, { details });
  if (status === 404) return new TesseraError('NOT_FOUND', `${what}: 404 ${snippet}`, { details });
  if (status === 409) return new TesseraError('CONFLICT', `${what}: 409 ${snippet}`, { details });
  return new TesseraError('BAD_INPUT', `${what}: HTTP ${status} ${snippet}`, {
    details: { ...details, issues: [{ field: 'url', message: `the STAC API answered ${status}` }] },
  });
}

/** Items as compared between here and the remote: links and collection are each server's own. */
function comparable(item: StacItem | Record<string, unknown>): string {
  const { links: _links, collection: _collection, ...rest } = item as Record<string, unknown>;
  return canonical(rest);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export async function publishStac(target: PublishTarget, local: LocalStac, o: PublishOptions): Promise<StacPublishResult> {
  const root = target.url.replace(/\/+$/, '');
  const policy = retry(
    handleWhen((error) => !isAbortError(error) && !(error instanceof BrokenCircuitError) && toTesseraError(error).transient),
    {
      maxAttempts: (o.maxAttempts ?? 5) - 1,
      backoff: new ExponentialBackoff({ initialDelay: o.backoff?.initialDelayMs ?? 250, maxDelay: o.backoff?.maxDelayMs ?? 10_000 }),
    },
  );

  /** One request, retried, inside the breaker; a cut or non-JSON body of a GET is transient. */
  const send = async (method: string, url: string, body?: unknown): Promise<Answer> => {
    const what = `${method} ${url.replace(root, '') || '/'}`;
    try {
      return await policy.execute(() =>
        o.breaker.policy.execute(async () => {
          o.signal.throwIfAborted();
          let response: Response;
          try {
            response = await fetch(url, {
              method,
              signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs ?? 30_000)]),
              headers: {
                Accept: 'application/json',
                ...(body !== undefined && { 'Content-Type': 'application/json' }),
                ...(target.token && { Authorization: `Bearer ${target.token}` }),
              },
              ...(body !== undefined && { body: JSON.stringify(body) }),
            });
          } catch (error) {
            if (o.signal.aborted) throw error;
            const timeout = (error as Error).name === 'TimeoutError';
            throw new TesseraError(
              timeout ? 'TIMEOUT' : 'IO_ERROR',
              `${what}: ${timeout ? 'no answer in time' : `connection failed (${String((error as Error).cause ?? error)})`}`,
            );
          }
          let text: string;
          try {
            text = await response.text();
          } catch (error) {
            throw new TesseraError('IO_ERROR', `${what}: the answer was cut short (${String(error)})`);
          }
          if (!response.ok) throw failure(response.status, text, what, root);
          if (method !== 'GET') return { status: response.status, body: null };
          try {
            return { status: response.status, body: JSON.parse(text) as unknown };
          } catch {
            throw new TesseraError('IO_ERROR', `${what}: the answer is not whole JSON (${text.length} bytes)`, { transient: true });
          }
        }),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        const at = o.breaker.retryAt === null ? '' : `; next try after ${new Date(o.breaker.retryAt).toISOString()}`;
        throw new TesseraError('IO_ERROR', `STAC API ${root} is not answering: circuit open after repeated failures${at}`, {
          transient: false,
          cause: o.breaker.lastError,
        });
      }
      throw error;
    }
  };

  /** POST, and PUT over it when the server says it exists (409). */
  const upsert = async (postUrl: string, putUrl: string, body: unknown): Promise<'created' | 'updated'> => {
    try {
      await send('POST', postUrl, body);
      return 'created';
    } catch (error) {
      if (toTesseraError(error).code !== 'CONFLICT') throw error;
      await send('PUT', putUrl, body);
      return 'updated';
    }
  };

  const result: StacPublishResult = { url: root, collections: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, skipped: local.skipped };
  for (const collection of local.collections) {
    const id = `${o.prefix}${collection.id}`;
    const path = `${root}/collections/${encodeURIComponent(id)}`;
    await upsert(`${root}/collections`, path, { ...collection, id, links: [] });
    result.collections++;

    const remote = new Map<string, Record<string, unknown>>();
    let next: string | null = `${path}/items?limit=100`;
    while (next !== null) {
      const page = (await send('GET', next)).body as { features?: Record<string, unknown>[]; links?: { rel: string; href: string }[] };
      for (const feature of page.features ?? []) remote.set(String(feature.id), feature);
      next = page.links?.find((l) => l.rel === 'next')?.href ?? null;
    }

    for (const item of local.items.filter((i) => i.collection === collection.id)) {
      const body = { ...item, collection: id, links: [] };
      const there = remote.get(item.id);
      remote.delete(item.id);
      if (there && comparable(there) === comparable(body)) {
        result.unchanged++;
        continue;
      }
      const itemUrl = `${path}/items/${encodeURIComponent(item.id)}`;
      if (there) {
        await send('PUT', itemUrl, body);
        result.updated++;
      } else result[await upsert(`${path}/items`, itemUrl, body)]++;
    }
    // What is left was published from here once and is gone now.
    for (const gone of remote.keys()) {
      try {
        await send('DELETE', `${path}/items/${encodeURIComponent(gone)}`);
      } catch (error) {
        // Deleted meanwhile (a retried DELETE whose first try went through): gone is gone.
        if (toTesseraError(error).code !== 'NOT_FOUND') throw error;
      }
      result.deleted++;
    }
  }
  return result;
}
