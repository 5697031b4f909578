/**
 * The `tessera:` scheme: the app's pages and assets are served from dist/renderer on a real,
 * secure origin (tessera://app) instead of file://, which would give the page every file on disk
 * as its origin and no Content-Security-Policy header.
 *
 * Requests first go through the routes (the extension point for tiles and other data the engine
 * serves to the map), then to the built renderer files. Every response carries the CSP.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Privileges, Protocol } from 'electron';
import { contentTypeFor } from '../hosts/http-security.js';
import { APP_SCHEME, CONTENT_SECURITY_POLICY, parseAppUrl, resolveAppAsset } from './security.js';

/**
 * How the scheme is registered. standard: parsed like http (origin, relative URLs, 'self' in the
 * CSP); secure: a secure context, like https; supportFetchAPI: fetch() and maplibre's tile
 * requests work; stream: response bodies may be streams (for large files a later route serves).
 * No bypassCSP, no CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: Readonly<Privileges> = Object.freeze({
  standard: true,
  secure: true,
  supportFetchAPI: true,
  stream: true,
});

/** Registers the scheme's privileges. Electron only accepts this before the app is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/**
 * A route tried before the static files: answers the request, or returns null to pass it on.
 * The URL is already checked to be on tessera://app; the response gets the security headers.
 */
export type AppRoute = (request: Request, url: URL) => Response | null | Promise<Response | null>;

/** What the scheme serves. */
export interface AppProtocolOptions {
  /** The built renderer (dist/renderer), holding index.html and its assets. */
  rendererDir: string;
  /** Tried in order before the static files. */
  routes?: readonly AppRoute[];
  /** Told about a route or file read that threw (the request gets a 500). */
  onError?: (error: unknown, url: string) => void;
}

/**
 * Adds the security headers to a response. The CSP goes on every response, not only on HTML:
 * a worker started from a script file takes its policy from that file's response.
 */
export function withSecurityHeaders(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function plain(status: number, text: string): Response {
  return withSecurityHeaders(new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }));
}

/** The request handler of the scheme, independent of Electron so that it is tested under Node. */
export function createAppRequestHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const routes = options.routes ?? [];
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const url = parseAppUrl(request.url);
    if (url === null) return plain(404, 'not found');
    try {
      for (const route of routes) {
        const response = await route(request, url);
        if (response !== null) return withSecurityHeaders(response);
      }
      const file = resolveAppAsset(options.rendererDir, request.url);
      if (file === null) return plain(404, 'not found');
      const info = await stat(file).catch(() => null);
      if (info === null || !info.isFile()) return plain(404, 'not found');
      const headers = { 'Content-Type': contentTypeFor(file), 'Content-Length': String(info.size), 'Cache-Control': 'no-cache' };
      // Renderer assets are at most a few MB, so reading them whole is simpler than streaming.
      const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
      return withSecurityHeaders(new Response(body, { status: 200, headers }));
    } catch (error) {
      options.onError?.(error, request.url);
      return plain(500, 'internal error');
    }
  };
}

/** Serves the scheme (call once the app is ready); returns the function that stops serving it. */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle' | 'unhandle'>, options: AppProtocolOptions): () => void {
  protocol.handle(APP_SCHEME, createAppRequestHandler(options));
  return () => protocol.unhandle(APP_SCHEME);
}
