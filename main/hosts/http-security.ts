/**
 * The headless host's security decisions as pure functions: which Host and Origin a request may
 * carry, whether its token is right, which file a path may name, and the headers every response gets.
 *
 * The host (headless-host.ts) only wires these to sockets, so each rule is unit-tested here on its
 * own. The threat model: any web page the user visits can make their browser send requests to
 * loopback (CSRF, DNS rebinding, cross-site WebSockets), and any local user or process can connect
 * to the port. The per-launch token stops the second; Host, Origin and Fetch Metadata checks the first.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { ErrorCode } from '../../shared/errors.js';
import { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES } from './content-security-policy.js';

/** Where the host binds unless told otherwise: loopback only. */
export const DEFAULT_BIND_HOST = '127.0.0.1';
/** The default port (0 picks any free port). */
export const DEFAULT_PORT = 7340;
/** The session cookie set by GET /?token=… */
export const SESSION_COOKIE = 'tessera_session';
/** The largest request body accepted (JSON requests are small; a larger one is an attack or a bug). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A fresh session token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares a presented token with the real one in constant time.
 * Both are hashed first so that timingSafeEqual sees equal lengths and the length of the real
 * token does not leak either.
 */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined || presented === '' || token === '') return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Every value of cookie `name` in a Cookie header (another local site may have tossed in extra ones). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** How a request proved it knows the token; null when it did not. */
export type AuthKind = 'bearer' | 'cookie' | null;

/** Checks the Bearer header first (scripts), then every session cookie (browsers). */
export function authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }, token: string): AuthKind {
  if (tokenMatches(bearerToken(headers.authorization), token)) return 'bearer';
  if (cookieValues(headers.cookie, SESSION_COOKIE).some((value) => tokenMatches(value, token))) return 'cookie';
  return null;
}

/** The Set-Cookie value that turns the URL's token into a session: not readable by scripts, never sent cross-site. */
export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

// ---------------------------------------------------------------------------------------------
// Host and Origin

/** True for addresses and names that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** True for the bind-everything addresses. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** `name:port` as it appears in a Host header; IPv6 literals get their brackets. */
export function hostWithPort(name: string, port: number): string {
  const bare = name.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/**
 * The Host header values the host answers to: the three loopback spellings, the address it was
 * told to bind (when it is a specific address rather than a wildcard), and each allowed host.
 * An allowed host entry is a name (`tessera.lan`), given the server's port, or a `name:port`
 * (e.g. behind a port mapping) taken as it is. Everything else is refused, which defeats DNS
 * rebinding: a page on evil.example re-pointed at 127.0.0.1 still sends `Host: evil.example:PORT`.
 */
export function acceptedHosts(port: number, bindHost: string, allowedHosts: readonly string[] = []): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '::1'];
  if (!isWildcardHost(bindHost)) names.push(bindHost);
  const set = new Set<string>();
  for (const name of names) set.add(hostWithPort(name, port));
  for (const entry of allowedHosts) {
    const e = entry.trim().toLowerCase();
    if (e === '') continue;
    // `name:port` or `[v6]:port` carries its own port; a bare name or IPv6 literal gets ours.
    if (/^[^:]+:\d+$/.test(e) || /^\[[^\]]+\]:\d+$/.test(e)) set.add(e);
    else set.add(hostWithPort(e, port));
  }
  // Browsers leave out the default port, so on port 80 `Host: localhost` means `localhost:80`.
  if (port === 80) for (const h of [...set]) if (h.endsWith(':80')) set.add(h.slice(0, -3));
  return set;
}

