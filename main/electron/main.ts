/**
 * The Electron entry (package.json "main": dist/main/electron/main.js).
 *
 * The only main-process module that imports `electron` at run time: it hands Electron's objects
 * to the shell modules, which hold the logic and are tested under plain Node. Order matters here:
 * the scheme and the sandbox are set before `ready`, the engine opens before any window exists,
 * and quitting waits for the engine to close so that no job is left half-written.
 */
import { BrowserWindow, Menu, Tray, app, dialog, ipcMain, protocol, safeStorage, session, shell, utilityProcess } from 'electron';
import { defaultDataDir } from '../engine/data-dir.js';
import { engineEntryFile } from '../engine-process/node-launcher.js';
import { EngineSupervisor } from '../engine-process/supervisor.js';
import { utilityLauncher } from './utility-launcher.js';
import { createLogger } from '../logging/logger.js';
import { createDispatcher } from '../engine/handlers.js';
import { type ClientChannel, offerClientChannel } from '../hosts/client-channel.js';
import { registerAppScheme, serveAppProtocol } from './app-protocol.js';
import { registerDesktopHost } from './desktop-host.js';
import { registerIpcHost } from './ipc-host.js';
import { safeStorageCipher } from './safe-storage-cipher.js';
import { buildMenuTemplate } from './menu.js';
import { shellPaths } from './paths.js';
import { TaskbarProgress } from './taskbar-progress.js';
import { createTileAppRoute } from './tile-route.js';
import { createStacAppRoute } from './stac-route.js';
import { buildTrayMenu, trayTooltip } from './tray.js';
import { BasemapTiles, withBasemap } from '../hosts/basemap-tiles.js';
import { type HardeningHooks, createMainWindow, hardenSession, hardenWebContents } from './window.js';

/** How long quitting waits for the engine before giving up (its lock is taken over when stale). */
const ENGINE_CLOSE_TIMEOUT_MS = 15_000;

const logger = createLogger();
const paths = shellPaths();

// Every renderer is sandboxed, including any web contents the window options do not cover.
app.enableSandbox();
// Privileges can only be registered before `ready`.
registerAppScheme(protocol);

if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another Tessera owns the data directory; it brings its window forward on 'second-instance'.
  app.quit();
}

