/**
 * The STAC side of the engine's automation (issue 17): the publish service's target (the
 * `stac.publish` store setting, its token a sealed credential; or `--stac-publish URL` for one
 * run), the changes that ask it to publish, and the requests that set it, publish once and apply
 * Transactions received from another server.
 */
import { hostname } from 'node:os';
import type { ContractHandlers, StacPublishTarget } from '../../shared/contract.js';
import { TesseraError } from '../../shared/errors.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import { HostBreaker } from '../esri/host-breaker.js';
import type { Logger } from '../logging/logger.js';
import type { StacHoldings } from '../stac/stac-export.js';
import { stacItems } from '../stac/stac-export.js';
import { COLLECTIONS, type CollectionId, collectionOf } from '../stac/stac-objects.js';
import { type LocalStac, type PublishTarget, publishStac } from '../stac/stac-publish.js';
import { STAC_PUBLISH_CHECK, StacPublishService, type StacPublishServiceOptions } from '../stac/stac-publish-service.js';
import { searchStac } from '../stac/stac-search.js';
import { applyStacTransaction } from '../stac/stac-transactions.js';
import type { JobStore } from '../store/job-store.js';
import { StacRecords } from '../store/stac-records.js';
import type { Db } from '../store/database.js';
import type { EventBus } from './event-bus.js';
import type { EngineHealth } from './health.js';

const SETTING = 'stac.publish';

interface StoredTarget {
  url: string;
  credentialId?: string;
}

export interface StacPublishingParts {
  db: Db;
  store: JobStore;
  events: EventBus;
  credentials: CredentialStore;
  health: EngineHealth;
  logger: Logger;
  holdings(): StacHoldings;
  /** `--stac-publish URL` (this run only; it wins over the setting). */
  runTarget?: PublishTarget;
  /** Tests shorten the poll, retries and breaker. */
  tuning?: Pick<StacPublishServiceOptions, 'intervalMs' | 'breaker' | 'retry' | 'prefix' | 'retryAfterFailureMs'>;
}

export type StacRequests = 'stac.search' | 'stac.transaction' | 'stac.publish' | 'stac.publishTarget' | 'stac.setPublishTarget';

/** Requests that change what is published without a job or event: the publish follows them. */
const CHANGING_REQUESTS = ['catalog.delete', 'caches.delete'] as const;

/** The collection-id prefix of this machine's publishes: its host name, as an id may hold it. */
export function defaultPrefix(): string {
  const name = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${name || 'tessera'}-`;
}

export function stacPublishing(parts: StacPublishingParts) {
  const records = new StacRecords(parts.db);
  const local = async (): Promise<LocalStac> => {
    const { items, skipped } = await stacItems(parts.holdings(), false);
    const collections = (Object.keys(COLLECTIONS) as CollectionId[]).map((id) =>
      collectionOf(
        id,
        items.filter((i) => i.collection === id),
      ),
    );
    return { items, skipped, collections };
  };
  const stored = () => parts.store.getSetting<StoredTarget | null>(SETTING) ?? null;
  const openToken = async (t: StoredTarget): Promise<string | undefined> => {
    if (!t.credentialId) return undefined;
    const source = await parts.credentials.tokenSource(t.credentialId, t.url, () => {
      throw new TesseraError('INTERNAL', 'a STAC credential holds a token, not a password');
    });
    return source.token(new AbortController().signal);
  };
  const target = async (): Promise<PublishTarget | null> => {
    if (parts.runTarget) return parts.runTarget;
    const t = stored();
    return t ? { url: t.url, token: await openToken(t) } : null;
  };
  const prefix = parts.tuning?.prefix ?? defaultPrefix();
  const service = new StacPublishService({
    target,
    local,
    prefix,
    setHealth: (state, message) => parts.health.set(STAC_PUBLISH_CHECK, state, message),
    logger: parts.logger,
    ...parts.tuning,
  });
  // A job that made, changed or removed holdings: a preseed's cache, a truncate's, an ingest's or migration's datasets.
  parts.events.on('job.changed', (job) => {
    if (job.state === 'succeeded' || job.state === 'partial') service.changed(`job ${job.id} ${job.state}`);
  });
  parts.events.on('catalog.changed', () => service.changed('catalog changed'));

  const handlers: Pick<ContractHandlers, Exclude<StacRequests, 'stac.search'>> & { 'stac.search': ContractHandlers['stac.search'] } = {
    'stac.search': (i) => searchStac(parts.holdings(), i, records),
    'stac.transaction': (i) => applyStacTransaction(records, i),
    'stac.publish': async (i) =>
      publishStac({ url: i.url, ...(i.token && { token: i.token }) }, await local(), {
        signal: new AbortController().signal,
        breaker: new HostBreaker(i.url),
        prefix,
        ...parts.tuning?.retry,
      }),
    'stac.publishTarget': () => currentTarget(),
    'stac.setPublishTarget': async (i) => {
      const before = stored();
      // The same URL without a token keeps the one stored (a form that does not show it can save the URL).
      const keep = i.url !== null && i.token === undefined && before?.url === i.url ? before.credentialId : undefined;
      if (i.url === null) parts.store.setSetting(SETTING, null);
      else {
        const credentialId = i.token ? (await parts.credentials.save({ url: i.url, token: i.token })).id : keep;
        parts.store.setSetting(SETTING, { url: i.url, ...(credentialId && { credentialId }) } satisfies StoredTarget);
      }
      if (before?.credentialId && before.credentialId !== keep) await parts.credentials.remove(before.credentialId);
      service.retarget();
      return currentTarget();
    },
  };
  function currentTarget(): StacPublishTarget | null {
    if (parts.runTarget) return { url: parts.runTarget.url, hasToken: parts.runTarget.token !== undefined };
    const t = stored();
    return t ? { url: t.url, hasToken: t.credentialId !== undefined } : null;
  }

  /** Wraps the engine's handlers so that the requests that change holdings ask for a publish. */
  function watch(all: ContractHandlers): ContractHandlers {
    const wrapped = { ...all };
    for (const name of CHANGING_REQUESTS) {
      const inner = all[name] as (input: unknown) => unknown;
      (wrapped as Record<string, unknown>)[name] = async (input: unknown) => {
        const result = await inner(input);
        service.changed(name);
        return result;
      };
    }
    return wrapped;
  }

  return { service, handlers, watch, records };
}
