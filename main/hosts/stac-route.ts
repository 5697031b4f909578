/**
 * The STAC API (issue 17, item 5): `GET /stac` (landing page), `/stac/conformance`,
 * `/stac/collections`, `/stac/collections/<id>`, `/stac/collections/<id>/items[/<item>]` and
 * `/stac/search` (GET: bbox, datetime, ids, collections, limit, cursor), answered from the
 * contract's stac.search and linked with absolute URLs of the host that was asked. The headless
 * host also takes the Transactions extension (POST/PUT/DELETE of collections and items, through
 * the contract's stac.transaction), behind the same token, Host and Origin checks as every
 * mutating request; the desktop app's protocol serves the read-only part (stacReply) only.
 */
import type http from 'node:http';
import type { ContractHandlers, StacCollection, StacItem, StacLink, StacSearchResult } from '../../shared/contract.js';
import { badInputAt, serializeError, toTesseraError } from '../../shared/errors.js';
import { parseRequest } from '../engine/handlers.js';
import { readBody, stacErrorBody } from './http-responses.js';
import { MAX_BODY_BYTES, httpStatusForError } from './http-security.js';

const PREFIX = '/stac';
const CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'https://api.stacspec.org/v1.0.0/item-search',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
];
/** What a host that takes Transactions adds to its conformance. */
const TRANSACTION_CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0/collections/extensions/transaction',
  'https://api.stacspec.org/v1.0.0/ogcapi-features/extensions/transaction',
  'http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete',
];

export interface StacReply {
  status: number;
  contentType: string;
  body: unknown;
}

type Search = Pick<ContractHandlers, 'stac.search'>;

/** Query parameters to stac.search's input; a malformed number list is BAD_INPUT naming it. */
function searchInput(params: URLSearchParams, collection?: string): Parameters<ContractHandlers['stac.search']>[0] {
  const list = (name: string) => params.get(name)?.split(',').filter(Boolean);
  const bboxText = list('bbox');
  const bbox = bboxText?.map(Number);
  if (bbox && (bbox.length !== 4 || bbox.some((n) => !Number.isFinite(n)))) throw badInputAt('bbox', 'bbox: four numbers, west,south,east,north');
  const limit = params.get('limit');
  return parseRequest('stac.search', {
    ...(collection !== undefined ? { collections: [collection] } : list('collections') && { collections: list('collections') }),
    ...(list('ids') && { ids: list('ids') }),
    ...(bbox && { bbox: bbox as [number, number, number, number] }),
    ...(params.get('datetime') && { datetime: params.get('datetime')! }),
    limit: limit === null ? 10 : Number(limit),
    ...(params.get('cursor') && { cursor: params.get('cursor')! }),
  });
}

/** Links of an item as the API serves it. */
function linkItem(item: StacItem, base: string): StacItem {
  return {
    ...item,
    links: [
      { rel: 'self', href: `${base}/collections/${item.collection}/items/${item.id}`, type: 'application/geo+json' },
      { rel: 'parent', href: `${base}/collections/${item.collection}`, type: 'application/json' },
      { rel: 'collection', href: `${base}/collections/${item.collection}`, type: 'application/json' },
      { rel: 'root', href: base, type: 'application/json' },
    ],
  };
}

function linkCollection(collection: StacCollection, base: string): StacCollection {
  return {
    ...collection,
    links: [
      { rel: 'self', href: `${base}/collections/${collection.id}`, type: 'application/json' },
      { rel: 'items', href: `${base}/collections/${collection.id}/items`, type: 'application/geo+json' },
      { rel: 'parent', href: base, type: 'application/json' },
      { rel: 'root', href: base, type: 'application/json' },
    ],
  };
}