function start(): void {
  let engine: EngineSupervisor | null = null;
  let window: BrowserWindow | null = null;
  let disposeIpc: (() => void) | null = null;
  let taskbar: TaskbarProgress | null = null;
  let tray: Tray | null = null;
  let channel: ClientChannel | null = null;
  let quitState: 'running' | 'closing-engine' | 'ready-to-quit' = 'running';

  const hooks: HardeningHooks = {
    openExternal: (url) => shell.openExternal(url),
    onBlocked: (what, detail) => logger.warn(`blocked ${what}`, detail),
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, hooks));

  app.on('second-instance', () => {
    if (window === null) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (engine !== null && window === null) openWindow();
  });

  app.on('before-quit', (event) => {
    if (engine === null || quitState === 'ready-to-quit') return;
    event.preventDefault();
    if (quitState === 'closing-engine') return;
    quitState = 'closing-engine';
    const closing = engine;
    disposeIpc?.();
    disposeIpc = null;
    taskbar?.close();
    taskbar = null;
    tray?.destroy();
    tray = null;
    const offered = channel;
    channel = null;
    // The connection file goes first: a command started now opens the directory once it is free.
    Promise.resolve(offered?.close())
      .catch((error: unknown) => logger.warn('the CLI channel did not close cleanly', { error: String(error) }))
      .then(() => closeWithin(closing, ENGINE_CLOSE_TIMEOUT_MS))
      .catch((error: unknown) => logger.error('engine did not close cleanly', { error: String(error) }))
      .finally(() => {
        engine = null;
        quitState = 'ready-to-quit';
        app.quit();
      });
  });

  /** The tray icon and its menu, kept in step with the queue; the app works on without one (some Linux desktops have no tray). */
  function startTray(opened: EngineSupervisor): void {
    try {
      tray = new Tray(paths.trayIcon);
    } catch (error) {
      logger.warn('no tray icon', { error: String(error) });
      return;
    }
    const actions = {
      show: () => {
        if (window === null) openWindow();
        else {
          if (window.isMinimized()) window.restore();
          window.show();
          window.focus();
        }
      },
      pause: () => void opened.handlers['queue.pause']({}),
      resume: () => void opened.handlers['queue.resume']({}),
      quit: () => app.quit(),
    };
    const update = (queue: Awaited<ReturnType<EngineSupervisor['handlers']['queue.get']>>) => {
      if (tray === null || tray.isDestroyed()) return;
      tray.setToolTip(trayTooltip(queue));
      tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(queue, actions)));
    };
    void Promise.resolve(opened.handlers['queue.get']({})).then(update, (error: unknown) =>
      logger.warn('no queue state for the tray', { error: String(error) }),
    );
    opened.events.on('queue.changed', update);
    tray.on('click', actions.show);
  }

  function openWindow(): void {
    const created = createMainWindow(BrowserWindow, {
      ...hooks,
      preloadPath: paths.preload,
      iconPath: paths.windowIcon,
      onLoadFailed: (error) => logger.error('the app page failed to load', { error: String(error) }),
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    // Looking at the window is seeing a failure the taskbar showed in red.
    created.on('focus', () => taskbar?.acknowledge());
    window = created;
  }

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      serveAppProtocol(protocol, {
        rendererDir: paths.rendererDir,
        // The engine opens after the scheme is served: until then (and after quit) no cache is open.
        // The basemap is served whether or not the engine is open: it is a file of the app's own.
        routes: [
          createTileAppRoute(withBasemap({ tile: (id, z, x, y) => engine?.tile(id, z, x, y) ?? Promise.resolve(null) }, new BasemapTiles())),
          createStacAppRoute(() => engine?.handlers ?? null),
        ],
        onError: (error, url) => logger.error('tessera: request failed', { url, error: String(error) }),
      });

      // The engine runs in a utility process of its own (main/engine-process/): GDAL, the store's
      // writes and the worker pool stay off this process, which keeps the window responsive, and
      // a crash there restarts the engine instead of closing the app.
      const supervisor = new EngineSupervisor({
        launch: utilityLauncher(utilityProcess, engineEntryFile()),
        engine: { dataDir: dataDir(), host: 'electron', holder: 'Tessera desktop app', version: app.getVersion() },
        logger,
        // Server credentials are sealed by the OS keychain on the desktop (a key file only without
        // one): safeStorage is the main process's, so the engine process asks it through the channel.
        cipher: safeStorageCipher(safeStorage, dataDir(), (message) => logger.warn(message)),
      });
      try {
        await supervisor.start();
        engine = supervisor;
      } catch (error) {
        fail(error);
        return;
      }

      const opened = engine;
      const disposeContract = registerIpcHost({
        ipcMain,
        dispatch: createDispatcher(opened.handlers, (error, name) => logger.error(`request ${name} failed`, { error: String(error) })),
        events: opened.events,
        eventTarget: () => (window !== null && !window.isDestroyed() ? window.webContents : null),
        onRefused: (detail) => logger.warn('refused IPC from an untrusted frame', detail),
      });
      const disposeDesktop = registerDesktopHost({
        ipcMain,
        dialog,
        shell,
        window: () => (window !== null && !window.isDestroyed() ? window : null),
        assertPath: (field, path) => opened.assertPaths([{ field, path }]),
        onRefused: (detail) => logger.warn('refused a desktop request from an untrusted frame', detail),
      });
      disposeIpc = () => {
        disposeContract();
        disposeDesktop();
      };
      taskbar = new TaskbarProgress({
        events: opened.events,
        set: ({ value, mode }) => {
          if (window !== null && !window.isDestroyed()) window.setProgressBar(value, { mode });
        },
      });
      startTray(opened);
      // `tessera` commands run beside the app go through its engine (the CLI's client mode) instead
      // of failing with DATA_DIR_LOCKED; the app works on without it if it cannot listen.
      offerClientChannel(opened, { logger })
        .then((offered) => {
          if (engine === opened && quitState === 'running') channel = offered;
          else void offered.close();
        })
        .catch((error: unknown) => logger.warn('no channel for tessera commands', { error: String(error) }));
      Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, isPackaged: app.isPackaged })));
      openWindow();
    })
    .catch(fail);
}

/** TESSERA_DATA_DIR when set (as for the CLI), else Electron's userData (the same default folder). */
function dataDir(): string {
  return process.env.TESSERA_DATA_DIR ? defaultDataDir() : app.getPath('userData');
}

/** Start-up failed (most often DATA_DIR_LOCKED): tell the operator why, then quit. */
function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  logger.error('start-up failed', { error: message });
  dialog.showErrorBox('Tessera could not start', message);
  app.quit();
}

async function closeWithin(engine: EngineSupervisor, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`engine.close() took longer than ${ms} ms`)), ms);
  });
  try {
    await Promise.race([engine.close(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
