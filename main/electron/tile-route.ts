/**
 * The tile route on the app's own scheme: `tessera://app/tiles/<id>/<z>/<x>/<y>`, answered by the
 * same `tileReply` as the headless host's /tiles route.
 *
 * One difference: gzipped vector tiles are inflated here instead of being sent with
 * `Content-Encoding: gzip`. A protocol handler's response does not go through Chromium's HTTP
 * stack, and whether its content decoding applies to custom schemes is not something the app
 * should depend on; tiles are small and never cross a network here.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type TileSource, tileReply } from '../hosts/tile-route.js';
import type { AppRoute } from './app-protocol.js';

const gunzip = promisify(zlib.gunzip);
/** A gzip bomb stops here (real vector tiles are well under 1 MB inflated). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** The AppRoute for /tiles/…; passes every other path on (null). */
export function createTileAppRoute(caches: TileSource): AppRoute {
  return async (request, url) => {
    const reply = await tileReply(caches, url.pathname);
    if (reply === null) return null;
    const headers = new Headers(reply.headers);
    let body = reply.body;
    if (headers.get('Content-Encoding') === 'gzip') {
      body = new Uint8Array(await gunzip(body, { maxOutputLength: MAX_INFLATED_BYTES }));
      headers.delete('Content-Encoding');
      headers.set('Content-Length', String(body.byteLength));
    }
    // A 204 (a tile the cache lacks within its zooms) may carry no body at all: Response refuses one.
    return new Response(request.method === 'HEAD' || reply.status === 204 ? null : body, { status: reply.status, headers });
  };
}