/** The Host header normalised for comparison, or null when it is missing or malformed. */
export function normaliseHostHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const h = header.trim().toLowerCase();
  if (h === '' || h.length > 255 || /[\s/@\\?#,]/.test(h)) return null;
  return h;
}

/** True when the Host header is exactly one the host answers to. */
export function isAcceptedHost(header: string | undefined, accepted: ReadonlySet<string>): boolean {
  const h = normaliseHostHeader(header);
  return h !== null && accepted.has(h);
}

/** The origin a page served under this (already accepted) Host has; the default port is left out as browsers do. */
export function originForHost(host: string): string {
  return `http://${host.endsWith(':80') ? host.slice(0, -3) : host}`;
}

/** What the Origin and Fetch Metadata checks need to know about a request. */
export interface OriginFacts {
  method: string;
  /** The accepted, normalised Host header. */
  host: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  secFetchMode: string | undefined;
  /** A WebSocket upgrade: browsers let any page open one, so Origin is required. */
  upgrade: boolean;
  auth: AuthKind;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides whether a request may come from where it says it comes from.
 *
 * - `Sec-Fetch-Site: cross-site` is refused outright (another site's page made the browser send it).
 * - `same-site` (another port of localhost is the same site) is refused unless it is a top-level
 *   navigation, which is no more than the user following a link.
 * - An Origin header, when present, must be this server's own origin for the Host used.
 * - A WebSocket upgrade must carry an Origin: the same-origin policy does not cover WebSockets.
 * - A state-changing request authenticated by cookie must carry an Origin: browsers always send
 *   one on POST, so a missing Origin there means something is stripping it. Bearer clients
 *   (scripts, the CLI) are not browsers and cannot be driven by a web page, so they may omit it.
 */
export function checkOrigin(f: OriginFacts): Verdict {
  const site = f.secFetchSite?.toLowerCase();
  if (site === 'cross-site') return { ok: false, reason: 'cross-site request (Sec-Fetch-Site)' };
  if (site === 'same-site' && (f.upgrade || f.secFetchMode?.toLowerCase() !== 'navigate')) {
    return { ok: false, reason: 'request from another origin of the same site (Sec-Fetch-Site)' };
  }
  if (f.origin !== undefined) {
    const expected = originForHost(f.host);
    if (f.origin.trim().toLowerCase() !== expected) return { ok: false, reason: `origin ${f.origin.slice(0, 100)} is not ${expected}` };
    return { ok: true };
  }
  if (f.upgrade) return { ok: false, reason: 'WebSocket upgrade without Origin' };
  if (!SAFE_METHODS.has(f.method.toUpperCase()) && f.auth === 'cookie') return { ok: false, reason: `${f.method} with a session cookie but no Origin` };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Static files

/** What a request path names in the renderer directory. */
export type StaticTarget =
  /** A file, as path segments below the renderer directory. */
  | { kind: 'file'; segments: string[] }
  /** A client-side route (no file extension): serve index.html. */
  | { kind: 'page' }
  /** A path that could step outside the directory or names a hidden file: never served. */
  | { kind: 'refused'; reason: string };

/**
 * Maps a raw request path (before any URL normalisation, which would quietly resolve `..`) to a
 * file below the renderer directory. Each segment is percent-decoded and refused when it is a dot
 * segment, holds a slash, backslash, colon or NUL once decoded, or starts with a dot (hidden
 * files such as .env are never part of a build). Empty segments (`//`) are skipped.
 */
export function resolveStaticPath(rawPath: string): StaticTarget {
  if (!rawPath.startsWith('/')) return { kind: 'refused', reason: 'not an origin-form path' };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    if (raw === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return { kind: 'refused', reason: 'malformed percent-encoding' };
    }
    if (decoded.startsWith('.') || /[/\\:\0]/.test(decoded)) return { kind: 'refused', reason: `unsafe path segment ${JSON.stringify(decoded.slice(0, 50))}` };
    segments.push(decoded);
  }
  const last = segments.at(-1);
  if (last === undefined) return { kind: 'page' };
  return last.includes('.') ? { kind: 'file', segments } : { kind: 'page' };
}

/** True when `file` (already resolved) lies strictly inside `root` (already resolved). */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The Content-Type of a file by extension; unknown types are plain bytes (nosniff keeps them inert). */
export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Cache-Control for a renderer file: Vite puts content-hashed files under assets/, so they never
 * change and can be cached for a year; anything else (index.html above all) is revalidated so a
 * new build shows at once. `private`: every response here is behind the session token.
 */
export function cacheControlFor(segments: readonly string[]): string {
  return segments[0] === 'assets' && segments.length > 1 ? 'private, max-age=31536000, immutable' : 'no-cache';
}

// ---------------------------------------------------------------------------------------------
// Response headers

/**
 * The Content-Security-Policy both shells send (content-security-policy.ts), with the host's own
 * WebSocket origin added to connect-src: older Safari and Firefox do not let 'self' match ws:.
 */
export function contentSecurityPolicy(host: string | null): string {
  if (host === null) return CONTENT_SECURITY_POLICY;
  const ws = `ws://${host}`;
  return Object.entries(CSP_DIRECTIVES)
    .map(([directive, sources]) => `${directive} ${(directive === 'connect-src' ? [...sources, ws] : sources).join(' ')}`)
    .join('; ');
}

/** Headers sent on every response, errors included. There are deliberately no Access-Control-* headers. */
export function securityHeaders(host: string | null): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** True for `application/json`, with or without parameters such as charset. */
export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The HTTP status of a failed contract reply, by its error code. */
export function httpStatusForError(code: ErrorCode): number {
  switch (code) {
    case 'BAD_INPUT':
    case 'BAD_CURSOR':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'UNKNOWN_REQUEST':
      return 404;
    case 'ILLEGAL_TRANSITION':
    case 'CONFLICT':
    case 'DATA_DIR_LOCKED':
      return 409;
    case 'ENGINE_RESTARTING':
    case 'ENGINE_STOPPED':
      return 503;
    default:
      return 500;
  }
}
