/**
 * The Electron preload: exposes `window.tessera`, the contract's named functions and the dropped
 * files' paths, and nothing else.
 *
 * Runs sandboxed, so it is bundled into one CommonJS file (preload/vite.config.ts) with only
 * `electron` left as a require. ipcRenderer stays in here: the page gets one function per request
 * and `on()`, built by the same createTesseraApi as the browser bridge. webUtils stays in here
 * too: the page gets only `files.pathFor`, because Electron 32 removed `File.path` and only a
 * preload can ask where a File lives. `desktop` is the native dialogs and Reveal in folder
 * (preload/desktop-api.ts), on their own channel.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createTesseraApi } from '../shared/contract.js';
import { createDesktopApi } from './desktop-bridge.js';
import { createIpcTransport } from './ipc-transport.js';
import type { TesseraFiles, TesseraWindowApi } from './window-api.js';

const files: TesseraFiles = {
  // webUtils answers '' for a File made in script rather than read from disk: that is no path.
  pathFor: (file) => webUtils.getPathForFile(file) || null,
};

// One object under one key: a second exposeInMainWorld would be a second surface to audit.
contextBridge.exposeInMainWorld('tessera', {
  ...createTesseraApi(createIpcTransport(ipcRenderer)),
  files,
  desktop: createDesktopApi(ipcRenderer),
} satisfies TesseraWindowApi);
