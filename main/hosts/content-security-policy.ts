/**
 * The Content-Security-Policy of every app document, in both shells: the Electron shell sends it
 * from its `tessera:` protocol handler (main/electron/app-protocol.ts), the headless host on every
 * HTTP response (http-security.ts, which adds its own WebSocket origin to connect-src).
 *
 * It lives here, outside main/electron/, so that the headless host imports nothing from the
 * Electron shell. Plain data: no Node API, no `electron`.
 */

/** The privileged scheme the Electron shell serves the app from (registered in main/electron/app-protocol.ts). */
export const APP_SCHEME = 'tessera';

/**
 * The Content-Security-Policy directives of every app document, one entry per directive.
 *
 * - style-src allows 'unsafe-inline' because maplibre-gl sets inline styles on its canvas, markers
 *   and controls (and injects a style element); scripts stay strictly 'self'.
 * - worker-src allows blob: because maplibre-gl may start its worker from a blob: URL.
 * - img-src and connect-src also name the `tessera:` scheme, leaving room for data served on another
 *   host of the app's own scheme; the protocol handler decides what exists (today only
 *   tessera://app). Nothing remote is ever allowed: the console works offline.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:', `${APP_SCHEME}:`],
  'connect-src': ["'self'", `${APP_SCHEME}:`],
  'worker-src': ["'self'", 'blob:'],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
});

/** The policy as a header value; the headless host sends the same one (plus its ws: origin). */
export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
  .join('; ');
