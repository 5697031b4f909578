/**
 * The tile route: `GET /tiles/<id>/<z>/<x>/<y>` answers one tile of a cache opened with `caches.open`.
 *
 * Both hosts serve it (the headless host through its `tileHandler`, Electron through an AppRoute in
 * main/electron/tile-route.ts) from the same `tileReply`, behind the same authentication as every
 * other request. The URL holds the registry's id, never a file path, so a page can only ever read
 * caches that were opened through the contract. A tile the cache lacks within its zooms is a 204
 * with no body: MapLibre 6 draws an empty raster answer as a transparent tile and an empty vector
 * answer as a tile without features, and neither logs anything, where a 404 put a failed request
 * in the browser's console for every gap of a sparse cache. Outside its zooms, or for an id not
 * open, it is a 404; malformed coordinates are a 400.
 */
import type http from 'node:http';
import type { SerializedError } from '../../shared/errors.js';
import type { CacheRegistry } from '../tile-cache/cache-registry.js';
import { isTileInGrid } from '../tile-cache/tile-cache.js';
import { errorBody } from './http-responses.js';
import { BASEMAP_ID } from './basemap-tiles.js';

/** What the route needs of the registry. */
export type TileSource = Pick<CacheRegistry, 'tile'>;

/** A reply independent of the host: Node's ServerResponse or a fetch Response is built from it. */
export interface TileReply {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

const PREFIX = '/tiles/';
const ID = /^[0-9a-f]{12}$/;
/** Canonical decimals only: "007" or "1e3" would alias another tile and defeat caching. */
const COORDINATE = /^(0|[1-9]\d{0,9})$/;
/**
 * Short, and private: every tile sits behind the session, and a cache rewritten on disk is served
 * afresh under the same id within a minute.
 */
const TILE_CACHE_CONTROL = 'private, max-age=60';

/**
 * The reply for `pathname` (raw, still percent-encoded), or null when it is not under /tiles/ and
 * another route should answer. A failure to read the cache rejects (the hosts answer 500).
 */
export async function tileReply(caches: TileSource, pathname: string): Promise<TileReply | null> {
  if (!pathname.startsWith(PREFIX)) return null;
  const parts = pathname.slice(PREFIX.length).split('/');
  if (parts.length !== 4) return error(404, 'NOT_FOUND', 'Tile URLs are /tiles/<id>/<z>/<x>/<y>.', { path: pathname.slice(0, 200) });
  const [id, zs, xs, ys] = parts as [string, string, string, string];
  // The basemap's fixed id is the one name that is not a registry id (basemap-tiles.ts).
  if (!ID.test(id) && id !== BASEMAP_ID) return error(404, 'NOT_FOUND', 'No tile cache is open with that id.', { id: id.slice(0, 100) });
  if (![zs, xs, ys].every((c) => COORDINATE.test(c))) return error(400, 'BAD_INPUT', 'Tile coordinates must be whole numbers.');
  const [z, x, y] = [Number(zs), Number(xs), Number(ys)];
  if (!isTileInGrid(z, x, y)) return error(400, 'BAD_INPUT', `${z}/${x}/${y} is not a tile of the XYZ grid.`);

  const tile = await caches.tile(id, z, x, y);
  if (tile === null) return error(404, 'NOT_FOUND', `No tile ${z}/${x}/${y} in this cache.`, { id, z, x, y });
  if (tile.data.byteLength === 0) return { status: 204, headers: { 'Cache-Control': TILE_CACHE_CONTROL }, body: tile.data };
  const headers: Record<string, string> = {
    'Content-Type': tile.contentType,
    'Content-Length': String(tile.data.byteLength),
    'Cache-Control': TILE_CACHE_CONTROL,
  };
  if (tile.contentEncoding) headers['Content-Encoding'] = tile.contentEncoding;
  return { status: 200, headers, body: tile.data };
}

/**
 * The headless host's `tileHandler`: answers /tiles/… and resolves true, or resolves false for any
 * other path. The host only calls it for authenticated GET and HEAD requests.
 */
export function createTileRoute(caches: TileSource): (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    const reply = await tileReply(caches, url.pathname);
    if (reply === null) return false;
    res.writeHead(reply.status, reply.headers);
    res.end(req.method === 'HEAD' ? undefined : reply.body);
    return true;
  };
}

function error(status: 400 | 404, code: SerializedError['code'], message: string, details?: unknown): TileReply {
  const body = new TextEncoder().encode(JSON.stringify(errorBody(code, message, details)));
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.byteLength), 'Cache-Control': 'no-store' },
    body,
  };
}
