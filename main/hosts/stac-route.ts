/**
 * The STAC API, read-only (issue 17, item 5): `GET /stac` (landing page), `/stac/conformance`,
 * `/stac/collections`, `/stac/collections/<id>`, `/stac/collections/<id>/items[/<item>]` and
 * `/stac/search` (GET: bbox, datetime, ids, collections, limit, cursor), answered from the
 * contract's stac.search and linked with absolute URLs of the host that was asked. Behind the same
 * authentication as every other request; nothing here changes state.
 */
import type http from 'node:http';
import type { ContractHandlers, StacCollection, StacItem, StacLink, StacSearchResult } from '../../shared/contract.js';
import { badInputAt, serializeError, toTesseraError } from '../../shared/errors.js';
import { parseRequest } from '../engine/handlers.js';
import { errorBody } from './http-responses.js';

const PREFIX = '/stac';
const CONFORMANCE = [
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'https://api.stacspec.org/v1.0.0/ogcapi-features',
  'https://api.stacspec.org/v1.0.0/item-search',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
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
export async function stacReply(search: Search, url: URL): Promise<StacReply | null> {
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return null;
  const base = `${url.origin}${PREFIX}`;
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
          conformsTo: CONFORMANCE,
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
    if (parts[0] === 'conformance' && parts.length === 1) return { status: 200, contentType: 'application/json', body: { conformsTo: CONFORMANCE } };
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
    const bad = wire.code === 'BAD_INPUT' || wire.code === 'BAD_CURSOR';
    return { status: bad ? 400 : 500, contentType: 'application/json', body: errorBody(wire.code, wire.message, wire.details) };
  }
}

function notFound(message: string): StacReply {
  return { status: 404, contentType: 'application/json', body: errorBody('NOT_FOUND', message) };
}

/** The headless host's handler for /stac…: answers and resolves true, or false for other paths. */
export function createStacRoute(search: Search): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const reply = await stacReply(search, url);
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