/** An ItemCollection page with its self and next links (the cursor carried in the query). */
function itemPage(result: StacSearchResult, base: string, url: URL): StacReply {
  const links: StacLink[] = [
    { rel: 'self', href: url.href, type: 'application/geo+json' },
    { rel: 'root', href: base, type: 'application/json' },
  ];
  if (result.nextCursor) {
    const next = new URL(url.href);
    next.searchParams.set('cursor', result.nextCursor);
    links.push({ rel: 'next', href: next.href, type: 'application/geo+json', method: 'GET' });
  }
  return {
    status: 200,
    contentType: 'application/geo+json',
    body: {
      type: 'FeatureCollection',
      features: result.items.map((i) => linkItem(i, base)),
      numberMatched: result.matched,
      numberReturned: result.items.length,
      links,
    },
  };
}

/** The reply for a /stac path, or null when the path is not the STAC API's. */
export async function stacReply(search: Search, url: URL, options: { transactions?: boolean; origin?: string } = {}): Promise<StacReply | null> {
  const conformsTo = options.transactions ? [...CONFORMANCE, ...TRANSACTION_CONFORMANCE] : CONFORMANCE;
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return null;
  const base = `${options.origin ?? url.origin}${PREFIX}`;
  const parts = path.slice(PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts.length === 0) {
      return {
        status: 200,
        contentType: 'application/json',
        body: {
          type: 'Catalog',
          stac_version: '1.0.0',
          id: 'tessera',
          title: 'Tessera',
          description: 'The datasets and tile caches this Tessera holds.',
          conformsTo,
          links: [
            { rel: 'self', href: base, type: 'application/json' },
            { rel: 'root', href: base, type: 'application/json' },
            { rel: 'conformance', href: `${base}/conformance`, type: 'application/json' },
            { rel: 'data', href: `${base}/collections`, type: 'application/json' },
            { rel: 'search', href: `${base}/search`, type: 'application/geo+json', method: 'GET' },
            ...['vector-datasets', 'raster-datasets', 'tile-caches'].map((id) => ({
              rel: 'child',
              href: `${base}/collections/${id}`,
              type: 'application/json',
            })),
          ],
        },
      };
    }
    if (parts[0] === 'conformance' && parts.length === 1) return { status: 200, contentType: 'application/json', body: { conformsTo } };
    if (parts[0] === 'search' && parts.length === 1) return itemPage(await search['stac.search'](searchInput(url.searchParams)), base, url);
    if (parts[0] === 'collections') {
      const { collections } = await search['stac.search']({ limit: 1, ids: ['-'] });
      if (parts.length === 1) {
        return {
          status: 200,
          contentType: 'application/json',
          body: {
            collections: collections.map((c) => linkCollection(c, base)),
            links: [
              { rel: 'self', href: `${base}/collections` },
              { rel: 'root', href: base },
            ],
          },
        };
      }
      const collection = collections.find((c) => c.id === parts[1]);
      if (!collection) return notFound(`no collection ${parts[1]}`);
      if (parts.length === 2) return { status: 200, contentType: 'application/json', body: linkCollection(collection, base) };
      if (parts[2] === 'items' && parts.length === 3) return itemPage(await search['stac.search'](searchInput(url.searchParams, collection.id)), base, url);
      if (parts[2] === 'items' && parts.length === 4) {
        const found = await search['stac.search']({ collections: [collection.id], ids: [parts[3]!], limit: 1 });
        return found.items[0]
          ? { status: 200, contentType: 'application/geo+json', body: linkItem(found.items[0], base) }
          : notFound(`no item ${parts[3]} in ${collection.id}`);
      }
    }
    return notFound('not a STAC API path');
  } catch (error) {
    const wire = serializeError(toTesseraError(error));
    return { status: httpStatusForError(wire.code), contentType: 'application/json', body: stacErrorBody(wire.code, wire.message, wire.details) };
  }
}

type Transactions = Pick<ContractHandlers, 'stac.transaction'>;

/**
 * The Transactions extension: POST /collections, PUT|DELETE /collections/<id>, POST
 * /collections/<id>/items, PUT|DELETE /collections/<id>/items/<item>. Null for other paths and methods.
 */
