/**
 * The headless host: serves the contract and the built renderer to a browser over loopback HTTP,
 * so Tessera can run on a server (or without Electron) and be opened in a browser.
 *
 * Requests: `POST /api/<request name>` with a JSON body, answered with the dispatcher's Reply.
 * Events: a WebSocket at `/events` pushing `{ event, payload }` for every engine event.
 * Also `/metrics` (Prometheus text) and the renderer's static files.
 *
 * Every request and upgrade goes through the same gate, in this order: Host header (DNS
 * rebinding), Origin and Fetch Metadata (CSRF, cross-site WebSockets), then the per-launch token
 * (a session cookie for the browser, a Bearer header for scripts). The decisions themselves are
 * pure functions in http-security.ts.
 */
import { createLogger } from '../logging/logger.js';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SerializedError } from '../../shared/errors.js';
import type { EventBus } from '../engine/event-bus.js';
import type { Dispatcher } from '../engine/handlers.js';
import {
  type AuthKind,
  DEFAULT_BIND_HOST,
  DEFAULT_PORT,
  MAX_BODY_BYTES,
  acceptedHosts,
  authenticate,
  cacheControlFor,
  checkOrigin,
  contentTypeFor,
  generateToken,
  hostWithPort,
  httpStatusForError,
  isAcceptedHost,
  isInside,
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

/** The logger the host writes to; the engine's Logger fits. */
export interface HostLogger {
  info(message: string, data?: object): void;
  warn(message: string, data?: object): void;
  debug(message: string, data?: object): void;
}

export interface HeadlessHostOptions {
  dispatch: Dispatcher;
  events: EventBus;
  /** Prometheus metrics for /metrics; without it (or while `enabled()` is false) /metrics is 404. */
  metrics?: { registry: Registry; enabled: () => boolean };
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

const JSON_TYPE = 'application/json; charset=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Without a logger of the caller's: warnings as the engine logs them (structured, secrets redacted). */
const defaultLogger: HostLogger = createLogger('warn');

/** Starts the host and resolves once it listens. */
export async function startHeadlessHost(o: HeadlessHostOptions): Promise<HeadlessHost> {
  const bindHost = o.host ?? DEFAULT_BIND_HOST;
  const token = o.token ?? generateToken();
  if (token.length < 16) throw new Error('the headless host token must be at least 16 characters');
  const log = o.logger ?? defaultLogger;
  const rendererDir = path.resolve(o.rendererDir);
  const heartbeatMs = o.heartbeatIntervalMs ?? 30_000;
  const maxBuffered = o.maxBufferedBytes ?? 1024 * 1024;
  const maxClients = o.maxEventClients ?? 32;

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
    const special = rawPath === '/api' || rawPath.startsWith('/api/') || rawPath === '/metrics' || rawPath === '/events';
    // Routes that serve index.html answer refusals with a page a person can read; the rest with JSON.
    const isPage = !special && (method === 'GET' || method === 'HEAD') && resolveStaticPath(rawPath).kind === 'page';

    const g = gate(req, false);
    if (!g.ok) {
      if (g.status === 403 && isPage) return sendHtml(res, 403, forbiddenPage(g.message));
      return sendJson(res, g.status, errorBody(g.code, g.message));
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
      return sendJson(res, 401, errorBody('UNAUTHORIZED', 'Open the URL printed by `tessera serve`, or send Authorization: Bearer <token>.'));
    }

    if (rawPath.startsWith('/api/') || rawPath === '/api') return handleApi(req, res, rawPath.slice('/api/'.length));
    if (o.uploadHandler && (rawPath === '/uploads' || rawPath.startsWith('/uploads/'))) {
      const url = new URL(originForHost(g.host));
      url.pathname = rawPath;
      url.search = q === -1 ? '' : raw.slice(q);
      if (await o.uploadHandler(req, res, url)) return;
    }
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    if (rawPath === '/metrics') return handleMetrics(res, method);
    if (rawPath === '/events') return sendJson(res, 426, errorBody('BAD_INPUT', 'This is a WebSocket endpoint.'), { Upgrade: 'websocket' });
    if (o.tileHandler) {
      // Built by parts: `new URL('//other/x', base)` would take "other" for the host.
      const url = new URL(originForHost(g.host));
      url.pathname = rawPath;
      url.search = q === -1 ? '' : raw.slice(q);
      if (await o.tileHandler(req, res, url)) return;
    }
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
    if (!o.metrics || !o.metrics.enabled()) {
      log.debug('headless host: /metrics requested while metrics are disabled');
      return sendJson(res, 404, errorBody('NOT_FOUND', 'Metrics are switched off.', { path: '/metrics' }));
    }
    const text = await o.metrics.registry.metrics();
    res.writeHead(200, { 'Content-Type': o.metrics.registry.contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
    res.end(method === 'HEAD' ? undefined : text);
  }

  async function serveStatic(res: http.ServerResponse, rawPath: string, method: string): Promise<void> {
    const target = resolveStaticPath(rawPath);
    if (target.kind === 'refused') {
      log.debug('headless host: refused static path', { path: rawPath.slice(0, 200), reason: target.reason });
      return sendJson(res, 404, errorBody('NOT_FOUND', 'No such file.', { path: (rawPath ?? '').slice(0, 200) }));
    }
    const segments = target.kind === 'page' ? ['index.html'] : target.segments;
    const file = path.join(rendererDir, ...segments);
    let root: string;
    let real: string;
    let size: number;
    try {
      // Confine by real path as well, so a symlink inside the build cannot lead out of it.
      root = await realpath(rendererDir);
      real = await realpath(file);
      const info = await stat(real);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      size = info.size;
    } catch {
      if (target.kind === 'page') return sendHtml(res, 503, notBuiltPage());
      return sendJson(res, 404, errorBody('NOT_FOUND', 'No such file.', { path: (rawPath ?? '').slice(0, 200) }));
    }
    if (!isInside(root, real)) return sendJson(res, 404, errorBody('NOT_FOUND', 'No such file.', { path: (rawPath ?? '').slice(0, 200) }));

    res.writeHead(200, { 'Content-Type': contentTypeFor(real), 'Content-Length': size, 'Cache-Control': cacheControlFor(segments) });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(real), res);
  }

  // ------------------------------------------------------------------------------------------
  // WebSocket events

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const g = gate(req, true);
    if (!g.ok) return refuseUpgrade(socket, g.status, g.code, g.message);
    const rawPath = (req.url ?? '').split('?')[0];
    if (rawPath !== '/events')
      return refuseUpgrade(socket, 404, 'NOT_FOUND', 'WebSockets are served at /events only.', { path: (rawPath ?? '').slice(0, 200) });
    if (g.auth === null) return refuseUpgrade(socket, 401, 'UNAUTHORIZED', 'Open the URL printed by `tessera serve` first.');
    if (wss.clients.size >= maxClients) return refuseUpgrade(socket, 503, 'INTERNAL', 'Too many event connections.');
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      // Requests go over POST; anything a client sends here is read and dropped.
      ws.on('error', (error) => log.debug('headless host: event client error', { error: String(error) }));
    });
  });

  // One subscription for all clients: each event is serialised once, however many tabs are open.
  const unsubscribe = o.events.onAny((event, payload) => {
    if (wss.clients.size === 0) return;
    const frame = JSON.stringify({ event, payload });
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A stuck tab must not grow our memory: drop it, and it reconnects and refetches when it wakes.
      if (ws.bufferedAmount > maxBuffered) {
        log.warn('headless host: dropping a slow event client', { bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      ws.send(frame);
    }
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        log.debug('headless host: terminating an unresponsive event client');
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

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
    clearInterval(heartbeat);
    unsubscribe();
    wss.close();
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
        clearInterval(heartbeat);
        unsubscribe();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function errorBody(code: SerializedError['code'], message: string, details?: unknown): { ok: false; error: SerializedError } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...extra, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': HTML_TYPE, 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store' });
  res.end(html);
}

function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  sendJson(res, 405, errorBody('BAD_INPUT', 'Method not allowed.'), { Allow: allow });
}

