import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { secureWebPreferences } from './security.js';
import { createMainWindow, hardenWebContents, mainWindowOptions } from './window.js';

const PRELOAD = path.resolve('/opt/tessera/dist/preload/electron-preload.cjs');

/** An Electron event: preventDefault records itself. */
function navEvent(url: string, isMainFrame = true) {
  return {
    url,
    isMainFrame,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

/** Stand-ins for the parts of BrowserWindow, WebContents and Session the window module uses. */
class FakeContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
  readonly session = {
    requestHandler: null as null | ((...args: unknown[]) => void),
    checkHandler: null as null | ((...args: unknown[]) => boolean),
    setPermissionRequestHandler(handler: (...args: unknown[]) => void) {
      this.requestHandler = handler;
    },
    setPermissionCheckHandler(handler: (...args: unknown[]) => boolean) {
      this.checkHandler = handler;
    },
  };
}

class FakeWindow extends EventEmitter {
  static created: FakeWindow[] = [];
  readonly webContents = new FakeContents();
  loaded: string[] = [];
  shown = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeWindow.created.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
}

function openFakeWindow(opened: string[] = []) {
  const blocked: string[] = [];
  const window = createMainWindow(FakeWindow as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow, {
    preloadPath: PRELOAD,
    openExternal: (url) => {
      opened.push(url);
    },
    onBlocked: (what) => blocked.push(what),
  });
  const fake = FakeWindow.created.at(-1)!;
  assert.equal(window as unknown, fake);
  return { fake, blocked, opened };
}

test('main window options: 1280×800, hidden until ready, secure preferences', () => {
  const options = mainWindowOptions(PRELOAD);
  assert.equal(options.width, 1280);
  assert.equal(options.height, 800);
  assert.ok(options.minWidth! > 0 && options.minWidth! <= 1280);
  assert.ok(options.minHeight! > 0 && options.minHeight! <= 800);
  assert.equal(options.show, false);
  assert.deepEqual(options.webPreferences, secureWebPreferences(PRELOAD));
  assert.equal(options.icon, undefined, 'no icon given: Electron keeps its default');
  assert.equal(mainWindowOptions(PRELOAD, '/app/assets/icons/256x256.png').icon, '/app/assets/icons/256x256.png');
});

test('createMainWindow: builds with the options, loads the app, shows when ready', () => {
  const { fake } = openFakeWindow();
  assert.deepEqual(fake.options, mainWindowOptions(PRELOAD));
  assert.deepEqual(fake.loaded, ['tessera://app/index.html']);
  assert.equal(fake.shown, false);
  fake.emit('ready-to-show');
  assert.equal(fake.shown, true);
});

test('createMainWindow: permission requests and checks are denied', () => {
  const { fake } = openFakeWindow();
  const { requestHandler, checkHandler } = fake.webContents.session;
  assert.ok(requestHandler && checkHandler);
  let granted: boolean | undefined;
  requestHandler(fake.webContents, 'media', (g: boolean) => (granted = g), {});
  assert.equal(granted, false);
  assert.equal(checkHandler(fake.webContents, 'geolocation', 'tessera://app', {}), false);
});

test('createMainWindow: navigation off the app is prevented; web links open in the browser', () => {
  const { fake, blocked, opened } = openFakeWindow();
  const contents = fake.webContents;

  const inApp = navEvent('tessera://app/index.html');
  contents.emit('will-navigate', inApp);
  assert.equal(inApp.defaultPrevented, false);

  const web = navEvent('https://maplibre.org/');
  contents.emit('will-navigate', web);
  assert.equal(web.defaultPrevented, true);
  assert.deepEqual(opened, ['https://maplibre.org/']);

  const file = navEvent('file:///etc/passwd');
  contents.emit('will-navigate', file);
  assert.equal(file.defaultPrevented, true);
  assert.deepEqual(opened, ['https://maplibre.org/'], 'file: is never opened externally');

  const redirect = navEvent('https://evil.example/');
  contents.emit('will-redirect', redirect);
  assert.equal(redirect.defaultPrevented, true);

  const subframe = navEvent('https://evil.example/', false);
  contents.emit('will-frame-navigate', subframe);
  assert.equal(subframe.defaultPrevented, true);

  const webview = navEvent('');
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.defaultPrevented, true);

  assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://example.com/' }), { action: 'deny' });
  assert.deepEqual(contents.windowOpenHandler?.({ url: 'tessera://app/index.html' }), { action: 'deny' });
  assert.deepEqual(opened, ['https://maplibre.org/', 'https://example.com/']);
  assert.deepEqual(blocked, ['will-navigate', 'will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']);
});

test('hardenWebContents is idempotent (main.ts also applies it on web-contents-created)', () => {
  const contents = new FakeContents();
  const hooks = { openExternal: () => {} };
  hardenWebContents(contents as never, hooks);
  hardenWebContents(contents as never, hooks);
  assert.equal(contents.listenerCount('will-navigate'), 1);
  assert.equal(contents.listenerCount('will-redirect'), 1);
  assert.equal(contents.listenerCount('will-attach-webview'), 1);
});

test('a failed page load is reported, not thrown', async () => {
  const failures: unknown[] = [];
  class FailingWindow extends FakeWindow {
    override loadURL(): Promise<void> {
      return Promise.reject(new Error('ERR_FILE_NOT_FOUND'));
    }
  }
  createMainWindow(FailingWindow as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow, {
    preloadPath: PRELOAD,
    openExternal: () => {},
    onLoadFailed: (e) => failures.push(e),
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(failures.length, 1);
});
