/**
 * The STAC API on the app's own scheme: `tessera://app/stac…`, answered read-only by the same
 * `stacReply` as the headless host's /stac (landing page, conformance, collections, items,
 * search), its links absolute on tessera://app. Nothing is written here: the Transactions
 * extension is the headless host's (a desktop window is not a server other machines publish to).
 */
import type { ContractHandlers } from '../../shared/contract.js';
import { stacReply } from '../hosts/stac-route.js';
import type { AppRoute } from './app-protocol.js';

/** The AppRoute for /stac…; `search` is null until the engine is open (and after it closed): 503 then. */
export function createStacAppRoute(search: () => Pick<ContractHandlers, 'stac.search'> | null): AppRoute {
  return async (request, url) => {
    if (url.pathname !== '/stac' && !url.pathname.startsWith('/stac/')) return null;
    const handlers = search();
    const json = (status: number, body: unknown, type = 'application/json') =>
      new Response(request.method === 'HEAD' ? null : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' },
      });
    if (handlers === null) return json(503, { code: 'STORE_UNAVAILABLE', description: 'The engine is not open yet.' });
    // A custom scheme's URL has no origin under the WHATWG rules Node follows ("null"): build it.
    const reply = await stacReply(handlers, url, { origin: `${url.protocol}//${url.host}` });
    if (reply === null) return null;
    return json(reply.status, reply.body, reply.contentType);
  };
}