export async function stacTransactionReply(handlers: Transactions, method: string, url: URL, body: unknown): Promise<StacReply | null> {
  const parts = url.pathname.replace(/\/+$/, '').slice(PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'collections') return null;
  const ask = (() => {
    const b = { body: body as Record<string, unknown> };
    if (parts.length === 1 && method === 'POST') return { target: 'collection', action: 'create', ...b } as const;
    if (parts.length === 2 && method === 'PUT') return { target: 'collection', action: 'update', collection: parts[1], ...b } as const;
    if (parts.length === 2 && method === 'DELETE') return { target: 'collection', action: 'delete', collection: parts[1] } as const;
    if (parts.length === 3 && parts[2] === 'items' && method === 'POST') return { target: 'item', action: 'create', collection: parts[1], ...b } as const;
    if (parts.length === 4 && parts[2] === 'items' && method === 'PUT')
      return { target: 'item', action: 'update', collection: parts[1], item: parts[3], ...b } as const;
    if (parts.length === 4 && parts[2] === 'items' && method === 'DELETE')
      return { target: 'item', action: 'delete', collection: parts[1], item: parts[3] } as const;
    return null;
  })();
  if (ask === null) return null;
  try {
    const done = await handlers['stac.transaction'](parseRequest('stac.transaction', ask));
    const base = `${url.origin}${PREFIX}/collections/${encodeURIComponent(done.collection)}`;
    const location = done.item === undefined ? base : `${base}/items/${encodeURIComponent(done.item)}`;
    return { status: done.action === 'created' ? 201 : 200, contentType: 'application/json', body: { ...done, location } };
  } catch (error) {
    const wire = serializeError(toTesseraError(error));
    return { status: httpStatusForError(wire.code), contentType: 'application/json', body: stacErrorBody(wire.code, wire.message, wire.details) };
  }
}

function notFound(message: string): StacReply {
  return { status: 404, contentType: 'application/json', body: stacErrorBody('NOT_FOUND', message) };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(bytes.byteLength),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(bytes);
}

/**
 * The headless host's handler for /stac…: answers and resolves true, or false for other paths. GET
 * and HEAD read; POST, PUT and DELETE are the Transactions extension (a JSON body, at most the
 * contract's body limit); anything else is 405.
 */
export function createStacRoute(handlers: Search & Transactions): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      if (method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
        send(res, 405, stacErrorBody('BAD_INPUT', 'Method not allowed.'), { Allow: 'GET, HEAD, POST, PUT, DELETE' });
        return true;
      }
      let body: unknown;
      if (method !== 'DELETE') {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (type !== 'application/json' && type !== 'application/geo+json') {
          send(res, 415, stacErrorBody('BAD_INPUT', 'Content-Type must be application/json or application/geo+json.'));
          return true;
        }
        const raw = await readBody(req, MAX_BODY_BYTES);
        if (raw === 'aborted') return true;
        if (raw === 'too-large') {
          send(res, 413, stacErrorBody('BAD_INPUT', `The body is larger than ${MAX_BODY_BYTES} bytes.`), { Connection: 'close' });
          return true;
        }
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          send(res, 400, stacErrorBody('BAD_INPUT', 'The request body is not valid JSON.'));
          return true;
        }
      }
      const reply = await stacTransactionReply(handlers, method, url, body);
      if (reply === null) send(res, 405, stacErrorBody('BAD_INPUT', `${method} is not served at ${url.pathname}.`), { Allow: 'GET, HEAD' });
      else send(res, reply.status, reply.body, reply.status === 201 ? { Location: (reply.body as { location: string }).location } : {});
      return true;
    }
    const reply = await stacReply(handlers, url, { transactions: true });
    if (reply === null) return false;
    const body = Buffer.from(JSON.stringify(reply.body));
    res.writeHead(reply.status, {
      'Content-Type': `${reply.contentType}; charset=utf-8`,
      'Content-Length': String(body.byteLength),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
