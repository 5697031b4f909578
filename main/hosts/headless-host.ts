/**
 * The headless host: serves the contract and the built renderer to a browser over loopback HTTP,
 * so Tessera can run on a server (or without Electron) and be opened in a browser.
 *
 * Requests: `POST /api/<request name>` with a JSON body, answered with the dispatcher's Reply.
 * Events: a WebSocket at `/events` pushing `{ event, payload }` for every engine event
 * (event-stream.ts). Also `/metrics` (Prometheus text) and the renderer's static files
 * (static-files.ts). The replies, error pages and body reading are in http-responses.ts.
 *
 * Every request and upgrade goes through the same gate, in this order: Host header (DNS
 * rebinding), Origin and Fetch Metadata (CSRF, cross-site WebSockets), then the per-launch token
 * (a session cookie for the browser, a Bearer header for scripts). The decisions themselves are
 * pure functions in http-security.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { EventBus } from '../engine/event-bus.js';
import type { MetricsText } from '../engine/hosted-engine.js';
import type { Dispatcher } from '../engine/handlers.js';
import { createLogger } from '../logging/logger.js';
import { createEventStream } from './event-stream.js';
import {
  type AuthKind,
  DEFAULT_BIND_HOST,
  DEFAULT_PORT,
  MAX_BODY_BYTES,
  acceptedHosts,
  authenticate,
  checkOrigin,
  generateToken,
  hostWithPort,
  httpStatusForError,
  isAcceptedHost,
  isJsonContentType,
  isLoopbackHost,
  isWildcardHost,
  normaliseHostHeader,
  originForHost,
  resolveStaticPath,
  securityHeaders,
  sessionCookie,
  tokenMatches,
} from './http-security.js';
import {
  errorBody,
  stacErrorBody,
  forbiddenPage,
  header,
  methodNotAllowed,
  readBody,
  refuseUpgrade,
  sendHtml,
  sendJson,
  tooLarge,
  unauthorizedPage,
} from './http-responses.js';
import { createStaticFiles } from './static-files.js';

/** The logger the host writes to; the engine's Logger fits. */
export interface HostLogger {
  info(message: string, data?: object): void;
  warn(message: string, data?: object): void;
  debug(message: string, data?: object): void;
}

