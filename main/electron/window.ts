/**
 * The main window and the hardening every web contents and session gets.
 *
 * Electron is passed in (the BrowserWindow class, the objects to harden) instead of imported, so
 * this module loads under plain Node and its wiring is tested with stand-ins; main.ts is the one
 * file that imports `electron` at run time.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import {
  APP_ENTRY_URL,
  type OpenExternal,
  answerPermissionCheck,
  answerPermissionRequest,
  isAllowedNavigation,
  isExternalLink,
  openExternalSafely,
  secureWebPreferences,
  windowOpenHandler,
} from './security.js';

/** The main window's options: a 1280×800 window that shows once its first paint is ready. */
export function mainWindowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    ...(iconPath !== undefined && { icon: iconPath }),
    width: 1280,
    height: 800,
    // Below this the job table and the map no longer fit side by side.
    minWidth: 900,
    minHeight: 600,
    title: 'Tessera',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** What the hardening calls out to: the system browser and a log of what it blocked. */
export interface HardeningHooks {
  /** Hands an http(s) link to the system browser. */
  openExternal: OpenExternal;
  /** Told about prevented navigations and failed external opens. */
  onBlocked?: (what: string, detail: Record<string, unknown>) => void;
}

const hardened = new WeakSet<object>();

/**
 * Applies the navigation policy to a web contents: no new windows (http(s) links open in the
 * system browser), no navigation or redirect off the app origin in any frame, no <webview>.
 * Idempotent, because main.ts applies it to every contents on 'web-contents-created' and the main
 * window applies it to its own.
 */
export function hardenWebContents(contents: Pick<WebContents, 'setWindowOpenHandler' | 'on'>, hooks: HardeningHooks): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const blocked = hooks.onBlocked ?? (() => {});
  const onOpenError = (error: unknown) => blocked('open-external-failed', { error: String(error) });

  contents.setWindowOpenHandler(windowOpenHandler(hooks.openExternal, onOpenError));

  contents.on('will-navigate', (event) => {
    if (isAllowedNavigation(event.url)) return;
    event.preventDefault();
    blocked('will-navigate', { url: event.url });
    // A plain link to a web page should still open, just not inside the app.
    if (isExternalLink(event.url)) openExternalSafely(hooks.openExternal, event.url, onOpenError);
  });
  contents.on('will-frame-navigate', (event) => {
    if (isAllowedNavigation(event.url)) return;
    event.preventDefault();
    blocked('will-frame-navigate', { url: event.url, isMainFrame: event.isMainFrame });
  });
  contents.on('will-redirect', (event) => {
    if (isAllowedNavigation(event.url)) return;
    event.preventDefault();
    blocked('will-redirect', { url: event.url });
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    blocked('will-attach-webview', {});
  });
}

/** Denies every permission request and check of a session. */
export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler(answerPermissionRequest);
  session.setPermissionCheckHandler(answerPermissionCheck);
}

/** Options of createMainWindow. */
export interface MainWindowOptions extends HardeningHooks {
  /** Absolute path of the bundled preload (dist/preload/electron-preload.cjs). */
  preloadPath: string;
  /** The window's icon file (shellPaths().windowIcon); none leaves Electron's default. */
  iconPath?: string;
  /** Told when the app page fails to load (the window stays, showing nothing). */
  onLoadFailed?: (error: unknown) => void;
}

/** Creates, hardens and loads the main window. Pass Electron's BrowserWindow class. */
export function createMainWindow(
  BrowserWindowClass: new (options: BrowserWindowConstructorOptions) => BrowserWindow,
  options: MainWindowOptions,
): BrowserWindow {
  const window = new BrowserWindowClass(mainWindowOptions(options.preloadPath, options.iconPath));
  hardenSession(window.webContents.session);
  hardenWebContents(window.webContents, options);
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => options.onLoadFailed?.(error));
  return window;
}
