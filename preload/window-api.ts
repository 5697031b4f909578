/**
 * The type of `window.tessera`, shared by the renderer and both bridges.
 *
 * The Electron preload sets it with contextBridge, the browser bridge with installBrowserBridge();
 * the renderer only reads it. DOM only: this file is part of the renderer's world.
 */
import type { TesseraApi } from './contract.js';

declare global {
  interface Window {
    /** The contract's named functions and `on()`; see preload/contract.ts. */
    readonly tessera: TesseraApi;
  }
}

export type { TesseraApi };