export interface HeadlessHostOptions {
  dispatch: Dispatcher;
  events: Pick<EventBus, 'onAny'>;
  /** Prometheus text for /metrics; without it (or while it answers null: switched off) /metrics is 404. */
  metrics?: () => Promise<MetricsText | null>;
  /** The built renderer (index.html + assets/); a clear 503 page is served while it is missing. */
  rendererDir: string;
  /** Bind address. Default '127.0.0.1'; anything that is not loopback is logged as a warning. */
  host?: string;
  /** Default 7340; 0 picks any free port. */
  port?: number;
  /** Extra Host names accepted (`name` gets the port added; `name:port` is taken as it is). */
  allowedHosts?: string[];
  /** Default: 32 random bytes, base64url, new on every launch. */
  token?: string;
  /** Default: warnings to the console, nothing else. */
  logger?: HostLogger;
  /**
   * Extension point for the tile route: called for authenticated GET/HEAD requests that are not
   * /api, /events or /metrics, before static files. Resolves true when it answered the request.
   */
  tileHandler?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;
  /** Answers `/stac…` (the STAC API and its Transactions, stac-route.ts) whatever the method, or resolves false. */
  stacHandler?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;
  /**
   * The streaming upload route (upload-route.ts): called for authenticated requests to /uploads and
   * /uploads/…, whatever their method. Resolves true when it answered.
   */
  uploadHandler?: (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;
  /** WebSocket ping interval; a client that missed the previous ping is terminated. Default 30 s. */
  heartbeatIntervalMs?: number;
  /** A WebSocket client with more than this many bytes waiting to be sent is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** At most this many event connections at once; more are refused with 503. Default 32. */
  maxEventClients?: number;
}

export interface HeadlessHost {
  /** The URL to open, with the token: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  /** `http://127.0.0.1:PORT` (or the bound address). */
  origin: string;
  port: number;
  token: string;
  /** Where the server is bound. */
  address: AddressInfo;
  /** Stops listening, ends every connection and WebSocket, and unsubscribes from the bus. */
  close(): Promise<void>;
}

/** Without a logger of the caller's: warnings as the engine logs them (structured, secrets redacted). */
const defaultLogger: HostLogger = createLogger('warn');

/** Starts the host and resolves once it listens. */
export async function startHeadlessHost(o: HeadlessHostOptions): Promise<HeadlessHost> {
  const bindHost = o.host ?? DEFAULT_BIND_HOST;
  const token = o.token ?? generateToken();
  if (token.length < 16) throw new Error('the headless host token must be at least 16 characters');
  const log = o.logger ?? defaultLogger;
  const serveStatic = createStaticFiles(path.resolve(o.rendererDir), log);

  const server = http.createServer();
  // A request must arrive whole within these; slow-loris connections are cut.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  // Filled in once the port is known (port 0 picks one).
  let accepted: ReadonlySet<string> = new Set();

  // ------------------------------------------------------------------------------------------
  // The gate shared by requests and upgrades

  type Gate = { ok: true; host: string; auth: AuthKind } | { ok: false; status: 401 | 403; code: 'UNAUTHORIZED' | 'FORBIDDEN'; message: string };

  function gate(req: http.IncomingMessage, upgrade: boolean): Gate {
    const hostHeader = req.headers.host;
    if (!isAcceptedHost(hostHeader, accepted)) {
      log.debug('headless host: refused Host', { host: String(hostHeader).slice(0, 100), url: req.url?.slice(0, 200) });
      return { ok: false, status: 403, code: 'FORBIDDEN', message: 'This host name is not served here.' };
    }
    const host = normaliseHostHeader(hostHeader)!;
    const auth = authenticate({ authorization: req.headers.authorization, cookie: req.headers.cookie }, token);
    const verdict = checkOrigin({
      method: req.method ?? 'GET',
      host,
      origin: header(req, 'origin'),
      secFetchSite: header(req, 'sec-fetch-site'),
      secFetchMode: header(req, 'sec-fetch-mode'),
      upgrade,
      auth,
    });
    if (!verdict.ok) {
      log.debug('headless host: refused origin', { reason: verdict.reason, url: req.url?.slice(0, 200) });
      return { ok: false, status: 403, code: 'FORBIDDEN', message: `Refused: ${verdict.reason}.` };
    }
    return { ok: true, host, auth };
  }

  // ------------------------------------------------------------------------------------------
  // HTTP

  server.on('request', (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.warn('headless host: request failed', { url: req.url?.slice(0, 200), error: String(error) });
      if (!res.headersSent) sendJson(res, 500, errorBody('INTERNAL', 'The request failed inside the host.'));
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const validHost = isAcceptedHost(req.headers.host, accepted) ? normaliseHostHeader(req.headers.host) : null;
    for (const [name, value] of Object.entries(securityHeaders(validHost))) res.setHeader(name, value);

    const raw = req.url ?? '';
    const q = raw.indexOf('?');
    const rawPath = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    const method = req.method ?? 'GET';
    // STAC clients read errors as STAC APIs give them ({ code, description }), never an HTML page.
    const isStac = rawPath === '/stac' || rawPath.startsWith('/stac/');
    const special = rawPath === '/api' || rawPath.startsWith('/api/') || rawPath === '/metrics' || rawPath === '/events' || isStac;
    const refuse = (status: number, code: 'UNAUTHORIZED' | 'FORBIDDEN', message: string) =>
      sendJson(res, status, isStac ? stacErrorBody(code, message) : errorBody(code, message));
    // Routes that serve index.html answer refusals with a page a person can read; the rest with JSON.
    const isPage = !special && (method === 'GET' || method === 'HEAD') && resolveStaticPath(rawPath).kind === 'page';

    const g = gate(req, false);
    if (!g.ok) {
      if (g.status === 403 && isPage) return sendHtml(res, 403, forbiddenPage(g.message));
      return refuse(g.status, g.code, g.message);
    }
    // No CORS, ever: a preflight gets no Access-Control-* headers, so browsers refuse the real request.
    if (method === 'OPTIONS') return methodNotAllowed(res, rawPath.startsWith('/api/') ? 'POST' : 'GET, HEAD');
    if (!rawPath.startsWith('/')) return sendJson(res, 400, errorBody('BAD_INPUT', 'Only origin-form request targets are served.'));

    // The address printed by `tessera serve`: trade the token for a session cookie, then drop it from the address bar.
    if (rawPath === '/' && method === 'GET' && query.has('token')) {
      if (!tokenMatches(query.get('token') ?? undefined, token)) return sendHtml(res, 401, unauthorizedPage());
      res.setHeader('Set-Cookie', sessionCookie(token));
      res.setHeader('Location', '/');
      res.setHeader('Cache-Control', 'no-store');
      res.statusCode = 303;
      res.end();
      return;
    }

    if (g.auth === null) {
      if (isPage) return sendHtml(res, 401, unauthorizedPage());
      return refuse(401, 'UNAUTHORIZED', 'Open the URL printed by `tessera serve`, or send Authorization: Bearer <token>.');
    }

    if (rawPath.startsWith('/api/') || rawPath === '/api') return handleApi(req, res, rawPath.slice('/api/'.length));
    // The URL the routes see, built by parts: `new URL('//other/x', base)` would take "other" for the host.
    const routeUrl = () => {
      const url = new URL(originForHost(g.host));
      url.pathname = rawPath;
      url.search = q === -1 ? '' : raw.slice(q);
      return url;
    };
    if (o.uploadHandler && (rawPath === '/uploads' || rawPath.startsWith('/uploads/')) && (await o.uploadHandler(req, res, routeUrl()))) return;
    // Before the method check: /stac takes the Transactions extension's POST, PUT and DELETE too.
    if (o.stacHandler && (rawPath === '/stac' || rawPath.startsWith('/stac/')) && (await o.stacHandler(req, res, routeUrl()))) return;
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    if (rawPath === '/metrics') return handleMetrics(res, method);
    if (rawPath === '/events') return sendJson(res, 426, errorBody('BAD_INPUT', 'This is a WebSocket endpoint.'), { Upgrade: 'websocket' });
    if (o.tileHandler && (await o.tileHandler(req, res, routeUrl()))) return;
    return serveStatic(res, rawPath, method);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    // Requests change state, so they are never served by GET (a link or an <img> could fire one).
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    if (!isJsonContentType(req.headers['content-type'])) {
      return sendJson(res, 415, errorBody('BAD_INPUT', 'Content-Type must be application/json.'));
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return tooLarge(res);
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'aborted') return;
    if (body === 'too-large') return tooLarge(res);

    let input: unknown;
    try {
      input = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, errorBody('BAD_INPUT', 'The request body is not valid JSON.'));
    }
    const reply = await o.dispatch(name, input);
    sendJson(res, reply.ok ? 200 : httpStatusForError(reply.error.code), reply);
  }

  async function handleMetrics(res: http.ServerResponse, method: string): Promise<void> {
    const metrics = (await o.metrics?.()) ?? null;
    if (metrics === null) {
      log.debug('headless host: /metrics requested while metrics are disabled');
      return sendJson(res, 404, errorBody('NOT_FOUND', 'Metrics are switched off.', { path: '/metrics' }));
    }
    const { text, contentType } = metrics;
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
    res.end(method === 'HEAD' ? undefined : text);
  }

  // ------------------------------------------------------------------------------------------
  // WebSocket events

  const events = createEventStream({
    events: o.events,
    log,
    heartbeatMs: o.heartbeatIntervalMs ?? 30_000,
    maxBufferedBytes: o.maxBufferedBytes ?? 1024 * 1024,
    maxClients: o.maxEventClients ?? 32,
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const g = gate(req, true);
    if (!g.ok) return refuseUpgrade(socket, g.status, g.code, g.message);
    events.upgrade(req, socket, head, g.auth);
  });

  // ------------------------------------------------------------------------------------------
  // Listen

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: bindHost, port: o.port ?? DEFAULT_PORT }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    void events.close();
    throw error;
  }
  server.on('error', (error) => log.warn('headless host: server error', { error: String(error) }));

  const address = server.address() as AddressInfo;
  accepted = acceptedHosts(address.port, bindHost, o.allowedHosts);
  if (!isLoopbackHost(bindHost)) {
    log.warn('headless host: listening beyond loopback; anyone who can reach this address and has the token controls Tessera, over plain HTTP', {
      bind: bindHost,
      port: address.port,
      acceptedHosts: [...accepted],
    });
  }
  // A wildcard bind is still reachable on loopback, and 127.0.0.1 avoids localhost resolving to ::1 first.
  const urlName = isWildcardHost(bindHost) || bindHost.toLowerCase() === 'localhost' ? '127.0.0.1' : bindHost;
  const origin = originForHost(hostWithPort(urlName, address.port));
  log.info('headless host listening', { origin, bind: address.address });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port: address.port,
    token,
    address,
    close() {
      closing ??= (async () => {
        await events.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