function tooLarge(res: http.ServerResponse): void {
  // The rest of the body is not read: close the connection instead of draining it.
  res.setHeader('Connection', 'close');
  sendJson(res, 413, errorBody('BAD_INPUT', `The request body is larger than ${MAX_BODY_BYTES} bytes.`));
}

/** The body; 'too-large' as soon as it grows past `limit` (the rest is not read); 'aborted' if the client went away. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    // A promise resolves once, so these are no-ops after 'end' or 'too-large'.
    req.once('error', () => resolve('aborted'));
    req.once('close', () => resolve('aborted'));
  });
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

/** Answers a refused upgrade with a plain HTTP response on the raw socket, then closes it. */
function refuseUpgrade(socket: Duplex, status: number, code: SerializedError['code'], message: string, details?: unknown): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message, details));
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      `Content-Type: ${JSON_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Cache-Control: no-store\r\n' +
      '\r\n' +
      body,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – Tessera</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function unauthorizedPage(): string {
  return page(
    'Sign-in needed',
    '<p>This Tessera console needs its access token.</p><p>Open the full URL printed by <code>tessera serve</code> (it ends in <code>?token=…</code>). The token changes every time the server starts.</p>',
  );
}

function forbiddenPage(message: string): string {
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return page('Refused', `<p>${escaped}</p><p>Open the URL printed by <code>tessera serve</code> by pasting it into the address bar.</p>`);
}

function notBuiltPage(): string {
  return page('Console not built', '<p>The renderer has not been built, so there is no page to serve.</p><p>Run <code>npm run build</code> and reload.</p>');
}
