/**
 * The Electron shell's security policy as plain data and pure functions.
 *
 * Nothing here imports `electron` at run time (types only), so the tests check the policy under
 * plain Node. The Content-Security-Policy both shells send is in main/hosts/content-security-policy.ts.
 */
import path from 'node:path';
import type { HandlerDetails, WebPreferences, WindowOpenHandlerResponse } from 'electron';
import { APP_SCHEME as CSP_APP_SCHEME } from '../hosts/content-security-policy.js';

/** The privileged scheme the app is served from (registered in app-protocol.ts); the CSP names it. */
export const APP_SCHEME = CSP_APP_SCHEME;
/** The only host of that scheme; other hosts are refused everywhere. */
export const APP_HOST = 'app';
/** The app's origin: the only origin trusted to send IPC and the only place it may navigate to. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** What the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The webPreferences of every window: a sandboxed, context-isolated renderer without Node.
 * The page reaches the engine only through the preload's named functions.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  // Electron silently ignores a relative preload path, which would leave the window without an API.
  if (!path.isAbsolute(preloadPath)) throw new Error(`the preload path must be absolute: ${preloadPath}`);
  return {
    preload: preloadPath,
    // The preload's world (with ipcRenderer) stays separate from the page's world.
    contextIsolation: true,
    // The renderer runs in Chromium's OS sandbox; the preload gets only a small, Node-free set of APIs.
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // The spellchecker downloads dictionaries from Google's CDN; an ops console has no prose to check.
    spellcheck: false,
    // A file dropped on the window must not replace the app with that file.
    navigateOnDragDrop: false,
  };
}

// The Content-Security-Policy is shared with the headless host, which must import nothing from
// main/electron/: it lives in main/hosts/content-security-policy.ts and is re-exported here.
export { CONTENT_SECURITY_POLICY, CSP_DIRECTIVES } from '../hosts/content-security-policy.js';

/** Parses `url` if it is on the app origin (no credentials, no port); null for anything else. */
export function parseAppUrl(url: string): URL | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed;
}

/** True when `url` is a document of the app origin, the only origin allowed to call the engine. */
export function isTrustedSenderUrl(url: string): boolean {
  return parseAppUrl(url) !== null;
}

/** The parts of Electron's WebFrameMain the sender check reads. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * True when an IPC message comes from the top frame of an app document. A subframe is refused
 * even on the app origin: the app has no frames, so one can only be an injected one.
 * A null frame (already navigated away or destroyed) is refused.
 */
export function isTrustedSenderFrame(frame: SenderFrame | null | undefined): boolean {
  return frame != null && frame.parent === null && isTrustedSenderUrl(frame.url);
}

/** Navigation stays on the app origin; everything else is prevented. */
export function isAllowedNavigation(url: string): boolean {
  return isTrustedSenderUrl(url);
}

/** True for plain http(s) links without credentials: the only URLs handed to the system browser. */
export function isExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
}

/** Opens a URL outside the app (Electron's shell.openExternal in production). */
export type OpenExternal = (url: string) => Promise<void> | void;

/**
 * The handler for `window.open` and `target=_blank` links: never a new Electron window; an
 * http(s) link goes to the system browser instead. Other schemes (file:, custom protocol
 * handlers of other apps) are dropped, since opening them can run programs.
 */
export function windowOpenHandler(
  openExternal: OpenExternal,
  onError: (error: unknown) => void = () => {},
): (details: Pick<HandlerDetails, 'url'>) => WindowOpenHandlerResponse {
  return (details) => {
    if (isExternalLink(details.url)) openExternalSafely(openExternal, details.url, onError);
    return { action: 'deny' };
  };
}

/** Calls openExternal, routing both a throw and a rejection to onError. */
export function openExternalSafely(openExternal: OpenExternal, url: string, onError: (error: unknown) => void): void {
  try {
    void Promise.resolve(openExternal(url)).catch(onError);
  } catch (error) {
    onError(error);
  }
}

/**
 * The one permission the app itself may use: desktop notifications when a job finishes. Every
 * other permission, and any permission asked for by something that is not the app's own page,
 * is refused.
 */
const APP_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

/** Electron's permission-request handler: grants only APP_PERMISSIONS, only to tessera://app. */
export function answerPermissionRequest(
  _webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: { requestingUrl?: string },
): void {
  callback(APP_PERMISSIONS.has(permission) && isTrustedSenderUrl(details?.requestingUrl ?? ''));
}

/** The synchronous permission check (the request handler alone misses these), with the same rule. */
export function answerPermissionCheck(_webContents: unknown, permission: string, requestingOrigin: string): boolean {
  return APP_PERMISSIONS.has(permission) && requestingOrigin === APP_ORIGIN;
}

/** A path segment that is empty, a dot segment, or could step outside a directory once decoded. */
function isUnsafeSegment(segment: string): boolean {
  return segment === '' || segment === '.' || segment === '..' || /[/\\:\0]/.test(segment);
}

/**
 * Maps `tessera://app/<path>` to a file under the built renderer directory, or null.
 *
 * Refuses other schemes and hosts, credentials and ports, dot segments (raw or percent-encoded,
 * checked on the raw text because URL parsing would quietly resolve them), encoded slashes and
 * backslashes, drive letters, NUL bytes and malformed escapes, then checks that the resolved path
 * is still inside `rendererDir`. The bare origin and `/` serve index.html.
 */
export function resolveAppAsset(rendererDir: string, requestUrl: string): string | null {
  if (parseAppUrl(requestUrl) === null) return null;
  const prefix = `${APP_ORIGIN}/`;
  const end = requestUrl.search(/[?#]/);
  const withoutQuery = end === -1 ? requestUrl : requestUrl.slice(0, end);
  if (withoutQuery !== APP_ORIGIN && !withoutQuery.startsWith(prefix)) return null;
  const rawPath = withoutQuery.slice(prefix.length);
  if (rawPath === '') return path.join(path.resolve(rendererDir), 'index.html');

  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (isUnsafeSegment(raw)) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (isUnsafeSegment(decoded)) return null;
    segments.push(decoded);
  }

  const root = path.resolve(rendererDir);
  const file = path.resolve(root, ...segments);
  const relative = path.relative(root, file);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return null;
  return file;
}
