/**
 * The type of `window.tessera`, shared by the renderer and both bridges.
 *
 * The Electron preload sets it with contextBridge, the browser bridge with installBrowserBridge();
 * the renderer only reads it. DOM only: this file is part of the renderer's world.
 */
import type { TesseraApi } from '../shared/contract.js';
import type { TesseraDesktop } from './desktop-api.js';

/**
 * Where a dropped or picked File lives on this machine. Only the Electron preload offers it
 * (webUtils.getPathForFile, since Electron 32 removed `File.path`); a page cannot know it.
 */
export interface TesseraFiles {
  /** The file's path, or null when the File is not backed by a file on disk. */
  pathFor(file: File): string | null;
}

/**
 * `window.tessera`: the contract, plus `files` and `desktop` (native dialogs, Reveal in folder) on
 * the desktop only. In the browser both are absent: the renderer uploads dropped files and paths
 * are typed.
 */
export type TesseraWindowApi = TesseraApi & { readonly files?: TesseraFiles | undefined; readonly desktop?: TesseraDesktop | undefined };

declare global {
  interface Window {
    /** The contract's named functions and `on()` (see shared/contract.ts), and on the desktop `files`. */
    readonly tessera: TesseraWindowApi;
  }
}

export type { TesseraApi, TesseraDesktop };
