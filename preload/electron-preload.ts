/**
 * The Electron preload: exposes `window.tessera`, the contract's named functions, and nothing else.
 *
 * Runs sandboxed, so it is bundled into one CommonJS file (preload/vite.config.ts) with only
 * `electron` left as a require. ipcRenderer stays in here: the page gets one function per request
 * and `on()`, built by the same createTesseraApi as the browser bridge.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createTesseraApi } from './contract.js';
import { createIpcTransport } from './ipc-transport.js';

contextBridge.exposeInMainWorld('tessera', createTesseraApi(createIpcTransport(ipcRenderer)));
